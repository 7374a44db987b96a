"""The seed community is 美湖社区 ("beautiful lake"), everywhere a person or a certificate reads its name."""

from __future__ import annotations

import subprocess
from pathlib import Path

from contracts.demo import COMMUNITY_NAME
from services.deliberation.seed import COUNCILS
from services.rewards.settings import RewardsSettings

REPO = Path(__file__).resolve().parents[2]
WRONG = "梅" + "湖"  # spelt in two halves so this file is not itself a hit


def test_the_demo_community_is_named_meihu_beautiful_lake() -> None:
    assert COMMUNITY_NAME == "美湖社区"
    assert all(council["name"].startswith(COMMUNITY_NAME) for council in COUNCILS.values())


def test_certificates_are_issued_in_the_name_of_meihu_community() -> None:
    assert f"包公街道{COMMUNITY_NAME}" in RewardsSettings().rewards_certificate_organisation


def test_no_file_of_the_project_names_the_community_plum_lake() -> None:
    found = subprocess.run(
        ["git", "grep", "-n", "-I", WRONG], cwd=REPO, capture_output=True, text=True, check=False
    ).stdout
    assert found == "", f"the community is 美湖, not {WRONG}:\n{found}"
