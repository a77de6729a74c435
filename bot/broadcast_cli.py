"""`broadcast --to AUDIENCE TEXT`: the preview (who, how many, the text); with --send, the
announcement sent through the bot (BOT_TOKEN needed), each recipient once, within Telegram's
limits; `broadcast --resume ID` finishes a run that was cut short (nobody gets a second copy)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from bot.admin_cli import SERVER, run_with_services
from bot.commands import Command
from bot.settings import Settings

if TYPE_CHECKING:  # the services and Telegram are imported when the command runs
    from locales import Text
    from services.container import Services


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--to",
        help="all, focal, leaders, admins (or tatca, daumoi, lanhdao, quantri), or an agency or"
        " group: code, name or alias",
    )
    parser.add_argument("text", nargs="*", help="the announcement")
    parser.add_argument("--send", action="store_true", help="send it (without: preview only)")
    parser.add_argument("--resume", type=int, metavar="ID", help="finish sending broadcast ID")


async def _run(settings: Settings, args: argparse.Namespace) -> int:
    from handlers.admin_views import broadcast_preview
    from services.broadcasts import find_audience
    from services.refusal import Refusal

    sending = args.send or args.resume is not None
    if sending and settings.token is None:
        print("broadcast: BOT_TOKEN is not set; the announcement can only go through the bot")
        return 2
    if args.resume is None and (not args.to or not args.text):
        print("broadcast: give --to AUDIENCE and the text, e.g. broadcast --to focal 'Hạn …'")
        return 2

    async def work(services: Services, t: Text) -> str:
        svc = services.broadcasts
        _, directory = await services.scores.reference()
        if args.resume is not None:
            return await _send(settings, services, t, args.resume)
        found = find_audience(directory, args.to.split())
        if found is None or found[1] != len(args.to.split()):
            raise Refusal("broadcast.usage")
        draft = await svc.prepare(SERVER, found[0], " ".join(args.text))
        preview = broadcast_preview(t, draft, directory)
        if not args.send:
            await svc.cancel(SERVER, draft.id)  # a preview is never sent later by mistake
            return "\n".join([preview, t("broadcast.cli_dry_run")])
        await svc.confirm(SERVER, draft.id)
        return "\n".join([preview, await _send(settings, services, t, draft.id)])

    return await run_with_services(settings, work)


async def _send(settings: Settings, services: Services, t: Text, broadcast_id: int) -> str:
    """Send through the bot the Application would use (its rate limiter and request path)."""
    from bot.app import build_application
    from handlers.broadcast import report_text, send_broadcast
    from services.refusal import Refusal
    from storage.broadcasts import SENDING

    found = await services.broadcasts.get(broadcast_id)
    if found.status != SENDING:
        refusals = {"draft": "broadcast.not_confirmed", "cancelled": "broadcast.was_cancelled"}
        raise Refusal(refusals.get(found.status, "broadcast.was_sent"), id=broadcast_id)
    app = build_application(settings.model_copy(update={"reminder_tick_seconds": 0}), services)
    async with app.bot:
        report = await send_broadcast(app.bot, services, broadcast_id, SERVER.actor)
    return report_text(services, report, t.lang)


BROADCAST = Command(
    "an announcement to a role or an agency: preview, then --send (like /thongbao)",
    _arguments,
    _run,
)
