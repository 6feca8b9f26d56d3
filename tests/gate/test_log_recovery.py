"""A change killed inside its commit: `log`, `export` and `validate` never show it as done. They see the
store as recovery leaves it (the reader rolls the change back first), and while its writer still holds
the store they say the change is pending recovery. Real processes, the commit held by the gate's test hook."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pyoxigraph as ox

from gate_support import SUBMISSIONS, seeded_store_dir
from otsgraph.core.graphs import JOURNAL
from otsgraph.gate.commit_hook import HOLD_AT
from serve_command import otsgraph_command


def otsgraph(*argv: str) -> subprocess.CompletedProcess:
    return subprocess.run([otsgraph_command(), *argv], capture_output=True, text=True, timeout=120)


def logged_ids(store: Path) -> list[str]:
    result = otsgraph("log", "-q", "--json", "--store", str(store))
    assert result.returncode == 0, result.stderr
    return [r["id"] for r in json.loads(result.stdout)]


def exported(store: Path) -> set[str]:
    result = otsgraph("export", "-q", "--format", "nquads", "--store", str(store))
    assert result.returncode == 0, result.stderr
    return set(result.stdout.splitlines())


def journal(store: Path) -> int:
    return sum(1 for _ in ox.Store.read_only(str(store)).quads_for_pattern(None, None, None, JOURNAL))


def paused_revert(store: Path, change_id: str) -> subprocess.Popen:
    """`otsgraph revert ID`, paused between the steps of its commit (journal written, additions applied,
    removals not): the change has blank nodes, so it goes through the journal."""
    process = subprocess.Popen(
        [otsgraph_command(), "revert", "-q", change_id, "--store", str(store)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, HOLD_AT: "between the steps"},  # it stops there until killed
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        line = process.stderr.readline()
        if "holding at between the steps" in line:
            return process
        assert line or process.poll() is None, f"revert ended early: {process.stderr.read()}"
    raise AssertionError("the revert never reached its commit")


def test_a_revert_killed_inside_its_commit_is_never_listed_as_done(tmp_path, tmp_path_factory):
    store = seeded_store_dir(tmp_path, tmp_path_factory.getbasetemp())
    added = otsgraph(
        "add", "-q", "--as", "alice", "--store", str(store), str(SUBMISSIONS / "summit-numbered.trig")
    )
    assert added.returncode == 0, added.stderr
    first = added.stdout.split("accepted: change ")[1].split()[0]
    before = exported(store)
    assert any("_:" in line for line in before)  # blank nodes: the revert goes through the journal

    process = paused_revert(store, first)
    try:
        # its writer still holds the store: the reader says so, and lists nothing
        log = otsgraph("log", "--store", str(store))
        assert log.returncode == 2 and log.stdout == "", log.stdout
        assert "pending recovery" in log.stderr and first not in log.stdout
    finally:
        os.kill(process.pid, signal.SIGKILL)
        process.communicate(timeout=30)
    assert journal(store)  # killed half-way through: the revert's audit record is written, its removals not

    validate = otsgraph("validate", "--store", str(store), str(SUBMISSIONS / "summit.trig"))
    assert validate.returncode == 0, validate.stderr
    assert "rolled back" in validate.stderr  # the first reader rolled the revert back, and says so
    assert journal(store) == 0
    assert logged_ids(store) == [first]  # the revert is not listed
    assert exported(store) == before  # nor has it any effect

    # a read-write command agrees: the change is still there to revert
    revert = otsgraph("revert", "-q", first, "--store", str(store))
    assert revert.returncode == 0, revert.stderr
    assert logged_ids(store)[0] == first and len(logged_ids(store)) == 2
    assert exported(store) == set()
