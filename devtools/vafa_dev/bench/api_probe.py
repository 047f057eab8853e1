"""Runs the API function as Lambda does, in its own process, and reports each invocation's cost inputs.

Started by `vafa_dev.bench.cost` with the environment the template gives the API function (log level,
Powertools settings, LAMBDA_TASK_ROOT) and the bench's stand-in as the AWS endpoint. It reads
`{"app": path, "memory_mb": n, "invocations": [{"label": ..., "event": {...}}, ...]}` on stdin and
writes one JSON line on the real stdout: per invocation, its wall time, the CPU time of the thread
that ran the handler (the stand-in runs in another process, so this is the function's own work), the
status code, and the bytes the function wrote to stdout and stderr, which Lambda ships to CloudWatch
Logs. Standard output and error are replaced before the function is imported, so the loggers it
creates at import write through the counters.
"""

from __future__ import annotations

import importlib.util
import io
import json
import sys
import time
import uuid
from typing import Any


class _Counting(io.TextIOBase):
    """A text stream that keeps what is written (the function's log output) and counts its bytes."""

    def __init__(self) -> None:
        self.text: list[str] = []

    def writable(self) -> bool:
        return True

    def write(self, s: str) -> int:
        self.text.append(s)
        return len(s)

    def take(self) -> str:
        text, self.text = "".join(self.text), []
        return text


class _Context:
    def __init__(self, memory_mb: int) -> None:
        self.function_name = "ApiFunction"
        self.function_version = "$LATEST"
        self.memory_limit_in_mb = memory_mb
        self.invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:ApiFunction"
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = "/aws/lambda/ApiFunction"
        self.log_stream_name = "2026/11/30/[$LATEST]0123456789abcdef0123456789abcdef"

    def get_remaining_time_in_millis(self) -> int:
        return 10_000


def main() -> None:
    spec_in = json.loads(sys.stdin.read())
    real_stdout = sys.stdout
    out, err = _Counting(), _Counting()
    sys.stdout, sys.stderr = out, err
    spec = importlib.util.spec_from_file_location("app", spec_in["app"])
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    import_log = out.take() + err.take()
    results: list[dict[str, Any]] = []
    for invocation in spec_in["invocations"]:
        context = _Context(int(spec_in["memory_mb"]))
        started, cpu = time.perf_counter(), time.thread_time()
        answer = module.lambda_handler(invocation["event"], context)
        cpu_s, wall_s = time.thread_time() - cpu, time.perf_counter() - started
        logged = out.take() + err.take()
        results.append(
            {
                "label": invocation["label"],
                "status": answer.get("statusCode") if isinstance(answer, dict) else None,
                "body": str(answer.get("body", ""))[:300] if isinstance(answer, dict) else "",
                "wall_ms": wall_s * 1000,
                "cpu_ms": cpu_s * 1000,
                "log_bytes": len(logged.encode("utf-8")),
                "log": logged[:2000],
            }
        )
    real_stdout.write(
        json.dumps({"import_log_bytes": len(import_log.encode()), "invocations": results}) + "\n"
    )


if __name__ == "__main__":
    main()
