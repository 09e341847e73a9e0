"""Helpers for tests: persona records and logging a test client in."""

from __future__ import annotations

from dataclasses import dataclass

from webapp.auth.models import Role

PASSWORD = "correct-horse-battery-staple"


@dataclass(frozen=True)
class Persona:
    id: int
    username: str
    password: str
    role: Role
    unit_id: int | None
    name: str


@dataclass(frozen=True)
class UnitRef:
    id: int
    code: str
    name: str


def login(client, persona: Persona):
    resp = client.post("/login", data={"username": persona.username,
                                       "password": persona.password})
    assert resp.status_code == 302, resp.get_data(as_text=True)[:500]
    return client
