"""The pages a person uses: the query page, entity pages (linked data), /explain, /timeline,
/search and /downloads. Every value reaches the HTML through Jinja's autoescaping or, in SVG,
through markupsafe.escape; a Content-Security-Policy allows scripts and styles from this server only.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from email.utils import formatdate
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urljoin

import pyoxigraph as ox
from flask import Blueprint, Response, abort, jsonify, render_template, request

from otsgraph.core.namespaces import BASE, PREFIXES, Graphs
from otsgraph.core.queries import queries_in
from otsgraph.pipeline.docs_html import documentation

from ..errors import error_response, page_or_json, wants_page
from ..protocol.negotiation import PAGE_FORMATS, Format, NotAcceptable, choose_for_header
from ..state import state
from . import entity, explain, search, timeline
from .entity import SourceView, translation_for
from .i18n import COOKIE, LANGUAGE_NAMES, STRINGS, UI_LANGUAGES, current_lang, text, valid
from .links import compact, href, label_of, labels, per_version, site_root, view
from .quote_search import find_quotes

pages = Blueprint("pages", __name__)

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
DEFAULT_EXAMPLE = "summits-in-kazakhstan"
MAX_LABEL_REQUEST = 5000

# content negotiation of linked-data pages (negotiation.PAGE_FORMATS): the formats that carry named graphs
DATASETS = {"jsonld", "trig", "nquads"}
RDF_FORMATS = {f.name: f for f in PAGE_FORMATS if f.oxigraph is not None}
LICENCE = "https://creativecommons.org/licenses/by/4.0/"


# ------------------------------------------------------------------------------------- plumbing


@pages.context_processor
def _context() -> dict:
    """What every page's template needs (base.html); error_page passes it itself."""
    lang = current_lang()
    return {
        "lang": lang,
        "t": lambda key, **values: text(key, lang, **values),
        "languages": [(code, LANGUAGE_NAMES[code], _with_lang(code)) for code in UI_LANGUAGES],
        "root": site_root(),
        "q": request.args.get("q", ""),
    }


def _with_lang(code: str) -> str:
    """This page's URL in another language."""
    args = request.args.to_dict(flat=False)
    args["lang"] = [code]
    return f"{site_root()}{request.path}?{urlencode(args, doseq=True)}"


@pages.after_request
def _headers(response: Response) -> Response:
    if response.mimetype in ("text/html", "image/svg+xml"):
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.vary.add("Cookie")  # the language may come from the cookie
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    chosen = valid(request.args.get("lang"))
    if chosen and request.cookies.get(COOKIE) != chosen:
        response.set_cookie(COOKIE, chosen, max_age=365 * 24 * 3600, samesite="Lax", httponly=True)
    return response


def _page(template: str, status: int = 200, **values) -> Response:
    response = Response(render_template(template, **values), status=status, mimetype="text/html")
    return response


def error_page(status: int, message: str, iri: str | None = None) -> Response:
    """The site's HTML error page. errors.py also renders it for requests outside this blueprint
    (an unknown path, a 405), where neither the context processor nor _headers runs: so both here."""
    heading = {404: text("not_found"), 400: text("bad_request")}.get(status, text("error"))
    html = render_template("error.html", **_context(), heading=heading, message=message, iri=iri)
    response = Response(html, status=status, mimetype="text/html")
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.vary.add("Accept")
    return response


def _not_found(iri: str) -> Response:
    if wants_page():
        return error_page(404, text("not_found_text"), iri)
    return error_response(404, "not-found", f"the graph has nothing with the IRI <{iri}>")


def _bad_request(message: str) -> Response:
    return page_or_json(400, "bad-request", message)


def _wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


# ---------------------------------------------------------------------------------- the query page


@pages.route("/")
def index() -> Response:
    lang = current_lang()
    titles = example_titles(state().layout.examples_dir)
    examples = [
        {
            "name": x.name,
            "title": titles.get(x.name, {}).get(lang) or _title(x.text) or x.name,
            "text": x.text,
        }
        for x in queries_in(state().layout.examples_dir)
    ]
    chosen = request.args.get("example") or DEFAULT_EXAMPLE
    by_name = {x["name"]: x for x in examples}
    default = by_name.get(chosen) or by_name.get(DEFAULT_EXAMPLE) or (examples[0] if examples else None)
    query = request.args.get("query") or (
        default["text"] if default else "SELECT * WHERE { ?s ?p ?o } LIMIT 10"
    )
    autorun = "query" in request.args or "example" in request.args
    client = {
        "strings": {k: STRINGS[lang][k] for k in _CLIENT_STRINGS},
        "lang": lang,
        "root": site_root(),
        "prefixes": PREFIXES,
        "examples": {x["name"]: x["text"] for x in examples},
        "autorun": autorun,
    }
    return _page("index.html", examples=examples, query=query, client=client, example=default)


TITLES_FILE = "titles.json"


def example_titles(folder: Path) -> dict[str, dict[str, str]]:
    """The examples' titles in each interface language, from examples/titles.json
    ({name: {"en": …, "kk": …, "ru": …, "tr": …}}), kept apart from the .rq files so a query's
    translations do not crowd its header; {} when the file is absent or unreadable, and a name or
    language it lacks falls back to the query's own header line."""
    path = folder / TITLES_FILE
    try:
        stamp = path.stat().st_mtime_ns
    except OSError:
        return {}
    cached = _TITLES.get(path)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        data = {}
    titles = {
        name: {lang: value for lang, value in entry.items() if isinstance(value, str) and value.strip()}
        for name, entry in (data.items() if isinstance(data, dict) else [])
        if isinstance(entry, dict)
    }
    _TITLES[path] = (stamp, titles)
    return titles


_TITLES: dict[Path, tuple[int, dict[str, dict[str, str]]]] = {}


def _title(query: str) -> str:
    """The first line of the header comment: the question the example answers."""
    first = query.splitlines()[0] if query.strip() else ""
    return first.lstrip("#").strip() if first.startswith("#") else ""


_CLIENT_STRINGS = (
    "rows",
    "running",
    "error",
    "yes",
    "no",
    "no_results",
    "truncated",
    "download",
    "permalink",
    "subject",
    "property",
    "value",
)


@pages.route("/api/labels", methods=["POST"])
def api_labels() -> Response:
    """Labels and links for the IRIs of a result table: {"lang": "kk", "iris": [...]}."""
    body = _json_body()
    lang = valid(body.get("lang")) or current_lang()
    iris = body.get("iris")
    if (
        not isinstance(iris, list)
        or len(iris) > MAX_LABEL_REQUEST
        or not all(isinstance(x, str) for x in iris)
    ):
        return _bad_request(f"send {{'lang': 'en', 'iris': [...]}} with at most {MAX_LABEL_REQUEST} IRIs")
    known = labels()
    found = {iri: {"label": known.label(iri, lang) or compact(iri), "href": href(iri)} for iri in set(iris)}
    return jsonify(labels=found)


def _json_body() -> dict[str, Any]:
    """The request's JSON object; {} for anything else (the caller says what it wants). Not
    get_json: it lets a RecursionError (deep nesting) through, and a JSON string has no .get."""
    try:
        body = json.loads(request.get_data(cache=False))
    except (ValueError, RecursionError):
        return {}
    return body if isinstance(body, dict) else {}


# ---------------------------------------------------------------------------------- linked data


@pages.route("/resource/<path:name>")
def resource(name: str) -> Response:
    return _entity(f"{BASE}resource/{name}")


@pages.route("/ontology/<path:name>")
def ontology_term(name: str) -> Response:
    """A term's page. Asked for RDF, a 303 to the whole ontology in that format: the term's triples
    alone (a label, a domain) are no use to a tool that opens the IRI to load the ontology."""
    chosen = _negotiate()
    if chosen is None or chosen.name == "html":
        return _entity(f"{BASE}ontology/{name}")
    try:
        exists = entity.exists(ox.NamedNode(f"{BASE}ontology/{name}"))
    except ValueError:
        exists = False
    if not exists:
        return _entity(f"{BASE}ontology/{name}")
    response = Response(status=303)
    location = f"{site_root()}/ontology?{urlencode({'format': chosen.name})}"
    response.headers["Location"] = urljoin(request.url, location)  # absolute: every client follows it
    response.vary.add("Accept")
    return response


@pages.route("/ontology")
def ontology() -> Response:
    """The whole ontology (every triple of graph:ontology): its documentation, or RDF."""
    chosen = _negotiate()
    if chosen is None:
        return _not_acceptable()
    server = state()
    lang = current_lang()
    key = (
        server.version,
        server.modified,
        chosen.name,
        lang if chosen.name == "html" else "",
        site_root(),
        request.path,
    )
    etag = hashlib.blake2b(repr(key).encode(), digest_size=12).hexdigest()
    if _not_modified(etag, server.modified):
        response = Response(status=304)
    elif chosen.name == "html":
        doc = documentation(
            _ontology_triples(),
            lang,
            lambda key, **values: text(key, lang, **values),
            lambda iri: label_of(iri, lang),
        )
        response = _page("ontology.html", doc=doc, formats=_format_links(), term_href=_term_href)
    else:
        body = per_version(f"ontology.{chosen.name}", lambda: _ontology_body(chosen))
        response = Response(body, mimetype=chosen.media_type)
        if chosen.oxigraph is not ox.RdfFormat.RDF_XML:
            response.mimetype_params["charset"] = "utf-8"
    response.set_etag(etag)
    response.headers["Last-Modified"] = formatdate(server.modified, usegmt=True)
    response.headers["Cache-Control"] = "no-cache"
    response.vary.add("Accept")
    return response


def _ontology_triples() -> list[ox.Triple]:
    def read() -> list[ox.Triple]:
        graph = ox.NamedNode(str(Graphs.ONTOLOGY))
        return [
            ox.Triple(q.subject, q.predicate, q.object)
            for q in state().store.quads_for_pattern(None, None, None, graph)
        ]

    return per_version("ontology.triples", read)


def _ontology_body(fmt: Format) -> bytes:
    """The ontology graph serialised: as plain triples, or in graph:ontology for TriG and N-Quads."""
    triples = _ontology_triples()
    if fmt.name in ("trig", "nquads"):
        graph = ox.NamedNode(str(Graphs.ONTOLOGY))
        items: list = [ox.Quad(t.subject, t.predicate, t.object, graph) for t in triples]
    else:
        items = triples
    prefixes = (
        PREFIXES if fmt.oxigraph in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG, ox.RdfFormat.RDF_XML) else None
    )
    return ox.serialize(items, format=fmt.oxigraph, prefixes=prefixes) or b""


def _term_href(ref) -> str | None:
    """Where the documentation links a term: our own terms to their anchor on the page."""
    if ref.local:
        return f"#{ref.local}"
    return href(ref.iri) if ref.iri else None


def _not_modified(etag: str, modified: float) -> bool:
    """Does the client's copy (If-None-Match, else If-Modified-Since) still hold?"""
    if request.if_none_match:
        return request.if_none_match.contains_weak(etag)
    since = request.if_modified_since
    return since is not None and int(modified) <= since.timestamp()


@pages.route("/claim/<path:name>")
def claim(name: str) -> Response:
    return _entity(f"{BASE}claim/{name}")


def _negotiate() -> Format | None:
    """One of PAGE_FORMATS (?format= first, then Accept; HTML for no Accept and for */*), or None."""
    try:
        return choose_for_header(PAGE_FORMATS, request.args.get("format"), request.headers.get("Accept"))
    except NotAcceptable:
        return None


def _not_acceptable() -> Response:
    offered = ", ".join(f.media_type for f in PAGE_FORMATS)
    response = page_or_json(406, "not-acceptable", f"this page can be: {offered}")
    response.vary.add("Accept")
    return response


def _format_links() -> list[tuple[str, str, str]]:
    return [
        (f.name, f"{site_root()}{request.path}?{urlencode({'format': f.name})}", f.media_type)
        for f in RDF_FORMATS.values()
    ]


def _entity(iri: str) -> Response:
    try:
        term = ox.NamedNode(iri)
    except ValueError:  # not an IRI at all (a space, a '<'): nothing in the graph has it
        return _not_found(iri)
    chosen = _negotiate()
    if chosen is None:
        return _not_acceptable()
    if not entity.exists(term):
        response = _not_found(iri)
    elif chosen.name == "html":
        lang = current_lang()
        data = entity.page(term, lang)
        response = _page("entity.html", page=data, formats=_format_links(), iri_view=view(term, lang))
    else:
        fmt = chosen.oxigraph
        items = entity.entity_quads(term) if chosen.name in DATASETS else entity.entity_triples(term)
        prefixes = PREFIXES if fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG, ox.RdfFormat.RDF_XML) else None
        body = ox.serialize(items, format=fmt, prefixes=prefixes)
        response = Response(body, mimetype=chosen.media_type)
        if fmt is not ox.RdfFormat.RDF_XML:
            response.mimetype_params["charset"] = "utf-8"
    response.vary.add("Accept")
    return response


# ---------------------------------------------------------------------------------------- explain


@pages.route("/explain")
def explain_page() -> Response:
    """Why a triple holds. Without parameters, the form; with a subject alone, its inferred facts."""
    typed = {name: request.args.get(name, "")[: explain.MAX_TERM + 1] for name in ("s", "p", "o")}
    # a blank node's label (an inferred type that is a restriction) means nothing to a reader: not shown
    shown = {name: "" if value.strip().startswith("_:") else value for name, value in typed.items()}
    form = {"form": shown, "prefixes": PREFIXES}
    if not any(request.args.get(name, "").strip() for name in ("s", "p", "o")):
        return _page("explain.html", steps=[], found=None, **form)
    try:
        if not typed["p"].strip() and not typed["o"].strip():
            return _explain_subject(explain.parse_term(typed["s"], "s", literal_ok=False), form)
        triple = (
            explain.parse_term(typed["s"], "s", literal_ok=False),
            explain.parse_term(typed["p"], "p", literal_ok=False),
            explain.parse_term(typed["o"], "o", literal_ok=True),
        )
    except explain.BadTerm as err:
        return _explain_error(400, "bad-request", str(err), form)
    lang = current_lang()
    found = explain.status(triple)
    steps = explain.explain(triple) if found == "inferred" else []
    if _wants_json():
        response = jsonify(
            triple=[str(x) for x in triple],
            status=found,
            steps=[{"depth": x.depth, "triple": [str(t) for t in x.triple], "rule": x.rule} for x in steps],
        )
        response.status_code = 404 if found == "unknown" else 200
        return response
    shown = []
    for step in steps or [explain.Step(0, triple, found)]:
        sources = entity.rows(entity.facts(s=step.triple[0], p=step.triple[1], o=step.triple[2]), lang)
        shown.append(
            {
                "depth": step.depth,
                "terms": [view(t, lang) for t in step.triple],
                "rule": step.rule,
                "rule_text": text(f"rule_{step.rule}", lang) if f"rule_{step.rule}" in STRINGS[lang] else "",
                "sources": [s for row in sources for s in row.sources],
                "kinds": sorted({k for row in sources for k in row.kinds}),
            }
        )
    return _page("explain.html", 404 if found == "unknown" else 200, steps=shown, found=found, **form)


def _explain_error(status: int, kind: str, message: str, form: dict) -> Response:
    """A bad or unknown term: JSON for API clients, else the form again with the message."""
    if _wants_json() or not wants_page():
        return error_response(status, kind, message)
    return _page("explain.html", status, steps=[], found=None, error=message, **form)


def _explain_subject(subject: ox.NamedNode, form: dict) -> Response:
    """The inferred facts about `subject`, each linked to its explanation."""
    lang = current_lang()
    if not entity.exists(subject):
        return _explain_error(404, "not-found", f"the graph has nothing with the IRI <{subject.value}>", form)
    inferred = [row for row in entity.rows(entity.facts(s=subject), lang) if row.explain]
    if _wants_json():
        return jsonify(subject=str(subject), inferred=[row.explain for row in inferred])
    return _page("explain.html", steps=[], found=None, subject=view(subject, lang), inferred=inferred, **form)


# ---------------------------------------------------------------------------------------- timeline


def _timeline_svg(lang: str) -> str:
    words = {key: text(key, lang) for key in ("kind_summit", "kind_visit", "kind_agreement")}
    return timeline.draw(timeline.marks(), lang, words, text("timeline_heading", lang))


@pages.route("/timeline")
def timeline_page() -> Response:
    return _page("timeline.html", picture=_timeline_svg(current_lang()))


@pages.route("/timeline.svg")
def timeline_svg() -> Response:
    body = '<?xml version="1.0" encoding="UTF-8"?>\n' + str(_timeline_svg(current_lang()))
    return Response(body, mimetype="image/svg+xml")


# ------------------------------------------------------------------------------------------ search


@pages.route("/search")
def search_page() -> Response:
    query = request.args.get("q", "")[:200]
    lang = current_lang()
    hits = search.search(query)
    quotes = find_quotes(query)
    if _wants_json():
        return jsonify(
            query=query,
            quotes=[
                {
                    "claim": q.claim,
                    "quote": q.quote.value,
                    "lang": q.quote.language,
                    "translations": {t.language: t.value for t in q.translations},
                }
                for q in quotes
            ],
            results=[
                {
                    "iri": h.iri,
                    "label": label_of(h.iri, lang),
                    "matched": h.label.value,
                    "lang": h.label.language,
                    "score": round(h.score, 1),
                    "match": h.match,  # the one hit at or above the shared threshold, if any
                }
                for h in hits
            ],
        )
    results = [
        {
            "entity": view(ox.NamedNode(h.iri), lang),
            "matched": h.label.value,
            "matched_lang": h.label.language,
            "match": h.match,
        }
        for h in hits
    ]
    found = [
        SourceView(
            view(ox.NamedNode(q.claim), lang),
            q.quote.value,
            q.quote.language,
            None,
            None,
            translation_for(q.quote, q.translations, lang),
        )
        for q in quotes
    ]
    return _page("search.html", query=query, results=results, quotes=found)


# --------------------------------------------------------------------------------------- downloads


DUMPS = {
    "otsgraph.nq": (ox.RdfFormat.N_QUADS, "application/n-quads"),
    "otsgraph.trig": (ox.RdfFormat.TRIG, "application/trig"),
}


@pages.route("/downloads")
def downloads() -> Response:
    return _page("downloads.html", files=list(DUMPS), licence=LICENCE)


@pages.route("/downloads/<name>")
def download(name: str) -> Response:
    if name not in DUMPS:
        abort(404)
    fmt, media_type = DUMPS[name]
    store = state().store
    response = Response(_dump(store, fmt), mimetype=media_type)
    response.mimetype_params["charset"] = "utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _dump(store: ox.Store, fmt: ox.RdfFormat) -> Iterator[bytes]:
    """The store graph by graph, so the answer streams; the licence in a leading comment."""
    yield (
        "# otsgraph: the Organization of Turkic States knowledge graph, every named graph.\n"
        f"# Licence: CC BY 4.0 ({LICENCE}).\n"
    ).encode()
    trig = fmt is ox.RdfFormat.TRIG
    if trig:
        yield "".join(f"@prefix {p}: <{iri}> .\n" for p, iri in PREFIXES.items()).encode()
    graphs = sorted(store.named_graphs(), key=str)
    for graph in [ox.DefaultGraph(), *graphs]:
        quads = list(store.quads_for_pattern(None, None, None, graph))
        if not quads:
            continue
        chunk = ox.serialize(quads, format=fmt, prefixes=PREFIXES if trig else None)
        if trig:  # the prefixes were declared once above
            chunk = b"".join(
                line for line in chunk.splitlines(keepends=True) if not line.startswith(b"@prefix ")
            )
        yield chunk
