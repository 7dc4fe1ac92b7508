"""Evaluation against a gold question set: parsing, metrics and the runner."""
