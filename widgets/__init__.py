"""Reusable Textual widgets for stride-tui: they show values and post messages, never own data."""

from .boundary_tree import BoundaryTree, TreeEntry
from .component_table import ComponentTable
from .detail_view import DetailView
from .diagram_view import DiagramView
from .finding_text import finding_details, severity_badge, status_text
from .flow_table import FlowTable
from .form_field import FormField
from .safe_text import plain_text, safe_text, strip_controls
from .status_line import StatusLine
from .stride_panel import StridePanel
from .text_input import TextBox, TextInput
from .tri_state import TriState
from .virtual_table import Column, TableRow, VirtualTable

__all__ = [
    "BoundaryTree",
    "Column",
    "ComponentTable",
    "DetailView",
    "DiagramView",
    "FlowTable",
    "FormField",
    "StatusLine",
    "StridePanel",
    "TableRow",
    "TextBox",
    "TextInput",
    "TreeEntry",
    "TriState",
    "VirtualTable",
    "finding_details",
    "plain_text",
    "safe_text",
    "severity_badge",
    "status_text",
    "strip_controls",
]
