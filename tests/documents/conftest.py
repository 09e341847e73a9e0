"""Fixtures for the documents tests (life cycle, numbers, archive, rendering)."""

from __future__ import annotations

import os
from pathlib import Path

# Subset fonts are built once (~30 s) and reused across test runs instead of per session.
os.environ.setdefault("DUBAN_FONT_CACHE",
                      str(Path(__file__).resolve().parents[2] / "instance" / "fonts"))
