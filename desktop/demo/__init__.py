"""Builders of the demo township (and a whole county at scale) with forms and problems; not used by
a real database.
"""
