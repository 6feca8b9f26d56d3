"""A real crash inside a write (issue 14): `otsgraph add`, `otsgraph revert` and `otsgraph serve`
kill themselves with SIGKILL at a named point of the commit (the gate's hook, commit_hook.py; no
timing is guessed), and the store, opened again, holds the graph as it was before the change."""

from __future__ import annotations

import collections
import json
import os
import signal
import subprocess
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests

from gate_support import LAYOUT, SUBMISSIONS, gate_on, quads_of, seeded_store_dir, shapes, snapshot
from otsgraph.core.graphs import ADDITIONS, AUDIT, JOURNAL
from otsgraph.gate.commit_hook import CRASH_AT, from_environment, no_hook
from otsgraph.gate.gate import Gate
from serve_command import otsgraph_command, serve_process

OTS = "https://w3id.org/otsgraph/ontology/"
SUMMIT = ox.NamedNode("https://w3id.org/otsgraph/resource/summit-tc-2025-gabala")
DATE = ox.NamedNode(OTS + "date")
NUMBERED_AS = ox.NamedNode(OTS + "numberedAs")
FIRST_CLAIM = ox.NamedNode("https://w3id.org/otsgraph/claim/added-gabala-2025")
NUMBERED_CLAIM = ox.NamedNode("https://w3id.org/otsgraph/claim/added-gabala-2025-numbered")


@pytest.fixture
def store_dir(tmp_path, tmp_path_factory):
    return seeded_store_dir(tmp_path, tmp_path_factory.getbasetemp())


def blank_nodes_hidden(quads: set[ox.Quad]) -> collections.Counter:
    """The quads with every blank node written `_:b`: `otsgraph serve` loads the shipped graphs into
    the store afresh when it starts, so their blank nodes get new names, and nothing else changes."""

    def term(t):
        return "_:b" if isinstance(t, ox.BlankNode) else str(t)

    return collections.Counter(
        (term(q.subject), str(q.predicate), term(q.object), str(q.graph_name)) for q in quads
    )


def otsgraph(*argv: str, crash_at: str = "") -> subprocess.CompletedProcess:
    env = {**os.environ, CRASH_AT: crash_at} if crash_at else {**os.environ}
    env.pop("OTSGRAPH_TEST_HOLD_AT", None)
    return subprocess.run([otsgraph_command(), *argv], capture_output=True, text=True, timeout=120, env=env)


def logged(store_dir: Path) -> list[dict]:
    result = otsgraph("log", "-q", "--json", "--store", str(store_dir))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def assert_crashed_at(result: subprocess.CompletedProcess | subprocess.Popen, stderr: str, point: str):
    assert result.returncode == -signal.SIGKILL, stderr
    assert f"otsgraph test hook: crashing at {point}" in stderr


# ---- the hook itself ------------------------------------------------------------------------------


def test_the_hook_of_an_environment_without_the_variables_does_nothing():
    assert from_environment({}) is no_hook


def test_a_crash_point_the_write_never_reaches_is_refused():
    """A misspelt point would let a crash test pass without any crash."""
    with pytest.raises(ValueError, match="'before write' is none of the write's points: before the write"):
        from_environment({CRASH_AT: "before write"})
    # a publish has its own points, and the commit's are not among them
    with pytest.raises(ValueError, match="'before the write' is none of the write's points: staged"):
        from_environment({CRASH_AT: "before the write"}, points=("staged",))


def test_an_in_process_hook_sees_the_points_of_each_kind_of_write_in_order(store_dir):
    """The gate calls an injected hook at each point: an add reaches "before the write" only; a
    change with removals and blank nodes also reaches "between the steps"."""
    from otsgraph.gate.change import change_from_quads
    from otsgraph.gate.submission import read_file

    reached: list[str] = []
    gate = Gate(ox.Store(str(store_dir)), LAYOUT, shapes=shapes(), commit_hook=reached.append)
    first = gate.commit(change_from_quads(read_file(SUBMISSIONS / "summit.trig")), "alice")
    assert reached == ["before the write"]
    gate.revert(first.change_id, "alice")  # removals without blank nodes: one transaction
    assert reached == ["before the write", "before the write"]
    numbered = gate.commit(change_from_quads(read_file(SUBMISSIONS / "summit-numbered.trig")), "alice")
    gate.revert(numbered.change_id, "alice")  # removals with blank nodes: through the journal
    assert reached == ["before the write"] * 3 + ["between the steps"]


# ---- the command line -----------------------------------------------------------------------------


def test_add_killed_before_its_write_leaves_the_graph_as_it_was(store_dir):
    before = quads_of(store_dir)
    result = otsgraph(
        "add", "-q", "--store", str(store_dir), str(SUBMISSIONS / "summit.trig"), crash_at="before the write"
    )
    assert_crashed_at(result, result.stderr, "before the write")
    assert "accepted" not in result.stdout
    assert quads_of(store_dir) == before
    assert logged(store_dir) == []
    # the change itself was a good one: without the crash it is accepted
    again = otsgraph("add", "-q", "--store", str(store_dir), str(SUBMISSIONS / "summit.trig"))
    assert again.returncode == 0 and again.stdout.startswith("accepted: change "), again.stderr


def test_revert_killed_between_the_steps_of_its_write_is_rolled_back(store_dir):
    """A change with removals and blank nodes is written in two steps; killed between them, the
    journal and the additions are in the store, and the next opening rolls them back."""
    numbered = str(SUBMISSIONS / "summit-numbered.trig")
    added = otsgraph("add", "-q", "--as", "alice", "--store", str(store_dir), numbered)
    assert added.returncode == 0, added.stderr
    first = added.stdout.split()[2]
    before = quads_of(store_dir)
    result = otsgraph("revert", "-q", first, "--store", str(store_dir), crash_at="between the steps")
    assert_crashed_at(result, result.stderr, "between the steps")
    half = quads_of(store_dir)
    assert any(q.graph_name == JOURNAL for q in half) and half != before  # killed inside the write
    gate = gate_on(store_dir)  # opening the store for writing rolls the revert back
    assert snapshot(gate.store) == before
    assert [record.id for record in gate.log()] == [first]


# ---- the server -----------------------------------------------------------------------------------

TOKEN = {"Authorization": "Bearer s3cret"}


def _update_body(add: list[ox.Quad], remove: list[ox.Quad]) -> str:
    def block(quads: list[ox.Quad]) -> str:
        return "\n".join(
            f"GRAPH {q.graph_name} {{ {q.subject} {q.predicate} {q.object} }}"
            if isinstance(q.graph_name, ox.NamedNode)
            else f"{q.subject} {q.predicate} {q.object} ."
            for q in quads
        )

    return f"DELETE DATA {{ {block(remove)} }} ;\nINSERT DATA {{ {block(add)} }}"


def test_a_server_killed_before_the_write_of_a_post_leaves_the_graph_as_it_was(store_dir, tmp_path):
    before = quads_of(store_dir)
    log = tmp_path / "serve.log"
    env = {**os.environ, CRASH_AT: "before the write"}
    with serve_process("--store", str(store_dir), log=log, tokens="alice:s3cret", env=env) as (url, process):
        with pytest.raises(requests.ConnectionError):
            requests.post(
                url + "/rdf-graphs?default",
                data=(SUBMISSIONS / "summit.trig").read_bytes(),
                headers={"Content-Type": "application/trig", **TOKEN},
                timeout=120,
            )
        process.wait(timeout=60)
        assert_crashed_at(process, log.read_text(), "before the write")
    assert blank_nodes_hidden(quads_of(store_dir)) == blank_nodes_hidden(before)
    assert logged(store_dir) == []


def test_a_server_killed_between_the_steps_of_an_update_serves_the_graph_as_it_was(store_dir, tmp_path):
    """Over HTTP: an add (accepted), then an update that removes its date and adds a numbered claim
    with a blank node, killed half-way; the server started again serves the graph after the add."""
    from otsgraph.gate.submission import read_file

    log = tmp_path / "serve.log"
    env = {**os.environ, CRASH_AT: "between the steps"}
    numbered = read_file(SUBMISSIONS / "summit-numbered.trig")
    date = [q for q in read_file(SUBMISSIONS / "summit.trig") if q.predicate == DATE]
    with serve_process("--store", str(store_dir), log=log, tokens="alice:s3cret", env=env) as (url, process):
        accepted = requests.post(
            url + "/rdf-graphs?default",
            data=(SUBMISSIONS / "summit.trig").read_bytes(),
            headers={"Content-Type": "application/trig", **TOKEN},
            timeout=120,
        )
        assert accepted.status_code in (200, 204), accepted.text  # an add never reaches "between the steps"
        with pytest.raises(requests.ConnectionError):
            requests.post(
                url + "/sparql",
                data=_update_body(numbered, date).encode(),
                headers={"Content-Type": "application/sparql-update", **TOKEN},
                timeout=120,
            )
        process.wait(timeout=60)
        assert_crashed_at(process, log.read_text(), "between the steps")
    half = quads_of(store_dir)
    assert any(q.graph_name == JOURNAL for q in half)  # the update was killed inside its write
    assert any(q.predicate == NUMBERED_AS for q in half)

    with serve_process("--store", str(store_dir), log=tmp_path / "again.log") as (url, _):

        def ask(pattern: str) -> bool:
            answer = requests.get(url + "/sparql", params={"query": f"ASK {{ {pattern} }}"}, timeout=60)
            assert answer.status_code == 200, answer.text
            return answer.json()["boolean"]

        assert ask(f"GRAPH {FIRST_CLAIM} {{ {SUMMIT} {DATE} ?date }}")  # the removal never happened
        assert not ask(f"{SUMMIT} {NUMBERED_AS} ?number")  # nor the addition
        assert not ask(f"GRAPH {NUMBERED_CLAIM} {{ ?s ?p ?o }}")
    after = quads_of(store_dir)
    assert not any(q.graph_name == JOURNAL for q in after)
    records = logged(store_dir)
    assert len(records) == 1 and records[0]["who"] == "alice"  # only the add is logged
    assert {q for q in after if q.graph_name == ADDITIONS} and any(q.graph_name == AUDIT for q in after)
