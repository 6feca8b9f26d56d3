"""X-Forwarded-* counts only from the proxies named in the config (--trusted-proxy), or from any
peer with --trust-proxy; loopback is not trusted by default, so a local client cannot spoof the
address the per-client query limit counts it under, nor the URLs the server gives out."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests
from flask import request

from otsgraph.core.loading import Layout
from otsgraph.server import create_app
from otsgraph.server.state import ServerConfig
from serve_command import REPO, otsgraph_command, serve_command
from server_fixtures import serve

SPOOF = {"X-Forwarded-For": "10.9.8.7", "X-Forwarded-Proto": "https", "X-Forwarded-Host": "kg.example.org"}
PROXIED = {**SPOOF, "X-Forwarded-Prefix": "/ots"}
SD_ENDPOINT = "http://www.w3.org/ns/sparql-service-description#endpoint"


def endpoint_of(address: str, headers: dict[str, str]) -> str:
    """The Service Description's sd:endpoint, as the server answers this request."""
    response = requests.get(address + "/sparql", headers={**headers, "Accept": "text/turtle"}, timeout=30)
    assert response.status_code == 200, response.text
    triples = ox.parse(response.content, format=ox.RdfFormat.TURTLE)
    [found] = {t.object.value for t in triples if t.predicate.value == SD_ENDPOINT}
    return found


def peer_seen(live, headers: dict[str, str]) -> str:
    """The client address the app (and so the per-client limit, keyed on it) sees."""
    return requests.get(live.url + "/_test/peer", headers=headers, timeout=30).text


def with_peer_route(live):
    live.app.add_url_rule("/_test/peer", "test_peer", lambda: request.remote_addr or "?")
    return live


@pytest.mark.parametrize(
    ("config", "honoured"),
    [
        ({}, False),  # loopback is no longer trusted by default
        ({"trusted_proxies": ("127.0.0.1",)}, True),
        ({"trusted_proxies": ("127.0.0.0/8",)}, True),
        ({"trusted_proxies": ("10.0.0.0/8", "::1")}, False),  # other proxies than this peer
        ({"trust_forwarded": True}, True),
    ],
    ids=["default", "address", "network", "other-proxies", "trust-all"],
)
def test_forwarded_headers_count_only_from_named_proxies(config, honoured):
    with serve(**config) as live:
        with_peer_route(live)
        assert peer_seen(live, SPOOF) == ("10.9.8.7" if honoured else "127.0.0.1")
        expected = "https://kg.example.org/ots/sparql" if honoured else live.url + "/sparql"
        assert endpoint_of(live.url, PROXIED) == expected
        assert peer_seen(live, {}) == "127.0.0.1"  # without headers, the peer itself


@pytest.mark.parametrize("entry", ["nonsense", "localhost", "10.0.0.0/33", "300.1.2.3", ""])
def test_an_invalid_trusted_proxy_is_a_clear_startup_error(entry):
    with pytest.raises(ValueError, match="--trusted-proxy") as error:
        create_app(ServerConfig(trusted_proxies=("127.0.0.1", entry), empty=True), layout=Layout(REPO))
    assert repr(entry) in str(error.value)


def test_trusted_networks_take_addresses_and_networks():
    from otsgraph.server.app import trusted_networks

    networks = trusted_networks(["127.0.0.1", "10.0.0.0/8", "::1", " 192.168.1.7 ", "10.1.2.3/8"])
    assert [str(n) for n in networks] == [
        "127.0.0.1/32",
        "10.0.0.0/8",
        "::1/128",
        "192.168.1.7/32",
        "10.0.0.0/8",
    ]


def test_the_command_honours_trusted_proxy_and_ignores_a_spoof_without_it(tmp_path: Path):
    """The real `otsgraph serve`: headers from 127.0.0.1 are ignored unless it is named."""
    with serve_command("--empty", log=tmp_path / "plain.log") as address:
        assert endpoint_of(address, PROXIED) == address + "/sparql"
    with serve_command("--empty", "--trusted-proxy", "127.0.0.1", log=tmp_path / "proxied.log") as address:
        assert endpoint_of(address, PROXIED) == "https://kg.example.org/ots/sparql"
        assert endpoint_of(address, {}) == address + "/sparql"


def test_the_command_refuses_an_invalid_trusted_proxy(tmp_path: Path):
    done = subprocess.run(
        [otsgraph_command(), "serve", "--empty", "--port", "0", "--trusted-proxy", "proxy.example"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0
    assert "--trusted-proxy 'proxy.example' is not an IP address or network" in done.stderr
    assert not done.stdout.strip()  # it never started listening
