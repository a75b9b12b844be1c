"""Microsoft's constraints (infra/constraints): every one fails on the template as it was when issue 19
was filed (infra/tests/fixtures/before-issue-19, a verbatim copy) and passes on today's."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import INFRA_DIR
from constraints.rules import CONSTRAINTS, Constraint, run

REPOSITORY = INFRA_DIR.parent
BEFORE = Path(__file__).parent / "fixtures" / "before-issue-19"


@pytest.fixture(scope="module")
def before(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str]]:
    """The constraints run on a repository whose infra/ is the copy of the template before the fix."""
    repository = tmp_path_factory.mktemp("before")
    for name in ("azure.yaml", "function_app.py", "functions", "shared"):
        (repository / name).symlink_to(REPOSITORY / name)
    for source in BEFORE.rglob("*.before"):
        target = repository / "infra" / source.relative_to(BEFORE).with_suffix("")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
    return run(repository / "infra", repository)


@pytest.fixture(scope="module")
def today() -> dict[str, list[str]]:
    return run(INFRA_DIR, REPOSITORY)


@pytest.mark.parametrize("constraint", CONSTRAINTS, ids=[constraint.id for constraint in CONSTRAINTS])
def test_constraint_fails_before_the_fix_and_passes_today(
    constraint: Constraint, before: dict[str, list[str]], today: dict[str, list[str]]
) -> None:
    assert before[constraint.id], f"{constraint.id} does not bite on the template before the fix"
    assert today[constraint.id] == [], today[constraint.id]


def test_every_constraint_cites_its_source() -> None:
    assert all(constraint.source for constraint in CONSTRAINTS)
    assert len({constraint.id for constraint in CONSTRAINTS}) == len(CONSTRAINTS)


def test_the_poison_queue_query_before_the_fix_is_named(before: dict[str, list[str]]) -> None:
    (problem,) = before["I365-MS-2"]
    assert "poison-queue-messages" in problem and "'StatusCode' (string) between" in problem
