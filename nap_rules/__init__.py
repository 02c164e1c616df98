"""nap-rules: a declarative rules engine that checks national action plans for consistency."""

__version__ = "0.1.0"
