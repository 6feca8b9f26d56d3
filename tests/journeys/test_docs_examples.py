"""Every example in the README and docs/ can be pasted and run (issue 11, journey 1).

Each fenced block is taken out of the Markdown as a reader would copy it and run as is:
`sh` lines in a shell (in a copy of the project, with the venv's commands on PATH), `sparql`
with `otsgraph query` on the built graph (it must find something), `trig`/`turtle` parsed on
their own (so they carry their @prefix lines) and, when marked `<!-- run: validate -->`, checked by
`otsgraph validate` (it must conform). A block that cannot run here says why on the line above
it: `<!-- not run: serves until stopped -->`. Blocks of output or of another program's
configuration (text, json, ini, nginx, and unlabelled diagrams) are shown, not run.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import pytest

REPO = Path(__file__).resolve().parents[2]
DOCS = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
RUNNABLE = {"sh", "bash", "sparql", "trig", "turtle"}
SHOWN_ONLY = {"text", "json", "ini", "nginx", ""}
_FENCE = re.compile(r"^```(\S*)\s*$")
_MARKER = re.compile(r"^<!-- (not run|run): ?(.+?) -->$")


@dataclass(frozen=True)
class Block:
    path: Path
    line: int  # of the opening fence
    language: str
    text: str
    marker: tuple[str, str] | None  # ("not run", reason) or ("run", "validate")

    @property
    def name(self) -> str:
        return f"{self.path.relative_to(REPO)}:{self.line}"


def blocks(path: Path) -> list[Block]:
    lines = path.read_text(encoding="utf-8").splitlines()
    found, index = [], 0
    while index < len(lines):
        opening = _FENCE.match(lines[index])
        if not opening:
            index += 1
            continue
        end = next(i for i in range(index + 1, len(lines)) if lines[i].startswith("```"))
        above = lines[index - 1].strip() if index else ""
        marker = _MARKER.match(above)
        found.append(
            Block(
                path,
                index + 1,
                opening.group(1),
                "\n".join(lines[index + 1 : end]) + "\n",
                (marker.group(1), marker.group(2)) if marker else None,
            )
        )
        index = end + 1
    return found


ALL = [b for doc in DOCS for b in blocks(doc)]
TO_RUN = [b for b in ALL if b.language in RUNNABLE and (b.marker is None or b.marker[0] == "run")]


def test_every_block_is_run_shown_or_says_why_not():
    unknown = [b.name for b in ALL if b.language not in RUNNABLE | SHOWN_ONLY]
    assert not unknown, f"blocks of a language this test does not know: {unknown}"
    unmarked_reasons = [b.name for b in ALL if b.marker and b.marker[0] == "not run" and len(b.marker[1]) < 8]
    assert not unmarked_reasons, f"a 'not run' marker needs a reason: {unmarked_reasons}"
    assert len(TO_RUN) >= 8  # the test itself finds the blocks: a broken parser would find none


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """A copy of the project as a newcomer has it, with the venv where the README says it is."""
    root = tmp_path_factory.mktemp("docs") / "otsgraph"
    for folder in ("ontology", "data", "shapes", "examples"):
        shutil.copytree(REPO / folder, root / folder)
    (root / ".venv").symlink_to(Path(sys.executable).parent.parent)
    done = _run(["otsgraph", "build", "--quiet"], root)
    assert done.returncode == 0, done.stderr[-2000:]
    return root


def _env(root: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["OTSGRAPH_HOME"] = str(root)
    return env


def _run(command: list[str], root: Path) -> subprocess.CompletedProcess:
    return subprocess.run(command, cwd=root, env=_env(root), capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("block", TO_RUN, ids=lambda b: b.name)
def test_the_example_runs_as_pasted(block: Block, project: Path, tmp_path: Path):
    if block.language in ("sh", "bash"):
        for line in block.text.splitlines():
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            done = _run(["bash", "-c", line], project)
            assert done.returncode == 0, f"{block.name}: `{line}` failed:\n{done.stderr[-2000:]}"
    elif block.language == "sparql":
        done = _run(["otsgraph", "query", "--quiet", block.text], project)
        assert done.returncode == 0, f"{block.name}:\n{done.stderr[-2000:]}"
        assert "(0 rows)" not in done.stdout and done.stdout.strip() not in ("", "false"), block.name
    else:
        fmt = ox.RdfFormat.TRIG if block.language == "trig" else ox.RdfFormat.TURTLE
        try:
            quads = list(ox.parse(block.text.encode(), format=fmt))
        except SyntaxError as error:
            pytest.fail(f"{block.name} does not parse as pasted: {error}")
        assert quads, block.name
        if block.marker == ("run", "validate"):
            pasted = tmp_path / f"example.{block.language}"
            pasted.write_text(block.text, encoding="utf-8")
            done = _run(["otsgraph", "validate", "--quiet", str(pasted)], project)
            assert done.returncode == 0, f"{block.name} does not conform:\n{done.stdout}{done.stderr}"
