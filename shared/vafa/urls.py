"""URLs from outside (merchant settings, shops, browsers), checked exactly as they will be fetched.

`urlsplit` and `requests` (urllib3) do not read every URL alike: a backslash, userinfo, a
percent-encoded separator or a numeric host can make the two see different hosts. So a URL is
accepted only in a plain spelling that every parser reads the same way, and never names an
address inside the deployment (loopback, private, link-local, metadata). `public_addresses`
repeats the check on what the name resolves to, right before a sender connects.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from urllib.parse import urlsplit

# Host names: dot-separated labels of letters, digits and hyphens (IDNs arrive as xn-- labels).
_LABEL = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)", re.ASCII)
# The last label names a top-level domain, never digits only: `127.1`, `2130706433`, `0x7f.1` are
# IPv4 addresses to the resolver.
_TLD = re.compile(r"(xn--[a-z0-9-]{1,59}|[a-z]{2,63})", re.ASCII)
# Anything a parser or a reader might take differently: controls, spaces, backslashes, invisible
# and direction-changing characters. Persian text in the path is fine; the host must be ASCII.
_UNSAFE = re.compile(r"[\x00-\x20\x7f-\x9f\\\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]")
_INTERNAL_NAMES = ("localhost", "metadata.google.internal")
_INTERNAL_SUFFIXES = (".localhost", ".internal", ".local", ".localdomain", ".home.arpa")
_LOOPBACK_NAMES = ("localhost", "127.0.0.1", "[::1]", "::1")


class UnsafeUrl(ValueError):
    """The URL is not one Vafa will ever fetch or send a customer to."""


def _is_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast


def is_loopback(host: str) -> bool:
    """`localhost`, `127.0.0.1`, `::1` (bracketed or not), or any other loopback address."""
    if host in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_url(url: str, *, allow_loopback: bool = False, max_length: int = 2000) -> str:
    """`url` when it is a plain public `https` URL (loopback over http too, when allowed)."""
    if not isinstance(url, str) or not url or len(url) > max_length:
        raise UnsafeUrl(f"must be a URL of at most {max_length} characters")
    if _UNSAFE.search(url):
        raise UnsafeUrl("must not hold spaces, control or invisible characters, or backslashes")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise UnsafeUrl("is not a valid URL") from exc
    if "@" in parts.netloc or parts.username is not None or parts.password is not None:
        raise UnsafeUrl("must not carry a user name or password")
    if "%" in parts.netloc or not parts.netloc.isascii():
        raise UnsafeUrl("must spell its host in ASCII (xn-- for international names), unencoded")
    host = (parts.hostname or "").lower()
    if not host:
        raise UnsafeUrl("must name a host")
    if allow_loopback and is_loopback(host):
        if parts.scheme not in ("https", "http"):
            raise UnsafeUrl("must be an http(s) URL")
        return url
    if parts.scheme != "https":
        raise UnsafeUrl("must be an https:// URL")
    if port not in (None, 443):
        raise UnsafeUrl("must use the standard https port")
    if parts.netloc.lower().rstrip(":").removesuffix(":443") != host:
        raise UnsafeUrl("must spell its host plainly")
    labels = host.rstrip(".").split(".")
    if len(labels) < 2 or not all(_LABEL.fullmatch(label) for label in labels):
        raise UnsafeUrl("must name a public host by its domain name, not an IP address")
    if not _TLD.fullmatch(labels[-1]):
        raise UnsafeUrl("must name a public host by its domain name, not an IP address")
    name = host.rstrip(".")
    if name in _INTERNAL_NAMES or name.endswith(_INTERNAL_SUFFIXES):
        raise UnsafeUrl("must not name an internal host")
    return url


def check_url_field(url: str, allow_loopback: bool) -> str:
    """For the declared records' field checks (`vafa.records.Check`): the same rule, raised as the
    ValueError they expect."""
    try:
        return check_url(url, allow_loopback=allow_loopback)
    except UnsafeUrl as exc:
        raise ValueError(str(exc)) from None


def public_addresses(host: str, port: int = 443, *, allow_loopback: bool = False) -> list[str]:
    """Resolve `host` and refuse it unless every address it resolves to is public (or loopback, when
    allowed): a name that points inside the deployment is caught right before connecting."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise UnsafeUrl(f"host {host} does not resolve") from exc
    addresses = sorted({str(info[4][0]) for info in infos})
    for text in addresses:
        address = ipaddress.ip_address(text.split("%", 1)[0])
        if not (_is_public(address) or (allow_loopback and address.is_loopback)):
            raise UnsafeUrl(f"host {host} resolves to a non-public address")
    return addresses
