"""Inspections (暗访检查): records from the phone, photo evidence, publishing, findings → items."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import with_appcontext


def init_app(app: Flask) -> None:
    from webapp.inspections import api  # noqa: F401 (registers the API child blueprint)
    from webapp.inspections.views import bp

    app.register_blueprint(bp)
    app.cli.add_command(seed_checklists_command)
    app.jinja_env.globals["item_findings"] = _item_findings


def _item_findings(item) -> list[dict]:
    """For the item page: the findings linked to `item` that the current user may see."""
    from flask_login import current_user

    from webapp.inspections.links import findings_for_item

    return findings_for_item(item.id, current_user._get_current_object())


@click.command("seed-checklists")
@with_appcontext
def seed_checklists_command():
    """Add the default checklist items (per kind of unit) that are missing."""
    from webapp.extensions import db
    from webapp.inspections.checklists import seed_checklists

    added = seed_checklists()
    db.session.commit()
    click.echo(f"已添加 {added} 个检查项")
