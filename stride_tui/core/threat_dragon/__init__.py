"""OWASP Threat Dragon v2 JSON: import into our model, export from it (docs/threat-dragon.md)."""

from .export_td import ExportResult, export_threat_dragon
from .import_td import ImportResult, import_threat_dragon

__all__ = ["ExportResult", "ImportResult", "export_threat_dragon", "import_threat_dragon"]
