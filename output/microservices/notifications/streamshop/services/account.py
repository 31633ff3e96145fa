"""User accounts: registration, login, profiles and addresses."""
from __future__ import annotations
import logging

from . import notifications, streaming

logger = logging.getLogger(__name__)

PROFILE_FIELDS = ("display_name", "bio", "country", "favourite_genres")
ADDRESS_FIELDS = ("recipient", "line1", "city", "postal_code", "country")
MAX_ADDRESSES = 5


# get_user moved to the users service: calls go over HTTP (service_clients/users.py).
from service_clients.users import get_user
