"""The `nap-rules` command line (README, Commands): parses options, runs the pipeline, prints, exits."""

from . import plan_commands, rule_commands, workbook_commands  # noqa: F401  (each adds its commands to `main`)
from .program import keep, main, run

__all__ = ["keep", "main", "run"]
