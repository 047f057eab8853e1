"""CSV exports for the merchant's panel (vafa.insight.exports says what each reads and how an
answer is kept under Lambda's 6 MB)."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from vafa.api.binding import Param, route
from vafa.api.context import decode_cursor, encode_cursor, merchant_id, programs, request_time
from vafa.api.routes.insight import DAY, _day
from vafa.errors import NotFound, ValidationFailed
from vafa.records import Meta

router = APIGatewayHttpRouter()
FILES = ("customers.csv", "ledger.csv", "messages.csv")
_CURSOR = "X#"


@route(
    router,
    "GET",
    "/v1/exports/<export_file>",
    tag="Insight",
    summary="Download customers.csv, ledger.csv or messages.csv (UTF-8 with BOM; headers in the "
    "merchant's language)",
    query=(
        Param("from", DAY, argument="from_", description="First day, YYYY-MM-DD"),
        Param("to", DAY, description="Last day, YYYY-MM-DD; default today"),
        Param(
            "cursor",
            Annotated[str, Meta(max_length=600)],
            description="The previous answer's X-Next-Cursor header, for the rows after it",
        ),
    ),
    responses={200: "text/csv; more rows follow when the X-Next-Cursor header is set"},
)
def get_export(export_file: str, from_: str | None, to: str | None, cursor: str | None) -> Response[Any]:
    """customers: every customer (with `from`/`to`: those who joined in the range); ledger: every
    balance movement recorded in the range (default: the year up to today); messages: every message
    decided in the range. One answer holds up to 20,000 rows or about 5 MB; when more follow, the
    `X-Next-Cursor` header is set: pass it back as `cursor` (each answer is a whole CSV file)."""
    from vafa.insight import exports

    merchant = merchant_id(router)
    if export_file not in FILES:
        raise NotFound(f"no export {export_file}; there are {', '.join(FILES)}", code="export_not_found")
    today = request_time(router).date()
    end = _day(to, "to", today)
    start = _day(from_, "from", end - timedelta(days=365))
    if start > end:
        raise ValidationFailed("from must not be after to", field="from")
    after = decode_cursor(cursor, _CURSOR, numeric=False)
    position = after.removeprefix(_CURSOR) if after else None
    locale = programs().get(merchant).default_locale
    name = export_file.removesuffix(".csv")
    if name == "customers":
        given = from_ is not None or to is not None
        text, following = exports.customers(
            merchant, locale, start if given else None, end if given else None, position
        )
    elif name == "ledger":
        text, following = exports.ledger(merchant, locale, start, end, position)
    else:
        text, following = exports.messages(merchant, locale, start, end, position)
    headers = {
        "Content-Disposition": f'attachment; filename="{name}-{start.isoformat()}-{end.isoformat()}.csv"',
        "Cache-Control": "no-store",
    }
    if following is not None:
        headers["X-Next-Cursor"] = str(encode_cursor(_CURSOR + following))
        headers["Access-Control-Expose-Headers"] = "X-Next-Cursor"
    return Response(200, "text/csv; charset=utf-8", text, headers=headers)
