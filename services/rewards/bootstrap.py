"""Wires the love bank once: routers, consumed events, problem mapping, settings."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from services.kernel.app import ServiceDefinition, create_app
from services.kernel.settings import ServiceSettings
from services.rewards.entrypoints import accounts, honours, ledger, prizes, problems, rules
from services.rewards.entrypoints.events import SUBSCRIPTIONS
from services.rewards.settings import RewardsSettings

NAME = "rewards"
PORT = 8084
MIGRATIONS = Path(__file__).parent / "migrations"


def create(settings: ServiceSettings | None = None) -> FastAPI:
    if settings is None:
        settings = RewardsSettings()
    elif not isinstance(settings, RewardsSettings):
        settings = RewardsSettings(**settings.model_dump())
    app = create_app(
        ServiceDefinition(
            name=NAME,
            title="Linli rewards: the love bank (爱心银行)",
            description=(
                "A double-entry points ledger: awards for confirmed service hours, resolved issues and council "
                "attendance by versioned rules; prizes and redemptions; honours, leaderboards and certificates."
            ),
            routers=[accounts.router, ledger.router, rules.router, prizes.router, honours.router],
            subscriptions=SUBSCRIPTIONS,
            settings=settings,
        )
    )
    problems.install(app)
    return app
