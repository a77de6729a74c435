"""The Application factory and the one map of every handler the bot has."""

from __future__ import annotations

import asyncio

from telegram import (
    BotCommand,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    Update,
)
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.request import BaseRequest

from bot import operator
from bot.ordering import ChatOrderedProcessor
from bot.outbound import Outbound, OutboundApplication
from bot.settings import Settings
from handlers import (
    agencies,
    asking,
    awaiting,
    basics,
    broadcast,
    deadlines,
    evidence,
    framework_import,
    frameworks,
    language,
    mywork,
    people,
    reminder_job,
    review,
    updates,
)
from handlers.context import CONTEXT_TYPES
from locales import LANGUAGES, Text
from services.container import Services

# Commands are Latin (Telegram's rule): Vietnamese names first, English aliases after.
COMMANDS = {
    "start": ("start",),
    "help": ("help", "trogiup"),
    "diem": ("diem", "score"),
    "capnhat": ("capnhat", "update"),
    "chiso": ("chiso", "mine"),
    "lichsu": ("lichsu", "history"),
    "minhchung": ("minhchung", "evidence"),
    "giaitrinh": ("giaitrinh", "explain"),
    "duyet": ("duyet", "review"),
    "tralai": ("tralai", "return"),
    "moi": ("moi", "invite"),
    "thuhoi": ("thuhoi", "revoke"),
    "capquyen": ("capquyen", "grant"),
    "hanchot": ("hanchot", "deadlines"),
    "themhan": ("themhan", "adddeadline"),
    "doihan": ("doihan", "movedeadline"),
    "huyhan": ("huyhan", "canceldeadline"),
    "tamdung": ("tamdung", "pause"),
    "tieptuc": ("tieptuc", "resume"),
    "nhacnho": ("nhacnho", "reminders"),
    "nhomlanhdao": ("nhomlanhdao", "leadersgroup"),
    "tomtat": ("tomtat", "summary"),
    "yeu": ("yeu", "weakest"),
    "thieu": ("thieu", "gap"),
    "neu": ("neu", "whatif"),
    "chutri": ("chutri", "who"),
    "cua": ("cua", "holds"),
    "chuabaocao": ("chuabaocao", "late"),
    "xuhuong": ("xuhuong", "trend"),
    "xephang": ("xephang", "rank"),
    "ngonngu": ("ngonngu", "language"),
    "bieudo": ("bieudo", "chart"),
    "xuatexcel": ("xuatexcel", "export"),
    "dangkytomtat": ("dangkytomtat", "subscribe"),
    "coquan": ("coquan", "agencies"),
    "phancong": ("phancong", "assign"),
    "bophancong": ("bophancong", "unassign"),
    "thongbao": ("thongbao", "broadcast"),
    "bochiso": ("bochiso", "frameworks"),
}
# Shown in Telegram's command menu; the administrators' commands stay out of everyone's menu.
MENU = (
    "diem",
    "tomtat",
    "bieudo",
    "xuatexcel",
    "yeu",
    "thieu",
    "capnhat",
    "chiso",
    "hanchot",
    "lichsu",
    "minhchung",
    "giaitrinh",
    "tamdung",
    "bochiso",
    "ngonngu",
    "help",
)
# Groups see the leaders' questions; administrators also get their own commands.
GROUP_MENU = (
    "tomtat",
    "diem",
    "bieudo",
    "xuatexcel",
    "yeu",
    "thieu",
    "chuabaocao",
    "xuhuong",
    "dangkytomtat",
    "bochiso",
    "help",
)
ADMIN_MENU = (
    "duyet",
    "moi",
    "nhacnho",
    "hanchot",
    "themhan",
    "doihan",
    "huyhan",
    "xephang",
    "nhomlanhdao",
    "coquan",
    "phancong",
    "bophancong",
    "thongbao",
)


def build_application(
    settings: Settings,
    services: Services,
    *,
    token: str | None = None,
    request: BaseRequest | None = None,
    rate_limited: bool = True,
    outbound: Outbound | None = None,
) -> Application:  # type: ignore[type-arg]
    """A configured Application; `request` replaces the HTTP client (the offline console),
    `outbound` the policy of the outgoing path (limits, retries); `rate_limited=False` sends
    straight to the server (the console, benchmarks of the bot's own cost)."""
    builder = (
        Application.builder()
        .application_class(OutboundApplication)
        .token(token or settings.token or "")
        .base_url(settings.bot_api_base_url)
        .base_file_url(settings.bot_api_file_url)
        .context_types(CONTEXT_TYPES)
        # Concurrent across chats and people, in order within each (bot/ordering.py).
        .concurrent_updates(ChatOrderedProcessor(settings.max_concurrent_updates))
    )
    if request is not None:
        builder = builder.request(request).get_updates_request(request)
    else:
        # aiohttp with JSON bodies; one connection for getUpdates, as PTB's. Imported here: the
        # console (`--once`) has a request of its own and does not load aiohttp.
        from bot.api_client import BotApiRequest

        builder = builder.request(BotApiRequest()).get_updates_request(
            BotApiRequest(connections=1)
        )
    if rate_limited:
        # One outgoing path for every request (bot/outbound.py): replies at once within
        # Telegram's limits, bulk sends in what is left, 429s, retries and chat migrations.
        outbound = outbound or Outbound()
        if outbound.on_migrated is None:
            outbound.on_migrated = services.deliveries.move_chat
        builder = builder.rate_limiter(outbound)
    app = builder.build()
    app.bot_data.services = services
    register(app)
    operator.install(app, settings, services)  # unhandled errors told to OPERATOR_CHAT_ID
    if settings.reminder_tick_seconds > 0 and app.job_queue is not None:
        # One job with a predictable name: it sends whatever is due and not yet claimed, so a
        # restart, a late tick or a second process never doubles a reminder.
        app.job_queue.run_repeating(
            reminder_job.tick,
            interval=settings.reminder_tick_seconds,
            first=5,
            name=reminder_job.JOB_NAME,
        )
    return app


def register(app: Application) -> None:  # type: ignore[type-arg]
    """Every handler, in the order they are tried."""
    # Group -2: the language each person is answered in, loaded before anything answers them.
    app.add_handler(TypeHandler(Update, language.remember_language), group=-2)
    # Group -1 next: text the bot asked for (a value, a reason) is consumed before anything else.
    app.add_handler(
        MessageHandler(filters.TEXT & filters.ChatType.PRIVATE, awaiting.awaited_input), group=-1
    )
    # A group that became a supergroup: its stored id follows before anything is sent to it.
    app.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, reminder_job.chat_migrated))
    # The one handler of free text: routed to one intent (handlers.asking). Tried before the
    # commands, which never match text without a command (it would pass them all by otherwise).
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, asking.text_question))
    # Each handler declares where it works and who may use it (handlers.request): a command
    # typed in the wrong chat, or by the wrong person, is answered with what to do instead.
    commands = {
        "start": people.start,
        "help": basics.help_command,
        "diem": asking.question_command("score.usage"),
        "capnhat": asking.update_command,
        "chiso": mywork.mywork_command,
        "lichsu": updates.history_command,
        "minhchung": evidence.evidence_command,
        "giaitrinh": updates.explain_command,
        "duyet": review.queue_command,
        "tralai": review.return_command,
        "moi": people.invite_command,
        "thuhoi": people.revoke_command,
        "capquyen": people.grant_command,
        "hanchot": deadlines.calendar_command,
        "themhan": deadlines.add_deadline_command,
        "doihan": deadlines.move_deadline_command,
        "huyhan": deadlines.cancel_deadline_command,
        "tamdung": deadlines.pause_command,
        "tieptuc": deadlines.resume_command,
        "nhacnho": deadlines.operator_command,
        "nhomlanhdao": deadlines.leaders_group_command,
        "tomtat": asking.question_command("insight.summary.usage"),
        "yeu": asking.question_command("insight.weakest.usage"),
        "thieu": asking.question_command("insight.gap.usage"),
        "neu": asking.question_command("insight.what_if.usage"),
        "chutri": asking.question_command("insight.holders.usage"),
        "cua": asking.question_command("insight.holdings.usage"),
        "chuabaocao": asking.question_command("insight.not_reported.usage"),
        "xuhuong": asking.question_command("insight.trend.usage"),
        "xephang": asking.rank_command,
        "ngonngu": language.language_command,
        "bieudo": asking.question_command("chart.usage"),
        "xuatexcel": asking.question_command("export.usage"),
        "dangkytomtat": deadlines.subscribe_command,
        "coquan": agencies.agencies_command,
        "phancong": agencies.assign_command,
        "bophancong": agencies.unassign_command,
        "thongbao": broadcast.broadcast_command,
        "bochiso": frameworks.frameworks_command,
    }
    for name, callback in commands.items():
        app.add_handler(CommandHandler(COMMANDS[name], callback))
    app.add_handler(CallbackQueryHandler(asking.choice_pressed, pattern=f"^{asking.PREFIX}"))
    app.add_handler(CallbackQueryHandler(updates.update_button, pattern=f"^{updates.PREFIX}"))
    app.add_handler(CallbackQueryHandler(mywork.mywork_page, pattern=f"^{mywork.PREFIX}"))
    app.add_handler(CallbackQueryHandler(review.review_button, pattern=f"^{review.PREFIX}"))
    app.add_handler(CallbackQueryHandler(evidence.evidence_button, pattern=f"^{evidence.PREFIX}"))
    app.add_handler(
        CallbackQueryHandler(framework_import.import_button, pattern=f"^{framework_import.PREFIX}")
    )
    app.add_handler(
        CallbackQueryHandler(broadcast.broadcast_button, pattern=f"^{broadcast.PREFIX}")
    )
    # Every other button (an old keyboard, unknown data) is answered "this button has expired".
    app.add_handler(CallbackQueryHandler(basics.expired_button))
    # Unknown commands; one addressed to another bot (/lenh@other_bot) is left alone.
    app.add_handler(MessageHandler(filters.COMMAND, basics.unknown_command))
    # A framework file for administrators (answered in a group too: that it works in private).
    app.add_handler(
        MessageHandler(framework_import.ImportCaption(), framework_import.framework_file)
    )
    # Files and everything else the bot cannot read: in private chats only, groups are left alone.
    private = filters.ChatType.PRIVATE
    app.add_handler(
        MessageHandler(private & (filters.Document.ALL | filters.PHOTO), evidence.file_received)
    )
    app.add_handler(
        MessageHandler(private & ~filters.TEXT & ~filters.StatusUpdate.ALL, basics.not_text)
    )
    app.add_error_handler(basics.on_error)


async def publish_commands(app: Application, services: Services) -> None:  # type: ignore[type-arg]
    """The command menus, in each catalog language, for private chats, groups and each
    administrator's chat; sent together, so a start waits one round trip, not one per menu."""
    calls = []
    for lang in LANGUAGES:
        t = services.texts.for_language(lang)
        code = None if lang == services.texts.default else lang

        def menu(names: tuple[str, ...], t: Text = t) -> list[BotCommand]:
            return [BotCommand(name, t(f"command.{name}")) for name in dict.fromkeys(names)]

        calls.append(
            app.bot.set_my_commands(
                menu(MENU), scope=BotCommandScopeAllPrivateChats(), language_code=code
            )
        )
        calls.append(
            app.bot.set_my_commands(
                menu(GROUP_MENU), scope=BotCommandScopeAllGroupChats(), language_code=code
            )
        )
        for admin in sorted(services.identity.admin_ids):
            calls.append(
                app.bot.set_my_commands(
                    menu(MENU + ADMIN_MENU), scope=BotCommandScopeChat(admin), language_code=code
                )
            )
    await asyncio.gather(*calls)
