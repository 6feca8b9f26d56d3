"""Adds in parallel with queries, against one real server (issue 5, "Concurrency"): many client
threads and several client processes, over HTTP on 127.0.0.1, for a bounded number of requests.

Each add is one batch (concurrency_client.py), sent by a Graph Store POST or a SPARQL Update;
every query checks each batch it sees is whole (all its triples, and in the served graph its
inferred triple too), never part of one; after all, every acknowledged batch is there, whole,
and in the served graph (an on-disk store) still there after a restart.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

import requests

import concurrency_client as client
from serve_command import serve_command

TOKEN = "concurrency-token"
SCRIPT = str(Path(client.__file__))


@dataclass
class Load:
    writer_threads: int
    writer_processes: int
    batches_each: int
    reader_threads: int
    reader_processes: int

    @property
    def batches(self) -> int:
        return (self.writer_threads + self.writer_processes) * self.batches_each


def _process(*args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, SCRIPT, *args], stdout=subprocess.PIPE, text=True)


def _result(process: subprocess.Popen, timeout: float = 180):
    out, _ = process.communicate(timeout=timeout)
    assert process.returncode == 0, out
    return json.loads(out)


def run_load(kind: str, url: str, load: Load, tmp_path: Path) -> tuple[list[str], list[dict]]:
    """Readers first, then writers (threads and processes); readers stop once every writer is done."""
    stop = tmp_path / "stop"
    reads: list[dict] = []
    readers = [
        threading.Thread(target=lambda: reads.append(client.read(kind, url, stop)))
        for _ in range(load.reader_threads)
    ]
    reader_processes = [_process("read", kind, url, str(stop)) for _ in range(load.reader_processes)]
    for thread in readers:
        thread.start()
    acknowledged: list[str] = []
    lock = threading.Lock()

    def write(prefix: str) -> None:
        done = client.write(kind, url, TOKEN, prefix, load.batches_each)
        with lock:
            acknowledged.extend(done)

    writers = [threading.Thread(target=write, args=(f"thread{i}",)) for i in range(load.writer_threads)]
    writer_processes = [
        _process("write", kind, url, TOKEN, f"process{i}", str(load.batches_each))
        for i in range(load.writer_processes)
    ]
    try:
        for thread in writers:
            thread.start()
        for thread in writers:
            thread.join(timeout=180)
        for process in writer_processes:
            acknowledged.extend(_result(process))
    finally:
        stop.touch()
        for thread in readers:
            thread.join(timeout=60)
        reads.extend(_result(process) for process in reader_processes)
    return acknowledged, reads


def assert_consistent(kind: str, load: Load, acknowledged: list[str], reads: list[dict], final: dict) -> None:
    assert len(acknowledged) == load.batches  # every add was accepted …
    assert final == dict.fromkeys(acknowledged, client.whole(kind))  # … and is there, whole: none lost
    assert len(reads) == load.reader_threads + load.reader_processes
    assert all(r["queries"] > 0 for r in reads)
    assert [h for r in reads for h in r["half"]] == []  # no query saw part of a batch
    states = {n for r in reads for n in r["states"]}
    assert len(states) >= 3, states  # the queries really ran while the adds went on


def test_plain_store_adds_in_parallel_with_queries_are_all_or_nothing(tmp_path):
    load = Load(writer_threads=6, writer_processes=3, batches_each=8, reader_threads=4, reader_processes=2)
    log = tmp_path / "serve.log"
    # every client of this test is 127.0.0.1: one client, as far as the per-client limit knows
    with serve_command(
        "--empty", "--quiet", "--threads", "16", "--per-client", "16", "--queue", "16", log=log, tokens=TOKEN
    ) as url:
        acknowledged, reads = run_load("plain", url, load, tmp_path)
        with requests.Session() as session:
            final = client.counts(session, "plain", url)
    assert_consistent("plain", load, acknowledged, reads, final)


def test_gated_adds_in_parallel_with_queries_are_whole_with_their_inferences_and_survive_a_restart(tmp_path):
    """The served graph on an on-disk store: each add is checked by the gate and committed with its
    inferred triples in one transaction."""
    load = Load(writer_threads=4, writer_processes=2, batches_each=3, reader_threads=3, reader_processes=2)
    store = str(tmp_path / "store")
    with serve_command(
        "--store",
        store,
        "--quiet",
        "--per-client",
        "16",
        "--queue",
        "16",
        log=tmp_path / "serve.log",
        tokens=f"load:{TOKEN}",
    ) as url:
        acknowledged, reads = run_load("served", url, load, tmp_path)
        with requests.Session() as session:
            final = client.counts(session, "served", url)
    assert_consistent("served", load, acknowledged, reads, final)
    again = tmp_path / "again.log"
    with (
        serve_command("--store", store, "--quiet", log=again, tokens=TOKEN) as url,
        requests.Session() as session,
    ):
        assert client.counts(session, "served", url) == final  # the restart kept every acknowledged add
