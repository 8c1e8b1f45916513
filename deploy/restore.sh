#!/usr/bin/env bash
# Restore a backup made by deploy/backup.sh into the (empty) database DATABASE_URL names and the
# uploads folder under POVERTYPLAN_VAR_DIR. Usage: deploy/restore.sh BACKUP_FOLDER
# Stop the web, worker and beat services first; run `manage.py migrate` afterwards if the code is newer.
set -euo pipefail
source_dir="${1:?usage: restore.sh BACKUP_FOLDER}"
: "${DATABASE_URL:?DATABASE_URL must be set (postgres://…)}"
var_dir="${POVERTYPLAN_VAR_DIR:-$(dirname "$0")/../var}"
pg_restore --no-owner --no-privileges --exit-on-error --dbname="$DATABASE_URL" "$source_dir/database.dump"
if [ -f "$source_dir/media.tar.gz" ]; then
  mkdir -p "$var_dir"
  tar -C "$var_dir" -xzf "$source_dir/media.tar.gz"
fi
echo "restored $source_dir"
