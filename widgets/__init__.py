"""Reusable Textual widgets for stride-tui: they show values and post messages, never own the model."""

from .boundary_tree import BoundaryTree, TreeEntry
from .component_table import ComponentTable
from .detail_view import DetailView
from .flow_table import FlowTable, boundary_chain, crossed_boundaries
from .safe_text import safe_text, strip_controls

__all__ = [
    "BoundaryTree",
    "ComponentTable",
    "DetailView",
    "FlowTable",
    "TreeEntry",
    "boundary_chain",
    "crossed_boundaries",
    "safe_text",
    "strip_controls",
]
