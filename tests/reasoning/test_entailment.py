"""Entailment fixture pairs on the real ontology: what must follow, what must not, what must clash."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from otsgraph.core.loading import load_sources, parse_file
from otsgraph.reasoning.closure import ONTOLOGY, reason_triples

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "entailment"
CASES = sorted(p.name.removesuffix("-premises.ttl") for p in FIXTURES.glob("*-premises.ttl"))
CLASHES = sorted(FIXTURES.glob("*-inconsistent.ttl"))


def triples(path: Path) -> set[tuple]:
    return {(q.subject, q.predicate, q.object) for q in parse_file(path)}


@pytest.fixture(scope="module")
def ontology(layout) -> set[tuple]:
    return set(load_sources(layout).triples(ONTOLOGY))


def closure(ontology: set[tuple], premises: set[tuple]) -> set[tuple]:
    reasoned = reason_triples(ontology | premises, ontology)
    return reasoned.input | reasoned.inferred


def skolem_free(ts: set[tuple]) -> set[tuple]:
    return {t for t in ts if not any(isinstance(x, ox.BlankNode) for x in t)}


@pytest.mark.parametrize("case", CASES)
def test_what_must_follow_follows(case, ontology):
    everything = closure(ontology, triples(FIXTURES / f"{case}-premises.ttl"))
    expected = skolem_free(triples(FIXTURES / f"{case}-true.ttl"))
    assert expected, "the -true fixture is not empty"
    missing = expected - everything
    assert not missing, f"not entailed: {missing}"


@pytest.mark.parametrize("case", CASES)
def test_what_must_not_follow_does_not(case, ontology):
    everything = closure(ontology, triples(FIXTURES / f"{case}-premises.ttl"))
    forbidden = triples(FIXTURES / f"{case}-false.ttl")
    assert forbidden
    assert not (forbidden & everything), f"wrongly entailed: {forbidden & everything}"


@pytest.mark.parametrize("path", CLASHES, ids=lambda p: p.stem)
def test_inconsistency_is_reported_with_its_triples(path, ontology):
    premises = triples(path)
    reasoned = reason_triples(ontology | premises, ontology)
    problems = reasoned.closure.inconsistencies
    assert problems, "an inconsistency is reported"
    named = {t for p in problems for t in p.triples}
    subjects = {s for s, _, _ in premises}
    assert any(t[0] in subjects or t[2] in subjects for t in named)


def test_consistent_premises_report_nothing(ontology):
    premises = triples(FIXTURES / "chain-held-in-premises.ttl")
    assert reason_triples(ontology | premises, ontology).closure.inconsistencies == []
