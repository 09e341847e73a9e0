"""The WSGI entry for gunicorn (`webapp.wsgi:app`, with --preload).

Creates the app once in the master, warns about a set-up that would make documents fail or
crawl (no CJK font, no libharfbuzz-subset), and pays rendering's one-time costs before the
workers fork, so that the first document a worker renders is fast.
"""

import logging

from webapp import create_app
from webapp.documents import rendering
from webapp.extensions import db

app = create_app()
log = logging.getLogger("webapp.wsgi")

with app.app_context():
    problems = rendering.check_environment()
    for problem in problems:
        log.warning("set-up problem: %s", problem)
    if not problems:
        timings = rendering.warm_up()
        log.info("rendering warmed up in %.2f s", sum(timings.values()))
    # No database connection may cross the fork into the workers.

    db.engine.dispose()
