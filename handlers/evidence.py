"""Evidence files: a document or photo whose caption names a sub-index; /minhchung lists them."""

from __future__ import annotations

import re

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update

from handlers.context import Context, is_private, person_of, private_sub_index, services, text_for
from handlers.update_views import problem_text
from handlers.views import period_label, short_name
from parsing.period_text import PeriodTextError, find_period
from services.evidence import FileInfo
from services.updates import Problem

PREFIX = "ev:"
CODE = re.compile(r"(?<![\d.,])(\d{1,2}\.\d{1,2})(?![\d.,])")


def file_info(message: Message) -> FileInfo | None:
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


async def file_received(update: Update, context: Context) -> None:
    """A document or photo in a private chat: evidence when the caption names a sub-index."""
    message = update.effective_message
    if message is None or not is_private(update):
        return
    info = file_info(message)
    if info is None:
        return
    t, svc = text_for(context), services(context)
    caption = message.caption or ""
    found = CODE.search(caption)
    if found is None:
        await message.reply_text(t("evidence.no_caption"))
        return
    try:
        period, _ = find_period(caption, svc.calendar.today())
    except PeriodTextError:
        await message.reply_text(t("syntax.bad_period", code=found.group(1)))
        return
    person = await person_of(update, context)
    if person is None:
        return
    result = await svc.evidence.attach(person, found.group(1), period, info, message.chat_id)
    if isinstance(result, Problem):
        _, directory = await svc.scores.reference()
        await message.reply_text(problem_text(t, result, directory))
        return
    await message.reply_text(
        t(
            "evidence.saved",
            name=info.file_name,
            code=result.code,
            period=period_label(t, result.period),
            count=result.count,
        )
    )


async def evidence_command(update: Update, context: Context) -> None:
    """/minhchung 8.2: the evidence of a sub-index, each file a button that sends it back."""
    message = update.effective_message
    if message is None:
        return
    t, svc = text_for(context), services(context)
    sub = await private_sub_index(update, context, "evidence.usage")
    if sub is None:
        return
    code = sub.code
    person = await person_of(update, context)
    if person is None or not person.is_registered:
        await message.reply_text(t("problem.update.unregistered"))
        return
    files = await svc.evidence.files(code)
    if not files:
        await message.reply_text(t("evidence.none", code=code))
        return
    lines = [t("evidence.head", code=code, name=short_name(sub.name, 60), count=len(files))]
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
    await message.reply_text("\n".join(lines), reply_markup=InlineKeyboardMarkup(buttons))


async def evidence_button(update: Update, context: Context) -> None:
    """Send one evidence file back, by the file id Telegram gave it."""
    query = update.callback_query
    if query is None or query.data is None or not isinstance(query.message, Message):
        return
    svc = services(context)
    arg = query.data.removeprefix(PREFIX)
    row = await svc.evidence.file(int(arg)) if arg.isdigit() else None
    person = await person_of(update, context)
    if row is None or person is None or not person.is_registered:
        await query.answer(text_for(context)("evidence.gone"), show_alert=True)
        return
    await query.answer()
    if row.kind == "photo":
        await query.message.chat.send_photo(row.file_id, caption=row.file_name)
    else:
        await query.message.chat.send_document(row.file_id, caption=row.file_name)
