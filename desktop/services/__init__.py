"""Plain-Python services between the models and the views; nothing here imports Qt."""
