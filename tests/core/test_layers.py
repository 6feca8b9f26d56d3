"""The layers of src/otsgraph/ (docs/architecture.md) as a contract: a layer imports only the layers
below it, and siblings import neither each other. import-linter checks `[tool.importlinter]` of
pyproject.toml; the contract's own test shows that it can fail."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def lint(config: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", str(config)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_every_import_keeps_to_the_layers():
    result = lint(REPO / "pyproject.toml")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "layers KEPT" in result.stdout


def test_an_upward_import_breaks_the_contract(tmp_path):
    # the real code under a contract that puts the core above the gate: the gate's imports of the
    # core now go upwards, and the tool must say so (it reads our imports, not an empty graph)
    config = tmp_path / "pyproject.toml"
    config.write_text(
        '[tool.importlinter]\nroot_package = "otsgraph"\n\n'
        '[[tool.importlinter.contracts]]\nname = "layers"\ntype = "layers"\n'
        'layers = ["otsgraph.core", "otsgraph.gate"]\n',
        encoding="utf-8",
    )
    result = lint(config)
    assert result.returncode == 1, result.stdout
    assert "layers BROKEN" in result.stdout
    assert "otsgraph.gate is not allowed to import otsgraph.core" in result.stdout
    assert re.search(r"otsgraph\.gate\.\w+ -> otsgraph\.core\.\w+ \(l\.\d+", result.stdout), result.stdout


def test_no_module_imports_itself_through_others():
    """No import cycle between modules, inside a layer too (the contract above sees only layers).
    Imports inside functions count: a cycle hidden in a function is still a cycle."""
    import grimp

    graph = grimp.build_graph("otsgraph")
    cycles = set()
    for module in graph.modules:
        for imported in graph.find_modules_directly_imported_by(module):
            back = graph.find_shortest_chain(importer=imported, imported=module)
            if back:
                cycles.add(" -> ".join((module, *back)))
    assert not cycles, sorted(cycles)
