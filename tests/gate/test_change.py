"""A SPARQL Update as the change it would make (change.py): an update of DATA operations only is
run on a copy of just the quads it mentions, and must have the very effect it has on a copy of
the whole store."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from gate_support import seeded_store_dir
from otsgraph.core.namespaces import sparql_prefixes
from otsgraph.gate import change as change_module
from otsgraph.gate.change import change_from_update

UPDATES = {
    "insert a new fact": 'INSERT DATA { res:kazakhstan skos:altLabel "Qazaqstan Respublikasy"@kk }',
    "insert a fact already there": 'INSERT DATA { res:kazakhstan rdfs:label "Kazakhstan"@en }',
    "delete an asserted fact": 'DELETE DATA { res:kazakhstan rdfs:label "Kazakhstan"@en }',
    "delete a fact that is not there": 'DELETE DATA { res:kazakhstan rdfs:label "Nowhere"@en }',
    "delete from a claim graph by name": (
        "DELETE DATA { GRAPH claim:summit-tc-2012-bishkek "
        "{ res:summit-tc-2012-bishkek ots:heldIn res:bishkek } }"
    ),
    "delete from graph:asserted by name": (
        'DELETE DATA { GRAPH graph:asserted { res:kazakhstan rdfs:label "Kazakhstan"@en } }'
    ),
    "rename: delete then insert": (
        'DELETE DATA { res:astana rdfs:label "Astana"@en } ;\n'
        'INSERT DATA { res:astana rdfs:label "Astana City"@en }'
    ),
    "insert then delete the same": (
        'INSERT DATA { res:astana skos:altLabel "Akmola"@en } ;\n'
        'DELETE DATA { res:astana skos:altLabel "Akmola"@en }'
    ),
    "a keyword inside a string": 'INSERT DATA { res:astana skos:note "WHERE and DELETE are words"@en }',
}


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    base = tmp_path_factory.mktemp("change")
    return ox.Store(str(seeded_store_dir(base, tmp_path_factory.getbasetemp())))


@pytest.mark.parametrize("name", list(UPDATES))
def test_a_data_update_has_the_same_effect_on_the_mentioned_quads_as_on_the_whole_store(
    store, monkeypatch, name
):
    update = sparql_prefixes() + UPDATES[name]
    assert change_module._data_operations(update), "takes the fast path"
    fast = change_from_update(store, update)
    monkeypatch.setattr(change_module, "_data_operations", lambda text: None)  # the whole copy
    whole = change_from_update(store, update)
    assert (fast.add, fast.remove) == (whole.add, whole.remove)


@pytest.mark.parametrize(
    "update",
    [
        "DELETE WHERE { res:astana ?p ?o }",
        'INSERT { ?s skos:note "x"@en } WHERE { ?s a ots:City }',
        "DROP GRAPH graph:additions",
        'INSERT DATA { res:a rdfs:label "a"@en } ; CLEAR GRAPH graph:additions',
        "WITH graph:asserted DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
    ],
)
def test_any_other_operation_takes_the_whole_copy(update):
    assert change_module._data_operations(sparql_prefixes() + update) is None


def test_a_malformed_data_update_is_a_syntax_error(store):
    with pytest.raises(SyntaxError):
        change_from_update(store, sparql_prefixes() + "INSERT DATA { res:a rdfs:label }")
