"""Reading a Threat Dragon file: JSON that must be a Threat Dragon v2 model, or a clear refusal."""

from __future__ import annotations

import json

from stride_tui.core.files.diagnostics import Diagnostic, ModelError
from stride_tui.core.files.loader import MAX_FILE_BYTES
from stride_tui.core.interop.threat_dragon.text import as_text


def _refuse(file: str, message: str, line: int | None = None, column: int | None = None) -> ModelError:
    return ModelError([Diagnostic(file, message, line, column)])


def parse_json(raw: bytes, file: str) -> object:
    """The file's JSON value; raise ``ModelError`` when it is too big, empty or not JSON."""
    if len(raw) > MAX_FILE_BYTES:
        raise _refuse(file, f"file is {len(raw):,} bytes; the limit is {MAX_FILE_BYTES:,} bytes")
    if not raw.strip():
        raise _refuse(file, "file is empty; expected a Threat Dragon JSON model")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _refuse(file, f"invalid UTF-8 at byte {exc.start}; a Threat Dragon file is UTF-8 JSON") from None

    def reject_constant(name: str) -> None:
        raise ValueError(f"{name} is not valid JSON")

    try:
        document = json.loads(text, parse_constant=reject_constant)
    except json.JSONDecodeError as exc:
        hint = ""
        if text.lstrip().startswith(("stride_tui", "[model]", "#")):
            hint = " (this looks like a stride-tui TOML model, not a Threat Dragon file)"
        raise _refuse(file, f"invalid JSON: {exc.msg}{hint}", exc.lineno, exc.colno) from None
    except ValueError as exc:
        raise _refuse(file, f"invalid JSON: {exc}") from None
    except RecursionError:
        raise _refuse(file, "invalid JSON: values nested too deeply") from None
    where = _lone_surrogate(document)
    if where is not None:
        raise _refuse(
            file,
            f"invalid text at `{where}`: it holds a lone UTF-16 surrogate (a `\\ud800`-style escape that "
            "is not a character); fix that text in Threat Dragon and save again",
        )
    return document


def _lone_surrogate(value: object, path: str = "") -> str | None:
    """The JSON path of the first string holding a lone surrogate (JSON allows the escape, but
    it is no character and cannot be written to a UTF-8 model), or None."""
    stack = [(value, path)]
    while stack:
        node, where = stack.pop()
        if isinstance(node, str):
            try:
                node.encode("utf-8")
            except UnicodeEncodeError:
                return where or "(the document)"
        elif isinstance(node, dict):
            stack.extend((item, f"{where}.{key}" if where else str(key)) for key, item in reversed(node.items()))
        elif isinstance(node, list):
            stack.extend((item, f"{where}[{index}]") for index, item in reversed(list(enumerate(node))))
    return None


def check_document(document: object, file: str) -> list:
    """The diagrams of a Threat Dragon v2 document; raise ``ModelError`` for anything else."""
    if not isinstance(document, dict):
        raise _refuse(file, "not a Threat Dragon model: the file is not a JSON object")
    if "otmVersion" in document:
        raise _refuse(
            file,
            "this is an Open Threat Model (OTM) file, not Threat Dragon JSON; open it in Threat Dragon and save it, then import that",
        )
    if document.get("bomFormat") == "CycloneDX" or ("specVersion" in document and "components" in document):
        raise _refuse(
            file,
            "this is a Threat Model Bill of Materials (TM-BOM, CycloneDX JSON), not Threat Dragon JSON; "
            "open it in Threat Dragon 2.6 or later (which reads TM-BOM), save the model as Threat Dragon "
            "JSON, then import that file",
        )
    detail = document.get("detail")
    if not isinstance(detail, dict) or not isinstance(detail.get("diagrams"), list):
        raise _refuse(file, "not a Threat Dragon v2 model: `detail.diagrams` is missing")
    diagrams = detail["diagrams"]
    version = as_text(document.get("version"))
    if not version or version.startswith(("0.", "1.")):
        # v1 files carry no `version`; an empty one has no diagramJson to recognise it by
        raise _refuse(
            file,
            f"this is a Threat Dragon v1 model (version {version or 'not given, as in v1'}); open it in "
            "Threat Dragon 2.x, which upgrades it, save it, then import the saved file",
        )
    if any(isinstance(d, dict) and "diagramJson" in d for d in diagrams):
        version = as_text(document.get("version")) or "1.x"
        raise _refuse(
            file,
            f"this is a Threat Dragon v1 model (version {version}); open it in Threat Dragon 2.x, "
            "which upgrades it, save it, then import the saved file",
        )
    return diagrams
