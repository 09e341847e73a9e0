"""考核 rules: the numbers a period is scored by, and the arithmetic — plain functions on
plain values (no database), so that a period's result is explained by its own rules.

A unit's score = base + the points of its reason lines:
- 逾期: each overdue item costs `overdue_item` plus `overdue_day` per day overdue, at most
  `overdue_item_cap` per item; all overdue items together at most `overdue_unit_cap`;
- 反馈被退回重办: `returned` per returned 办结反馈; 通报批评: `criticism` each;
- 表扬: `praise` each; 提前办结: `early_close` per item closed `early_days` or more days
  before its deadline.
Caps left empty (None) do not apply. Points are kept to two decimals.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from decimal import ROUND_HALF_UP, Decimal

from webapp.errors import InvalidInput

MAX_POINTS = 1000  # no rule value is larger: a typing mistake otherwise


@dataclass(frozen=True)
class Rules:
    base: float = 100
    overdue_item: float = 2  # per overdue item
    overdue_day: float = 0.2  # per day overdue
    overdue_item_cap: float | None = 5  # per item, at most
    overdue_unit_cap: float | None = 20  # per unit, all overdue items together, at most
    returned: float = 1  # per returned 办结反馈 (退回重办)
    criticism: float = 3  # per 通报批评
    praise: float = 2  # per 表扬
    early_close: float = 0.5  # per item closed early
    early_days: int = 5  # early: closed this many days or more before the deadline


LABELS = {
    "base": "基础分",
    "overdue_item": "逾期每件扣分",
    "overdue_day": "逾期每天扣分",
    "overdue_item_cap": "逾期单件扣分上限",
    "overdue_unit_cap": "逾期单位扣分上限",
    "returned": "反馈被退回每次扣分",
    "criticism": "通报批评每次扣分",
    "praise": "表扬每次加分",
    "early_close": "提前办结每件加分",
    "early_days": "提前办结天数（提前几天及以上）",
}
OPTIONAL = frozenset({"overdue_item_cap", "overdue_unit_cap"})


def _number(value: object, name: str, *, whole: bool) -> float | int | None:
    label = LABELS[name]
    if value is None or (isinstance(value, str) and not value.strip()):
        if name in OPTIONAL:
            return None
        raise InvalidInput(f"请填写{label}", field=name)
    if isinstance(value, bool):
        raise InvalidInput(f"{label}应为数字", field=name)
    try:
        number = Decimal(str(value).strip())
    except ArithmeticError:
        raise InvalidInput(f"{label}应为数字", field=name) from None
    if not number.is_finite() or number < 0 or number > MAX_POINTS:
        raise InvalidInput(f"{label}应在 0 到 {MAX_POINTS} 之间", field=name)
    if whole:
        if number != number.to_integral_value():
            raise InvalidInput(f"{label}应为整数", field=name)
        return int(number)
    if number != number.quantize(Decimal("0.01")):
        raise InvalidInput(f"{label}最多保留两位小数", field=name)
    return float(number)


def parse_rules(values: dict) -> Rules:
    """Rules from a form or a JSON body (missing values: the defaults); refusals name the field
    in Chinese."""
    defaults = asdict(Rules())
    if unknown := sorted(set(values) - set(defaults)):
        raise InvalidInput(f"没有名为“{unknown[0]}”的考核规则", field=unknown[0])
    parsed = {}
    for f in fields(Rules):
        raw = values[f.name] if f.name in values else defaults[f.name]
        parsed[f.name] = _number(raw, f.name, whole=f.name == "early_days")
    return Rules(**parsed)


def rules_of(stored: dict) -> Rules:
    """A period's stored rules (written by parse_rules)."""
    known = {f.name for f in fields(Rules)}
    return Rules(**{k: v for k, v in stored.items() if k in known})


def describe(rules: Rules) -> list[tuple[str, str]]:
    """(label, value) pairs for pages and the Excel: empty caps read 不封顶."""
    return [(LABELS[f.name], "不封顶" if getattr(rules, f.name) is None
             else fmt(getattr(rules, f.name))) for f in fields(Rules)]


def d(value: float | int) -> Decimal:
    return Decimal(str(value))


def points(value: Decimal) -> float:
    """Two decimals, half up, as a plain number."""
    return float(value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def fmt(value: float | int) -> str:
    """A number without trailing zeros: 2, 0.5, 12.25."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def overdue_item_points(rules: Rules, days: int) -> Decimal:
    """What one item overdue by `days` days costs (positive), capped per item."""
    cost = d(rules.overdue_item) + d(rules.overdue_day) * days
    if rules.overdue_item_cap is not None:
        cost = min(cost, d(rules.overdue_item_cap))
    return cost


def overdue_points(rules: Rules, days: list[int]) -> tuple[Decimal, bool]:
    """What all of a unit's overdue items cost (positive), and whether the unit cap applied."""
    total = sum((overdue_item_points(rules, n) for n in days), Decimal(0))
    if rules.overdue_unit_cap is not None and total > d(rules.overdue_unit_cap):
        return d(rules.overdue_unit_cap), True
    return total, False


def per_count(value: float, count: int) -> Decimal:
    return d(value) * count


def total(rules: Rules, line_points: list[float]) -> float:
    """base + the lines' points."""
    return points(d(rules.base) + sum((d(p) for p in line_points), Decimal(0)))


def ranks(totals: list[float]) -> list[int]:
    """Competition ranking, highest first: equal totals share a rank (1, 1, 3)."""
    order = sorted(totals, reverse=True)
    return [order.index(t) + 1 for t in totals]


def parse_points(value: object, *, field: str, label: str) -> float | None:
    """A line's points as decided on an appeal: signed, two decimals at most; None if empty."""
    text = value.strip() if isinstance(value, str) else ("" if value is None else str(value))
    if not text:
        return None
    text = text.replace("−", "-").replace("＋", "+")
    try:
        number = Decimal(text)
    except ArithmeticError:
        raise InvalidInput(f"{label}应为数字", field=field) from None
    if not number.is_finite() or abs(number) > MAX_POINTS:
        raise InvalidInput(f"{label}应在 -{MAX_POINTS} 到 {MAX_POINTS} 之间", field=field)
    if number != number.quantize(Decimal("0.01")):
        raise InvalidInput(f"{label}最多保留两位小数", field=field)
    return float(number)
