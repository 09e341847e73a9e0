"""Safe opening of uploaded images: allowlisted Pillow parsers, pixel cap, bombs refused."""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import current_app
from PIL import Image, UnidentifiedImageError

from webapp.errors import DomainError, InvalidInput, UnsupportedType
from webapp.media import heif

log = logging.getLogger(__name__)

try:  # HEIC/HEIF photos from phones; the opener registers the "HEIF" Pillow format
    import pillow_heif

    pillow_heif.register_heif_opener()
    HEIF_AVAILABLE = True
except ImportError:  # pragma: no cover - pillow-heif is a declared dependency
    HEIF_AVAILABLE = False

# Media type (from sniff) -> the one Pillow parser allowed to read it.
PILLOW_FORMATS = {
    "image/jpeg": "JPEG",
    "image/png": "PNG",
    "image/webp": "WEBP",
    "image/heic": "HEIF",
}


def pixel_cap() -> int:
    """The configured pixel cap (MAX_IMAGE_PIXELS), applied to Pillow before every open."""
    cap = int(current_app.config["MAX_IMAGE_PIXELS"])
    Image.MAX_IMAGE_PIXELS = cap
    return cap


@contextmanager
def open_image(path: Path, content_type: str) -> Iterator[Image.Image]:
    """Open `path` with only the parser for `content_type`; refusals become domain errors.

    Everything done inside the block (decoding too) is covered: a decompression bomb, a
    truncated or corrupt file (HEIF: checked whole before decoding) becomes InvalidInput, a
    file Pillow cannot identify as the sniffed type UnsupportedType.
    """
    fmt = PILLOW_FORMATS.get(content_type)
    if fmt is None or (fmt == "HEIF" and not HEIF_AVAILABLE):
        raise UnsupportedType("不支持的图片格式", field="file")
    cap = pixel_cap()
    try:
        if fmt == "HEIF":
            heif.check_complete(path)  # libheif decodes a cut-off grid photo without an error
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")  # e.g. corrupt EXIF: noted, the photo is kept
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path, formats=[fmt]) as img:
                if img.width * img.height > cap:  # also when another thread reset the filters
                    raise Image.DecompressionBombWarning(f"{img.size} is over the cap")
                yield img
        for warning in caught:
            log.info("image %s: %s", path.name, warning.message)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        log.warning("refused image: more than %d pixels", cap)
        raise InvalidInput(f"图片像素过多（上限 {cap / 10_000:g} 万像素），请缩小后再上传",
                           code="too_many_pixels", field="file") from None
    except UnidentifiedImageError:
        log.warning("refused image: not a readable %s", fmt)
        raise UnsupportedType("无法识别的图片文件：内容与图片格式不符", field="file") from None
    except DomainError:
        raise
    except Exception as err:  # any parser failure on uploaded bytes is the file's fault
        log.warning("refused image: %s: %s", type(err).__name__, err)
        raise InvalidInput("图片文件已损坏或不完整，请重新上传", code="corrupt_image",
                           field="file") from None
