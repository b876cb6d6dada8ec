"""Qt views of the registry: the households and villages tables, their dialogs, the navigation
tree.
"""
