"""Evidence files: a document or photo whose caption names a sub-index, downloaded into the
evidence archive as it arrives; /minhchung lists them, newest first, a page at a time, and sends
them back, from the archive when Telegram's file id no longer works (another bot token, or an
expired id)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Message
from telegram.error import BadRequest, TelegramError

from domain.messages import truncate
from handlers.paging import paged
from handlers.request import ANYONE, FOCAL_POINT, Request, handles, sub_index_argument
from handlers.views import period_label, short_name
from locales import Text
from parsing.arguments import clean, natural, row_id
from parsing.captions import read_caption
from scoring.model import SubIndex
from services.refusal import Refusal

if TYPE_CHECKING:
    from services.evidence import EvidenceFile, FileInfo

PREFIX = "ev:"  # ev:<id> sends a file back; ev:p:<code>:<page> shows another page of the list
PAGE = f"{PREFIX}p:"
PAGE_SIZE = 8
NAME_LIMIT, TYPE_LIMIT = 255, 128  # the columns' sizes (PostgreSQL refuses longer values)
log = logging.getLogger(__name__)


def file_info(message: Message | None) -> FileInfo | None:
    from services.evidence import FileInfo  # with the first file: see services.container

    if message is None:
        return None
    if message.document is not None:
        d = message.document
        return FileInfo(
            d.file_id,
            d.file_unique_id,
            truncate(clean(d.file_name or ""), NAME_LIMIT),
            clean(d.mime_type or "")[:TYPE_LIMIT],
            "document",
            d.file_size or 0,
        )
    if message.photo:
        p = message.photo[-1]  # the largest size
        return FileInfo(
            p.file_id,
            p.file_unique_id,
            f"photo-{p.file_unique_id}.jpg",
            "image/jpeg",
            "photo",
            p.file_size or 0,
        )
    return None


@handles(ANYONE)
async def file_received(request: Request) -> None:
    """A document or photo (private chats only): evidence when the caption names a sub-index."""
    info = file_info(request.message)
    if info is None:
        return
    t, svc = request.t, request.services
    caption = read_caption(request.caption, await svc.scores.lexicon(), svc.calendar.today())
    if caption.code is None:
        await request.reply(t("evidence.no_caption"))
        return
    if caption.bad_period:
        await request.reply(t("syntax.bad_period", code=caption.code))
        return
    person = await request.person()
    attached = await svc.evidence.attach(
        person,
        caption.code,
        caption.period,
        info,
        request.destination.chat_id,
        fetch=lambda: download(request.context.bot, info.file_id),
    )
    await request.reply(
        t(
            "evidence.saved",
            name=info.file_name,
            code=attached.code,
            period=period_label(t, attached.period),
            count=attached.count,
        )
    )


@handles(FOCAL_POINT)
async def evidence_command(request: Request) -> None:
    """/minhchung 8.2: the evidence of a sub-index, each file a button that sends it back."""
    sub = await sub_index_argument(request, "evidence.usage")
    files = await request.services.evidence.files(sub.code)
    if not files:
        await request.reply(request.t("evidence.none", code=sub.code))
        return
    await request.reply(*_page(request.t, sub, files, 0))


@handles(FOCAL_POINT)
async def evidence_button(request: Request) -> None:
    """Send one evidence file back: by the file id Telegram gave it, else from the archive.
    ◀ ▶ under the list show another page of it."""
    if request.data.startswith(PAGE):
        await _turn_page(request)
        return
    evidence = request.services.evidence
    wanted = row_id(request.data.removeprefix(PREFIX))
    row = await evidence.file(wanted) if wanted is not None else None
    if row is None:
        raise Refusal("evidence.gone")
    try:
        await _send(request, row.kind, row.file_id, row.file_name)
    except BadRequest as exc:  # "wrong file identifier": another bot token, or expired
        data = await evidence.archived(row)
        if data is None:
            log.warning(
                "evidence %s: the file id failed (%s) and no copy is archived", row.id, exc
            )
            raise Refusal("evidence.unavailable", name=row.file_name) from None
        log.info("evidence %s: the file id failed (%s); sent from the archive", row.id, exc)
        await _send(request, row.kind, InputFile(data, filename=row.file_name), row.file_name)
    await request.answer()


async def _send(request: Request, kind: str, file: InputFile | str, name: str) -> None:
    if kind == "photo":
        await request.reply_photo(file, caption=name)
    else:
        await request.reply_document(file, caption=name)


async def _turn_page(request: Request) -> None:
    code, _, number = request.data.removeprefix(PAGE).rpartition(":")
    framework, _ = await request.reference()
    sub, page = framework.sub_index(code), natural(number, 0, 10_000)
    files = await request.services.evidence.files(sub.code) if sub is not None else []
    if sub is None or page is None or not files:
        raise Refusal("evidence.gone")
    await request.edit(*_page(request.t, sub, files, page))  # then the spinner stops


def _page(
    t: Text, sub: SubIndex, files: list[EvidenceFile], wanted: int
) -> tuple[str, InlineKeyboardMarkup | None]:
    """One page of a sub-index's evidence, newest first: a line and a button for each file."""
    newest = list(reversed(files))
    buttons = [
        InlineKeyboardButton(
            f"📎 {n}. {short_name(row.file_name, 30)}", callback_data=f"{PREFIX}{row.id}"
        )
        for n, row in enumerate(newest, 1)
    ]
    page, markup = paged(
        buttons, wanted, lambda p: f"{PAGE}{sub.code}:{p}", size=PAGE_SIZE, per_row=1
    )
    lines = [t("evidence.head", code=sub.code, name=short_name(sub.name, 60), count=len(files))]
    for n, row in enumerate(newest[page.start : page.end], page.start + 1):
        lines.append(
            t("evidence.line", n=n, name=row.file_name, period=period_label(t, row.period))
        )
    return "\n".join(lines), markup


async def download(bot: Bot, file_id: str) -> bytes | None:
    """A file's bytes from Telegram; None (logged) when Telegram does not give them."""
    try:
        file = await bot.get_file(file_id)
        return bytes(await file.download_as_bytearray())
    except TelegramError as exc:
        log.warning("evidence file could not be downloaded for the archive: %s", exc)
        return None
