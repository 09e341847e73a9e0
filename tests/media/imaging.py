"""Test images made with Pillow: quadrant markers, EXIF blocks, hand-made malformed files."""

from __future__ import annotations

import functools
import struct
import zlib
from io import BytesIO

from PIL import Image

# Upright test picture: four coloured quadrants, so any wrong rotation or flip shows.
QUADRANTS = {
    "top_left": (230, 20, 20),  # red
    "top_right": (20, 200, 20),  # green
    "bottom_left": (20, 20, 230),  # blue
    "bottom_right": (240, 220, 20),  # yellow
}

# How a camera stores an upright picture for each EXIF orientation (EXIF 2.3, tag 0x0112:
# where the stored 0th row / 0th column sit in the upright scene). Stored = upright.transpose(x).
STORED_FROM_UPRIGHT = {
    1: None,
    2: Image.Transpose.FLIP_LEFT_RIGHT,  # row0 top, col0 right
    3: Image.Transpose.ROTATE_180,  # row0 bottom, col0 right
    4: Image.Transpose.FLIP_TOP_BOTTOM,  # row0 bottom, col0 left
    5: Image.Transpose.TRANSPOSE,  # row0 left, col0 top
    6: Image.Transpose.ROTATE_90,  # row0 right, col0 top: viewer turns it 90° clockwise
    7: Image.Transpose.TRANSVERSE,  # row0 right, col0 bottom
    8: Image.Transpose.ROTATE_270,  # row0 left, col0 bottom: viewer turns it 90° anticlockwise
}


def quadrant_image(width: int, height: int) -> Image.Image:
    img = Image.new("RGB", (width, height))
    half_w, half_h = width // 2, height // 2
    boxes = {
        "top_left": (0, 0, half_w, half_h),
        "top_right": (half_w, 0, width, half_h),
        "bottom_left": (0, half_h, half_w, height),
        "bottom_right": (half_w, half_h, width, height),
    }
    for name, box in boxes.items():
        img.paste(QUADRANTS[name], box)
    return img


def quadrant_colours(img: Image.Image) -> dict[str, tuple[int, int, int]]:
    """The colour at the centre of each quadrant of `img`."""
    rgb = img.convert("RGB")
    w, h = rgb.size
    points = {
        "top_left": (w // 4, h // 4),
        "top_right": (3 * w // 4, h // 4),
        "bottom_left": (w // 4, 3 * h // 4),
        "bottom_right": (3 * w // 4, 3 * h // 4),
    }
    return {name: rgb.getpixel(xy) for name, xy in points.items()}


def close(a, b, tolerance: int = 40) -> bool:
    return all(abs(x - y) <= tolerance for x, y in zip(a, b, strict=True))


def make_exif(*, orientation: int | None = None, model: str | None = None,
              taken: str | None = None, offset: str | None = None,
              gps: dict | None = None) -> Image.Exif:
    exif = Image.Exif()
    if orientation is not None:
        exif[0x0112] = orientation
    if model is not None:
        exif[0x0110] = model
    if taken is not None or offset is not None:
        ifd = exif.get_ifd(0x8769)
        if taken is not None:
            ifd[0x9003] = taken
        if offset is not None:
            ifd[0x9011] = offset
    if gps:
        exif.get_ifd(0x8825).update(gps)
    return exif


def jpeg_bytes(img: Image.Image, exif: Image.Exif | None = None, **options) -> bytes:
    out = BytesIO()
    if exif is not None:
        options["exif"] = exif
    img.save(out, "JPEG", **options)
    return out.getvalue()


def encode(img: Image.Image, fmt: str, **options) -> bytes:
    out = BytesIO()
    img.save(out, fmt, **options)
    return out.getvalue()


def noisy_image(width: int, height: int) -> Image.Image:
    """A picture with texture (so JPEG sizes are realistic) and a gradient."""
    noise = Image.effect_noise((width, height), 40).convert("L")
    gradient = Image.linear_gradient("L").resize((width, height))
    return Image.merge("RGB", (noise, gradient, Image.eval(noise, lambda v: 255 - v)))


@functools.cache
def phone_heic(width: int = 1024, height: int = 768) -> bytes:
    """A HEIC stored as phones store one: a grid of 512 px HEVC tiles (written by pillow-heif)."""
    import pillow_heif

    saved = pillow_heif.options.GRID_TILE_SIZE
    pillow_heif.options.GRID_TILE_SIZE = 512
    try:
        return encode(noisy_image(width, height), "HEIF", quality=60)
    finally:
        pillow_heif.options.GRID_TILE_SIZE = saved


def with_app1(jpeg: bytes, payload: bytes) -> bytes:
    """Insert an APP1 segment carrying `payload` right after the JPEG's SOI marker."""
    segment = b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload
    return jpeg[:2] + segment + jpeg[2:]


def png_claiming(width: int, height: int) -> bytes:
    """A small PNG whose header claims `width` x `height` pixels (a decompression bomb)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 64)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat)
            + chunk(b"IEND", b""))


EPS = (b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\n"
       b"newpath 0 0 moveto 10 10 lineto stroke\nshowpage\n%%EOF\n")
BINARY_EPS = b"\xc5\xd0\xd3\xc6" + b"\x1e\x00\x00\x00" + b"\x00" * 24 + EPS
TEXT = "这是一个改名为 .jpg 的文本文件\n".encode()
MINIMAL_PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
               b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
               b"trailer<</Root 1 0 R>>\n%%EOF\n")


def open_stored(sha: str) -> Image.Image:
    """A stored blob decoded (needs an app context: the store's root comes from the app)."""
    from webapp.media.store import blob_path

    img = Image.open(blob_path(sha))
    img.load()
    return img
