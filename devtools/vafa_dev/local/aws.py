"""The embedded AWS stand-in: moto's server, serving one request at a time.

DynamoDB is serializable per item; moto's server is not safe under concurrent requests (lost
updates in conditional transactions, occasional 500s). A lock around its WSGI app makes it behave
like the real service, so concurrency tests exercise Vafa's conditions rather than emulator races.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from typing import Any

from werkzeug.serving import BaseWSGIServer, make_server

DUMMY_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
}


class _OneAtATime:
    """WSGI middleware that runs the wrapped app for one request at a time."""

    def __init__(self, app: Callable[..., Iterable[bytes]]) -> None:
        self._app = app
        self._lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        with self._lock:
            # The body is materialised inside the lock: moto may build it lazily.
            return list(self._app(environ, start_response))


class AwsStandIn:
    """A moto server on loopback in a background thread."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, *, per_item_rollback: bool = True) -> None:
        self._host, self._port = host, port
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None
        # moto copies every table on each transaction to roll back; served one request at a time,
        # backing up only the items a transaction names gives the same result in O(items), not O(table).
        self._rollback: AbstractContextManager[None] | None = None
        self._per_item_rollback = per_item_rollback

    def start(self) -> str:
        from moto.moto_server.werkzeug_app import (
            DomainDispatcherApplication,
            MotoRequestHandler,
            create_backend_app,
        )

        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        if self._per_item_rollback:
            from vafa_dev.local.rollback import per_item_rollback

            self._rollback = per_item_rollback()
            self._rollback.__enter__()
        app = _OneAtATime(DomainDispatcherApplication(create_backend_app))
        self._server = make_server(
            self._host, self._port, app, threaded=True, request_handler=MotoRequestHandler
        )
        self._thread = threading.Thread(target=self._server.serve_forever, name="aws-stand-in", daemon=True)
        self._thread.start()
        return self.endpoint

    @property
    def endpoint(self) -> str:
        assert self._server is not None, "start() first"
        host, port = self._server.server_address[:2]
        if not isinstance(host, str):  # typed str | bytes; a bound AF_INET socket reports str
            host = host.decode()
        return f"http://{host}:{port}"

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()
        if self._thread:
            self._thread.join(timeout=5)
        if self._rollback is not None:
            self._rollback.__exit__(None, None, None)
            self._rollback = None


def use_endpoint(endpoint: str) -> None:
    """Point every AWS client of this process (boto3 and PynamoDB) at `endpoint`."""
    for name, value in DUMMY_CREDENTIALS.items():
        os.environ.setdefault(name, value)
    os.environ["AWS_ENDPOINT_URL"] = endpoint
    from vafa.store import table

    table.reset()
