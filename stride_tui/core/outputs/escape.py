"""Escaping user text for each output format: Markdown, Markdown tables, CSV cells, HTML.

User text is data: a component named ``[click](javascript:alert(1))`` or ``=HYPERLINK(...)``
must come out as those literal characters, not as a link or a spreadsheet formula. Documents a
reviewer reads (Markdown, HTML) also show bidi and zero-width characters as ``<U+202E>``, so a
name cannot read differently from what it is ("Trojan Source").
"""

from __future__ import annotations

import html
import re

from stride_tui.core.text_safety import show_invisible

# Inline markup needs one of these; with `[`/`]` escaped no link or image can form, and with
# `<` escaped no raw HTML or autolink can. Escaping only these keeps raw Markdown readable.
_MD_INLINE = re.compile(r"([\\`*_\[\]<>|~])")
_MD_BLOCK_START = re.compile(r"^([ \t]*)([#>+=-])", re.MULTILINE)
_MD_ORDERED_START = re.compile(r"^([ \t]*\d+)([.)])", re.MULTILINE)
_NEWLINES = re.compile(r"\s*\n\s*")


def markdown(text: str) -> str:
    """Text safe to place inside Markdown prose: it renders as exactly these characters."""
    text = _MD_INLINE.sub(r"\\\1", show_invisible(text))
    text = _MD_BLOCK_START.sub(r"\1\\\2", text)
    return _MD_ORDERED_START.sub(r"\1\\\2", text)


def markdown_cell(text: str) -> str:
    """Text safe inside a Markdown table cell: escaped, on one line."""
    return markdown(_NEWLINES.sub(" ", text.strip()))


def markdown_code(text: str) -> str:
    """Text shown as inline code: backticks cannot end the span early."""
    one_line = _NEWLINES.sub(" ", show_invisible(text))
    fence = "`" * (max((len(m) for m in re.findall(r"`+", one_line)), default=0) + 1)
    pad = " " if one_line.startswith("`") or one_line.endswith("`") else ""
    return f"{fence}{pad}{one_line}{pad}{fence}"


def csv_cell(text: str) -> str:
    """A CSV value that a spreadsheet will not run as a formula (OWASP CSV injection), also
    when spaces come first: some spreadsheets drop leading spaces before they read a formula."""
    if text[:1] in ("\t", "\r") or text.lstrip(" ")[:1] in ("=", "+", "-", "@"):
        return "'" + text
    return text


def html_text(text: str) -> str:
    """Text safe inside HTML element content and attribute values."""
    return html.escape(show_invisible(text), quote=True)
