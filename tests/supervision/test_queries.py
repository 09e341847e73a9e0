"""The item list's filters and the visibility rule in lists and counts."""

from datetime import timedelta

from werkzeug.datastructures import MultiDict

from webapp.auth.models import User
from webapp.database import local_today
from webapp.extensions import db
from webapp.supervision.lights import Light
from webapp.supervision.queries import ItemFilters, search_items


def _search(app, persona, **args):
    with app.app_context():
        f = ItemFilters.from_args(MultiDict(args))
        page = search_items(db.session.get(User, persona.id), f)
        return page.total, [i.code for i in page.items]


def test_filters_and_lights(app, make_item, office, units):
    with app.app_context():
        today = local_today()
    red = make_item("in_progress", due_date=today - timedelta(days=2))
    yellow = make_item("in_progress", due_date=today + timedelta(days=1))
    green = make_item("assigned", lead_unit_id=units["B"].id)
    closed = make_item("closed")
    assert _search(app, office, light="red") == (1, [red])
    assert _search(app, office, light="yellow") == (1, [yellow])
    assert _search(app, office, light="green") == (1, [green])
    assert _search(app, office, light="none") == (1, [closed])
    assert _search(app, office, unit=str(units["B"].id))[1] == [green]
    assert _search(app, office, state="closed")[1] == [closed]
    assert _search(app, office, q=red)[1] == [red]
    assert _search(app, office, q="100%")[0] == 0  # LIKE wildcards are literal
    assert _search(app, office)[0] == 4
    assert Light.RED == "red"


def test_liaison_counts_only_their_own(app, make_item, liaison_a, liaison_b, units):
    mine = make_item("in_progress")
    make_item("in_progress", lead_unit_id=units["B"].id)
    assisted = make_item("in_progress", lead_unit_id=units["B"].id,
                         assisting_unit_ids=[units["A"].id])
    total, codes = _search(app, liaison_a)
    assert total == 2
    assert set(codes) == {mine, assisted}
    assert _search(app, liaison_b)[0] == 2


def test_odd_filter_values_are_a_clear_4xx_on_the_page(client, office):
    """Values that pass str.isdigit() but not int() ("²"), huge numbers and NUL: the list page
    answers like the API does, never with a 500."""
    from tests.helpers import login

    login(client, office)
    for query in ("unit=%C2%B2", "page=%C2%B2", "unit=" + "9" * 30, "q=a%00b"):
        resp = client.get(f"/items/?{query}")
        assert resp.status_code in (200, 422), (query, resp.status_code)
