"""Minimal Ethereum JSON-RPC client: head, block hashes and Transfer logs."""

import json
import urllib.request

from .models import TRANSFER_TOPIC, Transfer


class RpcError(Exception):
    """The node answered with an error or could not be reached."""


def decode_transfer(log: dict) -> Transfer:
    """Turn one eth_getLogs entry for a Transfer event into a Transfer."""
    topics = log["topics"]
    return Transfer(
        block_number=int(log["blockNumber"], 16),
        block_hash=log["blockHash"].lower(),
        log_index=int(log["logIndex"], 16),
        tx_hash=log["transactionHash"].lower(),
        token=log["address"].lower(),
        sender="0x" + topics[1][-40:].lower(),
        recipient="0x" + topics[2][-40:].lower(),
        amount=int(log["data"], 16),
    )


class RpcClient:
    def __init__(self, url: str, timeout: float = 10.0) -> None:
        self._url = url
        self._timeout = timeout
        self._next_id = 0

    def call(self, method: str, params: list) -> object:
        self._next_id += 1
        body = json.dumps(
            {"jsonrpc": "2.0", "id": self._next_id, "method": method, "params": params}
        )
        request = urllib.request.Request(
            self._url, data=body.encode(), headers={"Content-Type": "application/json"}
        )
        try:
            with urllib.request.urlopen(request, timeout=self._timeout) as response:
                reply = json.load(response)
        except OSError as exc:
            raise RpcError(f"{method} failed: {exc}") from exc
        if "error" in reply:
            raise RpcError(f"{method} failed: {reply['error'].get('message', reply['error'])}")
        return reply["result"]

    def head(self) -> int:
        return int(self.call("eth_blockNumber", []), 16)

    def block_hash(self, number: int) -> str:
        block = self.call("eth_getBlockByNumber", [hex(number), False])
        if block is None:
            raise RpcError(f"block {number} not found")
        return block["hash"].lower()

    def transfers(self, tokens: tuple[str, ...], from_block: int, to_block: int) -> list[Transfer]:
        logs = self.call(
            "eth_getLogs",
            [
                {
                    "address": list(tokens),
                    "topics": [TRANSFER_TOPIC],
                    "fromBlock": hex(from_block),
                    "toBlock": hex(to_block),
                }
            ],
        )
        # Transfers with a third indexed topic are ERC-721; skip them.
        return [decode_transfer(log) for log in logs if len(log["topics"]) == 3]
