"""批量催办 and 批量交办 of items ticked on the list.

Each item goes through the same service as the single action — so through the workflow's gate
(its row lock, the actor's role, the item's state) — and records its own audit event.

One refusal does not undo the others: the office ticks twenty items to remind, one of them
was closed a minute ago; refusing the nineteen others for it would only make them tick again.
So each item runs in a savepoint (`begin_nested`) inside the request's one transaction: a
refused item's savepoint is rolled back (nothing of it stays, its audit event neither), the
others are kept, and the request commits once. The answer lists every item: done, or refused
with the service's reason. Only a batch that cannot start (no items, too many, an unknown
action, a malformed common field) is refused as a whole.
"""

from __future__ import annotations

from dataclasses import dataclass

from werkzeug.datastructures import MultiDict

from webapp.auth.models import Role, User
from webapp.errors import DomainError, InvalidInput, NotAllowed
from webapp.extensions import db
from webapp.labels import Labelled
from webapp.supervision import services
from webapp.supervision.access import visible_items
from webapp.supervision.models import MANUAL_CHANNELS, ReminderChannel, SupervisionItem
from webapp.validation import parse_choice, parse_date, parse_id

MAX_ITEMS = 200


class BatchAction(Labelled):
    REMIND = "remind", "催办"
    ASSIGN = "assign", "交办"


@dataclass(frozen=True)
class Outcome:
    code: str
    done: bool
    message: str


def args_from_form(form: MultiDict) -> dict:
    """The fields common to every item of the batch, from the list's batch form."""
    action = form.get("action", "")
    if action == BatchAction.REMIND:
        channel = parse_choice(form.get("channel") or ReminderChannel.PHONE, ReminderChannel,
                               field="channel", label="催办方式")
        return {"channel": channel, "note": form.get("note")}
    if action == BatchAction.ASSIGN:
        return {"lead_unit": parse_id(form.get("lead_unit"), field="lead_unit", label="承办单位"),
                "due_date": parse_date(form.get("due_date", ""), field="due_date",
                                       label="办理时限", required=False),
                "assisting_units": [parse_id(v, field="assisting_units", label="协办单位")
                                    for v in form.getlist("assisting_units") if v],
                "supervising_leader": form.get("supervising_leader"),
                "first_responsible": form.get("first_responsible"),
                "direct_responsible": form.get("direct_responsible")}
    return {}


def run(actor: User, action: str, codes: list[str], args: dict) -> list[Outcome]:
    """Take `action` on every item of `codes` that `actor` may see; one Outcome per code."""
    if actor.role != Role.OFFICE:
        raise NotAllowed("只有督办员可以批量处理")
    try:
        action = BatchAction(action)
    except ValueError:
        raise InvalidInput("请选择批量催办或批量交办", field="action") from None
    codes = list(dict.fromkeys(c.strip() for c in codes if c and c.strip()))
    if not codes:
        raise InvalidInput("请先在列表中勾选事项", field="code")
    if len(codes) > MAX_ITEMS:
        raise InvalidInput(f"一次最多处理 {MAX_ITEMS} 个事项", field="code")
    if action == BatchAction.REMIND and args.get("channel") not in MANUAL_CHANNELS:
        raise InvalidInput("请选择催办方式", field="channel")
    if action == BatchAction.ASSIGN and args.get("lead_unit") is None:
        raise InvalidInput("请选择承办单位", field="lead_unit")
    found = {i.code: i for i in db.session.scalars(
        visible_items(actor).where(SupervisionItem.code.in_(codes)))}
    outcomes = []
    for code in codes:
        item = found.get(code)
        if item is None:
            outcomes.append(Outcome(code, False, "找不到该督办事项"))
            continue
        try:
            with db.session.begin_nested():
                _one(action, item, actor, args)
            outcomes.append(Outcome(code, True, f"已{action.label}"))
        except DomainError as err:
            outcomes.append(Outcome(code, False, err.message))
    return outcomes


def _one(action: BatchAction, item: SupervisionItem, actor: User, args: dict) -> None:
    if action == BatchAction.REMIND:
        services.record_reminder(item, actor=actor, channel=args["channel"],
                                 note=args.get("note"))
    else:
        services.assign_item(item, actor=actor, lead_unit=args["lead_unit"],
                             due_date=args.get("due_date"),
                             assisting_units=args.get("assisting_units", ()),
                             supervising_leader=args.get("supervising_leader"),
                             first_responsible=args.get("first_responsible"),
                             direct_responsible=args.get("direct_responsible"))
