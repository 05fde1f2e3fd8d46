"""Mermaid flowcharts into our model (docs/mermaid.md); drawing one is ``core/outputs/mermaid``."""

from stride_tui.core.interop.mermaid.import_mermaid import MermaidImport, import_mermaid

__all__ = ["MermaidImport", "import_mermaid"]
