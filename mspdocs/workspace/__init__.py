"""Reading one MSP's files: the workspace and its profile, catalog, customers, clauses, typed YAML, safe writes."""
