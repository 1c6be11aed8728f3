"""Credentials the local stack generates once and keeps (mode 0600) under its home.

The key-encryption key must survive restarts: the auth service's private keys in the
persistent Postgres are wrapped with it. The bootstrap administrator's password is
generated rather than defaulted: Keel has no default admin password.
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from keel_common.crypto.at_rest import KeyEncryptionKey

DEFAULT_ADMIN_EMAIL = "admin@keel.local"


@dataclass(frozen=True)
class StackCredentials:
    key_encryption_key: str
    admin_email: str
    admin_password: str
    # False when the operator chose the password (KEEL_BOOTSTRAP_ADMIN_*): not ours to print.
    generated_password: bool
    # The secrets service's own: it wraps every workspace's data keys.
    secrets_key_encryption_key: str

    @classmethod
    def load_or_create(cls, home: Path) -> StackCredentials:
        path = home / "credentials.json"
        stored = json.loads(path.read_text()) if path.exists() else {}
        generated = {
            "key_encryption_key": KeyEncryptionKey.generate_text,
            "admin_email": lambda: DEFAULT_ADMIN_EMAIL,
            "admin_password": lambda: secrets.token_urlsafe(18),
            "secrets_key_encryption_key": KeyEncryptionKey.generate_text,
        }
        missing = {name: make() for name, make in generated.items() if name not in stored}
        if missing:
            # Older homes gain the credentials added since; existing ones are kept.
            stored.update(missing)
            home.mkdir(parents=True, exist_ok=True)
            path.touch(mode=0o600)
            path.write_text(json.dumps(stored, indent=2))
        email, password, generated_password = (
            stored["admin_email"],
            stored["admin_password"],
            True,
        )
        chosen_email = os.environ.get("KEEL_BOOTSTRAP_ADMIN_EMAIL")
        chosen_password = os.environ.get("KEEL_BOOTSTRAP_ADMIN_PASSWORD")
        if chosen_email and chosen_password:
            email, password, generated_password = chosen_email, chosen_password, False
        return cls(
            stored["key_encryption_key"],
            email,
            password,
            generated_password,
            stored["secrets_key_encryption_key"],
        )

    def service_env(self) -> dict[str, str]:
        return {
            "KEEL_AUTH_KEY_ENCRYPTION_KEY": self.key_encryption_key,
            "KEEL_SECRETS_KEY_ENCRYPTION_KEY": self.secrets_key_encryption_key,
            "KEEL_BOOTSTRAP_ADMIN_EMAIL": self.admin_email,
            "KEEL_BOOTSTRAP_ADMIN_PASSWORD": self.admin_password,
        }
