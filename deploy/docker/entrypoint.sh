#!/bin/sh
# Container entrypoint: run a Linli service by name (argument or LINLI_SERVICE), or any command.
#   entrypoint.sh intake            -> python -m services.intake
#   LINLI_SERVICE=intake            -> the same, with no arguments
#   entrypoint.sh linli migrate     -> linli migrate
set -eu

case "${1:-}" in
  intake|deliberation|shifts|rewards|notifications|community)
    service="$1"; shift
    exec python -m "services.${service}" "$@"
    ;;
  "")
    if [ -n "${LINLI_SERVICE:-}" ]; then
      exec python -m "services.${LINLI_SERVICE}"
    fi
    echo "usage: <intake|deliberation|shifts|rewards|notifications|community> | <command...> (or set LINLI_SERVICE)" >&2
    exit 64
    ;;
  *)
    exec "$@"
    ;;
esac
