"""Qt views of the paper forms: the form view and dialog, batch printing and the print preview."""
