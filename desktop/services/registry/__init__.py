"""The registry of villages, groups, households and members: ID checks, code lists, derived flags,
queries and bulk writes.
"""
