"""One TLS context for every HTTP client the bot opens (bot.api_client's two, the poller's):
each client would otherwise read the CA bundle again, a good part of a start."""

from __future__ import annotations

import ssl
from functools import cache

import httpx


@cache
def tls_context() -> ssl.SSLContext:
    """httpx's own default (certifi's bundle, or SSL_CERT_FILE / SSL_CERT_DIR), made once."""
    return httpx.create_ssl_context()
