"""The layers of src/otsgraph/ (docs/architecture.md) as a contract: a layer imports only the layers
below it, and siblings import neither each other. import-linter checks `[tool.importlinter]` of
pyproject.toml; the contract's own test shows that it can fail."""

from __future__ import annotations

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
    # the same contract without its named exceptions: the store's imports of the gate break it
    text = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    start = text.index("ignore_imports = [")
    end = text.index("]\n", start) + 2
    config = tmp_path / "pyproject.toml"
    config.write_text(text[:start] + text[end:], encoding="utf-8")
    result = lint(config)
    assert result.returncode == 1, result.stdout
    assert "layers BROKEN" in result.stdout
    assert "otsgraph.core is not allowed to import otsgraph.gate" in result.stdout
    assert "otsgraph.core.store -> otsgraph.gate.gate" in result.stdout
