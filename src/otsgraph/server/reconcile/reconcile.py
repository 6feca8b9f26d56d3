"""/reconcile: the W3C Entity Reconciliation API, so that OpenRefine and other clients can match
names against the graph and get its IRIs (and linked Wikidata QIDs) back. See docs/reconcile.md.

Two service roots share the matching (reconcile_catalogue.py); only their manifests and wire
formats differ, because the two versions' manifests cannot be one document (0.2 describes
suggest services as objects, 1.0-draft as booleans):
- /reconcile             version 0.2 (what OpenRefine speaks): `queries=` batches keyed q0..qn,
                         JSONP, suggest/flyout/preview/view, data extension by `extend=`;
- /reconcile/1.0-draft   the 1.0 draft: POST /match with {"queries": [...]}, suggest, preview,
                         view, POST /extend and /extend/propose.
Every answer carries CORS headers. Bad input gets a 400 JSON error {"error", "message", "where"}.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from typing import Any

import pyoxigraph as ox
from flask import Blueprint, Response, jsonify, redirect, render_template, request

from otsgraph import __version__
from otsgraph.core.namespaces import LANGUAGES, OTS, RES

from ..pages.links import href, labels
from ..protocol.sparql import public_base
from . import catalogue as cat

reconcile = Blueprint("reconcile", __name__)

LEGACY = "/reconcile"  # version 0.2
DRAFT = "/reconcile/1.0-draft"
NAME = "otsgraph: Organization of Turkic States knowledge graph"
MAX_BATCH = 100  # queries in one batch (the manifests' batchSize)
MAX_EXTEND_IDS = 1000
MAX_EXTEND_PROPERTIES = 50
MAX_SUGGEST = 100
PREVIEW_SIZE = (430, 300)
DEFAULT_TYPES = ("State", "City", "Person", "InternationalOrganisation", "Summit", "Agreement")
_CALLBACK = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]{0,127}")
_CORS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
    "Access-Control-Allow-Headers": "Content-Type, Accept, Accept-Language",
}
_PREVIEW_CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"
_XSD = "http://www.w3.org/2001/XMLSchema#"
_ISO_DATETIME = re.compile(r"^-?\d{4,}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)?$")


class BadRequest(Exception):
    def __init__(self, message: str, where: str | None = None, status: int = 400, code: str = "bad-request"):
        super().__init__(message)
        self.message, self.where, self.status, self.code = message, where, status, code


# -------------------------------------------------------------------------------------- plumbing


def _error(status: int, code: str, message: str, where: str | None = None) -> Response:
    body = {"error": code, "message": message}
    if where:
        body["where"] = where
    response = jsonify(body)
    response.status_code = status
    return response


@reconcile.errorhandler(BadRequest)
def _bad_request(err: BadRequest) -> Response:
    return _error(err.status, err.code, err.message, err.where)


@reconcile.errorhandler(cat.BadQuery)
def _bad_query(err: cat.BadQuery) -> Response:
    return _error(400, "bad-query", err.message, err.where)


# other errors (404, 405, 413, unexpected ones) are JSON by the app's handlers (errors.py)


@reconcile.after_request
def _headers(response: Response) -> Response:
    response.headers.update(_CORS)  # the API requires CORS on every endpoint
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.vary.add("Accept-Language")
    return response


def _answer(payload: Any) -> Response:
    """JSON, or JSONP when a GET names a `callback` (OpenRefine's older clients use it)."""
    callback = request.args.get("callback")
    if callback is None or request.method != "GET":
        return jsonify(payload)
    if not _CALLBACK.fullmatch(callback):
        raise BadRequest(
            "callback must be a plain JavaScript identifier (letters, digits, _ or $, at most 128)",
            "callback",
        )
    # ASCII with \u escapes: a lone surrogate from the query cannot be encoded as UTF-8
    body = f"/**/{callback}({json.dumps(payload, ensure_ascii=True)});"
    return Response(body, mimetype="application/javascript")


def _base() -> str:
    return public_base().rstrip("/")


def _lang() -> str | None:
    """The language names are given in: ?lang=, else Accept-Language, else that of the match."""
    chosen = request.args.get("lang")
    if chosen in LANGUAGES:
        return chosen
    return request.accept_languages.best_match(LANGUAGES) if request.accept_languages else None


def _parameter(name: str) -> str | None:
    """A parameter from the query string or a form body."""
    value = request.args.get(name)
    if value is None and request.method == "POST" and request.mimetype != "application/json":
        value = request.form.get(name)
    return value


def _parse_json(text: str, where: str, named: str = "") -> Any:
    """JSON, or a 400 placed at `where` (its message names the text as `named`, by default `where`)."""
    named = named or where
    try:
        return json.loads(text)
    except json.JSONDecodeError as err:
        raise BadRequest(
            f"{named} is not valid JSON: {err.msg} at line {err.lineno} column {err.colno}", where
        ) from None
    except RecursionError:
        raise BadRequest(f"{named} nests arrays or objects too deeply", where) from None


def _json_body() -> Any:
    raw = request.get_data(cache=True)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise BadRequest(f"the body is not UTF-8 ({err.reason})", "body", code="bad-encoding") from None
    if not text.strip():
        raise BadRequest("the body is empty", "body")
    return _parse_json(text, "body", "the body")


def _int(value: Any, where: str, default: int, most: int, least: int = 1) -> int:
    """A whole number from `least` up; larger than `most` is cut to `most`."""
    if value is None:
        return default
    if isinstance(value, str):
        if not re.fullmatch(r"\s*\d{1,9}\s*", value):
            raise BadRequest(f"{where} must be a whole number from {least}, not {value[:50]!r}", where)
        value = int(value)
    number = isinstance(value, int | float) and not isinstance(value, bool)
    if not number or not math.isfinite(value) or value < least or value != int(value):
        raise BadRequest(f"{where} must be a whole number from {least}, not {json.dumps(value)}", where)
    return int(min(value, most))


def _kind(value: Any) -> str:
    return {dict: "an object", list: "an array", str: "a string", bool: "a boolean", type(None): "null"}.get(
        type(value), "a number"
    )


# ---------------------------------------------------------------------------------------- queries


def _types(value: Any, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    items = value if isinstance(value, list) else [value]
    found = []
    for i, item in enumerate(items):
        if isinstance(item, dict) and isinstance(item.get("id"), str):
            item = item["id"]
        if not isinstance(item, str):
            raise BadRequest(f"a type must be a type id (a string), not {_kind(item)}", f"{where}[{i}]")
        found.append(cat.resolve_type(item, where))
    return tuple(found)


def _values(value: Any, where: str) -> list:
    items = value if isinstance(value, list) else [value]
    for i, item in enumerate(items):
        if isinstance(item, dict):
            if not isinstance(item.get("id"), str) and not isinstance(item.get("name"), str):
                raise BadRequest("an entity value needs an 'id' or a 'name' (a string)", f"{where}[{i}]")
        elif not isinstance(item, str | int | float | bool):
            raise BadRequest(f"a property value cannot be {_kind(item)}", f"{where}[{i}]")
    if not items:
        raise BadRequest("a property condition needs at least one value", where)
    return items


def _legacy_query(value: Any, where: str) -> cat.Query:
    """A version 0.2 query: {query, type, type_strict, limit, properties: [{pid, v}]}."""
    if not isinstance(value, dict):
        raise BadRequest(f"a query must be a JSON object, not {_kind(value)}", where)
    name = value.get("query")
    if name is not None and not isinstance(name, str):
        raise BadRequest(f"'query' must be a string, not {_kind(name)}", f"{where}.query")
    properties = value.get("properties", [])
    if not isinstance(properties, list):
        raise BadRequest(f"'properties' must be an array, not {_kind(properties)}", f"{where}.properties")
    if name is None and not properties:
        raise BadRequest("a query needs a 'query' text or 'properties'", where)
    strict = value.get("type_strict")
    if strict is not None and strict not in ("any", "all", "should"):
        raise BadRequest("'type_strict' must be 'any', 'all' or 'should'", f"{where}.type_strict")
    conditions = []
    for i, prop in enumerate(properties):
        here = f"{where}.properties[{i}]"
        if not isinstance(prop, dict):
            raise BadRequest(f"a property condition must be an object, not {_kind(prop)}", here)
        pid = prop.get("pid", prop.get("p"))
        if not isinstance(pid, str):
            raise BadRequest("a property condition needs 'pid' (the property id, a string)", here)
        if "v" not in prop:
            raise BadRequest("a property condition needs 'v' (the value)", here)
        conditions.append(
            cat.Condition(cat.resolve_property(pid, f"{here}.pid"), _values(prop["v"], f"{here}.v"))
        )
    lang = value.get("lang")
    return cat.Query(
        name=name.strip() if isinstance(name, str) else None,
        types=_types(value.get("type"), f"{where}.type"),
        limit=_int(value.get("limit"), f"{where}.limit", cat.DEFAULT_LIMIT, cat.MAX_CANDIDATES),
        conditions=conditions,
        lang=lang if lang in LANGUAGES else None,
    )


_DRAFT_KEYS = {"conditions", "type", "limit", "lang", "dir"}
_CONDITION_KEYS = {
    "matchType",
    "propertyId",
    "propertyValue",
    "required",
    "matchQuantifier",
    "matchQualifier",
}


def _draft_query(value: Any, where: str) -> cat.Query:
    """A 1.0-draft query: {conditions: [{matchType, propertyId, propertyValue, ...}], type, limit}."""
    if isinstance(value, dict) and "conditions" not in value and ("query" in value or "properties" in value):
        return _legacy_query(value, where)  # a 0.2 query sent in a 1.0 batch: understood all the same
    if not isinstance(value, dict):
        raise BadRequest(f"a query must be a JSON object, not {_kind(value)}", where)
    unknown = sorted(set(value) - _DRAFT_KEYS)
    if unknown:
        raise BadRequest(f"unknown field(s) {', '.join(unknown)}; a query has {sorted(_DRAFT_KEYS)}", where)
    conditions = value.get("conditions")
    if not isinstance(conditions, list) or not conditions:
        raise BadRequest("'conditions' must be a non-empty array", f"{where}.conditions")
    if value.get("type") is not None and not isinstance(value.get("type"), str):
        raise BadRequest("'type' must be one type id (a string)", f"{where}.type")
    name, parsed = None, []
    for i, condition in enumerate(conditions):
        here = f"{where}.conditions[{i}]"
        if not isinstance(condition, dict):
            raise BadRequest(f"a condition must be an object, not {_kind(condition)}", here)
        unknown = sorted(set(condition) - _CONDITION_KEYS)
        if unknown:
            raise BadRequest(f"unknown field(s) {', '.join(unknown)} in a condition", here)
        match_type = condition.get("matchType")
        if match_type not in ("name", "property"):
            raise BadRequest("'matchType' must be 'name' or 'property'", f"{here}.matchType")
        if "propertyValue" not in condition:
            raise BadRequest("a condition needs 'propertyValue'", here)
        if condition.get("matchQualifier") is not None:
            raise BadRequest("this service supports no matchQualifier", f"{here}.matchQualifier")
        required = condition.get("required", False)
        if not isinstance(required, bool):
            raise BadRequest("'required' must be true or false", f"{here}.required")
        quantifier = condition.get("matchQuantifier", "any")
        if quantifier not in ("any", "all", "none"):
            raise BadRequest("'matchQuantifier' must be 'any', 'all' or 'none'", f"{here}.matchQuantifier")
        if match_type == "name":
            if name is not None:
                raise BadRequest("a query may have one name condition", here)
            text = condition["propertyValue"]
            if not isinstance(text, str):
                raise BadRequest("the value of a name condition must be a string", f"{here}.propertyValue")
            name = text.strip()
            continue
        pid = condition.get("propertyId")
        if not isinstance(pid, str):
            raise BadRequest("a property condition needs 'propertyId' (a string)", f"{here}.propertyId")
        values = _values(condition["propertyValue"], f"{here}.propertyValue")
        parsed.append(
            cat.Condition(cat.resolve_property(pid, f"{here}.propertyId"), values, required, quantifier)
        )
    lang = value.get("lang")
    return cat.Query(
        name=name,
        types=_types(value.get("type"), f"{where}.type"),
        limit=_int(value.get("limit"), f"{where}.limit", cat.DEFAULT_LIMIT, cat.MAX_CANDIDATES),
        conditions=parsed,
        lang=lang if lang in LANGUAGES else None,
    )


def _candidates(query: cat.Query) -> list[dict[str, Any]]:
    if query.name is not None and not query.name and not query.conditions:
        return []  # a blank cell: nothing to match
    found = []
    for candidate in cat.reconcile(query):
        lang = cat.display_language(candidate, query)
        entity = cat.catalogue().entities[candidate.iri]
        item: dict[str, Any] = {
            "id": candidate.iri,
            "name": cat.name_of(candidate.iri, lang),
            "description": cat.describe(candidate.iri, lang),
            "score": candidate.score,
            "match": candidate.match,
            "type": cat.type_refs(candidate.iri, lang),
            "features": _features(candidate, query),
        }
        if lang:
            item["lang"] = lang
        if entity.qids:
            item["wikidata"] = entity.qids[0]
        found.append(item)
    return found


def _features(candidate: cat.Candidate, query: cat.Query) -> list[dict[str, Any]]:
    features = []
    if candidate.name_score is not None:
        features.append({"id": "name", "name": "name similarity (0-100)", "value": candidate.name_score})
    if query.conditions:
        share = round(candidate.conditions_met / len(query.conditions), 3)
        features.append({"id": "properties", "name": "share of property conditions met", "value": share})
    return features


def _batch_size(count: int) -> None:
    if count > MAX_BATCH:
        raise BadRequest(
            f"the batch has {count} queries; send at most {MAX_BATCH} at once (the manifest's batchSize)",
            "queries",
            code="batch-too-large",
        )


def _legacy_batch(batch: Any) -> dict[str, Any]:
    if not isinstance(batch, dict):
        raise BadRequest(f"queries must be a JSON object keyed q0, q1 …, not {_kind(batch)}", "queries")
    _batch_size(len(batch))
    parsed = {key: _legacy_query(value, key) for key, value in batch.items()}  # all checked first
    return {key: {"result": _candidates(query)} for key, query in parsed.items()}


def _draft_batch(batch: Any) -> dict[str, Any]:
    if not isinstance(batch, list):
        raise BadRequest(f"'queries' must be an array of queries, not {_kind(batch)}", "queries")
    _batch_size(len(batch))
    parsed = [_draft_query(value, f"queries[{i}]") for i, value in enumerate(batch)]
    return {"results": [{"candidates": _candidates(query)} for query in parsed]}


def _body_batch() -> dict[str, Any]:
    """A JSON body: {"queries": [...]} (1.0 draft), {"queries": {"q0": ...}} or {"q0": ...} (0.2)."""
    body = _json_body()
    if not isinstance(body, dict):
        raise BadRequest(f"the body must be a JSON object, not {_kind(body)}", "body")
    if "queries" in body:
        queries = body["queries"]
        return _draft_batch(queries) if isinstance(queries, list) else _legacy_batch(queries)
    if "ids" in body:
        return _extension(body, legacy=True)
    return _legacy_batch(body)


# ------------------------------------------------------------------------------------- manifests


def _default_types(lang: str | None) -> list[dict[str, str]]:
    present = cat.catalogue().instances
    chosen = [str(OTS[name]) for name in DEFAULT_TYPES if str(OTS[name]) in present]
    return [{"id": iri, "name": cat.name_of(iri, lang)} for iri in chosen]


def _legacy_manifest() -> dict[str, Any]:
    base = _base()
    suggest = {
        kind: {"service_url": base, "service_path": f"{LEGACY}/suggest/{kind}"}
        for kind in ("entity", "type", "property")
    }
    suggest["entity"]["flyout_service_path"] = f"{LEGACY}/flyout/entity?id=${{id}}"
    return {
        "versions": ["0.1", "0.2"],
        "name": NAME,
        "identifierSpace": str(RES),
        "schemaSpace": str(OTS),
        "serviceVersion": __version__,
        "batchSize": MAX_BATCH,
        "defaultTypes": _default_types(_lang()),
        "view": {"url": f"{base}{LEGACY}/view?id={{{{id}}}}"},
        "preview": {
            "url": f"{base}{LEGACY}/preview?id={{{{id}}}}",
            "width": PREVIEW_SIZE[0],
            "height": PREVIEW_SIZE[1],
        },
        "suggest": suggest,
        "extend": {
            "propose_properties": {"service_url": base, "service_path": f"{LEGACY}/extend/propose"},
            "property_settings": [],
        },
    }


def _draft_manifest() -> dict[str, Any]:
    base = _base()
    return {
        "versions": ["1.0-draft"],
        "name": NAME,
        "serviceVersion": __version__,
        "batchSize": MAX_BATCH,
        "defaultTypes": _default_types(_lang()),
        "view": {"url": f"{base}{DRAFT}/view?id={{id}}"},
        "preview": {"width": PREVIEW_SIZE[0], "height": PREVIEW_SIZE[1]},
        "suggest": {"entity": True, "property": True, "type": True},
        "extend": {"proposeProperties": True, "propertySettings": []},
        "standardizedScore": True,
    }


# ---------------------------------------------------------------------------------------- routes


def _route(path: str, view: Callable, methods: list[str], endpoint: str, **defaults: str) -> None:
    """A route; other methods get the app's JSON 405 with Allow (errors.py)."""
    extra = {"defaults": defaults} if defaults else {}
    reconcile.add_url_rule(path, endpoint, view, methods=methods, **extra)


def legacy_root() -> Response:
    queries, extend, single = _parameter("queries"), _parameter("extend"), _parameter("query")
    if queries is not None:
        batch = _parse_json(queries, "queries")
        if isinstance(batch, dict) and isinstance(batch.get("queries"), list):
            return _answer(_draft_batch(batch["queries"]))
        return _answer(_draft_batch(batch) if isinstance(batch, list) else _legacy_batch(batch))
    if extend is not None:
        return _answer(_extension(_parse_json(extend, "extend"), legacy=True))
    if single is not None:  # version 0.1: one query, by itself or as JSON
        parsed = _parse_json(single, "query") if single.lstrip().startswith("{") else {"query": single}
        return _answer({"result": _candidates(_legacy_query(parsed, "query"))})
    if request.method == "POST":
        if request.mimetype == "application/json":
            return _answer(_body_batch())
        raise BadRequest("nothing to do: send queries= (a batch), extend= or a JSON body", "body")
    return _answer(_legacy_manifest())


def draft_root() -> Response:
    return _answer(_draft_manifest())


def draft_match() -> Response:
    if request.mimetype == "application/json":
        body = _json_body()
        if not isinstance(body, dict) or "queries" not in body:
            raise BadRequest('the body must be an object {"queries": [...]}', "body")
        return _answer(_draft_batch(body["queries"]))
    queries = _parameter("queries")
    if queries is None:
        raise BadRequest('send a JSON body {"queries": [...]} (or a form field queries=)', "body")
    return _answer(_draft_batch(_parse_json(queries, "queries")))


_route(LEGACY, legacy_root, ["GET", "POST"], "legacy_root")
_route(DRAFT, draft_root, ["GET"], "draft_root")
_route(f"{DRAFT}/match", draft_match, ["POST"], "draft_match")


def _both(path: str, methods: tuple[str, ...] = ("GET",)) -> Callable:
    """Register a view under both service roots."""

    def register(view: Callable) -> Callable:
        for root, name in ((LEGACY, "legacy"), (DRAFT, "draft")):
            _route(f"{root}{path}", view, list(methods), f"{name}_{view.__name__}", root=root)
        return view

    return register


def _window() -> tuple[int, int]:
    limit = _int(request.args.get("limit"), "limit", 10, MAX_SUGGEST)
    offset = _int(request.args.get("offset", request.args.get("cursor")), "offset", 0, 10**6, least=0)
    return offset, limit


def _prefix() -> str:
    prefix = request.args.get("prefix")
    if prefix is None:
        raise BadRequest("the parameter 'prefix' is required (it may be empty)", "prefix")
    return prefix[:200]


@_both("/suggest/entity")
def suggest_entity(root: str) -> Response:
    prefix, (offset, limit), lang = _prefix(), _window(), _lang()
    types = tuple(cat.resolve_type(t, "type") for t in request.args.getlist("type"))
    result = [
        {
            "id": iri,
            "name": cat.name_of(iri, lang),
            "description": cat.describe(iri, lang),
            "notable": cat.type_refs(iri, lang),
        }
        for iri in cat.suggest_entities(prefix, types)[offset : offset + limit]
    ]
    return _answer({"result": result})


@_both("/suggest/type")
def suggest_type(root: str) -> Response:
    prefix, (offset, limit), lang = _prefix(), _window(), _lang()
    counts = cat.catalogue().instances
    result = [
        {"id": iri, "name": cat.name_of(iri, lang), "description": f"{counts[iri]} entities"}
        for iri in cat.suggest_types(prefix)[offset : offset + limit]
    ]
    return _answer({"result": result})


@_both("/suggest/property")
def suggest_property(root: str) -> Response:
    prefix, (offset, limit), lang = _prefix(), _window(), _lang()
    result = [
        {"id": prop, "name": cat.property_name(prop, lang), "description": _property_note(prop)}
        for prop in cat.suggest_properties(prefix)[offset : offset + limit]
    ]
    return _answer({"result": result})


def _property_note(prop: str) -> str:
    if prop == cat.WIKIDATA:
        return "the Wikidata item the entity is linked to (skos:exactMatch in graph:links)"
    return prop


def _entity_parameter() -> str:
    identifier = request.args.get("id")
    if not identifier:
        raise BadRequest("the parameter 'id' (an entity id) is required", "id")
    iri = cat.entity_for(identifier)
    if iri is None:
        raise BadRequest(f"no entity has the id {identifier[:200]!r}", "id", status=404, code="not-found")
    return iri


@_both("/preview")
def preview(root: str) -> Response:
    iri = _entity_parameter()
    html = render_template("reconcile_preview.html", **_entity_view(iri, _lang()))
    response = Response(html, mimetype="text/html")
    response.headers["Content-Security-Policy"] = _PREVIEW_CSP
    return response


def flyout() -> Response:
    iri = _entity_parameter()
    return _answer(
        {"id": iri, "html": render_template("reconcile_flyout.html", **_entity_view(iri, _lang()))}
    )


_route(f"{LEGACY}/flyout/entity", flyout, ["GET"], "legacy_flyout")


@_both("/view")
def view(root: str) -> Response:
    return redirect(href(_entity_parameter()) or "/", 303)


def _entity_view(iri: str, lang: str | None) -> dict[str, Any]:
    entity = cat.catalogue().entities[iri]
    main = labels().main.get(iri, {})
    alternative = sorted({a.value for a in labels().alternative.get(iri, [])} - set(main.values()))
    return {
        "iri": iri,
        "name": cat.name_of(iri, lang),
        "lang": lang or "en",
        "page": href(iri),
        "types": ", ".join(t["name"] for t in cat.type_refs(iri, lang)),
        "names": [(code, main[code]) for code in LANGUAGES if code in main],
        "alternative": alternative[:8],
        "qids": [(qid, f"https://www.wikidata.org/wiki/{qid}") for qid in entity.qids],
        "size": PREVIEW_SIZE,
    }


@_both("/extend/propose")
def propose(root: str) -> Response:
    type_id = request.args.get("type")
    if not type_id:
        raise BadRequest("the parameter 'type' (a type id) is required", "type")
    type_iri = cat.resolve_type(type_id, "type")
    limit = _int(request.args.get("limit"), "limit", 25, MAX_SUGGEST)
    lang = _lang()
    properties = [{"id": p, "name": cat.property_name(p, lang)} for p in cat.proposed_properties(type_iri)]
    return _answer({"type": type_id, "limit": limit, "properties": properties[:limit]})


@_both("/extend", methods=("POST",))
def extend(root: str) -> Response:
    if request.mimetype == "application/json":
        query = _json_body()
    else:
        text = _parameter("extend")
        if text is None:
            raise BadRequest("send the data extension query as a JSON body (or a form field extend=)", "body")
        query = _parse_json(text, "extend")
    return _answer(_extension(query, legacy=root == LEGACY))


# -------------------------------------------------------------------------------- data extension


def _extension(query: Any, legacy: bool) -> dict[str, Any]:
    """{ids, properties: [{id}]} -> the values; rows keyed by id (0.2) or a list of rows (1.0)."""
    if not isinstance(query, dict):
        raise BadRequest(f"a data extension query must be a JSON object, not {_kind(query)}", "extend")
    ids, properties = query.get("ids"), query.get("properties")
    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
        raise BadRequest("'ids' must be an array of entity ids (strings)", "extend.ids")
    if not isinstance(properties, list) or not properties:
        raise BadRequest("'properties' must be a non-empty array of {id}", "extend.properties")
    if len(ids) > MAX_EXTEND_IDS or len(properties) > MAX_EXTEND_PROPERTIES:
        raise BadRequest(
            f"at most {MAX_EXTEND_IDS} ids and {MAX_EXTEND_PROPERTIES} properties at once",
            "extend",
            code="too-large",
        )
    pids = []
    for i, prop in enumerate(properties):
        if not isinstance(prop, dict) or not isinstance(prop.get("id"), str):
            raise BadRequest(
                "a property must be an object with an 'id' (a string)", f"extend.properties[{i}]"
            )
        pids.append(prop["id"])
    resolved = [cat.resolve_property(pid, f"extend.properties[{i}].id") for i, pid in enumerate(pids)]
    lang = _lang()
    meta = [{"id": pid, "name": cat.property_name(p, lang)} for pid, p in zip(pids, resolved, strict=True)]
    table = {}
    for identifier in ids:
        iri = cat.entity_for(identifier)
        table[identifier] = {
            pid: [_value(v, legacy) for v in (cat.property_values(iri, p) if iri else [])]
            for pid, p in zip(pids, resolved, strict=True)
        }
    for row in table.values():
        for pid in row:
            row[pid] = [v for v in row[pid] if v is not None]
    if legacy:
        return {"meta": meta, "rows": table}
    return {
        "meta": meta,
        "rows": [
            {"id": i, "properties": [{"id": pid, "values": values} for pid, values in row.items()]}
            for i, row in table.items()
        ],
    }


def _value(term: object, legacy: bool) -> dict[str, Any] | None:
    if isinstance(term, str):  # a QID
        return {"str": term}
    if isinstance(term, ox.NamedNode):
        if cat.is_entity(term.value):
            return {"id": term.value, "name": cat.name_of(term.value)}
        return {"str": term.value}
    if not isinstance(term, ox.Literal):
        return None  # a blank node has no value a client could use
    datatype = term.datatype.value.removeprefix(_XSD)
    try:
        if datatype in ("integer", "int", "long", "short", "nonNegativeInteger", "positiveInteger"):
            return {"int": int(term.value)}
        if datatype in ("decimal", "double", "float"):
            return {"float": float(term.value)}
    except ValueError:
        pass  # an ill-typed literal: given as text below
    if datatype == "date" and re.fullmatch(r"-?\d{4,}-\d\d-\d\d", term.value):
        return {"date": f"{term.value}T00:00:00Z"}
    if datatype == "dateTime" and _ISO_DATETIME.match(term.value):
        return {"date": term.value}
    value: dict[str, Any] = {"str": term.value}
    if term.language and not legacy:
        value["lang"] = term.language
    return value
