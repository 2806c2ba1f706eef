"""Metric math: the pure live reducer and the formulas shared with the review."""
