"""Logs never carry secret values, whatever key or text they hide in."""

from __future__ import annotations

import json
import logging

import pytest
from pydantic import SecretStr

from keel_common.logging import configure_logging, get_logger
from keel_common.settings import LogSettings

JWT = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1c2VyOjEiLCJleHAiOjE3MDB9.c2lnbmF0dXJlLWJ5dGVz"


def test_values_of_sensitive_keys_are_redacted(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("unit", LogSettings(format="json"))
    get_logger("t").info(
        "stored",
        password="hunter2",
        api_key="k-123",
        nested={"client_secret": "s3cr3t", "values": {"AWS_KEY": "AKIA"}, "name": "ok"},
    )
    text = capsys.readouterr().err
    for secret in ("hunter2", "k-123", "s3cr3t", "AKIA"):
        assert secret not in text
    line = json.loads(text.strip().splitlines()[-1])
    assert line["nested"]["name"] == "ok"
    assert line["password"] == "[redacted]"


def test_credential_shaped_text_is_masked_in_messages_and_stdlib_logs(
    capsys: pytest.CaptureFixture[str],
) -> None:
    configure_logging("unit", LogSettings(format="json"))
    get_logger("t").info(f"got Authorization: Bearer {JWT}")
    logging.getLogger("some.library").warning("token was %s", JWT)
    text = capsys.readouterr().err
    assert JWT not in text
    assert text.count("[redacted]") >= 2


def test_secret_str_never_renders_its_value(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("unit", LogSettings(format="json"))
    get_logger("t").info("settings", database=SecretStr("postgresql://u:pw-value@h/db"))
    assert "pw-value" not in capsys.readouterr().err


def test_exception_text_is_scrubbed(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("unit", LogSettings(format="json"))
    try:
        raise ValueError(f"bad token {JWT}")
    except ValueError:
        get_logger("t").exception("failed")
    assert JWT not in capsys.readouterr().err
