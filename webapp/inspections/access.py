"""Who sees which inspections: the one filter every list, count, detail and photo route uses.

Inspectors see their own inspections; office, leaders and admins see all; a liaison sees an
inspection of their own unit only once the office has published it, and then without the
inspectors' names, GPS or originals (`full_view` is False). Everything else is 404.
"""

from __future__ import annotations

from sqlalchemy import Select, false, func, select

from webapp.auth.models import STAFF_ROLES, Role, User
from webapp.errors import NotFound
from webapp.extensions import db
from webapp.inspections.models import Inspection, InspectionState, Photo

SEE_ALL = STAFF_ROLES
ORIGINALS = frozenset({Role.OFFICE, Role.LEADER})  # may download the original files
SEES_ITEMS = SEE_ALL  # inspectors never see supervision items; liaisons use the item pages


def visible_inspections(actor: User, stmt: Select | None = None) -> Select:
    """`stmt` (default: all inspections) narrowed to what `actor` may see."""
    stmt = stmt if stmt is not None else select(Inspection)
    if actor.role in SEE_ALL:
        return stmt
    if actor.role == Role.INSPECTOR:
        return stmt.where(Inspection.inspector_id == actor.id)
    if actor.role == Role.LIAISON and actor.unit_id is not None:
        return stmt.where(Inspection.state == InspectionState.PUBLISHED,
                          Inspection.target_unit_id == actor.unit_id)
    return stmt.where(false())


def count_visible(actor: User, stmt: Select | None = None) -> int:
    """How many inspections of `stmt` the actor may see (hidden ones never change the count)."""
    inner = visible_inspections(actor, stmt).with_only_columns(Inspection.id).subquery()
    return db.session.scalar(select(func.count()).select_from(inner))


def get_inspection(uuid: str, actor: User) -> Inspection:
    """The inspection if the actor may see it; otherwise 404 (never 403)."""
    found = db.session.scalar(visible_inspections(actor).where(Inspection.uuid == uuid))
    if found is None:
        raise NotFound("找不到该检查记录")
    return found


def get_photo(uuid: str, actor: User) -> Photo:
    """A received photo of a visible inspection; otherwise 404."""
    stmt = visible_inspections(actor, select(Photo).join(Photo.inspection))
    photo = db.session.scalar(stmt.where(Photo.uuid == uuid, Photo.received_at.is_not(None)))
    if photo is None:
        raise NotFound("找不到该照片")
    return photo


def full_view(actor: User) -> bool:
    """Whether serializers and pages may show inspectors' names, GPS and original files."""
    return actor.role in SEE_ALL or actor.role == Role.INSPECTOR


def may_download_original(actor: User) -> bool:
    return actor.role in ORIGINALS


def sees_items(actor: User) -> bool:
    """Whether pages and records may show findings' supervision items."""
    return actor.role in SEES_ITEMS
