"""Cross-department comparison (seed 000): department lists in, hits, the three-level decision."""
