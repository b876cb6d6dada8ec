"""Exchange packages between offline PCs: a township's changes to the county and back.

A package is one signed, numbered file (package.py) of every record changed since the last
package to the same PC, as JSON rows that name each other by uid (rows.py), with the audit
entries and evidence files that go with them. Importing one (merge.py) is one unit of work:
records new here are inserted, records changed only there are updated, records changed on
both sides become conflicts for a person (conflicts.py). keys.py keeps this PC's id and the
key the county gave; service.py is what the command line (and a window) calls.
"""
