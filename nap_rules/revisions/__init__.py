"""Revisions of a plan: git revisions, plan changes and the diff of two revisions."""
