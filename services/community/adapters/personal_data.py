"""Everything community holds about a person, and what forgetting them does to it.

Counts must not change: a sign-on, a festival support, a ballot, a participation's hours, a
yearly-report figure stay under the person's pseudonym. So do the records of what they did for
the community (announcements, initiatives, proposals, nominations, ventures, care visits) and the
micro-wishes they made or fulfilled, with their names, the family's own words and any contact
cleared. What was only theirs is deleted: the 亮身份 board entry (name, photo, phone), their
publicity-agent role, their red posts, the announcements they acknowledged.

A ballot is exported as "voted in this selection", never with its marks: a secret ballot stays
secret from the admin who exports a person's data. Nor does an export carry what the API shows
only to the committees about someone else: a claimer's export names no family (who made a wish
and in what words), a candidate's no nominator, and neither says who checked a nomination or why
it was rejected."""

from __future__ import annotations

from typing import Any

from services.kernel import holdings
from services.kernel.db import Connection
from services.kernel.holdings import Holding
from services.kernel.privacy import Forgetting

IN_ANNOUNCEMENTS = "announcement_id IN (SELECT id FROM announcements WHERE community = $1)"
IN_INITIATIVES = "initiative_id IN (SELECT id FROM initiatives WHERE community = $1)"
IN_ACTIVITIES = "activity_id IN (SELECT id FROM festival_activities WHERE community = $1)"
IN_SELECTIONS = "selection_id IN (SELECT id FROM selections WHERE community = $1)"

WISH_AS_ON_THE_BOARD = (
    "id, status, channel, public_title, public_description, building_group, claimer_kind, claimer_name, "
    "fulfil_note, photo_url, created_at, approved_at, claimed_at, fulfilled_at, confirmed_at"
)
"""A wish as its claimer sees it: the board's wording and the fulfilment, not the family's identity or words."""
NOMINATION = (
    "id, selection_id, candidate_id, candidate_name, building_group, reason, nominated_at, status, votes, winner"
)
"""A nomination without the committees' part: who nominated (to the candidate), who checked it and why not."""

HOLDINGS = (
    Holding("board_entry", "board_consents", "person_id", "delete"),
    Holding("publicity_agent", "publicity_agents", "person_id", "delete"),
    Holding("red_posts", "post_volunteers", "person_id", "delete"),
    Holding(
        "announcements_acknowledged", "announcement_acknowledgements", "person_id", "delete", scope=IN_ANNOUNCEMENTS
    ),
    Holding("announcements_published", "announcements", "published_by", "anonymise"),
    Holding("announcements_withdrawn", "announcements", "withdrawn_by", "anonymise", select="id, withdrawn_at"),
    Holding("initiatives_launched", "initiatives", "launched_by", "anonymise"),
    Holding("initiative_signatures", "initiative_signatures", "person_id", "anonymise", scope=IN_INITIATIVES),
    Holding("festivals_opened", "festivals", "opened_by", "anonymise"),
    Holding("festival_proposals", "festival_activities", "proposed_by", "anonymise"),
    Holding("festival_adoptions", "festival_activities", "adopted_by", "anonymise", select="id, title"),
    Holding("festival_supports", "festival_supports", "person_id", "anonymise", scope=IN_ACTIVITIES),
    Holding(
        "festival_signups", "festival_signups", "person_id", "anonymise", clear={"name": "''"}, scope=IN_ACTIVITIES
    ),
    Holding("selections_run", "selections", "created_by", "anonymise", select="id, title_zh, title_en, created_by"),
    Holding(
        "selections_concluded", "selections", "concluded_by", "anonymise", select="id, title_zh, title_en, concluded_by"
    ),
    Holding(
        "nominations",
        "selection_nominations",
        "candidate_id",
        "anonymise",
        clear={"candidate_name": "''"},
        scope=IN_SELECTIONS,
        select=NOMINATION,
    ),
    Holding(
        "nominations_made",
        "selection_nominations",
        "nominated_by",
        "anonymise",
        scope=IN_SELECTIONS,
        select=f"{NOMINATION}, nominated_by",
    ),
    Holding(
        "nominations_checked", "selection_nominations", "checked_by", "anonymise", scope=IN_SELECTIONS, select="id"
    ),
    # The marks follow the ballot (ON UPDATE CASCADE); they are never exported.
    Holding("ballots", "selection_ballots", "voter_id", "anonymise", scope=IN_SELECTIONS, select="selection_id"),
    Holding(
        "wishes_made",
        "wishes",
        "family_id",
        "anonymise",
        clear={"private_title": "''", "private_description": "''"},
        select=f"{WISH_AS_ON_THE_BOARD}, family_id, issue_id, private_title, private_description",
    ),
    Holding(
        "wishes_claimed",
        "wishes",
        "claimer_id",
        "anonymise",
        clear={
            "claimer_name": "CASE WHEN claimer_kind = 'unit' THEN claimer_name ELSE '' END",
            "unit_contact": "NULL",
        },
        select=f"{WISH_AS_ON_THE_BOARD}, claimer_id",
    ),
    Holding("wishes_approved", "wishes", "approved_by", "anonymise", select="id, public_title, approved_at"),
    Holding("ventures_led", "ventures", "lead_id", "anonymise"),
    Holding("ventures_decided", "ventures", "decided_by", "anonymise", select="id"),
    Holding("venture_shifts_linked", "venture_shifts", "linked_by", "anonymise"),
    Holding("participations", "participations", "volunteer_id", "anonymise"),
    Holding("love_bank_years", "love_bank_years", "person_id", "anonymise"),
    Holding("care_visits", "care_visits", "volunteer_id", "anonymise", clear={"note": "NULL"}),
    Holding("care_visits_planned", "care_visits", "planned_by", "anonymise", select="id, year, planned_at"),
    Holding("report_facts", "report_facts", "counts", "anonymise", select="figure, year, event_type"),
)


async def export(conn: Connection, community: str, person_id: str) -> dict[str, list[dict[str, Any]]]:
    return await holdings.export(conn, HOLDINGS, community, person_id)


async def forget(conn: Connection, community: str, person_id: str, alias: str) -> Forgetting:
    return await holdings.forget(conn, HOLDINGS, community, person_id, alias, Forgetting())
