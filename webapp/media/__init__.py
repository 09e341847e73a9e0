"""media domain: the content-addressed store under UPLOAD_ROOT, photo evidence, attachments."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import with_appcontext


def init_app(app: Flask) -> None:
    """Apply the pixel cap, log whether HEIC can be read, add the temp-cleaning command, and
    remove temp files that uploads cut off by a crash left behind."""
    from PIL import Image

    from webapp.media.images import HEIF_AVAILABLE
    from webapp.media.store import remove_stale_temp_files

    Image.MAX_IMAGE_PIXELS = int(app.config["MAX_IMAGE_PIXELS"])
    if not HEIF_AVAILABLE:
        app.logger.warning("pillow-heif is missing: HEIC photos will be refused")
    app.cli.add_command(clean_upload_temp)
    with app.app_context():
        remove_stale_temp_files()


@click.command("clean-upload-temp")
@click.option("--older-than", type=int, default=None,
              help="age in seconds (default: UPLOAD_TEMP_MAX_AGE)")
@with_appcontext
def clean_upload_temp(older_than: int | None) -> None:
    """Remove temp files of interrupted uploads now (the app also does it at start-up and
    every UPLOAD_TEMP_MAX_AGE / 4 while uploads come in)."""
    from webapp.media.store import remove_stale_temp_files

    click.echo(f"removed {remove_stale_temp_files(older_than_seconds=older_than)} temp files")
