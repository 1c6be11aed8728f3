"""The auth service files a batch of audit events under the right organization, once each,
on a real Postgres with auth's own migrations."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select

from keel_auth.app import MIGRATIONS
from keel_auth.audit import service
from keel_auth.audit.models import AuditEntry
from keel_auth.identity.models import Organization, User, Workspace
from keel_common.contracts.audit import AuditRecorded
from keel_common.contracts.base import Envelope
from keel_common.db.database import Database
from keel_devstack.stack import Infrastructure
from tests.support.database import migrated_database


@pytest.fixture
async def auth_db(infra: Infrastructure) -> AsyncIterator[Database]:
    async with migrated_database(infra, MIGRATIONS, "auth") as (db, _):
        yield db


def _event(action: str, target: str, *, workspace: uuid.UUID | None, actor: str | None) -> Envelope:
    recorded = AuditRecorded(action=action, outcome="success", target=target, request_id="r-1")
    return Envelope.wrap(recorded, workspace=workspace, actor=actor)


async def test_a_batch_is_filed_under_each_entrys_organization_once(auth_db: Database) -> None:
    acme, globex = uuid.uuid4(), uuid.uuid4()
    acme_ws, globex_ws, gone_ws = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    alice = uuid.uuid4()
    async with auth_db.transaction() as session:
        session.add_all([Organization(id=acme, name="a"), Organization(id=globex, name="g")])
        await session.flush()
        session.add_all(
            [
                Workspace(id=acme_ws, organization_id=acme, name="a", slug="a"),
                Workspace(id=globex_ws, organization_id=globex, name="g", slug="g"),
                User(id=alice, organization_id=globex, email="alice@example.com"),
            ]
        )
    in_acme = _event("secret.reveal", "secret:x", workspace=acme_ws, actor=f"user:{alice}")
    in_globex = _event("secret.create", "secret:y", workspace=globex_ws, actor=None)
    sign_in = _event("auth.login", f"user:{alice}", workspace=None, actor=None)
    nowhere = _event("secret.reveal", "secret:z", workspace=gone_ws, actor=None)
    batch = [in_acme, in_globex, sign_in, nowhere, in_acme]  # in_acme redelivered

    async with auth_db.transaction() as session:
        await service.record(session, batch)
    async with auth_db.transaction() as session:
        await service.record(session, [in_globex])  # a batch redelivered later

    async with auth_db.transaction() as session:
        filed = (await session.execute(select(AuditEntry.id, AuditEntry.organization_id))).all()
    assert sorted(filed) == sorted(
        [(in_acme.id, acme), (in_globex.id, globex), (sign_in.id, globex), (nowhere.id, None)]
    )
