"""Backups of the tables: a daily streamed copy into an immutable container, and its restore.

`run_backup` (the `table_backup` timer) writes one; `restore` (and `python -m shared.backup.restore`)
brings tables back from one and re-applies the deletion journal.
"""

from shared.backup.manifest import (
    BACKUP_CONTAINER,
    BACKUP_RETENTION,
    BackupCorruptError,
    BackupIncompleteError,
    Manifest,
)
from shared.backup.writer import BackupRaceError, run_backup

__all__ = [
    "BACKUP_CONTAINER",
    "BACKUP_RETENTION",
    "BackupCorruptError",
    "BackupIncompleteError",
    "BackupRaceError",
    "Manifest",
    "run_backup",
]
