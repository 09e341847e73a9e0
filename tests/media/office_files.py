"""Office files made in the test: Word and Excel through python-docx and openpyxl, OLE2
compound files built by hand (Word 97 / WPS and Excel 97 / ET), a minimal OFD, macro-enabled
variants and zip bombs."""

from __future__ import annotations

import itertools
import math
import struct
import zipfile
from io import BytesIO

import openpyxl
from docx import Document

WORD_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
DOCM_MAIN = "application/vnd.ms-word.document.macroEnabled.main+xml"
XLSX_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
XLSM_MAIN = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"


def docx_bytes(text: str = "整改情况报告：已增开两个窗口。") -> bytes:
    doc = Document()
    doc.add_heading("整改情况报告", level=1)
    doc.add_paragraph(text)
    out = BytesIO()
    doc.save(out)
    return out.getvalue()


def xlsx_bytes(rows: int = 20) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "排队时间"
    ws.append(["日期", "窗口数", "平均排队（分钟）"])
    for i in range(rows):
        ws.append([f"2026-03-{i % 28 + 1:02d}", 4, 20 + i % 7])
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def rezip(data: bytes, *, replace: dict[str, bytes] | None = None,
          add: dict[str, bytes] | None = None, drop: set[str] = frozenset()) -> bytes:
    """A copy of the zip `data` with parts replaced, added or dropped."""
    replace, add = replace or {}, add or {}
    out = BytesIO()
    with zipfile.ZipFile(BytesIO(data)) as src, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename in drop:
                continue
            dst.writestr(info.filename, replace.get(info.filename, src.read(info)))
        for name, body in add.items():
            dst.writestr(name, body)
    return out.getvalue()


def content_types(data: bytes) -> bytes:
    with zipfile.ZipFile(BytesIO(data)) as zf:
        return zf.read("[Content_Types].xml")


def with_main_type(data: bytes, old: str, new: str) -> bytes:
    """The OOXML file `data` with its main part declared as `new` (e.g. macro-enabled)."""
    types = content_types(data).replace(old.encode(), new.encode())
    return rezip(data, replace={"[Content_Types].xml": types})


OFD_NS = "http://www.ofdspec.org/2016"


def ofd_bytes(*, doc_root: str = "Doc_0/Document.xml") -> bytes:
    """A minimal OFD (GB/T 33190): OFD.xml naming one document with one page of text."""
    ofd = (f'<?xml version="1.0" encoding="UTF-8"?><ofd:OFD xmlns:ofd="{OFD_NS}" Version="1.0" '
           f'DocType="OFD"><ofd:DocBody><ofd:DocInfo><ofd:DocID>a1b2c3</ofd:DocID>'
           f'<ofd:CreationDate>2026-03-01</ofd:CreationDate></ofd:DocInfo>'
           f'<ofd:DocRoot>{doc_root}</ofd:DocRoot></ofd:DocBody></ofd:OFD>')
    document = (f'<?xml version="1.0" encoding="UTF-8"?><ofd:Document xmlns:ofd="{OFD_NS}">'
                f'<ofd:CommonData><ofd:MaxUnitID>3</ofd:MaxUnitID><ofd:PageArea>'
                f'<ofd:PhysicalBox>0 0 210 297</ofd:PhysicalBox></ofd:PageArea>'
                f'</ofd:CommonData><ofd:Pages><ofd:Page ID="1" '
                f'BaseLoc="Pages/Page_0/Content.xml"/></ofd:Pages></ofd:Document>')
    page = (f'<?xml version="1.0" encoding="UTF-8"?><ofd:Page xmlns:ofd="{OFD_NS}">'
            f'<ofd:Content><ofd:Layer ID="2"><ofd:TextObject ID="3" Boundary="20 20 100 10" '
            f'Font="1" Size="5"><ofd:TextCode X="0" Y="5">整改完成</ofd:TextCode>'
            f'</ofd:TextObject></ofd:Layer></ofd:Content></ofd:Page>')
    out = BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("OFD.xml", ofd)
        zf.writestr("Doc_0/Document.xml", document)
        zf.writestr("Doc_0/Pages/Page_0/Content.xml", page)
    return out.getvalue()


# --- zip bombs ---------------------------------------------------------------------------


def ratio_bomb(unpacked: int = 20 * 1024 * 1024) -> bytes:
    """A Word document carrying a part of zeros that packs about a thousand times."""
    return rezip(docx_bytes(), add={"word/media/filler.bin": bytes(unpacked)})


def lying_sizes() -> bytes:
    """A Word document whose extra part declares 1000 bytes but unpacks to a megabyte
    (deflated 'x's pack about 1000:1, under the per-entry ratio check)."""
    data = bytearray(rezip(docx_bytes(), add={"word/zz.bin": b"x" * 1_000_000}))
    central = data.rfind(b"PK\x01\x02")  # the last entry added is the last in the directory
    struct.pack_into("<I", data, central + 24, 1000)
    local = data.rfind(b"PK\x03\x04", 0, central)
    struct.pack_into("<I", data, local + 22, 1000)
    return bytes(data)


def many_entries(count: int) -> bytes:
    return rezip(docx_bytes(), add={f"word/e{i}.xml": b"<a/>" for i in range(count)})


# --- OLE2 compound files, built by hand (MS-CFB, version 3, 512-byte sectors) --------------

SECTOR = 512
END, FREE, FATSECT, NOSTREAM = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD, 0xFFFFFFFF
MINI_CUTOFF = 4096


def compound_file(tree: dict) -> bytes:
    """An OLE2 file holding `tree` ({name: bytes for a stream | dict for a storage}).

    Streams are padded to the mini-stream cutoff, so every stream lives in regular sectors
    and no mini FAT is needed; siblings are chained to the right (a valid, if lopsided, tree).
    """
    entries: list[dict] = []

    def add(name: str, node) -> int:
        index = len(entries)
        entry = {"name": name, "kind": 1 if isinstance(node, dict) else 2, "children": []}
        entries.append(entry)
        if isinstance(node, dict):
            entry["children"] = [add(k, v) for k, v in node.items()]
        else:
            entry["data"] = node.ljust(MINI_CUTOFF, b"\0")
        return index

    add("Root Entry", tree)
    entries[0]["kind"] = 5
    fat: list[int] = []
    body = bytearray()
    for entry in entries:
        if entry["kind"] != 2:
            continue
        count = math.ceil(len(entry["data"]) / SECTOR)
        entry["start"] = len(fat)
        fat += [len(fat) + k + 1 for k in range(count - 1)] + [END]
        body += entry["data"].ljust(count * SECTOR, b"\0")
    siblings = {a: b for e in entries for a, b in itertools.pairwise(e["children"])}
    directory = b"".join(_dir_entry(e, siblings.get(i, NOSTREAM)) for i, e in enumerate(entries))
    directory = directory.ljust(math.ceil(len(directory) / SECTOR) * SECTOR, b"\0")
    dir_start, dir_count = len(fat), len(directory) // SECTOR
    fat += [dir_start + k + 1 for k in range(dir_count - 1)] + [END]
    fat_count = 1
    while math.ceil((len(fat) + fat_count) / 128) > fat_count:
        fat_count += 1
    fat_start = len(fat)
    fat += [FATSECT] * fat_count
    fat += [FREE] * (fat_count * 128 - len(fat))
    difat = list(range(fat_start, fat_start + fat_count)) + [FREE] * (109 - fat_count)
    header = struct.pack(
        "<8s16sHHHHH6sIIIIIIIII109I", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", bytes(16), 0x3E, 3,
        0xFFFE, 9, 6, bytes(6), 0, fat_count, dir_start, 0, MINI_CUTOFF, END, 0, END, 0, *difat)
    return header + bytes(body) + directory + struct.pack(f"<{len(fat)}I", *fat)


def _dir_entry(entry: dict, right: int) -> bytes:
    name = entry["name"].encode("utf-16-le") + b"\0\0"
    child = entry["children"][0] if entry["children"] else NOSTREAM
    start = entry.get("start", END if entry["kind"] == 5 else 0)
    size = len(entry.get("data", b""))
    return struct.pack("<64sHBBIII16sIQQIQ", name, len(name), entry["kind"], 1, NOSTREAM, right,
                       child, bytes(16), 0, 0, 0, start, size)


def _biff(kind: int, body: bytes) -> bytes:
    return struct.pack("<HH", kind, len(body)) + body


def workbook_stream(*, macro_sheet: bool = False) -> bytes:
    """BIFF8 workbook globals: BOF, one BoundSheet8 (a worksheet or an Excel 4.0 macro
    sheet), EOF; then the sheet's own BOF/EOF."""
    bof = _biff(0x0809, struct.pack("<HHHHII", 0x0600, 0x0005, 0x0DBB, 0x07CC, 0, 0x0206))
    name = "Sheet1".encode("utf-16-le")
    sheet = _biff(0x0085, struct.pack("<IBBBB", 0, 0, 0x01 if macro_sheet else 0x00, 6, 1)
                  + name)
    eof = _biff(0x000A, b"")
    return bof + sheet + eof + bof + eof


WORD_STREAM = struct.pack("<HH", 0xA5EC, 0x00C1) + b"\0" * 508  # FIB: wIdent, nFib (Word 97)


def doc_bytes(*, macros: bool = False) -> bytes:
    """A Word 97 (or WPS) compound file; `macros` adds the Macros/VBA storage Word uses."""
    tree = {"WordDocument": WORD_STREAM, "1Table": b"\0" * 512,
            "\x05SummaryInformation": b"\xfe\xff" + b"\0" * 46}
    if macros:
        tree["Macros"] = {"VBA": {"dir": b"\x01" * 64, "ThisDocument": b"Attribute VB_Name"},
                          "PROJECT": b'ID="{00000000-0000-0000-0000-000000000000}"'}
    return compound_file(tree)


def xls_bytes(*, vba: bool = False, macro_sheet: bool = False) -> bytes:
    """An Excel 97 (or ET) compound file; `vba` adds _VBA_PROJECT_CUR as Excel writes it."""
    tree = {"Workbook": workbook_stream(macro_sheet=macro_sheet)}
    if vba:
        tree["_VBA_PROJECT_CUR"] = {"VBA": {"dir": b"\x01" * 64}, "PROJECT": b"ID=1"}
    return compound_file(tree)
