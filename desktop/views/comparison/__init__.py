"""Views of the cross-department comparison: lists, 疑点, cases and their decisions."""
