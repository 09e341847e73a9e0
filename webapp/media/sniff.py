"""File type by content (magic bytes), never by the client's name or declared type."""

from __future__ import annotations

HEAD_BYTES = 64

# ISO-BMFF brands of HEIF still images (HEVC-coded or generic image containers).
_HEIC_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx"}
_HEIF_GENERIC = {b"mif1", b"msf1", b"heif"}
_AVIF_BRANDS = {b"avif", b"avis"}


def sniff(head: bytes) -> str | None:
    """Media type of a file from its first bytes (at least 32), or None if not allowlisted."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head[4:8] == b"ftyp" and _is_heif(head):
        return "image/heic"
    return None


def _is_heif(head: bytes) -> bool:
    box_size = int.from_bytes(head[:4], "big")
    end = min(len(head), box_size) if box_size >= 16 else 16
    major = head[8:12]
    brands = {major} | {head[i:i + 4] for i in range(16, end - 3, 4)}
    if brands & _HEIC_BRANDS:
        return True
    return major in _HEIF_GENERIC and not brands & _AVIF_BRANDS
