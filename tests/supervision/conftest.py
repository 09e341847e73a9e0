"""Fixtures shared by the supervision tests."""

from __future__ import annotations

import pytest


@pytest.fixture
def as_(request, api_headers):
    """as_("office") -> Bearer headers for that persona fixture, created and signed in on
    first use (tokens fetched once per test)."""
    cache: dict[str, dict] = {}

    def headers(name: str) -> dict[str, str]:
        if name not in cache:
            cache[name] = api_headers(request.getfixturevalue(name))
        return cache[name]

    return headers
