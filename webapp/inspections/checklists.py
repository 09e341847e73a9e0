"""Checklists (检查项) per kind of unit: the defaults, seeding them, and the office's edits."""

from __future__ import annotations

from sqlalchemy import func, select

from webapp.audit import services as audit
from webapp.auth.models import Role, User
from webapp.errors import InvalidInput, NotAllowed, NotFound
from webapp.extensions import db
from webapp.inspections.body import text as clean
from webapp.inspections.models import ChecklistItem
from webapp.org.models import UnitKind
from webapp.validation import parse_choice

EDITORS = frozenset({Role.OFFICE, Role.ADMIN})

_WINDOW = [
    ("着装规范", "工作人员按规定着制服或工作装，佩戴工号牌，仪容整洁"),
    ("亮证服务", "窗口设置岗位牌，工作人员姓名、照片、职责公开，亮证上岗"),
    ("一次性告知", "办事指南、所需材料清单齐全，对材料不全的群众一次性告知补正内容"),
    ("服务态度", "接待群众语言文明、态度热情，无推诿、刁难、冷硬横推现象"),
    ("窗口秩序", "排队叫号有序，无插队、代办黄牛等现象，工作时间无脱岗、串岗"),
    ("工作纪律", "工作时间不玩手机、不做与工作无关的事，不吃零食、不闲聊"),
    ("便民设施", "配备座椅、饮水、老花镜、笔墨、充电等便民设施并能正常使用"),
    ("办事效率", "按承诺时限办结业务，当场能办的当场办结，无明显积压"),
    ("收费公示", "收费项目、标准、依据公示上墙，按规定开具票据，无乱收费"),
    ("意见反馈", "设置意见箱或评价器，公布监督电话，群众意见有登记有回复"),
]

_POLICE_STATION = [
    ("值班备勤", "值班民警、辅警在岗在位，值班领导带班，备勤力量符合规定"),
    ("接处警登记", "接报警情及时登记录入系统，处警记录完整，反馈及时"),
    ("户籍办理", "户籍窗口按规定时限办理业务，材料审核规范，台账齐全"),
    ("警容风纪", "民警着装规范，警容严整，无酒后上岗、无违规使用警车"),
    ("涉案财物", "涉案财物登记、保管、移交手续完备，专区存放、专人管理"),
    ("执法办案区", "办案区功能分区明确，人员进出登记、随身物品登记完整，视频监控全覆盖"),
    ("接待群众", "接待室有人值守，来访群众登记规范，首问责任制落实"),
    ("装备管理", "枪支弹药、警械装备按规定保管，出入库登记完整"),
    ("信息系统", "警综平台数据录入及时准确，无超期未结警情"),
    ("安全防范", "所内消防设施完好，门岗查验制度落实，无安全隐患"),
]

_TRAFFIC = [
    ("执勤规范", "路面执勤民警着装规范、佩戴执法记录仪并全程开启，敬礼、用语规范"),
    ("事故处理窗口", "事故处理窗口按时开放，告知当事人权利义务，处理时限符合规定"),
    ("执法规范", "非现场执法、罚款处理程序合法，票据规范，无随意执法"),
    ("车驾管业务", "车驾管业务办理流程公开，群众等候时间合理，无“黄牛”代办"),
    ("勤务安排", "重点路段、时段岗位落实，交通秩序良好，无脱岗漏岗"),
    ("装备管理", "警车、测速设备、执法记录仪等装备完好，按规定使用"),
    ("服务态度", "对群众咨询耐心解答，文明执法，无态度粗暴现象"),
]

_CRIMINAL = [
    ("值班备勤", "刑侦值班人员在岗在位，现场勘查装备齐全可随时出动"),
    ("案件办理", "受立案规范，无有案不立、压案不查现象，案件卷宗完整"),
    ("涉案财物", "涉案财物及时登记入库，保管规范，处置手续完备"),
    ("警容风纪", "民警着装及言行举止规范，工作纪律良好"),
]

_DEPARTMENT = [
    ("工作纪律", "工作时间在岗在位，无迟到早退、脱岗串岗现象"),
    ("办公秩序", "办公环境整洁，文件资料摆放有序，涉密文件按规定管理"),
    ("服务基层", "对基层单位和群众来电来访热情接待，及时办理"),
    ("安全保密", "计算机和移动存储介质按规定使用，无违规外联"),
]

_OTHER = [
    ("工作纪律", "工作人员在岗在位，遵守工作纪律"),
    ("服务态度", "接待群众文明礼貌，无推诿扯皮"),
    ("环境秩序", "工作场所整洁有序，无安全隐患"),
]


def default_checklists() -> dict[UnitKind, list[tuple[str, str]]]:
    """The built-in checklist for every kind of unit: (category, text) in order."""
    return {
        UnitKind.WINDOW: _WINDOW,
        UnitKind.POLICE_STATION: _POLICE_STATION,
        UnitKind.TRAFFIC: _TRAFFIC,
        UnitKind.CRIMINAL: _CRIMINAL,
        UnitKind.DEPARTMENT: _DEPARTMENT,
        UnitKind.OTHER: _OTHER,
    }


def seed_checklists() -> int:
    """Add the default items that are missing (same kind and text); returns how many."""
    existing = set(db.session.execute(select(ChecklistItem.unit_kind, ChecklistItem.text)))
    added = 0
    for kind, rows in default_checklists().items():
        for position, (category, line) in enumerate(rows, start=1):
            if (kind, line) in existing:
                continue
            db.session.add(ChecklistItem(unit_kind=kind, category=category, text=line,
                                         position=position * 10, active=True))
            added += 1
    db.session.flush()
    return added


def active_checklists() -> dict[str, list[ChecklistItem]]:
    """Active items per unit kind value, in order (what the phone caches)."""
    rows = db.session.scalars(
        select(ChecklistItem).where(ChecklistItem.active.is_(True))
        .order_by(ChecklistItem.unit_kind, ChecklistItem.position, ChecklistItem.id))
    out: dict[str, list[ChecklistItem]] = {str(k): [] for k in UnitKind}
    for row in rows:
        out[str(row.unit_kind)].append(row)
    return out


def _fields(unit_kind: object, category: object, line: object, position: object):
    kind = parse_choice(unit_kind, UnitKind, field="unit_kind", label="单位类别")
    category = clean(category, field="category", label="检查类别", required=True, max_len=64)
    line = clean(line, field="text", label="检查内容", required=True, max_len=1000)
    if "\n" in category:
        raise InvalidInput("检查类别不能换行", field="category")
    if position in (None, ""):
        return kind, category, line, None
    try:
        number = int(str(position))
    except ValueError:
        raise InvalidInput("排序应为整数", field="position") from None
    if not 0 <= number <= 100_000:
        raise InvalidInput("排序应在 0 到 100000 之间", field="position")
    return kind, category, line, number


def _editor(actor: User) -> None:
    if actor.role not in EDITORS:
        raise NotAllowed("只有督办员可以修改检查项")


def add_checklist_item(*, actor: User, unit_kind: object, category: object, text: object,
                       position: object = None) -> ChecklistItem:
    """Add an item to a kind's checklist (at the end unless a position is given)."""
    _editor(actor)
    kind, category, line, number = _fields(unit_kind, category, text, position)
    if number is None:
        last = db.session.scalar(select(func.max(ChecklistItem.position))
                                 .where(ChecklistItem.unit_kind == kind))
        number = (last or 0) + 10
    item = ChecklistItem(unit_kind=kind, category=category, text=line, position=number,
                         active=True)
    db.session.add(item)
    db.session.flush()
    audit.record("checklist_item_add", object_type="checklist_item", object_id=item.id,
                 actor=actor, details={"unit_kind": str(kind), "text": line})
    return item


def update_checklist_item(*, actor: User, item_id: int, unit_kind: object, category: object,
                          text: object, position: object = None) -> ChecklistItem:
    """Change an item's wording, category or order (past results keep pointing at it)."""
    _editor(actor)
    item = _get(item_id)
    kind, category, line, number = _fields(unit_kind, category, text, position)
    item.unit_kind, item.category, item.text = kind, category, line
    if number is not None:
        item.position = number
    audit.record("checklist_item_update", object_type="checklist_item", object_id=item.id,
                 actor=actor, details={"unit_kind": str(kind), "text": line})
    return item


def set_checklist_item_active(*, actor: User, item_id: int, active: bool) -> ChecklistItem:
    """Deactivate (phones stop offering it) or reactivate an item; items are never deleted."""
    _editor(actor)
    item = _get(item_id)
    item.active = active
    audit.record("checklist_item_activate" if active else "checklist_item_deactivate",
                 object_type="checklist_item", object_id=item.id, actor=actor)
    return item


def _get(item_id: int) -> ChecklistItem:
    item = db.session.get(ChecklistItem, item_id) if 0 < item_id <= 2_147_483_647 else None
    if item is None:
        raise NotFound("找不到该检查项")
    return item
