"""Is a HEIF file whole? Every box, and every item's data, must lie inside the file.

Phones store a photo as a grid of 512 px tiles. libheif decodes a grid whose tiles were cut
off without an error (the missing tiles come out as green blocks), so a truncated upload
would pass as a photo. This reads the box headers and the item locations (ISO/IEC 14496-12
`iloc`) and refuses a file whose data points past its end, before anything is decoded.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

MAX_META_BYTES = 16 * 1024 * 1024  # the meta box holds item tables, not pixels


class Incomplete(ValueError):
    """The file ends before the data it announces."""


def check_complete(path: Path) -> None:
    """Raise Incomplete unless every top-level box and every item extent fits in the file."""
    size = path.stat().st_size
    with path.open("rb") as f:
        meta = None
        for kind, start, end in _boxes(f, 0, size):
            if end > size:
                raise Incomplete(f"{kind!r} box ends at {end}, the file at {size}")
            if kind == b"meta" and meta is None:
                meta = (start, end)
        if meta is None:
            raise Incomplete("no meta box")
        start, end = meta
        if end - start > MAX_META_BYTES:
            raise Incomplete("meta box too large")
        for kind, box_start, box_end in _boxes(f, start + 4, end):  # meta is a full box
            if kind == b"iloc":
                f.seek(box_start)
                for offset, length in _file_extents(f.read(box_end - box_start)):
                    if offset + length > size:
                        raise Incomplete(f"item data ends at {offset + length}, "
                                         f"the file at {size}")


def _boxes(f: BinaryIO, start: int, end: int) -> Iterator[tuple[bytes, int, int]]:
    """(type, content start, box end) of the boxes from `start` to `end`."""
    pos = start
    while pos < end:
        f.seek(pos)
        header = f.read(8)
        if len(header) < 8 or pos + 8 > end:
            raise Incomplete(f"box header cut at {pos}")
        size, kind = int.from_bytes(header[:4], "big"), header[4:]
        head = 8
        if size == 1:  # a 64-bit size follows the type
            large = f.read(8)
            if len(large) < 8:
                raise Incomplete(f"box header cut at {pos}")
            size, head = int.from_bytes(large, "big"), 16
        elif size == 0:  # to the end of the enclosing box (or file)
            size = end - pos
        if size < head:
            raise Incomplete(f"box size {size} at {pos}")
        yield kind, pos + head, pos + size
        pos += size


def _file_extents(iloc: bytes) -> Iterator[tuple[int, int]]:
    """(offset, length) of every item extent stored in this file (construction method 0)."""
    reader = _Reader(iloc)
    version = reader.uint(1)
    reader.uint(3)  # flags
    sizes = reader.uint(1)
    offset_size, length_size = sizes >> 4, sizes & 15
    sizes = reader.uint(1)
    base_size, index_size = sizes >> 4, (sizes & 15 if version in (1, 2) else 0)
    id_size = 4 if version == 2 else 2
    for _ in range(reader.uint(id_size)):
        reader.uint(id_size)  # item id
        method = reader.uint(2) & 15 if version in (1, 2) else 0
        reference = reader.uint(2)  # 0: this file
        base = reader.uint(base_size)
        for _ in range(reader.uint(2)):
            reader.uint(index_size)
            offset, length = reader.uint(offset_size), reader.uint(length_size)
            if method == 0 and reference == 0:
                yield base + offset, length


class _Reader:
    def __init__(self, data: bytes):
        self.data, self.pos = data, 0

    def uint(self, size: int) -> int:
        if self.pos + size > len(self.data):
            raise Incomplete("iloc box cut short")
        value = int.from_bytes(self.data[self.pos:self.pos + size], "big")
        self.pos += size
        return value
