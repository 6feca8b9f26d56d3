"""Shared test fixtures. Every test builds what it needs; the shipped build is made once per session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from otsgraph.article import article_path
from otsgraph.loading import Layout

REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures"
IN_CI = os.environ.get("CI", "").lower() == "true"


def require(condition: bool, reason: str) -> None:
    """Skip when something outside the repo is missing, but fail under CI=true, where it must exist."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"{reason} (required under CI=true)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def layout() -> Layout:
    return Layout(REPO)


@pytest.fixture(scope="session")
def article_text() -> str:
    from otsgraph.article import normalised_text

    require(
        article_path().exists(),
        f"the source article is not at {article_path()} (../shared is absent)",
    )
    return normalised_text()


@pytest.fixture(scope="session")
def shipped_build(tmp_path_factory):
    """The shipped graph built once, into a temporary build folder (the checkout's build/ is untouched)."""
    from otsgraph.build import run_build

    out = tmp_path_factory.mktemp("build")
    layout = Layout(REPO)
    result = run_build(layout, write=False)
    from otsgraph.build import inferred_quads
    from otsgraph.store import open_store, seed

    store = open_store(out / "store")
    seed(store, result.sources.quads() + inferred_quads(result.reasoned))
    result.store = store
    return result
