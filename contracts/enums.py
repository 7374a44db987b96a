"""Enumerations shared on the wire, each value with its zh-CN and en label.

zh-CN labels use simplified characters, as written in Hefei; the issues quote some terms
in the traditional forms of the source page (e.g. 協商議事會 is written 协商议事会 here).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

Language = Literal["zh-CN", "en"]
LANGUAGES: tuple[Language, ...] = ("zh-CN", "en")


class LabelledEnum(StrEnum):
    """A string enum whose members carry a zh-CN and an en label."""

    def label(self, language: Language = "zh-CN") -> str:
        zh, en = _LABELS[type(self).__name__][self.value]
        return zh if language == "zh-CN" else en

    def labels(self) -> dict[str, str]:
        zh, en = _LABELS[type(self).__name__][self.value]
        return {"zh-CN": zh, "en": en}


_LABELS: dict[str, dict[str, tuple[str, str]]] = {}


class IssueCategory(LabelledEnum):
    NEIGHBOUR_DISPUTE = "neighbour_dispute"
    DOG_KEEPING = "dog_keeping"
    CORRIDOR_CLUTTER = "corridor_clutter"
    SANITATION = "sanitation"
    PUBLIC_SECURITY = "public_security"
    REPAIRS = "repairs"
    PROPERTY_MANAGEMENT = "property_management"
    NOISE = "noise"
    MICRO_WISH = "micro_wish"
    SUGGESTION = "suggestion"
    OTHER = "other"


_LABELS["IssueCategory"] = {
    "neighbour_dispute": ("邻里纠纷", "Neighbour dispute"),
    "dog_keeping": ("文明养犬", "Dog keeping"),
    "corridor_clutter": ("楼道堆物", "Corridor clutter"),
    "sanitation": ("环境卫生", "Sanitation"),
    "public_security": ("治安安全", "Public security"),
    "repairs": ("设施报修", "Repairs"),
    "property_management": ("物业管理", "Property management"),
    "noise": ("噪音扰民", "Noise"),
    "micro_wish": ("微心愿", "Micro-wish"),
    "suggestion": ("意见建议", "Suggestion"),
    "other": ("其他", "Other"),
}


class IssueStatus(LabelledEnum):
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    REFERRED = "referred"
    DUPLICATE = "duplicate"
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"
    REOPENED = "reopened"
    CLOSED = "closed"


_LABELS["IssueStatus"] = {
    "submitted": ("已提交", "Submitted"),
    "accepted": ("已受理", "Accepted"),
    "rejected": ("不予受理", "Rejected"),
    "referred": ("提交议事会", "Referred to the council"),
    "duplicate": ("重复事项", "Duplicate"),
    "in_progress": ("办理中", "In progress"),
    "resolved": ("已办结", "Resolved"),
    "reopened": ("已重新打开", "Reopened"),
    "closed": ("已关闭", "Closed"),
}


class IssueChannel(LabelledEnum):
    APP = "app"
    PHONE = "phone"
    VISIT = "visit"
    WECHAT = "wechat"
    OPEN311 = "open311"
    COUNCIL = "council"


_LABELS["IssueChannel"] = {
    "app": ("手机应用", "App"),
    "phone": ("电话", "Phone"),
    "visit": ("上门走访", "Visit"),
    "wechat": ("微信", "WeChat"),
    "open311": ("12345热线 (Open311)", "12345 hotline (Open311)"),
    "council": ("议事会", "Council"),
}


class PostType(LabelledEnum):
    """The four red posts (红色岗位)."""

    PUBLICITY = "publicity"
    PATROL = "patrol"
    ENVIRONMENT = "environment"
    CULTURE = "culture"


_LABELS["PostType"] = {
    "publicity": ("党建宣传岗", "Party-building publicity post"),
    "patrol": ("治安巡逻岗", "Public-security patrol post"),
    "environment": ("环境监督岗", "Environment supervision post"),
    "culture": ("文化传播岗", "Culture dissemination post"),
}


class VolunteerKind(LabelledEnum):
    PARTY_MEMBER = "party_member"
    RESIDENT_BACKBONE = "resident_backbone"
    RESIDENT = "resident"


_LABELS["VolunteerKind"] = {
    "party_member": ("党员", "Party member"),
    "resident_backbone": ("居民骨干", "Resident backbone"),
    "resident": ("居民", "Resident"),
}


class CouncilKind(LabelledEnum):
    CONSULTATION = "consultation"
    WOMEN = "women"


_LABELS["CouncilKind"] = {
    "consultation": ("协商议事会", "Consultation council"),
    "women": ("妇女议事会", "Women's council"),
}


class MeetingMode(LabelledEnum):
    IN_PERSON = "in_person"
    VISITING = "visiting"
    DOOR_TO_DOOR = "door_to_door"
    ONLINE = "online"


_LABELS["MeetingMode"] = {
    "in_person": ("集中议事", "In person"),
    "visiting": ("走访议事", "Visiting"),
    "door_to_door": ("上门议事", "Door to door"),
    "online": ("微信议事", "Online (WeChat)"),
}


class CouncilParty(LabelledEnum):
    PARTY_BRANCH = "party_branch"
    RESIDENTS_COMMITTEE = "residents_committee"
    VOLUNTEER_ALLIANCE = "volunteer_alliance"
    PROPERTY_MANAGEMENT = "property_management"
    SOCIAL_ORGANIZATION = "social_organization"
    POLICE = "police"
    RESIDENT = "resident"


_LABELS["CouncilParty"] = {
    "party_branch": ("社区党支部", "Party branch"),
    "residents_committee": ("居民委员会", "Residents' committee"),
    "volunteer_alliance": ("志愿者联盟", "Volunteer alliance"),
    "property_management": ("物业服务企业", "Property management"),
    "social_organization": ("社会组织", "Social organisation"),
    "police": ("社区民警", "Police"),
    "resident": ("居民代表", "Resident"),
}


class CouncilPosition(LabelledEnum):
    CHAIR = "chair"
    VICE_CHAIR = "vice_chair"
    SECRETARY = "secretary"
    MEMBER = "member"
    OBSERVER = "observer"


_LABELS["CouncilPosition"] = {
    "chair": ("主任", "Chair"),
    "vice_chair": ("副主任", "Vice chair"),
    "secretary": ("秘书", "Secretary"),
    "member": ("成员", "Member"),
    "observer": ("列席人员", "Observer (non-voting)"),
}


class Role(StrEnum):
    """Roles carried in the bearer token."""

    RESIDENT = "resident"
    VOLUNTEER = "volunteer"
    POST_LEADER = "post_leader"
    COUNCIL_MEMBER = "council_member"
    COMMITTEE = "committee"
    ADMIN = "admin"
    SYSTEM = "system"
    DISTRICT = "district"
    PUBLICITY_AGENT = "publicity_agent"
    """A building group's party-group leader or building leader (楼栋党小组长、楼栋长) publishing for their group."""


class SelectionCategory(LabelledEnum):
    """Public selections (评选) the community holds; the winners' honours are granted by rewards."""

    FILIAL_PIETY = "filial_piety"
    NEIGHBOUR_STAR = "neighbour_star"
    EXCELLENT_GROUP_LEADER = "excellent_group_leader"


_LABELS["SelectionCategory"] = {
    "filial_piety": ("孝老爱亲模范", "Filial piety and family care model"),
    "neighbour_star": ("邻里之星", "Neighbour star"),
    "excellent_group_leader": ("优秀楼栋党小组长", "Excellent building party-group leader"),
}


LABELLED_ENUMS: tuple[type[LabelledEnum], ...] = (
    IssueCategory,
    IssueStatus,
    IssueChannel,
    PostType,
    VolunteerKind,
    CouncilKind,
    MeetingMode,
    CouncilParty,
    CouncilPosition,
    SelectionCategory,
)
