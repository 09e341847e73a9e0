"""Evidence files checked by content: time and memory to accept or refuse each kind.

Run: .venv/bin/python benchmarks/bench_evidence.py

Builds the files in memory (Word with 20 MB of pictures, an Excel sheet of 100,000 rows, a
Word 97 compound file, an OFD, a 28 MB PDF, a zip bomb that declares 2.5 GB, a macro-enabled
Word file) and ingests each through media.files.ingest_file into a temporary upload folder:
spool, hash, fsync, the content check (every zip entry unpacked and CRC-checked), the store.
Prints the median of 3 runs and the peak of Python allocations during one ingest.
"""

from __future__ import annotations

import contextlib
import os
import statistics
import sys
import tempfile
import time
import tracemalloc
import zipfile
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import openpyxl  # noqa: E402

from tests.media import office_files as of  # noqa: E402
from webapp import create_app  # noqa: E402
from webapp.errors import DomainError  # noqa: E402
from webapp.media.files import ingest_file  # noqa: E402
from webapp.media.sniff import EXTENSIONS  # noqa: E402


def big_xlsx(rows: int = 100_000) -> bytes:
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("出警记录")
    for i in range(rows):
        ws.append([f"2026-{i % 12 + 1:02d}-{i % 28 + 1:02d}", f"警情{i}", i % 97, "城关派出所",
                   "已处置"])
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def docx_with_pictures(megabytes: int = 20) -> bytes:
    pictures = {f"word/media/image{i}.jpeg": os.urandom(1024 * 1024) for i in range(megabytes)}
    return of.rezip(of.docx_bytes(), add=pictures)


def declared_bomb() -> bytes:
    """An entry of gigabytes of zeros is too slow to make: declare it, as real bombs do."""
    data = bytearray(of.ratio_bomb(4 * 1024 * 1024))
    central = data.rfind(b"PK\x01\x02")
    data[central + 24:central + 28] = (20 * 1024**3 // 8).to_bytes(4, "little")
    return bytes(data)


def pdf(megabytes: int = 28) -> bytes:
    body = b"%PDF-1.7\n" + os.urandom(megabytes * 1024 * 1024)
    return body + b"\n%%EOF\n"


def measure(app, data: bytes) -> tuple[float, float, str]:
    times, outcome = [], ""
    for _ in range(3):
        with app.app_context():
            start = time.perf_counter()
            try:
                outcome = "accepted as " + EXTENSIONS[ingest_file(BytesIO(data)).content_type][0]
            except DomainError as err:
                outcome = f"refused: {err.code}"
            times.append(time.perf_counter() - start)
    with app.app_context():
        tracemalloc.start()
        with contextlib.suppress(DomainError):
            ingest_file(BytesIO(data))
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return statistics.median(times), peak / 1024 / 1024, outcome


def main() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="bench-evidence-"))
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "AUDIT_HMAC_KEY": "y",
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp / 'db.sqlite3'}",
                      "UPLOAD_ROOT": str(tmp / "uploads")})
    cases = {
        "docx, 20 MB of pictures": docx_with_pictures(),
        "xlsx, 100,000 rows": big_xlsx(),
        "doc (Word 97 / WPS)": of.doc_bytes(),
        "ofd": of.ofd_bytes(),
        "pdf, 28 MB": pdf(),
        "zip bomb (declares 2.5 GB)": declared_bomb(),
        "docm (macros)": of.with_main_type(of.docx_bytes(), of.WORD_MAIN, of.DOCM_MAIN),
    }
    print(f"{'file':28} {'size':>9} {'unpacked':>9} {'median':>8} {'py peak':>8}  outcome")
    for name, data in cases.items():
        try:
            with zipfile.ZipFile(BytesIO(data)) as zf:
                unpacked = f"{sum(i.file_size for i in zf.infolist()) / 1024**2:.1f} MB"
        except zipfile.BadZipFile:
            unpacked = "-"
        seconds, peak, outcome = measure(app, data)
        print(f"{name:28} {len(data) / 1024**2:7.1f} MB {unpacked:>9} {seconds * 1000:6.0f} ms "
              f"{peak:6.1f} MB  {outcome}")


if __name__ == "__main__":
    main()
