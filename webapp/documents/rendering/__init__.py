"""Document rendering engine: templates → blocks → GB/T 9704 PDF and Word.

The document life cycle builds plain data (schema: doc_templates/README.md) and calls
``render_pdf`` / ``render_docx`` with a ``RenderRequest``.
"""

from __future__ import annotations

from webapp.documents.rendering import fonts
from webapp.documents.rendering.blocks import KINDS, Block
from webapp.documents.rendering.errors import RenderError, TemplateError
from webapp.documents.rendering.request import Issuer, RenderRequest, build_blocks
from webapp.documents.rendering.samples import sample_data, sample_image_loader

__all__ = [
    "KINDS",
    "Block",
    "Issuer",
    "RenderError",
    "RenderRequest",
    "TemplateError",
    "build_blocks",
    "check_environment",
    "font_report",
    "render_docx",
    "render_pdf",
    "render_sample",
    "sample_data",
    "sample_image_loader",
    "warm_up",
]


def render_pdf(req: RenderRequest) -> bytes:
    """The document as PDF bytes (PDF/A-3u when req.pdfa)."""
    from webapp.documents.rendering import pdf

    return pdf.render_pdf(req)


def render_docx(req: RenderRequest) -> bytes:
    """The document as .docx bytes."""
    from webapp.documents.rendering import word

    return word.render_docx(req)


def font_report(issuer: Issuer | None = None) -> dict[str, dict]:
    """Per font slot: family used, file, official or fallback (for the admin settings page)."""
    issuer = issuer or Issuer()
    try:
        slots = fonts.resolve_slots(tuple(sorted(issuer.font_paths.items())))
    except fonts.FontError as exc:
        raise RenderError(str(exc)) from exc
    return {
        slot: font.as_dict() | {"word_name": fonts.WORD_NAMES[slot]} for slot, font in slots.items()
    }


def check_environment() -> list[str]:
    """Problems that make rendering fail or crawl (for a start-up warning and CI)."""
    problems = []
    try:
        fonts.resolve_slots(())
    except fonts.FontError as exc:
        problems.append(str(exc))
    try:
        from webapp.documents.rendering import pdf

        pdf._weasyprint()
        from weasyprint.pdf.fonts import harfbuzz_subset
        from weasyprint.text.ffi import harfbuzz

        if not harfbuzz_subset or not harfbuzz.hb_version_atleast(4, 1, 0):
            raise ImportError("libharfbuzz-subset < 4.1")
    except (ImportError, OSError, AttributeError) as exc:
        problems.append(
            "缺少 libharfbuzz-subset0：PDF 渲染每份需 7–10 秒 / libharfbuzz-subset0 missing: "
            f"WeasyPrint would subset CJK fonts with fontTools (7–10 s a render) ({exc})"
        )
    return problems


def render_sample(
    kind: str,
    fmt: str = "pdf",
    *,
    doc_number: str | None = "某公督〔2026〕12号",
    issuer: Issuer | None = None,
    data: dict | None = None,
) -> bytes:
    """Render a kind's sample data (tests, benchmark, the settings page's preview)."""
    req = RenderRequest(
        kind=kind,
        data=data if data is not None else sample_data(kind),
        issuer=issuer or Issuer(),
        doc_number=doc_number,
        pdfa=_kind(kind).pdfa,
        image_loader=sample_image_loader,
    )
    if fmt == "pdf":
        return render_pdf(req)
    if fmt == "docx":
        return render_docx(req)
    raise RenderError(f"未知格式 / Unknown format: {fmt!r}")


def _kind(name: str):
    from webapp.documents import kinds

    rule = kinds.find(name)
    if rule is None:
        raise RenderError(f"未知的公文种类 / Unknown document kind: {name!r}")
    return rule


def warm_up(issuer: Issuer | None = None) -> dict[str, float]:
    """Pay the one-time costs before serving (call it in gunicorn's preloaded master).

    Imports WeasyPrint, python-docx and the title segmenter's dictionary, builds the font
    subsets if needed, and renders every kind's sample once (~1 s), so that workers forked
    afterwards start warm. Returns the seconds each step took.
    """
    import time

    timings = {}
    start = time.perf_counter()
    import docx  # noqa: F401

    from webapp.documents.rendering import pdf, titles

    pdf._weasyprint()
    titles.warm_up()  # the word-segmentation dictionary

    timings["import"] = time.perf_counter() - start
    start = time.perf_counter()
    fonts.build_all()
    timings["fonts"] = time.perf_counter() - start
    start = time.perf_counter()
    for kind in KINDS:  # every kind once: their characters load the font tiers real use needs
        render_sample(kind, "pdf", issuer=issuer)
    timings["pdf"] = time.perf_counter() - start
    start = time.perf_counter()
    render_sample("notice", "docx", issuer=issuer)
    timings["docx"] = time.perf_counter() - start
    return timings
