"""Administration as text, through the catalogs: agencies, the diff of a framework import,
broadcasts, users and frameworks. The chat commands and the server's command line print the
same texts (the command line without limits on length)."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from handlers.views import agency_label, short_name
from locales import Text
from scoring.model import Directory, Rule, RuleKind
from services.identity import UserView
from storage.agencies import FrameworkSummary

if TYPE_CHECKING:
    from scoring.diff import FrameworkDiff, HoldersChange, MaxChange, RuleChange
    from services.broadcasts import Broadcast
    from services.framework_import import ImportPlan

# Rule kinds with a short label in the catalogs.
RULES = ("ratio", "boolean", "assessed", "levels", "none")
LIST_ITEMS = 12  # items of one kind of change shown in chat before "… and N more"


def agencies_text(t: Text, directory: Directory) -> str:
    """Every agency with its kind and other names, then the groups with what they gather."""
    lines = [t("agency.list_head", count=len(directory.agencies), groups=len(directory.groups))]
    for a in directory.agencies:
        line = t("agency.line", code=a.code, name=a.name, kind=a.kind)
        others = [x for x in a.aliases if x != a.code]
        if others:
            line += t("agency.aliases", aliases="; ".join(others))
        if a.valid_to is not None:
            successor = a.successor or "—"
            line += t("agency.ended", date=t.date(a.valid_to), successor=successor)
        lines.append(line)
    for g in directory.groups:
        members = ", ".join(directory.expand(g.code)) or "—"
        lines.append(t("agency.group_line", code=g.code, name=g.name, members=members))
    lines.append(t("agency.hint"))
    return "\n".join(lines)


def holders_line(t: Text, directory: Directory, lead: tuple[str, ...], co: tuple[str, ...]) -> str:
    return t(
        "assign.now",
        lead=", ".join(agency_label(directory, c) for c in lead) or "—",
        coordinate=", ".join(agency_label(directory, c) for c in co) or "—",
    )


def diff_text(t: Text, plan: ImportPlan, *, limit: int | None = LIST_ITEMS) -> str:
    """What an import would change, section by section; at most `limit` items of each (None:
    all of them, for the command line)."""
    fw, d = plan.framework, plan.diff
    lines = [
        t(
            "import.head",
            file=plan.file_name,
            code=fw.code,
            name=short_name(fw.name, 60),
            count=len(fw.sub_indices),
        )
    ]
    if plan.exists:
        lines.append(t("import.exists_head", code=fw.code))
    elif d.base is None:
        lines.append(t("import.against_none"))
    else:
        lines.append(t("import.against", base=d.base))
    if plan.exists or d.base is not None:
        lines += _sections(t, d, limit)
    return "\n".join(lines)


def _sections(t: Text, d: FrameworkDiff, limit: int | None) -> list[str]:
    if d.empty:
        return [t("import.no_change")]
    framework = t("import.framework")  # the framework's own fields have no code
    sections = (
        ("import.added", list(d.added)),
        ("import.removed", list(d.removed)),
        ("import.maxima", [_max(t, c) for c in d.maxima]),
        ("import.rules", [_rule_change(t, c) for c in d.rules]),
        ("import.holders", [_holders(t, c) for c in d.holders]),
        ("import.fields", [f"{c.code or framework} {c.field}" for c in d.fields]),
    )
    lines = []
    for key, items in sections:
        if not items:
            continue
        shown = items if limit is None else items[:limit]
        text = "; ".join(shown)
        if len(items) > len(shown):
            text += t("import.more", count=len(items) - len(shown))
        lines.append(t(key, count=len(items), items=text))
    return lines


def _max(t: Text, c: MaxChange) -> str:
    code = c.code or t("import.total")  # the framework's total has no code
    return f"{code} {t.num(c.before)} → {t.num(c.after)}"


def _rule_change(t: Text, c: RuleChange) -> str:
    return f"{c.code} {rule_label(t, c.before)} → {rule_label(t, c.after)}"


def rule_label(t: Text, rule: Rule) -> str:
    """A rule in a few words: "tỷ lệ ≥ 50", "có/không", "theo bậc 50:5, 80:8"."""
    kind = rule.kind.value
    if kind not in RULES:  # a kind newer than these labels: its name
        return kind
    text = t(f"import.rule.{kind}", threshold=t.num(rule.threshold or Decimal(0)))
    if rule.kind is RuleKind.LEVELS and rule.levels:
        text += " " + ", ".join(f"{t.num(lv.at_least)}:{t.num(lv.points)}" for lv in rule.levels)
    return text


def _holders(t: Text, c: HoldersChange) -> str:
    changes = [f"+{code}" for code in c.added] + [f"−{code}" for code in c.removed]
    return f"{c.code} {t(f'role.{c.role.value}')} {' '.join(changes)}"


def audience_label(t: Text, audience: str, directory: Directory) -> str:
    if audience.startswith("agency:"):
        return t("broadcast.to.agency", agency=agency_label(directory, audience[7:]))
    return t(f"broadcast.to.{audience}")


def broadcast_preview(t: Text, b: Broadcast, directory: Directory) -> str:
    return t(
        "broadcast.preview",
        audience=audience_label(t, b.audience, directory),
        count=b.recipients,
        text=b.text,
    )


def users_text(t: Text, users: list[UserView]) -> str:
    lines = [t("users.head", count=len(users))]
    for u in users:
        flags = ""
        if u.configured_admin:
            flags += t("users.configured")
        if u.blocked:
            flags += t("users.blocked")
        agencies = t("users.agencies", agencies=", ".join(u.agencies)) if u.agencies else ""
        name = u.name + (f" @{u.username}" if u.username else "")
        role = t(f"role.{'admin' if u.configured_admin else u.role.value}")
        lines.append(
            t("users.line", id=u.telegram_id, name=name, role=role, agencies=agencies, flags=flags)
        )
    return "\n".join(lines)


def frameworks_text(t: Text, frameworks: list[FrameworkSummary], default: str) -> str:
    lines = [t("framework.head", count=len(frameworks))]
    for f in frameworks:
        lines.append(
            t(
                "framework.line",
                mark="★" if f.code == default else "•",
                code=f.code,
                kind=f.kind,
                year=f.year,
                name=f.name,
                count=f.sub_indices,
                values=f.values,
            )
        )
    lines.append(t("framework.default", code=default))
    return "\n".join(lines)
