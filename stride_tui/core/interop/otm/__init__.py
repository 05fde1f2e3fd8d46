"""Open Threat Model (OTM 0.2.0, IriusRisk's open format) import and export (docs/otm.md)."""

from stride_tui.core.interop.otm.export_otm import OtmExport, export_otm
from stride_tui.core.interop.otm.import_otm import OtmImport, import_otm

__all__ = ["OtmExport", "OtmImport", "export_otm", "import_otm"]
