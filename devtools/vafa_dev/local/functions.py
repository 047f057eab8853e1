"""Loads each function's handler from its CodeUri and invokes it the way Lambda would."""

from __future__ import annotations

import importlib.util
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vafa_dev.local.template import Function

Handler = Callable[[dict[str, Any], Any], Any]


@dataclass
class LambdaContext:
    """The attributes of Lambda's context object that Powertools and our handlers read."""

    function_name: str
    memory_limit_in_mb: int = 512
    invoked_function_arn: str = ""
    aws_request_id: str = ""
    timeout_seconds: int = 10

    def get_remaining_time_in_millis(self) -> int:
        return self.timeout_seconds * 1000


class FunctionRunner:
    """Imports handlers once and invokes them with a fresh context per call."""

    def __init__(self, root: Path, functions: dict[str, Function]) -> None:
        self._root = root
        self._functions = functions
        self._handlers: dict[str, Handler] = {}
        self._lock = threading.Lock()
        # A Lambda execution environment handles one event at a time, and handlers rely on it: the HTTP
        # resolver keeps the current request on the app. Here each function has one environment.
        self._busy = {logical_id: threading.Lock() for logical_id in functions}

    def handler(self, logical_id: str) -> Handler:
        with self._lock:
            if logical_id not in self._handlers:
                fn = self._functions[logical_id]
                module_name, _, attr = fn.handler.rpartition(".")
                path = self._root / fn.code_uri / f"{module_name.replace('.', '/')}.py"
                spec = importlib.util.spec_from_file_location(f"vafa_local_fn_{logical_id}", path)
                assert spec and spec.loader, f"cannot load {path}"
                module = importlib.util.module_from_spec(spec)
                spec.loader.exec_module(module)
                self._handlers[logical_id] = getattr(module, attr)
            return self._handlers[logical_id]

    def invoke(self, logical_id: str, event: dict[str, Any]) -> Any:
        fn = self._functions[logical_id]
        context = LambdaContext(
            function_name=logical_id,
            invoked_function_arn=f"arn:aws:lambda:us-east-1:123456789012:function:{logical_id}",
            aws_request_id=str(uuid.uuid4()),
            timeout_seconds=fn.timeout,
        )
        handler = self.handler(logical_id)
        with self._busy[logical_id]:
            return handler(event, context)
