"""Talking to Wikidata: a transport (live, replayed or recording), politeness and a local cache.

`WikidataClient.get_json` is the one way in. It asks the on-disk cache first, then sends the
request through its transport, no faster than one request per `min_interval` seconds, retrying
429, 5xx answers and connection failures with exponential backoff (a Retry-After header wins when
it asks for longer). The transports:

- `UrllibTransport`: the live public endpoints over HTTPS, with a descriptive User-Agent
  (Wikimedia's policy asks for one that says who is calling and how to reach them).
- `ReplayTransport`: answers from recorded responses (tests/recordings/wikidata/*.json); a
  request with no recording fails with a message that says how to record it.
- `RecordingTransport`: wraps another transport and writes each answer as a recording.
"""

from __future__ import annotations

import email.utils
import hashlib
import json
import os
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from otsgraph import __version__

API_URL = "https://www.wikidata.org/w/api.php"
SPARQL_URL = "https://query.wikidata.org/sparql"
USER_AGENT = (
    f"otsgraph/{__version__} (https://w3id.org/otsgraph; links an Organization of Turkic States "
    "knowledge graph to Wikidata) Python-urllib"
)
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
RECORD_HINT = "record it with `otsgraph link --record DIR` (same flags) against the live API"


class WikidataError(Exception):
    """Wikidata answered, but not with what we asked for (an HTTP or API error)."""


class WikidataUnreachable(WikidataError):
    """Wikidata could not be reached (connection failures or busy answers after every retry)."""


class MissingRecording(WikidataError):
    """Replay mode: no recorded response for this request."""


@dataclass(frozen=True)
class Request:
    """A GET request: the endpoint URL and its query parameters (kept sorted, so equal requests match)."""

    url: str
    params: tuple[tuple[str, str], ...]

    @classmethod
    def of(cls, url: str, params: Mapping[str, str]) -> Request:
        return cls(url, tuple(sorted((str(k), str(v)) for k, v in params.items())))

    @property
    def full_url(self) -> str:
        return f"{self.url}?{urllib.parse.urlencode(self.params)}"

    @property
    def key(self) -> str:
        """A stable digest of the request, for cache and recording file names."""
        return hashlib.sha256(self.full_url.encode("utf-8")).hexdigest()

    def describe(self) -> str:
        shown = ", ".join(f"{k}={' '.join(v.split())[:80]}" for k, v in self.params if k != "format")
        return f"GET {self.url} ({shown})"

    def to_json(self) -> dict[str, Any]:
        return {"url": self.url, "params": dict(self.params)}


@dataclass(frozen=True)
class Response:
    status: int
    headers: Mapping[str, str]
    body: bytes


class Transport(Protocol):
    """Sends one request. Raises ConnectionError (or any OSError) when the host cannot be reached."""

    def send(self, request: Request, timeout: float) -> Response: ...


def _accept_header(request: Request) -> str:
    return "application/sparql-results+json" if request.url.endswith("/sparql") else "application/json"


class UrllibTransport:
    """The live endpoints, over urllib (no extra dependency)."""

    def __init__(self, user_agent: str = USER_AGENT) -> None:
        self.user_agent = user_agent

    def send(self, request: Request, timeout: float) -> Response:
        http_request = urllib.request.Request(
            request.full_url,
            headers={"User-Agent": self.user_agent, "Accept": _accept_header(request)},
        )
        try:
            with urllib.request.urlopen(http_request, timeout=timeout) as answer:
                return Response(answer.status, dict(answer.headers.items()), answer.read())
        except urllib.error.HTTPError as error:
            with error:
                body = error.read()
            return Response(error.code, dict(error.headers.items()), body)
        except urllib.error.URLError as error:
            reason = error.reason
            raise ConnectionError(str(reason)) from error


def load_recordings(directory: Path) -> dict[str, dict[str, Any]]:
    """{request key: recording} for every *.json recording in `directory`."""
    out: dict[str, dict[str, Any]] = {}
    for path in sorted(directory.glob("*.json")):
        try:
            recording = json.loads(path.read_text(encoding="utf-8"))
            request = Request.of(recording["request"]["url"], recording["request"]["params"])
        except (ValueError, KeyError, TypeError) as error:
            raise WikidataError(f"{path}: not a recording ({error})") from error
        recording["_path"] = str(path)
        out[request.key] = recording
    return out


def recording_response(recording: Mapping[str, Any]) -> Response:
    answer = recording["response"]
    body = answer.get("json")
    raw = json.dumps(body, ensure_ascii=False).encode("utf-8") if body is not None else b""
    return Response(int(answer.get("status", 200)), dict(answer.get("headers", {})), raw)


class ReplayTransport:
    """Answers from recordings, matched on the request's URL and parameters."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)
        if not self.directory.is_dir():
            raise WikidataError(f"no recordings folder at {self.directory}")
        self.recordings = load_recordings(self.directory)
        self.sent: list[Request] = []

    def send(self, request: Request, timeout: float) -> Response:
        self.sent.append(request)
        recording = self.recordings.get(request.key)
        if recording is None:
            raise MissingRecording(
                f"no recording for {request.describe()} in {self.directory} (expected file "
                f"{request.key[:16]}.json); {RECORD_HINT}"
            )
        return recording_response(recording)


class RecordingTransport:
    """Sends through `inner` and writes every successful answer to `directory` as a recording."""

    def __init__(self, inner: Transport, directory: Path) -> None:
        self.inner = inner
        self.directory = Path(directory)

    def send(self, request: Request, timeout: float) -> Response:
        response = self.inner.send(request, timeout)
        if response.status == 200:
            recording = {
                "_recording": f"recorded from the live API on {datetime.now(UTC):%Y-%m-%d} "
                "by otsgraph link --record",
                "request": request.to_json(),
                "response": {"status": 200, "json": json.loads(response.body)},
            }
            write_json_atomically(self.directory / f"{request.key[:16]}.json", recording)
        return response


def write_text_atomically(path: Path, text: str) -> None:
    """Write to a temporary file beside `path`, then rename: readers never see half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_json_atomically(path: Path, data: Any) -> None:
    write_text_atomically(path, json.dumps(data, ensure_ascii=False, indent=1, sort_keys=False) + "\n")


def retry_after_seconds(value: str | None, now: Callable[[], float] = time.time) -> float | None:
    """Seconds asked for by a Retry-After header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - now())


@dataclass
class ClientStats:
    sent: int = 0
    cache_hits: int = 0
    retries: int = 0
    waits: list[float] = field(default_factory=list)


class WikidataClient:
    """JSON from the Wikidata API and the Query Service, politely, with a cache."""

    def __init__(
        self,
        transport: Transport | None = None,
        *,
        api_url: str = API_URL,
        sparql_url: str = SPARQL_URL,
        cache_dir: Path | None = None,
        min_interval: float = 1.0,
        max_retries: int = 4,
        backoff: float = 1.0,
        max_backoff: float = 60.0,
        timeout: float = 30.0,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.transport = transport or UrllibTransport()
        self.api_url = api_url
        self.sparql_url = sparql_url
        self.cache_dir = Path(cache_dir) if cache_dir else None
        self.min_interval = min_interval
        self.max_retries = max_retries
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.timeout = timeout
        self.sleep = sleep
        self.clock = clock
        self.stats = ClientStats()
        self._last_sent: float | None = None

    # -- the two endpoints --------------------------------------------------------------

    def api(self, params: Mapping[str, str]) -> dict[str, Any]:
        """An action API call (format=json added); an API-level error becomes WikidataError."""
        answer = self.get_json(self.api_url, {**params, "format": "json"})
        if isinstance(answer, dict) and "error" in answer:
            error = answer["error"]
            raise WikidataError(f"Wikidata API error {error.get('code')}: {error.get('info')}")
        return answer

    def sparql(self, query: str) -> dict[str, Any]:
        """A SELECT on the Query Service; SPARQL 1.1 JSON results."""
        return self.get_json(self.sparql_url, {"query": query, "format": "json"})

    # -- the machinery ------------------------------------------------------------------

    def get_json(self, url: str, params: Mapping[str, str]) -> Any:
        request = Request.of(url, params)
        cached = self._cache_read(request)
        if cached is not None:
            self.stats.cache_hits += 1
            return cached
        response = self._send_with_retries(request)
        try:
            data = json.loads(response.body)
        except ValueError as error:
            raise WikidataError(f"{request.describe()}: the answer is not JSON ({error})") from error
        self._cache_write(request, data)
        return data

    def _send_with_retries(self, request: Request) -> Response:
        attempt = 0
        while True:
            self._wait_for_turn()
            try:
                response = self.transport.send(request, self.timeout)
            except MissingRecording:
                raise
            except OSError as error:  # ConnectionError, timeouts, DNS failures
                problem, retry_after = f"cannot connect ({error})", None
            else:
                if response.status == 200:
                    return response
                if response.status not in RETRY_STATUSES:
                    raise WikidataError(f"{request.describe()}: HTTP {response.status}")
                problem = f"HTTP {response.status}"
                retry_after = retry_after_seconds(_header(response.headers, "Retry-After"))
            if attempt >= self.max_retries:
                host = urllib.parse.urlsplit(request.url).netloc
                raise WikidataUnreachable(
                    f"Wikidata cannot be reached at {host}: {problem} after {attempt + 1} attempt(s)"
                )
            delay = min(self.max_backoff, self.backoff * 2**attempt)
            if retry_after is not None:
                delay = max(delay, min(retry_after, self.max_backoff * 5))
            self.stats.retries += 1
            self._pause(delay)
            attempt += 1

    def _wait_for_turn(self) -> None:
        """The rate limit: at least min_interval seconds between two requests sent."""
        now = self.clock()
        if self._last_sent is not None:
            wait = self._last_sent + self.min_interval - now
            if wait > 0:
                self._pause(wait)
                now = self.clock()
        self._last_sent = now
        self.stats.sent += 1

    def _pause(self, seconds: float) -> None:
        self.stats.waits.append(seconds)
        self.sleep(seconds)

    def _cache_path(self, request: Request) -> Path | None:
        return self.cache_dir / f"{request.key}.json" if self.cache_dir else None

    def _cache_read(self, request: Request) -> Any:
        path = self._cache_path(request)
        if path is None or not path.is_file():
            return None
        try:
            return json.loads(path.read_text(encoding="utf-8"))["json"]
        except (ValueError, KeyError):
            return None  # a damaged entry is fetched again

    def _cache_write(self, request: Request, data: Any) -> None:
        path = self._cache_path(request)
        if path is not None:
            write_json_atomically(path, {"request": request.to_json(), "json": data})


def _header(headers: Mapping[str, str], name: str) -> str | None:
    for key, value in headers.items():
        if key.lower() == name.lower():
            return value
    return None
