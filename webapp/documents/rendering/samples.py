"""Sample data (doc_templates/samples/<kind>.json) and synthetic photos for previews and tests."""

from __future__ import annotations

import functools
import hashlib
import io
import json

from webapp.documents.rendering.blocks import KINDS, REPO_TEMPLATES
from webapp.documents.rendering.errors import RenderError

SAMPLES = REPO_TEMPLATES / "samples"


def sample_data(kind: str) -> dict:
    """The realistic sample data of one kind."""
    if kind not in KINDS:
        raise RenderError(f"未知的公文种类 / Unknown document kind: {kind!r}")
    return json.loads((SAMPLES / f"{kind}.json").read_text(encoding="utf-8"))


def sample_photo_ref(label: str) -> str:
    """The ref the samples use for a synthetic photo."""
    return hashlib.sha256(label.encode()).hexdigest()


@functools.lru_cache(maxsize=16)
def synthetic_photo(ref: str, width: int = 1600, height: int = 1200) -> bytes:
    """A phone-photo-like JPEG display copy (gradients and grain, ~0.5 MB), seeded by ref."""
    from PIL import Image, ImageDraw, ImageFilter

    seed = int(ref[:8], 16)
    base = Image.linear_gradient("L").resize((width, height))
    r = base.rotate(seed % 360, expand=False)
    g = base.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    b = Image.effect_noise((width, height), 40 + seed % 30).filter(ImageFilter.GaussianBlur(1))
    image = Image.merge("RGB", (r, g, b))
    draw = ImageDraw.Draw(image)
    for i in range(12):
        x = (seed >> (i % 24)) % width
        y = (seed * (i + 3)) % height
        draw.rectangle((x, y, x + 180, y + 120), outline=(30 * i % 255, 90, 160), width=6)
    grain = Image.effect_noise((width, height), 18).convert("RGB")
    image = Image.blend(image, grain, 0.3)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=88)
    return out.getvalue()


def sample_image_loader(ref: str) -> bytes:
    """Image loader for the samples: every ref resolves to a synthetic photo."""
    return synthetic_photo(ref)
