"""A problem's own members (RFC 9457) are the kernel's; the members a refusal adds come beside them."""

from __future__ import annotations

from services.kernel.problems import Conflict


def test_a_problem_member_named_like_an_rfc_9457_member_never_replaces_it() -> None:
    problem = Conflict("Already signed up.", status="confirmed", type="mine", reason="already_signed_up")

    body = problem.body("/shifts/1/signups")

    assert (body["status"], body["type"].rsplit("/", 1)[-1], body["reason"]) == (409, "conflict", "already_signed_up")
