"""扫码验真: the QR code an issued document carries, encoding its verify URL.

Where it stands (both formats): page 1 only, in the top margin (天头), outside the text block
(版心) and clear of everything GB/T 9704 places there: a 15 mm square whose right edge is the
text block's right edge (184 mm from the left of the page) and whose top is 12 mm below the
top of the page, so it ends 10 mm above the text block (37 mm) and 3 mm above the letter
format's issuer mark (30 mm). Drafts carry none (their 草稿 mark is in that margin).

The code is level M (15 % may be damaged) in the smallest version the URL fits, with a fixed
mask pattern: a reader takes the mask from the code's format information, and trying all
eight for the lowest penalty would cost ~5 ms in pure Python, more than the rest together.
"""

from __future__ import annotations

import base64
import functools
import io

from webapp.documents.rendering import layout as L

SIZE_MM = 15.0
TOP_MM = 12.0  # from the top of the page
LEFT_MM = L.LEFT + L.BLOCK_W - SIZE_MM  # from the left of the page: flush right with the block
QUIET = 4  # modules of white around the symbol (ISO/IEC 18004)
PNG_SCALE = 4  # pixels a module in the Word file's picture
_WHITE_ON_ZERO = bytes([255, 0]) + bytes(254)  # module 0 → white, 1 → black


@functools.lru_cache(maxsize=64)
def _code(url: str):
    import segno

    return segno.make_qr(url, error="m", boost_error=False, mask=0)


def modules(url: str) -> int:
    """Modules on a side of the symbol (without the quiet zone)."""
    return len(_code(url).matrix)


def png_data_url(url: str) -> str:
    """The symbol alone, one pixel a module, as a PNG data: URL (for the PDF, drawn at SIZE_MM
    without smoothing)."""
    return "data:image/png;base64," + base64.b64encode(_png(url, quiet=0, scale=1)).decode()


def png(url: str) -> bytes:
    """The symbol with its quiet zone as a 1-bit PNG (for the Word file)."""
    return _png(url, quiet=QUIET, scale=PNG_SCALE)


@functools.lru_cache(maxsize=64)
def _png(url: str, *, quiet: int, scale: int) -> bytes:
    from PIL import Image

    matrix = _code(url).matrix
    n = len(matrix)
    raw = b"".join(bytes(row).translate(_WHITE_ON_ZERO) for row in matrix)
    canvas = Image.new("L", (n + 2 * quiet, n + 2 * quiet), 255)
    canvas.paste(Image.frombytes("L", (n, n), raw), (quiet, quiet))
    side = (n + 2 * quiet) * scale
    out = io.BytesIO()
    canvas.resize((side, side), Image.Resampling.NEAREST).convert("1").save(out, "PNG")
    return out.getvalue()


def png_size_mm(url: str) -> float:
    """The PNG's side at the symbol's SIZE_MM (the quiet zone lies around it)."""
    n = modules(url)
    return SIZE_MM * (n + 2 * QUIET) / n
