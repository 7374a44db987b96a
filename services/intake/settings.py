"""Intake's settings (env prefix LINLI_), on top of what every service reads."""

from __future__ import annotations

from pydantic import Field

from services.kernel.settings import ServiceSettings


class IntakeSettings(ServiceSettings):
    """Settings of the intake service.

    intake_person_rate: submissions one person may make (POST /issues and Open311), a `limits` string.
    intake_address_rate: submissions from one client address, a `limits` string.
    intake_max_links: more links than this in a submission's text hold it for review as suspected spam.
    intake_auto_close_interval: seconds between sweeps that close issues resolved 7 days ago.
    intake_default_community: the community Open311 reads when no jurisdiction_id or api_key names one.
    intake_open311_public_reads: let Open311 GET requests/tokens answer without an api_key (issues are private by default).
    intake_photo_max_bytes: the largest photo accepted, in bytes (the app resizes before uploading); no more than
        the kernel's LINLI_MAX_BODY_BYTES (1 MiB) lets through.
    intake_photos_per_issue: how many photos an issue may have.
    intake_trust_forwarded_for: take the client address from X-Forwarded-For (only behind a trusted proxy).
    """

    intake_person_rate: str = "10/hour"
    intake_address_rate: str = "60/hour"
    intake_max_links: int = Field(default=2, ge=0)
    intake_auto_close_interval: float = Field(default=300.0, gt=0)
    intake_default_community: str = "meihu"
    intake_open311_public_reads: bool = False
    intake_trust_forwarded_for: bool = False
    intake_photo_max_bytes: int = Field(default=1024 * 1024, ge=1024)
    intake_photos_per_issue: int = Field(default=9, ge=1, le=50)
