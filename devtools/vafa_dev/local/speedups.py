"""Optional speed-ups of the embedded stand-in, for long local runs: `make run` turns them on.

moto is written to be correct, not fast. Some of its costs grow with the table, not with what is
asked, and some are paid again on every request; on the demo shop's seeding they made a Query cost
about 0.1 s. `fast_stand_in()` changes how moto finds and writes out answers, never the answers:

- **Query sorts the whole table first.** Every Query starts from `Table.all_items()`, which sorts
  every item of the table, then filters them one by one with typed comparisons: O(n log n) in the
  table's size, about 0.1 s per Query once the table holds a few thousand items. Inside
  `fast_stand_in()` a Query starts from the items that can match: the table's own partition for a
  table Query, and for an index Query the items whose index hash key equals the one asked for,
  looked up in a map from hash key value to items. The map is built on the first Query of an index
  and kept current from the keys every write request names (PutItem, UpdateItem, DeleteItem,
  BatchWriteItem, TransactWriteItems: each named item is looked at again before the next index
  Query); any other request that changes data (a table created or deleted, PartiQL) drops the maps.
  moto then filters, sorts and pages those candidates exactly as before, so the answer is the same,
  item for item and in the same order (its final sort key is unique per item).
- **Every new item checks its size once per attribute**, summing the sizes of all the attributes
  set so far each time: O(n²) in its attributes, about 5 ms for an item of twenty. Inside
  `fast_stand_in()` the attributes are converted as before and the size is summed once, with the
  same limit and the same error.
- **Responses are serialized member by member against the service model**, about 10 ms for one
  item of twenty attributes. DynamoDB's data-plane responses are already the wire format once the
  attribute values are spelled out, so inside `fast_stand_in()` they are written with `json.dumps`
  (attribute values as `{"S": ...}`, binary as base64, members that are `None` left out). Errors,
  other operations and other services keep moto's serializer.
- **Condition expressions are lexed again on every request**, by trying a dozen regular expressions
  at each position: about 3 ms for a Query's key condition, and as much for each condition of a
  transaction. The tokens depend only on the expression's text, which a client repeats with other
  values; inside `fast_stand_in()` the tokens of each text are kept (as fresh nodes each time).
- **Projections go through JSON and back**: an index Query (or a read naming attributes) turns
  each item into plain JSON and serializes the chosen part again, about 3 ms an item. When every
  name projected is a top-level attribute, inside `fast_stand_in()` the item keeps those attribute
  values as they are (copied), which is what the round trip produces.
- **Every comparison and size of an attribute value asks its type five times** (is it a number, a
  set, a list, a map, null) before looking at a string. Inside `fast_stand_in()` strings and numbers
  are answered first, with the same result.
- **Routing a request lists moto's package directory** (to tell a service name from a host) and
  lists every method of the handler class (to find the action), about 1.5 ms a request. Both
  answers never change while the process runs; inside `fast_stand_in()` they are kept.

Nothing else changes: writes, conditions, transactions and Scan run moto's own code. The stand-in
serves one request at a time, so the per-request state below is never shared. The answers were
compared with moto's own, request by request, over a whole demo seeding (every response body and
every Query result identical); `tests/integration/test_speedups.py` keeps doing so on a small shop.

`in_process_calls()` is separate: it lets this process's own AWS calls reach the stand-in's WSGI app
without a socket (the demo's seeding uses it, the running stack does not).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

DATA_PLANE = frozenset(
    {
        "GetItem",
        "PutItem",
        "UpdateItem",
        "DeleteItem",
        "Query",
        "BatchGetItem",
        "BatchWriteItem",
        "TransactWriteItems",
        "TransactGetItems",
    }
)


class _Unplain(Exception):
    """A value the fast path does not write (a timestamp): moto's serializer handles the response."""


@contextmanager
def fast_stand_in() -> Iterator[None]:
    """All the speed-ups above, for the duration of the block, in this process's embedded moto."""
    with (
        _partition_queries(),
        _linear_item_size_check(),
        _plain_json_responses(),
        _static_routing(),
        _cached_lexing(),
        _plain_projection(),
        _scalars_first(),
    ):
        yield


READS = frozenset(
    {
        "GetItem",
        "BatchGetItem",
        "Query",
        "Scan",
        "TransactGetItems",
        "DescribeTable",
        "ListTables",
        "DescribeTimeToLive",
        "DescribeContinuousBackups",
        "ListTagsOfResource",
        "DescribeEndpoints",
        "DescribeLimits",
    }
)
Raw = tuple[str, Any]  # an attribute value as (type, value), hashable for S, N and B keys
Key = tuple[Raw, Raw | None]


def _raw(value: Any) -> Raw | None:
    """A key attribute as a hashable (type, value); None for what cannot be a key."""
    if isinstance(value, dict) and len(value) == 1:
        ((kind, held),) = value.items()
        if isinstance(held, str | bytes):
            return kind, held
    return None


class _IndexMaps:
    """Items by the value of one attribute, per table, kept current from the keys writes name."""

    def __init__(self) -> None:
        self.maps: dict[tuple[int, str], dict[Raw, dict[Key, Any]]] = {}
        self.where: dict[tuple[int, str], dict[Key, Raw]] = {}
        self.dirty: dict[int, set[Key]] = {}

    def clear(self) -> None:
        self.maps.clear()
        self.where.clear()
        self.dirty.clear()

    def written(self, table: Any, keys: list[dict[str, Any]]) -> None:
        if not any(ident == id(table) for ident, _ in self.maps):
            return
        pending = self.dirty.setdefault(id(table), set())
        for attrs in keys:
            hash_raw = _raw(attrs.get(table.hash_key_attr))
            range_raw = _raw(attrs.get(table.range_key_attr)) if table.range_key_attr else None
            if hash_raw is None:
                self.clear()  # a key we cannot read: start again rather than guess
                return
            pending.add((hash_raw, range_raw))

    def lookup(self, table: Any, attr: str, wanted: Raw) -> list[Any]:
        from moto.dynamodb.models.dynamo_type import DynamoType

        slot = (id(table), attr)
        if slot not in self.maps:
            by_value: dict[Raw, dict[Key, Any]] = {}
            where: dict[Key, Raw] = {}
            for item in _items(table):
                self._put(item, attr, by_value, where)
            self.maps[slot], self.where[slot] = by_value, where
        by_value, where = self.maps[slot], self.where[slot]
        pending = self.dirty.get(id(table))
        if pending:
            for maps_slot in [s for s in self.maps if s[0] == id(table)]:
                maps, places = self.maps[maps_slot], self.where[maps_slot]
                for key in pending:
                    old = places.pop(key, None)
                    if old is not None:
                        maps.get(old, {}).pop(key, None)
                    partition = table.items.get(DynamoType({key[0][0]: key[0][1]}))
                    item = partition
                    if table.range_key_attr and partition is not None and key[1] is not None:
                        item = partition.get(DynamoType({key[1][0]: key[1][1]}))
                    if item is not None:
                        self._put(item, maps_slot[1], maps, places)
            pending.clear()
        return list(by_value.get(wanted, {}).values())

    @staticmethod
    def _put(item: Any, attr: str, maps: dict[Raw, dict[Key, Any]], where: dict[Key, Raw]) -> None:
        held = item.attrs.get(attr)
        if held is None or not isinstance(held.value, str | bytes):
            return
        key: Key = (
            (item.hash_key.type, item.hash_key.value),
            (item.range_key.type, item.range_key.value) if item.range_key is not None else None,
        )
        value: Raw = (held.type, held.value)
        maps.setdefault(value, {})[key] = item
        where[key] = value


def _written_keys(action: str, params: dict[str, Any]) -> list[tuple[str, dict[str, Any]]] | None:
    """(table, item or key) for each item a write request names; None when it cannot be told."""
    if action == "PutItem":
        return [(params["TableName"], params["Item"])]
    if action in ("UpdateItem", "DeleteItem"):
        return [(params["TableName"], params["Key"])]
    if action == "BatchWriteItem":
        named = []
        for table, requests in params["RequestItems"].items():
            for request in requests:
                if "PutRequest" in request:
                    named.append((table, request["PutRequest"]["Item"]))
                elif "DeleteRequest" in request:
                    named.append((table, request["DeleteRequest"]["Key"]))
        return named
    if action == "TransactWriteItems":
        named = []
        for entry in params["TransactItems"]:
            for kind, op in entry.items():
                if kind == "Put":
                    named.append((op["TableName"], op["Item"]))
                elif kind in ("Update", "Delete"):
                    named.append((op["TableName"], op["Key"]))
        return named
    return None


@contextmanager
def _partition_queries() -> Iterator[None]:
    from moto.dynamodb import responses as handlers
    from moto.dynamodb.models import table as tables

    Table: Any = tables.Table
    DynamoHandler: Any = handlers.DynamoHandler
    original = Table.query
    original_call = DynamoHandler.call_action
    maps = _IndexMaps()

    def call_action(self: Any) -> Any:
        action = self._get_action()
        if action not in READS:
            params = getattr(self, "params", None) or {}
            try:
                named = _written_keys(action, params)
            except (KeyError, TypeError, AttributeError):
                named = None
            if named is None:
                maps.clear()
            else:
                for table_name, attrs in named:
                    table = self.dynamodb_backend.tables.get(table_name)
                    if table is not None:
                        maps.written(table, [attrs])
        return original_call(self)

    def query(self: Any, hash_key: Any, *args: Any, **kwargs: Any) -> Any:
        index_name = kwargs.get("index_name") if len(args) < 7 else args[6]
        conditions = kwargs.get("hash_key_conditions") or []
        if index_name:
            if len(conditions) != 1 or not isinstance(conditions[0][1].value, str | bytes):
                return original(self, hash_key, *args, **kwargs)
            ((name, value),) = conditions
            candidates = maps.lookup(self, name, (value.type, value.value))
        else:
            partition = self.items.get(hash_key) if hash_key is not None else None
            if partition is None:
                candidates = []
            elif self.range_key_attr:
                candidates = list(partition.values())
            else:
                candidates = [partition]
        self.all_items = lambda: candidates
        try:
            return original(self, hash_key, *args, **kwargs)
        finally:
            del self.all_items

    Table.query = query
    DynamoHandler.call_action = call_action
    try:
        yield
    finally:
        Table.query = original
        DynamoHandler.call_action = original_call


def _items(table: Any) -> Iterator[Any]:
    for partition in table.items.values():
        if table.range_key_attr:
            yield from partition.values()
        else:
            yield partition


@contextmanager
def _linear_item_size_check() -> Iterator[None]:
    from moto.dynamodb.exceptions import ItemSizeTooLarge
    from moto.dynamodb.models import dynamo_type
    from moto.dynamodb.models.utilities import bytesize

    item_class: Any = dynamo_type.Item
    original = item_class.__init__
    limit = 405000  # moto's own limit (DynamoDB's 400 KB, as moto measures it)

    def __init__(self: Any, hash_key: Any, range_key: Any, attrs: dict[str, Any]) -> None:
        self.hash_key = hash_key
        self.range_key = range_key
        converted = {key: dynamo_type.DynamoType(value) for key, value in attrs.items()}
        if sum(bytesize(key) + value.size() for key, value in converted.items()) > limit:
            raise ItemSizeTooLarge
        self.attrs = dynamo_type.LimitedSizeDict(converted)  # dict.update: no per-key re-check

    item_class.__init__ = __init__
    try:
        yield
    finally:
        item_class.__init__ = original


@contextmanager
def _plain_json_responses() -> Iterator[None]:
    from moto.core import responses as core
    from moto.dynamodb.responses import DynamoResult

    ActionResult: Any = core.ActionResult
    original = ActionResult.execute_result
    plain = (ActionResult, DynamoResult)  # not PaginatedResult: it pages before serializing

    def execute_result(self: Any, context: Any) -> Any:
        operation = context.operation_model
        if (
            type(self) in plain
            and context.service_model.service_name == "dynamodb"
            and operation.name in DATA_PLANE
            and isinstance(self.result, dict)
        ):
            try:
                body = json.dumps(_wire(self.result), separators=(",", ":"))
            except _Unplain:
                return original(self, context)
            version = context.service_model.metadata.get("jsonVersion", "1.0")
            status = operation.http.get("responseCode", 200)
            return status, {"Content-Type": f"application/x-amz-json-{version}"}, body
        return original(self, context)

    ActionResult.execute_result = execute_result
    try:
        yield
    finally:
        ActionResult.execute_result = original


def _wire(value: Any) -> Any:
    """A response value as DynamoDB's JSON: attribute values spelled out, `None` members left out."""
    from moto.dynamodb.models.dynamo_type import DynamoType

    if isinstance(value, dict):
        return {key: _wire(member) for key, member in value.items() if member is not None}
    if isinstance(value, list):
        return [_wire(member) for member in value]
    if isinstance(value, DynamoType):
        if value.type == "B":
            return {"B": _base64(value.value)}
        if value.type == "BS":
            return {"BS": [_base64(member) for member in value.value]}
        if value.type in ("M", "L"):
            return {value.type: _wire(value.value)}
        return {value.type: value.value}
    if isinstance(value, bytes):
        return _base64(value)
    if isinstance(value, datetime):
        raise _Unplain
    if hasattr(value, "to_json"):
        return _wire(value.to_json())
    return value


def _base64(value: Any) -> str:
    """Binary values arrive base64-encoded and moto may keep them so; bytes are encoded here."""
    return base64.b64encode(value).decode() if isinstance(value, bytes) else str(value)


@contextmanager
def _static_routing() -> Iterator[None]:
    import functools

    from moto import backends as moto_backends
    from moto.core import responses as moto_responses

    backends: Any = moto_backends
    responses: Any = moto_responses

    listing = backends.list_of_moto_modules
    names = responses.method_names_from_class
    modules = tuple(listing())
    backends.list_of_moto_modules = lambda: modules
    responses.method_names_from_class = functools.lru_cache(maxsize=None)(names)
    try:
        yield
    finally:
        backends.list_of_moto_modules = listing
        responses.method_names_from_class = names


@contextmanager
def _cached_lexing() -> Iterator[None]:
    from moto.dynamodb import comparisons

    ConditionExpressionParser: Any = comparisons.ConditionExpressionParser
    original = ConditionExpressionParser._lex_condition_expression
    tokens: dict[str, tuple[tuple[Any, Any, str, Any], ...]] = {}

    def lex(self: Any) -> Any:
        from collections import deque

        text = self.condition_expression
        if text not in tokens:
            if len(tokens) > 10_000:
                tokens.clear()
            tokens[text] = tuple((n.nonterminal, n.kind, n.text, n.value) for n in original(self))
        return deque(
            self.Node(nonterminal=a, kind=b, text=c, value=d, children=[]) for a, b, c, d in tokens[text]
        )

    ConditionExpressionParser._lex_condition_expression = lex
    try:
        yield
    finally:
        ConditionExpressionParser._lex_condition_expression = original


@contextmanager
def _plain_projection() -> Iterator[None]:
    import copy

    from moto.dynamodb.models import dynamo_type

    item_class: Any = dynamo_type.Item
    original = item_class.project

    def project(self: Any, projection_expressions: list[list[str]]) -> Any:
        if not all(len(path) == 1 and "[" not in path[0] for path in projection_expressions):
            return original(self, projection_expressions)
        wanted = {path[0] for path in projection_expressions}
        kept = {name: copy.deepcopy(value) for name, value in self.attrs.items() if name in wanted}
        projected = item_class.__new__(item_class)
        projected.hash_key, projected.range_key = self.hash_key, self.range_key
        projected.attrs = dynamo_type.LimitedSizeDict(kept)
        return projected

    item_class.project = project
    try:
        yield
    finally:
        item_class.project = original


class _Body:
    """The raw body botocore reads a response from."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self.data


@contextmanager
def in_process_calls(endpoint: str, app: Any = None) -> Iterator[None]:
    """Requests this process makes to the embedded stand-in go straight to its WSGI app.

    The same app, behind the same one-request-at-a-time lock, answers exactly as over HTTP; what
    is saved is the socket, the server thread and two HTTP parsers, about half of a small request's
    time. Requests to any other address (and every request of other processes) are untouched.
    Without `app`, a new app over the same moto backends answers, serialized by a lock of its own:
    only for when nothing else calls the stand-in meanwhile (a test that owns the process).
    """
    import io
    import sys
    from urllib.parse import urlsplit

    import botocore.endpoint
    from botocore.awsrequest import AWSResponse

    if app is None:
        from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

        from vafa_dev.local.aws import _OneAtATime

        app = _OneAtATime(DomainDispatcherApplication(create_backend_app))
    target = urlsplit(endpoint)
    Endpoint: Any = botocore.endpoint.Endpoint
    original = Endpoint._send

    def send(self: Any, request: Any) -> Any:
        parts = urlsplit(request.url)
        if parts.netloc != target.netloc:
            return original(self, request)
        body = request.body or b""
        if hasattr(body, "read"):
            body = body.read()
        if isinstance(body, str):
            body = body.encode()
        environ: dict[str, Any] = {
            "REQUEST_METHOD": request.method,
            "SCRIPT_NAME": "",
            "PATH_INFO": parts.path or "/",
            "QUERY_STRING": parts.query,
            "SERVER_NAME": target.hostname or "127.0.0.1",
            "SERVER_PORT": str(target.port or 80),
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1",
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": parts.scheme or "http",
            "wsgi.input": io.BytesIO(body),
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": True,
            "wsgi.multiprocess": False,
            "wsgi.run_once": False,
            "CONTENT_LENGTH": str(len(body)),
            "HTTP_HOST": parts.netloc,
        }
        for name, value in request.headers.items():
            text = value.decode() if isinstance(value, bytes) else str(value)
            key = name.upper().replace("-", "_")
            if key == "CONTENT_TYPE":
                environ["CONTENT_TYPE"] = text
            elif key not in ("CONTENT_LENGTH", "HOST"):
                environ[f"HTTP_{key}"] = text
        answer: dict[str, Any] = {}

        def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
            answer["status"], answer["headers"] = int(status.split()[0]), headers

        data = b"".join(app(environ, start_response))
        headers: Any = dict(answer["headers"])
        return AWSResponse(request.url, answer["status"], headers, _Body(data))

    Endpoint._send = send
    try:
        yield
    finally:
        Endpoint._send = original


@contextmanager
def _scalars_first() -> Iterator[None]:
    from decimal import Decimal

    from moto.dynamodb.models import dynamo_type

    DynamoType: Any = dynamo_type.DynamoType
    cast = DynamoType.cast_value
    size = DynamoType.size

    def cast_value(self: Any) -> Any:
        kind = self.type
        if kind == "S":
            return self.value
        if kind == "N":
            return Decimal(self.value)
        return cast.fget(self)

    def sized(self: Any) -> int:
        kind = self.type
        if kind == "S":
            value = self.value
            return len(value.encode("utf-8")) if isinstance(value, str) else len(value)
        if kind == "N":
            return len(str(self.value))
        result: int = size(self)
        return result

    DynamoType.cast_value = property(cast_value)
    DynamoType.size = sized
    try:
        yield
    finally:
        DynamoType.cast_value = cast
        DynamoType.size = size
