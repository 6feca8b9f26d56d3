"""Adds in parallel with queries, against one real server (issue 5, "Concurrency"): many client
threads and several client processes, over HTTP on 127.0.0.1, for a bounded number of requests.

Each add is one batch of SIZE triples (concurrency_client.py); every query counts the members of
each batch it sees and must find 0 or SIZE, never part of one; after all, every acknowledged
batch is there, whole.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from pathlib import Path

import requests

import concurrency_client as client
from serve_command import serve_command

TOKEN = "concurrency-token"
SIZE = 40  # triples per batch
WRITER_THREADS, WRITER_PROCESSES, BATCHES_EACH = 6, 3, 8
READER_THREADS, READER_PROCESSES = 4, 2
SCRIPT = str(Path(client.__file__))


def _process(*args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, SCRIPT, *args], stdout=subprocess.PIPE, text=True)


def _result(process: subprocess.Popen, timeout: float = 120):
    out, _ = process.communicate(timeout=timeout)
    assert process.returncode == 0, out
    return json.loads(out)


def run_load(url: str, token: str, tmp_path: Path) -> tuple[list[str], list[dict]]:
    """Readers first, then writers (threads and processes); readers stop once every writer is done."""
    stop = tmp_path / "stop"
    reads: list[dict] = []
    readers = [
        threading.Thread(target=lambda: reads.append(client.read(url, SIZE, stop)))
        for _ in range(READER_THREADS)
    ]
    reader_processes = [_process("read", url, str(SIZE), str(stop)) for _ in range(READER_PROCESSES)]
    for thread in readers:
        thread.start()
    acknowledged: list[str] = []
    lock = threading.Lock()

    def write(prefix: str) -> None:
        done = client.write(url, token, prefix, BATCHES_EACH, SIZE)
        with lock:
            acknowledged.extend(done)

    writers = [threading.Thread(target=write, args=(f"thread{i}",)) for i in range(WRITER_THREADS)]
    writer_processes = [
        _process("write", url, token, f"process{i}", str(BATCHES_EACH), str(SIZE))
        for i in range(WRITER_PROCESSES)
    ]
    try:
        for thread in writers:
            thread.start()
        for thread in writers:
            thread.join(timeout=120)
        for process in writer_processes:
            acknowledged.extend(_result(process))
    finally:
        stop.touch()
        for thread in readers:
            thread.join(timeout=60)
        reads.extend(_result(process) for process in reader_processes)
    return acknowledged, reads


def test_adds_in_parallel_with_queries_are_all_or_nothing_and_none_is_lost(tmp_path):
    with serve_command(
        "--empty", "--quiet", "--threads", "8", log=tmp_path / "serve.log", tokens=TOKEN
    ) as url:
        acknowledged, reads = run_load(url, TOKEN, tmp_path)
        with requests.Session() as session:
            final = client.counts(session, url)
    expected_total = (WRITER_THREADS + WRITER_PROCESSES) * BATCHES_EACH
    assert len(acknowledged) == expected_total  # every add was accepted …
    assert final == dict.fromkeys(acknowledged, SIZE)  # … and is there, whole: none lost
    assert len(reads) == READER_THREADS + READER_PROCESSES
    assert all(r["queries"] > 0 for r in reads)
    assert [h for r in reads for h in r["half"]] == []  # no query saw part of a batch
    states = {n for r in reads for n in r["states"]}
    assert len(states) >= 3, states  # the queries really ran while the adds went on
