"""Anchors of the audit chain's head, kept outside the database (AUDIT_ANCHOR_FILE).

The hash chain shows any event changed, inserted or removed in the middle, but not the newest
events removed: what is left is still a valid chain. So the head — how many events there are,
the newest one's id and hash — is written down elsewhere: on every `audit-verify` and once a
day (the first request after AUDIT_ANCHOR_INTERVAL), appended to a file outside instance/ and
to the log. `audit-verify` then checks that the chain still holds every anchored head.

One line per anchor, tab-separated: time, kind (verify, daily, restore), database, count,
head id and hash. Lines of other databases (the file may be shared) are ignored. A `restore`
line, written by `flask restore`, states that the database was set back to a backup: events
anchored before it beyond the restored count are reported as lost in the restore, not as
tampering.
"""

from __future__ import annotations

import fcntl
import logging
import os
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from flask import current_app
from sqlalchemy import text

from webapp.database import utcnow
from webapp.extensions import db

log = logging.getLogger(__name__)

KINDS = ("verify", "daily", "restore")
_next_daily_check: dict[str, float] = {}  # database → monotonic time of the next look


@dataclass(frozen=True)
class Anchor:
    at: datetime
    kind: str
    database: str
    count: int
    head_id: int | None  # None for an empty chain
    hash: str | None

    def line(self) -> str:
        return "\t".join([self.at.isoformat(timespec="seconds"), self.kind,
                          f"db={self.database}", f"count={self.count}",
                          f"head=#{self.head_id or 0}", f"hash={self.hash or '-'}"])

    def describe(self) -> str:
        head = f"最新事件 #{self.head_id}，哈希 {self.hash}" if self.head_id else "空链"
        return f"{self.at.isoformat(timespec='seconds')} 的锚点（{self.count} 条事件，{head}）"

    @classmethod
    def parse(cls, line: str) -> Anchor | None:
        parts = line.rstrip("\n").split("\t")
        if len(parts) != 6 or parts[1] not in KINDS:
            return None
        try:
            fields = dict(p.split("=", 1) for p in parts[2:])
            head_id = int(fields["head"].removeprefix("#"))
            return cls(datetime.fromisoformat(parts[0]), parts[1], fields["db"],
                       int(fields["count"]), head_id or None,
                       None if fields["hash"] == "-" else fields["hash"])
        except (KeyError, ValueError):
            return None


def path() -> Path:
    return Path(current_app.config["AUDIT_ANCHOR_FILE"])


def database_id() -> str:
    """The database as configured, without password or driver: whose anchors these are."""
    url = db.engine.url
    return url.set(drivername=url.get_backend_name(), password=None).render_as_string(
        hide_password=False)


def head(kind: str) -> Anchor:
    """The chain's committed head now, read in one statement (one snapshot)."""
    with db.engine.connect() as conn:
        row = conn.execute(text(
            "SELECT h.id, h.hash, (SELECT count(*) FROM audit_event WHERE id <= h.id) "
            "FROM (SELECT id, hash FROM audit_event ORDER BY id DESC LIMIT 1) h")).first()
    head_id, hash_, count = row if row else (None, None, 0)
    return Anchor(utcnow(), kind, database_id(), count, head_id, hash_)


def append(anchor: Anchor) -> Anchor:
    """Append an anchor to the file (created 0600, in a 0700 folder) and log it."""
    target = path()
    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    with os.fdopen(fd, "a", encoding="utf-8") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        f.write(anchor.line() + "\n")
        f.flush()
        os.fsync(f.fileno())
    log.info("audit anchor: %s", anchor.line())
    return anchor


def read() -> list[Anchor]:
    """This database's anchors, oldest first (a missing file has none)."""
    try:
        lines = path().read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return []
    me = database_id()
    return [a for a in map(Anchor.parse, lines) if a is not None and a.database == me]


def expectations(anchors: list[Anchor]) -> tuple[dict[int, Anchor], list[Anchor]]:
    """({count: anchor} the chain must still match, [anchors lost in a documented restore])."""
    expected: dict[int, Anchor] = {}
    lost: list[Anchor] = []
    for anchor in anchors:
        if anchor.kind == "restore":
            lost += [a for n, a in expected.items() if n > anchor.count]
            expected = {n: a for n, a in expected.items() if n <= anchor.count}
        expected[anchor.count] = anchor
    return expected, lost


def truncation(count: int, expected: dict[int, Anchor]) -> Anchor | None:
    """The newest anchor holding more events than the chain has now, if any."""
    beyond = [a for n, a in expected.items() if n > count]
    return max(beyond, key=lambda a: a.count) if beyond else None


def daily() -> None:
    """Once per AUDIT_ANCHOR_INTERVAL, anchor the head (called before requests; cheap: it looks
    at the file at most once an hour per process)."""
    me = database_id()
    now = time.monotonic()
    if now < _next_daily_check.get(me, 0):
        return
    _next_daily_check[me] = now + 3600
    try:
        anchors = read()
        interval = current_app.config["AUDIT_ANCHOR_INTERVAL"]
        if not anchors or utcnow() - anchors[-1].at >= interval:
            append(head("daily"))
    except OSError as err:  # an unwritable anchor folder must not break requests
        log.error("audit anchor not written to %s: %s", path(), err)
