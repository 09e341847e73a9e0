"""The HEIF completeness check: box sizes and item locations must lie inside the file."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.media.imaging import encode, phone_heic, quadrant_image
from webapp.media.heif import Incomplete, check_complete


def _boxes(data: bytes) -> dict[bytes, int]:
    """Top-level box type -> offset."""
    found, pos = {}, 0
    while pos < len(data):
        size = int.from_bytes(data[pos:pos + 4], "big")
        found[data[pos + 4:pos + 8]] = pos
        pos += size
    return found


def _write(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "photo.heic"
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("data", [phone_heic(), encode(quadrant_image(64, 48), "HEIF")],
                         ids=["grid", "single"])
def test_whole_files_pass(tmp_path, data):
    check_complete(_write(tmp_path, data))


def test_a_cut_in_the_data_box_is_found_by_its_size(tmp_path):
    data = phone_heic()
    with pytest.raises(Incomplete, match="mdat"):
        check_complete(_write(tmp_path, data[:-1]))


def test_a_data_box_running_to_the_end_is_checked_by_the_item_locations(tmp_path):
    """An mdat of size 0 ("to the end of the file") has no size to compare: iloc tells."""
    data = bytearray(phone_heic())
    mdat = _boxes(bytes(data))[b"mdat"]
    data[mdat:mdat + 4] = bytes(4)
    check_complete(_write(tmp_path, bytes(data)))
    with pytest.raises(Incomplete, match="item data"):
        check_complete(_write(tmp_path, bytes(data[: len(data) * 9 // 10])))


@pytest.mark.parametrize("cut", [10, 30, 100])
def test_a_cut_in_the_headers_is_incomplete(tmp_path, cut):
    with pytest.raises(Incomplete):
        check_complete(_write(tmp_path, phone_heic()[:cut]))
