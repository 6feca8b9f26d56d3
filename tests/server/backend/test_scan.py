"""What a front reads of a client's query before sending it (server/backend/executor.py `scan`): its
form, whether it names graphs (then the served graphs go with it), and its smallest LIMIT (an answer
of exactly the store's cut is refused unless the query asked for no more)."""

from __future__ import annotations

import pytest

from otsgraph.server.backend.executor import Scanned, scan


def test_a_hostile_query_is_read_in_linear_time_without_an_error():
    """Numbers are scanned digit by digit: 200,000 digits after a LIMIT (more than int() takes) or
    150,000 LIMITs in a row are read, not a ValueError (a 500) nor a quadratic loop."""
    assert scan("SELECT * { ?s ?p ?o } LIMIT " + "9" * 200_000).limit is None
    assert scan("SELECT * { ?s ?p ?o } " + "LIMIT " * 150_000 + "5").limit == 5


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("SELECT * WHERE { ?s ?p ?o }", Scanned("select", False, None)),
        ("select * { graph ?g { ?s ?p ?o } } limit 10", Scanned("select", True, 10)),
        ("ASK { ?s ?p ?o }", Scanned("ask", False, None)),
        ("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 1000 OFFSET 5", Scanned("construct", False, 1000)),
        ("SELECT * { { SELECT ?s { ?s ?p ?o } LIMIT 7 } } LIMIT 20000", Scanned("select", False, 7)),
        ("SELECT * { ?s ?p 'LIMIT 3' }", Scanned("select", False, None)),  # a string is not a LIMIT
        ("SELECT * { ?s ?p ?o } # LIMIT 3", Scanned("select", False, None)),  # nor a comment
        ("SELECT * { ?s ?p ?o } LIMIT ?x", Scanned("select", False, None)),
        (
            'SELECT * { ?s ?p "unterminated }',
            Scanned("select", True, None),
        ),  # unreadable: read graphs, to be safe
    ],
)
def test_a_query_is_read_once_for_its_form_its_graphs_and_its_limit(text, expected):
    assert scan(text) == expected
