"""Facts from a photo's EXIF (orientation, capture time, GPS, camera), tolerant of bad data."""

from __future__ import annotations

import logging
import math
import re
import warnings
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from PIL import ExifTags, Image

log = logging.getLogger(__name__)

_OFFSET = re.compile(r"([+-])(\d{2}):?(\d{2})")
_TAG_ORIENTATION = 0x0112
_TAG_MODEL = 0x0110
_TAG_DATETIME_ORIGINAL = 0x9003
_TAG_OFFSET_TIME_ORIGINAL = 0x9011


@dataclass(frozen=True)
class ExifFacts:
    """The EXIF fields we keep; defaults when absent or unreadable."""

    orientation: int = 1
    taken_at: datetime | None = None
    gps_lat: float | None = None
    gps_lon: float | None = None
    gps_alt: float | None = None
    camera_model: str | None = None


def read_exif(img: Image.Image, *, local_zone: str) -> ExifFacts:
    """Read the facts we keep; malformed EXIF gives None fields, never an error."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # Pillow warns on corrupt EXIF; we tolerate it
            exif = img.getexif()
            ifd = _safe(lambda: exif.get_ifd(ExifTags.IFD.Exif)) or {}
            gps = _safe(lambda: exif.get_ifd(ExifTags.IFD.GPSInfo)) or {}
    except Exception as err:  # the whole EXIF block is unreadable
        log.info("unreadable EXIF: %s: %s", type(err).__name__, err)
        return ExifFacts()
    lat, lon = _safe(lambda: _gps_coordinates(gps)) or (None, None)
    return ExifFacts(
        orientation=_safe(lambda: _orientation(exif.get(_TAG_ORIENTATION))) or 1,
        taken_at=_safe(lambda: _taken_at(ifd, local_zone)),
        gps_lat=lat,
        gps_lon=lon,
        gps_alt=_safe(lambda: _altitude(gps)),
        camera_model=_safe(lambda: _text(exif.get(_TAG_MODEL))),
    )


def _safe(fn):
    try:
        return fn()
    except Exception:  # one bad field must not lose the others
        return None


def _orientation(value) -> int:
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


def _text(value) -> str | None:
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    if not isinstance(value, str):
        return None
    value = "".join(c for c in value if c.isprintable()).strip()
    return value[:100] or None


def _taken_at(ifd, local_zone: str) -> datetime | None:
    raw = _text(ifd.get(_TAG_DATETIME_ORIGINAL))
    if not raw:
        return None
    naive = datetime.strptime(raw[:19], "%Y:%m:%d %H:%M:%S")
    offset = _OFFSET.fullmatch(_text(ifd.get(_TAG_OFFSET_TIME_ORIGINAL)) or "")
    if offset:
        sign = -1 if offset[1] == "-" else 1
        delta = timedelta(hours=int(offset[2]), minutes=int(offset[3]))
        zone = timezone(sign * delta)
    else:
        zone = ZoneInfo(local_zone)
    return naive.replace(tzinfo=zone).astimezone(UTC)


def _number(value) -> float:
    result = float(value)
    if not math.isfinite(result):
        raise ValueError("not a finite number")
    return result


def _degrees(value) -> float:
    if isinstance(value, tuple | list):
        parts = [_number(v) for v in value] + [0.0, 0.0]
        return parts[0] + parts[1] / 60 + parts[2] / 3600
    return _number(value)


def _gps_coordinates(gps) -> tuple[float, float] | None:
    if 2 not in gps or 4 not in gps:
        return None
    lat, lon = _degrees(gps[2]), _degrees(gps[4])
    if str(gps.get(1, "N")).strip().upper().startswith("S"):
        lat = -lat
    if str(gps.get(3, "E")).strip().upper().startswith("W"):
        lon = -lon
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return round(lat, 7), round(lon, 7)


def _altitude(gps) -> float | None:
    if 6 not in gps:
        return None
    alt = _number(gps[6])
    ref = gps.get(5, 0)
    if ref in (1, b"\x01"):  # below sea level
        alt = -alt
    return round(alt, 2)
