"""The rule expression language: the allow-list compiler, its runtime and its functions."""
