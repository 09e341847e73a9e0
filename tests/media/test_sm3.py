"""SM3 (GB/T 32905-2016) as Duban computes it, against the standard's own examples."""

from __future__ import annotations

import io

from webapp.media.store import blob_sm3, save_bytes, sm3, sm3_hex

# GB/T 32905-2016, 附录 A: example 1 ("abc") and example 2 ("abcd" × 16, 512 bits).
EXAMPLE_1 = "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
EXAMPLE_2 = "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732"


def test_the_standards_examples():
    assert sm3_hex(b"abc") == EXAMPLE_1
    assert sm3_hex(b"abcd" * 16) == EXAMPLE_2


def test_streamed_in_pieces_as_in_one():
    digest = sm3()
    for piece in (b"ab", b"c"):
        digest.update(piece)
    assert digest.hexdigest() == EXAMPLE_1
    assert sm3_hex(b"") != sm3_hex(b"\0")


def test_a_stored_blob_hashes_the_same(app):
    data = b"abcd" * 16 + bytes(range(256)) * 4096  # ~1 MB: several read chunks
    with app.app_context():
        stored = save_bytes(data)
        assert blob_sm3(stored.sha256) == sm3_hex(data)
        assert blob_sm3("0" * 64) is None  # missing
    assert sm3_hex(io.BytesIO(b"abc").read()) == EXAMPLE_1
