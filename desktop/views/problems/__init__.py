"""Qt views of the rectification tracker: the 整改台账, the problem dialog and the 整改看板."""
