"""The price table and latency assumptions every cost figure of `make bench` uses, in one place.

AWS list prices, us-east-1, on-demand, without free tiers; read from the AWS pricing pages on the
date below. Change them here (and the date) when AWS does: the report prints this table as used.
"""

from __future__ import annotations

from dataclasses import dataclass

TAKEN_ON = "2026-11-30"
REGION = "us-east-1"


@dataclass(frozen=True)
class Price:
    name: str
    usd: float
    per: str  # what one `usd` buys, as the pricing page says it
    unit: float  # how many of the counted things `usd` buys (1e6 for "per million")


HTTP_API = Price("API Gateway HTTP API requests (first 300 million a month)", 1.00, "million requests", 1e6)
LAMBDA_REQUESTS = Price("Lambda requests", 0.20, "million requests", 1e6)
LAMBDA_ARM64_GB_S = Price("Lambda duration, arm64 (first 7.5 billion GB-s a month)", 0.0000133334, "GB-s", 1)
LAMBDA_X86_GB_S = Price("Lambda duration, x86_64 (first 6 billion GB-s a month)", 0.0000166667, "GB-s", 1)
DYNAMODB_WRITE = Price(
    "DynamoDB on-demand write request units (price of November 2024)", 0.625, "million WRU", 1e6
)
DYNAMODB_READ = Price(
    "DynamoDB on-demand read request units (price of November 2024)", 0.125, "million RRU", 1e6
)
LOGS_INGESTED = Price("CloudWatch Logs ingestion (standard class)", 0.50, "GB", 1e9)
SQS_REQUESTS = Price("SQS standard queue requests (64 KB chunks)", 0.40, "million requests", 1e6)

TABLE = (
    HTTP_API,
    LAMBDA_REQUESTS,
    LAMBDA_ARM64_GB_S,
    LAMBDA_X86_GB_S,
    DYNAMODB_WRITE,
    DYNAMODB_READ,
    LOGS_INGESTED,
    SQS_REQUESTS,
)

# Lambda gives a function CPU in proportion to its memory: one full vCPU at 1,769 MB (AWS Lambda
# documentation, "Memory and computing power"). The handler's CPU time measured on one core here is
# stretched by 1,769 / MemorySize to estimate the billed duration (assumption: an arm64 Graviton core
# is about as fast as this machine's core for this code; not measured).
FULL_VCPU_MB = 1769

# DynamoDB round-trip time seen from Lambda in the same region (assumption, not measured here: AWS
# states single-digit milliseconds; transactions take about twice a single-item call).
LATENCY_MS = {"TransactWriteItems": 12.0, "BatchWriteItem": 10.0, "BatchGetItem": 6.0}
DEFAULT_LATENCY_MS = 5.0
# The same per call, as a range, for the time of a long scheduled run (the estimate of 420-670 s
# for 10,000 due used 8-13 ms per call).
RUN_LATENCY_RANGE_MS = (5.0, 12.0)


def latency_ms(operation: str) -> float:
    return LATENCY_MS.get(operation, DEFAULT_LATENCY_MS)


def cost(price: Price, quantity: float) -> float:
    """USD for `quantity` of the counted things."""
    return price.usd * quantity / price.unit


def usd(value: float) -> str:
    """$1.00, $0.625, $0.0000133334: cents always shown, small prices in full."""
    if value >= 0.01:
        text = f"{value:.3f}"
        return "$" + (text[:-1] if text.endswith("0") else text)
    return "$" + f"{value:.10f}".rstrip("0")


def table_lines() -> list[str]:
    """The price table as Markdown, with the date it was taken."""
    rows = [f"| {p.name} | {usd(p.usd)} per {p.per} |" for p in TABLE]
    return [
        f"Prices: AWS list prices, {REGION}, on-demand, without free tiers, taken {TAKEN_ON} "
        "(`devtools/vafa_dev/bench/prices.py`).",
        "",
        "| Item | Price |",
        "|---|---|",
        *rows,
    ]
