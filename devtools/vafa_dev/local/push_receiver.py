"""A local push service: checks VAPID, decrypts aes128gcm (RFC 8188/8291) itself, records what it got.

It is an independent check of what the sender produces: the decryption here is written from the
RFCs, not borrowed from the sending library.
"""

from __future__ import annotations

import base64
import json
import os
import struct
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hmac import HMAC
from werkzeug.serving import BaseWSGIServer, make_server
from werkzeug.wrappers import Request, Response


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _hkdf_extract(salt: bytes, ikm: bytes) -> bytes:
    mac = HMAC(salt, hashes.SHA256())
    mac.update(ikm)
    return mac.finalize()


def _hkdf_expand(prk: bytes, info: bytes, length: int) -> bytes:
    mac = HMAC(prk, hashes.SHA256())
    mac.update(info + b"\x01")
    return mac.finalize()[:length]


def _point(key: ec.EllipticCurvePublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)


def decrypt(body: bytes, ua_private: ec.EllipticCurvePrivateKey, auth_secret: bytes) -> bytes:
    """RFC 8291 decryption of a single-record aes128gcm body."""
    salt, record_size, id_len = body[:16], struct.unpack(">I", body[16:20])[0], body[20]
    as_public_bytes = body[21 : 21 + id_len]
    ciphertext = body[21 + id_len :]
    if record_size < 18 or len(ciphertext) > record_size:
        raise ValueError("unexpected record size")
    as_public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), as_public_bytes)
    ecdh_secret = ua_private.exchange(ec.ECDH(), as_public)
    key_info = b"WebPush: info\x00" + _point(ua_private.public_key()) + as_public_bytes
    ikm = _hkdf_expand(_hkdf_extract(auth_secret, ecdh_secret), key_info, 32)
    prk = _hkdf_extract(salt, ikm)
    cek = _hkdf_expand(prk, b"Content-Encoding: aes128gcm\x00", 16)
    nonce = _hkdf_expand(prk, b"Content-Encoding: nonce\x00", 12)
    padded = AESGCM(cek).decrypt(nonce, ciphertext, None)
    stripped = padded.rstrip(b"\x00")
    if not stripped.endswith(b"\x02"):
        raise ValueError("missing last-record delimiter")
    return stripped[:-1]


def verify_vapid(header: str, audience: str, now: float) -> dict[str, Any]:
    """Check `vapid t=<jwt>, k=<key>`: ES256 signature by k, aud = the push service origin, exp ahead."""
    if not header.lower().startswith("vapid "):
        raise ValueError("not a VAPID authorization")
    params = dict(part.strip().split("=", 1) for part in header[6:].split(","))
    token, key = params["t"], params["k"]
    head, claims, signature = token.split(".")
    public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), _unb64(key))
    raw = _unb64(signature)
    der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    public.verify(der, f"{head}.{claims}".encode(), ec.ECDSA(hashes.SHA256()))
    header_json, payload = json.loads(_unb64(head)), json.loads(_unb64(claims))
    if header_json.get("alg") != "ES256":
        raise ValueError("VAPID JWT must be ES256")
    if payload.get("aud") != audience:
        raise ValueError(f"aud {payload.get('aud')} is not {audience}")
    if not now < float(payload.get("exp", 0)) <= now + 86400 + 60:
        raise ValueError("exp must be in the future and within 24 hours")
    return {"claims": payload, "public_key": key}


@dataclass
class _Subscription:
    private_key: ec.EllipticCurvePrivateKey
    auth: bytes
    received: list[dict[str, Any]] = field(default_factory=list)
    answer: int = 201


class PushReceiver:
    """`POST /push/<id>` as a browser's push service would take it."""

    def __init__(self) -> None:
        self._subs: dict[str, _Subscription] = {}
        self.rejected: list[str] = []
        self._server: BaseWSGIServer | None = None
        self._lock = threading.Lock()

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
        if not isinstance(host, str):  # typed str | bytes; a bound AF_INET socket reports str
            host = host.decode()
        return f"http://{host}:{port}"

    def new_subscription(self) -> dict[str, Any]:
        """What `PushSubscription.toJSON()` gives a page: endpoint and keys."""
        sub_id = _b64(os.urandom(9))
        private = ec.generate_private_key(ec.SECP256R1())
        auth = os.urandom(16)
        with self._lock:
            self._subs[sub_id] = _Subscription(private, auth)
        return {
            "endpoint": f"{self.url}/push/{sub_id}",
            "keys": {"p256dh": _b64(_point(private.public_key())), "auth": _b64(auth)},
        }

    def answer_with(self, subscription: dict[str, Any], status: int) -> None:
        self._subs[subscription["endpoint"].rsplit("/", 1)[1]].answer = status

    def received(self, subscription: dict[str, Any]) -> list[dict[str, Any]]:
        return list(self._subs[subscription["endpoint"].rsplit("/", 1)[1]].received)

    def _app(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        response = self._push(request)
        return response(environ, start_response)

    def _push(self, request: Request) -> Response:
        parts = request.path.strip("/").split("/")
        sub = self._subs.get(parts[1]) if len(parts) == 2 and parts[0] == "push" else None
        if sub is None or request.method != "POST":
            return Response("no such subscription", status=404)
        if sub.answer != 201:
            return Response("", status=sub.answer)
        try:
            vapid = verify_vapid(request.headers.get("Authorization", ""), self.url, time.time())
            if request.headers.get("Content-Encoding") != "aes128gcm":
                raise ValueError("Content-Encoding must be aes128gcm")
            if "TTL" not in request.headers:
                raise ValueError("TTL header is required")
            plaintext = decrypt(request.get_data(), sub.private_key, sub.auth)
        except (ValueError, KeyError, InvalidSignature, InvalidTag) as exc:
            self.rejected.append(str(exc))
            return Response(str(exc), status=400 if not isinstance(exc, InvalidSignature) else 403)
        sub.received.append({"payload": json.loads(plaintext), "vapid": vapid, "ttl": request.headers["TTL"]})
        return Response("", status=201, headers={"Location": request.url})
