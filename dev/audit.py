"""`make audit`: every pinned Python and npm dependency checked against public security advisories.

Python requirements go to pip-audit (PyPI's advisory data, from the OSV database), npm lock files to
`npm audit`. When an advisory service cannot be reached the report says so for that set, names what was
not checked, and the exit status stays 0: no answer is not a clean bill of health, and not a failure of
the build either. Exit status 1 means advisories were found. `--sbom` writes CycloneDX SBOMs instead.

    .venv-audit/bin/python -m dev.audit [--sbom DIR]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
PYTHON_REQUIREMENTS = (
    "requirements.txt",
    "requirements-dev.txt",
    "requirements-scan.txt",
    "requirements-audit.txt",
)
NPM_PROJECTS = (".", "web")
_TIMEOUT_SECONDS = 300


@dataclass(frozen=True)
class Verdict:
    what: str
    reachable: bool
    advisories: list[str]
    checked: int

    def line(self) -> str:
        if not self.reachable:
            return f"{self.what}: advisory service UNREACHABLE, {self.checked} pinned packages NOT checked"
        if not self.advisories:
            return f"{self.what}: {self.checked} packages, no known advisories"
        return f"{self.what}: {len(self.advisories)} advisories\n" + "\n".join(
            f"  - {a}" for a in self.advisories
        )


def _run(command: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own fixed commands, no shell
        command, cwd=cwd, capture_output=True, text=True, timeout=_TIMEOUT_SECONDS, check=False
    )


def audit_python(requirements: str) -> Verdict:
    tool = Path(sys.executable).with_name("pip-audit")
    done = _run(
        [
            str(tool),
            "-r",
            requirements,
            "--no-deps",
            "--disable-pip",
            "--progress-spinner",
            "off",
            "-f",
            "json",
        ],
        REPO_ROOT,
    )
    try:
        report = json.loads(done.stdout)
    except json.JSONDecodeError:
        return Verdict(requirements, False, [], 0)
    dependencies = report.get("dependencies", [])
    # A package the advisory service does not answer for is skipped: when none is answered for, the
    # service is out of reach (the index may still serve the packages themselves).
    answered = [item for item in dependencies if "skip_reason" not in item]
    advisories = [
        f"{item['name']} {item['version']}: {vuln['id']} (fixed in {_versions(vuln)})"
        for item in answered
        for vuln in item.get("vulns", [])
    ]
    return Verdict(requirements, bool(answered), advisories, len(dependencies))


def _versions(vuln: dict[str, Any]) -> str:
    return ", ".join(vuln.get("fix_versions", [])) or "no release yet"


def audit_npm(project: str) -> Verdict:
    directory = REPO_ROOT / project
    what = f"{project}/package-lock.json".removeprefix("./")
    lock = json.loads((directory / "package-lock.json").read_text())
    packages = len([name for name in lock.get("packages", {}) if name])
    done = _run(["npm", "audit", "--package-lock-only", "--json"], directory)
    try:
        report = json.loads(done.stdout)
    except json.JSONDecodeError:
        return Verdict(what, False, [], packages)
    if "vulnerabilities" not in report:  # the registry answered with an error, not a report
        return Verdict(what, False, [], packages)
    advisories = [
        f"{name}: {finding.get('severity')} ({finding.get('range', '')})"
        for name, finding in sorted(report["vulnerabilities"].items())
    ]
    return Verdict(what, True, advisories, packages)


def write_sboms(directory: Path) -> list[Path]:
    """CycloneDX SBOMs of every pinned Python requirements file and npm lock file."""
    directory.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    tool = Path(sys.executable).with_name("cyclonedx-py")
    for requirements in PYTHON_REQUIREMENTS:
        target = directory / f"python-{Path(requirements).stem}.cdx.json"
        done = _run(
            [str(tool), "requirements", requirements, "--output-format", "JSON", "-o", str(target)], REPO_ROOT
        )
        if done.returncode != 0:
            raise SystemExit(f"sbom: cyclonedx-py failed for {requirements}: {done.stderr.strip()}")
        written.append(target)
    for project in NPM_PROJECTS:
        target = directory / f"npm-{'root' if project == '.' else project}.cdx.json"
        done = _run(["npm", "sbom", "--sbom-format", "cyclonedx", "--package-lock-only"], REPO_ROOT / project)
        if done.returncode != 0:
            raise SystemExit(f"sbom: npm sbom failed in {project}: {done.stderr.strip()}")
        target.write_text(done.stdout)
        written.append(target)
    return written


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sbom", type=Path, help="write CycloneDX SBOMs to this folder and stop")
    args = parser.parse_args()
    if args.sbom:
        for path in write_sboms(args.sbom):
            print(f"sbom: {path.relative_to(REPO_ROOT) if path.is_relative_to(REPO_ROOT) else path}")
        return 0
    verdicts = [audit_python(name) for name in PYTHON_REQUIREMENTS] + [audit_npm(p) for p in NPM_PROJECTS]
    for verdict in verdicts:
        print(verdict.line())
    if any(not verdict.reachable for verdict in verdicts):
        print(
            "audit: some advisory services could not be reached from here; run `make audit` where they can "
            "be (CI with internet access) before releasing."
        )
    return 1 if any(verdict.advisories for verdict in verdicts) else 0


if __name__ == "__main__":
    raise SystemExit(main())
