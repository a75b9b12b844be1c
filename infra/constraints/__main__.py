"""`python -m constraints [infra-dir]` (infra/ on sys.path): Microsoft's constraints; exit 1 on a failure."""

from __future__ import annotations

import sys
from pathlib import Path

from constraints.backup import BACKUP_CONSTRAINTS
from constraints.rules import CONSTRAINTS, run

EVERY_CONSTRAINT = (*CONSTRAINTS, *BACKUP_CONSTRAINTS)


def main(argv: list[str]) -> int:
    infra_dir = Path(argv[1] if len(argv) > 1 else "infra").resolve()
    results = run(infra_dir, infra_dir.parent, EVERY_CONSTRAINT)
    failed = 0
    for constraint in EVERY_CONSTRAINT:
        problems = results[constraint.id]
        print(f"{'FAILED' if problems else 'passed'}  {constraint.id}  {constraint.title}")
        if problems:
            failed += 1
            print(f"        source: {constraint.source}")
            for problem in problems:
                print(f"        - {problem}")
    print(f"constraints: {len(EVERY_CONSTRAINT) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
