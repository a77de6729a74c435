"""Database tables. Submissions and the audit log are append-only: rows are never updated.

No `from __future__ import annotations` here: SQLAlchemy reads every `Mapped[...]` annotation
when it maps a class, and strings it must evaluate first (231 columns) cost a start some 6 ms
more than the objects themselves."""

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from domain.status import DraftStatus, ReviewStatus, UserRole

POINTS = Numeric(12, 4)
VALUE = Numeric(20, 6)


def _values(kind: type[StrEnum]) -> Enum:
    """A status or role stored as its value in a VARCHAR(16): no database enum type to migrate
    when a value is added, and the same on SQLite and PostgreSQL."""
    return Enum(
        kind,
        native_enum=False,
        create_constraint=False,
        length=16,
        values_callable=lambda members: [m.value for m in members],
    )


class Base(DeclarativeBase):
    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


class FrameworkRow(Base):
    __tablename__ = "frameworks"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    year: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(32))
    source: Mapped[str] = mapped_column(Text, default="")
    total_max: Mapped[Decimal] = mapped_column(POINTS)
    target_total: Mapped[Decimal | None] = mapped_column(POINTS, nullable=True)
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # Other names people use for it, the province whose figures it holds, the conflicts between
    # its sources with the choice made.
    aliases: Mapped[list[str]] = mapped_column(JSON, default=list)
    province: Mapped[str] = mapped_column(String(128), default="")
    conflicts: Mapped[list[str]] = mapped_column(JSON, default=list)


class IndicatorRow(Base):
    """A pillar (no parent) or a sub-index of one framework version."""

    __tablename__ = "indicators"
    __table_args__ = (UniqueConstraint("framework_id", "code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    framework_id: Mapped[int] = mapped_column(ForeignKey("frameworks.id"))
    code: Mapped[str] = mapped_column(String(16))
    parent_code: Mapped[str | None] = mapped_column(String(16), nullable=True)
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(Text)
    name_en: Mapped[str] = mapped_column(Text, default="")
    aliases: Mapped[list[str]] = mapped_column(JSON, default=list)
    max_points: Mapped[Decimal] = mapped_column(POINTS)
    unit: Mapped[str] = mapped_column(String(64), default="")
    rule: Mapped[str] = mapped_column(String(16), default="")
    threshold: Mapped[Decimal | None] = mapped_column(VALUE, nullable=True)
    levels: Mapped[list[list[str]]] = mapped_column(JSON, default=list)
    # Where the rule comes from, and what only plan targets have (rows, targets, value type):
    # see storage.repo for the keys.
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class AgencyRow(Base):
    __tablename__ = "agencies"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(32))
    aliases: Mapped[list[str]] = mapped_column(JSON, default=list)
    # An agency that was merged or renamed ends on valid_to; its successor answers for it.
    valid_from: Mapped[date | None] = mapped_column(Date, nullable=True)
    valid_to: Mapped[date | None] = mapped_column(Date, nullable=True)
    successor: Mapped[str | None] = mapped_column(String(32), nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")


class AgencyGroupRow(Base):
    __tablename__ = "agency_groups"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    kinds: Mapped[list[str]] = mapped_column(JSON, default=list)
    aliases: Mapped[list[str]] = mapped_column(JSON, default=list)


class GroupMemberRow(Base):
    """A listed member of a group: an agency or another group (by code)."""

    __tablename__ = "agency_group_members"
    __table_args__ = (UniqueConstraint("group_id", "member_code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("agency_groups.id"))
    member_code: Mapped[str] = mapped_column(String(32))
    member_is_group: Mapped[bool] = mapped_column(default=False)


class AssignmentRow(Base):
    """Who answers for a sub-index: an agency or a group, as lead or coordinator."""

    __tablename__ = "assignments"
    __table_args__ = (UniqueConstraint("indicator_id", "holder_code", "role"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicators.id"))
    holder_code: Mapped[str] = mapped_column(String(32))
    role: Mapped[str] = mapped_column(String(16))
    position: Mapped[int] = mapped_column(Integer, default=0)


class UserRow(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    telegram_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    full_name: Mapped[str] = mapped_column(String(255), default="")
    username: Mapped[str | None] = mapped_column(String(64), nullable=True)
    language: Mapped[str | None] = mapped_column(String(8), nullable=True)
    role: Mapped[UserRole] = mapped_column(_values(UserRole), default=UserRole.MEMBER)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    reminders_paused_until: Mapped[datetime | None] = mapped_column(
        DateTime(timezone=True), nullable=True
    )
    # Set when Telegram answers 403 (the user blocked the bot): no more messages until they write.
    blocked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class UserAgencyRow(Base):
    __tablename__ = "user_agencies"
    __table_args__ = (UniqueConstraint("user_id", "agency_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))


class ChatRow(Base):
    __tablename__ = "chats"
    id: Mapped[int] = mapped_column(primary_key=True)
    telegram_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    type: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(255), default="")
    is_leaders_group: Mapped[bool] = mapped_column(default=False)
    # The forum topic /nhomlanhdao was typed in: the group's summaries go there (None: General).
    thread_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)


class PeriodRow(Base):
    __tablename__ = "periods"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)


class SubmissionRow(Base):
    """One reported value of a sub-index for a period. Never updated: a correction is a new row."""

    __tablename__ = "submissions"
    # The newest values of each sub-index and period (storage.current), read in index order.
    __table_args__ = (
        Index("ix_submissions_newest", "indicator_id", "period_id", "part", "created_at", "id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicators.id"), index=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("periods.id"))
    value: Mapped[Decimal | None] = mapped_column(VALUE, nullable=True)
    points: Mapped[Decimal | None] = mapped_column(POINTS, nullable=True)
    source_max: Mapped[Decimal | None] = mapped_column(POINTS, nullable=True)
    unit: Mapped[str] = mapped_column(String(64), default="")
    status: Mapped[ReviewStatus] = mapped_column(_values(ReviewStatus))
    source: Mapped[str] = mapped_column(Text, default="")
    note: Mapped[str] = mapped_column(Text, default="")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"), nullable=True)
    chat_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # official: an evaluator's points or published results; reported: a document's measured
    # figure or a focal point's value (official once an administrator approves it).
    provenance: Mapped[str] = mapped_column(String(16), default="reported")
    part: Mapped[str] = mapped_column(String(32), default="")  # row of a broken-down target
    text: Mapped[str] = mapped_column(Text, default="")  # a value stated in words
    verdict: Mapped[str] = mapped_column(String(16), default="")  # achievement the source states
    rank: Mapped[int | None] = mapped_column(Integer, nullable=True)
    rank_of: Mapped[int | None] = mapped_column(Integer, nullable=True)


class SourceNoteRow(Base):
    """A figure a document gives about a sub-index that is not its value (one operator's
    network, a count beside a share), shown on the sub-index's card."""

    __tablename__ = "source_notes"
    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicators.id"), index=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("periods.id"))
    text: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ChatFrameworkRow(Base):
    """The framework a chat's questions are answered from, set by an administrator."""

    __tablename__ = "chat_frameworks"
    id: Mapped[int] = mapped_column(primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    framework_code: Mapped[str] = mapped_column(String(64))
    set_by: Mapped[str] = mapped_column(String(64))
    set_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class AuditRow(Base):
    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64))
    entity: Mapped[str] = mapped_column(String(64))
    entity_key: Mapped[str] = mapped_column(String(128))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class InviteRow(Base):
    """A code that links a Telegram account to an agency (`/start CODE`)."""

    __tablename__ = "invites"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    max_uses: Mapped[int] = mapped_column(Integer, default=1)
    uses: Mapped[int] = mapped_column(Integer, default=0)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class DraftRow(Base):
    """A previewed update waiting for Confirm / Cancel. Its buttons carry its id."""

    __tablename__ = "drafts"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"), nullable=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicators.id"))
    period_id: Mapped[int] = mapped_column(ForeignKey("periods.id"))
    value: Mapped[Decimal] = mapped_column(VALUE)
    note: Mapped[str] = mapped_column(Text, default="")
    chat_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    # The newest submission for the sub-index and period when the preview was shown: a confirm
    # after another value arrived would store a number previewed against stale figures.
    base_submission_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    status: Mapped[DraftStatus] = mapped_column(_values(DraftStatus), default=DraftStatus.OPEN)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class ReviewRow(Base):
    """An administrator's decision on a submission (thẩm định): one per submission, which the
    database enforces, so two administrators deciding at once cannot both succeed."""

    __tablename__ = "reviews"
    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(
        ForeignKey("submissions.id"), index=True, unique=True
    )
    decision: Mapped[ReviewStatus] = mapped_column(_values(ReviewStatus))
    comment: Mapped[str] = mapped_column(Text, default="")
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class EvidenceRow(Base):
    """A file sent as evidence for a sub-index and period. Telegram keeps it under `file_id`
    (for this bot token only); the archive keeps a copy under `sha256` (None: not archived, the
    download failed or the row is older than the archive)."""

    __tablename__ = "evidence"
    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicators.id"), index=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("periods.id"))
    submission_id: Mapped[int | None] = mapped_column(ForeignKey("submissions.id"), nullable=True)
    file_id: Mapped[str] = mapped_column(String(255))
    file_unique_id: Mapped[str] = mapped_column(String(64))
    file_name: Mapped[str] = mapped_column(String(255), default="")
    mime_type: Mapped[str] = mapped_column(String(128), default="")
    kind: Mapped[str] = mapped_column(String(16))
    size: Mapped[int] = mapped_column(BigInteger, default=0)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    chat_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    sha256: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)


class ExplanationRow(Base):
    """A focal point's explanation (giải trình) of a sub-index's value for a period."""

    __tablename__ = "explanations"
    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicators.id"), index=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("periods.id"))
    text: Mapped[str] = mapped_column(Text)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class DeadlineChangeRow(Base):
    """An administrator's change to the calendar (add, move, cancel), applied in id order."""

    __tablename__ = "deadline_changes"
    id: Mapped[int] = mapped_column(primary_key=True)
    action: Mapped[str] = mapped_column(String(16))
    key: Mapped[str] = mapped_column(String(64), index=True)
    due: Mapped[date | None] = mapped_column(Date, nullable=True)
    period: Mapped[str] = mapped_column(String(16), default="")
    audience: Mapped[str] = mapped_column(String(64), default="holders")
    title: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class DeliveryRow(Base):
    """One reminder to one chat for one run. The unique key is claimed before sending, so no
    process sends it twice; status moves claimed -> sent | failed | blocked | unknown, and an
    unknown one (the send timed out after it left) is sent once more after a check window."""

    __tablename__ = "deliveries"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(160), unique=True)
    run_key: Mapped[str] = mapped_column(String(96), index=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(16))  # reminder | overdue | summary | conference
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_by: Mapped[str] = mapped_column(String(96))
    claimed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    error: Mapped[str] = mapped_column(Text, default="")
    resent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class RankingRow(Base):
    """The province's official DTI rank for a year, entered by an administrator or seeded."""

    __tablename__ = "rankings"
    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer, unique=True)
    rank: Mapped[int] = mapped_column(Integer)
    of_total: Mapped[int] = mapped_column(Integer)
    dti: Mapped[Decimal | None] = mapped_column(Numeric(6, 4), nullable=True)
    source: Mapped[str] = mapped_column(Text, default="")


class DigestRow(Base):
    """A group's subscription to a weekly or monthly summary at a chosen local time."""

    __tablename__ = "digests"
    id: Mapped[int] = mapped_column(primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    frequency: Mapped[str] = mapped_column(String(16))  # weekly | monthly
    day: Mapped[int] = mapped_column(Integer)  # weekday 0 (Monday)-6, or day of month 1-28
    hour: Mapped[int] = mapped_column(Integer)
    minute: Mapped[int] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(default=True)
    # The forum topic /dangkytomtat was typed in: the summary goes there (None: General).
    thread_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class BroadcastRow(Base):
    """An administrator's announcement to a role or an agency: a draft until confirmed, then
    sent once to each recipient (each delivery claimed in `deliveries`, run key
    "broadcast:<id>")."""

    __tablename__ = "broadcasts"
    id: Mapped[int] = mapped_column(primary_key=True)
    audience: Mapped[str] = mapped_column(String(64))  # a role word, or "agency:<code>"
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))  # draft | sending | sent | cancelled
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class FrameworkImportRow(Base):
    """A framework file sent in chat, waiting for Apply / Cancel (its buttons carry the id)."""

    __tablename__ = "framework_imports"
    id: Mapped[int] = mapped_column(primary_key=True)
    file_name: Mapped[str] = mapped_column(String(255))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    code: Mapped[str] = mapped_column(String(64))  # the code it is imported under
    status: Mapped[str] = mapped_column(String(16))  # pending | applied | cancelled
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class ValueChangeRow(Base):
    """Which sub-index and period got a value or a review at each "values" revision: written by
    triggers (migration 0013), read by processes that keep current values to refresh only
    those (since migration 0015, only the values inserted). The triggers keep the newest 10,000
    revisions' rows (migration 0014)."""

    __tablename__ = "value_changes"
    revision: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    indicator_id: Mapped[int] = mapped_column(Integer)
    period_id: Mapped[int] = mapped_column(Integer)
    # The value an insert touched (the value stored, or the one a review decided) and what was
    # inserted, "value" or "review"; None for an UPDATE and for rows before migration 0015.
    submission_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    kind: Mapped[str | None] = mapped_column(String(8), nullable=True)


class RevisionRow(Base):
    """A counter bumped with every change of one kind of cached data ("reference": agencies,
    groups, frameworks, assignments; "values": submissions and reviews, counted by triggers),
    so that every process notices and reloads."""

    __tablename__ = "revisions"
    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[int] = mapped_column(Integer, default=0)


class UpdateJournalRow(Base):
    """One update received from Telegram, recorded before Telegram is told it arrived (the next
    getUpdates offset, or the webhook's HTTP answer). Inserting it claims it for one process;
    status moves claimed -> handled | skipped (could not be parsed) | failed (crashed the bot
    repeatedly). Handled rows are pruned after a while."""

    __tablename__ = "update_journal"
    bot_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    kind: Mapped[str] = mapped_column(String(32))
    payload: Mapped[str] = mapped_column(Text)  # the update's JSON as received
    status: Mapped[str] = mapped_column(String(16), index=True)
    owner: Mapped[str] = mapped_column(String(96))
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    claimed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(
        DateTime(timezone=True), nullable=True, index=True
    )
    error: Mapped[str] = mapped_column(Text, default="")


class BotStateRow(Base):
    """A value the bot makes once and every process on the database shares (the webhook secret
    when WEBHOOK_SECRET is not set)."""

    __tablename__ = "bot_state"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
