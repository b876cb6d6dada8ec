"""The Hunan questionnaires (seed 003): checking answers, review teams and pairs, double entry."""
