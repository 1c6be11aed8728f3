"""Which CA bundle and proxies the Vault client uses: the configured ones, else those the
environment names, read when the client is made (requests no longer reads them per call)."""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from keel_secrets.vault.client import VaultConnection, vault_transport

ADDRESS = "https://vault.customer.example:8200"
ENVIRONMENT = (
    "HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy",
    "NO_PROXY", "no_proxy", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE",
)  # fmt: skip


def _connection(**settings: str) -> VaultConnection:
    return VaultConnection(address=ADDRESS, token=SecretStr("t"), **settings)


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ENVIRONMENT:
        monkeypatch.delenv(name, raising=False)


def test_the_environment_names_the_proxy_and_the_ca_bundle(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.customer.example:3128")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/etc/customer/ca.pem")
    verify, proxies = vault_transport(_connection())
    assert verify == "/etc/customer/ca.pem"
    assert proxies == {"https": "http://proxy.customer.example:3128"}


def test_no_proxy_exempts_the_vault(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.customer.example:3128")
    monkeypatch.setenv("NO_PROXY", "customer.example")
    assert vault_transport(_connection()) == (True, None)


def test_configured_settings_win_over_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://env-proxy:3128")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/etc/env/ca.pem")
    verify, proxies = vault_transport(
        _connection(proxy="http://relay-proxy:3128", ca_bundle="/etc/relay/ca.pem")
    )
    assert verify == "/etc/relay/ca.pem"
    assert proxies == {"https": "http://relay-proxy:3128", "http": "http://relay-proxy:3128"}
