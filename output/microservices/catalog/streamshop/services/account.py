"""User accounts: registration, login, profiles and addresses."""
from __future__ import annotations
import logging
from typing import Any
from streamshop.models.user import User
from streamshop.utils.timeutil import isoformat

from . import notifications, streaming

logger = logging.getLogger(__name__)

PROFILE_FIELDS = ("display_name", "bio", "country", "favourite_genres")
ADDRESS_FIELDS = ("recipient", "line1", "city", "postal_code", "country")
MAX_ADDRESSES = 5


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
