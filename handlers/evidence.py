"""Evidence files: a document or photo whose caption names a sub-index, downloaded into the
evidence archive as it arrives; /minhchung lists them and sends them back, from the archive
when Telegram's file id no longer works (another bot token, or an expired id)."""

from __future__ import annotations

import logging
import re

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Message
from telegram.error import BadRequest, TelegramError

from handlers.request import ANYONE, FOCAL_POINT, Request, handles, sub_index_argument
from handlers.views import period_label, short_name
from parsing.period_text import PeriodTextError, find_period
from services.evidence import FileInfo
from services.refusal import Refusal

PREFIX = "ev:"
log = logging.getLogger(__name__)
CODE = re.compile(r"(?<![\d.,])(\d{1,2}\.\d{1,2})(?![\d.,])")


def file_info(message: Message | None) -> FileInfo | None:
    if message is None:
        return None
    if message.document is not None:
        d = message.document
        return FileInfo(
            d.file_id,
            d.file_unique_id,
            d.file_name or "",
            d.mime_type or "",
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
    caption = (request.message.caption if request.message else None) or ""
    found = CODE.search(caption)
    if found is None:
        await request.reply(t("evidence.no_caption"))
        return
    try:
        period, _ = find_period(caption, svc.calendar.today())
    except PeriodTextError:
        await request.reply(t("syntax.bad_period", code=found.group(1)))
        return
    person = await request.person()
    attached = await svc.evidence.attach(
        person,
        found.group(1),
        period,
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
    t = request.t
    sub = await sub_index_argument(request, "evidence.usage")
    files = await request.services.evidence.files(sub.code)
    if not files:
        await request.reply(t("evidence.none", code=sub.code))
        return
    lines = [t("evidence.head", code=sub.code, name=short_name(sub.name, 60), count=len(files))]
    buttons = []
    for n, row in enumerate(files[-10:], 1):
        lines.append(
            t("evidence.line", n=n, name=row.file_name, period=period_label(t, row.period))
        )
        buttons.append(
            [
                InlineKeyboardButton(
                    f"📎 {n}. {short_name(row.file_name, 30)}", callback_data=f"{PREFIX}{row.id}"
                )
            ]
        )
    await request.reply("\n".join(lines), InlineKeyboardMarkup(buttons))


@handles(FOCAL_POINT)
async def evidence_button(request: Request) -> None:
    """Send one evidence file back: by the file id Telegram gave it, else from the archive."""
    evidence = request.services.evidence
    arg = request.data.removeprefix(PREFIX)
    row = await evidence.file(int(arg)) if arg.isdigit() else None
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


async def download(bot: Bot, file_id: str) -> bytes | None:
    """A file's bytes from Telegram; None (logged) when Telegram does not give them."""
    try:
        file = await bot.get_file(file_id)
        return bytes(await file.download_as_bytearray())
    except TelegramError as exc:
        log.warning("evidence file could not be downloaded for the archive: %s", exc)
        return None
