"""Counts DynamoDB round trips with botocore's event hooks, on every client the process creates.

Three layers, so nothing slips past: the hooks are registered on each PynamoDB client we can name
(every model's connection and the shared transaction connection), on every DynamoDB client created
later (a wrapper around `botocore.session.Session.create_client`), and the AWS stand-in counts the
requests it receives, so the report can show that both sides agree.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import botocore.session

_CONTEXT_KEY = "vafa_bench_call"
_TARGET_PREFIX = "DynamoDB_20120810."


@dataclass
class Call:
    """One DynamoDB API call: its wire-format request, and its response once it arrived."""

    operation: str
    params: dict[str, Any]
    response: dict[str, Any] | None = None
    error: str | None = None
    sends: int = 0  # HTTP attempts (more than one means botocore retried)


@dataclass
class Recording:
    """The calls made while a `CallRecorder.record()` block ran."""

    calls: list[Call] = field(default_factory=list)
    server_requests: list[str] = field(default_factory=list)  # operations the stand-in received

    @property
    def round_trips(self) -> int:
        return sum(max(call.sends, 1) for call in self.calls)

    def operations(self) -> list[str]:
        return [call.operation for call in self.calls]


class CallRecorder:
    """Thread-safe recorder behind the hooks; records only inside `record()`."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._active: Recording | None = None
        self._original_create_client: Callable[..., Any] | None = None

    # -- installation ----------------------------------------------------------------------
    def install(self) -> None:
        """Hook every DynamoDB client botocore creates from now on (PynamoDB's and boto3's)."""
        if self._original_create_client is not None:
            return
        original = botocore.session.Session.create_client
        self._original_create_client = original
        recorder = self

        def create_client(session: botocore.session.Session, *args: Any, **kwargs: Any) -> Any:
            client = original(session, *args, **kwargs)
            if client.meta.service_model.service_name == "dynamodb":
                recorder.attach(client)
            return client

        botocore.session.Session.create_client = create_client  # type: ignore[method-assign,assignment]

    def uninstall(self) -> None:
        if self._original_create_client is not None:
            original = self._original_create_client
            botocore.session.Session.create_client = original  # type: ignore[method-assign]
            self._original_create_client = None

    def attach(self, client: Any) -> None:
        """Register the hooks on one botocore client (idempotent: botocore dedupes by `unique_id`)."""
        events = client.meta.events
        events.register("before-call.dynamodb", self._before_call, unique_id="vafa-bench-before-call")
        events.register("before-send.dynamodb", self._before_send, unique_id="vafa-bench-before-send")
        events.register("after-call.dynamodb", self._after_call, unique_id="vafa-bench-after-call")

    def hook_pynamodb_clients(self) -> int:
        """Attach to the clients PynamoDB uses now: every model's connection and the shared one."""
        from vafa.store import table
        from vafa.store.models import Item

        table.ensure_configured()
        clients = [table.connection().client]
        for model in _models(Item):
            clients.append(model._get_connection().connection.client)
        for client in clients:
            self.attach(client)
        return len({id(client) for client in clients})

    # -- recording -------------------------------------------------------------------------
    @contextmanager
    def record(self) -> Iterator[Recording]:
        recording = Recording()
        with self._lock:
            assert self._active is None, "recordings do not nest"
            self._active = recording
        try:
            yield recording
        finally:
            with self._lock:
                self._active = None

    def server_saw(self, operation: str) -> None:
        """Called by the stand-in middleware for each DynamoDB request it receives."""
        with self._lock:
            if self._active is not None:
                self._active.server_requests.append(operation)

    # -- hooks -----------------------------------------------------------------------------
    def _before_call(self, model: Any, params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        with self._lock:
            if self._active is None:
                return
            body = params.get("body") or b"{}"
            call = Call(model.name, json.loads(body))
            context[_CONTEXT_KEY] = call
            self._active.calls.append(call)

    def _before_send(self, request: Any, **_: Any) -> None:
        context = getattr(request, "context", None) or {}
        call = context.get(_CONTEXT_KEY)
        if isinstance(call, Call):
            with self._lock:
                call.sends += 1

    def _after_call(self, parsed: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        call = context.get(_CONTEXT_KEY)
        if isinstance(call, Call):
            call.response = parsed
            error = parsed.get("Error") if isinstance(parsed, dict) else None
            if error:
                call.error = str(error.get("Code"))


def _models(base: type[Any]) -> list[type[Any]]:
    found = [base]
    index = 0
    while index < len(found):
        found.extend(found[index].__subclasses__())
        index += 1
    return found


class CountingMiddleware:
    """WSGI middleware in front of the stand-in: tells the recorder about each DynamoDB request."""

    def __init__(self, app: Callable[..., Iterable[bytes]], recorder: CallRecorder) -> None:
        self._app = app
        self._recorder = recorder

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        target = str(environ.get("HTTP_X_AMZ_TARGET", ""))
        if target.startswith(_TARGET_PREFIX):
            self._recorder.server_saw(target[len(_TARGET_PREFIX) :])
        return self._app(environ, start_response)
