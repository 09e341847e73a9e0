"""The caption strip under a display copy (time, place, unit), drawn with a CJK font."""

from __future__ import annotations

import functools
import logging
import shutil
import subprocess
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

log = logging.getLogger(__name__)

MAX_CAPTION_CHARS = 300
MAX_LINES = 3
BACKGROUND = (24, 24, 24)
FOREGROUND = (255, 255, 255)


@functools.cache
def font_file() -> tuple[str, int] | None:
    """(file, face index) of a Simplified Chinese font found by fontconfig, or None."""
    fc_match = shutil.which("fc-match")
    if not fc_match:
        return None
    try:
        out = subprocess.run(  # noqa: S603 (fixed arguments, no shell)
            [fc_match, "-f", "%{file}\t%{index}", "Noto Sans CJK SC:lang=zh-cn"],
            capture_output=True, text=True, timeout=10, check=True,
        ).stdout
    except (OSError, subprocess.SubprocessError) as err:
        log.warning("fc-match failed: %s", err)
        return None
    file, _, index = out.partition("\t")
    if not file or not Path(file).is_file():
        return None
    return file, int(index or 0)


@functools.lru_cache(maxsize=8)
def caption_font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """The caption font at `size` px (cached); Pillow's default font when no CJK font exists."""
    found = font_file()
    if found:
        return ImageFont.truetype(found[0], size, index=found[1])
    log.warning("no CJK font found: captions use Pillow's default font")
    return ImageFont.load_default(size)


def clean_caption(text: str) -> str:
    """One line of printable text, at most MAX_CAPTION_CHARS characters."""
    text = " ".join("".join(c if c.isprintable() else " " for c in text).split())
    return text[:MAX_CAPTION_CHARS]


def _wrap(text: str, font, width: int) -> list[str]:
    lines, line = [], ""
    for char in text:
        if line and font.getlength(line + char) > width:
            lines.append(line)
            line = char.lstrip()
        else:
            line += char
    if line:
        lines.append(line)
    if len(lines) > MAX_LINES:
        lines = lines[:MAX_LINES]
        lines[-1] = lines[-1][:-1] + "…"
    return lines


def add_caption(img: Image.Image, caption: str) -> Image.Image:
    """Return `img` with a dark strip below it carrying `caption` in white (pixels untouched)."""
    text = clean_caption(caption)
    if not text:
        return img
    width, height = img.size
    size = max(14, round(width / 50))
    pad = size // 2
    font = caption_font(size)
    lines = _wrap(text, font, width - 2 * pad)
    line_height = round(size * 1.35)
    out = Image.new("RGB", (width, height + 2 * pad + line_height * len(lines)), BACKGROUND)
    out.paste(img.convert("RGB"), (0, 0))
    draw = ImageDraw.Draw(out)
    for i, line in enumerate(lines):
        draw.text((pad, height + pad + i * line_height), line, font=font, fill=FOREGROUND)
    return out
