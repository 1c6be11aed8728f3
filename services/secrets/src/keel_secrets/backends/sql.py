"""The hosted store (Scenario 1): values AES-256-GCM encrypted with per-workspace data keys,
which are themselves wrapped by the key-encryption key."""

from __future__ import annotations

import os
import uuid

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from keel_common.contracts.secrets import VALUES_CONTEXT, BackendKind, ValueKeyView
from keel_common.crypto.sealed import Sealed, seal_to_requester
from keel_common.errors import Conflict, NotFound
from keel_secrets.backends.base import Target
from keel_secrets.backends.models import DataKey, SecretValue
from keel_secrets.keys.keyring import KeyRing
from keel_secrets.keys.service import ServiceKeys, encode_values

NONCE = 12


def _data_key_purpose(workspace_id: uuid.UUID) -> str:
    return f"data-key:{workspace_id}"


def _value_aad(target: Target, version: int) -> bytes:
    return f"{target.workspace_id}:{target.secret_id}:{version}".encode()


class SqlBackend:
    kind: BackendKind = "sql"

    def __init__(self, keys: ServiceKeys, keyring: KeyRing) -> None:
        self._keys = keys
        self._keyring = keyring
        self._plain_keys: dict[uuid.UUID, bytes] = {}

    def value_key(self) -> ValueKeyView:
        return self._keys.value_key()

    async def write(
        self, session: AsyncSession, target: Target, values: Sealed, expected_version: int
    ) -> int:
        plaintext = encode_values(self._keys.open_values(values, target.workspace_id))
        key_id, key = await self._data_key(session, target.workspace_id)
        version = expected_version + 1
        nonce = os.urandom(NONCE)
        ciphertext = nonce + AESGCM(key).encrypt(nonce, plaintext, _value_aad(target, version))
        try:
            async with session.begin_nested():
                session.add(
                    SecretValue(
                        secret_id=target.secret_id,
                        version=version,
                        data_key_id=key_id,
                        ciphertext=ciphertext,
                    )
                )
        except IntegrityError:
            raise Conflict(f"version {version} of the secret already exists") from None
        return version

    async def read(
        self, session: AsyncSession, target: Target, version: int | None, reply_key: str
    ) -> tuple[int, Sealed]:
        # The value and the data key that sealed it, in one round trip.
        query = (
            select(SecretValue, DataKey)
            .join(DataKey, DataKey.id == SecretValue.data_key_id)
            .where(SecretValue.secret_id == target.secret_id)
        )
        if version is not None:
            query = query.where(SecretValue.version == version)
        found = (await session.execute(query.order_by(SecretValue.version.desc()).limit(1))).first()
        if found is None:
            raise NotFound("no such version of the secret")
        row, data_key = found
        key = await self._unwrap(data_key)
        try:
            nonce, body = row.ciphertext[:NONCE], row.ciphertext[NONCE:]
            plaintext = AESGCM(key).decrypt(nonce, body, _value_aad(target, row.version))
        except InvalidTag:
            raise RuntimeError(
                f"stored value of {target.secret_id} fails its integrity check"
            ) from None
        return row.version, seal_to_requester(plaintext, reply_key, context=VALUES_CONTEXT)

    async def destroy(self, session: AsyncSession, target: Target) -> None:
        await session.execute(delete(SecretValue).where(SecretValue.secret_id == target.secret_id))

    async def _data_key(
        self, session: AsyncSession, workspace_id: uuid.UUID
    ) -> tuple[uuid.UUID, bytes]:
        """The workspace's data key, created on first use (concurrent creators agree)."""
        query = select(DataKey).where(DataKey.workspace_id == workspace_id)
        stored = (await session.execute(query)).scalar_one_or_none()
        if stored is None:
            purpose = _data_key_purpose(workspace_id)
            kek_id, wrapped = await self._keyring.wrap(os.urandom(32), purpose=purpose)
            await session.execute(
                insert(DataKey)
                .values(id=uuid.uuid4(), workspace_id=workspace_id, kek_id=kek_id, wrapped=wrapped)
                .on_conflict_do_nothing(index_elements=["workspace_id"])
            )
            stored = (await session.execute(query)).scalar_one()
        return stored.id, await self._unwrap(stored)

    async def _unwrap(self, data_key: DataKey) -> bytes:
        """Unwrapped data keys are kept in memory: with a Transit key-encryption key each
        unwrap is a Vault call, and a data key never changes (rotation re-wraps it only)."""
        cached = self._plain_keys.get(data_key.id)
        if cached is None:
            cached = await self._keyring.unwrap(
                data_key.kek_id, data_key.wrapped, purpose=_data_key_purpose(data_key.workspace_id)
            )
            self._plain_keys[data_key.id] = cached
        return cached
