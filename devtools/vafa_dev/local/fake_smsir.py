"""A local SMS gateway that answers as SMS.ir's documented v1 API does, for tests and the local stack.

`POST /v1/send/bulk` with `X-API-KEY`: a wrong key gets HTTP 401 with status 10; logical errors
(line, text, mobiles, credit) get HTTP 400 with their status; success is status 1 with
`{"packId", "messageIds", "cost"}`, where a blacklisted mobile gets message id 0. What it accepts is
recorded in `sent`; `fail_next` makes the next sends misbehave.
"""

from __future__ import annotations

import itertools
import json
import re
import threading
import time
import uuid
from typing import Any

from werkzeug.serving import BaseWSGIServer, make_server
from werkzeug.wrappers import Request, Response

_ids = itertools.count(700_000_000)
_MOBILE = re.compile(r"09\d{9}", re.ASCII)
_GSM = re.compile(r"[\x20-\x7e\n\r]*", re.ASCII)
_STATUS_TEXT = {
    0: "درخواست شما با خطا مواجه شده است",
    1: "عملیات با موفقیت انجام شد",
    10: "کلید وب سرویس نامعتبر است",
    20: "تعداد درخواست بیشتر از حد مجاز است",
    101: "شماره خط نامعتبر می‌باشد",
    102: "اعتبار کافی نمی‌باشد",
    103: "درخواست شما دارای متن (های) خالی است",
    104: "درخواست شما دارای موبایل (های) نادرست است",
    105: "تعداد موبایل ها بیشتر از حد مجاز (100 عدد) می‌باشد",
    107: "لیست موبایل ها خالی می‌باشد",
}
MAX_MOBILES = 100


def parts(text: str) -> int:
    """How many SMS parts a text takes: 160/153 GSM characters, or 70/67 for Persian (UCS-2)."""
    single, joined = (160, 153) if _GSM.fullmatch(text) else (70, 67)
    return 1 if len(text) <= single else -(-len(text) // joined)


class FakeSmsIrServer:
    """Records what it accepts; `fail_next` and `blacklist` make it answer as SMS.ir does when not."""

    def __init__(
        self, api_key: str = "smsir-test-key", *, lines: set[int] | None = None, credit: int | None = None
    ) -> None:
        self.api_key = api_key
        self.lines = lines  # None: any line number is the account's own
        self.credit = credit  # None: unlimited; otherwise SMS parts left
        self.sent: list[dict[str, Any]] = []
        self.seen_headers: list[dict[str, str]] = []
        self.seen_bodies: list[Any] = []  # each request's JSON as received
        self.blacklisted: set[str] = set()
        self._faults: list[tuple[str | int, int]] = []
        self._lock = threading.Lock()
        self._server: BaseWSGIServer | None = None

    # -- control -----------------------------------------------------------------------------
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
        return f"http://{host!s}:{port}"

    def fail_next(self, count: int, mode: str | int, *, http: int = 200) -> None:
        """The next `count` sends fail.

        `timeout` hangs past a client's timeout, `http500` is a bare 502 from a proxy, `http429` is
        SMS.ir's throttling (status 20), `server` is status 0, `no_credit` is status 102; an int is
        that status code in the body, with HTTP status `http` (200 unless told otherwise).
        """
        with self._lock:
            self._faults.extend([(mode, http)] * count)

    def blacklist(self, mobile: str) -> None:
        """Sends to `mobile` (09…) come back with message id 0, as blacklisted numbers do."""
        self.blacklisted.add(mobile)

    def sent_to(self, mobile: str) -> list[str]:
        return [m["text"] for m in self.sent if m["mobile"] == mobile]

    # -- the API -----------------------------------------------------------------------------
    @staticmethod
    def _answer(status: int, data: Any = None, http: int = 200) -> Response:
        body = {"status": status, "message": _STATUS_TEXT.get(status, "خطا"), "data": data}
        return Response(
            json.dumps(body, ensure_ascii=False), status=http, content_type="application/json; charset=utf-8"
        )

    def _app(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        if request.method != "POST" or request.path != "/v1/send/bulk":
            response = Response("not found", status=404)
        else:
            response = self._send(request)
        return response(environ, start_response)

    def _fault(self, mode: str | int, http: int) -> Response:
        if mode == "timeout":
            time.sleep(3)
            return self._answer(0, None, 500)
        if mode == "http500":
            return Response("bad gateway", status=502)
        if mode == "http429":
            return self._answer(20, None, 429)
        if mode == "server":
            return self._answer(0, None, http)
        if mode == "no_credit":
            return self._answer(102, None, http)
        if isinstance(mode, int):
            return self._answer(mode, None, http)
        raise ValueError(f"unknown fault {mode!r}")

    def _send(self, request: Request) -> Response:
        received = request.get_json(silent=True)
        with self._lock:
            self.seen_headers.append(dict(request.headers))
            self.seen_bodies.append(received)
            fault = self._faults.pop(0) if self._faults else None
        if fault is not None:
            return self._fault(*fault)
        if request.headers.get("X-API-KEY") != self.api_key:
            return self._answer(10, None, 401)
        body = received if isinstance(received, dict) else {}
        line, text, mobiles = body.get("lineNumber"), body.get("messageText"), body.get("mobiles")
        if type(line) is not int or (self.lines is not None and line not in self.lines):
            return self._answer(101, None, 400)
        if not isinstance(text, str) or not text.strip():
            return self._answer(103, None, 400)
        if not isinstance(mobiles, list) or not mobiles:
            return self._answer(107, None, 400)
        if len(mobiles) > MAX_MOBILES:
            return self._answer(105, None, 400)
        if not all(isinstance(m, str) and _MOBILE.fullmatch(m) for m in mobiles):
            return self._answer(104, None, 400)
        return self._accept(line, text, mobiles)

    def _accept(self, line: int, text: str, mobiles: list[str]) -> Response:
        deliverable = [m for m in mobiles if m not in self.blacklisted]
        cost = parts(text) * len(deliverable)
        with self._lock:
            if self.credit is not None:
                if cost > self.credit:
                    return self._answer(102, None, 400)
                self.credit -= cost
            ids = []
            for mobile in mobiles:
                message_id = 0 if mobile in self.blacklisted else next(_ids)
                ids.append(message_id)
                if message_id:
                    self.sent.append({"mobile": mobile, "text": text, "line": line, "message_id": message_id})
        return self._answer(1, {"packId": str(uuid.uuid4()), "messageIds": ids, "cost": cost})
