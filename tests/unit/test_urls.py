"""URLs from outside are accepted only in a spelling every parser reads alike, naming no inside host."""

from __future__ import annotations

import pytest
from vafa.urls import UnsafeUrl, check_url, public_addresses

REFUSED = [
    "https://127.0.0.1\\.push.apple.com/x",  # urlsplit and urllib3 disagree on the host
    "https://user:pw@shop.example/",
    "https://shop.example%2f@127.0.0.1/",
    "https://shop.example:8443/",
    "http://shop.example/",
    "https://169.254.169.254/latest/meta-data",
    "https://10.1.2.3/",
    "https://[::1]/",
    "https://[fd00::1]/",
    "https://2130706433/",  # 127.0.0.1 to a resolver
    "https://0x7f.1/",
    "https://127.1/",
    "https://localhost/",
    "https://metadata.google.internal/",
    "https://printer.local/",
    "https://shop.example/a\r\nHost: x",
    "https://shop.example/\u202eevil",
    "https://shöp.example/",  # non-ASCII host: its xn-- spelling is the one that is fetched
    "javascript:alert(1)",
    "",
]
ACCEPTED = [
    "https://shop.example/",
    "https://shop.example:443/cart?id=1",
    "https://xn--mgbai9azgqp6j.ir/",
    "https://shop.example/محصول/چای",
    "https://fcm.googleapis.com/fcm/send/abc:def",
]


@pytest.mark.parametrize("url", REFUSED)
def test_urls_that_could_reach_inside_or_read_two_ways_are_refused(url: str) -> None:
    with pytest.raises(UnsafeUrl):
        check_url(url)


@pytest.mark.parametrize("url", ACCEPTED)
def test_plain_public_https_urls_are_accepted_as_given(url: str) -> None:
    assert check_url(url) == url


def test_loopback_is_only_for_the_local_stack() -> None:
    with pytest.raises(UnsafeUrl):
        check_url("http://127.0.0.1:3000/x")
    assert check_url("http://127.0.0.1:3000/x", allow_loopback=True)
    with pytest.raises(UnsafeUrl):
        check_url("http://169.254.169.254/", allow_loopback=True)


def test_a_name_that_resolves_inside_is_refused_when_the_sender_connects() -> None:
    with pytest.raises(UnsafeUrl):
        public_addresses("localhost")
    assert public_addresses("localhost", allow_loopback=True)
