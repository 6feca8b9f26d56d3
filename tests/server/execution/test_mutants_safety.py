"""The guards of server/execution/safety.py called directly, with the exact answer each promises
(status, code, message, headers): written for the mutants `make mutate MODULE=safety` found surviving
the HTTP tests (docs/testing.md lists them). Expected values are written out by hand, never computed
by the code."""

from __future__ import annotations

import pytest

from otsgraph.server.execution.safety import (
    ClientLimiter,
    ProtocolError,
    check_nesting,
    check_rdf_payload,
    check_services,
    check_token,
    check_update_clauses,
    host_allowed,
)
from otsgraph.server.execution.scan import Scan


def refused(call, *args) -> ProtocolError:
    with pytest.raises(ProtocolError) as caught:
        call(*args)
    return caught.value


# ---- SERVICE hosts ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("iri", "allowlist", "allowed"),
    [
        ("http://Query.Wikidata.ORG/sparql", ("query.wikidata.org",), True),  # host names ignore case
        ("https://query.wikidata.org/sparql", ("QUERY.wikidata.org",), True),  # on both sides
        ("http://query.wikidata.org:8080/x", ("query.wikidata.org",), True),  # a bare host allows any port
        ("http://example.org:8080/x", ("example.org:8080",), True),  # host:port allows that port
        ("http://example.org:8081/x", ("example.org:8080",), False),
        ("http://example.org/x", ("example.org:8080",), False),  # no port: not host:8080
        ("http://[::1]:3030/ds", ("::1:3030",), True),  # an IPv6 literal, compared without brackets
        ("http://example.org", ("example.org",), True),  # no path at all
        ("http://example.org:123456/", ("example.org",), False),  # six-digit port: not plain
        ("http://exa mple.org/", ("exa mple.org",), False),  # a space in the host
        ("http://example.org/a b", ("example.org",), False),  # whitespace in the path
        ("http://example.org/", ("other.org", "example.org"), True),  # any entry of the list
        ("http://other.org/", (), False),
    ],
)
def test_host_allowed_cases(iri, allowlist, allowed):
    assert host_allowed(iri, allowlist) is allowed


def test_service_without_a_written_iri_is_refused():
    error = refused(check_services, Scan(services=[None]), ("example.org",))
    assert (error.status, error.code) == (403, "service-forbidden")
    assert error.message == (
        "SERVICE needs an absolute IRI written in the query (not a variable or an unresolvable name)"
    )


def test_service_refusal_names_the_target_and_the_allowed_hosts():
    error = refused(check_services, Scan(services=["http://evil.org/sparql"]), ("a.org", "b.org:8080"))
    assert (error.status, error.code, error.headers) == (403, "service-forbidden", None)
    assert error.message == (
        "SERVICE <http://evil.org/sparql> is not allowed: this server may call only these hosts "
        "(a.org, b.org:8080)"
    )


def test_service_refusal_with_an_empty_allowlist_says_so():
    error = refused(check_services, Scan(services=["http://evil.org/"]), ())
    assert error.message.endswith("may call only these hosts (none: the allowlist is empty)")


def test_every_service_target_is_checked_not_only_the_first():
    allowed = ("a.org",)
    check_services(Scan(services=["http://a.org/1", "http://a.org/2"]), allowed)  # no error
    error = refused(check_services, Scan(services=["http://a.org/1", "http://evil.org/2"]), allowed)
    assert "<http://evil.org/2>" in error.message


# ---- nesting ---------------------------------------------------------------------------------

# 41 levels: `{`, `FILTER(`, then 39 more `(`; the deepest is the last `(` on line 2, column 48
DEEP = "ASK {\n  FILTER(" + "(" * 39 + "1" + ")" * 40 + " }"


def test_nesting_at_the_limit_is_accepted():
    check_nesting(DEEP, 41)  # no error


def test_nesting_over_the_limit_is_refused_with_where_and_how_deep():
    error = refused(check_nesting, DEEP, 40)
    assert (error.status, error.code, error.headers) == (400, "too-deep", None)
    assert error.message == (
        "the SPARQL text is nested 41 levels deep at line 2, column 48 "
        "(brackets, parentheses and unary operators); this server takes at most 40"
    )


# ---- LOAD ------------------------------------------------------------------------------------


def test_load_is_refused_with_its_message():
    error = refused(check_update_clauses, Scan(has_load=True))
    assert (error.status, error.code, error.headers) == (403, "load-forbidden", None)
    assert error.message == (
        "LOAD is disabled on this server: it would read files or call other hosts. "
        "Send the data with INSERT DATA instead"
    )
    check_update_clauses(Scan(has_load=False))  # no error


# ---- bearer tokens ---------------------------------------------------------------------------

TOKENS = {"s3cret-alice": "alice", "s3cret-bob": "bob"}
UNAUTHORIZED = (
    401,
    "unauthorized",
    "updates need an 'Authorization: Bearer <token>' header",
    {"WWW-Authenticate": 'Bearer realm="otsgraph"'},
)


def test_no_configured_token_means_read_only():
    error = refused(check_token, "Bearer anything", {})
    assert (error.status, error.code, error.message, error.headers) == (
        403,
        "read-only",
        "this server is read-only: no update token is configured",
        None,
    )


@pytest.mark.parametrize("header", [None, "", "Basic s3cret-alice", "Bearer", "Bearer    ", "s3cret-alice"])
def test_a_missing_or_non_bearer_authorization_is_unauthorized(header):
    error = refused(check_token, header, TOKENS)
    assert (error.status, error.code, error.message, error.headers) == UNAUTHORIZED


@pytest.mark.parametrize(
    ("header", "who"),
    [
        ("Bearer s3cret-alice", "alice"),
        ("Bearer s3cret-bob", "bob"),  # each token names its own client
        ("bearer s3cret-bob", "bob"),  # the scheme ignores case
        ("BEARER  s3cret-alice  ", "alice"),  # spaces around the token are not part of it
    ],
)
def test_a_known_token_names_its_client(header, who):
    assert check_token(header, TOKENS) == who


@pytest.mark.parametrize("header", ["Bearer s3cret", "Bearer s3cret-alicex", "Bearer S3CRET-ALICE"])
def test_an_unknown_token_is_forbidden(header):
    error = refused(check_token, header, TOKENS)
    assert (error.status, error.code, error.message, error.headers) == (
        403,
        "forbidden",
        "the update token is not valid",
        None,
    )


# ---- RDF payloads ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "payload",
    [
        b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "x">]><r/>',
        b"<!doctype r><r/>",  # any case
        b"<! ENTITY a 'x'>",  # blanks after <!
        b"<rdf:RDF/>\n<!ENTITY late 'x'>",  # anywhere in the body
    ],
)
def test_a_dtd_or_entity_is_refused(payload):
    error = refused(check_rdf_payload, payload)
    assert (error.status, error.code, error.headers) == (400, "dtd-forbidden", None)
    assert error.message == (
        "XML document type declarations and entities are not accepted (they can expand without bound)"
    )


def test_a_body_that_is_not_utf8_is_refused_with_the_reason():
    error = refused(check_rdf_payload, b"<s> <p> '\xff' .")
    assert (error.status, error.code) == (400, "bad-encoding")
    assert error.message == "the body is not UTF-8 (invalid start byte)"


@pytest.mark.parametrize("payload", [b"", "<s> <p> 'Түркі' .".encode(), b"<!-- a comment --><r/>"])
def test_plain_rdf_passes(payload):
    check_rdf_payload(payload)  # no error


# ---- queries per client ----------------------------------------------------------------------


def test_a_client_gets_limit_queries_at_once_and_no_more():
    limiter = ClientLimiter(2)
    limiter.try_acquire("10.0.0.1")
    limiter.try_acquire("10.0.0.1")
    error = refused(limiter.try_acquire, "10.0.0.1")
    assert (error.status, error.code, error.headers) == (429, "too-many-queries", {"Retry-After": "2"})
    assert error.message == "this client already runs 2 queries at once; wait for one to finish"
    limiter.try_acquire("10.0.0.2")  # another client is not held up
    limiter.try_acquire("10.0.0.2")


def test_a_finished_query_frees_its_place():
    limiter = ClientLimiter(2)
    for _ in range(2):
        limiter.try_acquire("c")
    limiter.release("c")
    limiter.try_acquire("c")  # one place again
    with pytest.raises(ProtocolError):
        limiter.try_acquire("c")
    limiter.release("c")
    limiter.release("c")
    for _ in range(2):  # all places free again
        limiter.try_acquire("c")
    with pytest.raises(ProtocolError):
        limiter.try_acquire("c")


def test_a_limit_of_one_allows_exactly_one():
    limiter = ClientLimiter(1)
    limiter.try_acquire("c")
    with pytest.raises(ProtocolError):
        limiter.try_acquire("c")


def test_releasing_more_than_acquired_never_gives_extra_places():
    limiter = ClientLimiter(1)
    limiter.release("c")  # nothing held: nothing changes
    limiter.try_acquire("c")
    with pytest.raises(ProtocolError):
        limiter.try_acquire("c")
