"""When a message may go: Telegram's flood limits as plain accounting over an injected clock.

Telegram answers 429 beyond about 30 messages a second for the whole bot, about one a second into
one private chat (short bursts pass) and 20 a minute into one group
(core.telegram.org/bots/faq, "My bot is hitting limits, how do I avoid this?"). `Ledger` answers
one question — from which moment may a send to this chat start — and is told when sends start and
end; the waiting itself is done by `bot.outbound`. Times are seconds on any monotonic clock.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass

Chat = int | str  # a chat id, or a public @username (groups and channels only)
FOREVER = math.inf
_PRUNE_ABOVE = 4096  # per-chat records kept before the idle ones are dropped


@dataclass(frozen=True, slots=True)
class Limits:
    per_second: int = 30  # messages of the whole bot in any sliding `period`
    period: float = 1.0
    bulk_leaves: int = 1  # places of every `period` that bulk sends leave to replies
    private_interval: float = 1.0  # sustained pace into one private chat…
    private_burst: int = 3  # …after a burst of this many
    group_limit: int = 20  # messages into one group or channel in any `group_period`
    group_period: float = 60.0


class Window:
    """At most `limit` sends in any sliding `period`, each counted from the moment its answer came
    back. The server counted the request at some moment before that, so a send that starts
    `period` after the previous one *ended* is `period` after it on the server's clock too; a
    send still in flight holds its place until it ends."""

    def __init__(self, limit: int, period: float) -> None:
        self.limit, self.period = limit, period
        self.in_flight = 0
        self._ended: deque[float] = deque()  # in order: the clock only moves forward

    def used(self, now: float) -> int:
        while self._ended and self._ended[0] <= now - self.period:
            self._ended.popleft()
        return self.in_flight + len(self._ended)

    def free_at(self, cap: int, now: float) -> float | None:
        """When fewer than `cap` places are used: `now` if they are already; None while that
        waits for a send in flight to end."""
        surplus = self.used(now) - cap  # places that must come free, minus one
        if surplus < 0:
            return now
        if surplus < len(self._ended):
            return self._ended[surplus] + self.period
        return None

    def start(self) -> None:
        self.in_flight += 1

    def end(self, now: float) -> None:
        self.in_flight -= 1
        self._ended.append(now)

    def idle(self, now: float) -> bool:
        return self.used(now) == 0


class Pace:
    """A steady `interval` between sends after a burst of `burst` (a token bucket kept as the
    theoretical arrival time of the next send, GCRA)."""

    def __init__(self, interval: float, burst: int) -> None:
        self.interval, self.tolerance = interval, (burst - 1) * interval
        self._due = -FOREVER

    def ready_at(self, now: float) -> float:
        return max(now, self._due - self.tolerance)

    def start(self, now: float) -> None:
        self._due = max(self._due, now) + self.interval

    def idle(self, now: float) -> bool:
        return self._due <= now


class Ledger:
    """The whole bot's window, each chat's pace and the holds asked for by 429s."""

    def __init__(self, limits: Limits | None = None) -> None:
        self.limits = limits = limits or Limits()
        self.overall = Window(limits.per_second, limits.period)
        self._private: dict[Chat, Pace] = {}
        self._groups: dict[Chat, Window] = {}
        self._held_until = -FOREVER  # every chat, after a bot-wide 429
        self._chat_held: dict[Chat, float] = {}
        # Bulk sends are spread evenly over the period, never in a burst: a burst would end (and
        # free its places) all together, leaving most of the next second with no place coming
        # free for a reply that finds the budget used.
        self._bulk = Pace(limits.period / (limits.per_second - limits.bulk_leaves), 1)

    def overall_at(self, bulk: bool, now: float) -> float | None:
        """When the bot-wide budget (and a bot-wide hold) lets a send start. Bulk sends leave
        `bulk_leaves` places of every period free, so that a reply never waits behind them."""
        cap = self.limits.per_second - (self.limits.bulk_leaves if bulk else 0)
        at = self.overall.free_at(cap, now)
        if at is None:
            return None
        return max(at, self._held_until, self._bulk.ready_at(now) if bulk else at)

    def chat_at(self, chat: Chat, now: float) -> float | None:
        """When this chat's own limit (and a hold on it) lets a send start."""
        held = self._chat_held.get(chat, -FOREVER)
        if is_private(chat):
            pace = self._private.get(chat)
            return max(held, pace.ready_at(now) if pace else now)
        window = self._groups.get(chat)
        at = window.free_at(window.limit, now) if window else now
        return None if at is None else max(held, at)

    def ready_at(self, chat: Chat, bulk: bool, now: float) -> float | None:
        """The earliest moment a send to `chat` may start; None while it waits for a send in
        flight to end."""
        overall, own = self.overall_at(bulk, now), self.chat_at(chat, now)
        return None if overall is None or own is None else max(overall, own)

    def start(self, chat: Chat, now: float, bulk: bool = False) -> None:
        self.overall.start()
        if bulk:
            self._bulk.start(now)
        if is_private(chat):
            pace = self._private.get(chat)
            if pace is None:
                pace = self._private[chat] = Pace(
                    self.limits.private_interval, self.limits.private_burst
                )
            pace.start(now)
        else:
            window = self._groups.get(chat)
            if window is None:
                window = self._groups[chat] = Window(
                    self.limits.group_limit, self.limits.group_period
                )
            window.start()
        if len(self._private) + len(self._groups) > _PRUNE_ABOVE:
            self._prune(now)

    def end(self, chat: Chat, now: float) -> None:
        self.overall.end(now)
        window = self._groups.get(chat)
        if window is not None:
            window.end(now)

    def held_until(self, chat: Chat | None) -> float:
        """The end of the longest hold on this chat (None: on the whole bot)."""
        own = -FOREVER if chat is None else self._chat_held.get(chat, -FOREVER)
        return max(self._held_until, own)

    def hold(self, chat: Chat | None, until: float) -> None:
        """No send starts before `until`: to this chat, or to any chat (None)."""
        if chat is None:
            self._held_until = max(self._held_until, until)
        else:
            self._chat_held[chat] = max(self._chat_held.get(chat, -FOREVER), until)

    def _prune(self, now: float) -> None:
        """Forget chats whose limits no longer hold anything back."""
        self._private = {c: p for c, p in self._private.items() if not p.idle(now)}
        self._groups = {c: w for c, w in self._groups.items() if not w.idle(now)}
        self._chat_held = {c: t for c, t in self._chat_held.items() if t > now}


def is_private(chat: Chat) -> bool:
    """Private chats have positive ids; groups, supergroups and channels negative ids or a
    public @username."""
    return isinstance(chat, int) and chat > 0
