"""The volunteer-service record certificate (志愿服务记录证明) as a PDF in Chinese.

Its content follows the four parts the Ministry of Civil Affairs' volunteer-service record and
certificate rules (志愿服务记录与证明出具办法, in force 2021) require a certificate to carry:
1. the volunteer's identity: name, type and number of identity document, volunteer number;
2. the service: hours (时长) and content of the volunteer service;
3. the issuing organisation: its name, person in charge, and contact;
4. the certificate number, date of issue, and other matters to note;
plus room for the organisation's seal and the signature of the person in charge.
It is set in Noto Serif SC, embedded as a subset of the characters it prints (services/kernel/cjk_font.py), so
every reader draws it the same, with or without Chinese fonts of its own. The page is laid out
first, as text runs, so the font can be cut to those runs before anything is drawn.

`python -m services.rewards.adapters.certificate_pdf docs/certificate.png` draws a sample (needs
the dev dependencies); a path ending in .pdf gets the PDF itself.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from reportlab.lib.pagesizes import A4

from services.kernel.printed import Run, a4_pdf, sample_main
from services.rewards.settings import RewardsSettings


@dataclass(frozen=True)
class CertificateData:
    number: str
    person_name: str
    id_document: str
    id_number: str
    volunteer_no: str
    hours: Decimal
    content: list[str]
    period_from: date | None
    period_to: date | None
    organisation: str
    person_in_charge: str
    contact: str
    issued_on: date


@dataclass(frozen=True)
class HonourCertificateData:
    """An honour's certificate (荣誉证书): who, which honour, why, from whom, when."""

    number: str
    person_name: str
    title: str
    citation: str | None
    organisation: str
    issued_on: date


def render(data: CertificateData) -> bytes:
    return a4_pdf([_layout(data)], title=f"志愿服务记录证明 {data.number}", author=data.organisation)


def render_honour(data: HonourCertificateData) -> bytes:
    """The honour certificate, in the same typeface as the service certificate."""
    width, height = A4
    runs = [
        Run(width / 2, height - 110, 28, "荣誉证书", "centre"),
        Run(width - 60, height - 140, 11, f"编号：{data.number}", "right"),
        Run(80, height - 210, 14, f"{data.person_name}："),
        Run(110, height - 245, 14, "在社区建设中表现突出，荣获"),
        Run(width / 2, height - 300, 20, f"“{data.title}”", "centre"),
        Run(110, height - 350, 14, "称号，特发此证，以资鼓励。"),
    ]
    if data.citation:
        runs.append(Run(110, height - 390, 11, f"事迹：{data.citation[:60]}"))
    runs.append(Run(width - 80, 220, 13, data.organisation, "right"))
    runs.append(Run(width - 80, 195, 13, _day(data.issued_on), "right"))
    return a4_pdf([runs], title=f"荣誉证书 {data.number}", author=data.organisation)


def _layout(data: CertificateData) -> list[Run]:
    width, height = A4
    runs = [
        Run(width / 2, height - 90, 22, "志愿服务记录证明", "centre"),
        Run(width - 60, height - 120, 11, f"证明编号：{data.number}", "right"),
    ]
    y = height - 160
    period = ""
    if data.period_from or data.period_to:
        period = f"{_day(data.period_from) or '—'} 至 {_day(data.period_to) or '—'}"
    lines: list[tuple[str, str]] = [
        ("一、志愿者身份信息", ""),
        ("姓名", data.person_name),
        ("证件类型", data.id_document),
        ("证件号码", data.id_number),
        ("志愿者编号", data.volunteer_no),
        ("二、志愿服务信息", ""),
        ("服务时间", period or "全部记录"),
        ("志愿服务时长", f"{data.hours:.2f} 小时"),
        ("志愿服务内容", ""),
    ]
    for label, value in lines:
        y = _line(runs, y, label, value)
    for item in data.content or ["（暂无已确认的服务记录）"]:
        runs.append(Run(110, y, 11, f"· {item}"))
        y -= 20
    y -= 6
    for label, value in (
        ("三、出具主体信息", ""),
        ("出具单位", data.organisation),
        ("负责人", data.person_in_charge),
        ("联系方式", data.contact),
        ("四、其他", ""),
        ("出具日期", _day(data.issued_on)),
    ):
        y = _line(runs, y, label, value)
    runs.append(Run(80, y, 11, "兹证明以上志愿服务记录真实有效，时长以服务岗位负责人确认的记录为准。"))
    y -= 50
    runs.append(Run(width - 260, y, 11, "出具单位（盖章）："))
    runs.append(Run(width - 260, y - 25, 11, "负责人（签字）："))
    runs.append(Run(width - 260, y - 50, 11, _day(data.issued_on)))
    return runs


def _line(runs: list[Run], y: float, label: str, value: str) -> float:
    if not value:
        runs.append(Run(70, y, 13, label))
        return y - 22
    runs.append(Run(90, y, 11, f"{label}：{value}"))
    return y - 20


def _day(value: date | None) -> str:
    return f"{value.year}年{value.month}月{value.day}日" if value else ""


def mask_id_number(number: str) -> str:
    """Keep the first 4 and last 4 characters: enough to check, too little to misuse."""
    if len(number) <= 8:
        return "*" * len(number)
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


def sample() -> CertificateData:
    """A certificate as the rewards service issues it by default (美湖社区's residents' committee), for a made-up volunteer."""
    settings = RewardsSettings()
    return CertificateData(
        number=f"{settings.rewards_certificate_prefix}-2026-000123",
        person_name="王芳",
        id_document="居民身份证",
        id_number=mask_id_number("340104199001011234"),
        volunteer_no="MH-2024-0057",
        hours=Decimal("12.5"),
        content=["治安巡逻岗志愿服务 8.00 小时（4 次）", "垃圾分类督导岗志愿服务 4.50 小时（3 次）"],
        period_from=date(2026, 1, 1),
        period_to=date(2026, 6, 30),
        organisation=settings.rewards_certificate_organisation,
        person_in_charge=settings.rewards_certificate_person_in_charge,
        contact=settings.rewards_certificate_contact,
        issued_on=date(2026, 7, 1),
    )


if __name__ == "__main__":
    sample_main(sys.argv[1:], "services.rewards.adapters.certificate_pdf", lambda: render(sample()), dpi=150)
