"""Inspection rounds (督查, seed 004): the sample, the findings, the 整改函, the archive."""
