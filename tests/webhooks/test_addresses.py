"""Only HTTPS endpoints, and only public addresses: an editor cannot make the server post to
the services beside it (private, loopback, link-local addresses, cloud metadata), whether the
address is written out or a host name resolves to it, at registration and again at every
attempt."""

import socket

import pytest

from policytracker.webhooks import addresses, services
from policytracker.webhooks.addresses import RefusedAddress, target
from tests.test_settings import settings_process


def resolving(monkeypatch, table):
    """Host names resolve as `table` says ({host: [address, …]}); others do not."""
    calls = []

    def getaddrinfo(host, port, *args, **kwargs):
        calls.append(host)
        if host not in table:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [
            (socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port))
            for a in table[host]
        ]

    monkeypatch.setattr(addresses.socket, "getaddrinfo", getaddrinfo)
    return calls


@pytest.mark.parametrize(
    ("endpoint", "message"),
    [
        ("http://hooks.example.org/in", "Only HTTPS endpoints are accepted"),
        ("ftp://hooks.example.org/in", "Only HTTPS endpoints are accepted"),
        ("hooks.example.org/in", "Only HTTPS endpoints are accepted"),
        ("https://user:pass@hooks.example.org/in", "Leave the user name and password out"),
        ("https://hooks.example.org/in#part", "Leave out the #fragment"),
        ("https:///in", "names no host"),
        ("https://hooks.example.org:99999/in", "Not an address"),
    ],
)
def test_only_https_addresses_are_taken(endpoint, message, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE = True
    with pytest.raises(RefusedAddress, match=message):
        target(endpoint)


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "127.1.2.3",
        "10.0.0.5",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",  # the cloud's metadata service
        "100.64.0.1",  # shared, carrier-grade NAT
        "0.0.0.0",
        "224.0.0.1",
        "255.255.255.255",
        "[::1]",
        "[fe80::1]",
        "[fc00::1]",
        "[::ffff:127.0.0.1]",
        "[::ffff:10.0.0.1]",
        "[2002:7f00:1::]",  # 6to4 of 127.0.0.1
        "[::]",
    ],
)
def test_a_non_public_address_is_refused(address, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE = False
    with pytest.raises(RefusedAddress, match="non-public address"):
        target(f"https://{address}/hook")


@pytest.mark.parametrize("address", ["93.184.215.14", "[2606:2800:21f:cb07:6820:80da:af6b:8b2c]"])
def test_a_public_address_is_taken(address, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE = False
    where = target(f"https://{address}:8443/in?x=1")
    assert where.addresses == (address.strip("[]"),)
    assert (where.port, where.path) == (8443, "/in?x=1")


def test_a_host_resolving_to_a_private_address_is_refused(monkeypatch, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE = False
    resolving(
        monkeypatch,
        {
            "inside.example.org": ["10.1.2.3"],
            "both.example.org": ["93.184.215.14", "192.168.0.7"],
            "public.example.org": ["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"],
        },
    )
    with pytest.raises(RefusedAddress, match="“inside.example.org” resolves to 10.1.2.3"):
        target("https://inside.example.org/")
    # One private address among public ones is enough to refuse: the connection could use it.
    with pytest.raises(RefusedAddress, match="resolves to 192.168.0.7"):
        target("https://both.example.org/")
    assert target("https://public.example.org/").addresses == (
        "93.184.215.14",
        "2606:2800:21f:cb07:6820:80da:af6b:8b2c",
    )
    with pytest.raises(RefusedAddress, match="“nowhere.example.org” cannot be resolved"):
        target("https://nowhere.example.org/")


def test_private_addresses_are_taken_only_when_the_setting_allows(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE = True
    assert target("https://127.0.0.1:8443/hook").addresses == ("127.0.0.1",)


def test_the_setting_is_refused_without_debug():
    result = settings_process(
        "import django; django.setup()",
        {"DEBUG", "SECRET_KEY", "WEBHOOKS_"},
        DEBUG="0",
        SECRET_KEY="x" * 20 + "abcdefghijklmnopqrstuvwxyz0123456789",
        WEBHOOKS_ALLOW_PRIVATE="1",
    )
    assert result.returncode != 0
    assert "WEBHOOKS_ALLOW_PRIVATE lets webhooks post to private" in result.stderr


@pytest.mark.django_db
def test_registration_names_the_endpoint_refused(editor, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE = False
    with pytest.raises(services.InvalidHook) as refused:
        services.webhook_create(
            owner=editor, endpoint="https://169.254.169.254/latest", list_name="events"
        )
    assert list(refused.value.errors) == ["endpoint"]
    assert "non-public address" in refused.value.errors["endpoint"][0]
