"""media domain: the content-addressed store under UPLOAD_ROOT, photo evidence, attachments."""

from __future__ import annotations

import click
from flask import Flask


def init_app(app: Flask) -> None:
    """Apply the pixel cap, log whether HEIC can be read, add the temp-cleaning command."""
    from PIL import Image

    from webapp.media.images import HEIF_AVAILABLE

    Image.MAX_IMAGE_PIXELS = int(app.config["MAX_IMAGE_PIXELS"])
    if not HEIF_AVAILABLE:
        app.logger.warning("pillow-heif is missing: HEIC photos will be refused")
    app.cli.add_command(clean_upload_temp)


@click.command("clean-upload-temp")
@click.option("--older-than", default=3600, show_default=True, help="age in seconds")
def clean_upload_temp(older_than: int) -> None:
    """Remove temp files of uploads that were interrupted (run daily from cron)."""
    from webapp.media.store import remove_stale_temp_files

    click.echo(f"removed {remove_stale_temp_files(older_than_seconds=older_than)} temp files")
