from transfer_indexer.models import Transfer
from transfer_indexer.store import TransferStore


def make_transfer(block: int, log_index: int, tx: str = "0x" + "ab" * 32) -> Transfer:
    return Transfer(
        block_number=block,
        block_hash=f"0x{block:064x}",
        log_index=log_index,
        tx_hash=tx,
        token="0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48",
        sender="0x" + "11" * 20,
        recipient="0x" + "22" * 20,
        amount=10**30,  # larger than SQLite's 64-bit integers on purpose
    )


def new_store() -> TransferStore:
    store = TransferStore(":memory:")
    store.migrate()
    return store


def test_migrate_is_repeatable():
    store = new_store()
    store.migrate()
    assert store.checkpoint() is None


def test_save_batch_ignores_duplicates_and_moves_checkpoint():
    store = new_store()
    batch = [make_transfer(100, 0), make_transfer(100, 1)]
    assert store.save_batch(batch, 100, "0xaaa") == 2
    assert store.save_batch(batch, 100, "0xaaa") == 0
    assert store.checkpoint() == (100, "0xaaa")


def test_large_amounts_round_trip():
    store = new_store()
    tx = "0x" + "cd" * 32
    store.save_batch([make_transfer(5, 3, tx)], 5, "0x5")
    (stored,) = store.transfers_by_tx(tx)
    assert stored.amount == 10**30


def test_rollback_removes_later_blocks():
    store = new_store()
    store.save_batch([make_transfer(10, 0), make_transfer(11, 0), make_transfer(12, 0)], 12, "0xc")
    store.rollback_to(10, "0xa")
    assert store.checkpoint() == (10, "0xa")
    assert [t.block_number for t in store.transfers_by_tx("0x" + "ab" * 32)] == [10]
