"""User accounts: registration, login, profiles and addresses."""
from __future__ import annotations
import logging

from . import notifications, streaming

logger = logging.getLogger(__name__)

PROFILE_FIELDS = ("display_name", "bio", "country", "favourite_genres")
ADDRESS_FIELDS = ("recipient", "line1", "city", "postal_code", "country")
MAX_ADDRESSES = 5


# register_user moved to the server service: calls go over HTTP (service_clients/server.py).
from service_clients.server import register_user


# login moved to the server service: calls go over HTTP (service_clients/server.py).
from service_clients.server import login


# get_user moved to the server service: calls go over HTTP (service_clients/server.py).
from service_clients.server import get_user


# update_profile moved to the server service: calls go over HTTP (service_clients/server.py).
from service_clients.server import update_profile


# change_password moved to the server service: calls go over HTTP (service_clients/server.py).
from service_clients.server import change_password


# list_addresses moved to the server service: calls go over HTTP (service_clients/server.py).
from service_clients.server import list_addresses


# add_address moved to the server service: calls go over HTTP (service_clients/server.py).
from service_clients.server import add_address


# serialize_user moved to the server service: calls go over HTTP (service_clients/server.py).
from service_clients.server import serialize_user


# serialize_address moved to the server service: calls go over HTTP (service_clients/server.py).
from service_clients.server import serialize_address
