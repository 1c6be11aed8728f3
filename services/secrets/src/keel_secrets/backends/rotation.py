"""Re-wrapping everything the key-encryption key protects under the current key.

Runs beside live instances: each row is re-wrapped in its own short transaction under a
row lock, and instances that hold both keys read old and new rows alike.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from keel_common.db.database import Database
from keel_secrets.backends.models import DataKey
from keel_secrets.keys.keyring import KeyRing
from keel_secrets.keys.models import ServiceKey

BATCH = 100


async def rewrap_all(db: Database, keyring: KeyRing) -> int:
    """Re-wrap data keys and service keys still under an older key; returns how many."""
    total = 0
    while True:
        async with db.transaction() as session:
            done = await _rewrap_batch(session, keyring)
        total += done
        if done == 0:
            return total


async def _rewrap_batch(session: AsyncSession, keyring: KeyRing) -> int:
    current = keyring.current.id
    data_keys = (
        (
            await session.execute(
                select(DataKey)
                .where(DataKey.kek_id != current)
                .limit(BATCH)
                .with_for_update(skip_locked=True)
            )
        )
        .scalars()
        .all()
    )
    for data_key in data_keys:
        purpose = f"data-key:{data_key.workspace_id}"
        plain = await keyring.unwrap(data_key.kek_id, data_key.wrapped, purpose=purpose)
        data_key.kek_id, data_key.wrapped = await keyring.wrap(plain, purpose=purpose)
    service_keys = (
        (
            await session.execute(
                select(ServiceKey)
                .where(ServiceKey.kek_id != current)
                .with_for_update(skip_locked=True)
            )
        )
        .scalars()
        .all()
    )
    for key in service_keys:
        purpose = f"{key.kind}:{key.kid}"
        plain = await keyring.unwrap(key.kek_id, key.private_key_wrapped, purpose=purpose)
        key.kek_id, key.private_key_wrapped = await keyring.wrap(plain, purpose=purpose)
    return len(data_keys) + len(service_keys)
