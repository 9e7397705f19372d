"""Measure the analyzer against labelled datasets (``formcheck eval``)."""
