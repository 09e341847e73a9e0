"""Supervision items (督办事项): life cycle, pages, API and statistics."""


def init_app(app):
    import importlib

    from webapp.supervision import cli

    cli.register(app)

    # Pages (views), JSON API (api), statistics (stats_views): each module registers itself.
    for name in ("views", "api", "stats_views"):
        try:
            module = importlib.import_module(f"webapp.supervision.{name}")
        except ModuleNotFoundError as err:
            if err.name != f"webapp.supervision.{name}":
                raise
            continue
        module.init_app(app)
