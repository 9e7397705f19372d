"""Outputs made from one `SetReport`: report.json and the terminal table."""
