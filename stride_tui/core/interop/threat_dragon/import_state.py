"""What an import builds up as it reads: the tables, threats still to place, ids taken, warnings."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from stride_tui.core.interop.threat_dragon.layout_file import Layout
from stride_tui.core.model.ids import is_id, unique_id

BOUNDARY_ORDER = ("name", "description", "parent", "internet", "kind", "enforced_by")
COMPONENT_ORDER = (
    "kind",
    "name",
    "description",
    "technology",
    "tags",
    "boundary",
    "out_of_scope",
    "out_of_scope_reason",
)
FLOW_ORDER = ("from", "to", "response_to", "name", "description", "data", "protocol")
_QUOTES = re.compile(r"['\u2019`]")  # "Bob's" should give the id ``bobs``, not ``bob-s``


@dataclass
class PendingThreat:
    """A threat read from a component or flow, placed once every element has its id."""

    element_id: str
    element_name: str
    threat: dict
    origin: str  # where the threat came from, for messages


@dataclass
class ImportState:
    """Everything the diagrams of one file add up to, and what was reported on the way."""

    warnings: list[str] = field(default_factory=list)
    taken: set[str] = field(default_factory=set)  # element ids (one namespace for all three tables)
    threat_ids: set[str] = field(default_factory=set)
    boundaries: dict[str, dict] = field(default_factory=dict)
    components: dict[str, dict] = field(default_factory=dict)
    flows: dict[str, dict] = field(default_factory=dict)
    pending: list[PendingThreat] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # text blocks and descriptions, for the model description
    unknown_shapes: Counter = field(default_factory=Counter)
    unknown_data_keys: Counter = field(default_factory=Counter)
    unknown_threat_keys: Counter = field(default_factory=Counter)
    layout: Layout = field(default_factory=Layout)  # the drawing, for the layout file
    diagram: int = 0  # index of the diagram being read
    carried_decisions: dict[str, dict] = field(default_factory=dict)  # from cells export wrote, by key
    renamed: dict[str, str] = field(default_factory=dict)  # id export embedded -> the id it got here

    def report(self, message: str) -> None:
        """Tell the user ``message`` once, however often it comes up."""
        if message not in self.warnings:
            self.warnings.append(message)

    def element_id(self, embedded: object, name: str, fallback: str) -> str:
        """A fresh element id: the one export embedded if still free, else one made from ``name``."""
        return _claim(embedded, name, fallback.replace("_", "-"), self.taken, self.taken)

    def threat_id(self, embedded: object, title: str) -> str:
        """A fresh threat id, free among threats and elements alike."""
        return _claim(embedded, title, "threat", self.threat_ids | self.taken, self.threat_ids)


def _claim(embedded: object, name: str, fallback: str, taken: set[str], claimed: set[str]) -> str:
    if isinstance(embedded, str) and is_id(embedded) and embedded not in taken:
        new_id = embedded
    else:
        new_id = unique_id(_QUOTES.sub("", name), taken, fallback)
    claimed.add(new_id)
    return new_id


def ordered(body: dict, first: tuple[str, ...]) -> dict:
    """``body`` with the keys of ``first`` first, in that order, as a hand-written file has them."""
    return {**{k: body[k] for k in first if k in body}, **{k: v for k, v in body.items() if k not in first}}
