"""Statuses and roles, named as in the glossary (shared/STYLE.md). Stored as their values.

"pending" means one thing only: a submitted value waiting for review (thẩm định). A preview
waiting for Confirm / Cancel is an *open* draft; input the bot asked for is *awaited*."""

from __future__ import annotations

from enum import StrEnum


class ReviewStatus(StrEnum):
    """Where a submitted value stands in review. The newest review decides it."""

    PENDING = "pending"  # not reviewed yet: "chờ thẩm định"
    APPROVED = "approved"  # "đã duyệt": counts in the official score
    REJECTED = "rejected"  # "trả lại" with a reason: never counts


class DraftStatus(StrEnum):
    """A previewed update, waiting for its author's Confirm or Cancel."""

    OPEN = "open"  # its buttons still work
    CONFIRMED = "confirmed"  # stored as a submission
    CANCELLED = "cancelled"
    SUPERSEDED = "superseded"  # a newer preview of the same sub-index and period replaced it
    STALE = "stale"  # someone else stored a value after the preview; nothing was stored


class UserRole(StrEnum):
    """What a person may do beyond asking: granted with /capquyen (or ADMIN_IDS for admin)."""

    MEMBER = "member"  # anyone; a focal point is a member linked to an agency
    LEADER = "leader"  # may subscribe a group to summaries
    ADMIN = "admin"  # reviews, invites, roles, the deadline calendar
