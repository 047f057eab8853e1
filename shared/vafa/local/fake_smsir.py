"""A local SMS gateway that answers as SMS.ir's documented v1 API does, for tests and the local stack."""

from __future__ import annotations

import itertools
import json
import threading
import time
from typing import Any

from werkzeug.serving import BaseWSGIServer, make_server
from werkzeug.wrappers import Request, Response

_ids = itertools.count(700_000_000)
_STATUS_TEXT = {
    1: "موفق",
    10: "کلید وب سرویس نامعتبر است",
    102: "اعتبار حساب کافی نیست",
    104: "شماره موبایل نامعتبر است",
}


class FakeSmsIrServer:
    """`POST /v1/send/bulk` with `X-API-KEY`; records what it accepts and can be told to misbehave."""

    def __init__(self, api_key: str = "smsir-test-key") -> None:
        self.api_key = api_key
        self.sent: list[dict[str, Any]] = []
        self.seen_headers: list[dict[str, str]] = []
        self._faults: list[str] = []
        self._lock = threading.Lock()
        self._server: BaseWSGIServer | None = None

    def start(self) -> str:
        self._server = make_server("127.0.0.1", 0, self._app, threaded=True)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self.url

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()

    @property
    def url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def fail_next(self, count: int, mode: str) -> None:
        """`http500`, `http429`, `timeout`, `no_credit` (status 102 in a 200 body) or `server` (status 0)."""
        with self._lock:
            self._faults.extend([mode] * count)

    @staticmethod
    def _answer(status: int, data: dict[str, Any] | None = None, http: int = 200) -> Response:
        body = {"status": status, "message": _STATUS_TEXT.get(status, "خطا"), "data": data}
        return Response(json.dumps(body, ensure_ascii=False), status=http, content_type="application/json")

    def _app(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        if request.method != "POST" or request.path != "/v1/send/bulk":
            response = Response("not found", status=404)
        else:
            response = self._send(request)
        return response(environ, start_response)

    def _send(self, request: Request) -> Response:
        with self._lock:
            self.seen_headers.append(dict(request.headers))
            fault = self._faults.pop(0) if self._faults else None
        if fault == "timeout":
            time.sleep(3)
        if fault == "http500":
            return Response("bad gateway", status=502)
        if fault == "http429":
            return self._answer(20, None, 429)
        if fault == "server":
            return self._answer(0)
        if request.headers.get("X-API-KEY") != self.api_key:
            return self._answer(10, None, 401)
        if fault == "no_credit":
            return self._answer(102)
        body = request.get_json(silent=True) or {}
        mobiles = body.get("mobiles") or []
        if not isinstance(body.get("lineNumber"), int) or not body.get("messageText"):
            return self._answer(101)
        if not mobiles or not all(
            isinstance(m, str) and m.startswith("09") and len(m) == 11 for m in mobiles
        ):
            return self._answer(104)
        ids = [next(_ids) for _ in mobiles]
        with self._lock:
            for mobile in mobiles:
                self.sent.append({"mobile": mobile, "text": body["messageText"], "line": body["lineNumber"]})
        return self._answer(1, {"packId": f"pack-{ids[0]}", "messageIds": ids, "cost": len(mobiles)})
