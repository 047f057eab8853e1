"""A local SMS gateway that answers as Kavenegar's documented API does, for tests and the local stack."""

from __future__ import annotations

import itertools
import json
import threading
import time
from typing import Any

from werkzeug.serving import BaseWSGIServer, make_server
from werkzeug.wrappers import Request, Response

_ids = itertools.count(100_000_000)


class FakeSmsServer:
    """`POST /v1/{key}/sms/send.json`; records what it accepts and can be told to misbehave."""

    def __init__(self, api_key: str | None = None, slow_seconds: float = 3.0) -> None:
        self.api_key = api_key
        self.slow_seconds = slow_seconds  # how long `timeout` and `accept_slow` keep the client waiting
        self._chaos: tuple[float, tuple[str, ...], Any] | None = None
        self.sent: list[dict[str, Any]] = []
        self.refusing: set[str] = set()
        self.by_localid: dict[str, int] = {}
        self._faults: list[str] = []
        self._lock = threading.Lock()
        self._server: BaseWSGIServer | None = None

    # -- control -----------------------------------------------------------------------------
    def start(self) -> str:
        self._server = make_server("127.0.0.1", 0, self._app, threaded=True)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self.kavenegar_url

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()

    @property
    def kavenegar_url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        if not isinstance(host, str):  # typed str | bytes; a bound AF_INET socket reports str
            host = host.decode()
        return f"http://{host}:{port}"

    def fail_next(self, count: int, mode: str = "http500") -> None:
        """The next `count` sends fail: `http500`, `http429`, `timeout` (hang past the client's
        timeout, sending nothing), `accept_slow` (send it, then answer after the client's timeout)
        or `body_error`."""
        with self._lock:
            self._faults.extend([mode] * count)

    def chaos(self, rate: float, modes: tuple[str, ...], seed: int = 0) -> None:
        """From now on, each send fails with probability `rate`, in one of `modes` picked at random."""
        import random

        with self._lock:
            self._chaos = (rate, modes, random.Random(seed))

    def refuse_ads(self, receptor: str) -> None:
        self.refusing.add(receptor)

    # -- the API -----------------------------------------------------------------------------
    def _answer(self, status: int, message: str, entries: list[dict[str, Any]] | None = None) -> Response:
        body = {"return": {"status": status, "message": message}, "entries": entries}
        return Response(
            json.dumps(body, ensure_ascii=False),
            status=200 if status == 200 else status,
            content_type="application/json; charset=utf-8",
        )

    def _app(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        parts = request.path.strip("/").split("/")
        if len(parts) == 4 and parts[0] == "v1" and parts[2:] == ["sms", "send.json"]:
            response = self._send(parts[1], request)
        elif len(parts) == 4 and parts[0] == "v1" and parts[2:] == ["sms", "statuslocalmessageid.json"]:
            response = self._status_by_localid(parts[1], request)
        else:
            response = self._answer(404, "متد یافت نشد")
        return response(environ, start_response)

    def _send(self, key: str, request: Request) -> Response:
        with self._lock:
            fault = self._faults.pop(0) if self._faults else None
            if fault is None and self._chaos is not None:
                rate, modes, rng = self._chaos
                fault = rng.choice(modes) if rng.random() < rate else None
        if fault == "timeout":
            time.sleep(self.slow_seconds)
            return self._answer(200, "تایید شد", [])
        if fault == "http500":
            return Response("upstream error", status=502)
        if fault == "http429":
            return self._answer(429, "تعداد درخواست‌ها بیش از حد مجاز است")
        if fault == "body_error":
            # Kavenegar can report errors inside the JSON with an error code as the return status.
            return self._answer(418, "اعتبار حساب شما کافی نیست")
        if self.api_key is not None and key != self.api_key:
            return self._answer(403, "کد شناسائی API-Key معتبر نمی‌باشد")
        receptor = request.form.get("receptor", "")
        message = request.form.get("message", "")
        if not receptor or not message:
            return self._answer(400, "پارامترها ناقص هستند")
        status = 14 if receptor in self.refusing else 5
        messageid = next(_ids)
        entry = {
            "messageid": messageid,
            "message": message,
            "status": status,
            "statustext": "ارسال به مخابرات" if status == 5 else "عدم دریافت تبلیغات",
            "sender": request.form.get("sender", "10004346"),
            "receptor": receptor,
            "date": int(time.time()),
            "cost": 1200,
        }
        localid = request.form.get("localid")
        if status == 5:
            with self._lock:
                self.sent.append(
                    {"receptor": receptor, "message": message, "localid": localid, "sender": entry["sender"]}
                )
                if localid:
                    self.by_localid[localid] = messageid
        if fault == "accept_slow":
            time.sleep(self.slow_seconds)  # sent already; the answer comes after the client gave up
        return self._answer(200, "تایید شد", [entry])

    def _status_by_localid(self, key: str, request: Request) -> Response:
        """`sms/statuslocalmessageid`: per local id, the message it became, or messageid 0 (status
        100) when this gateway never accepted one under that id."""
        if self.api_key is not None and key != self.api_key:
            return self._answer(403, "کد شناسائی API-Key معتبر نمی‌باشد")
        wanted = [x for x in (request.values.get("localid") or "").split(",") if x]
        entries = []
        with self._lock:
            for localid in wanted:
                messageid = self.by_localid.get(localid, 0)
                entries.append(
                    {
                        "messageid": messageid,
                        "localid": localid,
                        "status": 10 if messageid else 100,
                        "statustext": "رسیده به گیرنده" if messageid else "شناسه نامعتبر",
                    }
                )
        return self._answer(200, "تایید شد", entries)
