"""SPARQL 1.1 stores started on 127.0.0.1 for a test or a benchmark, and stopped after it: Oxigraph's
server (`oxigraph serve`, from the `oxigraph` package) and Virtuoso 7 (Debian's
virtuoso-opensource-7-bin), each on free ports, with a throwaway database in a folder of the
caller's. tests/pipeline/test_publish.py and bench/publish_bench.py share them.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

OXIGRAPH = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")

VIRTUOSO_INI = """[Database]
DatabaseFile = {dir}/virtuoso.db
ErrorLogFile = {dir}/virtuoso.log
TransactionFile = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
TempStorage = TempDatabase
[TempDatabase]
DatabaseFile = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx
[Parameters]
ServerPort = 127.0.0.1:{isql}
DisableUnixSocket = 1
DirsAllowed = .
NumberOfBuffers = 20000
MaxDirtyBuffers = 15000
CheckpointInterval = 0
ServerThreads = 10
[HTTPServer]
ServerPort = 127.0.0.1:{http}
ServerRoot = {dir}
ServerThreads = 10
[SPARQL]
ResultSetMaxRows = {max_rows}
MaxQueryExecutionTime = 60
"""


class StoreDidNotStart(RuntimeError):
    pass


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def oxigraph_available() -> bool:
    return Path(OXIGRAPH).exists()


def virtuoso_available() -> bool:
    return shutil.which("virtuoso-t") is not None and shutil.which("isql-vt") is not None


def start_oxigraph(folder: Path, port: int | None = None) -> tuple[str, subprocess.Popen]:
    """`oxigraph serve` on an on-disk folder (on `port`, else a free one); (its query URL, the process)."""
    port = port or free_port()
    server = subprocess.Popen(
        [OXIGRAPH, "serve", "--location", str(folder), "--bind", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}/query"
    _wait_for(url, server)
    return url, server


def start_virtuoso(folder: Path, max_rows: int = 1_000_000) -> tuple[str, subprocess.Popen]:
    """virtuoso-t with an ini of its own and SPARQL updates allowed on /sparql; (that URL, the process).
    `max_rows` is its ResultSetMaxRows (Virtuoso's own ini ships with 10,000, which cuts answers)."""
    folder.mkdir(parents=True, exist_ok=True)
    isql, http = free_port(), free_port()
    ini = VIRTUOSO_INI.format(dir=folder, isql=isql, http=http, max_rows=max_rows)
    (folder / "virtuoso.ini").write_text(ini)
    server = subprocess.Popen(
        ["virtuoso-t", "-f", "-c", str(folder / "virtuoso.ini")],
        cwd=folder,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{http}/sparql"
    _wait_for(url, server)
    granted = subprocess.run(
        ["isql-vt", f"127.0.0.1:{isql}", "dba", "dba", 'exec=GRANT SPARQL_UPDATE TO "SPARQL";'],
        capture_output=True,
        text=True,
        timeout=60,
    )
    if granted.returncode != 0:
        stop(server)
        raise StoreDidNotStart(f"isql-vt could not grant SPARQL_UPDATE: {granted.stdout}{granted.stderr}")
    return url, server


def _wait_for(url: str, server: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url + "?query=ASK%7B%7D", timeout=2) as ready:
                ready.read()
            return
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                server.wait()
                said = server.stderr.read().decode(errors="replace")[-500:]
                server.stderr.close()
                raise StoreDidNotStart(f"{server.args[0]} did not start: {said}") from None
            time.sleep(0.1)


def stop(server: subprocess.Popen) -> None:
    server.kill()
    server.wait()
    if server.stderr:
        server.stderr.close()
