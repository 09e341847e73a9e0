"""考核 rules arithmetic: per-item and per-unit caps, counts, totals, ranks, refusals."""

from __future__ import annotations

from datetime import date

import pytest

from webapp.errors import InvalidInput
from webapp.scores import rules as R
from webapp.scores.compute import days_overdue, overdue_line
from webapp.supervision.models import ItemState


def test_each_overdue_item_costs_its_points_plus_its_days_capped_per_item():
    rules = R.Rules(overdue_item=2, overdue_day=0.5, overdue_item_cap=5, overdue_unit_cap=None)
    assert R.points(R.overdue_item_points(rules, 1)) == 2.5
    assert R.points(R.overdue_item_points(rules, 6)) == 5  # 2 + 3 = 5: at the cap
    assert R.points(R.overdue_item_points(rules, 40)) == 5  # 22 capped to 5
    cost, capped = R.overdue_points(rules, [1, 6, 40])
    assert (R.points(cost), capped) == (12.5, False)


def test_the_unit_cap_limits_all_overdue_items_together():
    rules = R.Rules(overdue_item=2, overdue_day=0.2, overdue_item_cap=None, overdue_unit_cap=7)
    cost, capped = R.overdue_points(rules, [10, 10])  # 4 + 4 = 8 > 7
    assert (R.points(cost), capped) == (7, True)
    line = overdue_line(rules, [("2026-001", "甲", 10), ("2026-002", "乙", 10)])
    assert line.points == -7 and line.count == 2
    assert [e.points for e in line.entries] == [-4, -4]  # each item's own cost is shown
    assert "已达上限" in line.detail


def test_no_caps_means_plain_sums_and_decimals_stay_exact():
    rules = R.Rules(overdue_item=0.1, overdue_day=0.1, overdue_item_cap=None,
                    overdue_unit_cap=None)
    cost, _ = R.overdue_points(rules, [1, 1, 1])  # float would give 0.6000000000000001
    assert R.points(cost) == 0.6
    assert R.total(R.Rules(base=100), [-0.1, -0.2, 0.3, -12.25]) == 87.75


def test_ranks_share_equal_totals():
    assert R.ranks([98, 100, 98, 90]) == [2, 1, 2, 4]


@pytest.mark.parametrize(("values", "field", "message"), [
    ({"base": "abc"}, "base", "基础分应为数字"),
    ({"overdue_day": "-1"}, "overdue_day", "逾期每天扣分应在 0 到 1000 之间"),
    ({"early_days": "2.5"}, "early_days", "应为整数"),
    ({"praise": "0.125"}, "praise", "最多保留两位小数"),
    ({"returned": ""}, "returned", "请填写反馈被退回每次扣分"),
    ({"criticism": "NaN"}, "criticism", "之间"),
    ({"bonus": 1}, "bonus", "没有名为“bonus”的考核规则"),
])
def test_bad_rule_values_are_refused_in_chinese(values, field, message):
    with pytest.raises(InvalidInput) as err:
        R.parse_rules(values)
    assert err.value.field == field and message in err.value.message


def test_empty_caps_mean_no_cap_and_missing_values_the_defaults():
    rules = R.parse_rules({"overdue_item_cap": "", "overdue_unit_cap": None, "base": "90"})
    assert rules.overdue_item_cap is None and rules.overdue_unit_cap is None
    assert rules.base == 90 and rules.returned == R.Rules().returned


def test_days_overdue_follow_the_overdue_rule():
    due, today = date(2026, 3, 10), date(2026, 3, 20)
    assert days_overdue(ItemState.IN_PROGRESS, due, None, None, today=today) == 10
    # 办结反馈 on time: not late while reviewed, nor once closed later
    assert days_overdue(ItemState.UNDER_REVIEW, due, date(2026, 3, 9), None, today=today) == 0
    assert days_overdue(ItemState.CLOSED, due, date(2026, 3, 9), date(2026, 3, 15),
                        today=today) == 0
    # late feedback: late until it arrived
    assert days_overdue(ItemState.CLOSED, due, date(2026, 3, 13), date(2026, 3, 15),
                        today=today) == 3
    assert days_overdue(ItemState.REGISTERED, due, None, None, today=today) == 0
