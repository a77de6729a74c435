"""One TLS context for every HTTP client the bot opens (bot.api_client's two, the poller's):
each client would otherwise read the CA bundle again, a good part of a start. Made only when an
https address is first used: a bot on a local Bot API server over http never reads the bundle."""

from __future__ import annotations

import ssl
import sys
from functools import cache

import httpx


@cache
def tls_context() -> ssl.SSLContext:
    """httpx's own default (certifi's bundle, or SSL_CERT_FILE / SSL_CERT_DIR), made once."""
    return httpx.create_ssl_context()


def tls_for(url: str) -> ssl.SSLContext | bool:
    """The context for a request to `url`: ours for https; for plain http aiohttp's default
    (True), which it never uses there."""
    return tls_context() if url.lower().startswith("https:") else True


def import_aiohttp() -> None:
    """Import aiohttp (once) without the system's CA bundle in the two default TLS contexts it
    makes at import (aio-libs/aiohttp#9029): ~40 ms of a start, for contexts the bot never uses,
    since every request it makes over https names its own (`tls_for`). Without certificates the
    verifying one still requires them, so a request that used it would fail, not go unchecked."""
    if "aiohttp" in sys.modules:
        return
    load = ssl.SSLContext.set_default_verify_paths
    ssl.SSLContext.set_default_verify_paths = _no_default_paths  # type: ignore[method-assign,assignment]
    try:
        import aiohttp  # noqa: F401 - imported for its side effect: see above
    finally:
        ssl.SSLContext.set_default_verify_paths = load  # type: ignore[method-assign]


def _no_default_paths(context: ssl.SSLContext) -> None:
    """In place of SSLContext.set_default_verify_paths while aiohttp is imported."""
