"""The model file's values: components, flows, boundaries, decisions, ids, topology."""
