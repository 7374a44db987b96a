"""A volunteer exports their registration, sign-ups and participations; forgetting them keeps each
shift's roster and confirmed hours under their pseudonym with name, skills and calendar feed cleared,
and takes them off their red posts."""

from __future__ import annotations

from datetime import timedelta

from tests.shifts.conftest import START, Shifts
from tests.support.privacy import exported, forgotten, kinds_with_rows, mentions

H = timedelta(hours=1)
PERSON = "wang-fang"


async def test_a_volunteer_exports_their_shifts_and_forgetting_keeps_the_hours_under_a_pseudonym(
    shifts: Shifts,
) -> None:
    await shifts.setup_post()
    await shifts.register(PERSON, "chen-jing")
    shift = await shifts.shift(START + H, START + 3 * H, capacity=3)
    for person in (PERSON, "chen-jing"):
        assert (await shifts.sign_up(shift["id"], person)).status_code == 201
    feed = await shifts.client.post("/volunteers/me/feed", headers=shifts.as_(PERSON))
    assert feed.status_code in (200, 201), feed.text
    shifts.clock.advance(4 * H)
    confirmed = await shifts.client.post(
        f"/shifts/{shift['id']}/confirmations",
        json={"participants": [{"volunteer_id": p, "outcome": "completed"} for p in (PERSON, "chen-jing")]},
        headers=shifts.leader,
    )
    assert confirmed.status_code == 200, confirmed.text

    mine = await exported(shifts.client, shifts.as_(PERSON))

    assert mine["service"] == "shifts"
    assert {"volunteer", "red_posts", "signups", "participations"} <= kinds_with_rows(mine)
    assert mine["data"]["volunteer"][0]["name"] == PERSON
    assert "feed_token_hash" not in mine["data"]["volunteer"][0]

    done = await forgotten(shifts.client, shifts.admin, PERSON)

    assert done["deleted"] == {"red_posts": 1}
    assert {"volunteer", "signups", "participations"} <= set(done["anonymised"])
    assert kinds_with_rows(await exported(shifts.client, shifts.admin, PERSON)) == set()
    roster = await shifts.db(
        "SELECT volunteer_id, hours FROM participations WHERE shift_id = $1 ORDER BY volunteer_id", shift["id"]
    )
    assert sorted(r["volunteer_id"] for r in roster) == sorted(["chen-jing", done["pseudonym"]])
    assert all(r["hours"] == 2 for r in roster)
    kept = await shifts.db("SELECT name, skills, feed_token_hash FROM volunteers WHERE id = $1", done["pseudonym"])
    assert [(r["name"], r["skills"], r["feed_token_hash"]) for r in kept] == [("", [], None)]
    assert mentions(await exported(shifts.client, shifts.admin, done["pseudonym"]), PERSON) == []
    assert (await forgotten(shifts.client, shifts.admin, PERSON))["anonymised"] == {}
