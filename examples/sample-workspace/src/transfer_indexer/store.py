"""SQLite storage for transfers and the ingestion checkpoint."""

import sqlite3

from .models import Transfer

# Append new migrations at the end; never edit an entry that has shipped.
MIGRATIONS = [
    """
    CREATE TABLE transfers (
        block_number INTEGER NOT NULL,
        log_index    INTEGER NOT NULL,
        block_hash   TEXT    NOT NULL,
        tx_hash      TEXT    NOT NULL,
        token        TEXT    NOT NULL,
        sender       TEXT    NOT NULL,
        recipient    TEXT    NOT NULL,
        amount       TEXT    NOT NULL,
        PRIMARY KEY (block_number, log_index)
    );
    CREATE INDEX transfers_tx_hash ON transfers (tx_hash);
    CREATE TABLE checkpoint (
        id           INTEGER PRIMARY KEY CHECK (id = 1),
        block_number INTEGER NOT NULL,
        block_hash   TEXT    NOT NULL
    );
    """,
]

_COLUMNS = "block_number, block_hash, log_index, tx_hash, token, sender, recipient, amount"


def _row_to_transfer(row: tuple) -> Transfer:
    number, block_hash, log_index, tx_hash, token, sender, recipient, amount = row
    return Transfer(number, block_hash, log_index, tx_hash, token, sender, recipient, int(amount))


class TransferStore:
    def __init__(self, path: str) -> None:
        self._db = sqlite3.connect(path)

    def migrate(self) -> None:
        (version,) = self._db.execute("PRAGMA user_version").fetchone()
        for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
            with self._db:
                self._db.executescript(script)
                self._db.execute(f"PRAGMA user_version = {number}")

    def checkpoint(self) -> tuple[int, str] | None:
        row = self._db.execute(
            "SELECT block_number, block_hash FROM checkpoint WHERE id = 1"
        ).fetchone()
        return (row[0], row[1]) if row else None

    def save_batch(self, transfers: list[Transfer], block_number: int, block_hash: str) -> int:
        """Store a batch and move the checkpoint in one transaction; duplicates are ignored."""
        with self._db:
            before = self._db.total_changes
            self._db.executemany(
                f"INSERT OR IGNORE INTO transfers ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        t.block_number,
                        t.block_hash,
                        t.log_index,
                        t.tx_hash,
                        t.token,
                        t.sender,
                        t.recipient,
                        str(t.amount),
                    )
                    for t in transfers
                ],
            )
            inserted = self._db.total_changes - before
            self._set_checkpoint(block_number, block_hash)
        return inserted

    def rollback_to(self, block_number: int, block_hash: str) -> None:
        """Forget everything after block_number (used when a reorg is detected)."""
        with self._db:
            self._db.execute("DELETE FROM transfers WHERE block_number > ?", (block_number,))
            self._set_checkpoint(block_number, block_hash)

    def transfers_by_tx(self, tx_hash: str) -> list[Transfer]:
        rows = self._db.execute(
            f"SELECT {_COLUMNS} FROM transfers WHERE tx_hash = ? ORDER BY log_index", (tx_hash,)
        ).fetchall()
        return [_row_to_transfer(row) for row in rows]

    def _set_checkpoint(self, block_number: int, block_hash: str) -> None:
        self._db.execute(
            "INSERT INTO checkpoint (id, block_number, block_hash) VALUES (1, ?, ?) "
            "ON CONFLICT (id) DO UPDATE SET block_number = excluded.block_number, "
            "block_hash = excluded.block_hash",
            (block_number, block_hash),
        )
