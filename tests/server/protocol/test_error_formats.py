"""One error format for the whole server (server/errors.py), against a live server on 127.0.0.1.

Every error is JSON {"error": code, "message": ...} with its status and the protocol's headers,
never Flask's HTML page, never a 500 or a stack trace; only a browser asking for a page gets the
site's HTML error page. The cases below each gave HTML (or a 500) before the handlers moved from
the blueprints to the app: a blueprint's handlers never see a request no route of it matched.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
import requests

from serve_command import serve_command
from server_fixtures import TOKEN, serve

BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
SECRET = "secret-detail-of-the-failure"


@pytest.fixture(scope="module")
def server():
    with serve(update_tokens={TOKEN: "tester"}) as live:

        def fails() -> str:
            raise RuntimeError(SECRET)

        live.app.add_url_rule("/health/boom", "boom", fails)  # an API path whose view fails
        yield live


def assert_json_error(response: requests.Response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, (response.status_code, response.text[:300])
    assert response.headers["Content-Type"].startswith("application/json"), response.headers
    body = response.json()
    assert set(body) >= {"error", "message"} and body["error"], body
    assert code is None or body["error"] == code, body
    assert "Traceback" not in response.text and "<html" not in response.text
    return body


# (method, path, headers, body, status, error code): each answered with Flask's HTML page before
CASES = [
    ("GET", "/validate", {}, None, 405, "method-not-allowed"),
    ("GET", "/validate", BROWSER, None, 405, "method-not-allowed"),  # the API: JSON for browsers too
    ("PUT", "/health", {}, None, 405, "method-not-allowed"),
    ("POST", "/void", {}, None, 405, "method-not-allowed"),
    ("DELETE", "/.well-known/void", {}, None, 405, "method-not-allowed"),
    ("PATCH", "/rdf-graphs", {}, None, 405, "method-not-allowed"),
    ("TRACE", "/reconcile", {}, None, 405, "method-not-allowed"),
    ("PROPFIND", "/reconcile/1.0-draft/suggest/entity", {}, None, 405, "method-not-allowed"),
    ("GET", "/api/labels", {}, None, 405, "method-not-allowed"),
    ("POST", "/timeline", {}, None, 405, "method-not-allowed"),  # a page, asked by a script
    ("DELETE", "/resource/kazakhstan", {}, None, 405, "method-not-allowed"),
    ("GET", "/rdf-graphs/a%0D%0Ab", {}, None, 404, "no-such-graph"),  # now a graph name like any other
    ("DELETE", "/rdf-graphs/a%0Ab", {"Authorization": f"Bearer {TOKEN}"}, None, 404, "no-such-graph"),
    ("GET", "/sparql/x", BROWSER, None, 404, "not-found"),
    ("GET", "/sparql%0D%0A", {}, None, 404, "not-found"),
    ("GET", "/api/nope", BROWSER, None, 404, "not-found"),
    ("GET", "/reconcile/nope", {}, None, 404, "not-found"),
    ("GET", "/validate/x", {}, None, 404, "not-found"),
    ("GET", "/nope", {}, None, 404, "not-found"),
    ("GET", "/%FF", {}, None, 404, "not-found"),
    ("GET", "/a%00b", {}, None, 404, "not-found"),
    ("GET", "/x%0D%0ASet-Cookie:%20a=b", {}, None, 404, "not-found"),
    ("GET", "/" + "y" * 20_000, {}, None, 404, "not-found"),
    ("GET", "/static/nope.css", {}, None, 404, "not-found"),
    ("GET", "/downloads/other.nq", {}, None, 404, "not-found"),
    ("GET", "/resource/no-such-thing", {"Accept": "text/turtle"}, None, 404, "not-found"),
    ("GET", "/resource/a%00b", {"Accept": "application/json"}, None, 404, "not-found"),
    ("GET", "/resource/a%0Ab", {}, None, 404, "not-found"),
    ("GET", "/resource/kazakhstan?format=nope", {"Accept": "application/json"}, None, 406, "not-acceptable"),
    ("GET", "/explain?s=x", {"Accept": "application/json"}, None, 400, "bad-request"),
    ("POST", "/api/labels", {"Content-Type": "application/json"}, b'"x"', 400, "bad-request"),  # was 500
    ("POST", "/api/labels", {"Content-Type": "application/json"}, b"[" * 100_000, 400, "bad-request"),  # 500
    ("POST", "/api/labels", {"Content-Type": "application/json"}, b"\xff", 400, "bad-request"),
    ("POST", "/api/labels", {"Content-Type": "application/json"}, b" " * 1_500_000, 413, None),
]


@pytest.mark.parametrize(
    ("method", "path", "headers", "body", "status", "code"),
    CASES,
    ids=[f"{c[0]} {c[1][:40]} {c[4]}" for c in CASES],
)
def test_errors_are_json_with_their_status(server, method, path, headers, body, status, code):
    response = requests.request(method, server.url + path, headers=headers, data=body, timeout=30)
    assert_json_error(response, status, code)
    assert response.headers["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("GET", "/validate", {"POST"}),
        ("HEAD", "/validate", {"POST"}),
        ("PATCH", "/rdf-graphs", {"GET", "PUT", "POST", "DELETE"}),
        ("PUT", "/reconcile", {"GET", "POST"}),
        ("GET", "/reconcile/1.0-draft/match", {"POST"}),
        ("POST", "/timeline", {"GET"}),
    ],
)
def test_a_405_says_what_is_allowed(server, method, path, allowed):
    response = requests.request(method, server.url + path, timeout=30)
    assert response.status_code == 405
    assert allowed <= {m.strip() for m in response.headers["Allow"].split(",")}
    if method != "HEAD":
        assert_json_error(response, 405, "method-not-allowed")


def test_an_unexpected_error_is_logged_and_never_shown(server, caplog):
    with caplog.at_level(logging.ERROR, logger="otsgraph.server"):
        response = requests.get(server.url + "/health/boom", headers=BROWSER, timeout=30)
    body = assert_json_error(response, 500, "internal")
    assert SECRET not in response.text and "RuntimeError" not in response.text, body
    assert any(SECRET in (r.exc_text or "") or r.exc_info for r in caplog.records)


@pytest.mark.parametrize(
    ("path", "status"),
    [("/nope", 404), ("/resource/no-such-thing", 404), ("/explain?s=x", 400), ("/timeline/x%0Ay", 404)],
)
def test_a_browser_asking_for_a_page_gets_the_html_error_page(server, path, status):
    response = requests.get(server.url + path, headers=BROWSER, timeout=30)
    assert response.status_code == status
    assert response.headers["Content-Type"].startswith("text/html")
    assert "<html" in response.text and 'href="/static/pages.css"' in response.text  # the site's page
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert "Traceback" not in response.text


def test_a_browser_posting_to_a_page_gets_an_html_405_with_allow(server):
    response = requests.post(server.url + "/timeline", headers=BROWSER, timeout=30)
    assert response.status_code == 405 and response.headers["Allow"]
    assert response.headers["Content-Type"].startswith("text/html")


def test_no_route_and_method_gives_flask_s_html_or_a_500(server):
    """Every route of the app, every method (odd ones too), odd bytes in the path: never a 500, JSON
    for a client that asks for it, else JSON or the site's own error page (never Flask's)."""
    client = server.app.test_client()
    methods = ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "FOO"]
    odd = ["x", "a%0D%0Ab", "a%00b", "%FF", "..%2Fx", "x" * 3000]
    paths = {"/nope", "/%FF", "/x%0D%0A"}
    for rule in server.app.url_map.iter_rules():
        if rule.endpoint == "boom":  # this module's failing view
            continue
        if "<" in rule.rule:
            paths.update(rule.rule.split("<")[0] + tail for tail in odd)
        else:
            paths.update({rule.rule, rule.rule.rstrip("/") + "%0D%0A", rule.rule.rstrip("/") + "/%FF"})
    wrong = []
    for path in sorted(paths):
        for method in methods:
            for accept in (None, "*/*", "application/json", BROWSER["Accept"]):
                response = client.open(path, method=method, headers={"Accept": accept} if accept else {})
                if response.status_code < 400 or method == "HEAD":
                    continue
                media_type = response.headers.get("Content-Type", "")
                json_error = media_type.startswith("application/json")
                site_page = media_type.startswith("text/html") and b"/static/pages.css" in response.data
                if response.status_code >= 500 or not (
                    json_error or (site_page and accept != "application/json")
                ):
                    wrong.append((method, path[:60], accept, response.status_code, media_type))
    assert not wrong, wrong[:20]


def test_the_command_answers_json_errors(tmp_path: Path):
    """The real `otsgraph serve`: what was Flask's HTML is JSON."""
    with serve_command("--empty", log=tmp_path / "serve.log") as address:
        for method, path, status in (
            ("GET", "/validate", 405),
            ("GET", "/nope", 404),
            ("GET", "/rdf-graphs/a%0D%0Ab", 404),
            ("PATCH", "/rdf-graphs", 405),
        ):
            assert_json_error(requests.request(method, address + path, timeout=30), status)
        labels = requests.post(address + "/api/labels", data=json.dumps("x"), timeout=30)
        assert_json_error(labels, 400, "bad-request")
