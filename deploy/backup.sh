#!/usr/bin/env bash
# Scheduled backup of the Citizens' Panel Toolkit's database, with rotation (docs/operations.md, "Scheduled backups").
#
# Takes a consistent copy while the server runs (citizens-panel backup), names it by the time it was taken, and keeps
# the newest backup of each of the last BACKUP_KEEP_DAYS days that have one. Anything that goes wrong stops the
# script with a message on stderr and a non-zero exit status, so a timer or cron reports it.
#
# Reads the app's own environment (DATABASE, and PUBLIC_URL in production), and:
#   BACKUP_DIR        where the backups go (default /var/backups/citizens-panel; /backups in the container)
#   BACKUP_KEEP_DAYS  how many days of daily backups to keep (default 14)
#   APP_DIR           the installed app (default: the folder above this script)
#   NODE              the node binary (default: node on the PATH)
#
# Files not named citizens-panel-<time>.db (a copy taken by hand before an upgrade, say) are never deleted.
# The key folder (KEYS_DIR) is not copied, on purpose: keep it apart from the database and its backups.

set -Eeuo pipefail
umask 077

fail() {
  echo "backup.sh: $*" >&2
  exit 1
}
trap 'fail "stopped at line $LINENO (exit status $?); no new backup was kept."' ERR

APP_DIR="${APP_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
BACKUP_DIR="${BACKUP_DIR:-/var/backups/citizens-panel}"
BACKUP_KEEP_DAYS="${BACKUP_KEEP_DAYS:-14}"
NODE="${NODE:-node}"
CLI="$APP_DIR/dist/src/cli/main.js"

[[ -n "${DATABASE:-}" ]] || fail "DATABASE is not set. Run this with the app's environment (the systemd unit's EnvironmentFile, or inside the container)."
[[ "$BACKUP_KEEP_DAYS" =~ ^[1-9][0-9]*$ ]] || fail "BACKUP_KEEP_DAYS must be a whole number of days, 1 or more, not \"$BACKUP_KEEP_DAYS\"."
[[ -f "$CLI" ]] || fail "there is no built app at $APP_DIR ($CLI is missing). Set APP_DIR to the installed app's folder."
[[ -f "$DATABASE" ]] || fail "there is no database at $DATABASE. Check DATABASE."
command -v "$NODE" >/dev/null || fail "cannot find node (\"$NODE\"). Set NODE to the node binary."

mkdir -p -- "$BACKUP_DIR" || fail "cannot create the backup folder $BACKUP_DIR."
[[ -w "$BACKUP_DIR" ]] || fail "the backup folder $BACKUP_DIR cannot be written by $(id -un)."

# One name per run, in UTC, so names sort by time and a second run on the same day never collides.
stamp="$(date -u +%Y-%m-%dT%H%M%SZ)"
name="citizens-panel-$stamp.db"
partial="$BACKUP_DIR/.partial-$name"
[[ ! -e "$BACKUP_DIR/$name" ]] || fail "$BACKUP_DIR/$name exists already (two backups in one second?). Try again in a moment."
# A copy that did not finish is never left under a backup's name.
trap 'rm -f -- "$partial"' EXIT

# citizens-panel backup copies one snapshot, checks it with SQLite's integrity check, and deletes it if the check fails.
(cd "$APP_DIR" && "$NODE" "$CLI" backup "$partial") || fail "citizens-panel backup failed (its message is above); no new backup was kept."
[[ -s "$partial" ]] || fail "citizens-panel backup wrote nothing to $partial."
mv -n -- "$partial" "$BACKUP_DIR/$name"
[[ ! -e "$partial" ]] || fail "$BACKUP_DIR/$name appeared while the copy was made; this copy was not kept."
echo "backup.sh: kept $BACKUP_DIR/$name"

# Rotation: the newest backup of each day is a daily; keep the dailies of the newest BACKUP_KEEP_DAYS days, delete
# the rest (older days, and earlier backups of a day that has a newer one).
declare -A seen=()
kept=0
deleted=0
while IFS= read -r file; do
  day="${file#citizens-panel-}"
  day="${day:0:10}"
  if [[ "$file" == "$name" || ( -z "${seen[$day]:-}" && ${#seen[@]} -lt $BACKUP_KEEP_DAYS ) ]]; then
    seen[$day]=1
    kept=$((kept + 1))
  else
    rm -f -- "$BACKUP_DIR/$file"
    deleted=$((deleted + 1))
  fi
done < <(find "$BACKUP_DIR" -maxdepth 1 -type f -name 'citizens-panel-[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9][0-9][0-9][0-9][0-9]Z.db' -printf '%f\n' | LC_ALL=C sort -r)

# Copies interrupted by a crash or a power cut, more than a day old.
find "$BACKUP_DIR" -maxdepth 1 -type f -name '.partial-citizens-panel-*.db' -mmin +1440 -delete

echo "backup.sh: $kept daily backups kept in $BACKUP_DIR (up to $BACKUP_KEEP_DAYS days), $deleted older deleted."
