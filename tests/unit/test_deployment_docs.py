"""The deployment pages point at things that exist: every relative link resolves, and every
test docs/security.md names as a proof is a real test function."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PAGES = [
    "docs/scenario-1-saas.md",
    "docs/scenario-2-hybrid.md",
    "docs/scenario-3-onprem.md",
    "docs/security.md",
    "infra/openbao/README.md",
    "infra/observability/README.md",
]


@pytest.mark.parametrize("page", PAGES)
def test_relative_links_resolve(page: str) -> None:
    path = REPO / page
    for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", path.read_text()):
        if "://" in target:
            continue
        assert (path.parent / target).exists(), f"{page} links to missing {target}"


def test_readme_links_every_scenario_page() -> None:
    readme = (REPO / "README.md").read_text()
    for page in PAGES[:4]:
        assert f"]({page})" in readme, page


def functions_in(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    return {
        node.name
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.name.startswith("test_")
    }


def test_every_named_proof_is_a_real_test() -> None:
    text = (REPO / "docs/security.md").read_text()
    named = re.findall(r"`(tests/[\w/]+\.py)(?:::(\w+))?`", text)
    assert len(named) >= 10
    last_file: Path | None = None
    for file, function in named:
        last_file = REPO / file
        assert last_file.exists(), file
        if function:
            assert function in functions_in(last_file), f"{file}::{function}"
    # `::name` and bare names after a file refer to that file's tests.
    for function in re.findall(r"`::?(test_\w+)`", text):
        assert any(function in functions_in(REPO / f) for f, _ in named), function
    for function in re.findall(r"`(test_\w+)`", text):
        assert any(function in functions_in(REPO / f) for f, _ in named), function
