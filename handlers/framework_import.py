"""A framework file sent by an administrator with the caption "nhập bộ chỉ số" (or "import
framework"), optionally followed by the code to import it under: answered with what it would
change and Apply / Cancel buttons. Nothing changes before Apply."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message
from telegram.ext import filters

from handlers.admin_views import diff_text
from handlers.evidence import download
from handlers.request import ADMIN, Request, handles
from parsing.arguments import row_id
from scoring.text import fold
from services.refusal import Refusal

PREFIX = "imp:"
# The words of the caption (folded), Vietnamese and English.
PHRASES = ("nhap bo chi so", "import framework")


def import_caption(caption: str) -> tuple[bool, str | None]:
    """Whether a caption asks to import a framework, and the code typed after the words (as
    typed: "nhập bộ chỉ số dti-province-2026")."""
    words = caption.split()
    for phrase in PHRASES:
        size = len(phrase.split())
        if fold(" ".join(words[:size])) == phrase:
            return True, " ".join(words[size:]) or None
    return False, None


class ImportCaption(filters.MessageFilter):
    """A document whose caption asks to import a framework."""

    def filter(self, message: Message) -> bool:
        return message.document is not None and import_caption(message.caption or "")[0]


@handles(ADMIN)
async def framework_file(request: Request) -> None:
    from services.framework_import import MAX_BYTES  # at the first use: see services.container

    t, svc = request.t, request.services
    message = request.message
    document = message.document if message else None
    if message is None or document is None:
        return
    if (document.file_size or 0) > MAX_BYTES:
        raise Refusal("import.too_large", max=MAX_BYTES // 1024)
    data = await download(request.context.bot, document.file_id)
    if data is None:
        raise Refusal("import.download_failed")
    name = document.file_name or "framework"
    _, code = import_caption(message.caption or "")
    plan = await svc.imports.stage(await request.person(), data, name, code)
    text = diff_text(t, plan)
    if plan.exists or plan.import_id is None:
        text += "\n" + t("import.exists", code=plan.framework.code)
        markup = None
    else:
        if plan.default_after:
            text += "\n" + t("import.default_after")
        text += "\n" + t("import.dry_run", code=plan.framework.code)
        markup = InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(
                        t("button.apply"), callback_data=f"{PREFIX}ok:{plan.import_id}"
                    ),
                    InlineKeyboardButton(
                        t("button.cancel"), callback_data=f"{PREFIX}no:{plan.import_id}"
                    ),
                ]
            ]
        )
    await request.reply(text, markup)  # split between lines, the buttons under the last part


@handles(ADMIN)
async def import_button(request: Request) -> None:
    """Apply or Cancel under an import's diff."""
    t, svc = request.t, request.services
    action, _, arg = request.data.removeprefix(PREFIX).partition(":")
    import_id = row_id(arg)
    if action not in ("ok", "no") or import_id is None:
        raise Refusal("button.expired")
    person = await request.person()
    if action == "ok":
        plan = await svc.imports.apply_staged(person, import_id)
        fw = plan.framework
        await request.edit(t("import.applied", code=fw.code, count=len(fw.sub_indices)))
        await request.answer(t("import.applied_short"))
    else:
        await svc.imports.cancel_staged(person, import_id)
        await request.edit(t("import.cancelled"))
