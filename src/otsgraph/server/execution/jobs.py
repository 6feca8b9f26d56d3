"""What an executor is asked to run, and what it answers: plain data, so that a job can cross
into a worker process (pickled) as easily as it runs on a thread.

A job names its dataset by IRIs (None: the query's own FROM clauses or the store's default
graph); `run_query` and `update_effect` do the work on any store, in whichever process holds it.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from otsgraph.core.namespaces import PREFIXES
from otsgraph.gate.change import Change, change_from_update

from ..protocol.negotiation import GRAPH_FORMATS, RESULT_FORMATS, NotAcceptable, choose_for_header
from .safety import ProtocolError

DEFAULT_GRAPH = ""  # how a job names the store's own default graph among its default-graph IRIs


@dataclass(frozen=True)
class QueryJob:
    text: str
    base_iri: str
    default_graph: tuple[str, ...] | None = None  # None: as the query says (FROM) or the store's default
    named_graphs: tuple[str, ...] | None = None
    format_param: str | None = None
    accept: str | None = None
    max_bytes: int = 50_000_000


@dataclass(frozen=True)
class UpdateJob:
    """The effect of a SPARQL Update on the served graph (computed on a copy; nothing is written)."""

    text: str
    base_iri: str | None
    plain: bool = False  # `serve --empty`: a dry run on a copy of the whole store, for its cost only


@dataclass(frozen=True)
class ValidateJob:
    """The gate's report on a submission (POST /validate), checked against a checkpoint: an
    anonymous check never takes the write lock."""

    quads: tuple[ox.Quad, ...]
    root: str  # the project folder: its shapes/


@dataclass(frozen=True)
class Answer:
    content_type: str
    body: bytes


class Stopped(Exception):
    """Raised inside the serialiser to make pyoxigraph stop producing output."""


class Sink:
    """A binary writer for pyoxigraph's serialisers that stops once the answer is too big or, on a
    thread (which cannot be killed), once the deadline has passed or the request gave up."""

    def __init__(self, max_bytes: int, deadline: float | None = None,
                 cancelled: threading.Event | None = None) -> None:  # fmt: skip
        self.parts: list[bytes] = []
        self.size = 0
        self.max_bytes = max_bytes
        self.deadline = deadline
        self.cancelled = cancelled
        self.too_large = False
        self.stopped = False  # pyoxigraph re-raises our Stopped as its own error; this remembers why

    def write(self, data: bytes) -> int:
        if self.deadline is not None and (
            time.monotonic() > self.deadline or (self.cancelled is not None and self.cancelled.is_set())
        ):
            self.stopped = True
            raise Stopped("the time limit has passed")
        self.size += len(data)
        if self.size > self.max_bytes:
            self.too_large = self.stopped = True
            raise Stopped("the result is too large")
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def getvalue(self) -> bytes:
        return b"".join(self.parts)


def _terms(iris: tuple[str, ...]) -> list[ox.NamedNode | ox.DefaultGraph]:
    return [ox.DefaultGraph() if iri == DEFAULT_GRAPH else ox.NamedNode(iri) for iri in iris]


def run_query(store: ox.Store, job: QueryJob, sink: Sink | None = None) -> Answer:
    """Evaluate and serialise; ProtocolError for what the client got wrong (Stopped when the
    sink's deadline passed)."""
    dataset: dict[str, object] = {}
    if job.default_graph is not None:
        dataset["default_graph"] = _terms(job.default_graph)
    if job.named_graphs is not None:
        dataset["named_graphs"] = _terms(job.named_graphs)
    sink = sink or Sink(job.max_bytes)
    result = None
    try:
        result = store.query(job.text, base_iri=job.base_iri, prefixes=PREFIXES, **dataset)
        formats = GRAPH_FORMATS if isinstance(result, ox.QueryTriples) else RESULT_FORMATS
        fmt = choose_for_header(formats, job.format_param, job.accept)
        result.serialize(sink, format=fmt.oxigraph)
    except SyntaxError as err:
        raise ProtocolError(400, "query-syntax", f"the query is not valid SPARQL: {short(err)}") from None
    except NotAcceptable as err:
        raise ProtocolError(406, "not-acceptable", str(err)) from None
    except (Stopped, RuntimeError, ValueError, TypeError, OSError) as err:
        if sink.too_large:  # pyoxigraph passes our Stopped on, or re-raises it as its own error
            raise too_large(job.max_bytes) from None
        if sink.stopped:
            raise Stopped(str(err)) from None
        if isinstance(err, OSError):  # a SERVICE call that failed
            raise ProtocolError(502, "query-failed", f"the query failed: {err}") from None
        raise ProtocolError(400, "query-error", f"the query cannot be evaluated: {err}") from None
    finally:
        del result  # pyoxigraph's results may only be dropped on the thread that made them
    return Answer(fmt.content_type, sink.getvalue())


def update_effect(store: ox.Store, job: UpdateJob) -> Change | None:
    """What the update would add and remove in the served graph (see change.change_from_update);
    for a plain store, None once the update ran on a copy (so that its time, memory and crashes
    are the worker's; the real run follows on the same data version)."""
    try:
        if job.plain:
            copy = ox.Store()
            copy.extend(store.quads_for_pattern(None, None, None, None))
            copy.update(job.text, base_iri=job.base_iri, prefixes=PREFIXES)
            return None
        return change_from_update(store, job.text, job.base_iri)
    except SyntaxError as err:
        raise ProtocolError(400, "update-syntax", f"the update is not valid SPARQL: {short(err)}") from None
    except (ValueError, RuntimeError, OSError) as err:
        raise ProtocolError(400, "update-error", f"the update cannot be applied: {err}") from None


def too_large(max_bytes: int) -> ProtocolError:
    return ProtocolError(
        400,
        "result-too-large",
        f"the result is larger than {max_bytes:,} bytes; add a LIMIT or select fewer variables",
    )


def short(err: Exception, limit: int = 300) -> str:
    """pyoxigraph's syntax errors list every expected token; the position and a start are enough."""
    text = " ".join(str(err).split())
    return text if len(text) <= limit else text[:limit] + " …"


class Gates:
    """A worker's gate for the checkpoint it has open (made again when the data version moves on;
    the shapes are read once)."""

    def __init__(self) -> None:
        self._shapes: dict[str, list[tuple]] = {}
        self._gate: tuple[ox.Store, object] | None = None

    def check(self, store: ox.Store, job: ValidateJob):
        from otsgraph.core.loading import Layout
        from otsgraph.gate.gate import Gate, load_shapes

        layout = Layout(Path(job.root))
        if job.root not in self._shapes:
            self._shapes[job.root] = [tuple(t) for t in load_shapes(layout)]
        if self._gate is None or self._gate[0] is not store:
            self._gate = (store, Gate(store, layout, shapes=self._shapes[job.root], recover=False))
        return self._gate[1].check(Change(add=list(job.quads)))
