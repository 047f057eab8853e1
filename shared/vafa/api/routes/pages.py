"""Public pages behind signed links: click redirects, one-click opt-out, the feedback form, web-push assets."""

from __future__ import annotations

import html
from importlib import resources
from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from vafa.api.context import request_time
from vafa.errors import NotFound
from vafa.messaging import links, short_links, signals

router = APIGatewayHttpRouter()

_PAGE = """<!doctype html><html lang="{lang}" dir="{dir}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>{title}</title>
<style>body{{font-family:Vazirmatn,Tahoma,"Segoe UI",sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;
line-height:1.8}}button{{font:inherit;min-width:2.6rem;margin:.15rem;padding:.4rem;border-radius:.4rem;
border:1px solid #888;background:#fff;cursor:pointer}}textarea{{width:100%;font:inherit}}</style></head>
<body>{body}</body></html>"""


def _html(status: int, title: str, body: str, lang: str = "fa") -> Response[str]:
    page = _PAGE.format(lang=lang, dir="rtl" if lang == "fa" else "ltr", title=html.escape(title), body=body)
    return Response(status, "text/html; charset=utf-8", page)


@router.get("/r/<token>", include_in_schema=False)
def tracked_link(token: str) -> Response[str]:
    try:
        target = signals.record_click(token, request_time(router))
    except NotFound:
        return _html(404, "پیوند نامعتبر", "<p>این پیوند معتبر نیست. · This link is not valid.</p>")
    return Response(302, "text/plain", "", headers={"Location": target, "Cache-Control": "no-store"})


def _opt_out_page(token: str) -> Response[str]:
    try:
        done = signals.opt_out(token, request_time(router))
    except NotFound:
        return _html(404, "پیوند نامعتبر", "<p>این پیوند معتبر نیست. · This link is not valid.</p>")
    channel = {"sms": "پیامک", "email": "ایمیل", "push": "اعلان"}.get(done["channel"], done["channel"])
    return _html(
        200,
        "لغو اشتراک",
        f"<h1>لغو شد</h1><p>دیگر پیام تبلیغاتی از طریق {html.escape(channel)} دریافت نمی‌کنید.</p>"
        f"<p lang='en' dir='ltr'>You will no longer receive marketing by {html.escape(done['channel'])}.</p>",
    )


@router.get("/u/<token>", include_in_schema=False)
def opt_out_link(token: str) -> Response[str]:
    return _opt_out_page(token)


@router.post("/u/<token>", include_in_schema=False)
def opt_out_one_click(token: str) -> Response[str]:
    """RFC 8058 one-click unsubscribe: mail clients POST to the List-Unsubscribe URL."""
    return _opt_out_page(token)


@router.get("/f/<token>", include_in_schema=False)
def feedback_page(token: str) -> Response[str]:
    try:
        short_links.resolve("f", token)
    except links.BadToken:
        return _html(404, "پیوند نامعتبر", "<p>این پیوند معتبر نیست. · This link is not valid.</p>")
    buttons = "".join(
        f'<button type="button" data-score="{n}">{"۰۱۲۳۴۵۶۷۸۹"[n] if n < 10 else "۱۰"}</button>'
        for n in range(11)
    )
    body = f"""<h1>خریدتان چطور بود؟</h1><p>از ۰ تا ۱۰ چقدر ما را به دوستانتان پیشنهاد می‌کنید؟</p>
<div id="scores">{buttons}</div><p><textarea id="comment" rows="3" placeholder="نظر شما (اختیاری)"></textarea></p>
<p id="done" hidden>ممنون از نظرتان!</p>
<script>
document.querySelectorAll('[data-score]').forEach(function (b) {{
  b.addEventListener('click', function () {{
    fetch('/v1/feedback/{html.escape(token)}', {{method: 'POST', headers: {{'Content-Type': 'application/json'}},
      body: JSON.stringify({{score: Number(b.dataset.score), comment: document.getElementById('comment').value || null}})}})
      .then(function () {{ document.getElementById('done').hidden = false; }});
  }});
}});
</script>"""
    return _html(200, "نظرسنجی", body)


def _asset(name: str, **headers: str) -> Response[Any]:
    try:
        text = resources.files("vafa.web").joinpath(name).read_text(encoding="utf-8")
    except (FileNotFoundError, ModuleNotFoundError):
        return Response(404, "text/plain", "not found")
    headers = {"Cache-Control": "max-age=3600", "X-Content-Type-Options": "nosniff", **headers}
    return Response(200, "application/javascript; charset=utf-8", text, headers=headers)


@router.get("/vafa-sw.js", include_in_schema=False)
def service_worker() -> Response[Any]:
    # A shop that serves this file from a path of its own (a proxy to /assets/vafa-sw.js, say) may still
    # register it for its whole site: the header widens the scope allowed, within the shop's origin only.
    return _asset("vafa-sw.js", **{"Service-Worker-Allowed": "/"})


@router.get("/vafa-subscribe.js", include_in_schema=False)
def subscribe_snippet() -> Response[Any]:
    return _asset("vafa-subscribe.js")
