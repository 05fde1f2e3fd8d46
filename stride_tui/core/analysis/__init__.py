"""STRIDE analysis: the facts rules read, the rule files, conditions and the engine."""
