"""One error format for the whole server, registered once on the app (create_app calls register).

Every error is JSON {"error": code, "message": ...} with the status that says what is wrong
(STYLE D11), the protocol's headers (Allow on a 405, WWW-Authenticate on a 401, Retry-After on a
429) and CORS, never a stack trace. Only a browser asking for a page (not the API) gets the
site's HTML error page instead. The handlers are app-wide because Flask applies a blueprint's
handlers only to requests that matched one of its routes: a 404 for an unknown path, or a 405
(GET /validate), never reaches them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping

from flask import Flask, Response, current_app, jsonify, request
from werkzeug.exceptions import HTTPException

from .execution.safety import ProtocolError

log = logging.getLogger("otsgraph.server")

CORS = {"Access-Control-Allow-Origin": "*", "Access-Control-Expose-Headers": "ETag, Last-Modified"}
# unknown paths under these are the API's: JSON even for a browser
API_PREFIXES = (
    "/sparql",
    "/rdf-graphs",
    "/validate",
    "/reconcile",
    "/api/",
    "/health",
    "/void",
    "/.well-known",
)
Headers = Mapping[str, str] | None
# routes of the pages blueprint that are not pages: an API (never HTML), and files (HTML only for a browser)
_PAGE_APIS = {"pages.api_labels"}
_FILES = {"pages.download", "pages.timeline_svg", "static"}


def error_response(status: int, code: str, message: str, headers: Headers = None) -> Response:
    """The JSON error, as sparql._error answers it."""
    response = jsonify(error=code, message=message)
    response.status_code = status
    response.headers.update(dict(headers or {}))
    response.headers.update(CORS)
    return response


def wants_page() -> bool:
    """Is the HTML error page the answer? Only for a page, never for the API.

    On a page's own route, as the page itself negotiates (pages._wants_json): HTML unless the client
    prefers JSON or takes no HTML (curl's `*/*` gets the page, as it would have got the page). Where
    no route matched (an unknown path, a 405), only a browser gets it: one that prefers text/html to
    JSON (`*/*` or no Accept do not), asking for a path outside the API; so for a file (a dump)."""
    accept = request.accept_mimetypes
    rule = request.url_rule
    browser = accept.best_match(["application/json", "text/html"]) == "text/html"
    if rule is None:
        return browser and not request.path.startswith(API_PREFIXES)
    if rule.endpoint in _FILES:
        return browser
    if request.blueprint != "pages" or rule.endpoint in _PAGE_APIS:
        return False
    html_first = accept.best_match(["text/html", "application/json"]) == "text/html"
    return not accept or (accept.quality("text/html") > 0 and html_first)


def page_or_json(status: int, code: str, message: str, headers: Headers = None) -> Response:
    """The HTML error page for a browser on a page (see wants_page), else the JSON error."""
    error_page = current_app.extensions.get(_ERROR_PAGE)
    if error_page is not None and wants_page():
        try:
            response = error_page(status, message)
        except Exception:  # the page itself failed (a template, the store): JSON still says what went wrong
            log.exception("the error page for %s failed", request.path)
        else:
            response.headers.update(dict(headers or {}))
            return response
    return error_response(status, code, message, headers)


def _code(err: HTTPException) -> str:
    return (err.name or "error").lower().replace(" ", "-")


def _protocol_error(err: ProtocolError) -> Response:
    return error_response(err.status, err.code, err.message, err.headers)


def _http_error(err: HTTPException) -> Response | HTTPException:
    if err.response is not None:  # abort(response): that response is the answer
        return err.response
    # werkzeug's headers, without its HTML Content-Type: Allow (405), WWW-Authenticate, Retry-After ...
    headers = {k: v for k, v in err.get_headers() if k.lower() != "content-type"}
    return page_or_json(err.code or 400, _code(err), err.description or "", headers)


def _unexpected(err: Exception) -> Response:
    log.exception("unexpected error on %s", request.path)  # the trace goes to the log, never to the client
    return page_or_json(500, "internal", "an unexpected error happened; it has been logged")


_ERROR_PAGE = "otsgraph.error_page"


def register(app: Flask, error_page: Callable[[int, str], Response] | None = None) -> None:
    """The error handlers, once for the whole app; `error_page(status, message)` renders the HTML
    error page a browser gets (the pages' own, passed in: this module sits below the pages)."""
    if error_page is not None:
        app.extensions[_ERROR_PAGE] = error_page
    app.register_error_handler(ProtocolError, _protocol_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected)
