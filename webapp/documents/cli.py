"""Commands: `flask render KIND` (a draft from the command line) and `flask render-pending`
(render issued documents whose files are missing after a failure)."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import click
from flask.cli import with_appcontext

from webapp.auth.models import Role, User
from webapp.documents import kinds, services
from webapp.errors import DomainError
from webapp.extensions import db
from webapp.inspections.models import Inspection
from webapp.supervision.services import item_by_code


def _office_actor():
    """Drafts from the command line are made as the first active office user."""
    from sqlalchemy import select


    user = db.session.scalar(select(User).where(User.role == Role.OFFICE, User.active)
                             .order_by(User.id).limit(1))
    if user is None:
        raise click.ClickException("没有可用的督办员账号 / no active office user")
    return user


@click.command("render")
@with_appcontext
@click.argument("kind", type=click.Choice(kinds.names()))
@click.option("--item", "item_code", help="item code, e.g. 2026-045")
@click.option("--start", type=click.DateTime(["%Y-%m-%d"]), help="circular: first day")
@click.option("--end", type=click.DateTime(["%Y-%m-%d"]), help="circular: last day")
@click.option("--inspection", "inspection_uuid", help="inspection_record: inspection UUID")
@click.option("--format", "fmt", type=click.Choice(["pdf", "docx"]), default="pdf")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), required=True)
def render_cmd(kind, item_code, start, end, inspection_uuid, fmt, output):
    """Render a DRAFT (草稿, no number; nothing stored) of a document to a file."""

    kind = kinds.get(kind)
    options = services.Options()
    item = None
    if kind.subject == kinds.Subject.PERIOD:
        if not start or not end:
            raise click.UsageError(f"{kind} needs --start and --end")
        options.start, options.end = date.fromisoformat(start.date().isoformat()), \
            date.fromisoformat(end.date().isoformat())
    elif kind.subject == kinds.Subject.INSPECTION:
        options.inspection_id = _inspection_id(inspection_uuid)
    else:
        if not item_code:
            raise click.UsageError(f"{kind} needs --item CODE")
        item = item_by_code(item_code)
        if item is None:
            raise click.ClickException(f"找不到督办事项 {item_code}")
    try:
        data = services.preview(kind, actor=_office_actor(), item=item, options=options,
                                fmt=fmt)
    except DomainError as err:
        raise click.ClickException(err.message) from None
    Path(output).write_bytes(data)
    click.echo(f"草稿已生成：{output}（{len(data)} 字节）")


def _inspection_id(uuid: str | None) -> int:
    from sqlalchemy import select


    if not uuid:
        raise click.UsageError("this kind needs --inspection UUID")
    found = db.session.scalar(select(Inspection.id).where(Inspection.uuid == uuid))
    if found is None:
        raise click.ClickException(f"找不到检查记录 {uuid}")
    return found


@click.command("render-pending")
@with_appcontext
def render_pending():
    """Render the files of issued documents whose rendering failed or was interrupted."""

    failed = 0
    docs = services.pending_documents()
    for doc in docs:
        ok = services.render_document(doc)
        db.session.commit()
        click.echo(f"{'OK  ' if ok else 'FAIL'} {doc.doc_number}"
                   + ("" if ok else f"  {doc.render_error}"))
        failed += not ok
    click.echo(f"{len(docs) - failed} rendered, {failed} failed")
    if failed:
        sys.exit(1)
