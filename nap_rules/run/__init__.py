"""One pass over a plan: the pipeline load -> validate -> graph, and the rule engine."""
