"""Training and evaluation data for the attribution ranker (not part of the installed package)."""
