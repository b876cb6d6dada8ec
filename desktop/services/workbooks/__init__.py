"""Workbooks from outside and to outside: the pre-check every import runs before a parser sees a
file (`precheck.check_workbook`), and the sanitiser every .xlsx export writes its cells through
(`sanitise.safe_cell`)."""
