"""`serve --empty --backend URL`: a plain SPARQL 1.1 store in front of a remote one, ungated, as the
W3C protocol harnesses run the embedded `serve --empty`. Graph Store requests become SPARQL on the
remote store; a client's update is passed on as it is (with its base IRI and the project's prefixes).
The backend applies its own rules; where they differ from the protocol's, docs/deploy.md says so.
"""

from __future__ import annotations

import pyoxigraph as ox

from otsgraph.core.namespaces import sparql_prefixes
from otsgraph.core.remote import BackendError, BackendUnreachable, term_of

from ..execution.safety import ProtocolError
from ..protocol.writes import Graph, GraphName, PlainWrites, Target, insert_data
from .executor import as_users_lines
from .front import unreachable


class RemotePlainWrites(PlainWrites):
    def exists(self, graph: GraphName) -> bool:
        if isinstance(graph, ox.DefaultGraph):
            return True
        rows = self._select(f"SELECT ?s WHERE {{ GRAPH {graph} {{ ?s ?p ?o }} }} LIMIT 1")
        return bool(rows)

    def graph(self, target: Target) -> Graph:
        if not self.exists(target.graph):
            return None
        pattern = (
            "?s ?p ?o"
            if isinstance(target.graph, ox.DefaultGraph)
            else f"GRAPH {target.graph} {{ ?s ?p ?o }}"
        )
        rows = self._select(f"SELECT ?s ?p ?o WHERE {{ {pattern} }}")
        return [ox.Triple(term_of(r["s"]), term_of(r["p"]), term_of(r["o"])) for r in rows]

    @staticmethod
    def _insert(quads: list[ox.Quad], target: GraphName) -> str:
        """INSERT … WHERE {} rather than INSERT DATA: Virtuoso 7 refuses a blank node in INSERT DATA
        (SP031), which SPARQL 1.1 allows; the template form means the same on every store."""
        text = insert_data(quads, target)
        return "INSERT {" + text.removeprefix("INSERT DATA {") + "\nWHERE {}"

    def _update(self, text: str, who: str) -> None:
        try:
            self._send(text)
        finally:
            self.server.changed()

    def update(self, text: str, base_iri: str, who: str) -> None:
        """A client's SPARQL Update, passed on (the backend bears its cost, under its own limits)."""
        with self.server.write_lock:
            try:
                self._send(f"BASE <{base_iri}> {sparql_prefixes()}{text}")
            finally:
                self.server.changed()

    def _send(self, text: str) -> None:
        try:
            self.server.remote.update(text)
        except BackendUnreachable as err:
            raise unreachable(err) from None
        except BackendError as err:
            if 400 <= err.status < 500:
                said = as_users_lines(" ".join(str(err).split()))
                raise ProtocolError(
                    400, "update-error", f"the backend cannot apply the update: {said}"
                ) from None
            raise ProtocolError(502, "backend-error", f"the backend failed on the update: {err}") from None

    def _select(self, query: str) -> list[dict]:
        try:
            return self.server.remote.select(query)
        except BackendUnreachable as err:
            raise unreachable(err) from None
        except BackendError as err:
            raise ProtocolError(502, "backend-error", f"the backend failed: {err}") from None
