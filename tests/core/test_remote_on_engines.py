"""The store client against a real `oxigraph serve` (tests/engines.py): a graph written in several
Graph Store requests is the graph sent, whole, and replaces what the graph held."""

from __future__ import annotations

from otsgraph.core.remote import RemoteStore


def test_a_graph_written_in_batches_replaces_the_graph_with_all_of_it(oxigraph):
    store = RemoteStore.at(oxigraph)
    assert store.graph_store_url  # the Graph Store path, with its PUT then POSTs
    store.update('INSERT DATA { GRAPH <http://g> { <http://old> <http://p> "stale" } }')
    lines = [f'<http://s/{i}> <http://p> "{i}" .\n' for i in range(3_500)]
    store.put_graph("http://g", "".join(lines).encode(), batch=1_000)
    rows = store.graph_rows("http://g")
    assert sorted(int(r["o"]["value"]) for r in rows) == list(range(3_500))
    assert all(r["s"]["value"] != "http://old" for r in rows)
