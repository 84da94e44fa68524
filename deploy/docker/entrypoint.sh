#!/bin/sh
# Entry points of the PZW image: `<process> [migrate]`; anything else is run as given (e.g. `python -m ...`).
set -eu
usage="usage: clients|plans|matching|notifications|reporting [migrate] | conflict-detector | gateway | <command ...>"
case "${1:---help}" in
  clients | plans | matching | notifications | reporting)
    service="$1"; shift
    exec python -m "services.$service" "$@" ;;
  gateway)
    shift
    exec python -m services.gateway "$@" ;;
  conflict-detector)
    shift
    exec python -m services.matching.conflicts "$@" ;;
  -h | --help)
    echo "$usage"; exit 0 ;;
  *)
    exec "$@" ;;
esac
