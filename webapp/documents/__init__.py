"""documents domain (公文): issuing, numbering, rendering to Word and PDF, settings."""


def init_app(app):
    """Register the pages, the JSON API, the render commands and the page helpers."""
    from webapp.documents import (  # noqa: F401 (the API modules register themselves)
        api,
        cli,
        draft_api,
        draft_views,
        verify,
        views,
    )

    app.register_blueprint(views.bp)
    app.register_blueprint(verify.bp)
    app.jinja_env.globals.update(views.JINJA_GLOBALS)
    app.cli.add_command(cli.render_cmd)
    app.cli.add_command(cli.render_pending)
