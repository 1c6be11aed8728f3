"""Artifacts in an S3-compatible bucket (AWS S3, MinIO, Ceph, ...): the object
`<prefix>/<workspace id>/<artifact path>`. The gateway streams bytes between the client and
the bucket without holding a whole file: uploads go up in parts of `PART_BYTES`, downloads
come down in chunks.

Credentials come from botocore's own chain (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, a
profile, a web identity token, instance metadata), never from Keel's settings, so they
never reach a Keel log or error. AWS_CA_BUNDLE names a private CA."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from typing import TYPE_CHECKING, Any

from aiobotocore.config import AioConfig
from aiobotocore.session import get_session
from botocore.exceptions import BotoCoreError, ClientError

from keel_common.errors import NotFound, ServiceUnavailable
from keel_common.logging import get_logger
from keel_gateway.mlflow.storage import Download, Listed, is_a_directory, relative_path

if TYPE_CHECKING:
    from types_aiobotocore_s3 import S3Client

log = get_logger(__name__)

# S3's smallest part but the last is 5 MiB; 8 MiB parts keep a 5 GiB file (the gateway's
# default limit) at 640 parts, far below S3's 10,000.
PART_BYTES = 8 * 1024 * 1024
CHUNK_BYTES = 1024 * 1024
# DeleteObjects takes at most this many keys a request.
DELETE_BATCH = 1000
MISSING = {"NoSuchKey", "404", "NotFound"}


class S3ArtifactStore:
    def __init__(
        self,
        bucket: str,
        prefix: str,
        *,
        endpoint_url: str | None,
        region: str,
        addressing_style: str,
    ) -> None:
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self._endpoint_url = endpoint_url
        self._region = region
        self._addressing_style = addressing_style
        self._exit = AsyncExitStack()
        self._client: S3Client | None = None

    @classmethod
    def from_uri(
        cls, uri: str, *, endpoint_url: str | None, region: str, addressing_style: str
    ) -> S3ArtifactStore:
        """`s3://bucket` or `s3://bucket/prefix`."""
        bucket, _, prefix = uri.removeprefix("s3://").partition("/")
        return cls(
            bucket,
            prefix,
            endpoint_url=endpoint_url,
            region=region,
            addressing_style=addressing_style,
        )

    async def start(self) -> None:
        config = AioConfig(
            s3={"addressing_style": self._addressing_style},
            retries={"max_attempts": 3, "mode": "standard"},
            connect_timeout=5,
            read_timeout=60,
        )
        self._client = await self._exit.enter_async_context(
            get_session().create_client(
                "s3", endpoint_url=self._endpoint_url, region_name=self._region, config=config
            )
        )

    async def stop(self) -> None:
        await self._exit.aclose()
        self._client = None

    @property
    def client(self) -> S3Client:
        if self._client is None:
            raise RuntimeError("the S3 artifact store is not started")
        return self._client

    def key(self, workspace_id: uuid.UUID, artifact_path: str) -> str:
        relative = relative_path(artifact_path)
        parts = [self.prefix, str(workspace_id)] + ([] if str(relative) == "." else [str(relative)])
        return "/".join(p for p in parts if p)

    async def upload(
        self, workspace_id: uuid.UUID, artifact_path: str, chunks: AsyncIterator[bytes]
    ) -> None:
        key = self.key(workspace_id, artifact_path)
        async with _unavailable_as_503():
            if await self._has_children(key):
                raise is_a_directory(artifact_path)
            # A file of one part is one PUT; a larger one a multipart upload, which S3 shows
            # only once complete: a reader never sees half a file, and an abort leaves none.
            buffer = bytearray()
            upload: _Multipart | None = None
            try:
                async for chunk in chunks:
                    buffer += chunk
                    while len(buffer) >= PART_BYTES:
                        upload = upload or await _Multipart.begin(self.client, self.bucket, key)
                        await upload.put(bytes(buffer[:PART_BYTES]))
                        del buffer[:PART_BYTES]
                if upload is None:
                    await self.client.put_object(Bucket=self.bucket, Key=key, Body=bytes(buffer))
                    return
                if buffer:
                    await upload.put(bytes(buffer))
                await upload.complete()
            except BaseException:
                if upload is not None:
                    # Shielded: an upload cut short by a cancelled request must still not
                    # leave its parts (S3 bills them) behind.
                    await asyncio.shield(upload.abort())
                raise

    async def download(self, workspace_id: uuid.UUID, artifact_path: str) -> Download:
        key = self.key(workspace_id, artifact_path)
        async with _unavailable_as_503():
            try:
                found = await self.client.get_object(Bucket=self.bucket, Key=key)
            except ClientError as exc:
                if _code(exc) in MISSING:
                    raise NotFound(f"no artifact at {artifact_path!r}", field="path") from None
                raise
        return Download(found["ContentLength"], _chunks(found["Body"]))

    async def listing(self, workspace_id: uuid.UUID, artifact_path: str) -> list[Listed]:
        key = self.key(workspace_id, artifact_path)
        directory = key + "/"
        entries: list[Listed] = []
        async with _unavailable_as_503():
            pages = self.client.get_paginator("list_objects_v2").paginate(
                Bucket=self.bucket, Prefix=directory, Delimiter="/"
            )
            async for page in pages:
                for common in page.get("CommonPrefixes", []):
                    name = common.get("Prefix", "")[len(directory) :].rstrip("/")
                    entries.append(Listed(name, True, None))
                for item in page.get("Contents", []):
                    name = item.get("Key", "")[len(directory) :]
                    if name:  # "dir/" itself: a folder marker some tools write
                        entries.append(Listed(name, False, item.get("Size", 0)))
            if not entries and relative_path(artifact_path).name:
                size = await self._size(key)
                if size is not None:
                    entries.append(Listed(key.rsplit("/", 1)[-1], False, size))
        return sorted(entries, key=lambda e: e.name)

    async def delete(self, workspace_id: uuid.UUID, artifact_path: str) -> None:
        key = self.key(workspace_id, artifact_path)
        async with _unavailable_as_503():
            doomed = [key] if relative_path(artifact_path).name else []
            pages = self.client.get_paginator("list_objects_v2").paginate(
                Bucket=self.bucket, Prefix=key + "/"
            )
            async for page in pages:
                doomed += [item["Key"] for item in page.get("Contents", []) if "Key" in item]
            for start in range(0, len(doomed), DELETE_BATCH):
                batch = doomed[start : start + DELETE_BATCH]
                # Deleting a key that is not there is no error in S3: a file or a directory,
                # whichever `artifact_path` names, goes in the same requests.
                await self.client.delete_objects(
                    Bucket=self.bucket,
                    Delete={"Objects": [{"Key": k} for k in batch], "Quiet": True},
                )

    async def _has_children(self, key: str) -> bool:
        found = await self.client.list_objects_v2(Bucket=self.bucket, Prefix=key + "/", MaxKeys=1)
        return found.get("KeyCount", 0) > 0

    async def _size(self, key: str) -> int | None:
        try:
            head = await self.client.head_object(Bucket=self.bucket, Key=key)
        except ClientError as exc:
            if _code(exc) in MISSING:
                return None
            raise
        return head["ContentLength"]


class _Multipart:
    def __init__(self, client: S3Client, bucket: str, key: str, upload_id: str) -> None:
        self.client = client
        self.bucket = bucket
        self.key = key
        self.upload_id = upload_id
        self.parts: list[dict[str, Any]] = []

    @classmethod
    async def begin(cls, client: S3Client, bucket: str, key: str) -> _Multipart:
        started = await client.create_multipart_upload(Bucket=bucket, Key=key)
        return cls(client, bucket, key, started["UploadId"])

    async def put(self, data: bytes) -> None:
        number = len(self.parts) + 1
        sent = await self.client.upload_part(
            Bucket=self.bucket, Key=self.key, UploadId=self.upload_id, PartNumber=number, Body=data
        )
        self.parts.append({"PartNumber": number, "ETag": sent["ETag"]})

    async def complete(self) -> None:
        await self.client.complete_multipart_upload(
            Bucket=self.bucket,
            Key=self.key,
            UploadId=self.upload_id,
            MultipartUpload={"Parts": self.parts},  # type: ignore[typeddict-item]
        )

    async def abort(self) -> None:
        try:
            await self.client.abort_multipart_upload(
                Bucket=self.bucket, Key=self.key, UploadId=self.upload_id
            )
        except (BotoCoreError, ClientError):
            # The bucket's lifecycle rule for incomplete uploads is the backstop; the
            # upload itself failed either way and says so to its client.
            log.warning("could not abort a multipart upload", key=self.key)


async def _chunks(body: Any) -> AsyncIterator[bytes]:
    async with body as stream:
        async for chunk in stream.iter_chunks(CHUNK_BYTES):
            yield chunk


def _code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


@asynccontextmanager
async def _unavailable_as_503() -> AsyncIterator[None]:
    """The bucket unreachable, or refusing Keel's credentials: a 503 naming the artifact
    store, never a 500 with botocore's words (which can carry the endpoint's answer)."""
    try:
        yield
    except (BotoCoreError, ClientError) as exc:
        code = _code(exc) if isinstance(exc, ClientError) else type(exc).__name__
        log.warning("artifact store error", error=code)
        raise ServiceUnavailable(
            "the artifact store did not accept the request", service="artifact-store"
        ) from None
