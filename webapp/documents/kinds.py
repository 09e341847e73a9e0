"""Kinds of document (公文种类): one table that the rest of Duban reads.

A row says what a kind is about, how its data is built, who issues it and how it is numbered,
whether it needs a leader's 签发, how it is laid out (信函格式, PDF/A, 签发人) and archived.
A new kind is one row here (`register`) and one template in doc_templates/ (the row's
`template`); tests/documents/test_kinds.py registers a kind that way and issues, renders and
archives it. The admin may change two columns per kind at /documents/settings: the letter
format and 签发; the row gives their defaults.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from webapp.auth.models import Role
from webapp.documents import data
from webapp.documents.models import DocumentKind, Retention
from webapp.errors import NotFound
from webapp.labels import Labelled
from webapp.supervision.models import ItemState, SupervisionItem
from webapp.supervision.workflow import ACTIONS


class Subject(Labelled):
    """What a document is about; one live document per subject (or per day, `daily`)."""

    ITEM = "item", "事项"
    PERIOD = "period", "期间"
    INSPECTION = "inspection", "检查"


@dataclass(frozen=True)
class Kind:
    """One kind of document."""

    name: Labelled  # stored in document.kind; its label is the 文种 (督办通知)
    template: str  # doc_templates/<template>.j2 (and samples/<template>.json if any)
    subject: Subject
    build: Callable[[data.Source], dict]  # the plain data (doc_templates/README.md)
    required: tuple[str, ...] = ()  # data fields the template cannot do without
    when: Callable[[SupervisionItem, date], str | None] | None = None  # item kinds: why not now
    daily: bool = False  # one a day per subject instead of one live document per subject
    options: tuple[str, ...] = ()  # what the office fills in when issuing (Options fields)
    issuers: frozenset[Role] = frozenset({Role.OFFICE})  # who drafts and issues it
    numbering: str = "doc"  # number series "<numbering>:<机关代字>", gapless per year
    letter: bool = False  # 信函格式 by default
    signoff: bool = False  # 拟稿 → 核稿 → 签发 before it takes a number, by default
    upward: bool = False  # 上行文: the 签发人 is printed in the 版头 (GB/T 9704 7.2.5)
    pdfa: bool = False  # the PDF is PDF/A-3u (kept for archiving)
    to_unit: bool = False  # addressed to the item's lead unit: its liaisons see it, are told
    retention: Retention = Retention.YEARS_30  # 保管期限 of its signed scan
    archives_item: bool = False  # filing its signed scan archives the item (closed first)

    @property
    def label(self) -> str:
        return self.name.label

    def __str__(self) -> str:
        return str(self.name)


NOTICE_STATES = frozenset({ItemState.ASSIGNED, ItemState.IN_PROGRESS, ItemState.UNDER_REVIEW})
ITEM_FIELDS = ("item.code", "item.title", "item.lead_unit")


def _notice_when(item: SupervisionItem, today: date) -> str | None:
    if item.state not in NOTICE_STATES or item.lead_unit_id is None:
        return "事项交办后才能印发督办通知"
    return None


def _reminder_when(item: SupervisionItem, today: date) -> str | None:
    if item.state not in ACTIONS["remind"].from_states:
        return f"事项当前状态为“{item.state.label}”，无需催办"
    if item.due_date is None or item.due_date >= today:
        return "事项尚未逾期，不能印发催办通知"
    return None


def _closing_when(item: SupervisionItem, today: date) -> str | None:
    if item.state != ItemState.CLOSED:
        return "事项办结后（归档前）才能印发办结报告"
    return None


def _inspection_record(source: data.Source) -> dict:
    from webapp.documents.inspection_data import build_inspection_record

    return build_inspection_record(source)


BUILT_IN = (
    Kind(DocumentKind.NOTICE, "notice", Subject.ITEM, data.build_notice, when=_notice_when,
         required=(*ITEM_FIELDS, "item.content", "item.due_date"), letter=True, to_unit=True),
    Kind(DocumentKind.REMINDER, "reminder", Subject.ITEM, data.build_reminder,
         when=_reminder_when, daily=True, options=("new_due_date",),
         required=(*ITEM_FIELDS, "item.due_date", "days_overdue"), letter=True, to_unit=True),
    Kind(DocumentKind.CIRCULAR, "circular", Subject.PERIOD, data.build_circular,
         options=("start", "end", "summary", "requirements", "praised", "criticised",
                  "charts"),
         required=("period.start", "period.end", "summary"), signoff=True),
    Kind(DocumentKind.CLOSING_REPORT, "closing_report", Subject.ITEM, data.build_closing_report,
         when=_closing_when, required=(*ITEM_FIELDS, "feedback", "review_opinion",
                                       "closed_date"),
         upward=True, pdfa=True, to_unit=True, retention=Retention.PERMANENT,
         archives_item=True),
    Kind(DocumentKind.INSPECTION_RECORD, "inspection_record", Subject.INSPECTION,
         _inspection_record, options=("inspection_id",),
         required=("inspection.unit", "inspection.mode_label", "inspection.started_at")),
)

KINDS: dict[str, Kind] = {}


def register(kind: Kind) -> Kind:
    """Add a kind to the table (its name must be new)."""
    if str(kind.name) in KINDS:
        raise ValueError(f"document kind {kind.name!r} exists")
    KINDS[str(kind.name)] = kind
    return kind


def unregister(name: str) -> None:
    """Remove a kind (tests that registered one)."""
    KINDS.pop(str(name), None)


for _kind in BUILT_IN:
    register(_kind)


def get(name: object) -> Kind:
    """The kind named `name`; NotFound (404) when there is none."""
    kind = KINDS.get(str(name)) if name is not None else None
    if kind is None:
        raise NotFound("没有这种公文")
    return kind


def find(name: object) -> Kind | None:
    return KINDS.get(str(name)) if name is not None else None


def all_kinds() -> list[Kind]:
    return list(KINDS.values())


def about(subject: Subject) -> list[Kind]:
    """The kinds about one kind of subject, in table order."""
    return [k for k in KINDS.values() if k.subject == subject]


def names(**where: object) -> list[str]:
    """Names of the kinds whose columns have the given values (`names(to_unit=True)`)."""
    return [str(k.name) for k in KINDS.values()
            if all(getattr(k, col) == value for col, value in where.items())]


def choices() -> list[tuple[str, str]]:
    """(name, label) of every kind, for the settings page's check boxes."""
    return [(str(k.name), k.label) for k in KINDS.values()]
