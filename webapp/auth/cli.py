"""Account commands: create-user."""

import click
from flask import Flask

from webapp.auth import services
from webapp.auth.models import Role
from webapp.extensions import db
from webapp.org.models import Unit


def register(app: Flask) -> None:
    @app.cli.command("create-user")
    @click.argument("username")
    @click.option("--name", default="", help="真实姓名")
    @click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
    @click.option("--unit", "unit_code", default=None, help="unit code (liaisons)")
    @click.password_option()
    def create_user(username, name, role, unit_code, password):
        """Create an account (password asked twice)."""
        unit = db.session.query(Unit).filter_by(code=unit_code).one_or_none() if unit_code else None
        if unit_code and unit is None:
            raise click.ClickException(f"no unit with code {unit_code}")
        try:
            services.create_user(username=username, name=name, role=Role(role),
                                 password=password, unit=unit)
        except Exception as err:
            raise click.ClickException(str(err)) from err
        db.session.commit()
        click.echo(f"created {username} ({role})")
