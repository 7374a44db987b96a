"""The authorization matrix's vocabulary: callers, answers, and a row per route.

A row names one route (method + path template as the service's OpenAPI spells it) and who may
call it, compactly:

- `allow`: the roles that pass (None: every authenticated caller); every other role gets `deny`
  (403). `gate=True` says the refusal is made at the door, from the token's roles alone, so it is
  403 whichever community the caller comes from. `gate=False` says the route looks at the object
  first (a council's membership, a post's leaders): a caller from another community is then
  answered 404 whatever their roles, since another community's objects never answer 403.
- `scope`: "object" when the path names an object arranged in Meihu (another community's
  callers get 404, the district role reads it when `district_reads`); "community" when the route
  acts in the caller's own community (lists, creations, `/me`): another community's callers are
  simply served their own; "public" when it needs no token (health, Open311 with its api key, a
  calendar feed with its secret).
- `own`: roles that pass only because the object is the caller's own (rendered "own"); the
  matrix's resident owns what the arrange phase made for "the resident".
- "apikey" scope: an Open311 route, opened by an api key and by no token (every grid caller 403).
- `cells`: explicit exceptions, by caller name (`committee`, `resident@other`, `neighbour`...).

An answer is a class, not a status: 401 (no or invalid token), 403 (role or relation refused), 404
(not there for this caller), and ALLOWED: the request passed authorization and scoping, answered
2xx, or 400 / 409 problem details (InvalidInput, RuleBroken: a business refusal only a permitted
caller reaches, e.g. a second confirmation of the same shift). A 422 request-validation problem is
never "allowed": it means the matrix sent a malformed body, which would hide the 404 it should
prove, so such a cell fails until its body is fixed.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

ROLES = (
    "resident",
    "volunteer",
    "post_leader",
    "council_member",
    "committee",
    "admin",
    "system",
    "district",
    "publicity_agent",
)
"""The matrix's columns: one caller per role holding that role alone (and `anonymous`: no token)."""

COMMUNITY = "meihu"
OTHER = "binhu"
"""A second community on the same stack (滨湖, another of Hefei's communities)."""


class Answer(enum.Enum):
    ALLOWED = "✓"
    OWN = "own"
    UNAUTHORIZED = "401"
    FORBIDDEN = "403"
    NOT_FOUND = "404"

    @property
    def passes(self) -> bool:
        return self in (Answer.ALLOWED, Answer.OWN)


OK, OWN, E401, E403, E404 = Answer.ALLOWED, Answer.OWN, Answer.UNAUTHORIZED, Answer.FORBIDDEN, Answer.NOT_FOUND


def answer_of(status: int) -> Answer | None:
    """The class of an HTTP status, or None for one no cell may expect (422, 429, 5xx...)."""
    if 200 <= status < 300 or status in (400, 409):
        return Answer.ALLOWED
    return {401: E401, 403: E403, 404: E404}.get(status)


@dataclass(frozen=True)
class Caller:
    """Who makes a cell's request: a role's caller of Meihu or of the other community, or someone named."""

    name: str
    sub: str | None
    roles: tuple[str, ...] = ()
    community: str = COMMUNITY
    building_group: int | None = 1
    api_key: str | None = None
    """An Open311 caller: the arranged world's key it sends instead of a token."""

    @property
    def role(self) -> str | None:
        return self.roles[0] if len(self.roles) == 1 else None

    @property
    def other(self) -> bool:
        return self.community != COMMUNITY


ANONYMOUS = Caller("anonymous", None)


def grid() -> list[Caller]:
    """Every column of the matrix: each role in Meihu and in the other community, and no token."""
    same = [Caller(role, f"matrix-{role}".replace("_", "-"), (role,)) for role in ROLES]
    other = [Caller(f"{role}@other", f"binhu-{role}".replace("_", "-"), (role,), OTHER) for role in ROLES]
    return [*same, *other, ANONYMOUS]


EXTRAS = {
    "neighbour": Caller("neighbour", "matrix-neighbour", ("resident", "volunteer"), building_group=2),
    "other_leader": Caller("other_leader", "matrix-other-leader", ("post_leader",)),
    "other_member": Caller("other_member", "matrix-other-member", ("council_member",)),
    "other_agent": Caller("other_agent", "matrix-other-agent", ("publicity_agent",), building_group=2),
    "district_committee@other": Caller(
        "district_committee@other", "binhu-district-committee", ("committee", "district"), OTHER
    ),
    "open311": Caller("open311", None, api_key="open311_key"),
    "open311@other": Caller("open311@other", None, community=OTHER, api_key="open311_key_other"),
}
"""Callers of the object-level rules: another resident and volunteer (who owns nothing the
resident owns), the leader of another post, a member of another council, the publicity agent of
another building group, and a committee member of another community who also reads as the district
(what only a community's own committees read stays theirs)."""

World = Mapping[str, Any]
Body = Any | Callable[[World], Any]


@dataclass(frozen=True)
class Row:
    method: str
    path: str
    allow: frozenset[str] | None = None
    gate: bool = True
    deny: Answer = Answer.FORBIDDEN
    """The refusal of a Meihu caller without the role or relation (404 where the route speaks only of
    the caller's own record, e.g. "you are not registered as a volunteer")."""
    scope: Literal["object", "community", "public", "apikey"] = "object"
    district_reads: bool = False
    own: frozenset[str] = frozenset()
    cells: Mapping[str, Answer] = field(default_factory=dict)
    body: Body = None
    content: bytes | None = None
    content_type: str | None = None
    query: Body = None
    fill: Mapping[str, str] = field(default_factory=dict)
    """Path parameters taken from another key of the arranged world than their own name. A world
    value that is a mapping gives each caller an object of their own (by caller name, "*" for the
    rest): a removal asked by several permitted callers then removes something each time."""
    stream: bool = False
    """An endless answer (Server-Sent Events): the walk reads its status and hangs up."""
    phase: int = 0
    """0: with every other route; 1: after them (the route ends or removes what others use)."""
    note: str = ""

    @property
    def key(self) -> tuple[str, str]:
        return (self.method, self.path)

    def expected(self, caller: Caller) -> Answer:
        if caller.name in self.cells:
            return self.cells[caller.name]
        if self.scope == "public":
            return OK
        if self.scope == "apikey":
            return E403  # a bearer token opens nothing of Open311, and no key is no entry
        if caller.sub is None:
            return E401
        role = caller.role
        by_role = self.allow is None or role in self.allow
        by_own = role in self.own and not caller.other  # what was arranged belongs to Meihu's callers
        if caller.other and self.scope == "object":
            if by_role and role == "district" and self.district_reads:
                return OK
            if by_role or not self.gate:
                return E404
            return E403
        if by_role:
            return OK
        return OWN if by_own else self.deny


def roles(*names: str) -> frozenset[str]:
    unknown = set(names) - set(ROLES)
    assert not unknown, f"not a role: {unknown}"
    return frozenset(names)


def route(method: str, path: str, *allowed: str, owner_only: bool = False, **kwargs: Any) -> Row:
    """A row: `allowed` roles (none named: every authenticated caller; `owner_only`: nobody but
    the `own` roles' owner, so also `gate=False`)."""
    if "own" in kwargs:
        kwargs["own"] = roles(*kwargs["own"])
    if owner_only:
        kwargs.setdefault("gate", False)
        return Row(method, path, allow=frozenset(), **kwargs)
    return Row(method, path, allow=roles(*allowed) if allowed else None, **kwargs)


PUBLIC_PATHS = ("/healthz", "/readyz", "/metrics", "/asyncapi.json")


def infrastructure() -> list[Row]:
    """The routes every service has: health, readiness, metrics and its AsyncAPI for anyone; the audit log,
    the operators' status and a person's export and forgetting for admins; one's own export for everyone."""
    return [
        *(route("GET", path, scope="public") for path in PUBLIC_PATHS),
        route("GET", "/audit", "admin", scope="community", note="the community's own entries only"),
        route("GET", "/status", "admin", scope="community"),
        route("GET", "/people/me/export", scope="community", note="the caller's own data"),
        route("GET", "/people/{person_id}/export", "admin", scope="community", fill={"person_id": "stranger"}),
        route("POST", "/people/{person_id}/forget", "admin", scope="community", fill={"person_id": "stranger"}),
    ]
