"""moto's server, with one request at a time.

moto's threaded server runs concurrent requests interleaved, so two
TransactWriteItems calls can both pass their conditions (and a rollback can
undo a neighbour's write). DynamoDB itself isolates conflicting transactions;
serialising requests gives tests the same guarantee. Connections stay
threaded (keep-alive works); only the handling of requests is serialised.

Two changes to moto's DynamoDB keep it fast as a table grows:
- TransactWriteItems backed up every table it touched by deep-copying it
  whole, so each transaction cost time in proportion to the table. It now
  saves only the items the transaction names and puts them back if it is
  cancelled, which is all a rollback has to undo.
- A Query on a table's own key sorted every item of the table, then kept
  the partition asked for. It now sees only that partition.
- moto keeps every model instance it ever built (for its dashboard); with
  the copies above that kept a whole table alive per transaction, megabytes
  per request. After each request the DynamoDB models' list is emptied
  (nothing else reads it).

Usage: python moto_serial.py HOST PORT
"""

import copy
import os
import sys
import threading
from typing import Any

from werkzeug.serving import run_simple
from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from moto.core.model_instances import model_data
import moto.dynamodb.models as dynamodb_models
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.table import Table


def forget_dynamodb_instances() -> None:
    for model in model_data.get("dynamodb", {}).values():
        model.instances_tracked = []


class _TablesByReference:
    """The `copy` module as moto's DynamoDB backend sees it, except that a
    Table is "copied" by reference: the transaction's own backup of whole
    tables becomes free, and the items are saved below instead."""

    def __getattr__(self, name: str) -> Any:
        return getattr(copy, name)

    @staticmethod
    def deepcopy(value: Any, memo: Any = None) -> Any:
        if isinstance(value, Table):
            return value
        return copy.deepcopy(value, memo)


def _item_key(table: Table, op: dict[str, Any]) -> dict[str, Any] | None:
    if "Key" in op:
        return op["Key"]
    attrs = op.get("Item") or {}
    if table.hash_key_attr not in attrs:
        return None
    key = {table.hash_key_attr: attrs[table.hash_key_attr]}
    if table.range_key_attr is not None:
        if table.range_key_attr not in attrs:
            return None
        key[table.range_key_attr] = attrs[table.range_key_attr]
    return key


def install_partition_query() -> None:
    original = Table.query

    def query(self: Table, hash_key: Any, *args: Any, **kwargs: Any) -> Any:
        index_name = args[6] if len(args) > 6 else kwargs.get("index_name")
        if index_name is not None or hash_key is None:
            return original(self, hash_key, *args, **kwargs)
        whole = self.items
        partition = whole.get(hash_key)
        # Requests are serialised, so the table can be narrowed for this one.
        self.items = {hash_key: partition} if partition is not None else {}
        try:
            return original(self, hash_key, *args, **kwargs)
        finally:
            self.items = whole

    Table.query = query  # type: ignore[method-assign]


def install_item_rollback() -> None:
    dynamodb_models.copy = _TablesByReference()  # type: ignore[attr-defined]
    original = DynamoDBBackend.transact_write_items

    def transact_write_items(self: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> None:
        saved = []
        for entry in transact_items:
            op = next(iter(entry.values()), None)
            if not isinstance(op, dict) or op.get("TableName") not in self.tables:
                continue
            name = op["TableName"]
            key = _item_key(self.tables[name], op)
            if key is None:
                continue
            try:
                current = self.get_item(name, key)
            except Exception:  # a bad key: moto refuses the transaction itself
                continue
            attrs = None if current is None else copy.deepcopy(current.to_json()["Attributes"])
            saved.append((name, key, attrs))
        try:
            original(self, transact_items)
        except Exception:
            # Newest first, so an item named twice ends as it began.
            for name, key, attrs in reversed(saved):
                if attrs is None:
                    if self.get_item(name, key) is not None:
                        self.delete_item(name, key)
                else:
                    self.put_item(name, attrs)
            raise

    DynamoDBBackend.transact_write_items = transact_write_items  # type: ignore[method-assign]


def main() -> None:
    host, port = sys.argv[1], int(sys.argv[2])
    os.environ.setdefault("MOTO_PORT", str(port))
    install_item_rollback()
    install_partition_query()
    app = DomainDispatcherApplication(create_backend_app)
    lock = threading.Lock()

    def serial(environ, start_response):
        with lock:
            # Read the whole response inside the lock: the app may be lazy.
            try:
                return list(app(environ, start_response))
            finally:
                forget_dynamodb_instances()

    run_simple(host, port, serial, threaded=True, request_handler=MotoRequestHandler)


if __name__ == "__main__":
    main()
