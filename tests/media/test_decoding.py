"""Decoding details: DCT-scaled drafts really happen, and unusual JPEG flavours come out right."""

from __future__ import annotations

import os
import time
from io import BytesIO
from pathlib import Path

import pytest
from PIL import Image

from tests.media.imaging import (
    QUADRANTS,
    STORED_FROM_UPRIGHT,
    close,
    encode,
    jpeg_bytes,
    make_exif,
    open_stored,
    quadrant_colours,
    quadrant_image,
)
from webapp.media.images import open_image
from webapp.media.photos import decode_upright, ingest_photo


@pytest.mark.parametrize(
    ("stored", "edge", "decoded", "result"),
    [
        ((4000, 3000), 1600, (2000, 1500), (1600, 1200)),
        ((4000, 3000), 320, (500, 375), (320, 240)),
        ((3000, 4000), 1600, (1500, 2000), (1200, 1600)),
        ((4032, 1816), 1600, (2016, 908), (1600, 721)),  # a wide phone panorama-ish shot
    ],
)
def test_jpeg_is_decoded_at_a_reduced_dct_scale(ctx, tmp_path, stored, edge, decoded, result):
    path = tmp_path / "photo.jpg"
    path.write_bytes(jpeg_bytes(quadrant_image(*stored), quality=70))
    with open_image(path, "image/jpeg") as img:
        out, _ = decode_upright(img, edge, local_zone="Asia/Shanghai")
        assert img.size == decoded  # what libjpeg actually produced, not the full image
    assert out.size == result


def test_draft_box_is_taken_before_rotation(ctx, tmp_path):
    path = tmp_path / "photo.jpg"
    stored = quadrant_image(3000, 4000).transpose(STORED_FROM_UPRIGHT[6])  # 4000 x 3000 stored
    path.write_bytes(jpeg_bytes(stored, make_exif(orientation=6), quality=70))
    with open_image(path, "image/jpeg") as img:
        out, facts = decode_upright(img, 320, local_zone="Asia/Shanghai")
        assert img.size == (500, 375)
    assert (facts.orientation, out.size) == (6, (240, 320))
    assert close(quadrant_colours(out)["top_left"], QUADRANTS["top_left"])


def test_progressive_jpeg(ctx):
    info = ingest_photo(BytesIO(jpeg_bytes(quadrant_image(2400, 1800), progressive=True)))
    assert open_stored(info.display_sha256).size == (1600, 1200)
    colours = quadrant_colours(open_stored(info.thumb_sha256))
    assert close(colours["top_right"], QUADRANTS["top_right"])


def test_cmyk_jpeg(ctx):
    info = ingest_photo(BytesIO(jpeg_bytes(quadrant_image(800, 600).convert("CMYK"))))
    display = open_stored(info.display_sha256)
    assert display.mode == "RGB"
    assert close(quadrant_colours(display)["bottom_left"], QUADRANTS["bottom_left"], 60)


def test_greyscale_jpeg(ctx):
    info = ingest_photo(BytesIO(jpeg_bytes(quadrant_image(2000, 1000).convert("L"))))
    display = open_stored(info.display_sha256)
    assert (display.mode, display.size) == ("RGB", (1600, 800))


def test_mpo_from_a_phone_is_a_jpeg_photo(ctx):
    first, depth = quadrant_image(3200, 2400), Image.new("RGB", (3200, 2400), "black")
    data = encode(first, "MPO", save_all=True, append_images=[depth])
    info = ingest_photo(BytesIO(data))
    assert (info.content_type, info.width, info.height) == ("image/jpeg", 3200, 2400)
    display = open_stored(info.display_sha256)
    assert display.size == (1600, 1200)
    assert close(quadrant_colours(display)["bottom_right"], QUADRANTS["bottom_right"])


def test_clean_upload_temp_removes_only_old_temp_files(app, runner, ctx):
    tmp = Path(app.config["UPLOAD_ROOT"]) / "tmp"
    tmp.mkdir(parents=True)
    old, fresh = tmp / "up-old", tmp / "up-fresh"
    old.write_bytes(b"half an upload")
    fresh.write_bytes(b"an upload in progress")
    hours_ago = time.time() - 2 * 3600
    os.utime(old, (hours_ago, hours_ago))
    result = runner.invoke(args=["clean-upload-temp"])
    assert result.exit_code == 0, result.output
    assert "removed 1" in result.output
    assert not old.exists()
    assert fresh.exists()
