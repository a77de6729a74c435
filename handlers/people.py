"""Registration and roles: /start CODE, /moi (invite), /thuhoi (revoke), /capquyen (grant).

Administrators are the Telegram ids in ADMIN_IDS (the configuration; changed only there) and the
users granted the role with /capquyen <id> admin (in the database; /capquyen <id> member revokes
it). The two are independent: removing an id from ADMIN_IDS does not revoke a role granted in the
database, which is why /capquyen refuses to grant or change a role for an id in ADMIN_IDS."""

from __future__ import annotations

from domain.status import UserRole
from handlers.request import ADMIN, ANYONE, Access, Request, Who, handles
from handlers.views import agency_label
from parsing.arguments import natural, telegram_id
from services.identity import find_agency
from services.refusal import Refusal

MAX_INVITE_USES, MAX_INVITE_DAYS = 50, 90


@handles(ANYONE)
async def start(request: Request) -> None:
    """/start, or /start CODE from an invite link."""
    t, caller = request.t, request.caller
    if not request.args:
        await request.reply(t("start.welcome", name=caller.full_name))
        return
    redeemed = await request.services.identity.redeem(caller, request.args[0])
    _, directory = await request.reference()
    key = "invite.linked" if redeemed.new else "invite.already"
    await request.reply(t(key, name=caller.full_name, agency=directory.name_of(redeemed.agency)))


@handles(Access(who=Who.ADMIN))
async def invite_command(request: Request) -> None:
    """/moi SKHCN [uses] [days]: an administrator makes an invite code for an agency. A code is
    never posted in a group: asked for there, it goes to the administrator's private chat."""
    t, svc, args = request.t, request.services, request.args
    numbers = [natural(a, 1) for a in args[1:]]
    if not args or len(numbers) > 2 or None in numbers:
        await request.reply(t("invite.usage"))
        return
    _, directory = await request.reference()
    code = find_agency(directory, args[0])
    if code is None:
        examples = ", ".join(a.code for a in directory.agencies[:6])
        await request.reply(t("invite.unknown_agency", agency=args[0][:40], examples=examples))
        return
    uses = min(numbers[0] or 1, MAX_INVITE_USES) if numbers else 1
    days = min(numbers[1] or 7, MAX_INVITE_DAYS) if len(numbers) > 1 else 7
    person = await request.person()
    invite = await svc.identity.create_invite(person, code, max_uses=uses, days=days)
    text = t(
        "invite.created",
        agency=agency_label(directory, code),
        code=invite.code,
        uses=invite.max_uses,
        date=t.date(svc.calendar.local(invite.expires_at).date()),
        link=f"https://t.me/{request.bot_username}?start={invite.code}",
    )
    if request.is_private:
        await request.reply(text)
    elif await request.send_private(text):
        await request.reply(t("invite.sent_private"))
    else:
        # They have not started the bot: the code was never seen, so it must never work.
        await svc.identity.revoke(person, invite.code)
        raise Refusal("private.command", command=request.command)


@handles(ADMIN)
async def revoke_command(request: Request) -> None:
    """/thuhoi CODE."""
    if not request.args:
        await request.reply(request.t("revoke.usage"))
        return
    await request.services.identity.revoke(await request.person(), request.args[0])
    await request.reply(request.t("revoke.done", code=request.args[0][:16]))


@handles(ADMIN)
async def grant_command(request: Request) -> None:
    """/capquyen <telegram id> member|leader|admin; member takes back what was granted."""
    t, args = request.t, request.args
    roles = {role.value for role in UserRole}
    user_id = telegram_id(args[0]) if len(args) == 2 else None
    if user_id is None or args[1] not in roles:
        await request.reply(t("grant.usage"))
        return
    role = UserRole(args[1])
    name = await request.services.identity.grant(await request.person(), user_id, role)
    await request.reply(t("grant.done", name=name, role=t(f"role.{role}")))
