"""The matrix as Markdown: `uv run --frozen python -m tests.security.render` writes docs/security-matrix.md."""

from __future__ import annotations

from pathlib import Path

from tests.security.matrix import MATRIX, PENDING
from tests.security.matrix.model import EXTRAS, ROLES, Answer, Caller, Row, grid

TARGET = Path("docs/security-matrix.md")
REPO = Path(__file__).resolve().parents[2]

HEADER = """# Authorization matrix

Generated from `tests/security/matrix/` by `uv run --frozen python -m tests.security.render`;
`tests/security/test_authorization_matrix.py` walks every cell against the six running services
and fails on any that differs, and on any route without a row.

Columns: a caller holding that one role, in Meihu; `other` is the same role from another
community (its callers reach Meihu's objects by id); `none` is no token. Cells: ✓ allowed (2xx, or a
400/409 business refusal only a permitted caller reaches), `own` allowed on the caller's own
record only, 401 no token, 403 refused, 404 not there for this caller. "other: ✓" means every
other-community caller answers as in Meihu. Named callers in the exceptions column: `neighbour`
(another resident and volunteer), `other_leader` (leads another post), `other_member` (sits on
another council), `other_agent` (the publicity agent of another building group),
`district_committee@other` (another community's committee member who also holds the district role),
`open311` / `open311@other` (an Open311 api key of Meihu / of another community).
"""


def _cell(answer: Answer) -> str:
    return answer.value


def _other(row: Row, other: list[Caller]) -> str:
    """The other-community callers, compactly: one answer for all, or the exceptions."""
    answers = [row.expected(c) for c in other]
    if len(set(answers)) == 1:
        return answers[0].value
    common = max({a.value for a in answers}, key=lambda v: sum(a.value == v for a in answers))
    rest = [f"{c.role} {a.value}" for c, a in zip(other, answers, strict=True) if a.value != common]
    return f"{common} ({', '.join(rest)})"


def _exceptions(row: Row) -> str:
    named = [f"{name} {answer.value}" for name, answer in row.cells.items() if name in EXTRAS]
    return "; ".join([*named, *([row.note] if row.note else [])])


def table(service: str, rows: list[Row]) -> str:
    callers = grid()
    same = [c for c in callers if c.sub is not None and not c.other]
    other = [c for c in callers if c.other]
    anonymous = next(c for c in callers if c.sub is None)
    head = ["route", *ROLES, "other", "none", "exceptions, notes"]
    lines = [f"## {service}", "", "| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for row in rows:
        cells = [f"`{row.method} {row.path}`", *(_cell(row.expected(c)) for c in same)]
        cells += [_other(row, other), _cell(row.expected(anonymous)), _exceptions(row)]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines)


def markdown() -> str:
    sections = [HEADER.rstrip()]
    sections += [table(service, rows) for service, rows in MATRIX.items()]
    if PENDING:
        sections.append("Not yet in the matrix: " + ", ".join(PENDING) + ".")
    routes = sum(len(rows) for rows in MATRIX.values())
    sections.append(f"{routes} routes.")
    return "\n\n".join(sections) + "\n"


def main() -> None:
    (REPO / TARGET).write_text(markdown(), encoding="utf-8")
    print(f"wrote {TARGET}")


if __name__ == "__main__":
    main()
