"""Errors the rendering engine raises."""


class RenderError(Exception):
    """A document cannot be rendered (bad data, no CJK font, blocked resource...)."""


class TemplateError(RenderError):
    """A document template is missing or broken; the message names the file and line."""
