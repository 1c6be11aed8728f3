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

    @classmethod
    def load_or_create(cls, home: Path) -> StackCredentials:
        path = home / "credentials.json"
        if path.exists():
            stored = json.loads(path.read_text())
        else:
            stored = {
                "key_encryption_key": KeyEncryptionKey.generate_text(),
                "admin_email": DEFAULT_ADMIN_EMAIL,
                "admin_password": secrets.token_urlsafe(18),
            }
            home.mkdir(parents=True, exist_ok=True)
            path.touch(mode=0o600)
            path.write_text(json.dumps(stored, indent=2))
        chosen_email = os.environ.get("KEEL_BOOTSTRAP_ADMIN_EMAIL")
        chosen_password = os.environ.get("KEEL_BOOTSTRAP_ADMIN_PASSWORD")
        if chosen_email and chosen_password:
            return cls(stored["key_encryption_key"], chosen_email, chosen_password, False)
        return cls(
            stored["key_encryption_key"], stored["admin_email"], stored["admin_password"], True
        )

    def service_env(self) -> dict[str, str]:
        return {
            "KEEL_AUTH_KEY_ENCRYPTION_KEY": self.key_encryption_key,
            "KEEL_BOOTSTRAP_ADMIN_EMAIL": self.admin_email,
            "KEEL_BOOTSTRAP_ADMIN_PASSWORD": self.admin_password,
        }
