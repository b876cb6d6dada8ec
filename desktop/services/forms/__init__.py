"""Filled paper forms (核查表, 采集表): loading descriptions, saving answers, recovery copies."""
