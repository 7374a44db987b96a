"""The 'show your identity, set an example' board (亮身份 做表率): only people who said yes are on it.

A party member (党员) or backbone volunteer (骨干志愿者) records their own consent with what the
board shows: photo, role, red post, phone and building group. The consent is the entry: when it
is withdrawn the entry is deleted, so no board answer, page or print can show it afterwards.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from contracts.enums import PostType
from services.kernel import errors
from services.kernel.privacy import mask_phone

BoardRole = Literal["party_member", "backbone_volunteer"]
ROLE_LABELS: dict[str, tuple[str, str]] = {
    "party_member": ("党员", "Party member"),
    "backbone_volunteer": ("骨干志愿者", "Backbone volunteer"),
}


class NotOnTheBoard(errors.DoesNotExist):
    def __init__(self, person_id: str) -> None:
        super().__init__(f"{person_id} has no recorded consent to the board.", detail_zh="未登记上榜同意。")


@dataclass(frozen=True)
class BoardEntry:
    """What a person agreed to show, as they gave it."""

    person_id: str
    community: str
    name: str
    photo_url: str
    role: BoardRole
    post_type: PostType
    phone: str
    building_group: int


def check_entry(entry: BoardEntry) -> None:
    if not entry.name.strip():
        raise errors.InvalidInput("The board shows a name.", detail_zh="须填写姓名。", field="name")
    if not entry.photo_url.startswith(("https://", "http://")):
        raise errors.InvalidInput("The photo is an http(s) URL.", detail_zh="照片须为网址。", field="photo_url")
    digits = entry.phone.replace("-", "").replace(" ", "")
    if not digits.isdigit() or not 7 <= len(digits) <= 15:
        raise errors.InvalidInput("The phone is 7 to 15 digits.", detail_zh="电话号码格式不正确。", field="phone")


def phone_as_seen(phone: str, community: str, reader_community: str | None) -> str:
    """A board's phone numbers are there so neighbours can reach their party members: whole for a
    signed-in reader of the board's own community (and on the page the committees print for the
    notice board), masked (139****0000) for anyone else, since the board is public on the internet."""
    return phone if reader_community == community else mask_phone(phone)
