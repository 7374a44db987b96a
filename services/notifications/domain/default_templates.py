"""The templates a fresh installation starts with (zh-CN simplified and en); admins edit them."""

from __future__ import annotations

_ISSUE_ZH = "您反映的事项「{title}」状态更新为：{status_label}。{note}"
_ISSUE_EN = "Your issue “{title}” is now: {status_label}. {note}"

DEFAULTS: dict[str, dict[str, tuple[str, str]]] = {
    "issue.submitted": {
        "zh-CN": ("已收到您反映的事项", "您反映的事项「{title}」（{category_label}）已收到，我们会尽快处理。"),
        "en": (
            "We received your issue",
            "Your issue “{title}” ({category_label}) was received; we will look at it soon.",
        ),
    },
    **{
        f"issue.{verb}": {
            "zh-CN": ("事项「{title}」" + zh, _ISSUE_ZH),
            "en": ("Issue “{title}”: " + en, _ISSUE_EN),
        }
        for verb, zh, en in (
            ("accepted", "已受理", "accepted"),
            ("rejected", "不予受理", "not accepted"),
            ("referred", "已提交议事会", "referred to the council"),
            ("duplicate", "与已有事项重复", "duplicate"),
            ("started", "办理中", "in progress"),
            ("resolved", "已办结", "resolved"),
            ("reopened", "已重新打开", "reopened"),
            ("closed", "已关闭", "closed"),
        )
    },
    "session.scheduled": {
        "zh-CN": (
            "议事会会议通知：{title}",
            "{council_kind_label}将于 {starts_at} 召开「{title}」（{mode_label}），地点：{location}。",
        ),
        "en": (
            "Council session: {title}",
            "The {council_kind_label} meets for “{title}” on {starts_at} ({mode_label}) at {location}.",
        ),
    },
    "session.cancelled": {
        "zh-CN": ("会议取消：{title}", "原定于 {starts_at} 召开的「{title}」已取消。{reason}"),
        "en": ("Session cancelled: {title}", "The session “{title}” on {starts_at} is cancelled. {reason}"),
    },
    "decision.adopted": {
        "zh-CN": (
            "议事会决定：{title}",
            "议事会通过了「{title}」（赞成 {votes_for}，反对 {votes_against}，弃权 {votes_abstain}）。行动方案：{action_plan}",
        ),
        "en": (
            "Council decision: {title}",
            "The council adopted “{title}” ({votes_for} for, {votes_against} against, {votes_abstain} abstaining). Action plan: {action_plan}",
        ),
    },
    "decision.rejected": {
        "zh-CN": (
            "议事会决定：{title}",
            "议事会未通过「{title}」（赞成 {votes_for}，反对 {votes_against}，弃权 {votes_abstain}）。{note}",
        ),
        "en": (
            "Council decision: {title}",
            "The council did not adopt “{title}” ({votes_for} for, {votes_against} against, {votes_abstain} abstaining). {note}",
        ),
    },
    "shift.scheduled": {
        "zh-CN": (
            "新的值守班次：{title}",
            "{post_type_label}新增班次「{title}」：{starts_at} 至 {ends_at}，地点：{location}，名额 {capacity} 人，欢迎报名。",
        ),
        "en": (
            "New shift: {title}",
            "A new {post_type_label} shift “{title}”: {starts_at} to {ends_at} at {location}, {capacity} places. Sign up!",
        ),
    },
    "shift.cancelled": {
        "zh-CN": ("班次取消：{title}", "您报名的班次「{title}」（{starts_at}）已取消。{reason}"),
        "en": (
            "Shift cancelled: {title}",
            "The shift “{title}” you signed up for ({starts_at}) is cancelled. {reason}",
        ),
    },
    "signup.promoted": {
        "zh-CN": ("候补转正：{title}", "您已从候补转为正式报名：班次「{title}」，{starts_at} 开始。"),
        "en": ("You are in: {title}", "You moved from the waitlist to a place on “{title}”, starting {starts_at}."),
    },
    "points.awarded": {
        "zh-CN": ("爱心银行积分 +{points}", "您获得 {points} 积分：{explanation}。当前余额 {balance_after} 分。"),
        "en": (
            "Love bank: +{points} points",
            "You earned {points} points: {explanation}. Your balance is now {balance_after}.",
        ),
    },
    "redemption.reserved": {
        "zh-CN": (
            "兑换已备好：{prize_name}",
            "您兑换的「{prize_name}」已备好，请凭取件码 {pickup_code} 到服务台领取（{points} 积分）。",
        ),
        "en": (
            "Ready for pickup: {prize_name}",
            "Your “{prize_name}” is ready; show pickup code {pickup_code} at the counter ({points} points).",
        ),
    },
    "activity.adopted": {
        "zh-CN": (
            "邻里节：您的提议已被采纳",
            "您为 {festival_year} 年邻里节提议的「{title}」已被采纳（{support_count} 位邻居支持），排期后即可报名。",
        ),
        "en": (
            "Neighbourhood festival: your proposal was adopted",
            "Your proposal “{title}” for the festival {festival_year} was adopted, supported by {support_count} neighbours; sign-ups open once it is scheduled.",
        ),
    },
    "activity.scheduled": {
        "zh-CN": (
            "邻里节活动排期：{title}",
            "「{title}」定于 {starts_at} 至 {ends_at} 举行，地点：{location}。欢迎报名参加！",
        ),
        "en": (
            "Festival activity scheduled: {title}",
            "“{title}” takes place from {starts_at} to {ends_at} at {location}. Sign up and join in!",
        ),
    },
    "honour.granted": {
        "zh-CN": ("荣誉：{title}", "恭喜您获得荣誉「{title}」！感谢您为邻里的付出。"),
        "en": (
            "Honour: {title}",
            "Congratulations on the honour “{title}”! Thank you for all you do for your neighbours.",
        ),
    },
    "honour.announced": {
        "zh-CN": ("荣誉榜", "## 荣誉榜\n恭喜 **{person_name}** 获得「{title}」！"),
        "en": ("Roll of honour", "## Roll of honour\nCongratulations to **{person_name}** on “{title}”!"),
    },
    "wish.fulfilled": {
        "zh-CN": (
            "微心愿已完成：{title}",
            "{claimer_name} 已完成您的微心愿「{title}」：{note}。请在“微心愿”中确认。",
        ),
        "en": (
            "Your micro-wish was fulfilled: {title}",
            "{claimer_name} fulfilled your micro-wish “{title}”: {note}. Please confirm it under Micro-wishes.",
        ),
    },
    "wish.confirmed": {
        "zh-CN": ("微心愿已确认：{title}", "您认领的微心愿「{title}」已由家庭确认完成，感谢您的爱心！"),
        "en": (
            "Micro-wish confirmed: {title}",
            "The family confirmed the micro-wish “{title}” you fulfilled. Thank you for your kindness!",
        ),
    },
    "venture.approved": {
        "zh-CN": ("创投项目获批：{title}", "您申报的微公益创投项目「{title}」（预算 {budget} 元）已获两委批准。"),
        "en": (
            "Venture project approved: {title}",
            "Your micro public-welfare venture project “{title}” (budget {budget} yuan) was approved.",
        ),
    },
    "venture.returned": {
        "zh-CN": ("创投项目退回修改：{title}", "您申报的微公益创投项目「{title}」需修改后重新提交：{reason}"),
        "en": (
            "Venture project returned: {title}",
            "Your micro public-welfare venture project “{title}” was returned for changes: {reason}",
        ),
    },
    "visit.planned": {
        "zh-CN": ("走访慰问通知", "社区两委将于 {planned_for} 到您家中走访慰问，感谢您一年来的志愿服务！"),
        "en": (
            "A care visit for you",
            "The community committees will visit you at home on {planned_for}, with thanks for your year of service!",
        ),
    },
    "announcement.published": {
        "zh-CN": ("社区公告：{title}", "{body}"),
        "en": ("Announcement: {title}", "{body}"),
    },
    "announcement.group": {
        "zh-CN": ("社区公告", "## 社区公告：{title}\n{body}"),
        "en": ("Announcement", "## Announcement: {title}\n{body}"),
    },
    "initiative.launched": {
        "zh-CN": ("倡议书：{title}", "社区发起倡议「{title}」，欢迎签名响应。截止：{closes_at}\n{body}"),
        "en": (
            "Initiative: {title}",
            "The community launched the initiative “{title}”; sign on! Closes: {closes_at}\n{body}",
        ),
    },
    "initiative.group": {
        "zh-CN": ("倡议书", "## 倡议书：{title}\n社区发起倡议，欢迎在线签名响应。截止：{closes_at}"),
        "en": ("Initiative", "## Initiative: {title}\nThe community asks you to sign on. Closes: {closes_at}"),
    },
    "reminder.session.24h": {
        "zh-CN": ("会议提醒：明天 {title}", "「{title}」将于 {starts_at} 召开，地点：{location}。"),
        "en": ("Reminder: {title} tomorrow", "“{title}” starts at {starts_at} at {location}."),
    },
    "reminder.session.2h": {
        "zh-CN": ("会议提醒：{hours_before} 小时后 {title}", "「{title}」将于 {starts_at} 召开，地点：{location}。"),
        "en": ("Reminder: {title} in {hours_before} hours", "“{title}” starts at {starts_at} at {location}."),
    },
    "reminder.shift.24h": {
        "zh-CN": ("值守提醒：明天 {title}", "您报名的班次「{title}」将于 {starts_at} 开始，请准时到岗。"),
        "en": ("Reminder: your shift {title} tomorrow", "Your shift “{title}” starts at {starts_at}. See you there!"),
    },
}
