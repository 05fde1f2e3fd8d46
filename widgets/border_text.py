"""Border titles set only when their text changes.

Textual repaints a whole widget (every line, from scratch) each time its ``border_title`` or
``border_subtitle`` is set, even to the text it already shows. Each pane sets its title after
every edit and the STRIDE panel sets both after every move of the selection, so a frame redrew
all of them; through here, only a title that reads differently costs a repaint, of its line.
"""

from __future__ import annotations

from rich.text import Text
from textual.content import Content
from textual.geometry import Region
from textual.widget import Widget

_SHOWN = "_stride_border_text"


def set_border_title(widget: Widget, title: str | Text) -> None:
    """Show ``title`` in ``widget``'s top border (unless it shows it already)."""
    _set(widget, "border_title", title)


def set_border_subtitle(widget: Widget, subtitle: str | Text) -> None:
    """Show ``subtitle`` in ``widget``'s bottom border (unless it shows it already)."""
    _set(widget, "border_subtitle", subtitle)


def _set(widget: Widget, where: str, text: str | Text) -> None:
    shown: dict[str, str | Text] = widget.__dict__.setdefault(_SHOWN, {})
    last = shown.get(where)
    # a str and a Text never compare equal: a title that changes type is set again
    if last is not None and type(last) is type(text) and last == text:
        return
    shown[where] = text
    width, height = widget.outer_size
    if not (
        widget.is_mounted and width and height > 1 and widget.styles.border_top[0] and widget.styles.border_bottom[0]
    ):
        setattr(widget, where, text)
        return
    # set as Textual's descriptor sets it, but only the border's line repainted (Textual
    # repaints the whole widget; the STRIDE panel's counts change with most edits)
    title = Content.from_rich_text(text) if isinstance(text, Text) else text
    setattr(widget, f"_{where}", widget.render_str(title).expand_tabs(4).split()[0])
    left, top = widget.content_offset
    line = 0 if where == "border_title" else height - 1
    widget.refresh(Region(-left, line - top, width, 1))
