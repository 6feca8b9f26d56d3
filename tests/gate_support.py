"""Helpers for the write-gate tests: on-disk stores seeded with the shipped graph, in tmp_path."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyoxigraph as ox

from otsgraph.core.graphs import ADDITIONS, AUDIT, INFERRED
from otsgraph.core.loading import Layout
from otsgraph.gate.commands import seed_store
from otsgraph.gate.gate import Gate, load_shapes

REPO = Path(__file__).resolve().parents[1]
SUBMISSIONS = Path(__file__).parent / "fixtures" / "submissions"
LAYOUT = Layout(REPO)
_TEMPLATES: dict[str, Path] = {}
_SHAPES: list = []


def seeded_store_dir(tmp_path: Path, template_root: Path) -> Path:
    """A copy of a store seeded once per session with the shipped graph (seeding takes about a second)."""
    template = _TEMPLATES.get("shipped")
    if template is None or not template.exists():
        template = template_root / "shipped-store"
        seed_store(template, LAYOUT)
        _TEMPLATES["shipped"] = template
    target = tmp_path / "store"
    shutil.copytree(template, target)
    return target


def shapes() -> list:
    if not _SHAPES:
        _SHAPES.extend(load_shapes(LAYOUT))
    return _SHAPES


def gate_on(path: Path) -> Gate:
    return Gate(ox.Store(str(path)), LAYOUT, shapes=shapes())


def snapshot(store: ox.Store) -> set[ox.Quad]:
    return set(store)


def quads_of(store_dir: Path) -> set[ox.Quad]:
    """Every quad of an on-disk store, read without recovery (a journal a crash left is seen as it is)."""
    store = ox.Store(str(store_dir))
    try:
        return snapshot(store)
    finally:
        del store


def graph(store: ox.Store, name) -> set[tuple]:
    return {(q.subject, q.predicate, q.object) for q in store.quads_for_pattern(None, None, None, name)}


def additions(store: ox.Store) -> set[tuple]:
    return graph(store, ADDITIONS)


def inferred(store: ox.Store) -> set[tuple]:
    return graph(store, INFERRED)


def audit(store: ox.Store) -> set[tuple]:
    return graph(store, AUDIT)


def res(name: str) -> ox.NamedNode:
    return ox.NamedNode("https://w3id.org/otsgraph/resource/" + name)


def ots(name: str) -> ox.NamedNode:
    return ox.NamedNode("https://w3id.org/otsgraph/ontology/" + name)
