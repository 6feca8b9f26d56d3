"""Building millions of small objects at once (the build: load, reason, validate).

CPython's cyclic garbage collector runs each time enough container objects have been made, and each
full run walks every live object: while the build makes millions of tuples, dicts and lists that
live to its end, it walked them again and again (a third of the load, reasoning and validation at
1M triples: bench/results/build.md). They hold next to no reference cycles (reference counting frees
what the build drops, as it goes), so the collector is paused while it runs; it runs again after,
over what was made since (gc.freeze: what the build kept is long-lived and reference counting frees
it when dropped).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector inside the block (as it was, after it)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        # What the block made and kept is moved out of the collector's sight: enabled again, it would
        # walk all of it in its next full run, soon after (4 s at 1M triples, inside the build). The
        # price: a reference cycle dropped inside the block is never collected. The build makes next
        # to none; the commands that build end soon after, and the server does not build this way.
        gc.freeze()
        if was_enabled:
            gc.enable()
