"""Fuzzing the bot: random commands, arguments, free text, files and button data from every kind
of person, in private chats and a group, through the real Application and the local Bot API
server. Shared by tests/test_fuzz.py (a few hundred examples in CI) and bench/fuzz.py (10,000).

Each update is handed to `Application.process_update` (no polling, no rate limiter: this is about
what the handlers do, not about pacing), and what followed is checked: no exception reached the
error handler, no "something went wrong" reply, no text over Telegram's limits, every button
press answered, and nothing written to the protected tables by an update that was refused."""

from __future__ import annotations

import logging
import sqlite3
import traceback
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from typing import Any

from hypothesis import strategies as st
from sqlalchemy import text
from sqlalchemy.engine import make_url
from telegram import Update
from telegram.ext import Application

from bot.app import COMMANDS, build_application
from bot.settings import Settings
from domain.status import UserRole
from handlers import request as request_module
from handlers.context import AWAITING, Context
from locales import LANGUAGES, read_catalog
from parsing.intents import Update as UpdateIntent
from services.container import Services
from services.evidence import FileInfo
from services.identity import Caller
from storage.db import make_engine
from tests.botapi import ANSWER_LIMIT, TEXT_LIMIT, TOKEN, FakeBotApi
from tests.legacy import store_long_texts

JSON = dict[str, Any]
ADMIN, STRANGER, FOCAL, LEADER = 1, 5001, 5002, 5003  # ADMIN is in the test settings' ADMIN_IDS
ROLES = {"administrator": ADMIN, "stranger": STRANGER, "focal point": FOCAL, "leader": LEADER}
GROUP = -1001234567890
BOT = "TroLyDtiBot"
INTERNAL_ERRORS = tuple(read_catalog(lang)["error.internal"] for lang in LANGUAGES)
CAPTION_LIMIT = 1024
# What each protected table may hold; an update that was refused must leave every count as it was.
PROTECTED = {
    "submissions": "SELECT count(*) FROM submissions",
    "reviews": "SELECT count(*) FROM reviews",
    "evidence": "SELECT count(*) FROM evidence",
    "explanations": "SELECT count(*) FROM explanations",
    "deadline changes": "SELECT count(*) FROM deadline_changes",
    "rankings": "SELECT count(*) FROM rankings",
    "summaries": "SELECT count(*) FROM digests WHERE active",
    "focal points": "SELECT count(*) FROM user_agencies",
    "leaders' groups": "SELECT count(*) FROM chats WHERE is_leaders_group",
    "usable invites": "SELECT count(*) FROM invites WHERE revoked_at IS NULL",
    "granted roles": "SELECT count(*) FROM users WHERE role <> 'member'",
}

# All the counts in one statement: one round trip to the database before each update, not eleven.
COUNTS = "SELECT " + ", ".join(f"({query})" for query in PROTECTED.values())

RESET_ROLES = (
    "UPDATE users SET role = CASE WHEN telegram_id = :leader THEN 'leader' ELSE 'member' END"
    " WHERE telegram_id IN (:stranger, :focal, :leader)"
)

# ------------------------------------------------------------------ what is typed
# Tokens people type, and tokens that broke the bot before: digits that are not ASCII, ids past
# 64 bits, years out of any window, period codes of year 0, NUL, codes that do not exist.
TOKENS = [
    "8.2", "1.1", "6.6", "3.3", "2.10", "99.99", "0.0", "8", "8,2", "12,5", "12,5%", "100%",
    "1.082.862", "-5", "có", "không", "chưa đạt", "quý 4", "quý 5", "Q3/2025", "2025-Q4",
    "0-Q1", "2025", "9999", "0000", "năm 25", "15/12/2025", "31/12/9999", "01/01/0001",
    "31/02/2025", "2025-12-15", "quarterly:2025-Q4", "yearly:2025", "custom:1", "SKHCN", "STC",
    "Sở KH&CN", "admin", "leader", "member", "#1", "#2", "1", "2", "3", "7", "30", "90", "91",
    "0", "²", "٣", "३", "１２", "99999999999999999999", "9223372036854775808", "2147483648",
    "15/34", "0/0", "34/15", "0,6123", "tuan", "tháng", "t2", "chủ nhật", "08:00", "24:00",
    "tat", "vi", "en", "fr", "lich su", "tổng điểm", "\x00", "ABC\x00DEF", "ABCD2345", "😀",
    "<b>", "&amp;", "@TroLyDtiBot", "@OtherBot", "/diem", "\n", "  ",
]  # fmt: skip
PHRASES = [
    "cập nhật 8.2 = 12,5%", "8.2: 12,5% quý 3 theo số liệu Sở", "8.2 = ", "8.2: có",
    "cập nhật 12,5", "update 6.6 to 80", "điểm 8.2", "tổng điểm DTI", "điểm Hạ tầng số",
    "điểm 8.2 tạm tính", "nếu 8.2 đạt 50%", "nếu 8.2 đạt 99999999999999999999",
    "còn thiếu bao nhiêu để đạt 200", "còn thiếu bao nhiêu để đạt 9999", "ai chủ trì 8.2",
    "Sở KH&CN chủ trì những chỉ số nào", "chưa báo cáo", "so với quý trước 8.2", "xếp hạng",
    "tóm tắt", "chỉ số yếu nhất", "giả sử 1.1 là có", "quý vị", "8.2² = 5", "٨.٢: ١٢",
    "nếu 8.2 đạt 40% và 6.6 được 30 điểm thì tổng bao nhiêu", "8.2 = 30% thì tổng điểm bao nhiêu",
    "năm 2025 còn thiếu bao nhiêu điểm để đạt 800", "điểm DTI của Đà Nẵng", "hello",
    "hạ tầng số đang mất bao nhiêu điểm", "nên ưu tiên cải thiện chỉ số nào", "3.9",
    "chỉ tiêu đề án Ninh Thuận", "tỷ lệ hộ gia đình có cáp quang Ninh Thuận 2023",
    "biểu đồ lịch sử 8.2", "xuất excel", "hạn báo cáo", "việc của tôi", "cập nhật 3.9 = 5",
]  # fmt: skip
# Button data the bot makes, and prefixes with nothing (or anything) after them.
CALLBACK_PREFIXES = [
    "ask:", "ask:s|", "ask:u|8.2|", "ask:w|8.2=", "ask:h|s", "ask:c|history|",
    "upd:ok:", "upd:no:", "upd:ask:", "upd:", "rv:ok:", "rv:ret:", "rv:next:", "rv:",
    "ev:", "ev:p:", "my:", "bc:ok:", "bc:no:", "imp:ok:", "imp:no:", "", "diem", "x:",
]  # fmt: skip
# "Did you mean …?" buttons as the bot makes them (parsing.intent_codes), and near misses.
CANDIDATE_DATA = [
    "ask:s|t|||", "ask:s|p3|1||", "ask:s|s9.9|||", "ask:s|s1.3||ninh-thuan-2314|2023",
    "ask:s|t||no-such-framework|", "ask:u|8.2|12,5%||", "ask:u|3.9|5||", "ask:u|8.2|-3||",
    "ask:w|8.2=40%;6.6=30!", "ask:w|9.9=1", "ask:w|6.6=999!", "ask:k|3|p3", "ask:k||p9",
    "ask:g|800|", "ask:g|0.1|2025", "ask:h|p3|", "ask:h|s9.9|", "ask:a|SNV", "ask:a|XYZ",
    "ask:n|2025-Q4|8.2|SNV", "ask:n|0-Q1||", "ask:r|p3", "ask:x|2024", "ask:c|pillars|",
    "ask:c|history|p3", "ask:c|history|s8.2", "ask:m", "ask:e", "ask:d", "ask:y", "ask:?",
]  # fmt: skip

# Arguments each command takes when typed right (from its usage line); the fuzzer mutates them.
SHAPES: dict[str, list[str]] = {
    "start": ["ABCD2345"], "help": [""], "diem": ["8.2", "tổng điểm", "Hạ tầng số"],
    "capnhat": ["8.2 12,5%", "8.2 12,5 quý 3 theo báo cáo", "1.1 có"], "chiso": [""],
    "lichsu": ["8.2", "8.2 #1"], "minhchung": ["8.2"], "giaitrinh": ["8.2 Hệ thống lỗi"],
    "duyet": [""], "tralai": ["1 Thiếu minh chứng", "#1 Sai số liệu"],
    "moi": ["SKHCN", "SKHCN 2", "SKHCN 2 30"], "thuhoi": ["ABCD2345"],
    "capquyen": ["5001 leader", "5003 member"], "hanchot": [""],
    "themhan": ["15/12/2025 quý 4 Báo cáo bổ sung", "15/12/2025 2025-Q4 Họp"],
    "doihan": ["quarterly:2025-Q4 27/12/2025"], "huyhan": ["quarterly:2025-Q4"],
    "tamdung": ["", "30"], "tieptuc": [""], "nhacnho": ["", "18/12/2025"],
    "nhomlanhdao": ["", "tat"], "tomtat": [""], "yeu": [""], "thieu": ["200"],
    "neu": ["8.2 đạt 50%", "1.1 có"], "chutri": ["8.2"], "cua": ["SKHCN"],
    "chuabaocao": [""], "xuhuong": ["8.2", "tổng điểm"], "xephang": ["", "2025 15/34 0,6123"],
    "ngonngu": ["en", "vi"], "bieudo": ["", "8.2", "lich su"], "xuatexcel": [""],
    "dangkytomtat": ["tuan t2 08:00", "thang 1 07:30", "tat"], "bochiso": ["", "1", "2"],
    "coquan": [
        "", "them XTEST commune Phường Thử", "doiten STC Sở Tài chính mới", "bidanh STC Sở TC",
        "xoabidanh STC Sở TC",
    ],
    "phancong": ["8.2 SNV phoihop", "1.1 SKHCN chutri"], "bophancong": ["8.2 SNV phoihop"],
    "thongbao": ["daumoi Hạn báo cáo quý 4 là 25/12", "SKHCN Nhắc nộp số liệu"],
}  # fmt: skip
_unicode = st.characters(blacklist_categories=["Cs"])
# The tokens that broke the bot before, drawn more often than the rest.
NASTY = [
    "²", "٣", "１２", "99999999999999999999", "9223372036854775808", "2147483648", "0-Q1",
    "0000", "9999", "31/12/9999", "01/01/0001", "\x00", "ABC\x00DEF", "-1", "0",
]  # fmt: skip
token = st.one_of(
    st.sampled_from(NASTY),
    st.sampled_from(NASTY),
    st.sampled_from(TOKENS),
    st.integers(-(10**22), 10**22).map(str),
    st.text(_unicode, min_size=1, max_size=12),
)
long_text = st.text(_unicode, min_size=300, max_size=4000)


# The strategies the composite ones below draw from, made once: made again at every draw (several
# an update), working out each new strategy's properties took a good part of hypothesis' time.
# The same strategies draw the same examples.
_CHANGES = st.integers(0, 3)
_CHANGE = st.sampled_from(["replace", "insert", "drop", "long"])


@st.composite
def mutated(draw: st.DrawFn, words: list[str]) -> str:
    """`words` with up to three changes: a word replaced, inserted or dropped, or a long text
    added (a note of thousands of characters)."""
    words = list(words)
    for _ in range(draw(_CHANGES)):
        change = draw(_CHANGE)
        at = draw(st.integers(0, len(words)))
        if change == "replace" and words:
            words[min(at, len(words) - 1)] = draw(token)
        elif change == "insert":
            words.insert(at, draw(token))
        elif change == "drop" and words:
            del words[min(at, len(words) - 1)]
        elif change == "long":
            words.append(draw(long_text))
    return " ".join(words)


arguments = st.one_of(
    st.lists(token, max_size=5).map(" ".join),
    st.tuples(st.lists(token, max_size=2).map(" ".join), long_text).map(" ".join),
)
free_text = st.one_of(
    st.sampled_from(PHRASES).flatmap(lambda phrase: mutated(phrase.split())),
    arguments,
    st.text(_unicode, max_size=200),
)


_NAME = st.sampled_from(sorted(COMMANDS))
_ALIAS = {name: st.sampled_from(aliases) for name, aliases in COMMANDS.items()}
_ADDRESSEE = st.sampled_from(["", "", "", f"@{BOT}", "@OtherBot"])
_OWN_ARGUMENTS = st.integers(0, 4)
_SHAPE = {name: st.sampled_from(shapes) for name, shapes in SHAPES.items()}


@st.composite
def command(draw: st.DrawFn) -> str:
    name = draw(_NAME)
    alias = draw(_ALIAS[name])
    addressee = draw(_ADDRESSEE)
    own = draw(_OWN_ARGUMENTS)  # mostly the command's own arguments, changed a little
    args = draw(mutated(draw(_SHAPE[name]).split())) if own else draw(arguments)
    return f"/{alias}{addressee} {args}".rstrip()


callback_data = st.one_of(
    st.tuples(
        st.sampled_from(CALLBACK_PREFIXES),
        st.one_of(token, st.sampled_from(["1", "2", "3", "4", "5", "0", "8.2", "1.1", "-1"])),
    ).map(lambda parts: _fit_data(parts[0] + parts[1])),
    st.sampled_from(CANDIDATE_DATA),
)


def _fit_data(data: str) -> str:
    """Button data as Telegram carries it: 1 to 64 bytes."""
    encoded = data.encode("utf-8")[:64].decode("utf-8", "ignore")
    return encoded or "x"


@dataclass(frozen=True)
class Step:
    """One update: who sends it, where, and what."""

    role: str
    where: str  # "private" | "group"
    kind: str  # "command" | "text" | "button" | "file"
    payload: str
    language: str = "vi"
    to_bot: bool = False  # in a group: the text mentions the bot or replies to it

    def describe(self) -> str:
        return (
            f"{self.role} in {self.where} ({self.language}) {self.kind}: {self.payload[:300]!r}"
            + (" [to the bot]" if self.to_bot else "")
        )


_KIND = st.sampled_from(["command", "command", "text", "button", "file"])
_PAYLOAD = {
    "command": command(),
    "text": free_text,
    "button": callback_data,
    "file": st.text(_unicode, max_size=60),
}
_ROLE = st.sampled_from(sorted(ROLES))
_WHERE = st.sampled_from(["private", "private", "group"])
_LANGUAGE = st.sampled_from(["vi", "vi", "en"])


@st.composite
def steps(draw: st.DrawFn) -> Step:
    kind = draw(_KIND)
    payload = _PAYLOAD[kind]
    return Step(
        role=draw(_ROLE),
        where=draw(_WHERE),
        kind=kind,
        payload=draw(payload)[:TEXT_LIMIT],
        language=draw(_LANGUAGE),
        to_bot=draw(st.booleans()),
    )


# A few updates in a row from whoever: a button pressed, then the text it asked for.
scenarios = st.lists(steps(), min_size=1, max_size=4)


# ------------------------------------------------------------------ playing them
@dataclass
class Tally:
    """What the fuzzing found; every list must stay empty."""

    updates: int = 0
    refused: int = 0
    tracebacks: list[str] = field(default_factory=list)
    internal_error_replies: list[str] = field(default_factory=list)
    over_limit: list[str] = field(default_factory=list)
    unanswered: list[str] = field(default_factory=list)
    refused_writes: list[str] = field(default_factory=list)

    def problems(self) -> list[str]:
        return [
            *self.tracebacks,
            *self.internal_error_replies,
            *self.over_limit,
            *self.unanswered,
            *self.refused_writes,
        ]


class Fuzzer:
    """Plays steps against a running Application and checks what followed each one."""

    def __init__(
        self,
        api: FakeBotApi,
        app: Application,
        database_url: str,  # type: ignore[type-arg]
    ) -> None:
        self.api, self.app = api, app
        self.engine = make_engine(database_url)
        # On a SQLite file the counts are read on a connection of their own in this thread: a
        # read of what is committed, as on the engine, without the trips to aiosqlite's thread
        # and the pool (a tenth of the fuzz test's CPU, read before every update).
        url = make_url(database_url)
        self._file: sqlite3.Connection | None = None
        if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
            self._file = sqlite3.connect(url.database or "", timeout=30, isolation_level=None)
        self.tally = Tally()
        self._errors: list[BaseException] = []
        self._refused = False
        app.add_error_handler(self._record_error)

    async def _record_error(self, update: object, context: Context) -> None:
        if context.error is not None:
            self._errors.append(context.error)

    async def prepare(self, services: Services) -> None:
        """A focal point of Sở KH&CN and the provincial office with values waiting for review,
        an evidence file and texts longer than today's limits (old data), and a leader; the
        administrator is in ADMIN_IDS."""
        identity = services.identity
        admin = await identity.person(Caller(ADMIN, "Quản trị"))
        for agency in ("SKHCN", "VPUBND"):  # 43 and 27 sub-indices: /chiso over one message
            invite = await identity.create_invite(admin, agency, max_uses=1, days=30)
            await identity.redeem(Caller(FOCAL, "Hoa"), invite.code)
        await identity.person(Caller(LEADER, "Lãnh đạo"))
        await identity.grant(admin, LEADER, UserRole.LEADER)
        focal = await identity.person(Caller(FOCAL, "Hoa"))
        preview = await services.updates.preview(
            focal, UpdateIntent("8.2", "12,5%", None, "theo báo cáo quý"), FOCAL
        )
        await services.updates.confirm(focal, preview.draft_id)
        upload = self.api.private_document("bao-cao.pdf", user_id=FOCAL)["message"]["document"]
        info = FileInfo(
            upload["file_id"], upload["file_unique_id"], "bao-cao.pdf", "application/pdf",
            "document", upload["file_size"],
        )  # fmt: skip
        await services.evidence.attach(focal, "8.2", None, info, FOCAL)
        await store_long_texts(services, focal, admin)  # as an earlier version left them

    async def close(self) -> None:
        if self._file is not None:
            self._file.close()
        await self.engine.dispose()

    @contextmanager
    def watching_refusals(self) -> Iterator[None]:
        """Notice when a handler refuses (handlers.request renders every Refusal there)."""
        original = request_module.Request.refuse

        async def refuse(request: request_module.Request, refusal: Any) -> None:
            self._refused = True
            await original(request, refusal)

        request_module.Request.refuse = refuse  # type: ignore[method-assign]
        try:
            yield
        finally:
            request_module.Request.refuse = original  # type: ignore[method-assign]

    async def play(self, scenario: list[Step]) -> list[str]:
        """Play the steps in order; the problems found (empty when all went well)."""
        for data in self.app.user_data.values():
            data.pop(AWAITING, None)  # nothing awaited from an earlier scenario
        async with self.engine.begin() as conn:  # each keeps their role (/capquyen may change it)
            await conn.execute(
                text(RESET_ROLES), {"stranger": STRANGER, "focal": FOCAL, "leader": LEADER}
            )
        before = len(self.tally.problems())
        for step in scenario:
            await self.step(step)
        return self.tally.problems()[before:]

    async def step(self, step: Step) -> None:
        user_id = ROLES[step.role]
        update = self._update(step, user_id)
        calls, self._errors, self._refused = len(self.api.calls), [], False
        counts = await self._counts()
        await self.app.process_update(Update.de_json(update, self.app.bot))
        self.tally.updates += 1
        what = step.describe()
        for error in self._errors:
            trace = "".join(traceback.format_exception(error))
            self.tally.tracebacks.append(f"{what}\n{trace}")
        for call in self.api.calls[calls:]:
            self._check_call(what, call.method, call.params, call.status)
        query = update.get("callback_query")
        if query is not None and not self.api.answered(query["id"]):
            self.tally.unanswered.append(f"{what}: the button press was never answered")
        if self._refused:
            self.tally.refused += 1
            after = await self._counts()
            changed = {k: (counts[k], after[k]) for k in counts if counts[k] != after[k]}
            if changed:
                self.tally.refused_writes.append(f"{what}: refused, yet wrote {changed}")

    def _check_call(self, what: str, method: str, params: JSON, status: int) -> None:
        body = str(params.get("text") or "")
        caption = str(params.get("caption") or "")
        if method in ("sendMessage", "editMessageText"):
            if len(body) > TEXT_LIMIT:
                self.tally.over_limit.append(f"{what}: {method} of {len(body)} characters")
            if any(body.startswith(e) for e in INTERNAL_ERRORS):
                self.tally.internal_error_replies.append(f"{what}: answered {body!r}")
        if method == "answerCallbackQuery":
            if len(body) > ANSWER_LIMIT:
                self.tally.over_limit.append(f"{what}: button answer of {len(body)} characters")
            if any(body.startswith(e) for e in INTERNAL_ERRORS):
                self.tally.internal_error_replies.append(f"{what}: answered {body!r}")
        if len(caption) > CAPTION_LIMIT:
            self.tally.over_limit.append(f"{what}: caption of {len(caption)} characters")
        if status == 400:
            self.tally.over_limit.append(f"{what}: {method} refused by Telegram: {params}"[:600])

    def _update(self, step: Step, user_id: int) -> JSON:
        name = {ADMIN: "Quản trị", STRANGER: "Khách", FOCAL: "Hoa", LEADER: "Lãnh đạo"}[user_id]
        who = {"user_id": user_id, "first_name": name, "language_code": step.language}
        if step.kind == "button":
            chat = user_id if step.where == "private" else GROUP
            menu = self.api.bot_message(chat, "Chọn một nút")
            return self.api.callback_query(step.payload, message=menu, **who)
        if step.kind == "file":
            # Files are read in private chats only; a caption names the sub-index.
            return self.api.private_document(
                f"{step.payload[:40] or 'tep'}.pdf", caption=step.payload or None, **who
            )
        if step.where == "private":
            return self.api.private_text(step.payload, **who)
        said = step.payload
        if step.kind == "text" and step.to_bot:
            said = f"@{BOT} {said}"[:TEXT_LIMIT]
        return self.api.group_text(
            said, chat_id=GROUP, reply_to_bot=step.kind == "text" and not step.to_bot, **who
        )

    async def _counts(self) -> dict[str, int]:
        if self._file is not None:
            row = self._file.execute(COUNTS).fetchone()
        else:
            async with self.engine.connect() as conn:
                row = (await conn.execute(text(COUNTS))).one()
        return {name: int(count or 0) for name, count in zip(PROTECTED, row, strict=True)}


@asynccontextmanager
async def fuzzed_bot(
    api: FakeBotApi, settings: Settings, services: Services
) -> AsyncIterator[Fuzzer]:
    """The real Application, driven update by update, with a prepared cast of people."""
    local = settings.model_copy(
        update={"bot_api_base_url": api.base_url, "bot_api_file_url": api.base_file_url}
    )
    app = build_application(local, services, token=TOKEN, rate_limited=False)
    # The handlers log every error they report; the fuzzer reports them itself.
    logging.getLogger("handlers.basics").setLevel(logging.CRITICAL)
    async with app:
        fuzzer = Fuzzer(api, app, local.database_url)
        try:
            await fuzzer.prepare(services)
            with fuzzer.watching_refusals():
                yield fuzzer
        finally:
            await fuzzer.close()
