"""Packaging (issue 11, journey 2): where inputs and outputs are, a root without the inputs, /health of an
empty graph, and what the wheel and the sdist hold. The whole journey, a wheel installed into a fresh
venv, is tests/journeys/test_install_journey.py."""

from __future__ import annotations

import email
import os
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests

import otsgraph
from otsgraph.cli import main
from otsgraph.core import loading
from otsgraph.core.loading import Layout, MissingInputs, load_sources
from otsgraph.server import create_app
from otsgraph.server.state import ServerConfig, ServerState
from serve_command import serve_command

REPO = Path(__file__).resolve().parents[2]
CURATED = ("ontology", "data", "shapes", "examples")

# ------------------------------------------------------------------------------ where things are


@pytest.fixture
def no_home(monkeypatch):
    monkeypatch.delenv("OTSGRAPH_HOME", raising=False)


def test_root_option_holds_inputs_and_outputs(tmp_path, monkeypatch):
    monkeypatch.setenv("OTSGRAPH_HOME", "/elsewhere")  # --root wins
    layout = Layout.resolve(str(tmp_path))
    assert (layout.root, layout.build_dir, layout.origin) == (tmp_path, tmp_path / "build", "--root")
    assert layout.ontology_dir == tmp_path / "ontology" and layout.examples_dir == tmp_path / "examples"


def test_otsgraph_home_holds_inputs_and_outputs(tmp_path, monkeypatch):
    monkeypatch.setenv("OTSGRAPH_HOME", str(tmp_path))
    layout = Layout.resolve(None)
    assert (layout.root, layout.build_dir, layout.origin) == (tmp_path, tmp_path / "build", "$OTSGRAPH_HOME")


def test_a_checkout_is_its_own_root(no_home, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the current folder does not matter in a checkout
    layout = Layout.default()
    assert (layout.root, layout.build_dir, layout.origin) == (REPO, REPO / "build", "checkout")


def test_an_installed_package_reads_its_copy_and_writes_in_the_current_folder(no_home, tmp_path, monkeypatch):
    site = tmp_path / "venv" / "lib" / "python3.11" / "site-packages" / "otsgraph"
    monkeypatch.setattr(loading, "PACKAGE", site)
    monkeypatch.setattr(loading, "SHIPPED", site / "_shipped")
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    layout = Layout.default()
    assert layout.root == site / "_shipped" and layout.origin == "package" and layout.shipped
    assert layout.build_dir == work / "otsgraph-build"
    assert site not in layout.build_dir.parents  # never in site-packages
    # the code's own, always
    assert layout.queries_dir == Path(loading.__file__).resolve().parents[1] / "queries"


def test_the_default_layout_of_the_code_keeps_working(tmp_path):
    """Layout(root) as the tests, the bench and the server jobs make it: inputs and outputs in root."""
    layout = Layout(tmp_path)
    assert layout.build_dir == tmp_path / "build" and not layout.shipped


# ------------------------------------------------------------------------------ a root with no inputs


def test_an_empty_root_is_an_error_naming_what_is_missing(tmp_path):
    with pytest.raises(MissingInputs) as caught:
        load_sources(Layout.resolve(str(tmp_path)))
    message = str(caught.value)
    assert message.startswith(f"no ontology/, data/ or shapes/ (with .ttl or .trig files) under {tmp_path}")
    assert "--root DIR" in message and "$OTSGRAPH_HOME" in message and "docs/install.md" in message


def test_a_root_with_only_the_ontology_names_the_rest(tmp_path):
    (tmp_path / "ontology").mkdir()
    (tmp_path / "ontology" / "o.ttl").write_text((REPO / "ontology" / "otsgraph.ttl").read_text("utf-8"))
    (tmp_path / "data").mkdir()  # a folder without RDF files is no data
    with pytest.raises(MissingInputs, match=r"^no data/ or shapes/ \(with \.ttl or \.trig files\)") as caught:
        load_sources(Layout(tmp_path))
    assert caught.value.missing == ["data", "shapes"]


@pytest.mark.parametrize("command", [["build"], ["build", "--no-write"], ["docs"], ["serve", "--port", "0"]])
def test_commands_exit_2_on_an_empty_root_and_write_nothing(tmp_path, capsys, command):
    assert main([*command, "--root", str(tmp_path), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert f"Load error: no ontology/, data/ or shapes/ (with .ttl or .trig files) under {tmp_path}" in err
    assert "Traceback" not in err
    assert list(tmp_path.iterdir()) == []  # no build/, no store


def test_otsgraph_home_on_an_empty_folder_is_named_in_the_error(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("OTSGRAPH_HOME", str(tmp_path))
    assert main(["build", "--quiet"]) == 2
    assert f"under {tmp_path} (from $OTSGRAPH_HOME)" in capsys.readouterr().err


# ------------------------------------------------------------------------------ /health


def test_health_of_an_empty_served_graph_is_503_degraded():
    config = ServerConfig(executor="thread")
    state = ServerState(ox.Store(), None, Layout(REPO), config)
    app = create_app(config, server_state=state)
    try:
        response = app.test_client().get("/health")
    finally:
        state.close()
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "degraded" and body["triples"] == 0
    assert "empty" in body["reason"] and "--empty" in body["reason"]
    assert response.headers["Cache-Control"] == "no-store"


def test_health_of_serve_empty_is_200_ok(tmp_path):
    with serve_command("--empty", "--workers", "1", log=tmp_path / "serve.log") as url:
        response = requests.get(url + "/health", timeout=30)
    assert response.status_code == 200
    assert response.json()["status"] == "ok" and response.json()["triples"] == 0


# ------------------------------------------------------------------------------ the wheel and the sdist


def _build(kind: str, out: Path, source: Path = REPO) -> Path:
    """A wheel (pip, no isolation, no index: hatchling is in the dev venv) or an sdist (hatchling)."""
    if kind == "wheel":
        command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index"]
        command += ["-q", "-w", str(out), str(source)]
    else:
        command = [sys.executable, "-m", "hatchling", "build", "-t", kind, "-d", str(out)]
    env = {**os.environ, "PIP_NO_INDEX": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1"}  # pip never reaches out
    done = subprocess.run(command, capture_output=True, text=True, cwd=source, env=env, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    (built,) = out.glob("*.whl" if kind == "wheel" else "*.tar.gz")
    return built


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    return _build("wheel", tmp_path_factory.mktemp("wheel"))


def _tracked(folder: str) -> list[str]:
    done = subprocess.run(["git", "ls-files", folder], capture_output=True, text=True, cwd=REPO, check=True)
    return done.stdout.split()


def test_the_wheel_ships_the_curated_files_the_queries_and_the_server_files(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for folder in CURATED:
        tracked = _tracked(folder)
        assert tracked, folder
        missing = [f for f in tracked if f"otsgraph/_shipped/{f}" not in names]
        assert not missing, f"not in the wheel: {missing}"
    package = REPO / "src" / "otsgraph"
    for pattern in ("queries/**/*.rq", "server/templates/*", "server/static/*"):
        files = [p.relative_to(package.parent).as_posix() for p in package.glob(pattern)]
        assert files, pattern
        assert not [f for f in files if f not in names], pattern
    info = f"otsgraph-{otsgraph.__version__}.dist-info"
    assert {f"{info}/licenses/LICENSE", f"{info}/extra_metadata/CITATION.cff"} <= names
    assert not [n for n in names if "__pycache__" in n or "/build/" in n or "000_08e2fca3cbf5709b" in n]


def test_the_wheel_metadata_gives_version_licences_and_the_citation(wheel):
    archive = zipfile.ZipFile(wheel)
    info = f"otsgraph-{otsgraph.__version__}.dist-info"
    metadata = email.message_from_bytes(archive.read(f"{info}/METADATA"))
    assert metadata["Version"] == otsgraph.__version__
    assert metadata["License-Expression"] == "MIT AND CC-BY-4.0"  # code MIT, ontology and data CC BY 4.0
    assert metadata["License-File"] == "LICENSE"
    assert "Data licence, https://creativecommons.org/licenses/by/4.0/" in metadata.get_all("Project-URL")
    citation = archive.read(f"{info}/extra_metadata/CITATION.cff").decode("utf-8")
    assert f"version: {otsgraph.__version__}\n" in citation
    assert "- CC-BY-4.0" in citation and "type: article" in citation
    assert "Kazakhstan and Turkey in the formation of the Organization of Turkic States" in citation


def test_the_citation_is_no_part_of_the_article(wheel):
    """A citation, never the article's text: no line of the article is in the metadata."""
    from otsgraph.pipeline.article import ArticleNotFound, normalise, normalised_text

    try:
        article = normalised_text()
    except ArticleNotFound as error:
        pytest.skip(str(error))
    archive = zipfile.ZipFile(wheel)
    info = f"otsgraph-{otsgraph.__version__}.dist-info"
    for name in (f"{info}/METADATA", f"{info}/extra_metadata/CITATION.cff"):
        text = normalise(archive.read(name).decode("utf-8"))
        words = text.split()
        runs = {" ".join(words[i : i + 8]) for i in range(len(words) - 7)}
        assert not [r for r in runs if r in article and "Organization of Turkic States" not in r], name


def test_the_sdist_holds_what_a_wheel_build_needs(tmp_path):
    sdist = _build("sdist", tmp_path / "sdist")
    with tarfile.open(sdist) as archive:
        archive.extractall(tmp_path / "unpacked", filter="data")
    (source,) = (tmp_path / "unpacked").iterdir()
    for name in (*CURATED, "src/otsgraph/queries", "LICENSE", "CITATION.cff", "README.md", "pyproject.toml"):
        assert (source / name).exists(), name
    assert not (source / "build").exists() and not (source / ".venv").exists()
    rebuilt = zipfile.ZipFile(_build("wheel", tmp_path / "wheel", source)).namelist()
    assert "otsgraph/_shipped/ontology/otsgraph.ttl" in rebuilt
    assert "otsgraph/_shipped/examples/summits-in-kazakhstan.rq" in rebuilt


def test_link_never_writes_into_the_packages_copy(tmp_path, capsys):
    """Reconciled links go to data/links/ under the inputs; the package's copy is read-only."""
    from otsgraph.cli import parser
    from otsgraph.wikidata.command import run as run_link

    shipped = Layout(REPO, output=tmp_path / "otsgraph-build", origin="package")
    args = parser().parse_args(["link", "--offline"])
    assert run_link(args, shipped) == 2
    err = capsys.readouterr().err
    assert "read-only copy" in err and "--out FILE" in err
