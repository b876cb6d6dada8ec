"""The rectification tracker: the problem catalogue, problems and their events,
问题清单 import, 整改台账 queries and reports.
"""
