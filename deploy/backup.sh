#!/usr/bin/env bash
# Back up the portal: the database (pg_dump, custom format) and the uploads folder, into one
# dated folder. Usage: deploy/backup.sh DESTINATION_FOLDER   (reads DATABASE_URL and
# POVERTYPLAN_VAR_DIR from the environment, e.g. `set -a; . /etc/povertyplan/portal.env; set +a`).
set -euo pipefail
destination="${1:?usage: backup.sh DESTINATION_FOLDER}"
: "${DATABASE_URL:?DATABASE_URL must be set (postgres://…)}"
var_dir="${POVERTYPLAN_VAR_DIR:-$(dirname "$0")/../var}"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
target="$destination/povertyplan-$stamp"
mkdir -p "$target"
pg_dump --format=custom --no-owner --no-privileges --file="$target/database.dump" "$DATABASE_URL"
if [ -d "$var_dir/media" ]; then
  tar -C "$var_dir" -czf "$target/media.tar.gz" media
fi
echo "$target"
