"""Reusable Textual widgets for stride-tui: they show values and post messages, never own data."""

from .boundary_tree import BoundaryTree, TreeEntry
from .component_table import ComponentTable
from .detail_view import DetailView
from .flow_table import FlowTable
from .safe_text import safe_text, strip_controls

__all__ = [
    "BoundaryTree",
    "ComponentTable",
    "DetailView",
    "FlowTable",
    "TreeEntry",
    "safe_text",
    "strip_controls",
]
