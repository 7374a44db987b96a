"""Event handlers (thin): what the deliberation service consumes."""

from __future__ import annotations

from contracts.events.issue import IssueReferred
from services.deliberation.service_layer.agenda import on_issue_referred
from services.kernel.consumer import Subscription

SUBSCRIPTIONS = [Subscription(IssueReferred, on_issue_referred)]
