"""A cheap, careful look at SPARQL text before it runs: SERVICE targets, FROM, LOAD, USING/WITH.

pyoxigraph has no parser API and makes SERVICE and LOAD calls itself, with no hook, so the
guards must see those clauses before execution. A full parse (rdflib's) costs milliseconds;
this tokenizer costs microseconds. It skips strings, comments and IRIs, so a keyword inside
them is never taken for a clause, and it resolves prefixed names and relative IRIs the way
the query engine will, so a SERVICE target cannot hide behind PREFIX or BASE. Anything it
cannot resolve is reported as unresolved, and the guards treat that as forbidden.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urljoin

from otsgraph.core.sparql_tokens import tokens as _tokens

# A query without these letters anywhere has no SERVICE and no FROM: no need to tokenize it.
_QUERY_KEYWORDS = re.compile(r"service|from", re.IGNORECASE)
_UCHAR = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


@dataclass
class Scan:
    """What the guards need to know about a query or an update."""

    services: list[str | None] = field(default_factory=list)  # absolute IRIs; None = unresolvable
    has_dataset_clause: bool = False  # FROM or FROM NAMED (a query's own dataset)
    has_load: bool = False
    has_using_or_with: bool = False  # USING, USING NAMED or WITH (an update's own dataset)
    modify_where_offsets: list[int] = field(default_factory=list)  # where USING may be inserted


def _unescape(iri_body: str) -> str:
    return _UCHAR.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), iri_body)


def scan(
    text: str, base: str | None = None, prefixes: dict[str, str] | None = None, update: bool = False
) -> Scan:
    """Scan SPARQL text (a query, or an update if `update`). `base` is the IRI relative IRIs
    resolve against without a BASE; `prefixes` are the ones the engine is given as defaults."""
    result = Scan()
    if not update and not _QUERY_KEYWORDS.search(text):
        return result
    prefixes = dict(prefixes or {})
    tokens = list(_tokens(text))
    depth = 0
    prev_kind = ""

    def resolve(kind: str, value: str) -> str | None:
        if kind == "iri":
            iri = _unescape(value[1:-1])
            return urljoin(base, iri) if base else (iri if re.match(r"^[A-Za-z][\w+.-]*:", iri) else None)
        if kind == "pname":
            prefix, _, local = value.partition(":")
            if prefix in prefixes:
                return prefixes[prefix] + re.sub(r"\\(.)", r"\1", local)
        return None

    for index, (kind, value, offset) in enumerate(tokens):
        word = value.upper() if kind == "word" else ""
        following = tokens[index + 1 : index + 4]
        if kind == "open":
            depth += 1
        elif kind == "close":
            depth -= 1
        elif word == "BASE" and following and following[0][0] == "iri":
            base = resolve("iri", following[0][1])
        elif word == "PREFIX" and len(following) >= 2 and following[0][0] == "pname":
            name = following[0][1].rstrip(":").partition(":")[0]
            if iri := resolve(following[1][0], following[1][1]):
                prefixes[name] = iri
        elif word == "SERVICE":
            target = following[1] if following and following[0][1].upper() == "SILENT" else None
            target = target or (following[0] if following else ("", "", 0))
            result.services.append(resolve(target[0], target[1]))
        elif word == "FROM":
            result.has_dataset_clause = True
        elif word == "LOAD":
            result.has_load = True
        elif word in ("USING", "WITH") and depth == 0:
            result.has_using_or_with = True
        elif word == "WHERE" and depth == 0 and prev_kind == "close":
            # DELETE {…} INSERT {…} WHERE: a Modify operation, the only one that takes USING.
            result.modify_where_offsets.append(offset)
        prev_kind = kind
    return result


def with_using(update: str, modify_where_offsets: list[int], default: list[str], named: list[str]) -> str:
    """The update with USING / USING NAMED clauses before each Modify operation's WHERE."""
    clause = "".join(f"USING <{g}> " for g in default) + "".join(f"USING NAMED <{g}> " for g in named)
    for offset in sorted(modify_where_offsets, reverse=True):
        update = update[:offset] + clause + update[offset:]
    return update
