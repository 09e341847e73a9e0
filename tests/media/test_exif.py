"""EXIF: orientation applied to the copies, facts read back, nothing private left in copies."""

from __future__ import annotations

from datetime import UTC, datetime
from fractions import Fraction
from io import BytesIO

import pytest
from PIL import TiffImagePlugin

from tests.media.imaging import (
    QUADRANTS,
    STORED_FROM_UPRIGHT,
    close,
    encode,
    jpeg_bytes,
    make_exif,
    noisy_image,
    open_stored,
    quadrant_colours,
    quadrant_image,
    with_app1,
)
from webapp.media.photos import ingest_photo
from webapp.media.store import blob_path

UPRIGHT = (480, 240)  # landscape, so swapped sides show


def _rational(value: float) -> TiffImagePlugin.IFDRational:
    f = Fraction(value).limit_denominator(10_000)
    return TiffImagePlugin.IFDRational(f.numerator, f.denominator)


def _dms(degrees: int, minutes: int, seconds: float) -> tuple:
    return (_rational(degrees), _rational(minutes), _rational(seconds))


@pytest.mark.parametrize("orientation", range(1, 9))
def test_copies_are_upright_for_every_orientation(ctx, orientation):
    upright = quadrant_image(*UPRIGHT)
    method = STORED_FROM_UPRIGHT[orientation]
    stored = upright.transpose(method) if method is not None else upright
    data = jpeg_bytes(stored, make_exif(orientation=orientation), quality=95)
    info = ingest_photo(BytesIO(data))
    assert (info.width, info.height) == UPRIGHT
    for sha in (info.display_sha256, info.thumb_sha256):
        copy = open_stored(sha)
        assert copy.width > copy.height
        colours = quadrant_colours(copy)
        for name, expected in QUADRANTS.items():
            assert close(colours[name], expected), (orientation, name, colours[name])


def test_large_rotated_photo_is_upright_at_both_sizes(ctx):
    upright = quadrant_image(3000, 4000)
    data = jpeg_bytes(upright.transpose(STORED_FROM_UPRIGHT[6]), make_exif(orientation=6))
    info = ingest_photo(BytesIO(data))
    assert (info.width, info.height) == (3000, 4000)
    display, thumb = open_stored(info.display_sha256), open_stored(info.thumb_sha256)
    assert (display.size, thumb.size) == ((1200, 1600), (240, 320))
    assert close(quadrant_colours(display)["top_left"], QUADRANTS["top_left"])
    assert close(quadrant_colours(thumb)["bottom_right"], QUADRANTS["bottom_right"])


def test_gps_position_and_altitude(ctx):
    gps = {1: "N", 2: _dms(39, 54, 26.4), 3: "E", 4: _dms(116, 23, 29.2),
           5: b"\x00", 6: _rational(43.5)}
    info = ingest_photo(BytesIO(jpeg_bytes(quadrant_image(64, 48), make_exif(gps=gps))))
    assert info.gps_lat == pytest.approx(39 + 54 / 60 + 26.4 / 3600, abs=1e-6)
    assert info.gps_lon == pytest.approx(116 + 23 / 60 + 29.2 / 3600, abs=1e-6)
    assert info.gps_alt == pytest.approx(43.5)


def test_gps_south_west_and_below_sea_level(ctx):
    gps = {1: "S", 2: _dms(33, 52, 4.0), 3: "W", 4: _dms(70, 40, 0.0),
           5: b"\x01", 6: _rational(12.0)}
    info = ingest_photo(BytesIO(jpeg_bytes(quadrant_image(64, 48), make_exif(gps=gps))))
    assert info.gps_lat == pytest.approx(-(33 + 52 / 60 + 4 / 3600), abs=1e-6)
    assert info.gps_lon == pytest.approx(-(70 + 40 / 60), abs=1e-6)
    assert info.gps_alt == pytest.approx(-12.0)


def test_capture_time_with_offset(ctx):
    exif = make_exif(taken="2026:11:27 09:30:15", offset="+05:30", model="HUAWEI Mate 60")
    info = ingest_photo(BytesIO(jpeg_bytes(quadrant_image(64, 48), exif)))
    assert info.taken_at == datetime(2026, 11, 27, 4, 0, 15, tzinfo=UTC)
    assert info.camera_model == "HUAWEI Mate 60"


def test_capture_time_without_offset_is_beijing_time(ctx):
    info = ingest_photo(BytesIO(jpeg_bytes(quadrant_image(64, 48),
                                           make_exif(taken="2026:01:01 07:00:00"))))
    assert info.taken_at == datetime(2025, 12, 31, 23, 0, tzinfo=UTC)
    assert info.taken_at.tzinfo is not None


def test_photo_without_exif(ctx):
    info = ingest_photo(BytesIO(encode(quadrant_image(64, 48), "PNG")))
    assert (info.taken_at, info.gps_lat, info.gps_lon, info.gps_alt, info.camera_model) == (
        None, None, None, None, None)


def test_copies_carry_no_exif_or_gps(ctx):
    gps = {1: "N", 2: _dms(30, 1, 2.0), 3: "E", 4: _dms(120, 3, 4.0)}
    exif = make_exif(orientation=6, model="Secret Cam", taken="2026:11:27 09:30:15", gps=gps)
    data = jpeg_bytes(noisy_image(2000, 1500), exif)
    info = ingest_photo(BytesIO(data), caption="2026年11月27日 城关派出所")
    assert open_stored(info.sha256).getexif().get(0x0110) == "Secret Cam"  # the original keeps it
    for sha in (info.display_sha256, info.thumb_sha256):
        copy = open_stored(sha)
        assert len(copy.getexif()) == 0
        assert "exif" not in copy.info
        assert "icc_profile" not in copy.info
        raw = blob_path(sha).read_bytes()
        assert b"Exif\x00\x00" not in raw and b"Secret Cam" not in raw


@pytest.mark.parametrize(
    "payload",
    [
        b"Exif\x00\x00II*\x00\xff\xff\xff\x7f garbage",  # IFD offset far past the end
        b"Exif\x00\x00MM\x00*\x00\x00\x00\x08\x00\x05\x01\x12",  # entry table cut short
        b"Exif\x00\x00XX*\x00\x08\x00\x00\x00",  # unknown byte order
        b"Exif\x00\x00",
    ],
    ids=["far-offset", "cut-short", "byte-order", "empty"],
)
def test_malformed_exif_block_is_tolerated(ctx, payload):
    data = with_app1(jpeg_bytes(quadrant_image(160, 80)), payload)
    info = ingest_photo(BytesIO(data))
    assert blob_path(info.sha256).read_bytes() == data
    assert (info.width, info.height, info.taken_at, info.gps_lat) == (160, 80, None, None)
    assert open_stored(info.display_sha256).size == (160, 80)


def test_malformed_exif_values_are_tolerated(ctx):
    nan = TiffImagePlugin.IFDRational(1, 0)
    gps = {1: "N", 2: (nan, nan, nan), 3: "E", 4: _dms(200, 0, 0), 6: nan}
    exif = make_exif(orientation=99, taken="yesterday at noon", offset="+99", model="",
                     gps=gps)
    info = ingest_photo(BytesIO(jpeg_bytes(quadrant_image(160, 80), exif)))
    assert (info.width, info.height) == (160, 80)  # orientation 99 means "as stored"
    assert (info.taken_at, info.gps_lat, info.gps_lon, info.gps_alt, info.camera_model) == (
        None, None, None, None, None)


def test_one_bad_field_keeps_the_others(ctx):
    gps = {1: "N", 2: _dms(31, 0, 0), 3: "E", 4: _dms(121, 0, 0)}
    exif = make_exif(taken="0000:00:00 00:00:00", model="iPhone 15", gps=gps)
    info = ingest_photo(BytesIO(jpeg_bytes(quadrant_image(64, 48), exif)))
    assert info.taken_at is None
    assert (info.gps_lat, info.gps_lon, info.camera_model) == (31.0, 121.0, "iPhone 15")


@pytest.mark.parametrize("fmt", ["PNG", "WEBP"])
def test_orientation_in_png_and_webp_exif(ctx, fmt):
    upright = quadrant_image(*UPRIGHT)
    stored = upright.transpose(STORED_FROM_UPRIGHT[8])
    data = encode(stored, fmt, exif=make_exif(orientation=8, taken="2026:03:01 08:00:00"))
    info = ingest_photo(BytesIO(data))
    assert (info.width, info.height) == UPRIGHT
    assert info.taken_at == datetime(2026, 3, 1, 0, 0, tzinfo=UTC)
    colours = quadrant_colours(open_stored(info.display_sha256))
    for name, expected in QUADRANTS.items():
        assert close(colours[name], expected), (fmt, name)
