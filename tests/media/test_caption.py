"""The caption strip under the display copy: visible Chinese text, photo pixels untouched."""

from __future__ import annotations

from datetime import UTC, datetime
from io import BytesIO

from fontTools.ttLib import TTFont
from PIL import Image

from tests.media.imaging import (
    QUADRANTS,
    close,
    jpeg_bytes,
    make_exif,
    open_stored,
    quadrant_colours,
    quadrant_image,
)
from webapp.media import caption as caption_module
from webapp.media.caption import MAX_LINES, add_caption, caption_font, font_file
from webapp.media.photos import ingest_photo

CAPTION = "2026年11月27日 09:30 · 城关派出所 · 东大街12号 检查现场"


def _bright_pixels(img: Image.Image) -> int:
    return sum(img.convert("L").point(lambda v: 255 if v > 200 else 0).histogram()[255:])


def test_fontconfig_finds_a_font_with_chinese_glyphs():
    found = font_file()
    assert found is not None
    with TTFont(found[0], fontNumber=found[1], lazy=True) as font:
        cmap = font.getBestCmap()
        assert all(ord(c) in cmap for c in "督办城关派出所检查现场")


def test_font_objects_are_cached():
    assert caption_font(32) is caption_font(32)


def test_display_copy_gets_a_strip_below_the_photo(ctx):
    data = jpeg_bytes(quadrant_image(800, 600), quality=95)
    plain = ingest_photo(BytesIO(data))
    captioned = ingest_photo(BytesIO(data), caption=CAPTION)
    assert captioned.sha256 == plain.sha256
    assert captioned.thumb_sha256 == plain.thumb_sha256
    assert captioned.display_sha256 != plain.display_sha256
    display = open_stored(captioned.display_sha256)
    assert display.width == 800 and 620 < display.height < 700
    photo = display.crop((0, 0, 800, 600))
    for name, colour in quadrant_colours(photo).items():
        assert close(colour, QUADRANTS[name])
    strip = display.crop((0, 604, 800, display.height))
    assert close(strip.getpixel((2, strip.height - 2)), caption_module.BACKGROUND)
    assert _bright_pixels(strip) > 200  # the text is drawn
    assert open_stored(captioned.thumb_sha256).size == (320, 240)


def test_caption_text_changes_the_strip(ctx):
    base = quadrant_image(400, 300)
    a = add_caption(base, "城关派出所")
    b = add_caption(base, "交警大队")
    assert a.size == b.size
    assert a.tobytes() != b.tobytes()
    assert add_caption(base, "  \x00\n ") is base  # nothing printable: no strip


def test_long_caption_is_cut_to_three_lines():
    base = quadrant_image(400, 300)
    one_line = add_caption(base, "城关")
    long = add_caption(base, "城关派出所东大街检查现场" * 40)
    strip_one = one_line.height - 300
    strip_long = long.height - 300
    assert strip_long > strip_one
    assert strip_long - strip_one <= (MAX_LINES - 1) * round(caption_font(14).size * 1.35 + 1)


def test_caption_can_depend_on_the_capture_time(ctx):
    exif = make_exif(taken="2026:11:27 09:30:00")
    data = jpeg_bytes(quadrant_image(800, 600), exif)
    seen = []

    def caption(taken_at):
        seen.append(taken_at)
        return f"{taken_at:%Y-%m-%d %H:%M} 城关派出所"

    info = ingest_photo(BytesIO(data), caption=caption)
    assert seen == [datetime(2026, 11, 27, 1, 30, tzinfo=UTC)]
    same = ingest_photo(BytesIO(data), caption="2026-11-27 01:30 城关派出所")
    assert info.display_sha256 == same.display_sha256
    assert ingest_photo(BytesIO(jpeg_bytes(quadrant_image(800, 600))),
                        caption=lambda t: "" if t is None else "x").display_sha256 == (
        ingest_photo(BytesIO(jpeg_bytes(quadrant_image(800, 600)))).display_sha256)
