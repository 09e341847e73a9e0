"""File type by content (magic bytes), never by the client's name or declared type."""

from __future__ import annotations

HEAD_BYTES = 64

# Containers: the first bytes say only "a zip" or "a compound file"; media.office looks inside.
ZIP = "application/zip"
OLE2 = "application/x-ole-storage"

# ISO-BMFF brands of HEIF still images (HEVC-coded or generic image containers).
_HEIC_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx"}
_HEIF_GENERIC = {b"mif1", b"msf1", b"heif"}
_AVIF_BRANDS = {b"avif", b"avis"}


def sniff(head: bytes) -> str | None:
    """Media type of a file from its first bytes (at least 32), or None if not allowlisted.

    ZIP and OLE2 are containers, never a final type: no allowlist holds them.
    """
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
    if head.startswith(b"PK\x03\x04"):
        return ZIP
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return OLE2
    return None


def _is_heif(head: bytes) -> bool:
    box_size = int.from_bytes(head[:4], "big")
    end = min(len(head), box_size) if box_size >= 16 else 16
    major = head[8:12]
    brands = {major} | {head[i:i + 4] for i in range(16, end - 3, 4)}
    if brands & _HEIC_BRANDS:
        return True
    return major in _HEIF_GENERIC and not brands & _AVIF_BRANDS


# The file-name extensions that fit each final type; the first is the one we give.
EXTENSIONS = {
    "application/pdf": (".pdf",),
    "image/jpeg": (".jpg", ".jpeg", ".jpe"),
    "image/png": (".png",),
    "image/webp": (".webp",),
    "image/heic": (".heic", ".heif"),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (".docx",),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": (".xlsx",),
    "application/msword": (".doc", ".wps"),
    "application/vnd.ms-excel": (".xls", ".et"),
    "application/ofd": (".ofd",),
}


def fitting_name(name: str, content_type: str) -> str:
    """`name` with an extension that fits `content_type` (a download opens in the right
    program, never as something else): a wrong extension is replaced, a missing one added."""
    fits = EXTENSIONS.get(content_type)
    if not fits:
        return name
    stem, dot, ext = name.rpartition(".")
    if dot and f".{ext.lower()}" in fits:
        return name
    return f"{stem if dot and stem else name}{fits[0]}"
