"""Reading: located YAML, plan folders, schema checks, the canonical writer and the file cache."""
