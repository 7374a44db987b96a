"""Wires the love bank once: settings, components, unit of work, routers, consumed events, problem mapping."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from services.kernel.app import ServiceDefinition, create_app
from services.kernel.clock import Clock
from services.kernel.problems import UnprocessableContent
from services.rewards.domain.errors import InvalidValues
from services.rewards.entrypoints import accounts, honours, ledger, people, prizes, rules
from services.rewards.entrypoints.events import SUBSCRIPTIONS
from services.rewards.entrypoints.links import LINKS
from services.rewards.service_layer.unit_of_work import RewardsComponents, RewardsUnitOfWork
from services.rewards.settings import RewardsSettings

NAME = "rewards"
PORT = 8084
MIGRATIONS = Path(__file__).parent / "migrations"


def create(settings: RewardsSettings | None = None, *, clock: Clock | None = None) -> FastAPI:
    settings = settings or RewardsSettings()
    components = RewardsComponents()
    return create_app(
        ServiceDefinition(
            name=NAME,
            title="Linli rewards: the love bank (爱心银行)",
            description=(
                "A double-entry points ledger: awards for confirmed service hours, resolved issues and council "
                "attendance by versioned rules; prizes and redemptions; honours, leaderboards and certificates."
            ),
            settings=settings,
            components=components,
            caches=components.caches(),
            unit_of_work=RewardsUnitOfWork,
            routers=[accounts.router, ledger.router, rules.router, prizes.router, honours.router, people.router],
            subscriptions=SUBSCRIPTIONS,
            # The love bank has always answered values that do not make sense together (zero points,
            # rule parameters the engine cannot run) with 422 validation problems, as FastAPI answers a bad body.
            errors={InvalidValues: UnprocessableContent},
            clock=clock,
            links=LINKS,
        )
    )
