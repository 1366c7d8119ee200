"""The suite never reaches beyond loopback: the guard in conftest refuses it for any library."""

from __future__ import annotations

import socket
import urllib.error
import urllib.request

import pytest

from tests.conftest import NetworkForbidden


def test_a_public_address_is_refused_before_any_packet() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock, pytest.raises(NetworkForbidden):
        sock.connect(("192.0.2.10", 443))  # TEST-NET-1: never routed, never reached


def test_name_lookups_and_http_clients_are_refused() -> None:
    with pytest.raises(NetworkForbidden):
        socket.getaddrinfo("slack.com", 443)
    with pytest.raises((NetworkForbidden, urllib.error.URLError)):
        urllib.request.urlopen("https://hooks.slack.com/services/T0/B0/X", timeout=1)


def test_loopback_is_allowed() -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        with socket.create_connection(server.getsockname(), timeout=2):
            pass
