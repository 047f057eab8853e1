"""X-Ray tracing: Lambda's active tracing always; the X-Ray SDK's per-call subsegments on request.

Powertools' Tracer imports the X-Ray SDK, which costs about 220 ms of cold start (measured by
`make bench`). Lambda's active tracing already records every invocation, so the SDK is loaded only
when a deployment asks for detailed traces (`VAFA_DETAILED_TRACING=true`, template parameter
`DetailedTracing`).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


def capture_handler(service: str) -> Callable[[F], F]:
    """Powertools' `capture_lambda_handler` when detailed tracing is on; otherwise the handler as is."""
    if os.environ.get("VAFA_DETAILED_TRACING", "false").lower() != "true":
        return lambda handler: handler
    from aws_lambda_powertools import Tracer

    tracer = Tracer(service=service, patch_modules=["botocore"])
    return tracer.capture_lambda_handler  # type: ignore[return-value]
