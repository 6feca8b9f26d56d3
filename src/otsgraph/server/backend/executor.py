"""Client SPARQL run by the remote store (`serve --backend`); everything else by the local executor.

A query goes to the backend with the dataset the front documents, never the store's own default
graph (Virtuoso's is the union of every graph it holds): the served default graph as
default-graph-uri, and every graph of the front's copy as named-graph-uri (so GRAPH ?g sees what it
sees on the embedded store). The answer is read, checked and written again in the format the client
asked for, by the same serialisers as the embedded store's, so that clients see one server:
- Virtuoso's JSON quirks are read as standard (its "typed-literal", its nodeID:// blank nodes, its
  ASK answered as a one-row table);
- a partial answer (Virtuoso's anytime queries: HTTP 206 or an X-SQL-State header) is 503, never
  passed on as if whole;
- the answer is read up to a size (twice the client's limit), never whole into memory.
A query that reads graphs by name over more graphs than the engine takes in one dataset (Virtuoso's
SPARQL compiler refuses some 4,000 named-graph-uri; 2,000 already cost it half a second) is answered
by the front from its copy, which holds the same graphs at the same version.

The time limit: the front stops waiting at the deadline and answers 503. Virtuoso is also told the
limit (its `timeout` parameter) and stops there; Oxigraph's server has no way to be told, so a
query it is computing runs on there after the front has answered (docs/deploy.md lists the limits
only the front enforces).
"""

from __future__ import annotations

import json
import re
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox

from otsgraph.core.namespaces import PREFIXES, sparql_prefixes, without_prefix_lines
from otsgraph.core.remote import TRUNCATED_HEADER, BackendUnreachable, blank_label
from otsgraph.core.sparql_tokens import ScanError, tokens

from ..execution.execute import Runner
from ..execution.jobs import DEFAULT_GRAPH, Answer, QueryJob, Sink, too_large
from ..execution.safety import ClientLimiter, ProtocolError
from ..protocol.negotiation import GRAPH_FORMATS, RESULT_FORMATS, NotAcceptable, choose_for_header
from .front import unreachable

FORMS = ("select", "ask", "construct", "describe")
RESULTS_JSON = "application/sparql-results+json"
NTRIPLES = "application/n-triples"
#: the most named graphs a query is sent with, by engine (more: the front answers from its copy)
MAX_NAMED_GRAPHS = {"virtuoso": 2_000}


class RemoteExecutor:
    """The executor seam (execution/execute.py) in front of a backend."""

    def __init__(self, local: Any, server: Any, workers: int, per_client: int) -> None:
        self.local = local  # the process pool on the front's copy: updates' effects, /validate
        self.isolated = local.isolated
        self._server = weakref.ref(server)
        self.backend = server.backend
        self.runner = Runner(workers)
        self.limiter = ClientLimiter(per_client)
        self.partial = 0  # partial answers the backend gave (refused)
        self.from_copy = 0  # queries answered from the front's copy (a dataset too large to send)
        self._served_at: tuple[int, list[str]] | None = None  # (data version, the copy's graphs)

    def run(self, job: Any, client: str, timeout: float, request_id: str) -> tuple[int, Any]:
        if not isinstance(job, QueryJob):
            return self.local.run(job, client, timeout, request_id)
        server = self._server()
        if server is None:
            raise ProtocolError(503, "shutting-down", "the server is stopping")
        version = server.version
        scanned = scan(job.text)  # (once: the tokenizer is the costliest step of a small query here)
        default, named = _dataset(job, scanned, lambda: self._served(server))
        # a publish switching releases in steps (pipeline/switch.py): the copy holds the last whole one
        mid_switch = bool(self.backend.switching) and server.union_default
        if mid_switch or len(named) > MAX_NAMED_GRAPHS.get(self.backend.engine, len(named)):
            self.from_copy += 1
            return self.local.run(job, client, timeout, request_id)
        deadline = time.monotonic() + timeout
        self.limiter.try_acquire(client)
        try:
            value = self.runner.run(
                lambda sink: self._query(job, scanned, sink, deadline, default, named),
                timeout,
                job.max_bytes,
                lambda: self.limiter.release(client),
            )
        except ProtocolError as err:
            if err.code == "timeout":
                raise _timeout(timeout, self.backend.engine) from None
            raise
        return version, value

    def _served(self, server: Any) -> list[str]:
        """Every graph of the front's copy, listed once per data version (a copy of 100k triples has
        thousands of claim graphs: listing them took 40 ms, for each query)."""
        if not server.union_default:
            return []
        version = server.version
        cached = self._served_at
        if cached is None or cached[0] != version:
            cached = self._served_at = (version, [g.value for g in server.store.named_graphs()])
        return cached[1]

    def admit(self, client: str) -> None:
        self.local.admit(client)

    def changed(self) -> None:
        self.local.changed()

    def health(self) -> dict[str, int | float | str]:
        backend = self.backend
        return {
            **self.local.health(),
            "backend": backend.engine or "unknown",
            "backend_version": backend.version.number,
            "backend_reloads": backend.reloads,
            "backend_deltas_applied": backend.applied,
            "backend_partial_answers": self.partial,
            "backend_row_cap": backend.row_cap or 0,  # the store's cut (0: none seen)
            "backend_answers_from_copy": self.from_copy,
            "backend_switching": backend.switching,  # the release a publish is switching to ("": none)
            "backend_lock_backoffs": backend.lock.backoffs,
        }

    def close(self) -> None:
        self.runner.shutdown()
        self.local.close()

    def _query(
        self,
        job: QueryJob,
        scanned: Scanned,
        sink: Sink,
        deadline: float,
        default: list[str],
        named: list[str],
    ) -> Answer:
        form = scanned.form
        left = max(0.1, deadline - time.monotonic())
        # Virtuoso is told to stop a second and a half early (it was seen to overrun by up to a
        # second), so that its partial answer comes back before the front's deadline and is refused
        told = left - min(1.5, left / 2)
        extra = [("timeout", str(int(told * 1000)))] if self.backend.engine == "virtuoso" else []
        # the project's prefixes, as the embedded store predeclares them; BASE on their first line, so
        # that an error's position is moved back by their count (as_users_lines)
        base = f"BASE <{job.base_iri}> " if job.base_iri else ""
        text = f"{base}{sparql_prefixes()}{job.text}"
        try:
            status, headers, body = self.backend.remote.send_query(
                text,
                RESULTS_JSON if form in ("select", "ask") else NTRIPLES,
                default,
                named,
                extra,
                timeout=left + 1,
                max_bytes=2 * job.max_bytes,
            )
        except BackendUnreachable as err:
            raise unreachable(err) from None
        headers = {k.lower(): v for k, v in headers.items()}
        _refuse_failures(status, headers, body, self)
        if TRUNCATED_HEADER.lower() in headers:
            raise too_large(job.max_bytes)
        cap = self.backend.row_cap
        if cap is not None and scanned.limit is not None and scanned.limit <= cap:
            cap = None  # the query asks for no more than the cut itself: an answer of `cap` rows may be whole
        return _reserialise(form, headers.get("content-type", ""), body, job, sink, cap, self)


@dataclass(frozen=True)
class Scanned:
    """What the front needs to know of a client's query, read in one pass of the tokenizer."""

    form: str  # select, ask, construct or describe: the first of these keywords (select when none)
    reads_graphs: bool  # a GRAPH pattern (or an unreadable text, to be safe)
    limit: int | None  # the smallest LIMIT the text gives, anywhere (None: none)


def scan(text: str) -> Scanned:
    form, graph, limits = None, False, []
    try:
        found = list(tokens(text))
    except ScanError:
        return Scanned("select", True, None)
    for at, (kind, word, _) in enumerate(found):
        if kind != "word":
            continue
        lowered = word.lower()
        if form is None and lowered in FORMS:
            form = lowered
        graph = graph or lowered == "graph"
        if lowered == "limit":  # the scanner gives a number digit by digit: read on while they touch
            nxt = at + 1
            while (
                nxt < len(found)
                and found[nxt][1].isdigit()
                and (nxt == at + 1 or found[nxt][2] == found[nxt - 1][2] + 1)
            ):
                nxt += 1
            if 0 < nxt - at - 1 <= 18:  # (a longer number is beyond any store's cut, and beyond int())
                limits.append(int("".join(token[1] for token in found[at + 1 : nxt])))
    return Scanned(form or "select", graph, min(limits, default=None))


_VIRTUOSO_LINE = re.compile(r"\bline (\d+)")


def as_users_lines(message: str) -> str:
    """A backend's error, its positions in the client's lines (the prefix lines taken off): Oxigraph
    says "error at L:C", Virtuoso "line L"; the query it echoes is cut off."""
    message = message.split(" SPARQL query:")[0]
    message = _VIRTUOSO_LINE.sub(lambda m: f"line {max(1, int(m.group(1)) - len(PREFIXES))}", message)
    return without_prefix_lines(message)


def _refuse_failures(status: int, headers: dict[str, str], body: bytes, executor: RemoteExecutor) -> None:
    said = as_users_lines(" ".join(body[:400].decode("utf-8", "replace").split()))
    if status == 206 or "x-sql-state" in headers:
        executor.partial += 1
        raise ProtocolError(
            503,
            "backend-partial",
            "the backend stopped the query at its own time limit and returned part of the answer "
            f"({headers.get('x-sql-message', 'no reason given').strip()}); this server never passes on a "
            "partial answer: narrow the query (a LIMIT, more specific patterns) and try again",
            {"Retry-After": "5"},
        )
    if status in (401, 403, 407):
        said = f"the backend refused this front's credentials ({status})"
        raise ProtocolError(502, "backend-refused", said)
    if 400 <= status < 500:
        raise ProtocolError(400, "query-error", f"the backend cannot evaluate the query: {said}")
    if status >= 500:
        if "S1T00" in said or "timed out" in said.lower():
            raise ProtocolError(503, "timeout", f"the backend stopped the query at its time limit: {said}")
        raise ProtocolError(502, "backend-error", f"the backend failed on the query ({status}): {said}")


def _cut(count: int, cap: int | None, executor: RemoteExecutor) -> None:
    """Refuse an answer of exactly the store's cut: the store may have dropped the rest, silently."""
    if cap is not None and count == cap:
        executor.partial += 1
        raise ProtocolError(
            503,
            "backend-partial",
            f"the backend gives at most {cap:,} rows in one answer (Virtuoso: [SPARQL] ResultSetMaxRows) and "
            f"this answer has exactly {cap:,}: the rest may have been dropped, and this server never passes "
            "on a partial answer. Add a LIMIT (of at most that many) or narrow the query",
            {"Retry-After": "5"},
        )


def _reserialise(
    form: str, content_type: str, body: bytes, job: QueryJob, sink: Sink, cap: int | None, executor
) -> Answer:
    try:
        if form in ("construct", "describe"):
            fmt = choose_for_header(GRAPH_FORMATS, job.format_param, job.accept)
            triples = list(ox.parse(body, format=_graph_format(content_type)))
            _cut(len(triples), cap, executor)
            ox.serialize(triples, sink, format=fmt.oxigraph)
        else:
            fmt = choose_for_header(RESULT_FORMATS, job.format_param, job.accept)
            standard, rows = standard_json(body, form)
            _cut(rows, cap, executor)
            results = ox.parse_query_results(standard, format=ox.QueryResultsFormat.JSON)
            results.serialize(sink, format=fmt.oxigraph)
    except NotAcceptable as err:
        raise ProtocolError(406, "not-acceptable", str(err)) from None
    except (SyntaxError, ValueError, OSError, RuntimeError) as err:
        if sink.too_large:
            raise too_large(job.max_bytes) from None
        raise ProtocolError(502, "backend-error", f"the backend's answer cannot be read: {err}") from None
    return Answer(fmt.content_type, sink.getvalue())


def _graph_format(content_type: str) -> ox.RdfFormat:
    media = content_type.split(";")[0].strip().lower()
    if media in ("text/turtle", "application/x-turtle"):
        return ox.RdfFormat.TURTLE
    if media == "application/rdf+xml":
        return ox.RdfFormat.RDF_XML
    return ox.RdfFormat.N_TRIPLES  # application/n-triples, and Virtuoso's text/plain


def standard_json(body: bytes, form: str) -> tuple[bytes, int | None]:
    """SPARQL JSON results as the W3C writes them, from what a backend sent (Virtuoso's quirks), and
    how many rows it has (None for an ASK)."""
    data = json.loads(body)
    head = data.get("head", {})
    if form == "ask" and "boolean" not in data and head.get("vars") == ["__ASK_RETVAL"]:
        rows = data.get("results", {}).get("bindings", [])
        value = rows[0].get("__ASK_RETVAL", {}).get("value", "0") if rows else "0"
        return json.dumps({"head": {}, "boolean": value in ("1", "true")}).encode(), None
    bindings = data.get("results", {}).get("bindings", [])
    for row in bindings:
        for term in row.values():
            if term.get("type") == "typed-literal":
                term["type"] = "literal"
            elif term.get("type") == "bnode":
                term["value"] = blank_label(term["value"])
    return json.dumps(data).encode(), (None if "boolean" in data else len(bindings))


def _timeout(seconds: float, engine: str) -> ProtocolError:
    stop = (
        "the backend was told the limit and stops there"
        if engine == "virtuoso"
        else "this backend cannot be told to stop, so it may compute on"
    )
    return ProtocolError(
        503,
        "timeout",
        f"the query ran longer than the time limit ({seconds:g} s): this server stopped waiting for the "
        f"backend ({stop}); narrow it (add a LIMIT, more specific patterns) and try again",
        {"Retry-After": "5"},
    )


def _dataset(job: QueryJob, scanned: Scanned, served: Callable[[], list[str]]) -> tuple[list[str], list[str]]:
    """The default and named graphs a query is sent with: its own FROM / FROM NAMED, else the
    served default graph and (for a query that reads graphs by name) every served graph."""
    reads_graphs = scanned.reads_graphs
    default = [g for g in job.default_graph or () if g != DEFAULT_GRAPH]
    if job.named_graphs is not None:
        return default, list(job.named_graphs)
    if not default or not reads_graphs:
        # the store's own dataset (serve --empty); or a query that reads no graph by name, whose
        # answer the named graphs cannot change (and each costs the store a dataset entry, and
        # Virtuoso an echoed header)
        return default, []
    return default, served()
