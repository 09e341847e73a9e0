"""archive domain: signed scans of issued documents (归档), their download and verification."""


def init_app(app):
    """Register the archive pages and the archive-verify and archive-manifest commands."""
    from webapp.archive import services, views
    from webapp.archive.cli import archive_manifest, archive_verify
    from webapp.documents.models import Retention

    app.register_blueprint(views.bp)
    app.jinja_env.globals.update(archive_record=services.record_for,
                                 scan_blocker=services.scan_blocker, retention=Retention)
    app.cli.add_command(archive_verify)
    app.cli.add_command(archive_manifest)
