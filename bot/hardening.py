"""What every response of the server gets, whatever made it, and who the client is.

- Security headers on every response, the 500 page and aiohttp's own error pages included
  (an on_response_prepare signal runs after the handler and the error handling), and a
  `Server` header without versions (ASVS 5.0 V13.4).
- Behind an HTTPS proxy (COMPLAINTS_HTTPS=yes or an https:// COMPLAINTS_PUBLIC_URL), requests
  count as secure, so cookies get `Secure`, and responses carry HSTS (V3.4, V12.1).
- X-Forwarded-For and X-Forwarded-Proto are believed only from COMPLAINTS_TRUSTED_PROXIES;
  from anyone else they are ignored, so a client cannot choose the address that the login
  and complaint limits count.
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Awaitable, Callable
from functools import cache

from aiohttp import web

from bot.keys import STORAGE

log = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

SERVER = "complaints"
HSTS = "max-age=31536000; includeSubDomains"
# The floor for every response; pages set their own stricter or looser ones first.
FLOOR = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'; base-uri 'none'",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}


@cache
def _networks(
    proxies: tuple[str, ...],
) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(p, strict=False) for p in proxies)


def _trusted(address: str | None, proxies: tuple[str, ...]) -> bool:
    if not address or not proxies:
        return False
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in _networks(proxies))


def client_address(request: web.Request, proxies: tuple[str, ...]) -> str | None:
    """The first address in X-Forwarded-For, from the right, that is not a trusted proxy."""
    if not _trusted(request.remote, proxies):
        return request.remote
    hops = [h.strip() for h in request.headers.get("X-Forwarded-For", "").split(",") if h.strip()]
    for hop in reversed(hops):
        if not _trusted(hop, proxies):
            return hop
    return request.remote


@web.middleware
async def proxy_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    settings = request.app[STORAGE].settings
    changes: dict[str, str] = {}
    if _trusted(request.remote, settings.trusted_proxies):
        remote = client_address(request, settings.trusted_proxies)
        if remote and remote != request.remote:
            changes["remote"] = remote
        proto = request.headers.get("X-Forwarded-Proto", "").split(",")[0].strip().lower()
        if proto in ("http", "https"):
            changes["scheme"] = proto
    if settings.secure_only:
        changes["scheme"] = "https"
    if changes:
        request = request.clone(**changes)  # type: ignore[arg-type]
    return await handler(request)


async def on_prepare(request: web.Request, response: web.StreamResponse) -> None:
    """Runs for every response just before its headers are sent."""
    response.headers["Server"] = SERVER
    for name, value in FLOOR.items():
        response.headers.setdefault(name, value)
    storage = request.app.get(STORAGE)
    if request.secure or (storage is not None and storage.settings.secure_only):
        response.headers.setdefault("Strict-Transport-Security", HSTS)


def install(app: web.Application) -> None:
    """Put both in front of everything else of the app."""
    app.middlewares.insert(0, proxy_middleware)
    app.on_response_prepare.append(on_prepare)
