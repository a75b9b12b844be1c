"""One real checkov command-line run on a mutated copy: the flags infra/scan.sh uses really load the
custom checks and really turn a failure into a non-zero exit code. (scan.sh itself runs the same
command on the unmodified infra/ and requires exit 0.)"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from conftest import CHECKOV_CONFIG, CHECKS_DIR


def checkov_command(directory: Path) -> list[str]:
    checkov = Path(sys.executable).parent / "checkov"
    return [
        str(checkov),
        "--directory",
        str(directory),
        "--config-file",
        str(CHECKOV_CONFIG),
        "--external-checks-dir",
        str(CHECKS_DIR),
        "--quiet",
    ]


def test_checkov_cli_fails_on_waf_detection_mode(
    infra_copy: Path, mutate: Callable[[Path, str, str], None]
) -> None:
    mutate(infra_copy / "modules/gateway.bicep", "mode: 'Prevention'", "mode: 'Detection'")
    completed = subprocess.run(  # noqa: S603 - fixed argument list
        checkov_command(infra_copy), capture_output=True, text=True, timeout=300, check=False
    )
    assert completed.returncode == 1, completed.stdout + completed.stderr
    assert "CKV_I365_1" in completed.stdout
    assert "Failed checks: 1," in completed.stdout
