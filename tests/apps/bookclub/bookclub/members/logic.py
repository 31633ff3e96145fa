"""Member accounts: sign-up, lookup, deactivation."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select

from bookclub.database import db_session
from bookclub.errors import DuplicateEmail, NotFound, ValidationError
from bookclub.members.models import Member

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def normalise_email(email: str) -> str:
    """Lower-case and trim an email address, rejecting obvious garbage."""
    cleaned = email.strip().lower()
    if not _EMAIL.match(cleaned):
        raise ValidationError(f"not a valid email address: {email!r}")
    return cleaned


def create_member(name: str, email: str) -> Member:
    """Register a new member; emails are unique (case-insensitively)."""
    name = name.strip()
    if not name:
        raise ValidationError("name must not be empty")
    email = normalise_email(email)
    if db_session.scalar(select(Member.id).where(Member.email == email)) is not None:
        raise DuplicateEmail(f"a member with email {email} already exists")
    member = Member(name=name, email=email)
    db_session.add(member)
    db_session.commit()
    return member


def get_member(member_id: int) -> Member:
    """Return the member with this id, or raise :class:`NotFound`."""
    member = db_session.get(Member, member_id)
    if member is None:
        raise NotFound(f"member {member_id} does not exist")
    return member


def deactivate_member(member_id: int) -> Member:
    """Close a member's account: they keep their history but cannot borrow."""
    member = get_member(member_id)
    member.active = False
    db_session.commit()
    return member


def member_to_dict(member: Member) -> dict[str, Any]:
    """The public JSON shape of a member."""
    return {
        "id": member.id,
        "name": member.name,
        "email": member.email,
        "active": member.active,
        "joined_at": member.joined_at.isoformat(timespec="seconds"),
    }
