"""Fonts for 公文: official fonts when installed, else pre-subset Noto CJK fallbacks.

Each *slot* (xiaobiaosong 小标宋, fangsong 仿宋, heiti 黑体, kaiti 楷体, songti 宋体) resolves to
an official font (from ``Issuer.font_paths`` or installed on the system, found with
``fc-list``) or to a Noto Serif/Sans CJK SC fallback. For the fallbacks, WeasyPrint would
embed a subset that still carries ~63,000 empty glyph slots (it keeps glyph ids), so we cut
each Noto face once with fontTools to GB2312 + ASCII + 公文 punctuation with glyphs renumbered
and cache it (``instance/fonts/`` or ``$DUBAN_FONT_CACHE``). The build is automatic on first
use: ~0.2 s a face with libharfbuzz-subset (through ctypes), ~25 s a face if only fontTools
is available; ``python -m webapp.documents.rendering.fonts`` builds them ahead (set-up, CI).
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import hashlib
import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from webapp.documents.rendering.charsets import TIERS, tier_codepoints
from webapp.documents.rendering.errors import RenderError

SLOTS = ("xiaobiaosong", "fangsong", "heiti", "kaiti", "songti")

# Names the offices' fonts are installed under (Chinese and English family names).
OFFICIAL = {
    "xiaobiaosong": (
        "方正小标宋简体",
        "FZXiaoBiaoSong-B05S",
        "方正小标宋_GBK",
        "FZXiaoBiaoSong-B05",
    ),
    "fangsong": ("仿宋_GB2312", "FangSong_GB2312", "仿宋", "FangSong"),
    "heiti": ("黑体", "SimHei"),
    "kaiti": ("楷体_GB2312", "KaiTi_GB2312", "楷体", "KaiTi"),
    "songti": ("宋体", "SimSun"),
}
# The name Word files carry (w:eastAsia): what the offices' PCs have.
WORD_NAMES = {
    "xiaobiaosong": "方正小标宋简体",
    "fangsong": "仿宋_GB2312",
    "heiti": "黑体",
    "kaiti": "楷体_GB2312",
    "songti": "宋体",
}
# Free fallbacks, best first: (family, style, subset face key or None).
FALLBACK = {
    "xiaobiaosong": (("Noto Serif CJK SC", "Bold", "serif-bold"),),
    "fangsong": (("Noto Serif CJK SC", "Regular", "serif"),),
    "heiti": (("Noto Sans CJK SC", "Regular", "sans"),),
    "kaiti": (("AR PL UKai CN", "Book", None), ("Noto Serif CJK SC", "Regular", "serif")),
    "songti": (("Noto Serif CJK SC", "Regular", "serif"), ("AR PL UMing CN", "Light", None)),
}
SUBSET_VERSION = "3"


class FontError(RenderError):
    """No usable CJK font for a slot."""


@dataclass(frozen=True)
class FontFile:
    family: str
    path: str
    index: int
    style: str


@dataclass(frozen=True)
class SlotFont:
    """How one slot is served: the CSS family stack and where it comes from."""

    slot: str
    family: str  # family actually used (official name or fallback family)
    path: str
    official: bool
    source: str  # "configured" | "system" | "fallback"
    face_key: str | None  # subset face used by @font-face (fallbacks only)

    def as_dict(self) -> dict:
        return {
            "family": self.family,
            "file": self.path,
            "official": self.official,
            "source": self.source,
            "subset": self.face_key,
        }


@functools.cache
def system_fonts() -> dict[tuple[str, str], FontFile]:
    """Installed fonts by (family, style), from fc-list (honours $FONTCONFIG_FILE)."""
    fc_list = shutil.which("fc-list")
    if not fc_list:
        return {}
    out = subprocess.run(  # noqa: S603 (fixed arguments)
        [fc_list, "--format", "%{file}|%{index}|%{family}|%{style}\n"],
        capture_output=True,
        text=True,
        check=False,
        timeout=30,
    ).stdout
    found: dict[tuple[str, str], FontFile] = {}
    for line in out.splitlines():
        parts = line.split("|")
        if len(parts) != 4:
            continue
        path, index, families, styles = parts
        style = styles.split(",")[0]
        for family in families.split(","):
            key = (family.strip(), style)
            found.setdefault(key, FontFile(family.strip(), path, int(index or 0), style))
    return found


def reset_cache() -> None:
    """Forget the font lookup (after installing fonts, or in tests)."""
    system_fonts.cache_clear()
    resolve_slots.cache_clear()


def _find_family(family: str, style: str | None = None) -> FontFile | None:
    fonts = system_fonts()
    if style and (family, style) in fonts:
        return fonts[(family, style)]
    for (fam, _style), font in fonts.items():
        if fam == family:
            return font
    return None


@functools.cache
def resolve_slots(font_paths: tuple[tuple[str, str], ...] = ()) -> dict[str, SlotFont]:
    """Each slot's font; raises FontError when a slot has no CJK font at all."""
    configured = dict(font_paths)
    result: dict[str, SlotFont] = {}
    for slot in SLOTS:
        path = configured.get(slot)
        if path and Path(path).is_file():
            result[slot] = SlotFont(slot, f"duban-{slot}", path, True, "configured", None)
            continue
        official = next(
            (f for name in OFFICIAL[slot] if (f := _find_family(name)) is not None), None
        )
        if official:
            result[slot] = SlotFont(slot, official.family, official.path, True, "system", None)
            continue
        for family, style, face_key in FALLBACK[slot]:
            font = _find_family(family, style)
            if font:
                result[slot] = SlotFont(slot, family, font.path, False, "fallback", face_key)
                break
        else:
            raise FontError(
                f"没有可用的中文字体（{slot}）：请安装公文字体或 fonts-noto-cjk。"
                f" / No CJK font for slot {slot!r}: install the official fonts or"
                " fonts-noto-cjk (Noto Serif/Sans CJK SC)."
            )
    return result


# --- pre-subset faces -------------------------------------------------------------------

FACES = {  # face key -> (family, style) of the source font
    "serif": ("Noto Serif CJK SC", "Regular"),
    "serif-bold": ("Noto Serif CJK SC", "Bold"),
    "sans": ("Noto Sans CJK SC", "Regular"),
}


def cache_dir() -> Path:
    """Where subset fonts are kept: $DUBAN_FONT_CACHE, the app's instance/fonts, or ours."""
    if env := os.environ.get("DUBAN_FONT_CACHE"):
        return Path(env)
    try:
        from flask import current_app

        return Path(current_app.instance_path) / "fonts"
    except RuntimeError:
        return Path(__file__).resolve().parents[3] / "instance" / "fonts"


def subset_codepoints(tier: str = "core") -> set[int]:
    """The code points of one subset tier (see charsets)."""
    return set(tier_codepoints(tier))


def _face_path(face_key: str, tier: str, source: FontFile) -> Path:
    stat = os.stat(source.path)
    tag = f"{SUBSET_VERSION}|{source.path}|{source.index}|{stat.st_size}|{int(stat.st_mtime)}"
    digest = hashlib.sha256(tag.encode()).hexdigest()[:12]
    return cache_dir() / f"duban-{face_key}-{tier}-{digest}.otf"


DROP_TABLES = ("GSUB", "GPOS", "BASE", "DSIG", "vhea", "vmtx", "VORG", "JSTF")


def _harfbuzz_subset(source: FontFile, codepoints: set[int]) -> bytes | None:
    """Subset with libharfbuzz-subset through ctypes (~0.2 s a face); None if unavailable."""
    import ctypes
    import ctypes.util

    try:
        hb = ctypes.CDLL(ctypes.util.find_library("harfbuzz") or "libharfbuzz.so.0")
        hbs = ctypes.CDLL(ctypes.util.find_library("harfbuzz-subset") or "libharfbuzz-subset.so.0")
    except OSError:
        return None
    vp, u32 = ctypes.c_void_p, ctypes.c_uint32
    hb.hb_blob_create_from_file_or_fail.restype = vp
    hb.hb_blob_create_from_file_or_fail.argtypes = [ctypes.c_char_p]
    hb.hb_face_create.restype = vp
    hb.hb_face_create.argtypes = [vp, ctypes.c_uint]
    hb.hb_set_add.argtypes = [vp, u32]
    hb.hb_set_clear.argtypes = [vp]
    hb.hb_tag_from_string.restype = u32
    hb.hb_tag_from_string.argtypes = [ctypes.c_char_p, ctypes.c_int]
    hb.hb_face_reference_blob.restype = vp
    hb.hb_face_reference_blob.argtypes = [vp]
    hb.hb_blob_get_data.restype = ctypes.c_void_p
    hb.hb_blob_get_data.argtypes = [vp, ctypes.POINTER(ctypes.c_uint)]
    for name in ("hb_blob_destroy", "hb_face_destroy"):
        getattr(hb, name).argtypes = [vp]
    hbs.hb_subset_input_create_or_fail.restype = vp
    hbs.hb_subset_input_destroy.argtypes = [vp]
    hbs.hb_subset_input_set.restype = vp
    hbs.hb_subset_input_set.argtypes = [vp, ctypes.c_int]
    hbs.hb_subset_or_fail.restype = vp
    hbs.hb_subset_or_fail.argtypes = [vp, vp]
    unicode_set, drop_table_set, layout_feature_set = 1, 3, 6  # hb_subset_sets_t

    blob = hb.hb_blob_create_from_file_or_fail(source.path.encode())
    if not blob:
        return None
    face = hb.hb_face_create(blob, source.index)
    subset_input = hbs.hb_subset_input_create_or_fail()
    try:
        unicodes = hbs.hb_subset_input_set(subset_input, unicode_set)
        for codepoint in sorted(codepoints):
            hb.hb_set_add(unicodes, codepoint)
        hb.hb_set_clear(hbs.hb_subset_input_set(subset_input, layout_feature_set))
        drop = hbs.hb_subset_input_set(subset_input, drop_table_set)
        for tag in DROP_TABLES:
            hb.hb_set_add(drop, hb.hb_tag_from_string(tag.encode(), -1))
        result = hbs.hb_subset_or_fail(face, subset_input)
        if not result:
            return None
        out_blob = hb.hb_face_reference_blob(result)
        length = ctypes.c_uint()
        data = hb.hb_blob_get_data(out_blob, ctypes.byref(length))
        font = ctypes.string_at(data, length.value)
        hb.hb_blob_destroy(out_blob)
        hb.hb_face_destroy(result)
        return font
    finally:
        hbs.hb_subset_input_destroy(subset_input)
        hb.hb_face_destroy(face)
        hb.hb_blob_destroy(blob)


def _fonttools_subset(source: FontFile, codepoints: set[int]) -> bytes:
    """Same cut with fontTools (~25 s a face): when libharfbuzz-subset cannot be loaded."""
    import io

    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options()
    options.layout_features = []
    options.drop_tables += list(DROP_TABLES)
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.hinting = False
    with TTFont(source.path, fontNumber=source.index, lazy=False) as font:
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=codepoints)
        subsetter.subset(font)
        out = io.BytesIO()
        font.save(out)
    return out.getvalue()


def _build_subset(source: FontFile, tier: str, target: Path) -> None:
    codepoints = subset_codepoints(tier)
    data = _harfbuzz_subset(source, codepoints) or _fonttools_subset(source, codepoints)
    fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".part")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(tmp, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)


def subset_face(face_key: str, tier: str = "core") -> Path | None:
    """The cached subset (one tier) of a fallback face, built on first use (locked)."""
    family, style = FACES[face_key]
    source = _find_family(family, style)
    if source is None:
        return None
    target = _face_path(face_key, tier, source)
    if target.is_file():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target.parent / ".build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if not target.is_file():
                _build_subset(source, tier, target)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return target


def build_all() -> dict[str, tuple[Path | None, float]]:
    """Build every fallback subset now; returns face -> (path, seconds)."""
    report = {}
    for key in FACES:
        for tier in TIERS:
            start = time.perf_counter()
            report[f"{key}-{tier}"] = (subset_face(key, tier), time.perf_counter() - start)
    return report


@functools.cache
def baseline_factor(path: str) -> float:
    """Where Pango puts the baseline in a line box as tall as the font size (× size).

    Pango uses the hhea ascent A and descent D (in em): baseline = size × (1 + A − D) / 2.
    The issuer mark is placed by its ideographic em box (top at 0.88 em above the
    baseline), so the renderer shifts it by size × (factor − 0.88).
    """
    from fontTools.ttLib import TTFont

    try:
        with TTFont(path, lazy=True, fontNumber=0) as font:
            upem = font["head"].unitsPerEm
            ascent, descent = font["hhea"].ascent / upem, -font["hhea"].descent / upem
    except Exception:
        return 0.88
    return (1 + ascent - descent) / 2


@functools.cache
def _cmap(path: str, index: int) -> frozenset[int]:
    from fontTools.ttLib import TTFont

    try:
        with TTFont(path, fontNumber=index, lazy=True) as font:
            return frozenset(font.getBestCmap() or {})
    except Exception:
        return frozenset()


@functools.cache
def coverage(font_paths: tuple[tuple[str, str], ...] = ()) -> frozenset[int]:
    """Code points some font of the documents' stacks can show (read once per process)."""
    points: set[int] = set()
    for slot in resolve_slots(font_paths).values():
        points |= _cmap(slot.path, _index_of(slot))
        for family, style, _key in FALLBACK[slot.slot]:
            font = _find_family(family, style)
            if font:
                points |= _cmap(font.path, font.index)
    return frozenset(points)


def _index_of(slot: SlotFont) -> int:
    font = next((f for f in system_fonts().values() if f.path == slot.path), None)
    return font.index if font else 0


def slot_file(slot: str, font_paths: tuple[tuple[str, str], ...] = ()) -> FontFile:
    """The font file (and face index in a collection) a slot prints with (charts drawn as
    pictures use the same font as the text)."""
    font = resolve_slots(font_paths)[slot]
    if font.source == "configured":
        return FontFile(font.family, font.path, 0, "")
    found = _find_family(font.family) if font.source == "system" else None
    if found is None:
        style = next((s for f, s, _k in FALLBACK.get(slot, ()) if f == font.family), None)
        found = _find_family(font.family, style)
    return found or FontFile(font.family, font.path, _index_of(font), "")
