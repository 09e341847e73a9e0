"""Document rendering engine: templates → blocks → GB/T 9704 PDF and Word."""

from webapp.documents.rendering.blocks import KIND_LABELS, KINDS, Block
from webapp.documents.rendering.errors import RenderError, TemplateError
from webapp.documents.rendering.request import Issuer, RenderRequest, build_blocks

__all__ = [
    "KINDS",
    "KIND_LABELS",
    "Block",
    "Issuer",
    "RenderError",
    "RenderRequest",
    "TemplateError",
    "build_blocks",
    "render_pdf",
]


def render_pdf(req: RenderRequest) -> bytes:
    """The document as PDF bytes (see rendering.pdf)."""
    from webapp.documents.rendering import pdf

    return pdf.render_pdf(req)
