"""OpenAPI links of rewards: a posted adjustment -> its transaction and reversal; a prize -> its stock and
redemptions -> fulfilment or cancellation; an honour and a certificate -> their documents."""

from __future__ import annotations

from services.kernel.links import FIRST, ID, Links, from_answer

TRANSACTION = {"transaction_id": "$response.body#/transaction_id"}

LINKS = [
    from_answer(
        "POST /accounts/{person_id}/adjustments",
        TRANSACTION,
        "GET /ledger/transactions/{transaction_id}",
        "POST /ledger/transactions/{transaction_id}/reversal",
    ),
    from_answer(
        "POST /accounts/{person_id}/adjustments",
        {"person_id": "$request.path.person_id"},
        "GET /accounts/{person_id}",
        "GET /accounts/{person_id}/statement",
        "GET /accounts/{person_id}/awards",
    ),
    from_answer(
        "POST /ledger/transactions/{transaction_id}/reversal", TRANSACTION, "GET /ledger/transactions/{transaction_id}"
    ),
    from_answer("PUT /rules/{rule_id}", {"rule_id": "$response.body#/rule_id"}, "GET /rules/{rule_id}/versions"),
    from_answer(
        "GET /rules", {"rule_id": "$response.body#/0/rule_id"}, "GET /rules/{rule_id}/versions", "PUT /rules/{rule_id}"
    ),
    from_answer("GET /prizes", {"prize_id": FIRST}, "POST /prizes/{prize_id}/stock"),
    Links("GET /prizes", ["POST /redemptions"], body={"prize_id": FIRST}),
    from_answer("POST /prizes", {"prize_id": ID}, "POST /prizes/{prize_id}/stock"),
    Links("POST /prizes", ["POST /redemptions"], body={"prize_id": ID}),
    Links("POST /prizes/{prize_id}/stock", ["POST /redemptions"], body={"prize_id": ID}),
    from_answer(
        "POST /redemptions",
        {"redemption_id": ID},
        "POST /redemptions/{redemption_id}/fulfil",
        "POST /redemptions/{redemption_id}/cancel",
    ),
    from_answer("POST /redemptions", {"pickup_code": "$response.body#/pickup_code"}, "GET /redemptions"),
    from_answer("POST /honours", {"honour_id": ID}, "GET /honours/{honour_id}/certificate.pdf"),
    from_answer("POST /honours", {"person_id": "$response.body#/person_id"}, "GET /honours"),
    from_answer(
        "POST /certificates",
        {"certificate_id": ID},
        "GET /certificates/{certificate_id}",
        "GET /certificates/{certificate_id}/pdf",
    ),
]
