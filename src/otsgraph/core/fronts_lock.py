"""The fronts' write lock, kept in the remote store itself (graph <…/graph/locks>).

Why a lock and not a compare-and-set alone: neither Oxigraph nor Virtuoso isolates one SPARQL
update from another that runs at the same time. Four fronts that each sent
`DELETE {version 41} INSERT {version 42, my change} WHERE {version 41}` at once were all applied,
on both engines (tests/server/backend/test_fronts.py keeps that finding honest). A guarded
update alone would let two fronts each pass their checks and together break a shape.

So a front that wants to write first takes this lock, by a protocol that needs no more of the
store than that a request sees what every request answered before it began saw:
1. it adds its claim (an IRI, stamped with the store's own NOW());
2. it reads every claim;
3. if its claim is the only live one, it holds the lock; otherwise it withdraws the claim, waits
   a random while and tries again, until its deadline.
Two fronts cannot both see only their own claim: the one that read first read before the other's
claim was added, so the other's read, which comes after its own claim, sees the first claim.
Both may see two claims and back off; the random wait makes a repeat unlikely.

A claim older than the lease (the store's clock on both sides) is dead, as if its front had
crashed: it is ignored and removed. A front that holds the lock past its lease is still safe, since
each of its writes is guarded by the data version (core/data_version.py) and verified afterwards.
"""

from __future__ import annotations

import datetime as dt
import random
import time
import uuid

from .data_version import LOCK_GRAPH
from .namespaces import BASE
from .remote import RemoteStore

CLAIMED = BASE + "audit/claimedAt"
CLAIM_NS = BASE + "lock/"


def _claim_text(claim: str) -> str:
    stamp = f"GRAPH <{LOCK_GRAPH}> {{ <{claim}> <{CLAIMED}> ?now }}"
    return f"INSERT {{ {stamp} }} WHERE {{ BIND(NOW() AS ?now) }}"


READ_CLAIMS = (
    f"SELECT ?claim ?at ?now WHERE {{ BIND(NOW() AS ?now) "
    f"OPTIONAL {{ GRAPH <{LOCK_GRAPH}> {{ ?claim <{CLAIMED}> ?at }} }} }}"
)


def _withdraw_text(claims: list[str]) -> str:
    return " ;\n".join(f"DELETE WHERE {{ GRAPH <{LOCK_GRAPH}> {{ <{c}> ?p ?o }} }}" for c in claims)


def _instant(text: str) -> dt.datetime:
    """An xsd:dateTime as the store writes it, as UTC (a time without a zone is taken as UTC)."""
    when = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


class LockNotKept(Exception):
    """The store answered the claim's update but does not hold the claim: it takes no writes."""


class LockLost(Exception):
    """The claim this process held is gone: it outlived its lease and another took the lock."""


class ClusterLock:
    def __init__(self, store: RemoteStore, lease: float = 120.0) -> None:
        self.store = store
        self.lease = lease
        self.held: str | None = None  # the claim this front holds
        self.backoffs = 0  # how often a claim met another (for /health and the bench)

    def acquire(self, deadline: float) -> bool:
        """Hold the lock (True), or give up at `deadline` (time.monotonic(); False)."""
        wait = 0.005
        while True:
            claim = f"{CLAIM_NS}{uuid.uuid4().hex}"
            self.store.update(_claim_text(claim))
            live, dead = self._claims(claim)
            if claim not in live:
                raise LockNotKept(
                    "the store did not keep this front's lock claim (an update it answered as done left "
                    "nothing): it must take SPARQL updates to its graphs (docs/deploy.md)"
                )
            if dead:
                self.store.update(_withdraw_text(dead))
            if live == [claim]:
                self.held = claim
                return True
            self.store.update(_withdraw_text([claim]))
            self.backoffs += 1
            pause = random.uniform(0, wait)
            if time.monotonic() + pause >= deadline:
                return False
            time.sleep(pause)
            wait = min(wait * 2, 0.5)

    def renew(self) -> None:
        """Stamp the held claim with the store's time again, for work that outlasts the lease (a
        publish's switch); LockLost when the claim is no longer in the store."""
        claim = self.held
        if claim is None:
            raise LockLost("this process holds no lock to renew")
        stamp = f"GRAPH <{LOCK_GRAPH}> {{ <{claim}> <{CLAIMED}> ?%s }}"
        self.store.update(
            f"DELETE {{ {stamp % 'at'} }} INSERT {{ {stamp % 'now'} }} "
            f"WHERE {{ {stamp % 'at'} BIND(NOW() AS ?now) }}"
        )
        live, _ = self._claims(claim)
        if claim not in live:
            self.held = None
            raise LockLost("the fronts' lock was taken from this process: its claim outlived the lease")

    def release(self) -> None:
        if self.held is not None:
            claim, self.held = self.held, None
            self.store.update(_withdraw_text([claim]))

    def _claims(self, mine: str) -> tuple[list[str], list[str]]:
        """(live claims, dead claims) in the store now; a claim is dead past its lease."""
        live, dead = [], []
        for row in self.store.select(READ_CLAIMS):
            if "claim" not in row:
                continue
            claim = row["claim"]["value"]
            age = (_instant(row["now"]["value"]) - _instant(row["at"]["value"])).total_seconds()
            if claim != mine and age > self.lease:
                dead.append(claim)
            else:
                live.append(claim)
        return sorted(live), dead
