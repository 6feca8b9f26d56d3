"""Hand-laid RDF files: each parses and binds only the project's known prefixes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from otsgraph.core.loading import parse_file
from otsgraph.core.namespaces import PREFIXES

REPO = Path(__file__).resolve().parents[2]
FILES = sorted(
    p
    for folder in ("ontology", "data", "shapes")
    for p in (REPO / folder).rglob("*")
    if p.suffix in (".ttl", ".trig")
)
KNOWN = {**PREFIXES, "foaf": "http://xmlns.com/foaf/0.1/", "dcterms": "http://purl.org/dc/terms/"}
PREFIX_LINE = re.compile(r"^@prefix\s+([\w-]*):\s*<([^>]*)>", re.MULTILINE)


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(REPO)))
def test_file_parses(path):
    assert parse_file(path)


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(REPO)))
def test_file_binds_only_known_prefixes(path):
    text = path.read_text(encoding="utf-8")
    for prefix, iri in PREFIX_LINE.findall(text):
        assert prefix in KNOWN, f"unknown prefix {prefix}: in {path.name}"
        assert KNOWN[prefix] == iri, f"{prefix}: is bound to {iri}, not {KNOWN[prefix]}"
