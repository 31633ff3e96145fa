"""User accounts: registration, login, profiles and addresses."""
from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from streamshop.config import get_settings
from streamshop.models.notification import NotificationKind
from streamshop.models.user import Address, User
from streamshop.utils.auth import issue_token
from streamshop.utils.errors import Conflict, NotFound, Unauthorized
from streamshop.utils.timeutil import isoformat, utcnow
from streamshop.utils.validation import (
    ValidationError,
    optional_str,
    require_fields,
    validate_email,
    validate_password,
    validate_username,
)

from . import notifications, streaming

logger = logging.getLogger(__name__)

PROFILE_FIELDS = ("display_name", "bio", "country", "favourite_genres")
ADDRESS_FIELDS = ("recipient", "line1", "city", "postal_code", "country")
MAX_ADDRESSES = 5


class InvalidCredentials(Unauthorized):
    code = "invalid_credentials"


def register_user(
    session: Session,
    *,
    username: Any,
    email: Any,
    password: Any,
    display_name: Any = None,
) -> User:
    """Create an account, its notification preferences and a welcome message."""
    username = validate_username(username)
    email = validate_email(email)
    password = validate_password(password)
    if display_name is not None and (not isinstance(display_name, str) or len(display_name) > 80):
        raise ValidationError("display_name must be a string of at most 80 characters")

    clash = session.scalars(
        select(User).where(or_(User.username == username, func.lower(User.email) == email))
    ).first()
    if clash is not None:
        field = "username" if clash.username == username else "email"
        raise Conflict(f"{field} is already registered", details={"field": field})

    user = User(
        username=username,
        email=email,
        password_hash=generate_password_hash(password),
        display_name=(display_name or username).strip(),
        is_admin=email in get_settings().admin_emails,
    )
    session.add(user)
    session.flush()
    notifications.get_preferences(session, user.id)
    notifications.notify(
        session,
        user.id,
        NotificationKind.WELCOME,
        {"name": user.display_name},
        link="/api/catalog/titles",
    )
    session.commit()
    logger.info("registered user %s (%s)", user.id, user.username)
    return user


def find_user_by_login(session: Session, login: str) -> User | None:
    """Look a user up by username or email (case-insensitive)."""
    login = login.strip().lower()
    return session.scalars(
        select(User).where(or_(User.username == login, func.lower(User.email) == login))
    ).first()


def authenticate(session: Session, login: Any, password: Any) -> User:
    if not isinstance(login, str) or not isinstance(password, str):
        raise ValidationError("login and password are required")
    user = find_user_by_login(session, login)
    if user is None or not user.is_active or not check_password_hash(user.password_hash, password):
        raise InvalidCredentials("invalid username/email or password")
    return user


def login(session: Session, login_name: Any, password: Any) -> tuple[User, str]:
    """Check credentials, stamp ``last_login_at`` and issue a bearer token."""
    user = authenticate(session, login_name, password)
    user.last_login_at = utcnow()
    session.commit()
    return user, issue_token(user.id, is_admin=user.is_admin)


def get_user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None or not user.is_active:
        raise NotFound("user not found")
    return user


def update_profile(session: Session, user_id: int, changes: Mapping[str, Any]) -> User:
    unknown = sorted(set(changes) - set(PROFILE_FIELDS))
    if unknown:
        raise ValidationError("unknown profile fields", details={"fields": unknown})
    user = get_user(session, user_id)
    display_name = optional_str(changes, "display_name", max_length=80)
    if display_name is not None:
        if not display_name:
            raise ValidationError("display_name cannot be empty")
        user.display_name = display_name
    bio = optional_str(changes, "bio", max_length=2000)
    if bio is not None:
        user.bio = bio
    if "country" in changes:
        country = optional_str(changes, "country", max_length=2)
        if country is not None and (len(country) != 2 or not country.isalpha()):
            raise ValidationError("country must be a two-letter ISO code")
        user.country = country.upper() if country else None
    if "favourite_genres" in changes:
        genres = changes["favourite_genres"]
        if not isinstance(genres, list) or not all(isinstance(g, str) for g in genres):
            raise ValidationError("favourite_genres must be a list of strings")
        user.favourite_genres = ",".join(sorted({g.strip().lower() for g in genres if g.strip()}))
    session.commit()
    return user


def change_password(session: Session, user_id: int, current: Any, new: Any) -> None:
    user = get_user(session, user_id)
    if not isinstance(current, str) or not check_password_hash(user.password_hash, current):
        raise InvalidCredentials("current password is incorrect")
    user.password_hash = generate_password_hash(validate_password(new))
    # Existing tokens stay valid until they expire, but open streams are cut.
    streaming.end_all_sessions(session, user_id)
    session.commit()


def list_addresses(session: Session, user_id: int) -> list[Address]:
    return list(
        session.scalars(select(Address).where(Address.user_id == user_id).order_by(Address.id))
    )


def add_address(session: Session, user_id: int, data: Mapping[str, Any]) -> Address:
    require_fields(data, *ADDRESS_FIELDS)
    existing = list_addresses(session, user_id)
    if len(existing) >= MAX_ADDRESSES:
        raise Conflict(f"at most {MAX_ADDRESSES} addresses are allowed")
    fields = {name: optional_str(data, name, max_length=200) or "" for name in ADDRESS_FIELDS}
    if len(fields["country"]) != 2:
        raise ValidationError("country must be a two-letter ISO code")
    make_default = bool(data.get("is_default")) or not existing
    if make_default:
        for address in existing:
            address.is_default = False
    address = Address(
        user_id=user_id,
        label=optional_str(data, "label", max_length=40) or "home",
        line2=optional_str(data, "line2", max_length=200) or "",
        is_default=make_default,
        **{**fields, "country": fields["country"].upper()},
    )
    session.add(address)
    session.commit()
    return address


def get_default_address(session: Session, user_id: int) -> Address | None:
    return session.scalars(
        select(Address).where(Address.user_id == user_id, Address.is_default.is_(True))
    ).first()


def shipping_label(address: Address | Mapping[str, Any]) -> str:
    """Serialise an address into the JSON snapshot stored on orders."""
    if isinstance(address, Address):
        data = {name: getattr(address, name) for name in (*ADDRESS_FIELDS, "line2")}
    else:
        require_fields(address, *ADDRESS_FIELDS)
        data = {name: str(address.get(name, "")).strip() for name in (*ADDRESS_FIELDS, "line2")}
    return json.dumps(data, sort_keys=True)


def serialize_user(user: User, *, private: bool = True) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": user.id,
        "username": user.username,
        "display_name": user.display_name,
        "bio": user.bio,
        "country": user.country,
        "favourite_genres": user.genre_list,
        "created_at": isoformat(user.created_at),
    }
    if private:
        data.update(
            email=user.email,
            is_admin=user.is_admin,
            last_login_at=isoformat(user.last_login_at),
        )
    return data


def serialize_address(address: Address) -> dict[str, Any]:
    return {
        "id": address.id,
        "label": address.label,
        "recipient": address.recipient,
        "line1": address.line1,
        "line2": address.line2,
        "city": address.city,
        "postal_code": address.postal_code,
        "country": address.country,
        "is_default": address.is_default,
    }
