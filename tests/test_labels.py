"""The project's labels (data/labels/, graph:labels): loaded apart from the article's wording, in the
default union, read-only to writes, seen by reasoning and validation (docs/languages.md)."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from conftest import REPO
from otsgraph.graphs import READ_ONLY_GRAPHS, REASONED, VISIBLE
from otsgraph.loading import Layout, LoadError, load_sources
from otsgraph.namespaces import Graphs
from otsgraph.store import DEFAULT_GRAPHS, SHIPPED_GRAPHS

LABELS = ox.NamedNode(str(Graphs.LABELS))
ASSERTED = ox.NamedNode(str(Graphs.ASSERTED))
RDFS_LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")


def _project(tmp_path, labels_ttl: str):
    root = tmp_path / "project"
    for folder in ("ontology", "data/entities", "data/labels"):
        (root / folder).mkdir(parents=True)
    (root / "ontology" / "o.ttl").write_text("<http://e/O> a <http://www.w3.org/2002/07/owl#Ontology> .\n")
    (root / "data" / "entities" / "e.ttl").write_text(
        '@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n<http://e/x> rdfs:label "Қазақстан"@kk .\n'
    )
    (root / "data" / "labels" / "tr.ttl").write_text(labels_ttl)
    return root


def test_labels_files_load_into_their_own_graph_not_the_asserted_one(tmp_path):
    root = _project(
        tmp_path,
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        '<http://e/x> rdfs:label "Kazakistan"@tr , "Қазақстан"@kk .\n',
    )
    sources = load_sources(Layout(root))
    labels = {(t.subject.value, t.object.value) for t in sources.graphs[LABELS]}
    assert labels == {("http://e/x", "Kazakistan")}  # the kk label is the article's: it stays asserted only
    assert all(t.object.value != "Kazakistan" for t in sources.graphs[ASSERTED])
    assert not any(g == LABELS for g in sources.claim_graphs)
    # reasoning and validation read the labels with the asserted data
    assert (
        ox.NamedNode("http://e/x"),
        RDFS_LABEL,
        ox.Literal("Kazakistan", language="tr"),
    ) in sources.triples(ASSERTED)


def test_a_bad_labels_file_is_located(tmp_path):
    root = _project(tmp_path, '<http://e/x> <http://e/p> "unterminated .\n')
    with pytest.raises(LoadError, match=r"tr\.ttl:1:"):
        load_sources(Layout(root))


def test_the_labels_graph_is_shipped_in_the_union_read_only_and_validated():
    assert LABELS in DEFAULT_GRAPHS and LABELS in SHIPPED_GRAPHS
    assert LABELS in READ_ONLY_GRAPHS
    assert LABELS in REASONED and LABELS in VISIBLE


# ---- Kazakh in the 2021 Latin alphabet ----------------------------------------------------------

KAZAKH_CYRILLIC = "аәбвгғдеёжзийкқлмнңоөпрстуұүфхһцчшщъыіьэюя"
#: the 31 letters of the 2021 alphabet (lower case)
LATIN_2021 = set("aäbdefgğhıijklmnñoöpqrsştuūüvyz")


def test_the_table_covers_every_kazakh_cyrillic_letter_with_letters_of_the_2021_alphabet():
    from otsgraph.transliterate import KAZAKH_LATIN_2021

    assert set(KAZAKH_LATIN_2021) == set(KAZAKH_CYRILLIC)
    for cyrillic, (small, capital) in KAZAKH_LATIN_2021.items():
        # the digraph Ch (for Ч) is the one place a c appears
        assert set(small) <= LATIN_2021 | ({"c"} if cyrillic == "ч" else set()), cyrillic
        assert capital.replace("İ", "i").replace("I", "ı").lower() == small, (
            cyrillic
        )  # Turkish-style I/ı, İ/i


@pytest.mark.parametrize(
    ("cyrillic", "latin"),
    [
        # the transliterated sample of Wikipedia's "Kazakh alphabets" (January 2021 table)
        ("Бұрыңғы өткен заманда, бір данышпан кісі", "Būryñğy ötken zamanda, bır danyşpan kısı"),
        ("Бағдат шаһарының бір үлкен қазысының үйіне", "Bağdat şaharynyñ bır ülken qazysynyñ üiıne"),
        ("сый беріп, орнымда қалайын", "syi berıp, ornymda qalaiyn"),
        ("Қазақстан", "Qazaqstan"),
        ("Түркі мемлекеттері ұйымы", "Türkı memleketterı ūiymy"),
        ("Ыстамбұл", "Ystambūl"),
        ("Иран", "İran"),
        ("Әзербайжан", "Äzerbaijan"),
        ("Ресей", "Resei"),
        ("КСРО", "KSRO"),
        ("ТМҰ", "TMŪ"),
        ("Шанхай ынтымақтастық ұйымы", "Şanhai yntymaqtastyq ūiymy"),
        ("Чехия", "Chehiia"),
        ("ЧЕХИЯ", "CHEHİİA"),
        ("Цюрих", "Tsiurih"),
        ("Il Giornale (Италия)", "Il Giornale (İtaliia)"),
    ],
)
def test_kazakh_cyrillic_to_latin_2021(cyrillic, latin):
    from otsgraph.transliterate import kk_latn

    assert kk_latn(cyrillic) == latin


def test_kk_latn_file_is_what_the_transliteration_generates():
    from otsgraph.transliterate import kk_latn_turtle

    shipped = (REPO / "data" / "labels" / "kk-latn.ttl").read_text(encoding="utf-8")
    assert shipped == kk_latn_turtle(REPO), "run: .venv/bin/python -m otsgraph.transliterate"


def test_every_kazakh_label_has_its_latin_form_in_the_build(shipped_build):
    from otsgraph.transliterate import kk_latn

    rows = shipped_build.store.query(
        """SELECT ?s ?kk ?latn WHERE {
             ?s <http://www.w3.org/2000/01/rdf-schema#label> ?kk FILTER(LANG(?kk) = "kk")
             FILTER(STRSTARTS(STR(?s), "https://w3id.org/otsgraph/"))
             OPTIONAL { GRAPH <https://w3id.org/otsgraph/graph/labels> {
               ?s <http://www.w3.org/2000/01/rdf-schema#label> ?latn
               FILTER(LANGMATCHES(LANG(?latn), "kk-Latn")) } }
           }""",
        use_default_graph_as_union=True,
    )
    rows = list(rows)
    assert len(rows) > 400
    missing = [r["s"].value for r in rows if r["latn"] is None]
    assert not missing, missing[:10]
    wrong = [r["s"].value for r in rows if r["latn"].value != kk_latn(r["kk"].value)]
    assert not wrong, wrong[:10]
