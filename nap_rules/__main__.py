"""`python -m nap_rules`: the same program as the `nap-rules` command."""

from .cli import run

run()
