"""Views of the standards: seed 001's five tables, indicator entry, 补短清单 and 点球."""
