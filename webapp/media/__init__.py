"""media domain: the content-addressed store under UPLOAD_ROOT, photo evidence, attachments."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Apply the pixel cap and log whether HEIC photos can be read (nothing to register)."""
    from PIL import Image

    from webapp.media.images import HEIF_AVAILABLE

    Image.MAX_IMAGE_PIXELS = int(app.config["MAX_IMAGE_PIXELS"])
    if not HEIF_AVAILABLE:
        app.logger.warning("pillow-heif is missing: HEIC photos will be refused")
