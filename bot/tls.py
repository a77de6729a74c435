"""One TLS context for every HTTP client the bot opens (bot.api_client's two, the poller's):
each client would otherwise read the CA bundle again, a good part of a start. Made only when an
https address is first used: a bot on a local Bot API server over http never reads the bundle."""

from __future__ import annotations

import ssl
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
