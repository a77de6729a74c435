"""Registration and roles: /start CODE, /moi (invite), /thuhoi (revoke), /capquyen (grant)."""

from __future__ import annotations

from telegram import Update

from domain.status import UserRole
from handlers.context import Context, admin_or_refuse, caller_of, services, text_for
from handlers.views import agency_label
from services.identity import find_agency

MAX_INVITE_USES, MAX_INVITE_DAYS = 50, 90


async def start(update: Update, context: Context) -> None:
    """/start, or /start CODE from an invite link."""
    message, caller = update.effective_message, caller_of(update)
    if message is None or caller is None:
        return
    t, svc = text_for(context), services(context)
    if context.args:
        outcome = await svc.identity.redeem(caller, context.args[0])
        if not outcome.ok:
            await message.reply_text(t(f"invite.{outcome.reason}", code=context.args[0][:16]))
            return
        _, directory = await svc.scores.reference()
        agency = directory.name_of(outcome.detail)
        await message.reply_text(
            t(f"invite.{outcome.reason}", name=caller.full_name, agency=agency)
        )
        return
    await message.reply_text(t("start.welcome", name=caller.full_name))


async def invite_command(update: Update, context: Context) -> None:
    """/moi SKHCN [uses] [days]: an administrator makes an invite code for an agency."""
    message = update.effective_message
    if message is None:
        return
    t, svc = text_for(context), services(context)
    person = await admin_or_refuse(update, context)
    if person is None:
        return
    args = context.args or []
    numbers = [a for a in args[1:] if a.isdigit()]
    if not args or len(numbers) != len(args) - 1:
        await message.reply_text(t("invite.usage"))
        return
    _, directory = await svc.scores.reference()
    code = find_agency(directory, args[0])
    if code is None:
        examples = ", ".join(a.code for a in directory.agencies[:6])
        await message.reply_text(
            t("invite.unknown_agency", agency=args[0][:40], examples=examples)
        )
        return
    uses = min(int(numbers[0]), MAX_INVITE_USES) if numbers else 1
    days = min(int(numbers[1]), MAX_INVITE_DAYS) if len(numbers) > 1 else 7
    invite = await svc.identity.create_invite(
        person, code, max_uses=max(uses, 1), days=max(days, 1)
    )
    expires = svc.calendar.local(invite.expires_at)
    await message.reply_text(
        t(
            "invite.created",
            agency=agency_label(directory, code),
            code=invite.code,
            uses=invite.max_uses,
            date=t.date(expires.date()),
            link=f"https://t.me/{context.bot.username}?start={invite.code}",
        )
    )


async def revoke_command(update: Update, context: Context) -> None:
    """/thuhoi CODE."""
    message = update.effective_message
    if message is None:
        return
    t, svc = text_for(context), services(context)
    person = await admin_or_refuse(update, context)
    if person is None:
        return
    if not context.args:
        await message.reply_text(t("revoke.usage"))
        return
    outcome = await svc.identity.revoke(person, context.args[0])
    key = "revoke.done" if outcome.ok else "invite.unknown"
    await message.reply_text(t(key, code=context.args[0][:16]))


async def grant_command(update: Update, context: Context) -> None:
    """/capquyen <telegram id> member|leader|admin."""
    message = update.effective_message
    if message is None:
        return
    t, svc = text_for(context), services(context)
    person = await admin_or_refuse(update, context)
    if person is None:
        return
    args = context.args or []
    if len(args) != 2 or not args[0].isdigit() or args[1] not in set(UserRole):
        await message.reply_text(t("grant.usage"))
        return
    outcome = await svc.identity.grant(person, int(args[0]), UserRole(args[1]))
    if not outcome.ok:
        await message.reply_text(t("grant.unknown_user", id=args[0]))
        return
    await message.reply_text(t("grant.done", name=outcome.detail, role=t(f"role.{args[1]}")))
