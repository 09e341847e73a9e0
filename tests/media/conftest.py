"""Media fixtures: an app context (the store reads UPLOAD_ROOT from it) and a file lister."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield app


@pytest.fixture
def stored_files(app):
    """Every regular file under UPLOAD_ROOT (blobs and temp files alike)."""

    def files() -> list[Path]:
        root = Path(app.config["UPLOAD_ROOT"])
        return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []

    return files
