"""Journey 2 of issue 11: install otsgraph as a package, as a newcomer would, and use it.

Build the wheel from this checkout; install it into a fresh venv outside the checkout; from an empty
folder, with $OTSGRAPH_HOME unset, run `otsgraph build`, then `otsgraph serve`, and use the server
over real HTTP: /health, a SPARQL query with rows, the query page with its examples. The store goes
in the current folder (./otsgraph-build, docs/install.md), nothing is written into site-packages, and
the package metadata gives the version, the licences and the citation. Then the error path: an
$OTSGRAPH_HOME without the inputs is exit 2, naming what is missing and how to point at it.

No network: the wheel is built without isolation (hatchling is in the dev venv), installed with
--no-index --no-deps, and the new venv sees the dev venv's dependencies through a .pth path line
(a plain path line: the editable install's finder .pth files there are not processed, so `otsgraph`
must come from the new venv; the test checks it).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import sysconfig
import time
from pathlib import Path

import requests

import otsgraph
from serve_command import serve_process

REPO = Path(__file__).resolve().parents[2]
SUMMITS = """PREFIX ots: <https://w3id.org/otsgraph/ontology/>
SELECT ?summit WHERE { ?summit a ots:Summit } LIMIT 5"""
METADATA = """
import importlib.metadata as m, json, otsgraph
d = m.distribution("otsgraph")
print(json.dumps({
    "file": otsgraph.__file__,
    "version": d.version,
    "licence": d.metadata["License-Expression"],
    "urls": d.metadata.get_all("Project-URL"),
    "citation": d.read_text("extra_metadata/CITATION.cff"),
}))
"""


def run(command: list, cwd: Path, env: dict, timeout: float = 180) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(c) for c in command], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
    )


def snapshot(folder: Path) -> dict[str, float]:
    return {str(p.relative_to(folder)): p.stat().st_mtime for p in folder.rglob("*")}


def test_install_the_wheel_into_a_fresh_venv_and_serve_the_graph_from_an_empty_folder(tmp_path):
    started, timings = time.monotonic(), {}

    def lap(name: str) -> None:
        timings[name] = round(time.monotonic() - started - sum(timings.values()), 1)

    assert REPO not in tmp_path.parents, "the journey runs outside the checkout"
    env = {k: v for k, v in os.environ.items() if k not in ("OTSGRAPH_HOME", "PYTHONPATH", "VIRTUAL_ENV")}
    env |= {"PIP_NO_INDEX": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1"}  # pip never reaches out

    # 1. the wheel, from the checkout
    wheels = tmp_path / "wheels"
    done = run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
         "-q", "-w", wheels, REPO],
        cwd=tmp_path, env=env,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    (wheel,) = wheels.glob("otsgraph-*.whl")
    lap("wheel")

    # 2. a fresh venv outside the checkout; the dependencies by a path line, otsgraph by pip
    venv = tmp_path / "venv"
    done = run([sys.executable, "-m", "venv", venv], cwd=tmp_path, env=env)
    assert done.returncode == 0, done.stderr
    python, command = venv / "bin" / "python", venv / "bin" / "otsgraph"
    site = Path(
        run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], tmp_path, env)
        .stdout.strip()
    )  # fmt: skip
    (site / "dev-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    done = run([python, "-m", "pip", "install", "--no-deps", "--no-index", "-q", wheel], tmp_path, env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert command.is_file()
    lap("venv and install")

    # 3. from an empty folder: which otsgraph, and its metadata
    work = tmp_path / "work"
    work.mkdir()
    done = run([python, "-c", METADATA], work, env)
    assert done.returncode == 0, done.stderr
    meta = json.loads(done.stdout)
    assert Path(meta["file"]).is_relative_to(venv), f"otsgraph came from {meta['file']}, not the new venv"
    assert meta["version"] == otsgraph.__version__
    assert meta["licence"] == "MIT AND CC-BY-4.0"
    assert "Data licence, https://creativecommons.org/licenses/by/4.0/" in meta["urls"]
    assert "type: article" in meta["citation"]
    assert "Kazakhstan and Turkey in the formation of the Organization of Turkic States" in meta["citation"]
    installed = snapshot(site / "otsgraph")

    # 4. otsgraph build: the shipped graph, outputs in ./otsgraph-build
    done = run([command, "build"], work, env)
    assert done.returncode == 0, done.stdout + done.stderr[-3000:]
    asserted = int(re.search(r"triples asserted\s+(\d+)", done.stdout).group(1))
    inferred = int(re.search(r"triples inferred\s+(\d+)", done.stdout).group(1))
    assert asserted > 1000 and inferred > 500
    assert "shape violations     0" in done.stdout
    assert f"wrote {work / 'otsgraph-build' / 'otsgraph.nq'}" in done.stdout
    assert sorted(p.name for p in work.iterdir()) == ["otsgraph-build"]
    assert (work / "otsgraph-build" / "store").is_dir()
    lap("build")

    # 5. otsgraph serve, used over HTTP
    log = tmp_path / "serve.log"
    with serve_process(log=log, env=env, command=command, cwd=work) as (url, _server):
        lap("serve start")
        health = requests.get(url + "/health", timeout=30)
        assert health.status_code == 200, health.text
        assert health.json()["status"] == "ok" and health.json()["triples"] > asserted
        answer = requests.get(
            url + "/sparql",
            params={"query": SUMMITS},
            headers={"Accept": "application/sparql-results+json"},
            timeout=60,
        )
        assert answer.status_code == 200, answer.text
        rows = answer.json()["results"]["bindings"]
        assert len(rows) == 5 and all(
            r["summit"]["value"].startswith("https://w3id.org/otsgraph/") for r in rows
        )
        page = requests.get(url + "/", timeout=30)
        assert page.status_code == 200
        examples = sorted(p.stem for p in (REPO / "examples").glob("*.rq"))
        assert len(examples) > 10
        assert not [name for name in examples if f'data-example="{name}"' not in page.text]
        assert "Which summits were held in Kazakhstan" in page.text
    assert f"Inputs: {site / 'otsgraph' / '_shipped'} (package)" in log.read_text()
    assert f"Loading the graph into {work / 'otsgraph-build' / 'store'}" in log.read_text()
    assert sorted(p.name for p in work.iterdir()) == ["otsgraph-build"]
    assert snapshot(site / "otsgraph") == installed, "something was written into site-packages"
    lap("serve")

    # 6. the error path: $OTSGRAPH_HOME names a folder without the inputs
    empty = tmp_path / "empty-home"
    empty.mkdir()
    done = run([command, "build"], work, {**env, "OTSGRAPH_HOME": str(empty)})
    assert done.returncode == 2, done.stdout + done.stderr
    assert f"no ontology/, data/ or shapes/ (with .ttl or .trig files) under {empty}" in done.stderr
    assert "(from $OTSGRAPH_HOME)" in done.stderr and "--root DIR" in done.stderr
    assert "Traceback" not in done.stderr and "triples asserted" not in done.stdout
    assert list(empty.iterdir()) == []
    lap("error path")
    print(f"install journey timings (s): {timings}, total {time.monotonic() - started:.1f}")
