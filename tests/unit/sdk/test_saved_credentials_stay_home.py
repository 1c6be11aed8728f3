"""Saved credentials are only ever sent to the gateway they were issued by."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from keel import Client, NotLoggedIn
from keel.config import Credentials


def test_a_different_url_does_not_get_the_saved_tokens(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KEEL_CONFIG_DIR", str(tmp_path))
    Credentials(url="https://keel.example.com", api_key="keel_key_" + "x" * 32).save()
    with pytest.raises(NotLoggedIn, match=re.escape("keel login --url https://elsewhere.example")):
        Client.from_config("https://elsewhere.example")
    Client.from_config("https://keel.example.com/").close()  # the same gateway is fine
    Client.from_config().close()
