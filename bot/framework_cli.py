"""`frameworks` (list; import FILE: the differences, and only with --apply the change) and
`export` (the leaders' workbook or CSV to a file), through the same services as the chat."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path
from typing import TYPE_CHECKING

from bot.admin_cli import SERVER, run_with_services
from bot.commands import Command
from bot.settings import Settings
from locales import LANGUAGES

if TYPE_CHECKING:  # the services are imported when a command runs, not at start
    from locales import Text
    from services.container import Services


def _frameworks_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    actions.add_parser("list", help="the frameworks held; ★ the one answered by default")
    imported = actions.add_parser(
        "import",
        help="what a framework file (.yaml, .csv, .xlsx) would change; --apply to add it",
    )
    imported.add_argument("file", type=Path)
    imported.add_argument("--code", help="import under this code instead of the file's")
    imported.add_argument(
        "--apply", action="store_true", help="add the framework (without: change nothing)"
    )


async def _frameworks(settings: Settings, args: argparse.Namespace) -> int:
    from handlers.admin_views import diff_text, frameworks_text
    from services.refusal import Refusal

    if args.action == "import":
        try:
            data = await asyncio.to_thread(args.file.read_bytes)
        except OSError as exc:
            print(f"frameworks import {args.file}: {exc.strerror or exc}")
            return 2

    async def work(services: Services, t: Text) -> str:
        imports = services.imports
        if args.action == "list":
            frameworks, default = await imports.frameworks()
            return frameworks_text(t, frameworks, default)
        name = args.file.name
        plan = await imports.plan(data, name, args.code)
        text = diff_text(t, plan, limit=None)
        if plan.exists:  # the differences first, then why nothing can change
            print(text)
            raise Refusal("import.exists", code=plan.framework.code)
        if not args.apply:
            after = [t("import.default_after")] if plan.default_after else []
            return "\n".join([text, *after, t("import.cli_dry_run", code=plan.framework.code)])
        applied = await imports.apply(SERVER, data, name, args.code)
        fw = applied.framework
        return "\n".join([text, t("import.applied", code=fw.code, count=len(fw.sub_indices))])

    return await run_with_services(settings, work)


FRAMEWORKS = Command(
    "list the frameworks; import a framework file (dry run unless --apply)",
    _frameworks_arguments,
    _frameworks,
)


def _export_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", type=Path, help="the file to write, e.g. dti.xlsx or dti.csv")
    parser.add_argument(
        "--format", choices=["xlsx", "csv"], help="default: from the file's suffix, else xlsx"
    )
    parser.add_argument("--lang", choices=LANGUAGES, help="default: DEFAULT_LANGUAGE")


async def _export(settings: Settings, args: argparse.Namespace) -> int:
    from handlers.reports import export_files

    path: Path = args.path
    kind = args.format or ("csv" if path.suffix.lower() == ".csv" else "xlsx")
    if await asyncio.to_thread(path.exists):
        print(f"export {path}: it exists; name a new file (an export never overwrites one)")
        return 2

    async def work(services: Services, t: Text) -> str:
        if args.lang:
            t = services.texts.for_language(args.lang)
        export = await export_files(services, t, private=True)
        await asyncio.to_thread(path.write_bytes, export.xlsx if kind == "xlsx" else export.csv)
        return t("export.written", path=str(path), count=export.rows)

    try:
        return await run_with_services(settings, work)
    except OSError as exc:
        print(f"export {path}: {exc.strerror or exc}")
        return 2


EXPORT = Command(
    "write the leaders' export (every sub-index) as .xlsx or .csv (like /xuatexcel)",
    _export_arguments,
    _export,
)
