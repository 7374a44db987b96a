"""`linli`: the operator's and developer's command line.

    linli token --sub alice --roles resident,volunteer [--name 王芳] [--building-group 3] [--community meihu]
    linli dlq list [--service rewards]
    linli dlq replay SEQ
    linli migrate [--service intake]
    linli backup DIR [--service rewards ...]
    linli restore DIR [--keep-consumers]     (with the services stopped; then start them)
    linli nats apply
    linli privacy export --person ID --out DIR   (one JSON per service of everything it holds about the person)
    linli privacy forget --person ID             (every service forgets the person; kept records get a pseudonym)
    linli stack            (what `make run` runs)

NATS_URL and DATABASE_URL come from the environment, else from .run/stack.env; so do the services'
URLs (INTAKE_URL, ..., COMMUNITY_URL) for `privacy`, which calls each service with LINLI_ADMIN_TOKEN
(or --token), else with an admin token of the development issuer.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys

from services.kernel.settings import RUN_DIR


def _stack_env() -> dict[str, str]:
    env: dict[str, str] = {}
    path = RUN_DIR / "stack.env"
    if path.exists():
        for line in path.read_text().splitlines():
            if "=" in line and not line.startswith("#"):
                key, value = line.split("=", 1)
                env[key.strip()] = value.strip()
    return env


def _url(name: str, default: str) -> str:
    return os.environ.get(name) or _stack_env().get(name) or default


def _nats_url() -> str:
    return _url("NATS_URL", "nats://127.0.0.1:4222")


def _database_url() -> str:
    return _url("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/linli")


def cmd_token(args: argparse.Namespace) -> int:
    from services.kernel.dev_issuer import issue_token

    roles = [r.strip() for r in ",".join(args.roles or []).split(",") if r.strip()] or ["resident"]
    token = issue_token(
        args.sub,
        roles,
        name=args.name,
        community=args.community,
        building_group=args.building_group,
        ttl_seconds=args.ttl,
    )
    print(f"# token for {args.sub} ({','.join(roles)}) in {args.community}", file=sys.stderr)
    print(token)
    return 0


async def _dlq(args: argparse.Namespace) -> int:
    import nats

    from services.kernel import dlq

    nc = await nats.connect(servers=_nats_url().split(","))
    js = nc.jetstream()
    try:
        if args.dlq_command == "list":
            letters = await dlq.list_dead_letters(js, args.service)
            if not letters:
                print("the dead-letter stream is empty")
            for letter in letters:
                print(
                    f"{letter.seq}\t{letter.time:%Y-%m-%d %H:%M:%S}\t{letter.consumer}\t{letter.original_subject}\t"
                    f"event {letter.event_id}\ttries {letter.tries}\t{letter.error}"
                )
        else:
            letter = await dlq.replay(js, args.seq)
            print(f"replayed dead letter {letter.seq} (event {letter.event_id}) to {letter.original_subject}")
    finally:
        await nc.close()
    return 0


def cmd_migrate(args: argparse.Namespace) -> int:
    from services.kernel.migrate import SERVICE_NAMES, migrate_all

    services = (args.service,) if args.service else SERVICE_NAMES
    migrate_all(_database_url(), services)
    print(f"migrated: {', '.join(services)}")
    return 0


def _postgres_tools() -> None:
    """Without LINLI_PG_BIN, a development machine uses the client tools of the embedded server
    (its own version); elsewhere they come from PATH."""
    if "LINLI_PG_BIN" in os.environ:
        return
    try:
        from services.stack.postgres import postgres_bin_dir

        os.environ["LINLI_PG_BIN"] = str(postgres_bin_dir())
    except Exception:  # no pgserver wheel (the production image): PATH
        pass


async def _backup(args: argparse.Namespace) -> int:
    from pathlib import Path

    from services.kernel.backup import backup
    from services.kernel.migrate import SERVICE_NAMES

    _postgres_tools()
    manifest = await backup(_database_url(), Path(args.directory), args.service or list(SERVICE_NAMES))
    print(f"backup of {', '.join(manifest.services)} taken at {manifest.taken_at} in {args.directory}")
    return 0


async def _restore(args: argparse.Namespace) -> int:
    from pathlib import Path

    import nats

    from services.kernel.backup import restore, rewind_consumers

    _postgres_tools()
    manifest = restore(_database_url(), Path(args.directory))
    print(f"restored {', '.join(manifest.services)} as of {manifest.taken_at}")
    if args.keep_consumers:
        return 0
    nc = await nats.connect(servers=_nats_url().split(","))
    try:
        rewound = await rewind_consumers(nc.jetstream(), manifest.services)
    finally:
        await nc.close()
    print(f"rewound {len(rewound)} durable consumers; the services replay their streams when they start")
    return 0


async def _nats_apply(_: argparse.Namespace) -> int:
    import nats

    from services.kernel.settings import ServiceSettings
    from services.kernel.topology import ensure_streams, stream_configs

    settings = ServiceSettings()
    nc = await nats.connect(servers=_nats_url().split(","))
    try:
        await ensure_streams(
            nc.jetstream(), replicas=settings.stream_replicas, duplicate_window=settings.stream_duplicate_window
        )
    finally:
        await nc.close()
    print("streams: " + ", ".join(c.name or "" for c in stream_configs()))
    return 0


def _service_urls() -> dict[str, str]:
    from services.stack.runner import SERVICES

    return {name: _url(f"{name.upper()}_URL", f"http://127.0.0.1:{port}").rstrip("/") for name, port in SERVICES}


def _admin_token(args: argparse.Namespace) -> str:
    token = args.token or os.environ.get("LINLI_ADMIN_TOKEN")
    if token:
        return str(token)
    from services.kernel.dev_issuer import issue_token

    return issue_token("linli-privacy", ["admin"], name="linli privacy", community=args.community, ttl_seconds=600)


def cmd_privacy(args: argparse.Namespace) -> int:
    """Ask every service, one after the other, for its export of a person or to forget them.

    Each service answers for itself in one transaction; one that fails is reported and the others
    still run, so the command can simply be run again (forgetting is idempotent)."""
    from pathlib import Path

    import httpx
    import orjson

    headers = {"Authorization": f"Bearer {_admin_token(args)}"}
    out = Path(args.out) if args.action == "export" else None
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
    failed = []
    with httpx.Client(timeout=60, headers=headers) as http:
        for name, url in _service_urls().items():
            try:
                if out is not None:
                    response = http.get(f"{url}/people/{args.person}/export")
                else:
                    response = http.post(f"{url}/people/{args.person}/forget")
            except httpx.HTTPError as exc:
                print(f"{name}: unreachable at {url} ({exc})", file=sys.stderr)
                failed.append(name)
                continue
            if response.status_code != 200:
                print(f"{name}: {response.status_code} {response.text[:300]}", file=sys.stderr)
                failed.append(name)
                continue
            answer = response.json()
            if out is not None:
                path = out / f"{name}.json"
                path.write_bytes(orjson.dumps(answer, option=orjson.OPT_INDENT_2) + b"\n")
                rows = sum(len(v) for v in answer["data"].values())
                print(f"{name}: {rows} records -> {path}")
            else:
                done = ", ".join(f"{k} {v}" for k, v in answer["anonymised"].items()) or "nothing"
                gone = ", ".join(f"{k} {v}" for k, v in answer["deleted"].items()) or "nothing"
                print(f"{name}: kept as {answer['pseudonym']}: {done}; deleted: {gone}")
    if failed:
        print(f"failed: {', '.join(failed)} (run the command again once they answer)", file=sys.stderr)
        return 1
    return 0


def cmd_stack(args: argparse.Namespace) -> int:
    from services.stack.runner import run_stack

    return run_stack(seed=not args.no_seed)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="linli", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)

    token = sub.add_parser("token", help="print a development bearer token")
    token.add_argument("--sub", required=True)
    token.add_argument("--roles", "--role", action="append", help="comma-separated; may repeat")
    token.add_argument("--name")
    token.add_argument("--community", default="meihu")
    token.add_argument("--building-group", type=int, choices=range(1, 7))
    token.add_argument("--ttl", type=int, default=30 * 24 * 3600, help="seconds")
    token.set_defaults(func=cmd_token)

    dlq = sub.add_parser("dlq", help="the dead-letter stream")
    dlq_sub = dlq.add_subparsers(dest="dlq_command", required=True)
    dlq_list = dlq_sub.add_parser("list")
    dlq_list.add_argument("--service")
    dlq_replay = dlq_sub.add_parser("replay")
    dlq_replay.add_argument("seq", type=int)
    dlq.set_defaults(func=lambda a: asyncio.run(_dlq(a)))

    migrate = sub.add_parser("migrate", help="apply database migrations")
    migrate.add_argument("--service")
    migrate.set_defaults(func=cmd_migrate)

    backup_cmd = sub.add_parser("backup", help="dump the services' schemas in one snapshot")
    backup_cmd.add_argument("directory", help="a new or empty directory")
    backup_cmd.add_argument("--service", action="append", help="only these services (may repeat)")
    backup_cmd.set_defaults(func=lambda args: asyncio.run(_backup(args)))

    restore_cmd = sub.add_parser("restore", help="load a backup and rewind the restored services' consumers")
    restore_cmd.add_argument("directory")
    restore_cmd.add_argument(
        "--keep-consumers", action="store_true", help="do not rewind (the streams were restored from the same moment)"
    )
    restore_cmd.set_defaults(func=lambda args: asyncio.run(_restore(args)))

    nats_cmd = sub.add_parser("nats", help="NATS topology")
    nats_cmd.add_argument("action", choices=["apply"])
    nats_cmd.set_defaults(func=lambda a: asyncio.run(_nats_apply(a)))

    privacy = sub.add_parser("privacy", help="a person's data in every service: export it, or forget the person")
    privacy.add_argument("action", choices=["export", "forget"])
    privacy.add_argument("--person", required=True, help="the person's id (their token's sub)")
    privacy.add_argument("--out", help="export: the directory for one JSON per service")
    privacy.add_argument("--community", default="meihu", help="the development admin token's community")
    privacy.add_argument("--token", help="an admin bearer token (default: LINLI_ADMIN_TOKEN, else a development one)")
    privacy.set_defaults(func=cmd_privacy)

    stack = sub.add_parser("stack", help="run the whole stack locally (make run)")
    stack.add_argument("--no-seed", action="store_true")
    stack.set_defaults(func=cmd_stack)

    args = parser.parse_args(argv)
    if args.command == "privacy" and args.action == "export" and not args.out:
        parser.error("privacy export needs --out DIR")
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
