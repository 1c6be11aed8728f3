"""The MLflow artifact store's contract, held by both kinds: a directory on the gateway's
disk and an S3-compatible bucket (a real S3-protocol server process, `tests/support/s3.py`).
What a client of the `mlflow-artifacts` proxy would see: whole files or none, listings,
deletes, workspaces apart; and for S3, where the bytes land."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from keel_common.errors import InvalidInput, NotFound, ServiceUnavailable
from keel_devstack.process import free_port
from keel_gateway.mlflow.local_storage import LocalArtifactStore
from keel_gateway.mlflow.s3_storage import PART_BYTES, S3ArtifactStore
from keel_gateway.mlflow.storage import ArtifactStore
from tests.support.s3 import CREDENTIALS, S3Server, s3_server

WORKSPACE = uuid.uuid4()


@pytest.fixture(scope="module")
def s3(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server]:
    with s3_server(tmp_path_factory.mktemp("s3")) as server:
        yield server


@pytest.fixture
def aws_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in CREDENTIALS.items():
        monkeypatch.setenv(name, value)


async def _s3_store(server: S3Server, bucket: str, prefix: str) -> AsyncIterator[S3ArtifactStore]:
    await server.create_bucket(bucket)
    store = S3ArtifactStore(
        bucket, prefix, endpoint_url=server.url, region="us-east-1", addressing_style="path"
    )
    await store.start()
    try:
        yield store
    finally:
        await store.stop()


@pytest.fixture(params=["local", "s3"])
async def store(
    request: pytest.FixtureRequest, tmp_path: Path, aws_credentials: None
) -> AsyncIterator[ArtifactStore]:
    if request.param == "local":
        yield LocalArtifactStore(tmp_path)
        return
    server: S3Server = request.getfixturevalue("s3")
    async for opened in _s3_store(server, f"b-{uuid.uuid4().hex[:12]}", "keel/artifacts"):
        yield opened


async def _stream(*chunks: bytes) -> AsyncIterator[bytes]:
    for chunk in chunks:
        yield chunk


async def _read(store: ArtifactStore, path: str, workspace: uuid.UUID = WORKSPACE) -> bytes:
    found = await store.download(workspace, path)
    data = b"".join([chunk async for chunk in found.chunks])
    assert found.size == len(data)
    return data


def _bytes(size: int) -> bytes:
    """Incompressible, and different at every offset: a misplaced part would show."""
    blocks = (hashlib.sha256(i.to_bytes(8, "big")).digest() for i in range(size // 32 + 1))
    return b"".join(blocks)[:size]


async def test_a_file_goes_in_and_comes_back_whole(store: ArtifactStore) -> None:
    await store.upload(WORKSPACE, "1/run/artifacts/notes.txt", _stream(b"trained ", b"today\n"))
    assert await _read(store, "1/run/artifacts/notes.txt") == b"trained today\n"
    # Uploading again replaces the file.
    await store.upload(WORKSPACE, "1/run/artifacts/notes.txt", _stream(b"v2"))
    assert await _read(store, "1/run/artifacts/notes.txt") == b"v2"
    # An empty file is a file.
    await store.upload(WORKSPACE, "1/run/artifacts/empty", _stream())
    assert await _read(store, "1/run/artifacts/empty") == b""


async def test_a_file_larger_than_a_part_arrives_in_order(store: ArtifactStore) -> None:
    data = _bytes(2 * PART_BYTES + 12345)
    # Chunks that do not line up with parts, as an HTTP body arrives.
    chunks = [data[i : i + 1_000_003] for i in range(0, len(data), 1_000_003)]
    await store.upload(WORKSPACE, "1/run/artifacts/model.bin", _stream(*chunks))
    assert await _read(store, "1/run/artifacts/model.bin") == data


async def test_an_upload_cut_short_leaves_nothing(
    store: ArtifactStore, request: pytest.FixtureRequest
) -> None:
    async def broken() -> AsyncIterator[bytes]:
        yield _bytes(PART_BYTES + 10)  # past one part: S3 has begun a multipart upload
        raise ConnectionResetError("the client went away")

    with pytest.raises(ConnectionResetError):
        await store.upload(WORKSPACE, "1/run/artifacts/half.bin", broken())
    with pytest.raises(NotFound):
        await store.download(WORKSPACE, "1/run/artifacts/half.bin")
    assert await store.listing(WORKSPACE, "1/run/artifacts") == []
    if isinstance(store, S3ArtifactStore):
        server: S3Server = request.getfixturevalue("s3")
        assert await server.pending_uploads(store.bucket) == 0


async def test_listings_show_directories_files_and_sizes(store: ArtifactStore) -> None:
    await store.upload(WORKSPACE, "1/run/artifacts/model/MLmodel", _stream(b"flavors"))
    await store.upload(WORKSPACE, "1/run/artifacts/model/data/weights", _stream(b"123"))
    await store.upload(WORKSPACE, "1/run/artifacts/notes.txt", _stream(b"12345"))
    listed = await store.listing(WORKSPACE, "1/run/artifacts")
    assert [(e.name, e.is_dir, e.size) for e in listed] == [
        ("model", True, None),
        ("notes.txt", False, 5),
    ]
    nested = await store.listing(WORKSPACE, "/1/run/artifacts/model/")
    assert [(e.name, e.is_dir) for e in nested] == [("MLmodel", False), ("data", True)]
    # A file lists as itself; nothing there lists as empty.
    alone = await store.listing(WORKSPACE, "1/run/artifacts/notes.txt")
    assert [(e.name, e.size) for e in alone] == [("notes.txt", 5)]
    assert await store.listing(WORKSPACE, "1/none") == []
    # A directory is not a file.
    with pytest.raises(NotFound):
        await store.download(WORKSPACE, "1/run/artifacts/model")
    with pytest.raises(InvalidInput) as refused:
        await store.upload(WORKSPACE, "1/run/artifacts/model", _stream(b"x"))
    assert refused.value.errors[0].field == "path"


async def test_deleting_a_directory_takes_everything_in_it(store: ArtifactStore) -> None:
    for name in ("model/MLmodel", "model/data/weights", "notes.txt"):
        await store.upload(WORKSPACE, f"1/run/artifacts/{name}", _stream(b"x"))
    await store.delete(WORKSPACE, "1/run/artifacts/model")
    listed = await store.listing(WORKSPACE, "1/run/artifacts")
    assert [e.name for e in listed] == ["notes.txt"]
    await store.delete(WORKSPACE, "1/run/artifacts/notes.txt")
    assert await store.listing(WORKSPACE, "1/run/artifacts") == []
    await store.delete(WORKSPACE, "1/run/artifacts/never-there")  # no error


async def test_workspaces_do_not_see_each_other(store: ArtifactStore) -> None:
    other = uuid.uuid4()
    await store.upload(other, "1/run/artifacts/theirs.txt", _stream(b"b's"))
    with pytest.raises(NotFound):
        await store.download(WORKSPACE, "1/run/artifacts/theirs.txt")
    assert await store.listing(WORKSPACE, "1/run/artifacts") == []
    await store.delete(WORKSPACE, "1/run/artifacts")  # deletes nothing of theirs
    assert await _read(store, "1/run/artifacts/theirs.txt", other) == b"b's"


@pytest.mark.parametrize("path", ["../other/file", "1/../../x", "a\\b", "a\x00b"])
async def test_paths_that_would_leave_the_workspace_are_refused(
    store: ArtifactStore, path: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        await store.upload(WORKSPACE, path, _stream(b"x"))
    assert refused.value.errors[0].field == "path"
    with pytest.raises(InvalidInput):
        await store.listing(WORKSPACE, path)


async def test_s3_objects_are_named_by_prefix_workspace_and_path(
    s3: S3Server, aws_credentials: None
) -> None:
    bucket = f"b-{uuid.uuid4().hex[:12]}"
    async for store in _s3_store(s3, bucket, "/team-a/mlflow/"):
        await store.upload(WORKSPACE, "/7/abc/artifacts/notes.txt", _stream(b"hello"))
    assert await s3.objects(bucket) == {
        f"team-a/mlflow/{WORKSPACE}/7/abc/artifacts/notes.txt": b"hello"
    }


async def test_an_unreachable_s3_store_is_a_503_naming_it(aws_credentials: None) -> None:
    store = S3ArtifactStore(
        "bucket",
        "",
        endpoint_url=f"http://127.0.0.1:{free_port()}",  # nothing listens there
        region="us-east-1",
        addressing_style="path",
    )
    await store.start()
    try:
        for attempt in (
            store.listing(WORKSPACE, "1"),
            store.download(WORKSPACE, "1/f"),
            store.upload(WORKSPACE, "1/f", _stream(b"x")),
            store.delete(WORKSPACE, "1"),
        ):
            with pytest.raises(ServiceUnavailable) as refused:
                await attempt
            assert refused.value.extra == {"service": "artifact-store"}
    finally:
        await store.stop()
