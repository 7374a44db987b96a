"""The Meihu demo community (美湖社区): the people every service's seed data refers to.

One list, so the intake reporter, the council member, the volunteer and the love-bank
account holder are the same person across services. Person ids are token subjects.
"""

from __future__ import annotations

from dataclasses import dataclass

COMMUNITY = "meihu"
COMMUNITY_NAME = "美湖社区"
"""Meihu, "beautiful lake" (not the plum of a similar-sounding name), of Baogong street (包公街道), Baohe district (包河区), Hefei."""
COMMUNITY_NAME_EN = "Meihu community"
BUILDING_GROUPS = (1, 2, 3, 4, 5, 6)


@dataclass(frozen=True)
class Person:
    id: str
    name: str
    roles: tuple[str, ...]
    building_group: int
    email: str
    language: str = "zh-CN"


PEOPLE: tuple[Person, ...] = (
    Person("admin", "社区管理员", ("admin", "committee"), 1, "admin@meihu.example.org"),
    Person("zhang-wei", "张伟", ("committee", "council_member", "resident"), 1, "zhangwei@meihu.example.org"),
    Person("li-na", "李娜", ("committee", "council_member", "resident"), 2, "lina@meihu.example.org"),
    Person("wang-fang", "王芳", ("resident", "volunteer", "council_member"), 3, "wangfang@meihu.example.org"),
    Person("liu-yang", "刘洋", ("resident", "volunteer", "post_leader"), 4, "liuyang@meihu.example.org"),
    Person("chen-jing", "陈静", ("resident", "volunteer", "council_member"), 5, "chenjing@meihu.example.org"),
    Person(
        "yang-min", "杨敏", ("resident", "volunteer", "post_leader", "council_member"), 6, "yangmin@meihu.example.org"
    ),
    Person("zhao-lei", "赵磊", ("resident", "volunteer"), 2, "zhaolei@meihu.example.org", "en"),
    Person(
        "huang-li",
        "黄丽",
        ("resident", "volunteer", "council_member", "publicity_agent"),
        3,
        "huangli@meihu.example.org",
    ),
    Person("zhou-qiang", "周强", ("resident", "council_member"), 4, "zhouqiang@meihu.example.org"),
    Person("wu-xia", "吴霞", ("resident", "volunteer", "publicity_agent"), 5, "wuxia@meihu.example.org"),
    Person("sun-hao", "孙浩", ("resident",), 6, "sunhao@meihu.example.org"),
)

BY_ID = {p.id: p for p in PEOPLE}

PUBLICITY_AGENTS: tuple[tuple[str, str], ...] = (
    ("huang-li", "party_group_leader"),  # 第3片区 楼栋党小组长
    ("wu-xia", "building_leader"),  # 第5片区 楼栋长
)
"""The demo people who publish for their building group (role publicity_agent), with what they are there."""
