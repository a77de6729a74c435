"""The one way a service (or the request path) says no: a catalog message id and what fills it
in. handlers.request renders it, once, for every handler: an alert under a pressed button, a
reply to a message. Every refusal's text says what to type instead."""

from __future__ import annotations

from typing import Any


class Refusal(Exception):
    """Something the user must fix or cannot do; `message` is its id in the catalogs."""

    def __init__(self, message: str, **params: Any) -> None:
        super().__init__(message)
        self.message = message
        self.params = params

    def __repr__(self) -> str:
        return f"Refusal({self.message!r}, {self.params!r})"
