"""The data version of a remote store that otsgraph fronts (`serve --backend`, docs/deploy.md).

One triple in a graph of its own says which version of the data the store holds, and one more
names the change (or release) that made it:

    GRAPH <https://w3id.org/otsgraph/graph/version> {
        <https://w3id.org/otsgraph/dataset> <https://w3id.org/otsgraph/audit/version> 42 ;
                                            <https://w3id.org/otsgraph/audit/head> <…/change/…> .
    }

Every commit of a front and every `otsgraph publish` bumps it, so a front knows its copy of the
data is current by reading two triples, and keys its caches and ETags by it. The SPARQL of the
protocol is here, in one place; the fronts' lock is in core/fronts_lock.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox

from .namespaces import BASE
from .remote import RemoteStore

VERSION_GRAPH = BASE + "graph/version"
LOCK_GRAPH = BASE + "graph/locks"
DATASET = BASE + "dataset"
VERSION = BASE + "audit/version"
HEAD = BASE + "audit/head"
#: set while a publish switches releases in several requests (pipeline/switch.py): the fronts answer
#: from their copies and take no writes until the version moves
SWITCHING = BASE + "audit/switching"
XSD_INTEGER = "http://www.w3.org/2001/XMLSchema#integer"
DELTA_ADDED = BASE + "audit/deltaAdded"
DELTA_REMOVED = BASE + "audit/deltaRemoved"
#: how many versions' deltas the store keeps (a front further behind reads everything again)
KEPT = 100

_IN = f"GRAPH <{VERSION_GRAPH}>"
_VERSION = f"<{DATASET}> <{VERSION}>"
_HEAD = f"<{DATASET}> <{HEAD}>"
_SWITCHING = f"<{DATASET}> <{SWITCHING}>"

# (BIND first: a WHERE of OPTIONALs alone finds nothing on Virtuoso 7)
READ = (
    f"SELECT ?version ?head ?switching WHERE {{ BIND(1 AS ?one) "
    f"OPTIONAL {{ {_IN} {{ {_VERSION} ?version OPTIONAL {{ {_HEAD} ?head }} }} }} "
    f"OPTIONAL {{ {_IN} {{ {_SWITCHING} ?switching }} }} }}"
)


@dataclass(frozen=True)
class DataVersion:
    number: int  # 0: the store has never been written by otsgraph
    head: str  # the IRI of the change or release that made it ("" for none)
    #: the release a publish is switching to ("" for none): not part of the version, which the
    #: switch's end moves
    switching: str = field(default="", compare=False)


class AmbiguousVersion(Exception):
    """The version graph holds more than one version: something wrote past the fronts."""


def read(store: RemoteStore) -> DataVersion:
    rows = store.select(READ)
    versions = {int(r["version"]["value"]) for r in rows if "version" in r}
    heads = {r["head"]["value"] for r in rows if "head" in r}
    # (an IRI checked as one: the switch's end writes it back into an update, as <…>)
    switching = min((_iri(r["switching"]) for r in rows if "switching" in r), default="")
    if len(versions) > 1 or len(heads) > 1:
        raise AmbiguousVersion(
            f"the store's version graph <{VERSION_GRAPH}> holds versions {sorted(versions)} and heads "
            f"{sorted(heads)}: it was written past the fronts; set it right (docs/deploy.md) and restart"
        )
    if not versions:
        return DataVersion(0, "", switching)
    return DataVersion(versions.pop(), heads.pop() if heads else "", switching)


def _iri(term: dict) -> str:
    """A term of SPARQL JSON results that is an IRI writable as <…>, else "" (nothing to act on)."""
    if term.get("type") != "uri":
        return ""
    try:
        return ox.NamedNode(term.get("value", "")).value
    except ValueError:
        return ""


def begin_switch(release: str) -> str:
    """The update that tells the fronts a switch to `release` has begun (pipeline/switch.py)."""
    return f"INSERT DATA {{ {_IN} {{ {_SWITCHING} <{release}> }} }}"


END_SWITCH = f"DELETE WHERE {{ {_IN} {{ {_SWITCHING} ?release }} }}"


def guard(number: int) -> str:
    """A WHERE clause that holds only while the store is at this version (0: has none yet)."""
    return f"WHERE {{ {_at(number)} }}"


def bump(number: int, head: str, delta: tuple[str, str] | None = None) -> str:
    """The update that moves the store from version `number` to the next, made by `head`; it does
    nothing unless the store is still at `number` (compare and set, as far as the store isolates).

    `delta` (N-Quads added, N-Quads removed) is kept beside the version, under the head's IRI, so
    that a front one or a few versions behind applies the changes instead of reading everything
    again (deltas); the deltas of the versions KEPT before are dropped."""
    keep = ""
    if delta is not None:
        added, removed = (_string(text) for text in delta)
        keep = f"<{head}> <{VERSION}> {number + 1} ; <{DELTA_ADDED}> {added} ; <{DELTA_REMOVED}> {removed} ."
    step = (
        f"DELETE {{ {_IN} {{ {_VERSION} ?current . {_HEAD} ?h }} }}\n"
        f'INSERT {{ {_IN} {{ {_VERSION} "{number + 1}"^^<{XSD_INTEGER}> . {_HEAD} <{head}> . {keep} }} }}\n'
        f"WHERE {{ {_at(number)} OPTIONAL {{ {_IN} {{ {_HEAD} ?h }} }} }}"
    )
    if delta is None or number + 1 <= KEPT:
        return step
    old = f"?change <{VERSION}> ?v ; ?p ?o FILTER(?v <= {number + 1 - KEPT})"
    return f"{step} ;\nDELETE {{ {_IN} {{ ?change ?p ?o }} }} WHERE {{ {_IN} {{ {old} }} }}"


def deltas(store: RemoteStore, after: int, upto: int) -> dict[int, tuple[str, str]] | None:
    """The kept deltas of versions after+1 … upto, or None when one of them is not kept (a publish
    makes none; older ones are dropped): then a front reads everything again."""
    if upto - after > KEPT:
        return None
    rows = store.select(
        f"SELECT ?v ?added ?removed WHERE {{ {_IN} {{ ?change <{VERSION}> ?v ; <{DELTA_ADDED}> ?added ; "
        f"<{DELTA_REMOVED}> ?removed FILTER(?v > {after} && ?v <= {upto}) }} }}"
    )
    found = {int(r["v"]["value"]): (r["added"]["value"], r["removed"]["value"]) for r in rows}
    return found if set(found) == set(range(after + 1, upto + 1)) else None


def _string(text: str) -> str:
    """A SPARQL string literal of any text (long strings, so newlines need no escape)."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"""{escaped}"""' if escaped else '""'


def _at(number: int) -> str:
    """Holds while the store is at this version (0: none yet). Written with OPTIONAL and BIND: for
    a WHERE of FILTER NOT EXISTS, or of an OPTIONAL alone, Virtuoso 7 finds no solution."""
    current = f"OPTIONAL {{ {_IN} {{ {_VERSION} ?current }} }}"
    return f"{current} BIND(COALESCE(?current, 0) AS ?at) FILTER(?at = {number})"
