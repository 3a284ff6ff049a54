"""Records shared by ingestion, storage and the API."""

from dataclasses import dataclass

# keccak256("Transfer(address,address,uint256)")
TRANSFER_TOPIC = "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef"


@dataclass(frozen=True)
class Transfer:
    block_number: int
    block_hash: str
    log_index: int
    tx_hash: str
    token: str
    sender: str
    recipient: str
    amount: int  # raw token units; decimals are applied by clients

    def to_json(self) -> dict:
        return {
            "block_number": self.block_number,
            "log_index": self.log_index,
            "tx_hash": self.tx_hash,
            "token": self.token,
            "from": self.sender,
            "to": self.recipient,
            "amount": str(self.amount),
        }
