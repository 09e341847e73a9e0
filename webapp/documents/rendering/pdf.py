"""PDF output with WeasyPrint: our own URL fetcher, one font configuration per process."""

from __future__ import annotations

import atexit
import base64
import functools
import hashlib
import io
import json
import threading
import urllib.parse

from webapp.documents.rendering import fonts
from webapp.documents.rendering import layout as L
from webapp.documents.rendering.blocks import SHA256
from webapp.documents.rendering.charsets import TIERS, tier_codepoints
from webapp.documents.rendering.errors import RenderError
from webapp.documents.rendering.pdf_html import build_html, stylesheet
from webapp.documents.rendering.request import Issuer, RenderRequest, build_blocks

FONT_SCHEME = "duban-font:"
IMAGE_SCHEME = "duban-image:"
PDFA_VARIANT = "pdf/a-3u"

_lock = threading.Lock()
_font_config = None
_stylesheets: dict[tuple, object] = {}
_stacks: dict[tuple, dict[str, str]] = {}  # the font stacks of each stylesheet (charts' text)


def _weasyprint():
    """WeasyPrint, imported on first use (0.5–0.7 s: preload it in the web server).

    Importing it sets Pillow's LOAD_TRUNCATED_IMAGES process-wide, which would let truncated
    photo and scan uploads through the media checks: switch it back off. Our documents only
    embed display copies we made ourselves, which are never truncated.
    """
    import weasyprint
    from PIL import ImageFile

    ImageFile.LOAD_TRUNCATED_IMAGES = False
    return weasyprint


def make_fetcher(image_loader=None, font_files: dict[str, str] | None = None):
    """A URL fetcher serving only data:, duban-font: and duban-image: (else Fatal)."""
    from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

    class DubanFetcher(URLFetcher):
        def __init__(self):
            super().__init__(fail_on_errors=True, allow_redirects=False)

        def fetch(self, url, headers=None):
            if url.startswith(FONT_SCHEME):
                path = (font_files or {}).get(url[len(FONT_SCHEME) :])
                if not path:
                    raise FatalURLFetchingError(f"unknown font {url!r}")
                with open(path, "rb") as f:
                    return URLFetcherResponse(url, f.read(), {"Content-Type": "font/otf"})
            if url.startswith(IMAGE_SCHEME):
                ref = url[len(IMAGE_SCHEME) :]
                if image_loader is None or not SHA256.fullmatch(ref):
                    raise FatalURLFetchingError(f"photo not available: {ref[:80]!r}")
                return URLFetcherResponse(url, image_loader(ref), {"Content-Type": "image/jpeg"})
            if url.startswith("data:"):
                header, _, payload = url[5:].partition(",")
                data = (
                    base64.b64decode(payload)
                    if header.endswith(";base64")
                    else urllib.parse.unquote_to_bytes(payload)
                )
                mime = header.split(";")[0] or "text/plain"
                return URLFetcherResponse(url, data, {"Content-Type": mime})
            raise FatalURLFetchingError(f"blocked URL (only our own resources): {url[:200]!r}")

    return DubanFetcher()


def font_config():
    """The process's one FontConfiguration (a new one per render doubles time and memory)."""
    global _font_config
    if _font_config is None:
        from weasyprint.text.fonts import FontConfiguration

        _font_config = FontConfiguration()
        atexit.register(_forget_font_config)
    return _font_config


def _forget_font_config() -> None:
    """Drop it while the interpreter still runs: its clean-up (removing its temporary font
    folder) fails once modules are torn down at exit."""
    global _font_config
    _font_config = None


def _quote(family: str) -> str:
    return '"' + family.replace('"', "") + '"'


def _stacks_and_faces(
    issuer: Issuer, tiers: tuple[str, ...]
) -> tuple[dict[str, str], str, dict[str, str]]:
    try:
        slots = fonts.resolve_slots(tuple(sorted(issuer.font_paths.items())))
    except fonts.FontError as exc:
        raise RenderError(str(exc)) from exc
    faces: dict[str, str] = {}  # CSS family -> file
    stacks = {}
    for slot, font in slots.items():
        stack = []
        if font.source == "configured":
            faces[f"duban-{slot}"] = font.path
            stack.append(f"duban-{slot}")
        elif font.source == "system":
            stack.append(font.family)
        if font.face_key:
            for tier in tiers:  # commonest characters first: fewer empty glyph slots
                path = fonts.subset_face(font.face_key, tier)
                if path:
                    faces[f"duban-{font.face_key}-{tier}"] = str(path)
                    stack.append(f"duban-{font.face_key}-{tier}")
        for family, _style, _key in fonts.FALLBACK[slot]:
            if fonts._find_family(family):
                stack.append(family)
        stacks[slot] = ", ".join(_quote(f) for f in dict.fromkeys(stack)) + ", serif"
    # The bold fallback faces are declared bold, so that a character beyond their subset
    # (堃 in a title) comes from the system font's Bold face, not its Regular one.
    css = "\n".join(
        f"@font-face {{ font-family: {_quote(name)}; src: url({FONT_SCHEME}{name});"
        f" font-weight: {'bold' if '-bold-' in name else 'normal'}; }}"
        for name in faces
    )
    return stacks, css, faces


def _mark_baseline(issuer: Issuer) -> float:
    slot = fonts.resolve_slots(tuple(sorted(issuer.font_paths.items())))["xiaobiaosong"]
    path = fonts.subset_face(slot.face_key) if slot.face_key else slot.path
    return fonts.baseline_factor(str(path))


def tiers_needed(blocks, extra: str = "") -> tuple[str, ...]:
    """The subset tiers a document's characters need (core always; l1/l2 when used)."""
    chars = {ord(c) for b in blocks for piece in b.texts() for c in piece}
    chars.update(ord(c) for c in extra)
    return ("core", *tuple(t for t in TIERS[1:] if not chars.isdisjoint(tier_codepoints(t))))


def document_css(issuer: Issuer, tiers: tuple[str, ...] = TIERS):
    """The shared CSS (with @font-face) for these fonts and tiers, parsed once per process.

    Only the tiers a document needs are loaded, so a fresh worker registers the three small
    core faces first and the larger ones when a document first uses their characters.
    """
    key = (tuple(sorted(issuer.font_paths.items())), tiers)
    with _lock:
        if key not in _stylesheets:
            weasyprint = _weasyprint()
            stacks, faces_css, faces = _stacks_and_faces(issuer, tiers)
            _stacks[key] = stacks
            title = fonts.resolve_slots(key[0])["xiaobiaosong"]
            weight = "bold" if title.face_key == "serif-bold" else "normal"
            _stylesheets[key] = weasyprint.CSS(
                string=stylesheet(stacks, faces_css, title_weight=weight),
                font_config=font_config(),
                url_fetcher=make_fetcher(font_files=faces),
            )
        return _stylesheets[key]


def render_pdf(req: RenderRequest) -> bytes:
    """The document as PDF (PDF/A-3u when ``req.pdfa``), laid out to GB/T 9704."""
    blocks = build_blocks(req)
    header = (
        req.issuer.mark_text(req.letter) + (req.doc_number or "") + "草稿印发抄送附件—0123456789"
    )
    tiers = tiers_needed(blocks, header)
    css = document_css(req.issuer, tiers)
    chart_font = _stacks[(tuple(sorted(req.issuer.font_paths.items())), tiers)]["fangsong"]
    weasyprint = _weasyprint()
    from weasyprint.urls import FatalURLFetchingError

    baseline = _mark_baseline(req.issuer)
    fetcher = make_fetcher(req.image_loader)
    options: dict = {}
    if req.pdfa:
        # Our own sRGB output intent: WeasyPrint's default leaves its ICC file open.
        options = {"pdf_variant": PDFA_VARIANT, "output_intent": "duban-srgb"}

    def layout(colophon: str):
        html = weasyprint.HTML(
            string=build_html(req, blocks, baseline, colophon=colophon, chart_font=chart_font),
            url_fetcher=fetcher,
        )
        profiles = {"duban-srgb": _srgb_profile()} if req.pdfa else {}
        return html.render(
            font_config=font_config(), color_profiles=profiles, stylesheets=[css], **options
        )

    try:
        with _lock:  # WeasyPrint/Pango are not thread-safe around the shared font config
            key = _plan_key(req)
            plan = _plans.get(key)
            document = layout(plan or "inline")
            if plan is None:
                plan = _remember(key, colophon_plan(document, has_colophon(req, blocks)))
                if plan != "inline":
                    document = layout(plan)
            return document.write_pdf(**options)
    except FatalURLFetchingError as exc:
        raise RenderError(f"渲染时读取资源失败 / Resource refused while rendering: {exc}") from exc


def has_colophon(req: RenderRequest, blocks) -> bool:
    """Does the document have a 版记 (抄送, or 印发 outside the letter format)?"""
    return any(b.kind == "cc" or (b.kind == "printer" and not req.letter) for b in blocks)


def colophon_plan(document, has_colophon: bool = True) -> str:
    """Where the 版记 goes so that it stands on an even page (GB/T 9704 7.4, 7.5).

    One page: after the body. Several: after the body when that is on an even page; else
    on a page of its own ("alone"); if it already spilled alone onto an odd page, after an
    empty page ("blank"). A page holding only the 版记, and the empty page, get no number.
    """
    pages = len(document.pages)
    if not has_colophon or pages == 1:
        return "inline"
    if _colophon_only(document.pages[-1]):
        return "blank" if pages % 2 else "alone"
    return "alone" if pages % 2 else "inline"


_plans: dict[str, str] = {}


def _plan_key(req: RenderRequest) -> str:
    issuer = req.issuer
    text = json.dumps(
        [req.kind, req.data, req.doc_number, req.letter, issuer.mark_text(req.letter),
         sorted(issuer.font_paths.items()), issuer.signature, list(issuer.cc), issuer.printer,
         issuer.contact_name, issuer.contact_phone],
        ensure_ascii=False, sort_keys=True, default=str,
    )
    return hashlib.sha256(text.encode()).hexdigest()


def _remember(key: str, plan: str) -> str:
    if len(_plans) > 256:
        _plans.clear()
    _plans[key] = plan
    return plan


def page_plan(req: RenderRequest, blocks) -> str:
    """The 版记's placement for the Word file: the PDF's (same blocks, same page grid).

    A document that surely fits one page needs no layout; otherwise the PDF layout decides
    (remembered, so issuing both formats lays the document out once more at most).
    """
    if not has_colophon(req, blocks) or _surely_one_page(req, blocks):
        return "inline"
    key = _plan_key(req)
    if key in _plans:
        return _plans[key]
    render_pdf(req)
    return _plans.get(key, "inline")


def _surely_one_page(req: RenderRequest, blocks) -> bool:
    """A cautious line count: True only when the document is far from filling page 1."""
    lines = 5.0 if req.letter else 11.0  # the 版头 down to the title
    lines += len(req.header_lines)
    for block in blocks:
        if block.kind in ("image", "chart", "table", "pagebreak"):
            return False
        if block.kind == "title":
            lines += len(block.lines or [block.text]) + 1
        elif block.kind == "cc" or (block.kind == "printer" and not req.letter):
            lines += 1
        elif block.kind == "printer":
            continue
        else:
            for piece in block.texts():
                lines += -(-int(L.text_width(piece) + 2) // 28)
        lines += 1 if block.kind in ("recipients", "attachments", "signature") else 0
    return lines <= 20  # of 22: a margin for what the count misses


def _colophon_only(page) -> bool:
    """True when a page's flow holds no text (the absolutely placed 版记 is not in it)."""
    from weasyprint.formatting_structure import boxes

    for child in page._page_box.children:
        if isinstance(child, boxes.MarginBox):
            continue
        if any(isinstance(box, boxes.TextBox | boxes.ReplacedBox) for box in child.descendants()):
            return False
    return True


@functools.cache
def _srgb_bytes() -> bytes:
    from importlib.resources import files

    return (files("weasyprint.pdf") / "sRGB2014.icc").read_bytes()


def _srgb_profile():
    from weasyprint.css import ColorProfile

    return ColorProfile(
        io.BytesIO(_srgb_bytes()), "sRGB2014.icc", "relative-colorimetric", (["r"], ["g"], ["b"])
    )
