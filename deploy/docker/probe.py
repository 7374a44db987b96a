"""Container health probe: GET http://127.0.0.1:$LINLI_HTTP_PORT<path>, exit 0 on 2xx.

    python /app/deploy/docker/probe.py /readyz

The runtime image has no curl or wget; Python's standard library is enough.
"""

from __future__ import annotations

import os
import sys
import urllib.error
import urllib.request


def main() -> int:
    path = sys.argv[1] if len(sys.argv) > 1 else "/healthz"
    port = os.environ.get("LINLI_HTTP_PORT", "8081")
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=3) as response:
            return 0 if 200 <= response.status < 300 else 1
    except (urllib.error.URLError, OSError) as exc:
        print(f"{path}: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
