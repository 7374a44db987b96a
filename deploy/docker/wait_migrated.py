"""Wait until a service's schema has every migration applied (a Kubernetes init container).

    python /app/deploy/docker/wait_migrated.py intake [--timeout 600]

The migrate Job applies the migrations; a pod of the new release that starts first waits
here instead of running against an old schema. `dbmate status --exit-code` answers 1 while
migrations are pending (and fails while the database or schema is not there yet), so this
polls it for the kernel's tables and the service's own, read-only: it never migrates.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time

from services.kernel.migrate import KERNEL_MIGRATIONS, SERVICES_DIR, dbmate_binary, schema_url


def pending(database_url: str, service: str) -> bool:
    url = schema_url(database_url, service)
    sets = [(KERNEL_MIGRATIONS, "kernel_migrations"), (SERVICES_DIR / service / "migrations", "schema_migrations")]
    for directory, table in sets:
        if not directory.is_dir() or not any(directory.glob("*.sql")):
            continue
        command = [dbmate_binary(), "--url", url, "--migrations-dir", str(directory), "--migrations-table", table]
        result = subprocess.run([*command, "status", "--quiet"], capture_output=True, text=True, check=False)
        if result.returncode != 0:
            return True
    return False


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("service")
    parser.add_argument("--timeout", type=float, default=600.0)
    args = parser.parse_args()
    database_url = os.environ["DATABASE_URL"]
    deadline = time.monotonic() + args.timeout
    while pending(database_url, args.service):
        if time.monotonic() > deadline:
            print(f"{args.service}: migrations still pending after {args.timeout:.0f} s", file=sys.stderr)
            return 1
        print(f"{args.service}: waiting for the migrate job", file=sys.stderr)
        time.sleep(3)
    print(f"{args.service}: schema up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
