"""The ontology opens in the tools people use (issue 11, journey 3).

- HermiT (Protégé's default reasoner), through owlready2: the files under ontology/ themselves, every
  triple of them, are consistent and every class is satisfiable. owlready2 reads N-Triples, not Turtle,
  so each file is converted with rdflib, and the test checks that owlready2 holds every triple.
- The OWL 2 DL profile, with the OWL API's OWL2DLProfile (Debian's libowlapi-java): the program in
  tools/owl-profile/ is compiled with javac and run on the ontology files merged into one document.

Without Java or the OWL API these tests skip with the reason; under CI=true they fail (.ci/run installs
default-jdk-headless and libowlapi-java).
"""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

import pytest
import rdflib
from rdflib.namespace import OWL, RDF

from conftest import require

REPO = Path(__file__).resolve().parents[2]
ONTOLOGY_FILES = sorted((REPO / "ontology").glob("*.ttl"))
PROFILE_CHECK = REPO / "tools" / "owl-profile" / "ProfileCheck.java"
JAVA_LIB = Path("/usr/share/java")
#: the OWL API and the jars it needs at run time (the dependencies of Debian's libowlapi-java)
OWLAPI_JARS = [
    "owlapi-distribution.jar",
    "atinject-jsr330-api.jar",
    "caffeine.jar",
    "commons-codec.jar",
    "commons-io.jar",
    "commons-rdf-api.jar",
    "guava.jar",
    "hppcrt.jar",
    "jsr305.jar",
    "slf4j-api.jar",
    "xz.jar",
    "jackson-annotations.jar",
    "jackson-core.jar",
    "jackson-databind.jar",
    "httpclient.jar",
    "httpcore.jar",
    "commons-logging.jar",
]
#: the OWL API's parser registry also loads its RDF4J (Rio) parsers, and fails to find any without them
RDF4J_PATTERN = "rdf4j-*.jar"


def _java() -> str | None:
    return shutil.which("java")


def _graphs() -> list[tuple[Path, rdflib.Graph]]:
    return [(path, rdflib.Graph().parse(path, format="turtle")) for path in ONTOLOGY_FILES]


def test_hermit_finds_the_ontology_consistent_and_every_class_satisfiable(tmp_path):
    java = _java()
    require(
        java is not None, "java is not installed (HermiT runs on Java; apt-get install default-jdk-headless)"
    )
    import owlready2

    owlready2.JAVA_EXE = java
    started = time.monotonic()
    world = owlready2.World()
    for path, graph in _graphs():
        converted = tmp_path / (path.stem + ".nt")
        graph.serialize(converted, format="nt", encoding="utf-8")
        onto = world.get_ontology(converted.as_uri()).load()
        # owlready2 adds an ontology header to a file that has none; nothing else, and drops nothing
        header = 0 if any(graph.subjects(RDF.type, OWL.Ontology)) else 1
        held = sum(1 for _ in onto.get_triples())
        assert held == len(graph) + header, f"{path.name}: owlready2 holds {held} of {len(graph)} triples"
    classes = list(world.classes())
    assert len(classes) > 50, "HermiT would see the ontology's classes"
    try:
        with world.get_ontology("urn:otsgraph:test:inferred"):
            owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
    except owlready2.OwlReadyInconsistentOntologyError as error:  # pragma: no cover - the failure report
        pytest.fail(f"HermiT: the ontology is inconsistent: {error}")
    unsatisfiable = [c.iri for c in world.inconsistent_classes()]
    assert not unsatisfiable, f"classes equivalent to owl:Nothing: {unsatisfiable}"
    assert time.monotonic() - started < 60


def _owlapi_classpath() -> str | None:
    jars = [JAVA_LIB / name for name in OWLAPI_JARS]
    if not all(jar.exists() for jar in jars):
        return None
    jars += sorted(p for p in JAVA_LIB.glob(RDF4J_PATTERN) if not p.stem.split("-")[-1][:1].isdigit())
    nop = JAVA_LIB / "slf4j-nop.jar"  # silences SLF4J's "no binding" notice when present
    return ":".join(str(j) for j in [*jars, *([nop] if nop.exists() else [])])


@pytest.fixture(scope="module")
def profile_check(tmp_path_factory):
    """ProfileCheck compiled into a temporary folder: (java, classpath)."""
    javac, java = shutil.which("javac"), _java()
    require(
        javac is not None and java is not None,
        "javac is not installed (apt-get install default-jdk-headless)",
    )
    classpath = _owlapi_classpath()
    require(classpath is not None, "the OWL API is not installed (apt-get install libowlapi-java)")
    classes = tmp_path_factory.mktemp("owl-profile")
    compiled = subprocess.run(
        [javac, "-cp", classpath, "-d", str(classes), str(PROFILE_CHECK)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert compiled.returncode == 0, compiled.stderr
    return java, f"{classes}:{classpath}"


def _run_profile_check(profile_check, document: Path) -> subprocess.CompletedProcess:
    java, classpath = profile_check
    return subprocess.run(
        [java, "-cp", classpath, "ProfileCheck", str(document)],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_ontology_is_in_the_owl2_dl_profile(profile_check, tmp_path):
    graphs = _graphs()
    merged = rdflib.Graph()
    for _, graph in graphs:
        merged += graph
    # every triple of every file is in the document checked (blank nodes stay apart between files)
    assert len(merged) == len({t for _, g in graphs for t in g})
    document = tmp_path / "ontology.ttl"
    merged.serialize(document, format="turtle", encoding="utf-8")
    result = _run_profile_check(profile_check, document)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 OWL 2 DL profile violation(s)" in result.stdout


def test_the_profile_check_reports_violations(profile_check, tmp_path):
    """A planted failure: the program prints each violation and exits 1 (the test above can fail)."""
    document = tmp_path / "bad.ttl"
    document.write_text(
        """@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix ex: <https://example.org/> .
<https://example.org/o> a owl:Ontology .
ex:Link a owl:Class ; rdfs:subClassOf rdf:Statement .
ex:when a owl:DatatypeProperty ; rdfs:range xsd:date .
ex:Thing a owl:Class ; rdfs:subClassOf ex:Undeclared .
""",
        encoding="utf-8",
    )
    result = _run_profile_check(profile_check, document)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "UseOfReservedVocabularyForClassIRI" in result.stdout
    assert "UseOfUndeclaredDatatype" in result.stdout and "xsd:date" in result.stdout
    assert "UseOfUndeclaredClass" in result.stdout
