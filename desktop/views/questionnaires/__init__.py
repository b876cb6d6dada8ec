"""The Hunan questionnaires on screen (seed 003): questions, teams, review, double entry."""
