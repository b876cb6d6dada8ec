"""The household roster as Excel: the template, import (all or nothing, with an error report) and
export.
"""
