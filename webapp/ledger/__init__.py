"""督办台账: the item list to Excel and items from Excel, batch 催办 / 交办, the 督办单 print
layout. Built on webapp.supervision's list filters and services."""


def init_app(app):
    from webapp.ledger import api, views

    views.init_app(app)
    api.init_app(app)
