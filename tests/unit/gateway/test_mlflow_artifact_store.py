"""The MLflow artifact store's path checks: a client's path never leaves its workspace."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from keel_common.errors import InvalidInput, NotFound
from keel_gateway.mlflow.storage import ArtifactStore

WORKSPACE = uuid.uuid4()


@pytest.mark.parametrize(
    "path",
    ["../other/file", "1/../../x", "a\\b", "a\x00b", "1/run/../../../../etc/passwd"],
)
def test_paths_that_would_leave_the_workspace_are_refused(tmp_path: Path, path: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        ArtifactStore(tmp_path).path(WORKSPACE, path)
    assert refused.value.errors[0].field == "path"


def test_a_symlink_out_of_the_workspace_is_refused(tmp_path: Path) -> None:
    store = ArtifactStore(tmp_path / "root")
    base = store.path(WORKSPACE, "")
    base.mkdir(parents=True)
    (base / "escape").symlink_to(tmp_path)
    with pytest.raises(InvalidInput):
        store.path(WORKSPACE, "escape/secret")


def test_paths_map_into_the_workspace_directory(tmp_path: Path) -> None:
    store = ArtifactStore(tmp_path)
    assert store.path(WORKSPACE, "/1/abc/artifacts/model.pkl") == (
        tmp_path.resolve() / str(WORKSPACE) / "1/abc/artifacts/model.pkl"
    )
    # Another workspace's files are simply not there.
    other = uuid.uuid4()
    target = store.path(other, "1/f.txt")
    target.parent.mkdir(parents=True)
    target.write_text("b's")
    with pytest.raises(NotFound):
        store.file(WORKSPACE, "1/f.txt")


def test_listing_shows_entries_sizes_and_hides_partial_uploads(tmp_path: Path) -> None:
    store = ArtifactStore(tmp_path)
    run = store.path(WORKSPACE, "1/run/artifacts")
    (run / "docs").mkdir(parents=True)
    (run / "model.pkl").write_bytes(b"12345")
    (run / ".upload-0123").write_bytes(b"half")
    listed = store.listing(WORKSPACE, "1/run/artifacts")
    assert [(e.name, e.is_dir, e.size) for e in listed] == [
        ("docs", True, None),
        ("model.pkl", False, 5),
    ]
    # A file lists as itself; nothing there lists as empty.
    assert [e.name for e in store.listing(WORKSPACE, "1/run/artifacts/model.pkl")] == ["model.pkl"]
    assert store.listing(WORKSPACE, "1/none") == []
