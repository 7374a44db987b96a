"""The arrange phase of the matrix: the objects its rows name, made through the services' own APIs
by the matrix's own callers, in Meihu (and, where a row needs it, in the other community).

The result is the world: a mapping from a path parameter's name (or a row's `fill` key) to the
id it stands for."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from tests.security.matrix.community import selection_body
from tests.security.matrix.intake import png
from tests.security.matrix.model import EXTRAS, OTHER, Caller, grid
from tests.security.walk import Tokens
from tests.support.infra import eventually

STACK_ENV = {
    "LINLI_INTAKE_PERSON_RATE": "100000/hour",
    "LINLI_INTAKE_ADDRESS_RATE": "100000/hour",
    "LINLI_NOTIFICATIONS_ALLOWED_NETWORKS": '["127.0.0.0/8"]',
}
"""The matrix's stack: submission limits out of the way (one person raises many issues here), and
webhooks and robots allowed to a local address that answers nothing."""

CALLERS = {c.name: c for c in [*grid(), *EXTRAS.values()]}


class Arranger:
    def __init__(self, urls: Mapping[str, str], tokens: Tokens) -> None:
        self.clients = {name: httpx.AsyncClient(base_url=url, timeout=60) for name, url in urls.items()}
        self.tokens = tokens
        # "stranger": a person nobody arranged anything for, so asking each service to forget them
        # (an admin's right) takes nothing from the other cells.
        self.world: dict[str, Any] = {"fmt": "json", "stranger": "stranger-never-seen"}

    async def close(self) -> None:
        for client in self.clients.values():
            await client.aclose()

    async def call(self, service: str, method: str, path: str, who: str | Caller, **kwargs: Any) -> Any:
        caller = CALLERS[who] if isinstance(who, str) else who
        headers = {**self.tokens.headers(caller), **kwargs.pop("headers", {})}
        response = await self.clients[service].request(method, path, headers=headers, **kwargs)
        assert response.status_code < 300, (
            f"arrange: {method} {path} as {caller.name}: {response.status_code} {response.text}"
        )
        if not response.content:
            return None
        return response.json() if "json" in response.headers.get("content-type", "") else response.text

    async def arrange(self) -> dict[str, Any]:
        await self.intake()
        await self.deliberation()
        await self.shifts()
        await self.rewards()
        await self.notifications()
        await self.community()
        return self.world

    # -- intake ----------------------------------------------------------------------------
    async def issue(self, title: str) -> str:
        body = {
            "category": "corridor_clutter",
            "title": title,
            "description": "楼道里堆了纸箱和旧家具。",
            "location": {"building": "5栋", "unit": "2单元"},
            "contact": {"phone": "13900000000"},
        }
        issue = await self.call("intake", "POST", "/issues", "resident", json=body)
        return str(issue["id"])

    async def intake_step(self, issue_id: str, step: str, body: Any) -> None:
        await self.call("intake", "POST", f"/issues/{issue_id}/{step}", "committee", json=body)

    async def intake(self) -> None:
        w = self.world
        w["issue_id"] = await self.issue("楼道堆物 Clutter A")
        w["photo_id"] = (
            await self.call(
                "intake",
                "POST",
                f"/issues/{w['issue_id']}/photos",
                "resident",
                content=png(),
                headers={"Content-Type": "image/png"},
            )
        )["id"]
        w["issue_to_review"] = await self.issue("楼道堆物 Clutter B")
        for key, steps in {
            "issue_to_start": ["review"],
            "issue_to_resolve": ["review", "start"],
            "issue_to_confirm": ["review", "start", "resolve"],
            "issue_to_reopen": ["review", "start", "resolve"],
        }.items():
            w[key] = await self.issue(f"楼道堆物 {key}")
            for step in steps:
                body = {"review": {"decision": "accept"}, "start": {}, "resolve": {"summary": "已清理"}}[step]
                await self.intake_step(w[key], step, body)
        w["code"] = "corridor_clutter"
        w["service_code"] = "corridor_clutter"
        w["key_id"] = (
            await self.call("intake", "POST", "/open311-keys", "admin", json={"name": "待撤销", "principal": "revoked"})
        )["id"]
        w["open311_key"] = (
            await self.call("intake", "POST", "/open311-keys", "admin", json={"name": "12345", "principal": "hotline"})
        )["key"]
        w["open311_key_other"] = (
            await self.call(
                "intake", "POST", "/open311-keys", "admin@other", json={"name": "12345", "principal": "hotline"}
            )
        )["key"]
        posted = await self.call(
            "intake",
            "POST",
            "/open311/v2/requests.json",
            "anonymous",
            data={
                "api_key": w["open311_key"],
                "service_code": "corridor_clutter",
                "description": "楼道堆物",
                "address_string": "美湖小区5栋",
            },
        )
        w["service_request_id"] = posted[0]["service_request_id"]
        w["token_id"] = posted[0]["token"]

    # -- deliberation ----------------------------------------------------------------------
    async def deliberation(self) -> None:
        w = self.world
        now = datetime.now(UTC)
        w["in_a_week"] = (now + timedelta(days=7)).isoformat()
        w["council_member_id"] = CALLERS["council_member"].sub

        def member(person: Caller | str, position: str = "member") -> dict[str, Any]:
            person_id = person.sub if isinstance(person, Caller) else person
            return {
                "person_id": person_id,
                "name": person_id,
                "party": "residents_committee",
                "position": position,
                "term_from": "2026-01-01",
            }

        council = await self.call(
            "deliberation",
            "POST",
            "/councils",
            "admin",
            json={
                "kind": "consultation",
                "name": "议事会 A",
                "members": [member(CALLERS["council_member"]), member("matrix-chair", "chair")],
            },
        )
        w["council_id"] = council["id"]
        w["feed_token"] = council["feed_url"].rsplit("/", 1)[-1].removesuffix(".ics")
        w["council_b"] = (
            await self.call(
                "deliberation",
                "POST",
                "/councils",
                "admin",
                json={"kind": "women", "name": "议事会 B", "members": [member(CALLERS["other_member"])]},
            )
        )["id"]
        w["member_to_remove"] = "matrix-leaving-member"
        sessions = {}
        for key in ("session_id", "session_to_open", "session_to_conclude", "session_to_cancel"):
            body = {
                "title": key,
                "starts_at": (now + timedelta(minutes=1)).isoformat(),
                "ends_at": (now + timedelta(hours=3)).isoformat(),
                "mode": "in_person",
            }
            sessions[key] = (
                await self.call("deliberation", "POST", f"/councils/{w['council_id']}/sessions", "admin", json=body)
            )["id"]
        w.update(sessions)
        for key in ("session_id", "session_to_conclude"):
            await self.call("deliberation", "POST", f"/sessions/{w[key]}/open", "admin")
        session = w["session_id"]
        for present in (w["council_member_id"], "matrix-chair"):
            await self.call("deliberation", "PUT", f"/sessions/{session}/attendance/{present}", "admin")

        async def item(title: str) -> str:
            made = await self.call(
                "deliberation", "POST", f"/sessions/{session}/agenda-items", "admin", json={"title": title}
            )
            return str(made["id"])

        async def motion(item_id: str) -> str:
            made = await self.call(
                "deliberation",
                "POST",
                f"/agenda-items/{item_id}/motions",
                "admin",
                json={"title": "动议", "text": "同意"},
            )
            return str(made["id"])

        w["item_id"] = await item("议题 1")
        w["item_to_defer"] = await item("议题 2")
        w["item_for_motion"] = await item("议题 5")
        w["motion_id"] = await motion(w["item_id"])
        w["motion_to_close"] = await motion(await item("议题 3"))
        decided = await motion(await item("议题 4"))
        await self.call("deliberation", "PUT", f"/motions/{decided}/vote", "council_member", json={"choice": "for"})
        decision = await self.call("deliberation", "POST", f"/motions/{decided}/close", "admin", json={"note": "通过"})
        w["decision_id"] = decision["id"]

    # -- shifts ----------------------------------------------------------------------------
    async def shifts(self) -> None:
        w = self.world
        now = datetime.now(UTC)
        w["today"] = now.date().isoformat()
        w["in_three_days"] = (now + timedelta(days=3)).replace(microsecond=0).isoformat()
        w["in_three_days_end"] = (now + timedelta(days=3, hours=2)).replace(microsecond=0).isoformat()
        w["post_type"], w["spare_post"] = "patrol", "environment"
        w["volunteer_id"] = CALLERS["volunteer"].sub
        for post, leader, who in (
            ("patrol", "post_leader", "committee"),
            ("culture", "other_leader", "committee"),
            ("environment", None, "committee"),
            ("patrol", "post_leader@other", "committee@other"),
        ):
            leaders = [CALLERS[leader].sub] if leader else []
            await self.call("shifts", "PUT", f"/posts/{post}", who, json={"leader_ids": leaders})
        for volunteer in ("volunteer", "neighbour", "volunteer@other"):
            body = {"name": volunteer, "kind": "resident", "building_group": 1, "posts": ["patrol"]}
            await self.call("shifts", "PUT", f"/volunteers/{CALLERS[volunteer].sub}", volunteer, json=body)

        async def shift(title: str, day: int) -> str:
            starts = (now + timedelta(days=day)).replace(microsecond=0)
            body = {
                "post": "patrol",
                "title": title,
                "starts_at": starts.isoformat(),
                "ends_at": (starts + timedelta(hours=2)).isoformat(),
                "capacity": 5,
            }
            return str((await self.call("shifts", "POST", "/shifts", "post_leader", json=body))["id"])

        for day, key in enumerate(("shift_id", "shift_to_cancel", "shift_to_join"), start=4):
            w[key] = await shift(key, day)
        await self.call("shifts", "POST", f"/shifts/{w['shift_id']}/signups", "volunteer", json={})
        leaving = {}
        for day, leaver in enumerate(("volunteer", "post_leader", "committee", "admin"), start=8):
            leaving[leaver] = await shift(f"leave-{leaver}", day)
            await self.call("shifts", "POST", f"/shifts/{leaving[leaver]}/signups", "volunteer", json={})
        w["shifts_to_leave"] = {**leaving, "*": leaving["admin"]}
        template = {
            "post": "patrol",
            "title": "周六巡逻",
            "weekdays": [6],
            "start_time": "19:00:00",
            "end_time": "21:00:00",
            "valid_from": w["today"],
            "capacity": 4,
        }
        w["template_id"] = (await self.call("shifts", "POST", "/templates", "post_leader", json=template))["id"]
        feed = await self.call("shifts", "POST", "/volunteers/me/feed", "volunteer")
        w["feed_token_shifts"] = feed["url"].rsplit("/", 1)[-1].removesuffix(".ics")

    # -- rewards ---------------------------------------------------------------------------
    async def rewards(self) -> None:
        w = self.world
        resident = CALLERS["resident"].sub
        w["person_id"], w["year"] = resident, datetime.now(UTC).year
        w["rule_id"] = "issue.resolved.contributor"
        for admin in ("admin", "admin@other"):
            rules = await self.call("rewards", "GET", "/rules", admin)
            w["rule_params"] = next(r["params"] for r in rules if r["rule_id"] == w["rule_id"])
            await self.call("rewards", "POST", f"/accounts/{resident}/adjustments", admin, json=_points(100))
        w["transaction_id"] = (
            await self.call("rewards", "POST", f"/accounts/{resident}/adjustments", "admin", json=_points(1))
        )["transaction_id"]
        w["transaction_to_reverse"] = (
            await self.call("rewards", "POST", f"/accounts/{resident}/adjustments", "admin", json=_points(2))
        )["transaction_id"]
        prize = {"code": "matrix-cup", "name_zh": "水杯", "name_en": "Cup", "cost": 1, "stock": 100}
        w["prize_id"] = (await self.call("rewards", "POST", "/prizes", "committee", json=prize))["id"]
        for key in ("redemption_id", "redemption_to_fulfil"):
            body = {"prize_id": w["prize_id"]}
            w[key] = (await self.call("rewards", "POST", "/redemptions", "resident", json=body))["id"]
        honour = {"person_id": resident, "kind": "neighbour_star", "year": w["year"]}
        w["honour_id"] = (await self.call("rewards", "POST", "/honours", "committee", json=honour))["id"]
        certificate = {"person_id": resident, "person_name": "居民", "id_number": "340104199001011234"}
        w["certificate_id"] = (await self.call("rewards", "POST", "/certificates", "committee", json=certificate))["id"]
        issue = await self.issue("楼道堆物 rewarded")
        for step, body in (("review", {"decision": "accept"}), ("start", {})):
            await self.intake_step(issue, step, body)
        await self.intake_step(issue, "resolve", {"summary": "已清理", "contributors": [resident]})

        async def award() -> str | None:
            page = await self.call("rewards", "GET", f"/accounts/{resident}/awards", "resident")
            return str(page["items"][0]["id"]) if page["items"] else None

        w["award_id"] = await eventually(award, timeout=30, message="the resolved issue's award")

    # -- notifications ---------------------------------------------------------------------
    async def notifications(self) -> None:
        w = self.world
        resident = CALLERS["resident"].sub
        await self.call("notifications", "PUT", "/preferences/me", "resident", json={"language": "zh-CN"})

        async def personal() -> str | None:
            page = await self.call("notifications", "GET", "/inbox", "resident", params={"limit": 100})
            items = [i for i in page["items"] if i["event_type"] == "linli.points.awarded.v1"]
            return str(items[0]["id"]) if items else None

        w["inbox_item"] = await eventually(personal, timeout=30, message=f"{resident}'s own points.awarded inbox item")
        subscription = {"url": "http://127.0.0.1:9/matrix", "event_types": ["issue.*"]}
        for key in ("subscription_id", "subscription_to_stop"):
            w[key] = (await self.call("notifications", "POST", "/subscriptions", "admin", json=subscription))["id"]
        await self.issue("楼道堆物 delivered")

        async def delivery() -> str | None:
            path = f"/subscriptions/{w['subscription_id']}/deliveries"
            page = await self.call("notifications", "GET", path, "admin")
            return str(page["items"][0]["id"]) if page["items"] else None

        w["delivery_id"] = await eventually(delivery, timeout=30, message="a webhook delivery")
        w["building_group"], w["robot_to_remove"] = 1, 2
        robot = {"url": "http://127.0.0.1:9/cgi-bin/webhook/send?key=matrix2"}
        await self.call("notifications", "PUT", "/channels/wecom/2", "admin", json=robot)
        template = (await self.call("notifications", "GET", "/templates", "admin"))[0]
        w["key"], w["language"] = template["key"], template["language"]
        w["template_body"] = {"subject": template["subject"], "body": template["body"]}

    # -- community -------------------------------------------------------------------------
    async def community(self) -> None:
        """Each object in the state its row needs: an announcement to building group 1 and one to
        withdraw, publicity agents of groups 1 and 2 (and of the other community), an initiative, every
        caller's board consent, the festival's proposals at each step, selections at each step, wishes
        on the board, claimed, fulfilled and one still a private candidate, ventures submitted, returned
        and approved, and a care visit planned."""
        w = self.world
        now = datetime.now(UTC)
        w["in_two_weeks"] = (now + timedelta(days=14)).isoformat()
        w["an_hour_ago"] = (now - timedelta(hours=1)).isoformat()
        await self.publicity()
        w["initiative_id"] = (
            await self.call(
                "community", "POST", "/initiatives", "committee", json={"title": "倡议", "body": "文明养犬"}
            )
        )["id"]
        consent = {"photo_url": "https://example.org/p.jpg", "role": "party_member", "post_type": "patrol"}
        for caller in grid():  # each reads (and at last withdraws) their own consent
            if caller.sub is not None:
                await self.call("community", "PUT", "/board/me", caller, json={**consent, "phone": "13900000000"})
        await self.festival()
        await self.selections()
        await self.wishes()
        await self.ventures()
        await self.care_visit()

    async def publicity(self) -> None:
        w = self.world
        w["agent_to_register"], w["agent_to_remove"] = "matrix-new-agent", "matrix-leaving-agent"
        agents = (("publicity_agent", 1), ("other_agent", 2), ("publicity_agent@other", 1))
        for agent, group in agents:
            committee = "committee@other" if CALLERS[agent].other else "committee"
            for person in (CALLERS[agent].sub, w["agent_to_remove"]):
                body = {"building_group": group, "kind": "building_leader", "name": "楼栋长"}
                await self.call("community", "PUT", f"/publicity-agents/{person}", committee, json=body)
        to_group_1 = {"title": "停水通知", "body": "周六停水。", "audience": "building_group", "building_group": 1}
        for key in ("announcement_id", "announcement_to_withdraw"):
            made = await self.call("community", "POST", "/announcements", "publicity_agent", json=to_group_1)
            w[key] = made["id"]

    async def festival(self) -> None:
        w = self.world
        now = datetime.now(UTC)
        body = {"year": w["year"], "theme": "邻里节", "proposals_close_at": (now + timedelta(days=30)).isoformat()}
        for committee in ("committee@other", "committee"):
            w["festival_id"] = (await self.call("community", "POST", "/festivals", committee, json=body))["id"]

        async def proposal(title: str, *steps: str) -> str:
            path = f"/festivals/{w['festival_id']}/proposals"
            made = await self.call("community", "POST", path, "resident", json={"title": title})
            for step in steps:
                if step == "adopt":
                    await self.call("community", "POST", f"/proposals/{made['id']}/adopt", "committee")
                else:
                    starts = now + timedelta(days=10)
                    schedule = {
                        "starts_at": starts.isoformat(),
                        "ends_at": (starts + timedelta(hours=2)).isoformat(),
                        "capacity": 50,
                    }
                    await self.call(
                        "community", "POST", f"/activities/{made['id']}/schedule", "committee", json=schedule
                    )
            return str(made["id"])

        w["proposal_id"] = await proposal("包饺子")
        w["proposal_to_adopt"] = await proposal("广场舞")
        w["activity_to_schedule"] = await proposal("书法", "adopt")
        w["activity_id"] = await proposal("百家宴", "adopt", "schedule")

    async def selections(self) -> None:
        w = self.world
        body = selection_body(w)
        nominee = {"candidate_id": "matrix-nominee", "candidate_name": "被提名人", "reason": "热心"}

        async def selection(*steps: str) -> str:
            """A selection, its nominee nominated by the resident, then the committee's steps
            (`approve`: the nominee's check)."""
            made = await self.call("community", "POST", "/selections", "committee", json=body)
            selection_id = str(made["id"])
            path = f"/selections/{selection_id}/nominations"
            nomination = (await self.call("community", "POST", path, "resident", json=nominee))["nomination_id"]
            w.setdefault("nomination_id", nomination)
            for step in steps:
                if step == "approve":
                    check = {"decision": "approve"}
                    await self.call("community", "POST", f"/nominations/{nomination}/check", "committee", json=check)
                else:
                    await self.call("community", "POST", f"/selections/{selection_id}/{step}", "committee")
            return selection_id

        w["selection_id"] = await selection()
        w["selection_to_close_nominations"] = await selection()
        w["selection_to_open_voting"] = await selection("close-nominations", "approve")
        w["selection_voting"] = await selection("close-nominations", "approve", "open-voting")

    async def wishes(self) -> None:
        w = self.world

        async def wish(family: str, *, claimer: str | None = None, fulfilled: bool = False) -> str:
            """A wish a committee entered (on the board at once), claimed and fulfilled by `claimer`."""
            body = {"channel": "visit", "family_id": family, "title": "一台收音机"}
            wish_id = str((await self.call("community", "POST", "/wishes", "committee", json=body))["id"])
            if claimer is not None:
                await self.call("community", "POST", f"/wishes/{wish_id}/claim", claimer, json={})
                if fulfilled:
                    done = {"note": "已送到", "photo_url": "https://example.org/radio.jpg"}
                    await self.call("community", "POST", f"/wishes/{wish_id}/fulfil", claimer, json=done)
            return wish_id

        w["wish_id"] = await wish("matrix-family-a")
        w["wish_to_claim"] = await wish("matrix-family-b")
        w["wish_to_fulfil"] = await wish("matrix-family-c", claimer="resident")
        w["wish_to_confirm"] = await wish(w["person_id"], claimer="neighbour", fulfilled=True)
        raised = {
            "category": "micro_wish",
            "title": "想要一台收音机",
            "description": "家里老人想听戏。",
            "location": {"building": "5栋", "unit": "2单元"},
        }
        await self.call("intake", "POST", "/issues", "resident", json=raised)  # becomes a private candidate

        async def candidate() -> str | None:
            page = await self.call("community", "GET", "/wishes", "committee", params={"status": "candidate"})
            return str(page["items"][0]["id"]) if page["items"] else None

        w["wish_to_approve"] = await eventually(candidate, timeout=30, message="the micro-wish issue's candidate")

    async def ventures(self) -> None:
        w = self.world
        plan = {
            "title": "巡逻",
            "aim": "安全",
            "post_type": "patrol",
            "budget": "1000.00",
            "activities_planned": ["每周巡逻"],
        }

        async def venture(decision: str | None) -> str:
            venture_id = str((await self.call("community", "POST", "/ventures", "post_leader", json=plan))["id"])
            if decision is not None:
                body = {"decision": decision, "reason": "预算请细化"}
                await self.call("community", "POST", f"/ventures/{venture_id}/decision", "committee", json=body)
            return venture_id

        w["venture_id"] = await venture("approve")
        w["venture_to_close"] = await venture("approve")
        w["venture_to_revise"] = await venture("return")
        w["venture_to_decide"] = await venture(None)

    async def care_visit(self) -> None:
        """A visit planned for the resident, once community has counted the points rewards awarded them."""
        w = self.world
        body = {"volunteer_id": w["person_id"], "planned_for": w["today"], "visitors": ["matrix-committee"]}

        async def planned() -> str | None:
            response = await self.clients["community"].post(
                "/care-visits", json=body, headers=self.tokens.headers(CALLERS["committee"])
            )
            return str(response.json()["id"]) if response.status_code == 201 else None

        w["visit_id"] = await eventually(planned, timeout=30, message="a care visit for the resident")


def _points(points: int) -> dict[str, Any]:
    return {"points": points, "reason": "矩阵准备 matrix arrange"}


__all__ = ["OTHER", "STACK_ENV", "Arranger", "png"]
