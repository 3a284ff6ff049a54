"""One ingestion step: fetch the next batch of confirmed blocks and store it."""

from typing import Protocol

from .config import Settings
from .models import Transfer
from .store import TransferStore


class Chain(Protocol):
    def head(self) -> int: ...
    def block_hash(self, number: int) -> str: ...
    def transfers(
        self, tokens: tuple[str, ...], from_block: int, to_block: int
    ) -> list[Transfer]: ...


def ingest_once(chain: Chain, store: TransferStore, settings: Settings) -> int:
    """Index at most one batch; return the number of new transfers stored."""
    safe_head = chain.head() - settings.confirmations
    checkpoint = store.checkpoint()
    if checkpoint is None:
        start = settings.start_block
    else:
        number, stored_hash = checkpoint
        if chain.block_hash(number) != stored_hash:
            # The block we stopped at was replaced: the reorg was deeper than our
            # confirmation depth. Step back one confirmation window and re-index.
            back_to = max(settings.start_block, number - settings.confirmations)
            store.rollback_to(back_to, chain.block_hash(back_to))
            number = back_to
        start = number + 1
    if start > safe_head:
        return 0
    end = min(start + settings.batch_size - 1, safe_head)
    transfers = chain.transfers(settings.tokens, start, end)
    return store.save_batch(transfers, end, chain.block_hash(end))
