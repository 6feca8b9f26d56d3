"""The Wikidata client: replayed recordings, a real HTTP path on 127.0.0.1, politeness, cache, failures.

The live-path tests run urllib against a small HTTP server on 127.0.0.1 that answers from the
recordings (tests/recordings/wikidata/) or with scripted statuses, so the client's own transport,
retry and cache code runs exactly as it would against Wikidata.
"""

from __future__ import annotations

import json
import socket
import threading
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from conftest import OutsideNetworkError
from otsgraph.wikidata.client import (
    API_URL,
    SPARQL_URL,
    USER_AGENT,
    MissingRecording,
    ReplayTransport,
    Request,
    UrllibTransport,
    WikidataClient,
    WikidataUnreachable,
    load_recordings,
    retry_after_seconds,
)
from otsgraph.wikidata.search import get_entities, search_entities
from otsgraph.wikidata.typecheck import RULES, check_types

RECORDINGS = Path(__file__).resolve().parents[1] / "recordings" / "wikidata"


class FakeTime:
    """A clock that only moves when the client sleeps, so waits are exact and tests are instant."""

    def __init__(self) -> None:
        self.now = 100.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@contextmanager
def wikidata_on_localhost(script: list[tuple[int, dict[str, str]]] | None = None) -> Iterator[dict]:
    """An HTTP server on 127.0.0.1 answering /w/api.php and /sparql from the recordings.

    `script`: statuses (with headers) to answer first, one a request, before the recorded answers.
    Yields {"api": URL, "sparql": URL, "requests": [(path, params, headers)]}.
    """
    recordings = load_recordings(RECORDINGS)
    script = list(script or [])
    seen: list[tuple[str, dict[str, str], dict[str, str]]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            path, _, query = self.path.partition("?")
            params = dict(urllib.parse.parse_qsl(query, keep_blank_values=True))
            seen.append((path, params, dict(self.headers.items())))
            if script:
                status, headers = script.pop(0)
                self._answer(status, b'{"error": "scripted"}', headers)
                return
            real_url = {"/w/api.php": API_URL, "/sparql": SPARQL_URL}.get(path, "")
            recording = recordings.get(Request.of(real_url, params).key)
            if recording is None:
                self._answer(404, b"{}", {})
                return
            body = json.dumps(recording["response"]["json"], ensure_ascii=False).encode("utf-8")
            self._answer(200, body, {"Content-Type": "application/json"})

        def _answer(self, status: int, body: bytes, headers: dict[str, str]) -> None:
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield {"api": f"{base}/w/api.php", "sparql": f"{base}/sparql", "requests": seen}
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def live_client(urls: dict, fake: FakeTime, **kwargs) -> WikidataClient:
    return WikidataClient(
        UrllibTransport(),
        api_url=urls["api"],
        sparql_url=urls["sparql"],
        sleep=fake.sleep,
        clock=fake.clock,
        **kwargs,
    )


def test_the_recordings_are_real_format_and_say_where_they_come_from():
    """Each recording says it was built by hand (and from which evidence) or recorded live
    (`otsgraph link --record`, as docs/wikidata.md tells)."""
    recordings = load_recordings(RECORDINGS)
    assert len(recordings) >= 10
    for recording in recordings.values():
        note = recording["_recording"]
        by_hand = note.startswith("Built by hand") and "Evidence:" in note
        assert by_hand or note.startswith("recorded from the live API on "), note
        body = recording["response"]["json"]
        action = recording["request"]["params"].get("action")
        if action == "wbgetentities":
            for qid, item in body["entities"].items():
                assert item["id"] == qid and item["type"] == "item"
                for statements in item.get("claims", {}).values():
                    for s in statements:
                        assert s["type"] == "statement" and s["mainsnak"]["snaktype"] == "value"
        elif action == "wbsearchentities":
            assert body["success"] == 1
            assert all({"id", "label", "match", "concepturi"} <= hit.keys() for hit in body["search"])
        else:
            assert recording["request"]["url"] == SPARQL_URL
            assert body["head"]["vars"] == ["item", "class"]


def test_replay_answers_a_recorded_request():
    client = WikidataClient(ReplayTransport(RECORDINGS), min_interval=0)
    hits = search_entities(client, "Kazakhstan", "en")
    assert [h.qid for h in hits] == ["Q232"]
    assert hits[0].match_type == "label" and hits[0].match_text == "Kazakhstan"


def test_a_request_with_no_recording_fails_naming_it_and_how_to_record():
    client = WikidataClient(ReplayTransport(RECORDINGS), min_interval=0)
    with pytest.raises(MissingRecording) as caught:
        search_entities(client, "Atlantis", "en")
    message = str(caught.value)
    assert "wbsearchentities" in message and "search=Atlantis" in message
    assert "otsgraph link --record DIR" in message


def test_the_real_http_path_sends_the_user_agent_and_reads_the_answers():
    fake = FakeTime()
    with wikidata_on_localhost() as urls:
        client = live_client(urls, fake, min_interval=0)
        items = get_entities(client, ["Q232"], props=("labels", "claims"), languages=("en",))
        headers = urls["requests"][0][2]
    assert items["Q232"].labels["en"] == "Kazakhstan"
    assert headers["User-Agent"] == USER_AGENT and "otsgraph/" in USER_AGENT and "https://" in USER_AGENT
    assert headers["Accept"] == "application/json"


def test_the_rate_limit_spaces_requests():
    fake = FakeTime()
    with wikidata_on_localhost() as urls:
        client = live_client(urls, fake, min_interval=1.5)
        for language, text in (("kk", "Қазақстан"), ("ru", "Казахстан"), ("en", "Kazakhstan")):
            search_entities(client, text, language)
        assert len(urls["requests"]) == 3
    assert fake.sleeps == [1.5, 1.5]  # none before the first request, then the interval


def test_429_and_503_are_retried_with_backoff_honouring_retry_after_then_succeed():
    fake = FakeTime()
    script = [(429, {"Retry-After": "7"}), (503, {}), (503, {})]
    with wikidata_on_localhost(script) as urls:
        client = live_client(urls, fake, min_interval=0, backoff=1.0)
        hits = search_entities(client, "Almaty", "en")
        assert len(urls["requests"]) == 4
    assert [h.qid for h in hits] == ["Q35493", "Q186466"]
    # Retry-After (7 s) wins over the first backoff (1 s); then 2 s, 4 s: exponential
    assert fake.sleeps == [7.0, 2.0, 4.0]
    assert client.stats.retries == 3


def test_retry_after_as_an_http_date():
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:30 GMT", now=lambda: 1445412480.0) == 30.0
    assert retry_after_seconds("120") == 120.0
    assert retry_after_seconds(None) is None


def test_a_cache_hit_sends_no_second_request(tmp_path):
    fake = FakeTime()
    with wikidata_on_localhost() as urls:
        first = live_client(urls, fake, min_interval=0, cache_dir=tmp_path / "cache")
        search_entities(first, "Almaty", "en")
        again = live_client(urls, fake, min_interval=0, cache_dir=tmp_path / "cache")
        hits = search_entities(again, "Almaty", "en")
        assert len(urls["requests"]) == 1
    assert again.stats.cache_hits == 1 and again.stats.sent == 0
    assert [h.qid for h in hits] == ["Q35493", "Q186466"]
    assert len(list((tmp_path / "cache").glob("*.json"))) == 1


def test_an_unreachable_host_gives_up_after_the_retries():
    fake = FakeTime()
    with socket.socket() as probe:  # a free port with nothing listening
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    urls = {"api": f"http://127.0.0.1:{port}/w/api.php", "sparql": f"http://127.0.0.1:{port}/sparql"}
    client = live_client(urls, fake, min_interval=0, max_retries=2, backoff=0.5)
    with pytest.raises(WikidataUnreachable, match=r"cannot be reached at 127\.0\.0\.1.*3 attempt"):
        search_entities(client, "Almaty", "en")
    assert fake.sleeps == [0.5, 1.0]


def test_the_type_filter_rejects_a_province_that_shares_a_city_name():
    client = WikidataClient(ReplayTransport(RECORDINGS), min_interval=0)
    city_rule = RULES["https://w3id.org/otsgraph/ontology/City"]
    verdicts = check_types(client, ["Q35493", "Q186466"], city_rule)
    assert verdicts["Q35493"].fits and "Q486972" in verdicts["Q35493"].reason
    assert not verdicts["Q186466"].fits and "none of" in verdicts["Q186466"].reason


def test_the_type_filter_rejects_a_disambiguation_page():
    client = WikidataClient(ReplayTransport(RECORDINGS), min_interval=0)
    city_rule = RULES["https://w3id.org/otsgraph/ontology/City"]
    verdict = check_types(client, ["Q211051"], city_rule)["Q211051"]
    assert not verdict.fits and "Q4167410" in verdict.reason


def test_the_network_guard_stops_connections_to_outside_hosts():
    with socket.socket() as sock, pytest.raises(OutsideNetworkError, match=r"192\.0\.2\.1"):
        sock.connect(("192.0.2.1", 80))  # TEST-NET-1: never routed
    with pytest.raises(OutsideNetworkError, match=r"www\.wikidata\.org"):
        urllib.request.urlopen("https://www.wikidata.org/w/api.php", timeout=1)
    with pytest.raises(OutsideNetworkError):
        socket.create_connection(("query.wikidata.org", 443), timeout=1)
    with pytest.raises(OutsideNetworkError, match=r"resolve www\.wikidata\.org"):
        socket.getaddrinfo("www.wikidata.org", 443)  # not even a DNS query
    assert socket.getaddrinfo("localhost", 80)  # local names still resolve


def test_the_network_guard_lets_loopback_through():
    params = {"action": "wbsearchentities", "search": "Kazakhstan", "language": "en", "uselang": "en"}
    params |= {"type": "item", "limit": "7", "format": "json"}
    with wikidata_on_localhost() as urls:
        url = f"{urls['api']}?{urllib.parse.urlencode(params)}"
        with urllib.request.urlopen(url, timeout=5) as answer:
            assert json.load(answer)["search"][0]["id"] == "Q232"
