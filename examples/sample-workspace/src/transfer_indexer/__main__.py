"""Command line: `python -m transfer_indexer ingest|serve`."""

import sys
import time

from .api import make_server
from .chain import RpcClient, RpcError
from .config import load_settings
from .ingest import ingest_once
from .store import TransferStore


def main(argv: list[str]) -> int:
    if len(argv) != 1 or argv[0] not in ("ingest", "serve"):
        print("usage: python -m transfer_indexer ingest|serve", file=sys.stderr)
        return 2
    settings = load_settings()
    store = TransferStore(settings.database_path)
    store.migrate()
    if argv[0] == "serve":
        make_server(store, settings.api_port).serve_forever()
        return 0
    chain = RpcClient(settings.rpc_url)
    while True:
        before = store.checkpoint()
        try:
            ingest_once(chain, store, settings)
        except RpcError as exc:
            print(f"ingest: {exc}; retrying in 15 s", file=sys.stderr)
            time.sleep(15)
            continue
        if store.checkpoint() == before:  # caught up with the confirmed head
            time.sleep(12)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
