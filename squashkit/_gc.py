"""Pause the cyclic garbage collector around allocation-heavy passes.

Loading 5,000 migration files or analysing their graph allocates hundreds of thousands of small objects
(AST nodes, records, sets of keys) that are freed by reference counting; none of them form cycles that need
the collector.  CPython still runs a collection every 700 net allocations, and the older generations get
scanned again and again while the objects are alive: 10-25% of a load or an analysis.  The collector is
switched off for the duration of the pass and back on afterwards (only if it was on), so callers see no
difference.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["gc_paused"]


@contextmanager
def gc_paused() -> Iterator[None]:
    was_enabled = gc.isenabled()
    if was_enabled:
        gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
