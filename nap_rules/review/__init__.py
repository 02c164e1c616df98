"""Sorting a run's findings for review: waivers, baselines and triage."""
