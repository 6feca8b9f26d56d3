"""The build pauses CPython's cyclic garbage collector (core/bulk.py): at 1M triples its full runs
walked the build's millions of live objects again and again, a third of the build's time."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

from otsgraph.core.bulk import collector_paused
from otsgraph.core.loading import Layout
from otsgraph.pipeline.build import run_build

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def collections():
    """The cyclic collections that start while the test runs (gc.callbacks)."""
    started: list[int] = []

    def record(phase: str, info: dict) -> None:
        if phase == "start":
            started.append(info["generation"])

    gc.callbacks.append(record)
    yield started
    gc.callbacks.remove(record)


def test_no_cyclic_collection_runs_during_a_build_and_the_collector_runs_after(collections):
    assert gc.isenabled()
    phases: list[tuple[str, bool, int]] = []  # (phase, collector enabled, collections so far)
    result = run_build(
        Layout(REPO), lambda said: phases.append((said, gc.isenabled(), len(collections))), write=False
    )
    assert result.inferred_count > 0 and len(phases) >= 3  # loading, reasoning, validating
    assert not any(enabled for _, enabled, _ in phases), "the collector was on during a phase"
    assert phases[0][2] == phases[-1][2], "a collection ran between the first phase and the last"
    assert gc.isenabled()
    gc.collect()
    assert collections, "the collector runs again after the build"


def test_the_collector_is_left_as_it_was_even_when_the_block_fails():
    assert gc.isenabled()
    with pytest.raises(RuntimeError), collector_paused():
        assert not gc.isenabled()
        raise RuntimeError("inside")
    assert gc.isenabled()
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled(), "a collector paused before stays paused"
    finally:
        gc.enable()


def test_what_the_block_kept_is_frozen_out_of_the_collectors_sight():
    """A full collection after the build would walk every object it kept (4 s at 1M triples): they
    are moved to the permanent generation (gc.freeze) as the block ends."""
    before = gc.get_freeze_count()
    with collector_paused():
        kept = [(i, i + 1) for i in range(10_000)] + [[i] for i in range(10_000)]
    assert gc.get_freeze_count() >= before + 10_000
    assert gc.isenabled() and len(kept) == 20_000
