"""Rule sets: rule files, the plan's configuration, the built-in checks and the catalogue."""
