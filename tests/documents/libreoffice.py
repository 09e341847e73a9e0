"""Word files as an office opens them: LibreOffice lays a .docx out and prints it to PDF.

LibreOffice is the closest engine here to Word/WPS. The offices' fonts (方正小标宋简体,
仿宋_GB2312, 黑体, 楷体_GB2312, 宋体) are not installed on this machine, so a fontconfig file
maps each name to the free font the PDF renderer uses in its place, as an office PC maps the
names to the real fonts. One LibreOffice profile serves the whole test session.
"""

from __future__ import annotations

import functools
import io
import os
import re
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path

from webapp.documents.rendering import font_report

SOFFICE = shutil.which("soffice")
FALLBACK_FAMILY = {"serif": "Noto Serif CJK SC", "serif-bold": "Noto Serif CJK SC",
                   "sans": "Noto Sans CJK SC"}


@functools.cache
def _workdir() -> Path:
    return Path(tempfile.mkdtemp(prefix="duban-lo-"))


def _fonts_conf() -> Path:
    """fontconfig: the system fonts, and the Word files' font names mapped as the PDF maps them."""
    from webapp.documents.rendering.fonts import WORD_NAMES

    rules = []
    for slot, info in font_report().items():
        family = FALLBACK_FAMILY.get(info["subset"] or "", info["family"])
        weight = ('<edit name="weight" mode="assign" binding="strong"><const>bold</const></edit>'
                  if info["subset"] == "serif-bold" else "")
        rules.append(
            f'<match target="pattern"><test name="family"><string>{WORD_NAMES[slot]}</string>'
            f'</test><edit name="family" mode="assign" binding="strong"><string>{family}</string>'
            f"</edit>{weight}</match>"
        )
    path = _workdir() / "fonts.conf"
    path.write_text(
        '<?xml version="1.0"?><fontconfig><include ignore_missing="yes">/etc/fonts/fonts.conf'
        "</include>" + "".join(rules) + "</fontconfig>",
        encoding="utf-8",
    )
    return path


def docx_to_pdf(docx: bytes, name: str = "document") -> bytes:
    """The .docx laid out and printed by LibreOffice (~1-2 s)."""
    if SOFFICE is None:
        raise RuntimeError("LibreOffice (libreoffice-writer-nogui) is not installed")
    work = _workdir()
    src = work / f"{name}.docx"
    src.write_bytes(docx)
    out = work / "out"
    env = dict(os.environ, FONTCONFIG_FILE=str(_fonts_conf()))
    subprocess.run(
        [SOFFICE, "--headless", "--norestore", f"-env:UserInstallation=file://{work}/profile",
         "--convert-to", "pdf", "--outdir", str(out), str(src)],
        check=True, capture_output=True, timeout=180, env=env,
    )
    return (out / f"{name}.pdf").read_bytes()


ZWSP = "\u200b"
_SCRIPT_CHANGE = re.compile(
    r"(?<=[\u3000-\u9fff\uff00-\uffef])(?=[0-9A-Za-z])|(?<=[0-9A-Za-z])(?=[\u3000-\u9fff\uff00-\uffef])"
)


def as_word_reads_it(docx: bytes) -> bytes:
    """The .docx with two LibreOffice import defects undone, so that LibreOffice lays it out
    the way Word reads the file's paragraph settings.

    LibreOffice (writerfilter, up to 24.x) maps w:overflowPunct inverted (val="0", "no
    hanging punctuation" in Word, turns hanging punctuation on) and ignores w:autoSpaceDE/DN
    (it always adds space between Chinese and Latin text or digits). The copy flips the
    first, and separates Chinese from Latin text for the second with a zero-width space
    (which LibreOffice does not widen, and which breaks lines where the PDF may break too);
    the text measured is the same once those are dropped.
    """
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(docx)) as zin, zipfile.ZipFile(out, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename in ("word/document.xml", "word/styles.xml"):
                text = data.decode().replace(
                    '<w:overflowPunct w:val="0"/>', '<w:overflowPunct w:val="1"/>'
                )
                text = re.sub(
                    r"(<w:t(?: [^>]*)?>)([^<]*)(</w:t>)",
                    lambda m: m.group(1) + _SCRIPT_CHANGE.sub(ZWSP, m.group(2)) + m.group(3),
                    text,
                )
                data = text.encode()
            zout.writestr(item, data)
    return out.getvalue()
