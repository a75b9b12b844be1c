"""The raw snapshot: what one collection run writes and what the insight engine reads.

A snapshot is `raw/<as_of>/<run_id>/<dataset>.jsonl.gz` (one JSON record per line, the record models in
`records.py`) plus `raw/<as_of>/<run_id>/manifest.json` (`Manifest`). Collection produces it; insight
checks consume it; neither knows about the other (as ScubaGear separates its provider and its rules).
"""

from shared.snapshot.datasets import Dataset, snapshot_prefix
from shared.snapshot.manifest import DatasetEntry, Manifest

__all__ = ["Dataset", "DatasetEntry", "Manifest", "snapshot_prefix"]
