"""The plan as a graph: building it, its fields, its indexes, targets and plan values."""
