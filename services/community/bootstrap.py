"""Wires the community service once: its settings, components, unit of work, routers and consumers."""

from __future__ import annotations

from fastapi import FastAPI

from services.community.entrypoints import (
    announcements,
    board,
    festival,
    initiatives,
    people,
    reports,
    selections,
    ventures,
    visits,
    wishes,
)
from services.community.entrypoints.consumers import SUBSCRIPTIONS
from services.community.entrypoints.links import LINKS
from services.community.service_layer.unit_of_work import CommunityComponents, CommunityUnitOfWork
from services.community.settings import CommunitySettings
from services.kernel.app import ServiceDefinition, create_app
from services.kernel.clock import Clock

NAME = "community"
PORT = 8086


def create(settings: CommunitySettings | None = None, *, clock: Clock | None = None) -> FastAPI:
    settings = settings or CommunitySettings()
    return create_app(
        ServiceDefinition(
            name=NAME,
            title="Linli community",
            description=(
                "Publicity and public participation (宣传、群众参与): announcements and initiatives, the "
                "亮身份 board, the neighbourhood festival, public selections, micro-wishes fulfilled, venture "
                "projects, care visits and the community's yearly report."
            ),
            settings=settings,
            components=CommunityComponents(),
            unit_of_work=CommunityUnitOfWork,
            routers=[
                announcements.router,
                initiatives.router,
                board.router,
                festival.router,
                selections.router,
                wishes.router,
                ventures.router,
                visits.router,
                reports.router,
                people.router,
            ],
            subscriptions=SUBSCRIPTIONS,
            clock=clock,
            links=LINKS,
        )
    )
