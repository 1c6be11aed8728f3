"""How Kafka clients are secured from settings: TLS with a private CA, SASL/SCRAM, both."""

from __future__ import annotations

import datetime
import ssl
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from pydantic import SecretStr

from keel_common.bus.broker import client_security_kwargs, make_broker
from keel_common.settings import BusSettings


def _ca_file(tmp_path: Path) -> str:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "customer CA")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    path = tmp_path / "ca.pem"
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return str(path)


def test_plaintext_without_settings() -> None:
    assert client_security_kwargs(BusSettings()) == {}


def test_tls_with_a_private_ca(tmp_path: Path) -> None:
    kwargs = client_security_kwargs(BusSettings(ssl_cafile=_ca_file(tmp_path)))
    assert kwargs["security_protocol"] == "SSL"
    context: ssl.SSLContext = kwargs["ssl_context"]
    assert context.verify_mode == ssl.CERT_REQUIRED
    assert [c["subject"] for c in context.get_ca_certs()] == [((("commonName", "customer CA"),),)]


def test_sasl_over_tls(tmp_path: Path) -> None:
    settings = BusSettings(
        ssl_cafile=_ca_file(tmp_path), sasl_username="relay-ws1", sasl_password=SecretStr("pw")
    )
    kwargs = client_security_kwargs(settings)
    assert kwargs["security_protocol"] == "SASL_SSL"
    assert kwargs["sasl_mechanism"] == "SCRAM-SHA-512"
    make_broker(settings, client_id="t")  # FastStream accepts the same settings


def test_sasl_without_tls() -> None:
    settings = BusSettings(sasl_username="svc", sasl_password=SecretStr("pw"))
    assert client_security_kwargs(settings)["security_protocol"] == "SASL_PLAINTEXT"
