"""Rewards: the love bank's accounts, awards, ledger, rules, prizes, redemptions, honours, certificates.

A person's records (account, statement, awards, redemptions, certificates) are read by their
holder, the committees of their community and district readers; the matrix's resident holds
them, and `neighbour` (another resident) is refused. A person id is read in the caller's own
community ("community" scope: another community's committee reads that community's account of
the same id), while awards, certificates, honours, transactions, prizes and redemptions are
objects of Meihu (404 to another community, the district reading where it audits)."""

from __future__ import annotations

from tests.security.matrix.model import E403, Row, World, infrastructure, route

SERVICE = "rewards"

STAFF = ("committee", "admin")
AUDITORS = (*STAFF, "district")
NEIGHBOUR = {"neighbour": E403}
"""Another resident may not read the resident's records."""


def _rule(w: World) -> object:
    return {"params": w["rule_params"], "reason": "矩阵核对 matrix check"}


ROWS: list[Row] = [
    *infrastructure(),
    route("GET", "/accounts/me", scope="community"),
    route(
        "GET",
        "/accounts/{person_id}",
        *AUDITORS,
        scope="community",
        own={"resident"},
        cells=NEIGHBOUR,
        note="the holder, the committees and district readers",
    ),
    route("GET", "/accounts/{person_id}/statement", *AUDITORS, scope="community", own={"resident"}, cells=NEIGHBOUR),
    route("GET", "/accounts/{person_id}/awards", *AUDITORS, scope="community", own={"resident"}, cells=NEIGHBOUR),
    route("GET", "/awards/{award_id}", *AUDITORS, gate=False, district_reads=True, own={"resident"}, cells=NEIGHBOUR),
    route(
        "POST",
        "/accounts/{person_id}/adjustments",
        "admin",
        scope="community",
        body={"points": 5, "reason": "矩阵核对 matrix check"},
        note="never one's own balance (tests/rewards)",
    ),
    route("GET", "/ledger/verify", *AUDITORS, scope="community"),
    route("GET", "/ledger/accounts", *AUDITORS, scope="community"),
    route("GET", "/ledger/transactions/{transaction_id}", *AUDITORS, district_reads=True),
    route("GET", "/ledger/corrections", *AUDITORS, scope="community"),
    route(
        "POST",
        "/ledger/transactions/{transaction_id}/reversal",
        "admin",
        body={"reason": "矩阵核对 matrix check"},
        fill={"transaction_id": "transaction_to_reverse"},
    ),
    route("GET", "/rules", scope="community"),
    route("GET", "/rules/{rule_id}/versions", scope="community"),
    route("PUT", "/rules/{rule_id}", "admin", scope="community", body=_rule),
    route("GET", "/prizes", scope="community"),
    route(
        "POST",
        "/prizes",
        *STAFF,
        scope="community",
        body={"code": "matrix-towel", "name_zh": "毛巾", "name_en": "Towel", "cost": 1, "stock": 5},
    ),
    route("POST", "/prizes/{prize_id}/stock", *STAFF, body={"add": 1}),
    route(
        "POST",
        "/redemptions",
        gate=False,
        body=lambda w: {"prize_id": w["prize_id"]},
        note="a Meihu prize: 404 to another community; 409 to a caller without the points",
    ),
    route(
        "GET",
        "/redemptions",
        *STAFF,
        scope="community",
        own={"resident"},
        query=lambda w: {"person_id": w["person_id"]},
        cells=NEIGHBOUR,
        note="anyone reads their own; the committees look up anyone's",
    ),
    route("POST", "/redemptions/{redemption_id}/fulfil", *STAFF, fill={"redemption_id": "redemption_to_fulfil"}),
    route(
        "POST",
        "/redemptions/{redemption_id}/cancel",
        *STAFF,
        gate=False,
        own={"resident"},
        body={"reason": "矩阵核对 matrix check"},
        cells=NEIGHBOUR,
    ),
    route("GET", "/honours", scope="community"),
    route(
        "POST",
        "/honours",
        "committee",
        scope="community",
        body=lambda w: {"person_id": w["person_id"], "kind": "neighbour_star", "year": w["year"]},
    ),
    route(
        "GET",
        "/honours/candidates",
        *STAFF,
        "council_member",
        scope="community",
        query=lambda w: {"kind": "neighbour_star", "year": w["year"]},
    ),
    route("GET", "/leaderboards", scope="community"),
    route(
        "POST",
        "/certificates",
        *STAFF,
        scope="community",
        body=lambda w: {"person_id": w["person_id"], "person_name": "居民", "id_number": "340104199001011234"},
    ),
    route(
        "GET",
        "/certificates",
        *AUDITORS,
        scope="community",
        own={"resident"},
        query=lambda w: {"person_id": w["person_id"]},
        cells=NEIGHBOUR,
    ),
    route(
        "GET",
        "/certificates/{certificate_id}",
        *AUDITORS,
        gate=False,
        district_reads=True,
        own={"resident"},
        cells=NEIGHBOUR,
    ),
    route(
        "GET",
        "/certificates/{certificate_id}/pdf",
        *AUDITORS,
        gate=False,
        district_reads=True,
        own={"resident"},
        cells=NEIGHBOUR,
    ),
    route(
        "GET",
        "/honours/{honour_id}/certificate.pdf",
        *AUDITORS,
        gate=False,
        district_reads=True,
        own={"resident"},
        cells=NEIGHBOUR,
    ),
]
