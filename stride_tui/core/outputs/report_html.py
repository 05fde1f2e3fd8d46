"""The threat-model report as one self-contained HTML file: no script, a strict Content Security
Policy, inline CSS, the diagram as inline SVG when Graphviz is present, every user string escaped."""

from __future__ import annotations

import re

from stride_tui.core.analysis.engine import KIND_LABELS, Analysis, Finding, describe_crossings
from stride_tui.core.analysis.questions import questions
from stride_tui.core.analysis.risk import risk_line
from stride_tui.core.analysis.scope import all_scopes
from stride_tui.core.analysis.threats import count_threats, group_threats
from stride_tui.core.model.elements import CATEGORIES, SEVERITIES, STATUSES
from stride_tui.core.outputs.escape import html_text as h
from stride_tui.core.outputs.report import crossing_text, facts_of, reference_url
from stride_tui.core.stride import CATEGORY_LABELS
from stride_tui.core.wording import counted

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Helvetica,Arial,sans-serif;margin:2rem auto;max-width:72rem;padding:0 1rem;color:#1c2833;line-height:1.45}
h1{border-bottom:2px solid #c0392b;padding-bottom:.3rem}h2{margin-top:2.2rem;border-bottom:1px solid #d5d8dc}
table{border-collapse:collapse;margin:.6rem 0 1rem;width:100%}th,td{border:1px solid #d5d8dc;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#f4f6f7}code{background:#f4f6f7;padding:0 .2rem;border-radius:3px}
.sev{display:inline-block;padding:0 .45rem;border-radius:3px;font-size:.85em;font-weight:600}
.critical{background:#f1948a}.high{background:#f8c471}.medium{background:#f7dc6f}.low{background:#aed6f1}
.finding{border:1px solid #d5d8dc;border-left:5px solid #aab7b8;border-radius:4px;padding:.5rem 1rem;margin:.8rem 0}
.finding.open{border-left-color:#c0392b}.muted{color:#707b7c}.diagram{overflow:auto;border:1px solid #d5d8dc;padding:.5rem}
"""


def sanitize_svg(svg: str) -> str:
    """Graphviz SVG made safe to inline: no XML prolog, no links, no scripts or event handlers."""
    svg = svg[svg.find("<svg") :] if "<svg" in svg else ""
    svg = re.sub(r"<script\b.*?</script>", "", svg, flags=re.DOTALL | re.IGNORECASE)
    svg = re.sub(r"</?a\b[^>]*>", "", svg)
    svg = re.sub(r"\s(?:xlink:href|href|on\w+)\s*=\s*(\"[^\"]*\"|'[^']*')", "", svg)
    # scale to the page: the viewBox keeps proportions once the fixed size is gone
    return re.sub(
        r"^<svg\b([^>]*?)\swidth=\"[^\"]*\"\s+height=\"[^\"]*\"", r'<svg\1 style="max-width:100%;height:auto"', svg
    )


def report_html(analysis: Analysis, svg: str | None = None, diagram_note: str | None = None) -> str:
    """The report as HTML; ``svg`` is Graphviz output (sanitised here) or None."""
    model = analysis.model
    title = h(model.model.title)
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>Threat model: {title}</title><style>{_CSS}</style></head><body>",
        f"<h1>Threat model: {title}</h1>",
    ]
    if model.model.description:
        parts.append(f"<p>{_paragraphs(model.model.description)}</p>")
    if model.model.owner:
        parts.append(f"<p>Owner: {h(model.model.owner)}</p>")

    crossing_flows = sum(1 for c in analysis.topology.crossings.values() if c)
    threats = group_threats(analysis)
    asked = questions(analysis, threats)
    counts = count_threats(threats)
    parts.append("<h2>Summary</h2>")
    parts.append(
        f"<p>{h(counts.line())}, on {counted(len(model.components), 'component')}, "
        f"{counted(len(model.flows), 'flow')} and {counted(len(model.boundaries), 'trust boundary', 'trust boundaries')}; "
        f"{crossing_text(crossing_flows)}. A threat is one "
        "missing control on one element; its risk is likelihood × impact.</p>"
    )
    parts.append(
        _table(
            ["Category", "Threats", "Undecided"],
            [
                [
                    CATEGORY_LABELS[c],
                    str(sum(c in t.categories for t in threats)),
                    str(sum(c in t.categories and t.undecided for t in threats)),
                ]
                for c in CATEGORIES
            ],
        )
    )
    parts.append(
        _table(
            ["Risk", "Threats", "Undecided"],
            [
                [
                    _sev(s),
                    str(sum(t.severity == s for t in threats)),
                    str(sum(t.severity == s and t.undecided for t in threats)),
                ]
                for s in reversed(SEVERITIES)
            ],
            raw_first=True,
        )
    )
    parts.append(_table(["Status", "Threats"], [[s.replace("_", " "), str(counts.by_status[s])] for s in STATUSES]))

    parts.append("<h2>Data-flow diagram</h2>")
    if svg:
        parts.append(f'<div class="diagram">{sanitize_svg(svg)}</div>')
    else:
        parts.append(f'<p class="muted">{h(diagram_note or "Diagram not included.")}</p>')

    parts.append("<h2>Elements</h2>")
    if model.boundaries:
        parts.append("<h3>Trust boundaries</h3>")
        parts.append(
            _table(
                ["Id", "Name", "Inside", "Members"],
                [
                    [
                        f"<code>{h(bid)}</code>",
                        h(b.name or bid),
                        h(model.display_name(b.parent)) if b.parent else "—",
                        h(", ".join(c.name or cid for cid, c in model.components.items() if c.boundary == bid)) or "—",
                    ]
                    for bid, b in model.boundaries.items()
                ],
                escaped=True,
            )
        )
    parts.append("<h3>Components</h3>")
    parts.append(
        _table(
            ["Id", "Kind", "Name", "Boundary", "Technology", "Facts"],
            [
                [
                    f"<code>{h(cid)}</code>",
                    KIND_LABELS[c.kind],
                    h(c.name or cid) + (' <span class="muted">(out of scope)</span>' if c.out_of_scope else ""),
                    h(model.display_name(c.boundary)) if c.boundary else "—",
                    h(c.technology or "—"),
                    h(", ".join(f"{k} = {v}" for k, v in facts_of(c) if k not in ("technology", "tags"))) or "—",
                ]
                for cid, c in model.components.items()
            ],
            escaped=True,
        )
    )
    parts.append("<h3>Data flows</h3>")
    parts.append(
        _table(
            ["Id", "From → to", "Data", "Protocol", "Crosses", "Facts"],
            [
                [
                    f"<code>{h(fid)}</code>",
                    f"{h(model.display_name(f.source))} → {h(model.display_name(f.target))}",
                    h(f.data or "—"),
                    h(f.protocol or "—"),
                    h(describe_crossings(model, analysis.topology.crossings[fid]).removeprefix("crosses "))
                    if analysis.topology.crossings[fid]
                    else "—",
                    h(", ".join(f"{k} = {v}" for k, v in facts_of(f) if k not in ("data", "protocol", "name", "tags")))
                    or "—",
                ]
                for fid, f in model.flows.items()
            ],
            escaped=True,
        )
    )

    parts.append("<h2>Threats by trust boundary</h2>")
    parts.append(
        '<p class="muted">Each threat is walked once: at the boundary its flow enters (or leaves), '
        "or inside the boundary its element sits in.</p>"
    )
    for walk in all_scopes(analysis, threats):
        if walk.boundary_id is None and not walk.threats:
            continue
        heading = (
            f"{h(model.display_name(walk.boundary_id))} <code>{h(walk.boundary_id)}</code>"
            if walk.boundary_id
            else "Outside any boundary"
        )
        parts.append(f"<h3>{heading}</h3>")
        sections = [("Flows crossing it", walk.crossing), ("Its members and the flows between them", walk.inside)]
        for name, group in sections if walk.boundary_id else [("Elements in no boundary", walk.inside)]:
            items = "".join(
                f"<li>{_sev(t.severity)} {h(t.title)} <code>{h(t.id)}</code> — {h(t.status.replace('_', ' '))}</li>"
                for t in group
            )
            parts.append(f"<p>{name}: {len(group) or 'none'}</p>" + (f"<ul>{items}</ul>" if items else ""))

    if asked:
        parts.append("<h2>Questions</h2><ul>")
        parts += [f"<li>{h(q.text)} <code>{h(q.id)}</code> (settles {len(q.threat_ids)})</li>" for q in asked]
        parts.append("</ul>")

    parts.append("<h2>Threats</h2>")
    for t in threats:
        categories = ", ".join(CATEGORY_LABELS[c] for c in t.categories)
        provisional = " · provisional (rests only on unknown facts)" if t.provisional else ""
        parts.append(f"<h3>{_sev(t.severity)} {h(t.title)}</h3>")
        parts.append(
            f"<p><code>{h(t.id)}</code> · {categories} · {h(t.status.replace('_', ' '))}{provisional}<br>"
            f"Missing control: {h(t.control)}<br>Risk: {h(risk_line(t.severity, t.risk_reasons))}</p>"
        )
        parts.extend(_finding(f) for f in t.findings)

    parts.append("<h2>Hand-written threats</h2>")
    customs = [f for f in analysis.findings if f.custom]
    parts.append(
        "<ul>"
        + "".join(
            f"<li><code>{h(f.id)}</code> {h(f.title)} on {h(f.element_name)} — {_sev(f.severity)} {h(f.status.replace('_', ' '))}</li>"
            for f in customs
        )
        + "</ul>"
        if customs
        else "<p>None.</p>"
    )
    parts.append("<h2>Orphan decisions</h2>")
    if analysis.orphans:
        parts.append(
            "<p>Decisions kept in the model whose finding no longer fires:</p><ul>"
            + "".join(
                f"<li><code>{h(k)}</code>: {h(model.decisions[k].status.replace('_', ' '))}"
                + (f" — {h(model.decisions[k].note or '')}" if model.decisions[k].note else "")
                + "</li>"
                for k in analysis.orphans
            )
            + "</ul>"
        )
    else:
        parts.append("<p>None.</p>")
    if analysis.disabled:
        parts.append("<h2>Disabled rules</h2><ul>")
        parts += [
            f"<li><code>{h(d.rule_id)}</code>, by <code>{h(d.file)}</code>: {h(d.reason)}</li>"
            for d in analysis.disabled
        ]
        parts.append("</ul>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def _finding(f: Finding) -> str:
    rows = [
        f'<div class="finding {h(f.status)}">',
        f"<h4>{_sev(f.severity)} {h(f.title)}</h4>",
        f"<p><code>{h(f.id)}</code>{' (written by hand)' if f.custom else ''} on {h(f.element_name)} ({KIND_LABELS[f.element_kind]}) — "
        f"status <b>{h(f.status.replace('_', ' '))}</b>"
        + (f", ticket {h(f.ticket)}" if f.ticket else "")
        + (f": {h(f.note)}" if f.note else "")
        + "</p>",
    ]
    rows.append(f'<p class="muted">Risk: {h(risk_line(f.severity, f.risk_reasons))}</p>')
    if f.description:
        rows.append(f"<p>{_paragraphs(f.description.strip())}</p>")
    rows.append("<p>Why it fired:</p><ul>" + "".join(f"<li>{h(e)}</li>" for e in f.explanation) + "</ul>")
    if f.mitigations:
        rows.append("<p>Mitigations:</p><ul>" + "".join(f"<li>{h(m)}</li>" for m in f.mitigations) + "</ul>")
    if f.references:
        refs = []
        for ref in f.references:
            url = reference_url(ref)
            refs.append(f'<a href="{h(url)}">{h(ref)}</a>' if url else f"<code>{h(ref)}</code>")
        rows.append(f"<p>References: {', '.join(refs)}</p>")
    rows.append("</div>")
    return "\n".join(rows)


def _sev(severity: str) -> str:
    return f'<span class="sev {severity}">{severity}</span>'


def _paragraphs(text: str) -> str:
    return h(text).replace("\n\n", "</p><p>").replace("\n", "<br>")


def _table(headers: list[str], rows: list[list[str]], escaped: bool = False, raw_first: bool = False) -> str:
    head = "".join(f"<th>{h(x)}</th>" for x in headers)
    body = []
    for row in rows:
        cells = []
        for i, value in enumerate(row):
            cells.append(value if escaped or (raw_first and i == 0) else h(value))
        body.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
