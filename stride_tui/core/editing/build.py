"""Building model elements from form values, each problem reported against its form field."""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import BaseModel, ValidationError

from stride_tui.core.editing.base import GENERAL, EditError
from stride_tui.core.files.key_positions import SourceMap
from stride_tui.core.files.schema_errors import translate_errors
from stride_tui.core.model.elements import COMPONENT_CLASSES, Boundary, Component, Decision, Flow, ModelMeta, Threat


def _clean(data: Mapping[str, object]) -> dict[str, object]:
    """Form values as a table: unset, blank and empty values mean *unknown* and are left out."""
    out: dict[str, object] = {}
    for key, value in data.items():
        if value is None:
            continue
        if isinstance(value, str) and not value.strip():
            continue
        if isinstance(value, (list, tuple)):
            value = [item for item in value if not (isinstance(item, str) and not item.strip())]
            if not value:
                continue
        out[key] = value
    return out


def _field_errors(exc: ValidationError) -> dict[str, str]:
    errors: dict[str, str] = {}
    for diagnostic in translate_errors(exc, {}, "<form>", SourceMap("")):
        key = str(diagnostic.field[0]) if diagnostic.field else GENERAL
        message = diagnostic.message
        if message.startswith("missing required key"):
            message = "required"
        errors.setdefault(key, message)
    return errors


def _validate(cls: type[BaseModel], data: Mapping[str, object]) -> BaseModel:
    try:
        return cls.model_validate(_clean(data))
    except ValidationError as exc:
        raise EditError(_field_errors(exc)) from None


def build_component(data: Mapping[str, object]) -> Component:
    """A component from form values (``kind`` picks the class); raise ``EditError``."""
    kind = data.get("kind")
    cls = COMPONENT_CLASSES.get(kind) if isinstance(kind, str) else None
    if cls is None:
        raise EditError({"kind": "choose external_entity, process or data_store"})
    allowed = set(cls.model_fields)
    return _validate(cls, {k: v for k, v in data.items() if k in allowed})  # type: ignore[return-value]


def build_flow(data: Mapping[str, object]) -> Flow:
    """A flow from form values keyed as in the file (``from``, ``to``); raise ``EditError``."""
    return _validate(Flow, data)  # type: ignore[return-value]


def build_boundary(data: Mapping[str, object]) -> Boundary:
    """A boundary from form values; raise ``EditError``."""
    return _validate(Boundary, data)  # type: ignore[return-value]


def build_threat(data: Mapping[str, object]) -> Threat:
    """A hand-written threat from form values; raise ``EditError``."""
    return _validate(Threat, data)  # type: ignore[return-value]


def build_meta(data: Mapping[str, object]) -> ModelMeta:
    """The ``[model]`` table from form values; the title may not be blank."""
    return _validate(ModelMeta, data)  # type: ignore[return-value]


def build_decision(data: Mapping[str, object]) -> Decision:
    """A decision (status, note, ticket) from form values; raise ``EditError``."""
    return _validate(Decision, data)  # type: ignore[return-value]
