"""Anonymise a raw snapshot folder: `python -m dev.anonymise --in DIR --out DIR [--key-file F]`.

Reads the layout `python -m dev.collect` writes (`<dataset>.jsonl.gz` + `manifest.json`) and writes the
same layout with every identifier replaced (`shared/lifecycle/anonymise.py`) and the manifest's row
counts, sizes and SHA-256s updated. Without `--key-file` the key is random and never written anywhere,
so the mapping cannot be undone; with one (at least 32 bytes), two snapshots anonymised with the same
key stay joinable with each other.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import secrets
import sys
from pathlib import Path

from shared.lifecycle.anonymise import Anonymiser, anonymise_row
from shared.snapshot import Dataset, Manifest

MANIFEST = "manifest.json"


def _anonymise_dataset(
    anonymiser: Anonymiser, dataset: Dataset, source: Path, target: Path
) -> tuple[int, int, str]:
    rows = 0
    # mtime=0: the same input and key give the same bytes.
    with (
        gzip.open(source, "rt", encoding="utf-8") as lines,
        target.open("wb") as raw,
        gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as out,
    ):
        for line in lines:
            row = anonymise_row(anonymiser, dataset, json.loads(line))
            out.write(json.dumps(row, ensure_ascii=False, separators=(",", ":")).encode() + b"\n")
            rows += 1
    data = target.read_bytes()
    return rows, len(data), hashlib.sha256(data).hexdigest()


def anonymise_folder(source: Path, target: Path, key: bytes) -> Manifest:
    anonymiser = Anonymiser(key)
    manifest = Manifest.model_validate_json((source / MANIFEST).read_bytes())
    target.mkdir(parents=True, exist_ok=True)
    entries = []
    for original in manifest.datasets:
        entry = original
        path = source / Dataset(entry.dataset).blob_name
        if path.exists():
            rows, size, digest = _anonymise_dataset(
                anonymiser, Dataset(entry.dataset), path, target / path.name
            )
            entry = entry.model_copy(update={"rows": rows, "bytes": size, "sha256": digest})
        entries.append(entry)
    result = manifest.model_copy(
        update={"datasets": entries, "tenant_id": anonymiser.object_id(manifest.tenant_id)}
    )
    (target / MANIFEST).write_text(result.model_dump_json(indent=2), encoding="utf-8")
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dev.anonymise", description=__doc__.splitlines()[0])
    parser.add_argument("--in", dest="source", type=Path, required=True, help="raw snapshot folder")
    parser.add_argument("--out", dest="target", type=Path, required=True, help="folder to write")
    parser.add_argument("--key-file", type=Path, help="HMAC key (>= 32 bytes); random if omitted")
    args = parser.parse_args(argv)
    if args.source.resolve() == args.target.resolve():
        parser.error("--out must differ from --in")
    key = args.key_file.read_bytes() if args.key_file else secrets.token_bytes(32)
    try:
        manifest = anonymise_folder(args.source, args.target, key)
    except ValueError as error:
        print(f"anonymise: {error}", file=sys.stderr)
        return 2
    total = sum(entry.rows for entry in manifest.datasets)
    print(f"anonymised {len(manifest.datasets)} datasets, {total} rows, into {args.target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
