"""A real S3-protocol server process on loopback for the S3 artifact store's tests: moto's
standalone server (`moto_server`, its S3 service only). It speaks S3's REST API over HTTP
(SigV4 auth, multipart uploads, ListObjectsV2, DeleteObjects), which is all Keel uses, so
the gateway's botocore client talks to it as to any S3-compatible store."""

from __future__ import annotations

import shutil
import urllib.error
import urllib.request
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from pathlib import Path

from aiobotocore.session import get_session
from types_aiobotocore_s3 import S3Client

from keel_devstack.process import ManagedProcess, free_port

# Any pair works with moto; what matters is that the gateway reads them from the AWS SDK's
# environment variables, as it would real ones.
CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "keel-test-access",
    "AWS_SECRET_ACCESS_KEY": "keel-test-secret-key",
}


@dataclass
class S3Server:
    url: str
    process: ManagedProcess

    @asynccontextmanager
    async def client(self) -> AsyncIterator[S3Client]:
        async with get_session().create_client(
            "s3",
            endpoint_url=self.url,
            region_name="us-east-1",
            aws_access_key_id=CREDENTIALS["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        ) as s3:
            yield s3

    async def create_bucket(self, bucket: str) -> None:
        async with self.client() as s3:
            await s3.create_bucket(Bucket=bucket)

    def gateway_env(self, uri: str) -> dict[str, str]:
        """What a gateway needs to keep its artifacts at `uri` (`s3://bucket/prefix`)."""
        return {
            **CREDENTIALS,
            "KEEL_GATEWAY_ARTIFACT_S3_URI": uri,
            "KEEL_GATEWAY_ARTIFACT_S3_ENDPOINT_URL": self.url,
            "KEEL_GATEWAY_ARTIFACT_S3_ADDRESSING_STYLE": "path",
        }

    async def objects(self, bucket: str, prefix: str = "") -> dict[str, bytes]:
        """Every object under `prefix`, read straight from the server."""
        found: dict[str, bytes] = {}
        async with self.client() as s3:
            pages = s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
            async for page in pages:
                for item in page.get("Contents", []):
                    answer = await s3.get_object(Bucket=bucket, Key=item["Key"])
                    async with answer["Body"] as body:
                        found[item["Key"]] = await body.read()
        return found

    async def pending_uploads(self, bucket: str) -> int:
        """Multipart uploads begun and neither completed nor aborted."""
        async with self.client() as s3:
            listed = await s3.list_multipart_uploads(Bucket=bucket)
        return len(listed.get("Uploads", []))


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url + "/moto-api/", timeout=2):
            return True
    except (urllib.error.URLError, OSError):
        return False


@contextmanager
def s3_server(home: Path) -> Iterator[S3Server]:
    moto_server = shutil.which("moto_server")
    if moto_server is None:
        raise RuntimeError("moto_server is not installed (`make install` installs it)")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    process = ManagedProcess(
        name="s3",
        argv=[moto_server, "-H", "127.0.0.1", "-p", str(port)],
        log_path=home / "s3.log",
    )
    process.start()
    try:
        process.wait_ready(lambda: _answers(url), 60)
        yield S3Server(url, process)
    finally:
        process.stop()
