"""Photo ingest: formats, derivative sizes, originals kept, and refusals that store nothing."""

from __future__ import annotations

import hashlib
from io import BytesIO

import pytest
from PIL import Image

from tests.media.imaging import (
    BINARY_EPS,
    EPS,
    MINIMAL_PDF,
    TEXT,
    close,
    encode,
    jpeg_bytes,
    noisy_image,
    open_stored,
    phone_heic,
    png_claiming,
    quadrant_colours,
    quadrant_image,
)
from webapp.errors import InvalidInput, TooLarge, UnsupportedType
from webapp.media.photos import PhotoInfo, ingest_photo
from webapp.media.store import blob_path


def test_large_jpeg_gets_320_thumbnail_and_1600_display(ctx):
    data = jpeg_bytes(noisy_image(4000, 3000), quality=80)
    info = ingest_photo(BytesIO(data), expected_sha256=hashlib.sha256(data).hexdigest())
    assert isinstance(info, PhotoInfo)
    assert (info.content_type, info.width, info.height) == ("image/jpeg", 4000, 3000)
    assert (info.sha256, info.size) == (hashlib.sha256(data).hexdigest(), len(data))
    assert blob_path(info.sha256).read_bytes() == data  # the evidence, byte for byte
    thumb, display = open_stored(info.thumb_sha256), open_stored(info.display_sha256)
    assert (thumb.format, thumb.size) == ("JPEG", (320, 240))
    assert (display.format, display.size) == ("JPEG", (1600, 1200))


def test_portrait_long_edge_is_the_height(ctx):
    info = ingest_photo(BytesIO(jpeg_bytes(noisy_image(1500, 2000))))
    assert open_stored(info.thumb_sha256).size == (240, 320)
    assert open_stored(info.display_sha256).size == (1200, 1600)


def test_small_photo_is_never_upscaled(ctx):
    info = ingest_photo(BytesIO(jpeg_bytes(quadrant_image(200, 100))))
    assert open_stored(info.display_sha256).size == (200, 100)
    assert open_stored(info.thumb_sha256).size == (200, 100)


def test_png_with_transparency_is_flattened_on_white(ctx):
    img = quadrant_image(400, 200).convert("RGBA")
    img.paste((0, 0, 0, 0), (0, 0, 200, 100))  # transparent top-left quadrant
    info = ingest_photo(BytesIO(encode(img, "PNG")))
    assert (info.content_type, info.width, info.height) == ("image/png", 400, 200)
    colours = quadrant_colours(open_stored(info.display_sha256))
    assert close(colours["top_left"], (255, 255, 255))
    assert close(colours["bottom_right"], (240, 220, 20))


def test_sixteen_bit_greyscale_png(ctx):
    img = Image.linear_gradient("L").resize((300, 200)).convert("I").point(lambda v: v * 256)
    data = encode(img.convert("I;16"), "PNG")
    info = ingest_photo(BytesIO(data))
    display = open_stored(info.display_sha256)
    assert display.mode == "RGB"
    top, bottom = display.getpixel((150, 5)), display.getpixel((150, 195))
    assert top[0] < 30 and bottom[0] > 220  # the gradient survives, not clipped to white


def test_webp(ctx):
    info = ingest_photo(BytesIO(encode(quadrant_image(600, 400), "WEBP", quality=90)))
    assert (info.content_type, info.width, info.height) == ("image/webp", 600, 400)
    assert close(quadrant_colours(open_stored(info.thumb_sha256))["top_right"], (20, 200, 20))


def test_heic_round_trip(ctx):
    data = encode(quadrant_image(640, 480), "HEIF", quality=90)
    assert data[4:12] == b"ftypheic"
    info = ingest_photo(BytesIO(data))
    assert (info.content_type, info.width, info.height) == ("image/heic", 640, 480)
    assert blob_path(info.sha256).read_bytes() == data
    display = open_stored(info.display_sha256)
    assert (display.format, display.size) == ("JPEG", (640, 480))
    colours = quadrant_colours(display)
    assert close(colours["top_left"], (230, 20, 20))
    assert close(colours["bottom_left"], (20, 20, 230))


def test_same_photo_twice_gives_the_same_facts(ctx, stored_files):
    data = jpeg_bytes(quadrant_image(800, 600))
    first = ingest_photo(BytesIO(data))
    assert ingest_photo(BytesIO(data)) == first
    assert len(stored_files()) == 3  # original, thumbnail, display copy


# --- refusals: a clear error, and nothing left in the store --------------------------------


def _refused(stored_files, data: bytes, error=InvalidInput, **kwargs) -> InvalidInput:
    with pytest.raises(error) as caught:
        ingest_photo(BytesIO(data), **kwargs)
    assert stored_files() == []
    assert any("\u4e00" <= c <= "\u9fff" for c in caught.value.message)  # a Chinese message
    return caught.value


@pytest.mark.parametrize(
    "data",
    [MINIMAL_PDF, TEXT, EPS, BINARY_EPS, b"<svg xmlns='http://www.w3.org/2000/svg'/>"],
    ids=["pdf", "text", "eps", "binary-eps", "svg"],
)
def test_disguised_files_are_unsupported(ctx, stored_files, data):
    err = _refused(stored_files, data, UnsupportedType)
    assert err.status == 415


@pytest.mark.parametrize("fmt", ["GIF", "BMP", "TIFF"])
def test_real_images_outside_the_allowlist_are_unsupported(ctx, stored_files, fmt):
    _refused(stored_files, encode(quadrant_image(64, 64), fmt), UnsupportedType)


def test_zero_bytes(ctx, stored_files):
    assert _refused(stored_files, b"").code == "empty_file"


@pytest.mark.parametrize("keep", [0.5, 0.97])
def test_truncated_jpeg(ctx, stored_files, keep):
    data = jpeg_bytes(noisy_image(800, 600))
    err = _refused(stored_files, data[: int(len(data) * keep)])
    assert (err.code, err.status) == ("corrupt_image", 422)


def test_phone_heic_with_tiles_is_accepted(ctx):
    data = phone_heic()
    info = ingest_photo(BytesIO(data))
    assert (info.content_type, info.width, info.height) == ("image/heic", 1024, 768)
    assert blob_path(info.sha256).read_bytes() == data


def test_libheif_alone_decodes_a_cut_off_grid():
    """Why the container is checked: the decoder fills missing tiles instead of failing."""
    data = phone_heic()
    with Image.open(BytesIO(data[: int(len(data) * 0.95)]), formats=["HEIF"]) as img:
        img.load()
        assert img.size == (1024, 768)


@pytest.mark.parametrize("keep", [0.95, 0.9, 0.5, 0.3])
def test_truncated_heic_is_refused_like_a_truncated_jpeg(ctx, stored_files, keep):
    data = phone_heic()
    err = _refused(stored_files, data[: int(len(data) * keep)])
    assert (err.code, err.status) == ("corrupt_image", 422)


def test_jpeg_magic_followed_by_junk(ctx, stored_files):
    err = _refused(stored_files, b"\xff\xd8\xff\xe0" + b"not really a jpeg" * 20)
    assert err.status in (415, 422)


def test_truncated_png(ctx, stored_files):
    data = encode(noisy_image(300, 200), "PNG")
    assert _refused(stored_files, data[: len(data) // 2]).code == "corrupt_image"


def test_hash_mismatch(ctx, stored_files):
    data = jpeg_bytes(quadrant_image(100, 100))
    wrong = hashlib.sha256(data + b"x").hexdigest()
    assert _refused(stored_files, data, expected_sha256=wrong).code == "hash_mismatch"


def test_size_limit_from_config(ctx, stored_files, monkeypatch):
    data = jpeg_bytes(noisy_image(300, 200))
    monkeypatch.setitem(ctx.config, "MAX_PHOTO_BYTES", len(data) - 1)
    assert _refused(stored_files, data, TooLarge).status == 413
    monkeypatch.setitem(ctx.config, "MAX_PHOTO_BYTES", len(data))
    assert ingest_photo(BytesIO(data)).size == len(data)


def test_size_limit_argument(ctx, stored_files):
    data = jpeg_bytes(noisy_image(300, 200))
    _refused(stored_files, data, TooLarge, max_bytes=len(data) - 1)


def test_png_header_claiming_ten_gigapixels(ctx, stored_files):
    assert _refused(stored_files, png_claiming(100_000, 100_000)).code == "too_many_pixels"


@pytest.fixture
def small_cap(ctx, monkeypatch):
    """A 10 000-pixel cap; Pillow's global is restored after the test."""
    monkeypatch.setitem(ctx.config, "MAX_IMAGE_PIXELS", 10_000)
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", Image.MAX_IMAGE_PIXELS)
    return 10_000


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP", "HEIF"])
def test_between_one_and_two_times_the_cap_is_refused(small_cap, stored_files, fmt):
    # 120 x 120 = 14 400 pixels: Pillow only warns here; the warning must become a refusal.
    data = encode(quadrant_image(120, 120), fmt)
    assert _refused(stored_files, data).code == "too_many_pixels"


def test_above_twice_the_cap_is_refused(small_cap, stored_files):
    assert _refused(stored_files, png_claiming(150, 150)).code == "too_many_pixels"


def test_just_under_the_cap_is_accepted(small_cap):
    info = ingest_photo(BytesIO(encode(quadrant_image(100, 100), "PNG")))
    assert (info.width, info.height) == (100, 100)
