"""Runtime settings, read once from the Lambda environment and passed down as a typed value."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True)
class Settings:
    table_name: str
    region: str
    dynamodb_endpoint: str | None
    auth_cache_seconds: int
    program_cache_seconds: int
    max_body_bytes: int
    local_stack: bool


@lru_cache(maxsize=1)
def settings() -> Settings:
    """Settings for this process; tests and the local stack reset the cache after changing the env."""
    env = os.environ
    return Settings(
        table_name=env.get("VAFA_TABLE", "vafa"),
        region=env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or "us-east-1",
        dynamodb_endpoint=env.get("AWS_ENDPOINT_URL_DYNAMODB") or env.get("AWS_ENDPOINT_URL") or None,
        auth_cache_seconds=int(env.get("VAFA_AUTH_CACHE_SECONDS", "60")),
        program_cache_seconds=int(env.get("VAFA_PROGRAM_CACHE_SECONDS", "30")),
        max_body_bytes=int(env.get("VAFA_MAX_BODY_BYTES", "65536")),
        local_stack=env.get("VAFA_LOCAL_STACK") == "1",
    )
