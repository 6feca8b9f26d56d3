"""The command line refuses an on-disk store that a running `otsgraph serve` holds (exit 2, naming it):
Oxigraph leaves opening a store another process writes undefined, even read-only. Real processes."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from gate_support import SUBMISSIONS, seeded_store_dir
from otsgraph.core.serving import _start_ticks, announce, announcement_path, running_server
from serve_command import otsgraph_command, serve_process


@pytest.fixture
def root(tmp_path, tmp_path_factory) -> Path:
    """A folder whose build/store is a seeded store: `query`, `stats` and `qc` read <root>/build/store."""
    (tmp_path / "root" / "build").mkdir(parents=True)
    seeded_store_dir(tmp_path, tmp_path_factory.getbasetemp()).rename(tmp_path / "root" / "build" / "store")
    return tmp_path / "root"


def commands(root: Path) -> dict[str, list[str]]:
    store = ["--store", str(root / "build" / "store")]
    return {
        "query": ["query", "--root", str(root), "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"],
        "stats": ["stats", "--root", str(root)],
        "qc": ["qc", "--root", str(root)],
        "log": ["log", *store],
        "export": ["export", "--format", "nquads", *store],
        "validate": ["validate", str(SUBMISSIONS / "summit.trig"), *store],
        "add": ["add", str(SUBMISSIONS / "city.ttl"), *store],
    }


def run_all(argvs: dict[str, list[str]]) -> dict[str, subprocess.CompletedProcess]:
    """Run the commands side by side (readers may share a store; `add` runs last, alone)."""
    readers = {name: argv for name, argv in argvs.items() if name != "add"}
    processes = {
        name: subprocess.Popen(
            [otsgraph_command(), *argv, "-q"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for name, argv in readers.items()
    }
    done = {}
    for name, process in processes.items():
        out, err = process.communicate(timeout=120)
        done[name] = subprocess.CompletedProcess(process.args, process.returncode, out, err)
    if "add" in argvs:
        done["add"] = subprocess.run(
            [otsgraph_command(), *argvs["add"], "-q"], capture_output=True, text=True, timeout=120
        )
    return done


@contextmanager
def server(store: Path, log: Path) -> Iterator[tuple[subprocess.Popen, str]]:
    with serve_process("--store", str(store), log=log) as (address, process):
        yield process, address


def health(address: str) -> int:
    with urllib.request.urlopen(f"{address}/health", timeout=30) as response:
        return response.status


def test_every_command_refuses_a_store_a_running_server_holds_and_works_once_it_stops(root, tmp_path):
    store = root / "build" / "store"
    with server(store, tmp_path / "serve.log") as (process, address):
        info = running_server(store)
        assert info is not None and (info.pid, info.address) == (process.pid, address)
        results = run_all({**commands(root), "revert": ["revert", "no-such-change", "--store", str(store)]})
        for name, result in results.items():
            assert result.returncode == 2, (name, result.stdout, result.stderr)
            assert f"pid {process.pid}" in result.stderr and address in result.stderr, (name, result.stderr)
            assert "stop the server" in result.stderr, (name, result.stderr)
        assert f"{address}/sparql" in results["query"].stderr
        assert f"{address}/validate" in results["validate"].stderr
        assert health(address) == 200  # the server was not disturbed
    assert process.returncode == 0  # SIGTERM is a clean stop: the announcement is gone
    assert not announcement_path(store).exists()
    results = run_all(commands(root))
    for name, result in results.items():
        assert result.returncode == 0, (name, result.stdout, result.stderr)
    assert "accepted: change" in results["add"].stdout


def test_a_killed_server_does_not_block_the_commands(root, tmp_path):
    store = root / "build" / "store"
    with server(store, tmp_path / "serve.log") as (process, _):
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
    assert announcement_path(store).exists()  # left behind, naming a pid that is gone
    assert running_server(store) is None
    for name, result in run_all(commands(root)).items():
        assert result.returncode == 0, (name, result.stdout, result.stderr)


def test_the_announcement_is_written_whole_and_removed_on_exit(tmp_path):
    store = tmp_path / "store"
    with announce(store, "http://127.0.0.1:1") as info:
        path = announcement_path(tmp_path / "store/")
        assert json.loads(path.read_text())["pid"] == os.getpid() == info.pid
        assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temporary file left
        assert running_server(store) is None  # this process's own server is no rival
    assert not path.exists()
    with announce(None, "http://127.0.0.1:1") as nothing:  # an in-memory store: nothing to announce
        assert nothing is None and not list(tmp_path.iterdir())


def test_a_stale_announcement_is_told_from_a_live_one_by_pid_and_start_time(tmp_path):
    store = tmp_path / "store"

    def note(pid: int, ticks: int | None, host: str = socket.gethostname()) -> None:
        data = {"pid": pid, "address": "http://127.0.0.1:1", "started": "", "host": host, "ticks": ticks}
        announcement_path(store).write_text(json.dumps(data))

    with subprocess.Popen(["sleep", "60"]) as other:
        try:
            note(other.pid, _start_ticks(other.pid))
            assert running_server(store).pid == other.pid
            note(other.pid, (_start_ticks(other.pid) or 0) + 1)  # the pid was reused by another process
            assert running_server(store) is None
            note(other.pid, None)  # no start time recorded: the pid alone decides
            assert running_server(store).pid == other.pid
        finally:
            other.kill()
    note(other.pid, None)
    assert running_server(store) is None
    note(other.pid, None, host="another-machine")  # its pid cannot be checked from here
    assert running_server(store) is not None
