"""The local HTTP API: turns requests into API Gateway v2 events for the functions the template routes."""

from __future__ import annotations

import base64
import json
import logging
import threading
import uuid
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, unquote

from werkzeug.serving import BaseWSGIServer, make_server
from werkzeug.wrappers import Request, Response

from vafa_dev.local.functions import FunctionRunner
from vafa_dev.local.template import Route

log = logging.getLogger("vafa_dev.local.gateway")
MAX_PAYLOAD = 10 * 1024 * 1024  # API Gateway's own limit


def _json(status: int, body: dict[str, Any]) -> Response:
    return Response(json.dumps(body, ensure_ascii=False), status=status, content_type="application/json")


def _error(status: int, code: str, message: str) -> Response:
    return _json(status, {"error": {"code": code, "message": message}})


class Gateway:
    """WSGI app: `/_local/*` control routes, then the template's routes, else 404."""

    def __init__(self, routes: list[Route], runner: FunctionRunner, control: Any) -> None:
        self.routes = routes
        self.runner = runner
        self.control = control

    def match(self, method: str, path: str) -> tuple[Route, dict[str, str]] | None:
        for route in self.routes:
            if route.method not in (method, "ANY"):
                continue
            found = route.pattern.match(path)
            if found:
                return route, {k: unquote(v) for k, v in found.groupdict().items()}
        return None

    def event(self, request: Request, route: Route, params: dict[str, str], body: bytes) -> dict[str, Any]:
        now = datetime.now(UTC)
        headers: dict[str, str] = {}
        for key, value in request.headers.items():
            name = key.lower()
            headers[name] = f"{headers[name]},{value}" if name in headers else value
        raw_query = _query_text(request.environ.get("QUERY_STRING", ""))
        query: dict[str, str] = {}
        for key, value in parse_qsl(raw_query, keep_blank_values=True):
            query[key] = f"{query[key]},{value}" if key in query else value
        try:
            text: str | None = body.decode("utf-8")
        except UnicodeDecodeError:
            text = None
        return {
            "version": "2.0",
            "routeKey": route.route_key,
            "rawPath": request.path,
            "rawQueryString": raw_query,
            "headers": headers,
            "queryStringParameters": query or None,
            "pathParameters": params or None,
            "requestContext": {
                "accountId": "123456789012",
                "apiId": "local",
                "domainName": request.host,
                "domainPrefix": "local",
                "http": {
                    "method": request.method,
                    "path": request.path,
                    "protocol": request.environ.get("SERVER_PROTOCOL", "HTTP/1.1"),
                    "sourceIp": request.remote_addr or "127.0.0.1",
                    "userAgent": request.headers.get("User-Agent", ""),
                },
                "requestId": str(uuid.uuid4()),
                "routeKey": route.route_key,
                "stage": "$default",
                "time": now.strftime("%d/%b/%Y:%H:%M:%S +0000"),
                "timeEpoch": int(now.timestamp() * 1000),
            },
            "body": (text if text is not None else base64.b64encode(body).decode()) if body else None,
            "isBase64Encoded": bool(body) and text is None,
        }

    @staticmethod
    def to_response(result: Any) -> Response:
        if not isinstance(result, dict) or "statusCode" not in result:
            return _json(200, result if isinstance(result, dict) else {"result": result})
        body = result.get("body") or ""
        data = base64.b64decode(body) if result.get("isBase64Encoded") else str(body).encode()
        response = Response(data, status=int(result["statusCode"]))
        response.headers.pop("Content-Type", None)
        for key, value in (result.get("headers") or {}).items():
            response.headers[key] = str(value)
        for key, values in (result.get("multiValueHeaders") or {}).items():
            for value in values:
                response.headers.add(key, str(value))
        for cookie in result.get("cookies") or []:
            response.headers.add("Set-Cookie", cookie)
        return response

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        try:
            response = self.dispatch(request)
        except Exception:
            log.exception("unhandled error for %s %s", request.method, request.path)
            response = _json(500, {"message": "Internal Server Error"})
        return response(environ, start_response)

    def dispatch(self, request: Request) -> Response:
        if request.path.startswith("/_local/"):
            return self.control(request)
        if (request.content_length or 0) > MAX_PAYLOAD:
            return _error(413, "payload_too_large", "request body exceeds the API's 10 MB limit")
        body = request.get_data(cache=False)
        if len(body) > MAX_PAYLOAD:
            return _error(413, "payload_too_large", "request body exceeds the API's 10 MB limit")
        matched = self.match(request.method, request.path)
        if matched is None:
            return _error(404, "route_not_found", f"no route for {request.method} {request.path}")
        route, params = matched
        result = self.runner.invoke(route.function, self.event(request, route, params, body))
        return self.to_response(result)


class HttpServer:
    """A threaded werkzeug server for a WSGI app, in a background thread."""

    def __init__(self, app: Any, host: str, port: int) -> None:
        self._server: BaseWSGIServer = make_server(host, port, app, threaded=True)
        self._thread = threading.Thread(target=self._server.serve_forever, name="gateway", daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        if not isinstance(host, str):  # typed str | bytes; a bound AF_INET socket reports str
            host = host.decode()
        return f"http://{host}:{port}"

    def start(self) -> str:
        self._thread.start()
        return self.url

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


def _query_text(environ_query: str) -> str:
    """The query string as the client sent it, as text. A client may paste UTF-8 unencoded (a phone
    in Persian digits); the development server reads the request line as Latin-1 and WSGI encodes it
    once more, so undo both readings where they apply, as API Gateway hands such a query on."""
    text = environ_query
    for _ in range(2):
        try:
            text = text.encode("latin-1").decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            break
    return text
