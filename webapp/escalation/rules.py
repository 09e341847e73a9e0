"""The escalation rules: what each does (fixed here) and its defaults (the office changes the
numbers and may switch a rule off at /escalation/rules). Defaults follow a real bureau's rules:

- due_soon: a system reminder N working days before the deadline (default 3);
- first_overdue: on the first working day after it, a 催办 to the unit and a 催办通知 drafted
  into the office's to-do;
- escalate: 5 working days after it, the 分管领导 is told and the item is marked for the next
  通报;
- repeat_*: then a 催办 again every N working days by urgency (特急 1, 急 2, 平件 3);
- cadence_*: the same for the progress reports of a feedback cadence (每周一报进展,
  webapp/recurring): a reminder N working days before a report is due, and a 催办 (and an
  entry in the unit's and the office's to-do) N working days after a report was not sent;
- milestone_*: an item's open 节点 are reminded like its deadline, before and after their date
  (escalation/milestones.py).

A rule with negative working days acts before the date, on any day of that window (once);
one with positive days from that many working days after it (once), or repeats.
"""

from __future__ import annotations

from dataclasses import dataclass

from webapp.supervision.models import Urgency


@dataclass(frozen=True)
class Rule:
    key: str
    label: str
    working_days: int  # default: before (−) or after (+) the deadline
    every: int | None = None  # default repeat interval (repeats only)
    urgency: Urgency | None = None  # repeats: the urgency they apply to
    on: str = "deadline"  # the date counted from: the item's deadline, or a cadence's report
    milestone: bool = False  # applies to an item's open 节点, not to its deadline


RULES = {r.key: r for r in (
    Rule("due_soon", "到期前系统提醒", -3),
    Rule("first_overdue", "逾期首个工作日催办并拟催办通知", 1),
    Rule("escalate", "逾期告知分管领导并列入通报", 5),
    Rule("repeat_very_urgent", "特急件逾期后重复催办", 1, every=1, urgency=Urgency.VERY_URGENT),
    Rule("repeat_urgent", "急件逾期后重复催办", 1, every=2, urgency=Urgency.URGENT),
    Rule("repeat_normal", "平件逾期后重复催办", 1, every=3, urgency=Urgency.NORMAL),
    Rule("cadence_soon", "阶段进展报送前提醒", -1, on="cadence"),
    Rule("cadence_missed", "未按期报送阶段进展催办", 1, on="cadence"),
    Rule("milestone_soon", "节点到期前系统提醒", -2, milestone=True),
    Rule("milestone_overdue", "节点逾期首个工作日催办", 1, milestone=True),
)}
