"""archive domain: signed scans of issued documents (归档), their download and verification."""


def init_app(app):
    """Register the archive pages and the archive-verify and archive-manifest commands."""
    from webapp.archive import views
    from webapp.archive.cli import archive_manifest, archive_verify

    app.register_blueprint(views.bp)
    app.cli.add_command(archive_verify)
    app.cli.add_command(archive_manifest)
