"""A short StreamShop journey written with the client verify passes in: JSON bodies, a token, a header."""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from generator.verify import JourneyClient


def journey(client: JourneyClient) -> None:
    name = f"journey_{secrets.token_hex(4)}"  # random on purpose: the monolith's two runs differ here too
    password = "journey-pass-42"
    created = client.post(
        "/api/auth/register", json={"username": name, "email": f"{name}@example.com", "password": password}
    )
    assert created.status == 201, created.text
    token = client.post("/api/auth/login", json={"login": name, "password": password}).json()["token"]
    client.headers["Authorization"] = f"Bearer {token}"
    client.get("/api/users/me")
    client.get("/api/catalog/titles", params={"page": 1, "per_page": 2})
    client.get("/api/cart")
