"""Another system receiving Linli's signed webhooks (Standard Webhooks) and verifying them.

    uv run python examples/webhook_receiver.py --secret whsec_... [--port 9000]

Register it with the notifications service (POST /subscriptions, see the README); every
delivery carries webhook-id, webhook-timestamp and webhook-signature headers, and the body
is the CloudEvent. A delivery that fails verification is refused with 400; one already seen
(same webhook-id) is acknowledged without being processed twice.
"""

from __future__ import annotations

import argparse
import json

import uvicorn
from standardwebhooks.webhooks import Webhook, WebhookVerificationError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route


def build(secret: str) -> Starlette:
    verifier = Webhook(secret)
    seen: set[str] = set()

    async def receive(request: Request) -> PlainTextResponse:
        body = await request.body()
        try:
            verifier.verify(body, dict(request.headers))
        except WebhookVerificationError as exc:
            return PlainTextResponse(f"bad signature: {exc}", status_code=400)
        delivery = request.headers["webhook-id"]
        if delivery not in seen:
            seen.add(delivery)
            event = json.loads(body)
            print(
                f"{event['type']:<34} {event['subject']}  {json.dumps(event['data'], ensure_ascii=False)[:160]}",
                flush=True,
            )
        return PlainTextResponse("ok")

    return Starlette(routes=[Route("/linli", receive, methods=["POST"])])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--secret", required=True, help="the whsec_ secret the subscription returned")
    parser.add_argument("--port", type=int, default=9000)
    args = parser.parse_args()
    uvicorn.run(build(args.secret), host="127.0.0.1", port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
