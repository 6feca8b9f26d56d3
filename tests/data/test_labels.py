"""The project's labels (data/labels/, graph:labels): loaded apart from the article's wording, in the
default union, data to writes (deletable; revert and rebuild restore), seen by reasoning and
validation (docs/languages.md)."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from conftest import REPO
from otsgraph.core.graphs import (
    ADDITIONS,
    ASSERTED_DATA,
    DEFAULT_GRAPHS,
    READ_ONLY_GRAPHS,
    REASONED,
    SHIPPED_GRAPHS,
    VISIBLE,
)
from otsgraph.core.loading import Layout, LoadError, load_sources
from otsgraph.core.namespaces import Graphs

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
    from otsgraph.core.graphs import REASONED_GRAPHS

    assert (
        ox.NamedNode("http://e/x"),
        RDFS_LABEL,
        ox.Literal("Kazakistan", language="tr"),
    ) in sources.triples(*REASONED_GRAPHS)


def test_a_bad_labels_file_is_located(tmp_path):
    root = _project(tmp_path, '<http://e/x> <http://e/p> "unterminated .\n')
    with pytest.raises(LoadError, match=r"tr\.ttl:1:"):
        load_sources(Layout(root))


def test_the_labels_graph_is_shipped_in_the_union_as_data_and_validated():
    assert LABELS in DEFAULT_GRAPHS and LABELS in SHIPPED_GRAPHS
    assert LABELS in ASSERTED_DATA and LABELS not in READ_ONLY_GRAPHS  # a write treats it as data
    assert LABELS in REASONED and LABELS in VISIBLE


# ---- Kazakh in the 2021 Latin alphabet ----------------------------------------------------------

KAZAKH_CYRILLIC = "аәбвгғдеёжзийкқлмнңоөпрстуұүфхһцчшщъыіьэюя"
#: the 31 letters of the 2021 alphabet (lower case)
LATIN_2021 = set("aäbdefgğhıijklmnñoöpqrsştuūüvyz")


def test_the_table_covers_every_kazakh_cyrillic_letter_with_letters_of_the_2021_alphabet():
    from otsgraph.pipeline.transliterate import KAZAKH_LATIN_2021

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
    from otsgraph.pipeline.transliterate import kk_latn

    assert kk_latn(cyrillic) == latin


def test_kk_latn_file_is_what_the_transliteration_generates():
    from otsgraph.pipeline.transliterate import kk_latn_turtle

    shipped = (REPO / "data" / "labels" / "kk-latn.ttl").read_text(encoding="utf-8")
    assert shipped == kk_latn_turtle(REPO), "run: .venv/bin/python -m otsgraph.pipeline.transliterate"


def test_every_kazakh_label_has_its_latin_form_in_the_build(shipped_build):
    from otsgraph.pipeline.transliterate import kk_latn

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


# ---- the project's labels in the shipped graph -----------------------------------------------------

RES = "https://w3id.org/otsgraph/resource/"
OTS = "https://w3id.org/otsgraph/ontology/"
PREFIXES = """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX owl: <http://www.w3.org/2002/07/owl#> PREFIX graph: <https://w3id.org/otsgraph/graph/>
PREFIX res: <https://w3id.org/otsgraph/resource/> PREFIX ots: <https://w3id.org/otsgraph/ontology/>
"""


def _select(build, query: str) -> list:
    return list(build.store.query(PREFIXES + query))


def _entities(build) -> set[str]:
    rows = _select(build, "SELECT DISTINCT ?s WHERE { GRAPH graph:asserted { ?s a ?type } }")
    return {r["s"].value for r in rows if r["s"].value.startswith(RES)}


def _terms(build) -> set[str]:
    rows = _select(
        build,
        """SELECT DISTINCT ?s WHERE { GRAPH graph:ontology { ?s a ?kind }
             VALUES ?kind { owl:Class owl:ObjectProperty owl:DatatypeProperty owl:AnnotationProperty } }""",
    )
    return {r["s"].value for r in rows if r["s"].value.startswith(OTS)}


def _labels(build, lang: str, graph: str = "graph:labels") -> dict[str, list[str]]:
    rows = _select(
        build,
        f"""SELECT ?s ?label WHERE {{ GRAPH {graph} {{ ?s rdfs:label ?label }}
              FILTER(LANG(?label) = "{lang.lower()}" || LANG(?label) = "{lang}") }}""",
    )
    found: dict[str, list[str]] = {}
    for r in rows:
        found.setdefault(r["s"].value, []).append(r["label"].value)
    return found


def test_every_entity_and_every_term_has_one_turkish_label(shipped_build):
    turkish = _labels(shipped_build, "tr")
    entities, terms = _entities(shipped_build), _terms(shipped_build)
    assert len(entities) >= 300 and len(terms) >= 140
    missing = sorted((entities | terms) - set(turkish))
    assert not missing, missing
    assert all(len(turkish[s]) == 1 for s in entities | terms)


@pytest.mark.parametrize(
    ("entity", "turkish"),
    [
        ("kazakhstan", "Kazakistan"),
        ("organization-of-turkic-states", "Türk Devletleri Teşkilatı"),
        ("azerbaijan", "Azerbaycan"),
        ("uzbekistan", "Özbekistan"),
        ("kyrgyzstan", "Kırgızistan"),
        ("nakhchivan", "Nahçıvan"),
        ("baku", "Bakü"),
        ("grand-national-assembly-of-turkey", "Türkiye Büyük Millet Meclisi"),
        ("office-president-of-kazakhstan", "Kazakistan Cumhurbaşkanı"),
    ],
)
def test_turkish_names_readers_use(shipped_build, entity, turkish):
    assert _labels(shipped_build, "tr").get(RES + entity) == [turkish]


def test_turkish_alternative_forms_people_type(shipped_build):
    rows = _select(
        shipped_build,
        'SELECT ?s ?alt WHERE { GRAPH graph:labels { ?s skos:altLabel ?alt FILTER(LANG(?alt) = "tr") } }',
    )
    alts = {(r["s"].value.removeprefix(RES), r["alt"].value) for r in rows}
    assert {("baku", "Bakı"), ("organization-of-turkic-states", "TDT"), ("northern-cyprus", "KKTC")} <= alts


@pytest.mark.parametrize(
    ("lang", "names"),
    [
        ("az", {"azerbaijan": "Azərbaycan", "baku": "Bakı", "nakhchivan": "Naxçıvan", "gabala": "Qəbələ"}),
        ("uz", {"uzbekistan": "Oʻzbekiston", "tashkent": "Toshkent", "samarkand": "Samarqand"}),
        (
            "ky",
            {
                "kyrgyzstan": "Кыргызстан",
                "bishkek": "Бишкек",
                "cholpon-ata": "Чолпон-Ата",
                "almazbek-atambayev": "Алмазбек Атамбаев",
                "office-president-of-kyrgyzstan": "Кыргыз Республикасынын Президенти",
            },
        ),
    ],
)
def test_states_own_names_for_their_state_capital_leaders_and_institutions(shipped_build, lang, names):
    found = _labels(shipped_build, lang)
    assert {entity: found.get(RES + entity, [None])[0] for entity in names} == names
    assert _labels(shipped_build, lang).get(
        RES + "organization-of-turkic-states"
    )  # the organisation they are in


def test_the_article_wording_stays_apart_from_the_project_labels(shipped_build):
    # graph:asserted keeps the article's Kazakh labels only; all other labels are the project's (graph:labels)
    rows = _select(
        shipped_build,
        """SELECT DISTINCT (LANG(?label) AS ?lang) WHERE {
             GRAPH graph:asserted { ?s ?p ?label } VALUES ?p { rdfs:label skos:altLabel } }""",
    )
    assert {r["lang"].value for r in rows} == {"kk"}
    rows = _select(
        shipped_build,
        """SELECT ?s WHERE { GRAPH graph:labels { ?s rdfs:label ?label } FILTER(LANG(?label) = "kk") }""",
    )
    assert not rows
    entities = _entities(shipped_build)
    for lang in ("en", "ru", "kk-Latn"):
        missing = entities - set(_labels(shipped_build, lang))
        assert not missing, (lang, sorted(missing)[:5])
    assert not entities - set(_labels(shipped_build, "kk", "graph:asserted"))


def test_the_labels_graph_is_described_as_the_projects_not_the_articles(shipped_build):
    rows = _select(
        shipped_build,
        """SELECT ?note WHERE { GRAPH graph:provenance {
             graph:labels a ots:CurationClaim ; skos:note ?note } }""",
    )
    assert len(rows) == 1 and "None of these labels is the article's" in rows[0]["note"].value


def test_a_project_label_is_data_to_a_write_deleted_and_restored_by_revert(tmp_path, tmp_path_factory):
    """A wrong label of the project's can be deleted like any shipped triple (a rebuild brings it
    back), the revert restores it in graph:labels, and a new label is an addition, not a shipped one."""
    from gate_support import gate_on, seeded_store_dir
    from otsgraph.gate.gate import change_from_quads

    gate = gate_on(seeded_store_dir(tmp_path, tmp_path_factory.getbasetemp()))
    kazakhstan = ox.NamedNode(RES + "kazakhstan")
    [shipped] = [
        q
        for q in gate.store.quads_for_pattern(kazakhstan, RDFS_LABEL, None, LABELS)
        if q.object.language == "tr"
    ]
    gate.commit(
        change_from_quads([], [ox.Quad(*shipped.triple, ox.DefaultGraph())]), "curator", "wrong label"
    )
    assert shipped not in gate.store
    [record] = gate.log()
    gate.revert(record.id, "curator")
    assert shipped in gate.store  # back in graph:labels, where it came from
    alt = ox.NamedNode("http://www.w3.org/2004/02/skos/core#altLabel")
    new = ox.Quad(kazakhstan, alt, ox.Literal("Kazak Yurdu", language="tr"), LABELS)
    gate.commit(change_from_quads([new]), "curator", "another Turkish name")
    assert ox.Quad(*new.triple, ADDITIONS) in gate.store and new not in gate.store


def test_a_new_fact_about_an_entity_is_validated_with_its_project_labels(tmp_path, tmp_path_factory):
    # the gate validates on the union: res:kazakhstan's en/ru labels (graph:labels) satisfy the label shapes
    from gate_support import gate_on, seeded_store_dir
    from otsgraph.gate.gate import change_from_quads

    gate = gate_on(seeded_store_dir(tmp_path, tmp_path_factory.getbasetemp()))
    alt = ox.NamedNode("http://www.w3.org/2004/02/skos/core#altLabel")
    quad = ox.Quad(
        ox.NamedNode(RES + "kazakhstan"), alt, ox.Literal("Qazaqstan", language="en"), ox.DefaultGraph()
    )
    report = gate.check(change_from_quads([quad]))
    assert report.conforms, [f.message for f in report.findings]


def test_stats_count_labels_per_language_and_source(shipped_build):
    from otsgraph.core.queries import load

    rows = shipped_build.store.query(load("stats", "labels-per-language"))
    counts = {(r["language"].value.lower(), r["source"].value): int(r["labels"].value) for r in rows}
    assert counts[("tr", "project (graph:labels)")] >= 305 + 140
    assert counts[("kk", "article")] >= 305
    assert (
        counts[("kk-latn", "project (graph:labels)")]
        == counts[("kk", "article")] + counts[("kk", "ontology terms")]
    )
    assert ("en", "article") not in counts and ("ru", "article") not in counts
