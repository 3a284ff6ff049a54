from transfer_indexer.config import Settings
from transfer_indexer.ingest import ingest_once
from transfer_indexer.models import Transfer
from transfer_indexer.store import TransferStore

TOKEN = "0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48"


class FakeChain:
    """An in-memory chain: one transfer per block, hashes that change on reorg."""

    def __init__(self, head: int) -> None:
        self._head = head
        self.fork = 0

    def head(self) -> int:
        return self._head

    def block_hash(self, number: int) -> str:
        return f"0x{self.fork:02x}{number:062x}"

    def transfers(self, tokens, from_block, to_block):
        return [
            Transfer(
                n,
                self.block_hash(n),
                0,
                f"0x{n:064x}",
                TOKEN,
                "0x" + "11" * 20,
                "0x" + "22" * 20,
                1_000_000,
            )
            for n in range(from_block, to_block + 1)
        ]


def settings(**overrides) -> Settings:
    values = dict(
        rpc_url="http://node.invalid",
        database_path=":memory:",
        tokens=(TOKEN,),
        start_block=100,
        confirmations=5,
        batch_size=10,
    )
    values.update(overrides)
    return Settings(**values)


def new_store() -> TransferStore:
    store = TransferStore(":memory:")
    store.migrate()
    return store


def test_first_batch_starts_at_start_block():
    store = new_store()
    stored = ingest_once(FakeChain(head=200), store, settings())
    assert stored == 10
    assert store.checkpoint()[0] == 109


def test_stays_behind_the_head_by_the_confirmation_depth():
    store, chain = new_store(), FakeChain(head=112)
    while ingest_once(chain, store, settings()):
        pass
    assert store.checkpoint()[0] == 107


def test_reorg_rolls_back_one_confirmation_window():
    store, chain = new_store(), FakeChain(head=200)
    ingest_once(chain, store, settings())  # blocks 100..109
    chain.fork = 1  # every block hash changes
    ingest_once(chain, store, settings())
    number, block_hash = store.checkpoint()
    assert block_hash == chain.block_hash(number)
    assert store.transfers_by_tx(f"0x{105:064x}")[0].block_hash == chain.block_hash(105)
