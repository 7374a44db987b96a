"""The volunteer-service record certificate (志愿服务记录证明) as a PDF in Chinese.

Its content follows the four parts the Ministry of Civil Affairs' volunteer-service record and
certificate rules (志愿服务记录与证明出具办法, in force 2021) require a certificate to carry:
1. the volunteer's identity: name, type and number of identity document, volunteer number;
2. the service: hours (时长) and content of the volunteer service;
3. the issuing organisation: its name, person in charge, and contact;
4. the certificate number, date of issue, and other matters to note;
plus room for the organisation's seal and the signature of the person in charge.
The built-in CID font STSong-Light renders Chinese without shipping a font file.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))


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


def render(data: CertificateData) -> bytes:
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    pdf.setTitle(f"志愿服务记录证明 {data.number}")
    pdf.setAuthor(data.organisation)
    width, height = A4
    pdf.setFont(FONT, 22)
    pdf.drawCentredString(width / 2, height - 90, "志愿服务记录证明")
    pdf.setFont(FONT, 11)
    pdf.drawRightString(width - 60, height - 120, f"证明编号：{data.number}")
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
        y = _line(pdf, y, label, value)
    for item in data.content or ["（暂无已确认的服务记录）"]:
        pdf.drawString(110, y, f"· {item}")
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
        y = _line(pdf, y, label, value)
    pdf.drawString(80, y, "兹证明以上志愿服务记录真实有效，时长以服务岗位负责人确认的记录为准。")
    y -= 50
    pdf.drawString(width - 260, y, "出具单位（盖章）：")
    pdf.drawString(width - 260, y - 25, "负责人（签字）：")
    pdf.drawString(width - 260, y - 50, f"{_day(data.issued_on)}")
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _line(pdf: canvas.Canvas, y: float, label: str, value: str) -> float:
    if not value:
        pdf.setFont(FONT, 13)
        pdf.drawString(70, y, label)
        pdf.setFont(FONT, 11)
        return y - 22
    pdf.drawString(90, y, f"{label}：{value}")
    return y - 20


def _day(value: date | None) -> str:
    return f"{value.year}年{value.month}月{value.day}日" if value else ""


def mask_id_number(number: str) -> str:
    """Keep the first 4 and last 4 characters: enough to check, too little to misuse."""
    if len(number) <= 8:
        return "*" * len(number)
    return number[:4] + "*" * (len(number) - 8) + number[-4:]
