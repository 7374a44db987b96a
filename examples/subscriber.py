"""A municipal system subscribing to Linli's events straight from NATS JetStream.

    uv run python examples/subscriber.py 'linli.*.issue.>'                 # every community's issues, from now on
    uv run python examples/subscriber.py 'linli.meihu.>' --all             # one community, from the beginning
    uv run python examples/subscriber.py 'linli.*.points.>' --durable      # resumes where it stopped

Every message is a CloudEvents 1.0 JSON document (contracts/schemas/ has the JSON Schema of
each type). Keep the CloudEvent `id` to ignore a redelivered event: delivery is at least once.
NATS_URL defaults to the read-only subscriber's URL `make run` wrote in .run/stack.env (NATS_SUBSCRIBER_URL).
The bus lets a subscriber read and keep its place, never publish: its durable consumers carry its NATS user's
name (one per stream), and without --durable it reads through an ordered consumer that needs no acknowledgements.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
from pathlib import Path
from urllib.parse import urlsplit

import nats
from nats.aio.msg import Msg
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy


def nats_url() -> str:
    if os.environ.get("NATS_URL"):
        return os.environ["NATS_URL"]
    env = Path(__file__).resolve().parents[1] / ".run" / "stack.env"
    for line in env.read_text().splitlines() if env.exists() else []:
        if line.startswith("NATS_SUBSCRIBER_URL="):
            return line.split("=", 1)[1]
    return "nats://127.0.0.1:4222"


def user_of(url: str) -> str:
    """The NATS user of `url`: the name its durable consumers must carry."""
    return urlsplit(url).username or "subscriber"


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("subject", nargs="?", default="linli.*.issue.>")
    parser.add_argument("--all", action="store_true", help="start from the first stored event")
    parser.add_argument(
        "--durable", action="store_true", help="keep my place: a durable consumer named as my NATS user"
    )
    parser.add_argument("--count", type=int, default=0, help="stop after this many events (0: run forever)")
    args = parser.parse_args()

    url = nats_url()
    nc = await nats.connect(url)
    js = nc.jetstream()
    seen: set[str] = set()
    done = asyncio.Event()
    received = 0

    async def on_event(msg: Msg) -> None:
        nonlocal received
        event = json.loads(msg.data)
        if event["id"] not in seen:  # at-least-once delivery: de-duplicate by event id
            seen.add(event["id"])
            print(
                f"{event['time']}  {event['type']:<34} {msg.subject:<40} {json.dumps(event['data'], ensure_ascii=False)[:160]}"
            )
        if args.durable:
            await msg.ack()
        received += 1
        if args.count and received >= args.count:
            done.set()

    deliver = DeliverPolicy.ALL if args.all else DeliverPolicy.NEW
    if args.durable:
        config = ConsumerConfig(deliver_policy=deliver, ack_policy=AckPolicy.EXPLICIT)
        await js.subscribe(args.subject, cb=on_event, durable=user_of(url), config=config, manual_ack=True)
    else:
        config = ConsumerConfig(deliver_policy=deliver)
        await js.subscribe(args.subject, cb=on_event, ordered_consumer=True, config=config)
    where = urlsplit(url)
    print(
        f"listening on {args.subject} at {where.hostname}:{where.port} as {user_of(url)} (Ctrl-C to stop)", flush=True
    )
    try:
        await done.wait()
    finally:
        await nc.drain()


if __name__ == "__main__":
    asyncio.run(main())
