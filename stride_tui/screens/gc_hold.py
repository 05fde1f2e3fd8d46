"""The cyclic garbage collector held off while a model opens.

Opening a large model builds hundreds of thousands of long-lived objects (the model, the pane
rows, the boundary tree, the analysis) and almost no garbage, yet the collector ran full passes
over all of them again and again while they were built: about 0.2 s of the first frame at
5,000 components. It is held from the start of loading until the first analysis is on screen
(or the opening failed); the analysis engine moves what it built to the oldest generation, so
nothing young is left for the collector to scan at once when it starts again.
"""

from __future__ import annotations

import gc

_held = False


def hold() -> None:
    """Stop the cyclic collector until `release` (nothing if it is off already)."""
    global _held
    if not _held and gc.isenabled():
        gc.disable()
        _held = True


def release() -> None:
    """Start the collector again if `hold` stopped it."""
    global _held
    if _held:
        _held = False
        gc.enable()
