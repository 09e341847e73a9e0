"""`flask archive-verify`: re-hash every archived file and issued document file."""

from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext


@click.command("archive-verify")
@with_appcontext
def archive_verify():
    """Re-hash archived scans and issued documents; name any that changed or went missing."""
    from webapp.archive.services import verify_all

    checked, problems = verify_all()
    for problem in problems:
        click.echo(f"BAD  {problem}", err=True)
    if problems:
        click.echo(f"{len(problems)} of {checked} files changed or missing", err=True)
        sys.exit(1)
    click.echo(f"OK  {checked} files verified")
