"""The HTTP API: inbox pages and read marks, preferences, templates, subscriptions, robots, the seed."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest

from contracts.demo import BY_ID
from contracts.events.deliberation import DecisionAdopted
from contracts.events.issue import IssueSubmitted
from services.kernel.clock import SettableClock
from services.notifications.bootstrap import create
from services.notifications.domain.default_templates import DEFAULTS
from services.notifications.seed import seed_demo
from tests.notifications.conftest import MakeSettings
from tests.notifications.support import points_awarded, publish, wrap
from tests.support.infra import Tokens, eventually, running
from tests.support.sql import Sql

ADMIN = ("admin", "admin", "committee")


async def test_the_inbox_lists_unread_first_newest_first_in_keyset_pages_and_marks_read(
    make_settings: MakeSettings, tokens: Tokens, nats_url: str
) -> None:
    app = create(make_settings(notifications_smtp_host=""))
    async with running(app) as client:
        me = tokens.headers("yang-min", "volunteer")
        for points in (1, 2, 3):
            await publish(nats_url, wrap(points_awarded("yang-min", points), "rewards"))

        async def three() -> list[dict[str, Any]]:
            items: list[dict[str, Any]] = (await client.get("/inbox", headers=me)).json()["items"]
            return items if len(items) == 3 else []

        items = await eventually(three, message="three inbox items")
        newest = items[0]
        read = await client.post(f"/inbox/{newest['id']}/read", headers=me)
        assert read.status_code == 200
        assert read.json()["unread"] is False

        first = (await client.get("/inbox", params={"limit": 2}, headers=me)).json()
        second = (await client.get("/inbox", params={"limit": 2, "cursor": first["next_cursor"]}, headers=me)).json()

        assert [i["unread"] for i in first["items"]] == [True, True]
        assert first["items"][0]["created_at"] >= first["items"][1]["created_at"]
        assert [i["id"] for i in second["items"]] == [newest["id"]]
        assert second["next_cursor"] is None
        assert (await client.get("/inbox/unread-count", headers=me)).json() == {"unread": 2}
        assert (await client.post("/inbox/read-all", headers=me)).json() == {"unread": 0}
        assert (await client.get("/inbox/unread-count", headers=me)).json() == {"unread": 0}
        other = await client.post(f"/inbox/{newest['id']}/read", headers=tokens.headers("sun-hao"))
        assert other.status_code == 404
        bad = await client.get("/inbox", params={"cursor": "not-a-cursor"}, headers=me)
        assert bad.status_code == 400


async def test_a_council_decision_reaches_the_reporter_of_the_issue_it_answers(
    make_settings: MakeSettings, tokens: Tokens, nats_url: str
) -> None:
    issue_id = uuid.uuid4()
    now = datetime.now(UTC)
    app = create(make_settings())  # the real clock orders the two inbox items
    async with running(app) as client:
        submitted = IssueSubmitted(
            issue_id=issue_id, category="noise", title="楼上装修噪音", reporter_id="sun-hao", status="submitted",
            channel="app", submitted_at=now,
        )  # fmt: skip
        await publish(nats_url, wrap(submitted, "intake"))
        reporter = tokens.headers("sun-hao")

        async def inbox(n: int) -> list[dict[str, Any]]:
            items: list[dict[str, Any]] = (await client.get("/inbox", headers=reporter)).json()["items"]
            return items if len(items) >= n else []

        first = await eventually(lambda: inbox(1), message="acknowledgement")
        assert first[0]["subject"] == "已收到您反映的事项"
        assert "噪音扰民" in first[0]["body"]
        decision = DecisionAdopted(
            decision_id=uuid.uuid4(), council_id=uuid.uuid4(), council_kind="consultation", session_id=uuid.uuid4(),
            motion_id=uuid.uuid4(), agenda_item_id=uuid.uuid4(), issue_id=issue_id, title="装修时间公约",
            votes_for=7, votes_against=1, votes_abstain=1, decided_at=now, member_ids=["zhang-wei"],
            action_plan="装修限于工作日 8:00-18:00",
        )  # fmt: skip
        await publish(nats_url, wrap(decision, "deliberation"))
        both = await eventually(lambda: inbox(2), message="decision")
        assert both[0]["subject"] == "议事会决定：装修时间公约"
        member = (await client.get("/inbox", headers=tokens.headers("zhang-wei", "council_member"))).json()["items"]
        assert [i["subject"] for i in member] == ["议事会决定：装修时间公约"]


@pytest.mark.parametrize(
    ("body", "complaint"),
    [
        ("You earned {points} for {nonsense}", "{nonsense} is not offered"),
        ("{points.__class__}", "only plain names"),
        ("{points", "unbalanced braces"),
    ],
)
async def test_a_template_with_a_bad_placeholder_is_refused_and_changes_nothing(
    make_settings: MakeSettings, clock: SettableClock, tokens: Tokens, body: str, complaint: str
) -> None:
    app = create(make_settings(), clock=clock)
    async with running(app) as client:
        admin = tokens.headers(*ADMIN)
        before = (await client.get("/templates/points.awarded/en", headers=admin)).json()
        response = await client.put(
            "/templates/points.awarded/en", json={"subject": "Points", "body": body}, headers=admin
        )
        after = (await client.get("/templates/points.awarded/en", headers=admin)).json()
    assert response.status_code == 422
    assert complaint in response.json()["detail"]
    assert "points" in response.json()["allowed_placeholders"]
    assert after == before


async def test_an_edited_template_is_used_for_the_next_message(
    make_settings: MakeSettings, clock: SettableClock, tokens: Tokens, nats_url: str
) -> None:
    app = create(make_settings(), clock=clock)
    async with running(app) as client:
        admin = tokens.headers(*ADMIN)
        resident = await client.put(
            "/templates/points.awarded/zh-CN", json={"subject": "x", "body": "y"}, headers=tokens.headers("sun-hao")
        )
        assert resident.status_code == 403
        edited = await client.put(
            "/templates/points.awarded/zh-CN",
            json={"subject": "积分到账 {points}", "body": "{explanation}，余额 {balance_after}"},
            headers=admin,
        )
        assert edited.status_code == 200, edited.text
        await publish(nats_url, wrap(points_awarded("chen-jing", 8), "rewards"))

        async def item() -> list[dict[str, Any]]:
            items: list[dict[str, Any]] = (await client.get("/inbox", headers=tokens.headers("chen-jing"))).json()[
                "items"
            ]
            return items

        found = await eventually(item, message="inbox item")
    assert found[0]["subject"] == "积分到账 8"
    assert found[0]["body"] == "红色驿站值守 2 小时，余额 120"


async def test_a_communitys_template_is_its_own_and_dropping_it_brings_back_the_stacks_text(
    make_settings: MakeSettings, clock: SettableClock, tokens: Tokens, nats_url: str
) -> None:
    app = create(make_settings(), clock=clock)
    meihu, binhu = tokens.headers(*ADMIN), tokens.headers("binhu-admin", "admin", community="binhu")
    path = "/templates/points.awarded/zh-CN"
    async with running(app) as client:
        stack_text = (await client.get(path, headers=binhu)).json()
        edited = await client.put(path, json={"subject": "美湖积分 {points}", "body": "{explanation}"}, headers=meihu)
        seen_by_binhu = (await client.get(path, headers=binhu)).json()
        await publish(nats_url, wrap(points_awarded("chen-jing", 8), "rewards"))
        await publish(nats_url, wrap(points_awarded("wang-fang", 5), "rewards", community="binhu"))

        async def first_item(person: str, community: str) -> dict[str, Any] | None:
            headers = tokens.headers(person, community=community)
            items = (await client.get("/inbox", headers=headers)).json()["items"]
            return items[0] if items else None

        meihu_item = await eventually(lambda: first_item("chen-jing", "meihu"), message="Meihu's inbox item")
        binhu_item = await eventually(lambda: first_item("wang-fang", "binhu"), message="Binhu's inbox item")
        reset = await client.delete(path, headers=meihu)
        again = await client.delete(path, headers=meihu)
        after_reset = (await client.get(path, headers=meihu)).json()

    assert edited.status_code == 200, edited.text
    assert edited.json()["own"] is True
    assert stack_text["own"] is False
    assert seen_by_binhu == stack_text, "Meihu's admin cannot rewrite what Binhu's residents read"
    assert meihu_item["subject"] == "美湖积分 8"
    assert binhu_item["subject"] != "美湖积分 5"
    assert reset.status_code == 204
    assert again.status_code == 204  # already the stack's text: nothing to drop
    assert (after_reset["subject"], after_reset["own"]) == (stack_text["subject"], False)


async def test_subscriptions_refuse_unknown_events_other_communities_and_residents(
    make_settings: MakeSettings, clock: SettableClock, tokens: Tokens
) -> None:
    app = create(make_settings(), clock=clock)
    async with running(app) as client:
        admin = tokens.headers(*ADMIN)
        unknown = await client.post(
            "/subscriptions", json={"url": "https://x.example/h", "event_types": ["parcel.*"]}, headers=admin
        )
        own = await client.post(
            "/subscriptions", json={"url": "https://x.example/h", "event_types": ["notification.*"]}, headers=admin
        )
        other = await client.post(
            "/subscriptions",
            json={"url": "https://x.example/h", "event_types": ["*"], "community": "binhu"},
            headers=admin,
        )
        resident = await client.post(
            "/subscriptions",
            json={"url": "https://x.example/h", "event_types": ["*"]},
            headers=tokens.headers("sun-hao"),
        )
        robot = await client.put("/channels/wecom/2", json={"url": "https://example.org/hook"}, headers=admin)
        listed = await client.get("/subscriptions", headers=admin)
    assert unknown.status_code == 422
    assert own.status_code == 422
    assert other.status_code == 403
    assert resident.status_code == 403
    assert robot.status_code == 422
    assert listed.json() == []


async def test_another_communitys_subscription_and_its_deliveries_are_not_there(
    make_settings: MakeSettings, clock: SettableClock, tokens: Tokens
) -> None:
    app = create(make_settings(), clock=clock)
    async with running(app) as client:
        binhu = tokens.headers("admin-binhu", "admin", community="binhu")
        theirs = await client.post(
            "/subscriptions", json={"url": "https://x.example/h", "event_types": ["*"]}, headers=binhu
        )
        assert theirs.status_code == 201, theirs.text
        path = f"/subscriptions/{theirs.json()['id']}"
        admin = tokens.headers(*ADMIN)
        read = await client.get(path, headers=admin)
        log = await client.get(f"{path}/deliveries", headers=admin)
        rotate = await client.post(f"{path}/rotate-secret", json={}, headers=admin)
        stop = await client.delete(path, headers=admin)
        still = await client.get(path, headers=binhu)
    assert [r.status_code for r in (read, log, rotate, stop)] == [404, 404, 404, 404]
    assert still.json()["active"] is True


async def test_a_stopped_subscription_is_gone_from_the_api_and_stopping_it_again_changes_nothing(
    make_settings: MakeSettings, clock: SettableClock, tokens: Tokens
) -> None:
    app = create(make_settings(), clock=clock)
    async with running(app) as client:
        admin = tokens.headers(*ADMIN)
        created = await client.post(
            "/subscriptions", json={"url": "https://x.example/h", "event_types": ["*"]}, headers=admin
        )
        path = f"/subscriptions/{created.json()['id']}"
        stop = await client.delete(path, headers=admin)
        read = await client.get(path, headers=admin)
        log = await client.get(f"{path}/deliveries", headers=admin)
        listed = await client.get("/subscriptions", headers=admin)
        again = await client.delete(path, headers=admin)
    assert [r.status_code for r in (stop, read, log, again)] == [204, 404, 404, 204]
    assert created.json()["id"] not in [s["id"] for s in listed.json()]


async def test_a_pending_delivery_cannot_be_redelivered_and_a_bad_cursor_is_a_bad_request(
    make_settings: MakeSettings, clock: SettableClock, tokens: Tokens, nats_url: str
) -> None:
    settings = make_settings(notifications_worker_interval=3600)  # the delivery stays pending
    app = create(settings, clock=clock)
    async with running(app) as client:
        admin = tokens.headers(*ADMIN)
        created = (
            await client.post(
                "/subscriptions", json={"url": "https://x.example/h", "event_types": ["*"]}, headers=admin
            )
        ).json()
        deliveries = f"/subscriptions/{created['id']}/deliveries"
        await publish(nats_url, wrap(points_awarded("nobody"), "rewards"))

        async def logged() -> list[dict[str, Any]]:
            items: list[dict[str, Any]] = (await client.get(deliveries, headers=admin)).json()["items"]
            return items

        (pending,) = await eventually(logged, message="the delivery is logged")
        again = await client.post(f"{deliveries}/{pending['id']}/redeliver", headers=admin)
        bad = await client.get(deliveries, params={"cursor": "bm90LWEtY3Vyc29y"}, headers=admin)
    assert pending["status"] == "pending"
    assert again.status_code == 409
    assert again.json()["reason"] == "still-pending"
    assert bad.status_code == 400


async def test_preferences_default_to_chinese_and_night_quiet_hours_and_reject_an_unknown_zone(
    make_settings: MakeSettings, clock: SettableClock, tokens: Tokens
) -> None:
    app = create(make_settings(), clock=clock)
    async with running(app) as client:
        me = tokens.headers("zhou-qiang")
        defaults = (await client.get("/preferences/me", headers=me)).json()
        bad = await client.put("/preferences/me", json={"quiet_hours": {"timezone": "Mars/Olympus"}}, headers=me)
        none = await client.put("/preferences/me", json={"language": "en", "quiet_hours": None}, headers=me)
    assert defaults["language"] == "zh-CN"
    assert defaults["quiet_hours"] == {"start": "22:00:00", "end": "07:00:00", "timezone": "Asia/Shanghai"}
    assert bad.status_code == 422
    assert none.json()["quiet_hours"] is None
    assert none.json()["language"] == "en"


async def test_the_seed_sets_every_demo_person_once_and_a_second_run_changes_nothing(
    make_settings: MakeSettings, sql: Sql, clock: SettableClock, tokens: Tokens
) -> None:
    def headers(person_id: str) -> dict[str, str]:
        person = BY_ID[person_id]
        return tokens.headers(person.id, *person.roles, building_group=person.building_group)

    app = create(make_settings(), clock=clock)
    async with running(app) as client:
        await seed_demo(client, headers)
        first = await sql.fetch("SELECT * FROM preferences ORDER BY person_id")
        templates = await sql.fetch("SELECT * FROM templates ORDER BY key, language")
        await seed_demo(client, headers)
        assert await sql.fetch("SELECT * FROM preferences ORDER BY person_id") == first
        assert await sql.fetch("SELECT * FROM templates ORDER BY key, language") == templates
        robots = await sql.fetch("SELECT * FROM wecom_robots")
    assert len(first) == len(BY_ID)
    assert {r["person_id"]: r["language"] for r in first}["zhao-lei"] == "en"
    assert len(templates) == sum(len(languages) for languages in DEFAULTS.values())  # every default, zh-CN and en
    assert robots == []


async def test_an_admin_of_another_community_neither_reads_nor_replaces_a_persons_preferences(
    make_settings: MakeSettings, tokens: Tokens
) -> None:
    app = create(make_settings())
    async with running(app) as client:
        resident = tokens.headers("zhou-qiang")
        await client.put("/preferences/me", json={"language": "en", "email": "zhou@example.org"}, headers=resident)
        binhu = tokens.headers("admin-binhu", "admin", community="binhu")
        read = await client.get("/preferences/zhou-qiang", headers=binhu)
        replaced = await client.put("/preferences/zhou-qiang", json={"language": "zh-CN"}, headers=binhu)
        own_admin = await client.get("/preferences/zhou-qiang", headers=tokens.headers("admin-meihu", "admin"))
    assert read.status_code == 404
    assert replaced.status_code == 404
    assert own_admin.json()["email"] == "zhou@example.org"
    assert own_admin.json()["language"] == "en"
