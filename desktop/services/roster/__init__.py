"""The household roster as Excel: the template, import (all or nothing, with an error report) and
export.

One module a job: `sheet` reads a workbook and finds its header row, `normalise` checks one
cell, `parse` checks a whole sheet and `grouping` makes households of its rows, `importer`
writes them (one unit of work), `report` writes the error report, `export` the roster;
`service.RosterService` is what a window holds.
"""
