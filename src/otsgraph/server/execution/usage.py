"""How much CPU each client's queries used lately, in all and per query: the measures of
fairness for the query pool.

Each client's CPU-seconds, and its count of queries, decay with a half-life, so the figures are
"about the last minute or so". The pool uses them (pool.py): waiting requests are served in order
of their client's cost per query, so a client of cheap queries goes first however many it sends;
a client whose queries cost much each runs only in the long lane; a client above its budget of
CPU in all is refused at once (429) until its figure has decayed. The Wikidata Query Service
throttles the same way, by the query time a client used per minute.

>>> usage = ClientUsage(half_life=10.0, clock=lambda: 0.0)
>>> usage.charge("a", 4.0); usage.charge("a", 0.0); usage.of("a"), usage.cost("a")
(4.0, 2.0)
>>> usage.clock = lambda: 10.0; usage.of("a"), usage.cost("a")
(2.0, 2.0)
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
        self._seen: dict[str, tuple[float, float, float]] = {}  # client -> (CPU-seconds, queries, when)
        self._lock = threading.Lock()

    def of(self, client: str) -> float:
        """The client's CPU-seconds lately."""
        with self._lock:
            return self._now(client)[0]

    def cost(self, client: str, unknown: float = 0.0) -> float:
        """The client's CPU-seconds per query lately; `unknown` for a client not seen lately."""
        with self._lock:
            seconds, queries = self._now(client)
        return seconds / queries if queries > 0.01 else unknown

    def charge(self, client: str, seconds: float) -> None:
        """One query of the client's used `seconds` of CPU."""
        if not client:
            return
        with self._lock:
            used, queries = self._now(client)
            self._seen[client] = (used + max(0.0, seconds), queries + 1, self.clock())
            if len(self._seen) > 100_000:  # many clients: forget the ones that used next to nothing
                self._seen = {c: v for c, v in self._seen.items() if self._now(c)[1] > 0.01}

    def seconds_until(self, client: str, level: float) -> float:
        """How long until the client's figure decays to `level` (0 if it is there already)."""
        value = self.of(client)
        if value <= level or level <= 0:
            return 0.0
        return math.log(value / level) / self._rate

    def _now(self, client: str) -> tuple[float, float]:
        seconds, queries, when = self._seen.get(client, (0.0, 0.0, 0.0))
        if not queries:
            return 0.0, 0.0
        decay = math.exp(-self._rate * max(0.0, self.clock() - when))
        return seconds * decay, queries * decay
