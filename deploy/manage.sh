#!/usr/bin/env bash
# Run a manage.py command as the service runs: same user, same environment file.
#   sudo deploy/manage.sh migrate --noinput
#   sudo deploy/manage.sh collectstatic --noinput
# MENTORING_ENV and MENTORING_USER override /etc/mentoring/env and the mentoring user.
set -euo pipefail
cd "$(dirname "$0")/.."
env_file="${MENTORING_ENV:-/etc/mentoring/env}"
run_as="${MENTORING_USER:-mentoring}"
exec sudo -u "$run_as" --preserve-env=PATH bash -c 'set -a; . "$0"; set +a; exec .venv/bin/python manage.py "$@"' "$env_file" "$@"
