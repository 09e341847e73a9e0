"""Demo items of a county bureau (seed-demo): what happened to each, step by step.

Days are relative to today (negative: in the past). Each step names the service it calls;
webapp/demo.py runs all steps of all items in time order through the real services.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from webapp.supervision import adjust, approval, milestones, services, sources, split
from webapp.supervision.models import (
    FeedbackKind,
    ItemState,
    ReminderChannel,
    ReturnReason,
    Source,
    SourceKind,
    Urgency,
)

OFFICE, LEADER = "office", "leader"
S, U = Source, Urgency


@dataclass(frozen=True)
class Step:
    day: int  # relative to today
    action: str
    args: dict = field(default_factory=dict)

    def run(self, spec: ItemSpec, item, ctx):
        """Call this step's service; return the item (new after `register`)."""
        result = RUNNERS[self.action](spec, item, ctx, **self.args)
        return result if self.action == "register" else item


@dataclass(frozen=True)
class ItemSpec:
    title: str
    content: str
    source: Source
    unit: str  # lead unit code
    due: int  # due date, days from today
    steps: tuple[Step, ...]
    urgency: Urgency = Urgency.NORMAL
    assist: tuple[str, ...] = ()
    ref: str | None = None
    requirements: str | None = None
    instruction: str | None = None  # 李局长's written instruction at registration


def _user(ctx, username):
    return ctx["users"][username]


def _liaison(ctx, unit_code):
    unit = ctx["units"][unit_code]
    return next(u for u in ctx["users"].values() if u.unit_id == unit.id)


def _register(spec, item, ctx, day):
    return services.register_item(
        actor=_user(ctx, OFFICE), title=spec.title, content=spec.content, source=spec.source,
        urgency=spec.urgency, source_ref=spec.ref, requirements=spec.requirements,
        instruction_text=spec.instruction,
        instruction_leader="李局长" if spec.instruction else None,
        instruction_date=ctx["today"] + timedelta(days=day) if spec.instruction else None)


def _assign(spec, item, ctx, due=None, first="", direct="", evidence=(), figure=None):
    if item.state == ItemState.AWAITING_APPROVAL:  # 上级交办: 李局长 approves the 立项 first
        approval.decide_approval(item, actor=_user(ctx, LEADER), approve=True,
                                 note="同意立项，请办公室交办。")
    services.assign_item(
        item, actor=_user(ctx, OFFICE), lead_unit=ctx["units"][spec.unit],
        assisting_units=[ctx["units"][c] for c in spec.assist],
        due_date=ctx["today"] + timedelta(days=spec.due if due is None else due),
        supervising_leader="李局长", first_responsible=first or "单位主要负责人",
        direct_responsible=direct or "分管副职", evidence_required=evidence,
        evidence_figure=figure)


def _split(spec, item, ctx, parts):
    """分解 to (unit code, due in days, 第一责任人, 直接责任人) per sub-item."""
    split.split_item(item, actor=_user(ctx, OFFICE), children=[
        split.Child(lead_unit=ctx["units"][code], supervising_leader="李局长",
                    due_date=ctx["today"] + timedelta(days=due), first_responsible=first,
                    direct_responsible=direct)
        for code, due, first, direct in parts])


def _source(spec, item, ctx, name, kind="instruction"):
    sources.attach_sources(item, actor=_user(ctx, OFFICE), kind=SourceKind(kind),
                           files=[ctx["files"](name, f"Duban demo {item.code}: {name}")])


def _lead(item, ctx):
    return _liaison(ctx, next(c for c, u in ctx["units"].items() if u.id == item.lead_unit_id))


def _feedback(spec, item, ctx, kind, text, result=None, done=True, why=None, nxt=None,
              files=()):
    services.submit_feedback(
        item, actor=_lead(item, ctx), kind=kind, actions_taken=text, result=result,
        completed=done, not_done_reason=why, next_steps=nxt,
        attachments=[ctx["files"](name, f"Duban demo {item.code}: {name}") for name in files])


RUNNERS = {
    "register": lambda spec, item, ctx, **a: _register(spec, item, ctx, **a),
    "assign": _assign,
    "ack": lambda spec, item, ctx: services.acknowledge_item(item, actor=_lead(item, ctx)),
    "hand_back": lambda spec, item, ctx, reason: services.request_hand_back(
        item, actor=_lead(item, ctx), reason=reason),
    "hand_back_ok": lambda spec, item, ctx, unit, note=None: services.decide_hand_back(
        item, actor=_user(ctx, OFFICE), approve=True, new_lead_unit=ctx["units"][unit],
        note=note),
    "hand_back_no": lambda spec, item, ctx, note: services.decide_hand_back(
        item, actor=_user(ctx, OFFICE), approve=False, note=note),
    "extend": lambda spec, item, ctx, to, reason: services.request_extension(
        item, actor=_lead(item, ctx), new_due_date=ctx["today"] + timedelta(days=to),
        reason=reason),
    "extend_ok": lambda spec, item, ctx, by=LEADER, note=None: services.decide_extension(
        item, actor=_user(ctx, by), approve=True, note=note),
    "extend_no": lambda spec, item, ctx, note, by=OFFICE: services.decide_extension(
        item, actor=_user(ctx, by), approve=False, note=note),
    "progress": lambda spec, item, ctx, **a: _feedback(spec, item, ctx, FeedbackKind.PROGRESS,
                                                       **a),
    "final": lambda spec, item, ctx, **a: _feedback(spec, item, ctx, FeedbackKind.FINAL, **a),
    "return": lambda spec, item, ctx, reason, category="other": services.return_feedback(
        item, actor=_user(ctx, OFFICE), reason=reason, category=ReturnReason(category)),
    "accept": lambda spec, item, ctx, opinion=None: services.accept_feedback(
        item, actor=_user(ctx, OFFICE), opinion=opinion),
    "remind": lambda spec, item, ctx, channel, note=None: services.record_reminder(
        item, actor=_user(ctx, OFFICE), channel=channel, note=note),
    "auto_remind": lambda spec, item, ctx, note=None: services.record_reminder(
        item, actor=None, channel=ReminderChannel.SYSTEM, note=note, automatic=True),
    "instruct": lambda spec, item, ctx, text: services.add_instruction(
        item, actor=_user(ctx, LEADER), text=text),
    "cancel": lambda spec, item, ctx, reason: services.cancel_item(
        item, actor=_user(ctx, OFFICE), reason=reason),
    "source": _source,
    "split": _split,
    # a step of a sub-item (n: 1, 2, …), by the same runners
    "on_child": lambda spec, item, ctx, n, step, **a: RUNNERS[step](
        spec, item.children[n - 1], ctx, **a),
    "confirm": lambda spec, item, ctx, note=None: approval.confirm_closing(
        item, actor=_user(ctx, LEADER), approve=True, note=note),
    "milestone": lambda spec, item, ctx, title, due: milestones.add_milestone(
        item, actor=_user(ctx, OFFICE), title=title,
        due_date=ctx["today"] + timedelta(days=due)),
    "reach": lambda spec, item, ctx, note=None: milestones.reach_milestone(
        item, actor=_lead(item, ctx), note=note,
        milestone_id=next(m.id for m in item.milestones if m.reached_at is None)),
    "adjust": lambda spec, item, ctx, reason, **changes: adjust.adjust_item(
        item, actor=_user(ctx, OFFICE), reason=reason, **changes),
}


def st(day: int, action: str, **args) -> Step:
    return Step(day, action, args)


def reg(day: int) -> Step:
    return Step(day, "register", {"day": day})


PHONE, VISIT, SYSTEM = ReminderChannel.PHONE, ReminderChannel.IN_PERSON, ReminderChannel.SYSTEM

ITEMS: tuple[ItemSpec, ...] = (
    # --- closed last month ------------------------------------------------------------------
    ItemSpec(
        "户籍窗口排队时间过长问题整改",
        "群众通过12345热线反映，户政服务窗口上午排队普遍超过一小时，部分群众多次往返。",
        S.COMPLAINT, "HZ", -40, ref="12345-2026-10-0381",
        requirements="查明原因，提出整改措施，十个工作日内反馈。",
        steps=(reg(-58), st(-57, "assign", first="户政科长 周建华", direct="窗口主管 林晓"),
               st(-56, "ack"),
               st(-48, "progress", text="统计近一月取号数据，高峰集中在周一上午。"),
               st(-44, "final", text="增开两个窗口，推行网上预约，周一上午延时服务。",
                  result="平均排队时间由65分钟降至18分钟。",
                  files=("整改报告.pdf", "取号统计.png")),
               st(-42, "accept", opinion="措施具体，效果明显，同意办结。"))),
    ItemSpec(
        "110警情回访满意度偏低问题",
        "十月110警情回访中，城关片区群众满意率为86%，低于全局平均水平。",
        S.MEETING, "CGJ-PCS1", -35, assist=("ZHZX",), ref="局务会纪要〔2026〕19号",
        steps=(reg(-55), st(-55, "assign", first="所长 张伟", direct="副所长 李强"),
               st(-54, "ack"),
               st(-41, "final", text="逐件复核不满意警情，对民警进行回访话术培训。",
                  result="回访满意率回升至94%。"),
               st(-40, "return", reason="缺少不满意警情的逐件整改清单，请补充。",
                  category="insufficient_evidence"),
               st(-37, "final", text="补充23件不满意警情的整改清单，逐件电话致歉回访。",
                  result="回访满意率回升至94%，23件均已回访。", files=("整改清单.pdf",)),
               st(-36, "accept", opinion="整改清单完整，同意办结。"))),
    ItemSpec(
        "车管所业务窗口工作人员态度生硬问题",
        "暗访发现车辆管理所3号窗口工作人员对群众咨询答复生硬、不耐烦。",
        S.INSPECTION, "CGS", -45,
        steps=(reg(-52), st(-52, "assign", first="所长 吴敏", direct="窗口科长 郭亮"),
               st(-51, "ack"),
               st(-47, "final", text="对当事人批评教育，全所开展文明服务培训。",
                  result="当事人已书面检查，窗口加装服务评价器。", files=("培训签到表.pdf",)),
               st(-46, "accept", opinion="同意办结。"))),
    ItemSpec(
        "电动车盗窃案件积压清理",
        "刑侦大队电动车盗窃案件未结案件积压127起，群众多次来电询问。",
        S.LEADER_INSTRUCTION, "XZDD", -20, urgency=U.URGENT, assist=("CGJ-PCS1", "DJ-PCS2"),
        instruction="电动车被盗事关群众切身利益，请刑侦大队牵头限期清理积压案件。",
        steps=(reg(-50), st(-50, "source", name="局长批示.pdf"),
               st(-50, "assign", first="大队长 冯涛", direct="副大队长 何斌"),
               st(-49, "ack"),
               st(-21, "remind", channel=PHONE, note="电话询问冯大队长，答复本周内报结。"),
               st(-16, "final", text="开展专项打击行动，串并案件，抓获嫌疑人9名。",
                  result="破获积压案件58起，返还电动车41辆。"),
               st(-15, "accept", opinion="超期办结，已计入考核。"),
               st(-14, "confirm", note="同意办结，刑侦大队要建立长效机制。"))),
    ItemSpec(
        "交通事故处理窗口群众投诉整改",
        "群众投诉交警大队事故处理窗口办理简易事故需往返三次以上。",
        S.COMPLAINT, "JJDD", -25, ref="信访件 2026-211",
        steps=(reg(-38), st(-38, "assign", first="大队长 刘军", direct="事故中队长 马超"),
               st(-37, "ack"),
               st(-30, "final", text="简易事故推行一次性告知和快处快赔。",
                  result="简易事故一次办结率达到92%。"),
               st(-29, "accept", opinion="同意办结。"))),
    # --- under review ------------------------------------------------------------------------
    ItemSpec(
        "出入境证件办理时限超标问题",
        "上级通报我局普通护照办理平均时限超过规定的7个工作日。",
        S.SUPERIOR, "CRJ", 4, ref="市局督办单〔2026〕47号",
        steps=(reg(-20), st(-20, "assign", first="科长 郑丽", direct="窗口主管 韩雪"),
               st(-19, "ack"),
               st(-3, "final", text="优化审批流程，证件制作改为每日两批。",
                  result="平均办理时限降至5个工作日。", files=("时限统计.pdf",)))),
    ItemSpec(
        "辖区娱乐场所治安隐患排查",
        "局务会议定：年底前对全县娱乐场所开展一次治安隐患排查。",
        S.MEETING, "ZAGL", 6, assist=("CGJ-PCS1", "DJ-PCS2"), ref="局务会纪要〔2026〕21号",
        steps=(reg(-25), st(-25, "assign", first="大队长 何平", direct="副大队长 钱进"),
               st(-24, "ack"),
               st(-10, "progress", text="已检查娱乐场所31家，发现隐患12处。"),
               st(-2, "final", text="检查全部46家场所，隐患已督促整改。",
                  result="发现隐患19处，已整改17处，2处停业整顿。",
                  files=("隐患台账.pdf",)))),
    ItemSpec(
        "东郊派出所值班备勤制度落实不到位",
        "暗访发现东郊派出所夜间值班备勤人员不足，接警后出警迟缓。",
        S.INSPECTION, "DJ-PCS2", -1,
        steps=(reg(-15), st(-15, "assign", first="所长 孙浩", direct="教导员 王磊"),
               st(-14, "ack"), st(-3, "remind", channel=SYSTEM, note="距办理时限还有2天"),
               st(-2, "final", text="调整排班，夜间增加两名备勤民警。",
                  result="夜间备勤人数由2人增至4人。"))),
    # --- in progress ---------------------------------------------------------------------------
    ItemSpec(
        "接处警超时问题整改",
        "指挥中心通报：十月城关所有11起警情出警时间超过规定时限。",
        S.LEADER_INSTRUCTION, "CGJ-PCS1", -6, urgency=U.VERY_URGENT, assist=("ZHZX",),
        instruction="出警超时是群众最不满意的问题，请城关所立即整改，指挥中心加强调度。",
        steps=(reg(-22), st(-22, "assign", first="所长 张伟", direct="副所长 李强"),
               st(-21, "ack"),
               st(-12, "progress", text="逐起倒查超时原因，9起因警力不足。", done=False,
                  why="警力调整需政治处审批。", nxt="待审批后调整巡逻布点。"),
               st(-5, "auto_remind", note="已超过办理时限1天"),
               st(-4, "remind", channel=PHONE, note="电话催张所长，答复三日内报结。"),
               st(-2, "remind", channel=VISIT, note="到所当面督促，查看整改台账。"),
               st(-1, "instruct", text="已逾期，请城关所说明原因，两日内办结。"))),
    ItemSpec(
        "110报警电话接通率不达标",
        "上级通报我局110报警电话高峰时段接通率为91%，低于98%的要求。",
        S.SUPERIOR, "ZHZX", -3, ref="市局通报〔2026〕33号",
        steps=(reg(-18), st(-18, "assign", first="主任 钱锋", direct="副主任 赵敏"),
               st(-17, "ack"), st(-2, "auto_remind", note="已超过办理时限1天"),
               st(-1, "remind", channel=PHONE, note="钱主任答复：新增坐席设备已到货。"))),
    ItemSpec(
        "校园周边交通秩序整治",
        "家长反映城区三所小学上下学时段校门口交通拥堵、乱停乱放严重。",
        S.COMPLAINT, "JJDD", -9, assist=("CGJ-PCS1",),
        steps=(reg(-30), st(-30, "assign", first="大队长 刘军", direct="秩序中队长 黄斌"),
               st(-29, "ack"),
               st(-20, "progress", text="上下学时段安排警力定点值守。"),
               st(-8, "auto_remind", note="已超过办理时限1天"))),
    ItemSpec(
        "身份证办理群众反映邮寄慢",
        "群众反映异地办理身份证选择邮寄后等待超过一个月。",
        S.COMPLAINT, "HZ", 2,
        steps=(reg(-14), st(-14, "assign", first="户政科长 周建华", direct="窗口主管 林晓"),
               st(-13, "ack"), st(-5, "progress", text="已与邮政公司对接，核查滞留件。"))),
    ItemSpec(
        "非机动车违法查处情况月报",
        "分管领导要求交警大队每月报送非机动车违法查处情况。",
        S.LEADER_INSTRUCTION, "JJDD", 1,
        instruction="请交警大队每月5日前报送上月查处情况。",
        steps=(reg(-10), st(-10, "assign", first="大队长 刘军", direct="秩序中队长 黄斌"),
               st(-9, "ack"))),
    ItemSpec(
        "看守所提审预约系统故障处理",
        "律师反映提审预约系统多次无法提交，影响会见。",
        S.COMPLAINT, "ZAGL", 12,
        steps=(reg(-8), st(-8, "assign", first="大队长 何平", direct="民警 钱进"),
               st(-7, "ack"),
               st(-6, "adjust", reason="律师投诉集中在会见预约环节，明确整改要求。",
                  requirements="查明提交失败原因，协调厂商修复，期间开通电话预约。"),
               st(-5, "extend", to=25, reason="系统由市局统一运维，需等待厂商升级。"))),
    ItemSpec(
        "反诈宣传进社区工作落实",
        "局务会议定：各派出所年底前完成辖区社区反诈宣传全覆盖。",
        S.MEETING, "DJ-PCS2", 20, assist=("XZDD",),
        steps=(reg(-28), st(-28, "assign", due=5, first="所长 孙浩", direct="社区民警 周明"),
               st(-27, "milestone", title="制定社区宣传方案", due=-22),
               st(-27, "ack"), st(-23, "reach", note="宣传方案已印发各社区。"),
               st(-8, "extend", to=20, reason="辖区新增两个安置小区，需延长宣传周期。"),
               st(-7, "extend_ok", note="同意延期，请按时完成。"),
               st(-3, "progress", text="已完成14个社区中的11个。"),
               st(-3, "milestone", title="完成剩余3个社区的宣传", due=4))),
    ItemSpec(
        "夜市周边盗窃警情高发整治",
        "十月夜市周边盗窃警情环比上升40%。",
        S.LEADER_INSTRUCTION, "CGJ-PCS1", 15, urgency=U.URGENT, assist=("XZDD",),
        instruction="请城关所会同刑侦大队开展夜市巡逻防控。",
        steps=(reg(-12), st(-12, "assign", first="所长 张伟", direct="副所长 李强"),
               st(-11, "ack"),
               st(-4, "final", text="夜市增设巡逻岗。", result="警情有所下降。"),
               st(-3, "return", category="too_brief",
                  reason="反馈过于简略：请写明巡逻时段、警力、抓获情况和警情下降数据。"))),
    ItemSpec(
        "驾驶人考试预约难问题",
        "群众反映科目二考试需排队两个月以上才能预约。",
        S.COMPLAINT, "CGS", 18,
        steps=(reg(-6), st(-6, "assign", first="所长 吴敏", direct="考试科长 郭亮",
                           evidence=("document", "figure"), figure="科目二平均预约等待天数（天）"),
               st(-5, "ack"))),
    # --- assigned, waiting for 签收 -------------------------------------------------------------
    ItemSpec(
        "流动人口信息采集不全",
        "数据核查发现东郊辖区流动人口信息缺项率达17%。",
        S.SUPERIOR, "DJ-PCS2", -2,
        steps=(reg(-9), st(-9, "assign", first="所长 孙浩", direct="副所长 陈刚"),
               st(-4, "remind", channel=PHONE, note="孙所长称已安排，但尚未签收。"))),
    ItemSpec(
        "无证驾驶摩托车专项整治",
        "群众反映乡镇道路无证驾驶摩托车现象突出。",
        S.COMPLAINT, "ZAGL", 10,
        steps=(reg(-7), st(-7, "assign", first="大队长 何平", direct="副大队长 钱进"),
               st(-6, "hand_back", reason="道路交通违法查处属交警大队职责，建议转交警大队办理。"))),
    ItemSpec(
        "出租房屋治安管理登记",
        "要求派出所完成辖区出租房屋登记和治安责任书签订。",
        S.MEETING, "JJDD", 14,
        steps=(reg(-11), st(-11, "assign", first="大队长 刘军", direct="民警 马超"),
               st(-10, "hand_back", reason="出租房屋管理属派出所职责。"),
               st(-9, "hand_back_ok", unit="CGJ-PCS1", note="同意，转城关派出所办理。"))),
    ItemSpec(
        "户籍档案数字化进度滞后",
        "全县户籍档案数字化完成率仅62%，落后于计划进度。",
        S.SUPERIOR, "HZ", 3,
        steps=(reg(-5), st(-5, "assign", first="户政科长 周建华", direct="档案员 李娜"),
               st(-4, "hand_back", reason="档案扫描外包合同由装备财务科负责。"),
               st(-3, "hand_back_no",
                  note="数字化是户政业务，由户政窗口牵头，财务事宜另行协调。"))),
    # --- the bureau's workflow: 分解, 立项, 复核 ------------------------------------------------
    ItemSpec(
        "全县派出所辖区冬季消防安全检查",
        "局务会议定：入冬前各单位对辖区沿街商铺、娱乐场所和出租房屋开展一次消防安全检查。",
        S.MEETING, "CGJ-PCS1", 8, ref="局务会纪要〔2026〕23号",
        steps=(reg(-16), st(-16, "source", name="局务会纪要.pdf", kind="minutes"),
               st(-16, "split", parts=(("CGJ-PCS1", 5, "所长 张伟", "副所长 李强"),
                                       ("DJ-PCS2", 8, "所长 孙浩", "教导员 王磊"),
                                       ("ZAGL", 3, "大队长 何平", "副大队长 钱进"))),
               st(-15, "on_child", n=1, step="ack"), st(-15, "on_child", n=3, step="ack"),
               st(-9, "on_child", n=3, step="final", text="检查娱乐场所周边消防通道12处。",
                  result="发现隐患5处，已全部整改。", files=("消防检查台账.pdf",)),
               st(-8, "on_child", n=3, step="accept", opinion="同意办结。"),
               st(-6, "on_child", n=1, step="progress", text="已检查沿街商铺40家。"))),
    ItemSpec(
        "道路交通事故预防“减量控大”工作落实",
        "市局督办：年底前全县道路交通事故起数和死亡人数同比下降10%。",
        S.SUPERIOR, "JJDD", 30, ref="市局督办单〔2026〕52号",
        steps=(reg(-1), st(-1, "source", name="市局督办单.pdf", kind="incoming"))),
    ItemSpec(
        "社区警务室夜间值守制度落实",
        "局长批示：各社区警务室夜间须有民警值守，城关所先行落实。",
        S.LEADER_INSTRUCTION, "CGJ-PCS1", 2,
        instruction="请城关所本周内落实警务室夜间值守并报结。",
        steps=(reg(-12), st(-12, "source", name="局长批示.png"),
               st(-12, "assign", first="所长 张伟", direct="副所长 李强"), st(-11, "ack"),
               st(-3, "final", text="五个警务室实行民警夜间轮流值守，配齐值班装备。",
                  result="已连续两周夜间值守无空岗。", files=("值守排班表.pdf",)),
               st(-2, "accept", opinion="措施落实，同意办结，报李局长复核。"))),
    # --- registered, not yet assigned --------------------------------------------------------
    ItemSpec(
        "群众反映派出所办事指南不清",
        "群众留言反映各派出所办事指南内容陈旧、材料清单不一致。",
        S.COMPLAINT, "CGJ-PCS1", 10, steps=(reg(-1),)),
    ItemSpec(
        "冬季道路交通安全隐患排查",
        "局领导批示：入冬前对全县急弯陡坡路段开展安全隐患排查。",
        S.LEADER_INSTRUCTION, "JJDD", 20, urgency=U.URGENT,
        instruction="请交警大队牵头，各派出所配合，十二月中旬前完成排查。",
        steps=(reg(-2),)),
    ItemSpec(
        "执法记录仪使用不规范",
        "执法监督发现部分民警出警时未全程开启执法记录仪。",
        S.OTHER, "ZAGL", 15, steps=(reg(-1),)),
    # --- cancelled ----------------------------------------------------------------------------
    ItemSpec(
        "窗口单位服务评价器安装",
        "要求各窗口单位安装服务评价器。",
        S.MEETING, "CGS", 10,
        steps=(reg(-33), st(-32, "cancel", reason="已由装备财务科统一采购安装，无需督办。"))),
    ItemSpec(
        "户籍窗口排队问题（重复登记）",
        "同一群众来电反映，与已登记事项重复。",
        S.COMPLAINT, "HZ", 10,
        steps=(reg(-57), st(-57, "cancel", reason="与户籍窗口排队时间过长问题重复登记。"))),
)
