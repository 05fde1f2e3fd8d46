"""The pure domain of stride-tui: model, storage, validation. Never imports Textual or Rich."""

from .diagnostics import Diagnostic, ModelError
from .loader import LoadedModel, load_model, parse_model
from .model import FORMAT_VERSION, ThreatModel
from .storage import ConflictError, Fingerprint, SaveError, dump_model, save_model

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
