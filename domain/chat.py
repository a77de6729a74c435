"""Where a message goes: a chat, and the forum topic in it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Destination:
    """A chat and, in a supergroup with topics, the topic (`message_thread_id`) in it; None is
    the General topic, or a chat without topics."""

    chat_id: int
    thread_id: int | None = None
