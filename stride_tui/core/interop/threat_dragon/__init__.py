"""OWASP Threat Dragon v2 JSON: import into our model, export from it (docs/threat-dragon.md)."""

from stride_tui.core.interop.threat_dragon.export_td import ExportResult, export_threat_dragon
from stride_tui.core.interop.threat_dragon.import_td import ImportResult, import_threat_dragon

__all__ = ["ExportResult", "ImportResult", "export_threat_dragon", "import_threat_dragon"]
