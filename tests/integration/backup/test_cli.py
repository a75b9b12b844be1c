"""`python -m shared.backup.restore`: its help explains itself, and a run shows progress and says when
it has finished."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from shared.backup import run_backup
from shared.services import Services
from tests.integration.backup.conftest import seed_world, state

REPOSITORY = Path(__file__).resolve().parents[3]


def _cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own module
        [sys.executable, "-m", "shared.backup.restore", *args],
        cwd=REPOSITORY,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_help_explains_what_an_operator_needs() -> None:
    result = _cli("--help", env=dict(os.environ))
    assert result.returncode == 0
    for words in ("list", "run --backup ID", "--table", "--org", "--into-account", "checkpoint", "journal"):
        assert words in result.stdout


def test_a_run_lists_restores_with_progress_and_says_it_is_complete(
    live: Services, empty: Services, tmp_path: Path
) -> None:
    seed_world(live, live.secrets, organisations=1)
    before = state(live)
    run_backup(live.storage, "2026-06-15", clock=lambda: datetime.now(UTC), part_rows=10)
    env = {**os.environ, "AzureWebJobsStorage": live.settings.storage_connection}

    listed = _cli("list", env=env)
    restored = _cli(
        "run",
        "--backup",
        "2026-06-15",
        "--into-connection-string",
        empty.settings.storage_connection,
        "--checkpoint",
        str(tmp_path / "cp.json"),
        env=env,
    )

    assert listed.returncode == 0 and listed.stdout.startswith("2026-06-15")
    assert restored.returncode == 0, restored.stderr
    progress = restored.stderr.splitlines()
    assert progress[0].startswith("restoring every table from backup 2026-06-15")
    assert any("part 1/" in line and "rows/s" in line for line in progress)
    assert progress[-1].startswith("re-applying the deletion journal")
    assert restored.stdout.startswith("restore complete:")
    assert state(empty) == before
