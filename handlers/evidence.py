"""Evidence files: a document or photo whose caption names a sub-index; /minhchung lists them."""

from __future__ import annotations

import re

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message

from handlers.request import ANYONE, FOCAL_POINT, Request, handles, sub_index_argument
from handlers.views import period_label, short_name
from parsing.period_text import PeriodTextError, find_period
from services.evidence import FileInfo
from services.refusal import Refusal

PREFIX = "ev:"
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
        person, found.group(1), period, info, request.destination.chat_id
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
    """Send one evidence file back, by the file id Telegram gave it."""
    arg = request.data.removeprefix(PREFIX)
    row = await request.services.evidence.file(int(arg)) if arg.isdigit() else None
    if row is None:
        raise Refusal("evidence.gone")
    await request.answer()
    if row.kind == "photo":
        await request.reply_photo(row.file_id, caption=row.file_name)
    else:
        await request.reply_document(row.file_id, caption=row.file_name)
