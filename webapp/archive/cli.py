"""`flask archive-verify`: re-hash every archived file and issued document file."""

from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext

from webapp.archive.models import ArchiveRecord
from webapp.archive.services import verify_all
from webapp.extensions import db


@click.command("archive-verify")
@with_appcontext
def archive_verify():
    """Re-hash archived scans and issued documents; name any that changed or went missing, or
    whose hash is not the one the audit log recorded."""
    checked, problems = verify_all()
    for problem in problems:
        click.echo(f"BAD  {problem}", err=True)
    if problems:
        bad = len({p.what for p in problems})
        click.echo(f"{bad} of {checked} files changed, missing or not as the audit log recorded",
                   err=True)
        sys.exit(1)
    click.echo(f"OK  {checked} files verified")


@click.command("archive-manifest")
@click.option("-o", "--output", type=click.File("w", encoding="utf-8"), default="-")
@with_appcontext
def archive_manifest(output):
    """Write the manifest of archived files (CSV: 档号, document, item, SHA-256, size, type,
    date) — to keep beside an export or print as an outside record."""
    import csv

    from sqlalchemy import select


    writer = csv.writer(output)
    writer.writerow(["archive_code", "doc_number", "item", "sha256", "size", "content_type",
                     "archived_on"])
    for rec in db.session.scalars(select(ArchiveRecord).order_by(ArchiveRecord.id)):
        writer.writerow([rec.archive_code, rec.document.doc_number,
                         rec.document.item.code if rec.document.item else "", rec.sha256,
                         rec.size, rec.content_type, rec.archived_on.isoformat()])
