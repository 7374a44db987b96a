"""Announcements (公告) and the building groups' publicity agents (楼栋宣传员): who may publish to whom.

Plain Python, no I/O. The committees publish to the whole community, one building group or one
red post's volunteers; a registered publicity agent publishes only to their own building group,
and the announcement remembers that group (`agent_group`) so what each agent publishes is counted.
An announcement is withdrawn once, by the committees or the agent who published it, and only
while it has not expired.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from contracts.enums import PostType
from contracts.events.community import AnnouncementPublished, AnnouncementWithdrawn, Audience
from services.kernel import errors
from services.kernel.events import PendingEvent

AgentKind = Literal["party_group_leader", "building_leader"]
AGENT_KIND_LABELS: dict[str, tuple[str, str]] = {
    "party_group_leader": ("楼栋党小组长", "Building party-group leader"),
    "building_leader": ("楼栋长", "Building leader"),
}
MAX_RECIPIENTS = 5000


class AnnouncementNotFound(errors.DoesNotExist):
    def __init__(self, announcement_id: uuid.UUID) -> None:
        super().__init__(f"There is no announcement {announcement_id}.", detail_zh="没有这条公告。")


class AgentNotFound(errors.DoesNotExist):
    def __init__(self, person_id: str) -> None:
        super().__init__(f"{person_id} is not a registered publicity agent.", detail_zh="此人不是登记的楼栋宣传员。")


class NotYourBuildingGroup(errors.NotPermitted):
    """A publicity agent publishes only to their own building group."""


class NotYourAnnouncement(errors.NotPermitted):
    """Only the committees or the agent who published an announcement withdraw it."""


@dataclass(frozen=True)
class PublicityAgent:
    person_id: str
    community: str
    building_group: int
    kind: AgentKind
    name: str


@dataclass(frozen=True)
class Publisher:
    """Who asks to publish: a committee member, or a publicity agent as registered (None if not registered)."""

    person_id: str
    committee: bool
    agent: PublicityAgent | None = None


@dataclass(frozen=True)
class Addressing:
    audience: Audience
    building_group: int | None = None
    post_type: PostType | None = None


def check_addressing(to: Addressing) -> None:
    """An audience names exactly what it needs: a building group for building_group, a post type for post."""
    if to.audience == "building_group":
        if to.building_group is None:
            raise errors.InvalidInput(
                "An announcement to a building group names the group (1-6).",
                detail_zh="发往楼栋片区的公告须指明片区。",
                field="building_group",
            )
        if to.post_type is not None:
            raise errors.InvalidInput("A building group's announcement has no post_type.", field="post_type")
    elif to.audience == "post":
        if to.post_type is None:
            raise errors.InvalidInput(
                "An announcement to a red post's volunteers names the post type.",
                detail_zh="发往红色岗位的公告须指明岗位。",
                field="post_type",
            )
        if to.building_group is not None:
            raise errors.InvalidInput("A post's announcement has no building_group.", field="building_group")
    elif to.building_group is not None or to.post_type is not None:
        raise errors.InvalidInput(
            "An announcement to the whole community names no building group nor post.", field="audience"
        )


def agent_group_for(publisher: Publisher, to: Addressing) -> int | None:
    """The agent's building group the announcement is published for, None for the committees'.

    A committee member publishes to any audience; anyone else must be a registered publicity
    agent publishing to their own building group."""
    if publisher.committee:
        return None
    agent = publisher.agent
    if agent is None:
        raise errors.NotPermitted(
            "Only the committees or a registered publicity agent publish announcements.",
            detail_zh="只有两委或登记的楼栋宣传员可以发布公告。",
        )
    if to.audience != "building_group" or to.building_group != agent.building_group:
        raise NotYourBuildingGroup(
            f"A publicity agent publishes only to their own building group ({agent.building_group}).",
            detail_zh=f"楼栋宣传员只能向本片区（第 {agent.building_group} 片区）发布公告。",
            building_group=agent.building_group,
        )
    return agent.building_group


@dataclass
class Announcement:
    id: uuid.UUID
    community: str
    title: str
    body: str
    to: Addressing
    pinned: bool
    expires_at: datetime | None
    published_by: str
    agent_group: int | None
    published_at: datetime
    recipient_ids: list[str] = field(default_factory=list)
    withdrawn_at: datetime | None = None
    withdrawn_by: str | None = None
    _events: list[PendingEvent] = field(default_factory=list, repr=False)

    @classmethod
    def publish(
        cls,
        *,
        announcement_id: uuid.UUID,
        community: str,
        title: str,
        body: str,
        to: Addressing,
        pinned: bool,
        expires_at: datetime | None,
        publisher: Publisher,
        post_volunteers: list[str],
        now: datetime,
    ) -> Announcement:
        check_addressing(to)
        agent_group = agent_group_for(publisher, to)
        if not title.strip():
            raise errors.InvalidInput("An announcement needs a title.", detail_zh="公告须有标题。", field="title")
        if expires_at is not None and expires_at <= now:
            raise errors.InvalidInput(
                "An announcement expires after it is published.",
                detail_zh="失效时间须晚于发布时间。",
                field="expires_at",
            )
        recipients = sorted(set(post_volunteers)) if to.audience == "post" else []
        if len(recipients) > MAX_RECIPIENTS:
            raise errors.RuleBroken(
                f"A post announcement reaches at most {MAX_RECIPIENTS} people.", reason="too-many-recipients"
            )
        announcement = cls(
            id=announcement_id,
            community=community,
            title=title.strip(),
            body=body,
            to=to,
            pinned=pinned,
            expires_at=expires_at,
            published_by=publisher.person_id,
            agent_group=agent_group,
            published_at=now,
            recipient_ids=recipients,
        )
        announcement._record(
            AnnouncementPublished(
                announcement_id=announcement.id,
                title=announcement.title,
                body=body,
                audience=to.audience,
                building_group=to.building_group,
                post_type=to.post_type,
                recipient_ids=recipients,
                pinned=pinned,
                expires_at=expires_at,
                published_by=publisher.person_id,
                agent_group=agent_group,
                published_at=now,
            )
        )
        return announcement

    def is_live(self, now: datetime) -> bool:
        return self.withdrawn_at is None and (self.expires_at is None or self.expires_at > now)

    def withdraw(self, publisher: Publisher, now: datetime) -> None:
        if not publisher.committee and publisher.person_id != self.published_by:
            raise NotYourAnnouncement(
                "Only the committees or the agent who published it withdraw an announcement.",
                detail_zh="只有两委或发布该公告的宣传员可以撤回。",
            )
        if self.withdrawn_at is not None:
            raise errors.IllegalTransition(
                "The announcement is already withdrawn.", current="withdrawn", allowed=[], detail_zh="公告已撤回。"
            )
        if self.expires_at is not None and self.expires_at <= now:
            raise errors.IllegalTransition(
                "The announcement has expired; there is nothing to withdraw.",
                current="expired",
                allowed=[],
                detail_zh="公告已过期。",
            )
        self.withdrawn_at, self.withdrawn_by = now, publisher.person_id
        self._record(AnnouncementWithdrawn(announcement_id=self.id, withdrawn_by=publisher.person_id, withdrawn_at=now))

    def _record(self, data: AnnouncementPublished | AnnouncementWithdrawn) -> None:
        self._events.append(PendingEvent(data, self.community, self.id))

    def pull_events(self) -> list[PendingEvent]:
        events, self._events = self._events, []
        return events
