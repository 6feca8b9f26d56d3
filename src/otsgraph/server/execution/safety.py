"""Safe by default: what a request may make the server do (issue 3, "Safe by default").

Each guard raises ProtocolError with the HTTP status and a message that says what is wrong.
- SERVICE may call only allowlisted hosts (scan.py finds every SERVICE target before execution);
- LOAD is refused: pyoxigraph's LOAD fetches URLs itself, and there is no hook to restrict it;
- FROM / FROM NAMED only select graphs of the store (pyoxigraph never fetches them): nothing to do;
- updates need a configured bearer token (read-only otherwise);
- RDF/XML with a DTD is refused before parsing: pyoxigraph expands internal entities (a 740-byte
  "billion laughs" payload makes a 3 GB literal), so any route that parses RDF must call check_rdf_payload;
- one client runs a bounded number of queries at once (ClientLimiter);
- SPARQL text nested deeper than a limit is refused before any parser sees it (check_nesting).
"""

from __future__ import annotations

import hmac
import re
import threading
from dataclasses import dataclass
from urllib.parse import urlsplit

from otsgraph.core.sparql_tokens import line_and_column, nesting
from otsgraph.gate.submission import DTD_REFUSAL, declares_dtd

from .scan import Scan


@dataclass
class ProtocolError(Exception):
    """An error answered as JSON {"error": code, "message": ...} with an HTTP status."""

    status: int
    code: str
    message: str
    headers: dict[str, str] | None = None


# Only plain http(s) IRIs with a host name or address and no user info: anything more unusual
# might be read differently by pyoxigraph's URL parser than by Python's, so it is refused.
_SAFE_SERVICE_IRI = re.compile(
    r"^https?://(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?(?:[/?#][^\\\s]*)?$"
)


def host_allowed(iri: str, allowlist: tuple[str, ...]) -> bool:
    """Is `iri` a plain http(s) IRI whose host (or host:port) is on the allowlist?"""
    if not _SAFE_SERVICE_IRI.match(iri):
        return False
    parts = urlsplit(iri)
    host = (parts.hostname or "").lower()
    allowed = {entry.lower() for entry in allowlist}
    return host in allowed or f"{host}:{parts.port}" in allowed


def check_services(found: Scan, allowlist: tuple[str, ...]) -> None:
    for target in found.services:
        if target is None:
            raise ProtocolError(
                403,
                "service-forbidden",
                "SERVICE needs an absolute IRI written in the query (not a variable or an unresolvable name)",
            )
        if not host_allowed(target, allowlist):
            hosts = ", ".join(allowlist) or "none: the allowlist is empty"
            raise ProtocolError(
                403,
                "service-forbidden",
                f"SERVICE <{target}> is not allowed: this server may call only these hosts ({hosts})",
            )


def check_nesting(text: str, limit: int) -> None:
    """Refuse SPARQL nested deeper than `limit` before any parser sees it: the engine recurses
    once per level, and a few thousand levels overflow its stack (a 6 KB query killed the server)."""
    depth, offset = nesting(text)
    if depth > limit:
        line, column = line_and_column(text, offset)
        raise ProtocolError(
            400,
            "too-deep",
            f"the SPARQL text is nested {depth} levels deep at line {line}, column {column} "
            f"(brackets, parentheses and unary operators); this server takes at most {limit}",
        )


def check_update_clauses(found: Scan) -> None:
    if found.has_load:
        raise ProtocolError(
            403,
            "load-forbidden",
            "LOAD is disabled on this server: it would read files or call other hosts. "
            "Send the data with INSERT DATA instead",
        )


def check_token(authorization: str | None, tokens: dict[str, str]) -> str:
    """The name of the client whose bearer token this is; 403 when read-only or wrong, 401 when absent."""
    if not tokens:
        raise ProtocolError(403, "read-only", "this server is read-only: no update token is configured")
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ProtocolError(
            401,
            "unauthorized",
            "updates need an 'Authorization: Bearer <token>' header",
            {"WWW-Authenticate": 'Bearer realm="otsgraph"'},
        )
    token = token.strip()
    # compare with every token in constant time, so timing reveals nothing about them
    matches = [name for known, name in tokens.items() if hmac.compare_digest(known.encode(), token.encode())]
    if not matches:
        raise ProtocolError(403, "forbidden", "the update token is not valid")
    return matches[0]


def check_rdf_payload(payload: bytes) -> None:
    """Refuse XML that declares a DTD or entities, and non-UTF-8 text, before any parser sees it."""
    try:
        payload.decode("utf-8")
    except UnicodeDecodeError as err:
        raise ProtocolError(400, "bad-encoding", f"the body is not UTF-8 ({err.reason})") from None
    if declares_dtd(payload):
        raise ProtocolError(400, "dtd-forbidden", DTD_REFUSAL)


class ClientLimiter:
    """At most `limit` queries per client at once; one more is refused at once (429), never queued:
    a waiting request would hold a server thread."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._active: dict[str, int] = {}
        self._lock = threading.Lock()

    def try_acquire(self, client: str) -> None:
        with self._lock:
            if self._active.get(client, 0) >= self.limit:
                raise ProtocolError(
                    429,
                    "too-many-queries",
                    f"this client already runs {self.limit} queries at once; wait for one to finish",
                    {"Retry-After": "2"},
                )
            self._active[client] = self._active.get(client, 0) + 1

    def release(self, client: str) -> None:
        with self._lock:
            remaining = self._active.get(client, 1) - 1
            if remaining:
                self._active[client] = remaining
            else:
                self._active.pop(client, None)
