"""One row per scenario, and the table the runner prints and writes to RESULTS.md."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Row:
    """What a scenario proved.

    sent: events the scenario caused (or published); applied: distinct effects found
    afterwards; lost: sent events without their effect; duplicated: effects (or stream
    copies) beyond one per event; recovery: seconds from the end of the fault until every
    effect was there. `checks` are the scenario's other invariants, by name, each true or
    false; `notes` say what the numbers mean for this scenario.
    """

    scenario: str
    title: str
    sent: int = 0
    applied: int = 0
    lost: int = 0
    duplicated: int = 0
    recovery: float | None = None
    seconds: float = 0.0
    checks: dict[str, bool] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    error: str | None = None

    def check(self, name: str, ok: bool, note: str | None = None) -> bool:
        self.checks[name] = bool(ok)
        if note:
            self.notes.append(note)
        return bool(ok)

    @property
    def passed(self) -> bool:
        return self.error is None and self.lost == 0 and self.duplicated == 0 and all(self.checks.values())

    @property
    def failed_checks(self) -> list[str]:
        return [name for name, ok in self.checks.items() if not ok]


def _recovery(row: Row) -> str:
    return "-" if row.recovery is None else f"{row.recovery:.1f} s"


def table(rows: list[Row]) -> str:
    """A markdown table (also readable as plain text)."""
    head = "| # | scenario | events sent | effects applied | lost | duplicated | recovery | checks | result |"
    lines = [head, "|---|---|---:|---:|---:|---:|---:|---|---|"]
    for row in rows:
        checks = f"{sum(row.checks.values())}/{len(row.checks)}"
        result = "pass" if row.passed else "FAIL"
        lines.append(
            f"| {row.scenario} | {row.title} | {row.sent} | {row.applied} | {row.lost} | {row.duplicated} "
            f"| {_recovery(row)} | {checks} | {result} |"
        )
    return "\n".join(lines)


def details(rows: list[Row]) -> str:
    """Per scenario: its checks, notes and any error, for the log and RESULTS.md."""
    out: list[str] = []
    for row in rows:
        out.append(f"**{row.scenario}. {row.title}** ({row.seconds:.0f} s)")
        for name, ok in row.checks.items():
            out.append(f"- {'ok  ' if ok else 'FAIL'} {name}")
        out.extend(f"- note: {note}" for note in row.notes)
        if row.error:
            out.append(f"- error: {row.error}")
        out.append("")
    return "\n".join(out)
