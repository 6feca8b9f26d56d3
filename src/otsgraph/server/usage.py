"""How much CPU each client's queries used lately: the measure of fairness for the query pool.

Each client's CPU-seconds decay with a half-life, so the figure is "about what it used in the last
minute or so". The pool uses it three ways (pool.py): waiting requests are served lightest client
first; a client above `heavy` runs only in the long lane; a client above `budget` is refused at
once (429) until its figure has decayed. The Wikidata Query Service throttles the same way, by
the query time a client used per minute.

>>> usage = ClientUsage(half_life=10.0, clock=lambda: 0.0)
>>> usage.charge("a", 4.0); usage.of("a")
4.0
>>> usage.clock = lambda: 10.0; usage.of("a")
2.0
>>> usage.seconds_until("a", 1.0)
10.0
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable


class ClientUsage:
    def __init__(self, half_life: float = 30.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.half_life = half_life
        self.clock = clock
        self._rate = math.log(2) / half_life
        self._seen: dict[str, tuple[float, float]] = {}  # client -> (CPU-seconds, when)
        self._lock = threading.Lock()

    def of(self, client: str) -> float:
        with self._lock:
            return self._now(client)

    def charge(self, client: str, seconds: float) -> None:
        if not client or seconds <= 0:
            return
        with self._lock:
            self._seen[client] = (self._now(client) + seconds, self.clock())
            if len(self._seen) > 100_000:  # many clients: forget the ones that used next to nothing
                self._seen = {c: v for c, v in self._seen.items() if self._now(c) > 0.01}

    def seconds_until(self, client: str, level: float) -> float:
        """How long until the client's figure decays to `level` (0 if it is there already)."""
        value = self.of(client)
        if value <= level or level <= 0:
            return 0.0
        return math.log(value / level) / self._rate

    def _now(self, client: str) -> float:
        value, when = self._seen.get(client, (0.0, 0.0))
        return value * math.exp(-self._rate * max(0.0, self.clock() - when)) if value else 0.0
