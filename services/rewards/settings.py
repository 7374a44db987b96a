"""Settings of the rewards service (env prefix LINLI_, documented in services/rewards/README.md)."""

from __future__ import annotations

from pydantic import Field

from services.kernel.settings import ServiceSettings


class RewardsSettings(ServiceSettings):
    """Kernel settings plus what the love bank prints on certificates.

    - LINLI_REWARDS_CERTIFICATE_ORGANISATION: the issuing organisation (出具主体名称).
    - LINLI_REWARDS_CERTIFICATE_PERSON_IN_CHARGE: its person in charge (负责人).
    - LINLI_REWARDS_CERTIFICATE_CONTACT: the contact telephone (联系方式).
    - LINLI_REWARDS_CERTIFICATE_PREFIX: prefix of certificate numbers (证明编号).
    """

    rewards_certificate_organisation: str = Field(default="合肥市包河区包公街道美湖社区居民委员会", max_length=200)
    rewards_certificate_person_in_charge: str = Field(default="张伟", max_length=50)
    rewards_certificate_contact: str = Field(default="0551-6000 0000", max_length=50)
    rewards_certificate_prefix: str = Field(default="MHZYFW", max_length=20)
