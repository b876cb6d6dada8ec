"""Views of the 督查 rounds: the rounds list, sample editing, findings, follow-up, 整改率."""
