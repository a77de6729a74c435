"""Administrators' commands for agencies and assignments (private chats):

    /coquan                               the agencies and groups
    /coquan them MÃ loại Tên đầy đủ        add an agency (English: add)
    /coquan doiten MÃ Tên mới              rename it; the old name stays an alias (rename)
    /coquan bidanh MÃ Tên gọi khác         another name people use (alias)
    /coquan xoabidanh MÃ Tên gọi           take one away (unalias)
    /phancong 8.2 SNV chutri|phoihop       who leads or coordinates a sub-index
    /bophancong 8.2 SNV [chutri|phoihop]   take them off it

The server's command line does the same through the same services (bot/admin_cli.py)."""

from __future__ import annotations

from handlers.admin_views import agencies_text, holders_line
from handlers.request import ADMIN, Request, handles
from handlers.views import agency_label
from scoring.model import Role
from scoring.text import fold

# Sub-commands of /coquan (folded), Vietnamese and English.
ACTIONS = {
    "them": "add", "add": "add",
    "doiten": "rename", "rename": "rename",
    "bidanh": "alias", "alias": "alias",
    "xoabidanh": "unalias", "unalias": "unalias",
}  # fmt: skip
# Role words (folded, spaces removed): "chủ trì", "chutri", "lead" …
ROLES = {
    "chutri": Role.LEAD, "lead": Role.LEAD,
    "phoihop": Role.COORDINATE, "coordinate": Role.COORDINATE,
}  # fmt: skip


def role_of(word: str) -> Role | None:
    return ROLES.get(fold(word).replace(" ", ""))


@handles(ADMIN)
async def agencies_command(request: Request) -> None:
    t, svc, args = request.t, request.services.agencies, request.args
    if not args:
        await request.reply(agencies_text(t, await svc.directory()))  # split if long
        return
    action = ACTIONS.get(fold(args[0]))
    person = await request.person()
    if action == "add" and len(args) >= 4:
        added = await svc.add(person, args[1], " ".join(args[3:]), args[2])
        await request.reply(t("agency.added", code=added.code, name=added.name, kind=added.kind))
    elif action == "rename" and len(args) >= 3:
        renamed = await svc.rename(person, args[1], " ".join(args[2:]))
        a = renamed.agency
        await request.reply(t("agency.renamed", code=a.code, before=renamed.before, name=a.name))
    elif action in ("alias", "unalias") and len(args) >= 3:
        alias = " ".join(args[2:])
        changed = await svc.alias(person, args[1], alias, remove=action == "unalias")
        key = "agency.unaliased" if action == "unalias" else "agency.aliased"
        await request.reply(t(key, code=changed.code, alias=alias))
    else:
        await request.reply(t("agency.usage"))


@handles(ADMIN)
async def assign_command(request: Request) -> None:
    """/phancong 8.2 SNV chutri: the agency (code, or a name of several words) between the
    sub-index and the role."""
    t, args = request.t, request.args
    role = role_of(args[-1]) if len(args) >= 3 else None
    if role is None:
        await request.reply(t("assign.usage"))
        return
    svc = request.services.agencies
    done = await svc.assign(await request.person(), args[0], " ".join(args[1:-1]), role)
    await _report(request, "assign.done", done.sub_index.code, done.holder, done.roles)


@handles(ADMIN)
async def unassign_command(request: Request) -> None:
    """/bophancong 8.2 SNV [chutri|phoihop]: without a role, off both."""
    t, args = request.t, request.args
    role = role_of(args[-1]) if len(args) >= 3 else None
    holder = args[1:-1] if role is not None else args[1:]
    if len(args) < 2 or not holder:
        await request.reply(t("assign.unassign_usage"))
        return
    svc = request.services.agencies
    done = await svc.unassign(await request.person(), args[0], " ".join(holder), role)
    await _report(request, "assign.removed", done.sub_index.code, done.holder, done.roles)


async def _report(
    request: Request, key: str, code: str, holder: str, roles: tuple[Role, ...]
) -> None:
    """What changed, and who holds the sub-index now."""
    t = request.t
    framework, directory = await request.reference()
    sub = framework.sub_index(code)
    text = t(
        key,
        holder=agency_label(directory, holder),
        roles=", ".join(t(f"role.{r.value}") for r in roles),
        code=code,
    )
    if sub is not None:
        text += "\n" + holders_line(t, directory, sub.lead, sub.coordinate)
    await request.reply(text)
