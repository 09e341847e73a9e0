"""Office documents by content: Word/Excel (OOXML zips), OFD zips, Word/Excel/WPS/ET (OLE2).

Each check opens the container, finds the part that makes it a document of one kind, and
refuses what Duban must not pass on to other offices: macros (VBA projects, macro-enabled
content types, Excel 4.0 macro sheets) and zip bombs (entry count, declared and actual
unpacked size, compression ratio). Nothing here executes or renders a document.
"""

from __future__ import annotations

import logging
import struct
import zipfile
from pathlib import Path, PurePosixPath

import olefile
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from webapp.errors import DomainError, InvalidInput, UnsupportedType

log = logging.getLogger(__name__)

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOC = "application/msword"  # also WPS Writer's .wps: the same Word 97 binary format
XLS = "application/vnd.ms-excel"  # also WPS Spreadsheets' .et (BIFF8 workbook)
OFD = "application/ofd"  # GB/T 33190 版式文档

# OOXML main parts: [Content_Types].xml names the part, its root element says what it is.
_OOXML_MAIN = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml":
        (DOCX, "document"),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml":
        (XLSX, "workbook"),
}
_MACRO_CONTENT_TYPES = ("macroenabled", "vbaproject", "macrosheet", "ms-office.activex")
_MACRO_PARTS = {"vbaproject.bin", "vbadata.xml"}
_OLE_MACRO_STORAGES = {"macros", "_vba_project_cur", "_vba_project", "vba"}

# Zip bombs: a document that unpacks beyond these is refused before and while unpacking.
MAX_ENTRIES = 5000
MAX_UNPACKED_BYTES = 256 * 1024 * 1024
MAX_RATIO = 200  # per entry of more than RATIO_FLOOR bytes; real XML packs 5-50 times
RATIO_FLOOR = 1024 * 1024
MAX_XML_BYTES = 64 * 1024 * 1024  # a part we parse ([Content_Types].xml, OFD.xml, main part)


def _refuse(message: str, reason: str, code: str = "invalid_file") -> InvalidInput:
    log.warning("refused office file: %s", reason)
    return InvalidInput(message, code=code, field="file")


def _macro(reason: str) -> InvalidInput:
    return _refuse("文件含有宏（VBA 或宏表），不能作为证明材料："
                   "请另存为不含宏的 .docx、.xlsx 或 PDF 后再上传",
                   f"macro ({reason})", "macro_refused")


def _corrupt(reason: str) -> InvalidInput:
    return _refuse("文件已损坏或不完整，无法识别为文档，请重新保存后上传", reason, "corrupt_file")


def _unsupported(reason: str) -> UnsupportedType:
    log.warning("refused office file: %s", reason)
    return UnsupportedType("不支持的文件类型：压缩包或复合文档中不是 Word、Excel、WPS 或 OFD 文档",
                           field="file")


# --- zips: OOXML and OFD --------------------------------------------------------------------


def zip_document_type(path: Path) -> str:
    """DOCX, XLSX or OFD for a zip at `path`; refusals raise (macro, bomb, corrupt, other)."""
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            _check_declared(infos, path.stat().st_size)
            names = {i.filename for i in infos}
            if any(PurePosixPath(n).name.lower() in _MACRO_PARTS for n in names):
                raise _macro("VBA project part")
            if "[Content_Types].xml" in names:
                kind = _ooxml_type(zf, names)
            elif "OFD.xml" in names:
                kind = _ofd_type(zf, names)
            else:
                raise _unsupported("a zip that is neither OOXML nor OFD")
            _check_actual(zf, infos)
    except DomainError:
        raise
    except Exception as err:  # any parser failure on uploaded bytes is the file's fault
        raise _corrupt(f"zip: {type(err).__name__}: {err}") from None
    return kind


def _bomb(reason: str) -> InvalidInput:
    return _refuse("压缩文档解压后过大或压缩比异常（疑似“压缩炸弹”），不能接受",
                   f"zip bomb: {reason}", "zip_bomb")


def _check_declared(infos: list[zipfile.ZipInfo], file_size: int) -> None:
    if len(infos) > MAX_ENTRIES:
        raise _bomb(f"{len(infos)} entries")
    total = sum(i.file_size for i in infos)
    if total > MAX_UNPACKED_BYTES:
        raise _bomb(f"declares {total} bytes unpacked")
    for info in infos:
        if info.flag_bits & 0x1:
            raise _refuse("文件已加密（设置了打开密码），请取消密码后再上传", "encrypted zip entry",
                          "encrypted_file")
        if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise _bomb(f"{info.filename}: {info.file_size} from {info.compress_size} bytes")
    if total > RATIO_FLOOR and total > MAX_RATIO * max(file_size, 1):
        raise _bomb(f"{total} bytes from a {file_size}-byte file")


def _check_actual(zf: zipfile.ZipFile, infos: list[zipfile.ZipInfo]) -> None:
    """Unpack every entry, counting: sizes beyond the declared ones or bad CRCs are refused."""
    total = 0
    for info in infos:
        if info.is_dir():
            continue
        size = 0
        with zf.open(info) as f:  # zipfile stops at the declared size and checks the CRC
            while chunk := f.read(1024 * 1024):
                size += len(chunk)
                total += len(chunk)
                if size > info.file_size or total > MAX_UNPACKED_BYTES:
                    raise _bomb(f"{info.filename} unpacks beyond its declared size")


def _xml(zf: zipfile.ZipFile, name: str):
    info = zf.getinfo(name)
    if info.file_size > MAX_XML_BYTES:
        raise _bomb(f"{name} is {info.file_size} bytes")
    try:
        return fromstring(zf.read(info))
    except (DefusedXmlException, SyntaxError) as err:  # ParseError is a SyntaxError
        raise _corrupt(f"{name}: {type(err).__name__}") from None


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _ooxml_type(zf: zipfile.ZipFile, names: set[str]) -> str:
    types = _xml(zf, "[Content_Types].xml")
    declared = [(el.get("PartName") or "", (el.get("ContentType") or "").strip())
                for el in types if _local(el.tag) in ("Override", "Default")]
    lowered = [t.lower() for _, t in declared]
    if any(m in t for t in lowered for m in _MACRO_CONTENT_TYPES):
        raise _macro("macro content type")
    if "_rels/.rels" not in names:
        raise _corrupt("OOXML without _rels/.rels")
    for part, content_type in declared:
        if content_type in _OOXML_MAIN:
            kind, root = _OOXML_MAIN[content_type]
            name = part.lstrip("/")
            if name not in names or _local(_xml(zf, name).tag) != root:
                raise _corrupt(f"OOXML main part {part!r} missing or not <{root}>")
            return kind
    raise _unsupported("OOXML that is not a Word document or Excel workbook")


def _ofd_type(zf: zipfile.ZipFile, names: set[str]) -> str:
    root = _xml(zf, "OFD.xml")
    if _local(root.tag) != "OFD":
        raise _corrupt("OFD.xml without an <ofd:OFD> root")
    doc_roots = [el.text.strip() for el in root.iter()
                 if _local(el.tag) == "DocRoot" and el.text and el.text.strip()]
    if not doc_roots:
        raise _corrupt("OFD without a DocRoot")
    for doc_root in doc_roots:
        name = doc_root.lstrip("/")
        if name not in names or _local(_xml(zf, name).tag) != "Document":
            raise _corrupt(f"OFD DocRoot {doc_root!r} missing or not <ofd:Document>")
    return OFD


# --- OLE2 compound files: Word 97, Excel 97, WPS, ET -----------------------------------------


def ole_document_type(path: Path) -> str:
    """DOC or XLS for an OLE2 compound file at `path`; refusals raise."""
    try:
        with olefile.OleFileIO(str(path)) as ole:
            entries = [[p.lower() for p in e] for e in ole.listdir(streams=True, storages=True)]
            if any(p in _OLE_MACRO_STORAGES for e in entries for p in e):
                raise _macro("VBA storage")
            top = {e[0] for e in entries if len(e) == 1}
            if "worddocument" in top:
                return DOC
            book = "workbook" if "workbook" in top else "book" if "book" in top else None
            if book is None:
                raise _unsupported("an OLE2 file that is not a Word or Excel document")
            if _has_macro_sheet(ole.openstream(book).read(MAX_XML_BYTES)):
                raise _macro("Excel 4.0 macro sheet")
            return XLS
    except DomainError:
        raise
    except Exception as err:  # e.g. RecursionError on a directory chain thousands deep
        raise _corrupt(f"ole: {type(err).__name__}: {err}") from None


_BOUNDSHEET, _EOF = 0x0085, 0x000A
_MACRO_SHEET_TYPES = {0x01, 0x06}  # Excel 4.0 macro sheet, VBA module sheet


def _has_macro_sheet(stream: bytes) -> bool:
    """Whether the workbook globals (BIFF records up to the first EOF) list a macro sheet."""
    pos = 0
    while pos + 4 <= len(stream):
        kind, length = struct.unpack_from("<HH", stream, pos)
        body = stream[pos + 4:pos + 4 + length]
        if kind == _EOF:
            return False
        if kind == _BOUNDSHEET and len(body) >= 6 and body[5] in _MACRO_SHEET_TYPES:
            return True
        pos += 4 + length
    return False
