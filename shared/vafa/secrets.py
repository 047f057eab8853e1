"""Secrets live in SSM Parameter Store (per merchant) and Secrets Manager (deployment-wide), never in code."""

from __future__ import annotations

import os
import threading
import time
from typing import Any, Literal

_cache: dict[str, tuple[float, str]] = {}
_lock = threading.Lock()
_TTL = 300.0


def _client(service: Literal["ssm", "secretsmanager"]) -> Any:
    # boto3 only here: PynamoDB needs botocore alone, and boto3 (with s3transfer) would add tens of
    # milliseconds to every cold start, also of the requests that never read a secret.
    import boto3

    from vafa.config import settings

    current = settings()
    endpoint = os.environ.get(f"AWS_ENDPOINT_URL_{service.upper()}") or os.environ.get("AWS_ENDPOINT_URL")
    return boto3.client(service, region_name=current.region, endpoint_url=endpoint or None)


def merchant_secret_name(merchant_id: str, name: str) -> str:
    return f"/vafa/{merchant_id}/{name}"


def get_parameter(name: str) -> str | None:
    """A SecureString parameter, cached for a few minutes; None when it does not exist."""
    with _lock:
        cached = _cache.get(name)
        if cached and cached[0] > time.monotonic():
            return cached[1]
    try:
        value = _client("ssm").get_parameter(Name=name, WithDecryption=True)["Parameter"]["Value"]
    except Exception as exc:  # botocore's ParameterNotFound is generated per client
        if type(exc).__name__ == "ParameterNotFound":
            return None
        raise
    with _lock:
        _cache[name] = (time.monotonic() + _TTL, value)
    return str(value)


def put_parameter(name: str, value: str) -> None:
    _client("ssm").put_parameter(Name=name, Value=value, Type="SecureString", Overwrite=True)
    with _lock:
        _cache.pop(name, None)


def link_signing_key() -> bytes:
    """The deployment's key for signed links, from Secrets Manager (env VAFA_LINK_SECRET_ARN)."""
    arn = os.environ.get("VAFA_LINK_SECRET_ARN", "")
    with _lock:
        cached = _cache.get(arn)
        if cached and cached[0] > time.monotonic():
            return cached[1].encode()
    if not arn:
        raise RuntimeError("VAFA_LINK_SECRET_ARN is not set")
    value = str(_client("secretsmanager").get_secret_value(SecretId=arn)["SecretString"])
    with _lock:
        _cache[arn] = (time.monotonic() + _TTL, value)
    return value.encode()


def forget() -> None:
    with _lock:
        _cache.clear()
