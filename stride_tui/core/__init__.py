"""The pure domain of stride-tui: model, storage, validation. Never imports Textual or Rich."""

from stride_tui.core.files.diagnostics import Diagnostic, ModelError
from stride_tui.core.files.loader import LoadedModel, load_model, parse_model
from stride_tui.core.files.storage import ConflictError, Fingerprint, SaveError, dump_model, save_model
from stride_tui.core.model.elements import FORMAT_VERSION, ThreatModel

__all__ = [
    "FORMAT_VERSION",
    "ConflictError",
    "Diagnostic",
    "Fingerprint",
    "LoadedModel",
    "ModelError",
    "SaveError",
    "ThreatModel",
    "dump_model",
    "load_model",
    "parse_model",
    "save_model",
]
