"""The local artifact store's path checks: a client's path never leaves its workspace's
directory, not through `..` and not through a symbolic link. (The contract both stores
keep is in tests/integration/test_artifact_stores.py.)"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from keel_common.errors import InvalidInput
from keel_gateway.mlflow.local_storage import LocalArtifactStore

WORKSPACE = uuid.uuid4()


@pytest.mark.parametrize(
    "path",
    ["../other/file", "1/../../x", "a\\b", "a\x00b", "1/run/../../../../etc/passwd"],
)
def test_paths_that_would_leave_the_workspace_are_refused(tmp_path: Path, path: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        LocalArtifactStore(tmp_path).path(WORKSPACE, path)
    assert refused.value.errors[0].field == "path"


def test_a_symlink_out_of_the_workspace_is_refused(tmp_path: Path) -> None:
    store = LocalArtifactStore(tmp_path / "root")
    base = store.path(WORKSPACE, "")
    base.mkdir(parents=True)
    (base / "escape").symlink_to(tmp_path)
    with pytest.raises(InvalidInput):
        store.path(WORKSPACE, "escape/secret")


def test_paths_map_into_the_workspace_directory(tmp_path: Path) -> None:
    store = LocalArtifactStore(tmp_path)
    assert store.path(WORKSPACE, "/1/abc/artifacts/model.pkl") == (
        tmp_path.resolve() / str(WORKSPACE) / "1/abc/artifacts/model.pkl"
    )


async def test_partial_uploads_are_not_listed(tmp_path: Path) -> None:
    store = LocalArtifactStore(tmp_path)
    run = store.path(WORKSPACE, "1/run/artifacts")
    run.mkdir(parents=True)
    (run / "model.pkl").write_bytes(b"12345")
    (run / ".upload-0123").write_bytes(b"half")
    listed = await store.listing(WORKSPACE, "1/run/artifacts")
    assert [e.name for e in listed] == ["model.pkl"]


async def test_a_path_through_a_file_is_refused_not_a_crash(tmp_path: Path) -> None:
    store = LocalArtifactStore(tmp_path)

    async def one(data: bytes) -> AsyncIterator[bytes]:
        yield data

    await store.upload(WORKSPACE, "1/run/artifacts/model.pkl", one(b"12345"))
    with pytest.raises(InvalidInput) as refused:
        await store.upload(WORKSPACE, "1/run/artifacts/model.pkl/inside", one(b"x"))
    assert refused.value.errors[0].field == "path"
