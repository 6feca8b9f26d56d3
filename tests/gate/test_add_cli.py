"""`otsgraph add`, `log`, `revert`, `export`, `reset`: on real on-disk stores, with crashes by SIGKILL."""

from __future__ import annotations

import getpass
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pyoxigraph as ox
import pytest

from gate_support import REPO, SUBMISSIONS, additions, gate_on, quads_of, res, seeded_store_dir, snapshot
from otsgraph.cli import main
from otsgraph.core.graphs import ADDITIONS, AUDIT, JOURNAL
from otsgraph.gate.commit_hook import CRASH_AT

HELD_IN = ox.NamedNode("https://w3id.org/otsgraph/ontology/heldIn")


@pytest.fixture
def store_dir(tmp_path, tmp_path_factory):
    return seeded_store_dir(tmp_path, tmp_path_factory.getbasetemp())


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_add_commits_and_log_lists_the_change_with_its_author(capsys, store_dir):
    code, out, _ = run(
        capsys, "add", "-q", "--store", str(store_dir), "--as", "alice", str(SUBMISSIONS / "summit.trig")
    )
    assert code == 0 and out.startswith("accepted: change ")
    change_id = out.split()[2]
    code, out, _ = run(capsys, "log", "-q", "--store", str(store_dir))
    assert code == 0 and change_id in out and "alice" in out and "summit.trig" in out
    code, out, _ = run(capsys, "log", "-q", "--json", "--store", str(store_dir))
    [entry] = json.loads(out)
    assert entry["id"] == change_id and entry["who"] == "alice" and entry["added"] > 0
    assert entry["when"].endswith("Z")


def test_log_shows_one_change_with_its_quads(capsys, store_dir):
    _, out, _ = run(capsys, "add", "-q", "--store", str(store_dir), str(SUBMISSIONS / "summit.trig"))
    change_id = out.split()[2]
    code, out, _ = run(capsys, "log", change_id, "-q", "--store", str(store_dir))
    assert code == 0 and out.startswith(change_id)
    added = [line for line in out.splitlines() if line.startswith("<")]
    assert added and all(line.endswith(" .") for line in added)
    assert any("summit-tc-2025-gabala" in line and "graph/additions" in line for line in added)
    assert "# removed (0)" in out
    code, _, err = run(capsys, "log", "no-such-change", "-q", "--store", str(store_dir))
    assert code == 2 and "no change 'no-such-change'" in err


def test_add_records_the_login_name_by_default(capsys, store_dir):
    run(capsys, "add", "-q", "--store", str(store_dir), str(SUBMISSIONS / "city.ttl"))
    _, out, _ = run(capsys, "log", "-q", "--json", "--store", str(store_dir))
    assert json.loads(out)[0]["who"] == getpass.getuser()


def test_an_invalid_submission_is_rejected_whole(capsys, store_dir):
    before = quads_of(store_dir)
    # one good file and one bad: nothing of either is added
    files = [str(SUBMISSIONS / "summit.trig"), str(SUBMISSIONS / "problems.trig")]
    code, out, err = run(capsys, "add", "-q", "--store", str(store_dir), *files)
    assert code == 1 and "Rejected: nothing was added." in err and "does not conform" in out
    assert quads_of(store_dir) == before


@pytest.mark.parametrize(
    "name", ["bad-syntax.ttl", "not-utf8.ttl", "empty.ttl", "entities.rdf", "remote-context.jsonld"]
)
def test_bad_input_changes_nothing(capsys, store_dir, name):
    before = quads_of(store_dir)
    code, _, err = run(
        capsys,
        "add",
        "-q",
        "--store",
        str(store_dir),
        str(SUBMISSIONS / "summit.trig"),
        str(SUBMISSIONS / name),
    )
    assert code == 2 and "Input error" in err and name in err
    assert quads_of(store_dir) == before


def _claim_quads(store: ox.Store) -> set[ox.Quad]:
    prefix = "https://w3id.org/otsgraph/claim/added-"
    return {
        q for q in store if isinstance(q.graph_name, ox.NamedNode) and q.graph_name.value.startswith(prefix)
    }


def test_export_writes_the_additions_so_that_adding_them_again_restores_them(capsys, store_dir, tmp_path):
    files = [str(SUBMISSIONS / "summit.trig"), str(SUBMISSIONS / "city-in-country.trig")]
    assert run(capsys, "add", "-q", "--store", str(store_dir), *files)[0] == 0
    store = ox.Store(str(store_dir))
    added, claims = additions(store), _claim_quads(store)
    del store
    out = tmp_path / "additions.trig"
    assert run(capsys, "export", "-q", "--store", str(store_dir), "--out", str(out))[0] == 0
    exported = list(ox.parse(path=str(out)))
    assert {q.graph_name.value for q in exported if not isinstance(q.graph_name, ox.DefaultGraph)} == {
        "https://w3id.org/otsgraph/claim/added-gabala-2025",
        "https://w3id.org/otsgraph/claim/added-shusha-in-azerbaijan",
    }
    code, out_text, _ = run(capsys, "add", "-q", "--reset", "--yes", "--store", str(store_dir), str(out))
    assert code == 0 and "reset: dropped" in out_text
    store = ox.Store(str(store_dir))
    assert additions(store) == added and _claim_quads(store) == claims
    del store
    _, nquads, _ = run(capsys, "export", "-q", "--store", str(store_dir), "--format", "nquads")
    assert len(list(ox.parse(nquads.encode(), format=ox.RdfFormat.N_QUADS))) == len(exported)


def test_revert_and_reset_from_the_command_line(capsys, store_dir):
    before = quads_of(store_dir)
    _, out, _ = run(
        capsys, "add", "-q", "--store", str(store_dir), "--as", "alice", str(SUBMISSIONS / "summit.trig")
    )
    change_id = out.split()[2]
    code, out, _ = run(capsys, "revert", "-q", "--store", str(store_dir), "--as", "bob", change_id)
    assert code == 0 and f"reverted {change_id}" in out
    data = {q for q in quads_of(store_dir) if q.graph_name not in (ADDITIONS, AUDIT)}
    assert data == {q for q in before if q.graph_name not in (ADDITIONS, AUDIT)}
    code, out, err = run(capsys, "revert", "-q", "--store", str(store_dir), change_id)  # again
    assert code == 0 and "nothing to revert" in err and "None" not in out + err
    code, _, err = run(capsys, "revert", "-q", "--store", str(store_dir), "no-such-change")
    assert code == 2 and "no change 'no-such-change'" in err
    code, out, _ = run(capsys, "reset", "-q", "--yes", "--store", str(store_dir))
    assert code == 0 and "reset: dropped" in out
    assert quads_of(store_dir) == before


def test_add_builds_the_store_when_there_is_none(capsys, tmp_path):
    store_dir = tmp_path / "fresh-store"
    code, _, _ = run(capsys, "add", "-q", "--store", str(store_dir), str(SUBMISSIONS / "city.ttl"))
    assert code == 0 and store_dir.is_dir()
    assert (
        res("shusha"),
        ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
        ox.NamedNode("https://w3id.org/otsgraph/ontology/City"),
    ) in additions(ox.Store(str(store_dir)))


# ---- Crash safety ---------------------------------------------------------------------------

_SCRIPT_PRELUDE = f"""
import sys, time
sys.path.insert(0, {str(Path(__file__).resolve().parents[1])!r})
import pyoxigraph as ox
from otsgraph.gate.change import change_from_quads
from otsgraph.gate.submission import read_file
from gate_support import gate_on
"""


def _spawn(script: str, env: dict | None = None) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", _SCRIPT_PRELUDE + textwrap.dedent(script)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=REPO,
        env={**os.environ, **(env or {})},
    )


def _kill(process: subprocess.Popen) -> None:
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    process.stdout.close()
    process.stderr.close()
    assert process.returncode == -signal.SIGKILL


def _wait_for_crash(process: subprocess.Popen, point: str) -> None:
    """The process killed itself at `point` of its commit (the gate's hook), and printed nothing else."""
    out, err = process.communicate(timeout=120)
    assert process.returncode == -signal.SIGKILL, err
    assert f"otsgraph test hook: crashing at {point}" in err
    assert "ACK" not in out  # the commit never returned


def _wait_for(stream, text: str, process: subprocess.Popen) -> str:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        line = stream.readline()
        if text in line:
            return line
        if not line and process.poll() is not None:
            raise AssertionError(f"process ended before printing {text!r}: {process.stderr.read()}")
    raise AssertionError(f"timed out waiting for {text!r}")


def test_an_acknowledged_add_survives_kill_9_right_after(store_dir):
    process = _spawn(
        f"""
        gate = gate_on({str(store_dir)!r})
        report = gate.commit(change_from_quads(read_file({str(SUBMISSIONS / "summit.trig")!r})), "alice")
        print("ACK", report.change_id, flush=True)
        time.sleep(120)  # the store stays open: the kill comes while the process holds it
        """
    )
    line = _wait_for(process.stdout, "ACK", process)
    _kill(process)
    change_id = line.split()[1]
    gate = gate_on(store_dir)
    assert (res("summit-tc-2025-gabala"), HELD_IN, res("gabala")) in additions(gate.store)
    assert [r.id for r in gate.log()] == [change_id]


def test_a_crash_before_the_write_of_an_add_leaves_the_graph_as_it_was(store_dir):
    before = quads_of(store_dir)
    process = _spawn(
        f"""
        gate = gate_on({str(store_dir)!r})
        gate.commit(change_from_quads(read_file({str(SUBMISSIONS / "summit.trig")!r})), "alice")
        print("ACK", flush=True)
        """,
        {CRASH_AT: "before the write"},
    )
    _wait_for_crash(process, "before the write")
    assert quads_of(store_dir) == before


def _commit_then_spawn(store_dir: Path, then: str, point: str):
    """Commit summit.trig here, then run `then` (Python; `gate` is open on the store, `{first_id!r}`
    names the first change) in a process that kills itself inside its commit (the gate's test hook)
    at `point`."""
    gate = gate_on(store_dir)
    first = gate.commit(gate_change("summit.trig"), "alice")
    del gate
    before = quads_of(store_dir)
    script = textwrap.dedent(then).replace("{first_id!r}", repr(first.change_id))
    body = f"gate = gate_on({str(store_dir)!r})\n{script}\nprint('ACK', flush=True)\n"
    process = _spawn(body, {CRASH_AT: point})
    return first, before, process


def _add_then_kill_a_change_half_way(store_dir: Path):
    """Commit summit.trig, then, in a process killed half-way through, a change with removals and
    blank nodes (its date moved into a new claim that numbers the summit with a blank node): the
    journal is written and the additions applied, the removals not. Returns the first change and
    the quads as they were before the second."""
    first, before, process = _commit_then_spawn(
        store_dir,
        f"""
        from otsgraph.gate.change import change_from_quads
        from otsgraph.gate.submission import read_file
        add = read_file({str(SUBMISSIONS / "summit-numbered.trig")!r})
        first = read_file({str(SUBMISSIONS / "summit.trig")!r})
        remove = [q for q in first if q.predicate.value.endswith("date")]
        gate.commit(change_from_quads(add, remove), "bob")
        """,
        "between the steps",
    )
    _wait_for_crash(process, "between the steps")
    half = quads_of(store_dir)
    assert half != before and any(q.graph_name == JOURNAL for q in half)  # killed half-way through
    return first, before


def test_a_change_with_removals_and_no_blank_node_is_one_transaction(store_dir):
    """Killed before its one write, a revert leaves the store as it was; done, it leaves no journal."""
    revert = 'gate.revert({first_id!r}, "bob")'
    first, before, process = _commit_then_spawn(store_dir, revert, "before the write")
    _wait_for_crash(process, "before the write")
    assert quads_of(store_dir) == before
    gate = gate_on(store_dir)
    gate.revert(first.change_id, "bob")
    after = snapshot(gate.store)
    assert not any(q.graph_name == JOURNAL for q in after)
    assert not any("summit-tc-2025-gabala" in str(q.subject) for q in after if q.graph_name == ADDITIONS)


def test_a_crash_in_the_middle_of_a_change_with_removals_is_rolled_back(store_dir):
    first, before = _add_then_kill_a_change_half_way(store_dir)
    gate = gate_on(store_dir)  # opening a gate rolls the interrupted change back
    assert snapshot(gate.store) == before
    assert [r.id for r in gate.log()] == [first.change_id]


def gate_change(name: str):
    from otsgraph.gate.change import change_from_quads
    from otsgraph.gate.submission import read_file

    return change_from_quads(read_file(SUBMISSIONS / name))


@pytest.mark.parametrize("fraction", [0.25, 0.75])
def test_one_store_write_is_all_or_nothing_when_killed_inside_it(tmp_path, fraction):
    """The primitive an add relies on: pyoxigraph's Store.extend is one transaction. The process
    first times the same write on a scratch store, so that the kill lands inside the real one (at
    `fraction` of that time); the test checks that it did (the write never returned), else it tries
    again earlier."""
    for attempt in range(4):
        path = tmp_path / f"store-{attempt}"
        process = _spawn(
            f"""
            def quads():
                graph = ox.NamedNode("https://w3id.org/otsgraph/graph/additions")
                p = ox.NamedNode("urn:x:p")
                return [ox.Quad(ox.NamedNode(f"urn:x:{{i}}"), p, ox.Literal(str(i) * 20), graph)
                        for i in range(50_000)]
            scratch = ox.Store({str(tmp_path / f"scratch-{attempt}")!r})
            started = time.perf_counter()
            scratch.extend(quads())
            print("TOOK", time.perf_counter() - started, flush=True)
            store = ox.Store({str(path)!r})
            batch = quads()
            print("WRITING", flush=True)
            store.extend(batch)
            print("DONE", flush=True)
            time.sleep(120)
            """
        )
        took = float(_wait_for(process.stdout, "TOOK", process).split()[1])
        _wait_for(process.stdout, "WRITING", process)
        time.sleep(took * fraction / (2**attempt))
        os.kill(process.pid, signal.SIGKILL)
        out, _ = process.communicate(timeout=30)
        count = len(list(ox.Store(str(path)).quads_for_pattern(None, None, None, None)))
        assert count in (0, 50_000)
        if "DONE" not in out:
            return  # the kill came inside the write, and it left all or nothing
    raise AssertionError("every kill came after the write returned: the test never killed it inside")


_ = seeded_store_dir


def test_a_server_started_after_a_crash_serves_the_rolled_back_graph(store_dir):
    """The rollback of an interrupted change happens when the server opens the store, before it
    answers anything (not on its first write)."""
    from otsgraph.core.loading import Layout
    from otsgraph.server.state import ServerConfig, load_state

    _, before = _add_then_kill_a_change_half_way(store_dir)
    added = {q for q in before if q.graph_name == ADDITIONS}
    assert added
    server = load_state(Layout(REPO), ServerConfig(store_path=store_dir))
    try:
        assert not any(True for _ in server.store.quads_for_pattern(None, None, None, JOURNAL))
        assert set(server.store.quads_for_pattern(None, None, None, ADDITIONS)) == added  # no revert
    finally:
        del server


def _reset_on_a_terminal(store_dir: Path, answer: str) -> tuple[int, str]:
    """`otsgraph reset` with a real pseudo-terminal on stdin, answering its question."""
    import pty

    leader, follower = pty.openpty()
    try:
        process = subprocess.Popen(
            [sys.executable, "-m", "otsgraph.cli", "reset", "-q", "--store", str(store_dir)],
            stdin=follower,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        os.write(leader, answer.encode() + b"\n")
        out, err = process.communicate(timeout=120)
    finally:
        os.close(leader)
        os.close(follower)
    return process.returncode, out + err


def test_reset_asks_first_and_needs_yes_without_a_terminal(capsys, store_dir):
    assert run(capsys, "add", "-q", "--store", str(store_dir), str(SUBMISSIONS / "summit.trig"))[0] == 0
    before = quads_of(store_dir)
    done = subprocess.run(
        [sys.executable, "-m", "otsgraph.cli", "reset", "-q", "--store", str(store_dir)],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2 and "pass --yes" in done.stderr and "1 accepted change" in done.stderr
    assert quads_of(store_dir) == before
    code, text = _reset_on_a_terminal(store_dir, "n")
    assert code == 2 and "[y/N]" in text and "Nothing was dropped" in text
    assert quads_of(store_dir) == before
    code, text = _reset_on_a_terminal(store_dir, "y")
    assert code == 0 and "reset: dropped" in text
    assert additions(ox.Store(str(store_dir))) == set()


def test_add_reset_asks_too(capsys, store_dir):
    assert run(capsys, "add", "-q", "--store", str(store_dir), str(SUBMISSIONS / "summit.trig"))[0] == 0
    before = quads_of(store_dir)
    code, _, err = run(
        capsys, "add", "-q", "--reset", "--store", str(store_dir), str(SUBMISSIONS / "city.ttl")
    )
    assert code == 2 and "pass --yes" in err
    assert quads_of(store_dir) == before
