#!/usr/bin/env bash
# Installs Porthello as a systemd service on Debian or Ubuntu, from this checkout. Run as root:
#
#   scripts/install.sh               install (or check an installation: a second run changes nothing)
#   scripts/install.sh --upgrade     back up, install the new build, restart, roll back if unhealthy
#   scripts/install.sh --uninstall [--purge]   remove the service; --purge also deletes the data,
#                                    the configuration and the backups
#   --no-build                       use this checkout's node_modules and dist/ as they are
#
# Layout: the application in /opt/porthello, the unit in /etc/systemd/system/porthello.service,
# the settings in /etc/porthello/porthello.env (mode 0600, never overwritten), the data in
# /var/lib/porthello (systemd's StateDirectory, owned by the unit's DynamicUser), backups taken
# before upgrades in /var/backups/porthello.
#
# PORTHELLO_INSTALL_ROOT=DIR puts every one of those paths under DIR and never calls systemctl
# (tests, image builds). PORTHELLO_HEALTHZ_URL overrides the address /healthz is checked at after
# an upgrade; PORTHELLO_HEALTHZ_DEADLINE_S (default 60) is how long it may take to answer 200.
set -eu

MIN_NODE_MAJOR=20
MIN_NODE_MINOR=11
DEFAULT_HEALTHZ_DEADLINE_S=60

SRC=$(cd "$(dirname "$0")/.." && pwd)
ROOT=${PORTHELLO_INSTALL_ROOT:-}
APP=$ROOT/opt/porthello
PREVIOUS=$ROOT/opt/porthello.previous
UNIT=$ROOT/etc/systemd/system/porthello.service
CONF_DIR=$ROOT/etc/porthello
ENV_FILE=$CONF_DIR/porthello.env
STATE=$ROOT/var/lib/porthello
# DynamicUser keeps the real state directory here, behind the /var/lib/porthello symlink.
PRIVATE_STATE=$ROOT/var/lib/private/porthello
BACKUPS=$ROOT/var/backups/porthello
HEALTHZ_DEADLINE_S=${PORTHELLO_HEALTHZ_DEADLINE_S:-$DEFAULT_HEALTHZ_DEADLINE_S}

say() { printf 'porthello-install: %s\n' "$*"; }
die() { printf 'porthello-install: error: %s\n' "$*" >&2; exit 1; }

MODE=install
PURGE=no
BUILD=yes
for arg in "$@"; do
  case $arg in
    --upgrade) MODE=upgrade ;;
    --uninstall) MODE=uninstall ;;
    --purge) PURGE=yes ;;
    --no-build) BUILD=no ;;
    -h|--help) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option $arg (see --help)" ;;
  esac
done
[ "$PURGE" = no ] || [ "$MODE" = uninstall ] || die "--purge only goes with --uninstall"
case $HEALTHZ_DEADLINE_S in ''|*[!0-9]*) die "PORTHELLO_HEALTHZ_DEADLINE_S must be a number of seconds" ;; esac
[ "$(id -u)" = 0 ] || die "run me as root (sudo $0 $*)"

# systemctl only runs against the real system, and only when systemd is the running init.
if [ -n "$ROOT" ]; then
  SYSTEMD=no; SYSTEMD_WHY="install root $ROOT"
elif [ -d /run/systemd/system ]; then
  SYSTEMD=yes; SYSTEMD_WHY=
else
  SYSTEMD=no; SYSTEMD_WHY="systemd is not running on this machine"
fi
systemctl_do() {
  if [ "$SYSTEMD" = yes ]; then systemctl "$@"; else say "skipping 'systemctl $*' ($SYSTEMD_WHY)"; fi
}

CHANGES=0
changed() { CHANGES=$((CHANGES + 1)); say "$*"; }

check_node() {
  command -v node >/dev/null || die "Node.js is missing: install Node.js $MIN_NODE_MAJOR.$MIN_NODE_MINOR or later (apt-get install -y nodejs npm, or a NodeSource package)"
  version=$(node -p 'process.versions.node')
  major=${version%%.*}; rest=${version#*.}; minor=${rest%%.*}
  if [ "$major" -lt "$MIN_NODE_MAJOR" ] || { [ "$major" -eq "$MIN_NODE_MAJOR" ] && [ "$minor" -lt "$MIN_NODE_MINOR" ]; }; then
    die "Node.js $version is too old: Porthello needs $MIN_NODE_MAJOR.$MIN_NODE_MINOR or later"
  fi
  # The unit starts /usr/bin/node: another node on PATH would not be the one that runs.
  [ -n "$ROOT" ] || [ -x /usr/bin/node ] || die "the unit runs /usr/bin/node, which does not exist: link it to $(command -v node)"
}

build() {
  if [ "$BUILD" = no ]; then
    [ -f "$SRC/dist/server/main.js" ] && [ -d "$SRC/node_modules" ] || die "--no-build needs node_modules and dist/ in $SRC (npm ci && npm run build)"
    return
  fi
  say "npm ci && npm run build in $SRC"
  (cd "$SRC" && npm ci --no-audit --no-fund && npm run build) || die "the build failed (see above)"
}

# Copies what the service needs at run time into a new folder and prints its path: the build,
# the page templates, the migrations and the production dependencies (compiled addons included).
stage_app() {
  mkdir -p "$ROOT/opt"
  stage=$(mktemp -d "$ROOT/opt/.porthello-new.XXXXXX")
  (
    cd "$SRC"
    cp -a package.json package-lock.json README.md porthello.service config public "$stage/"
    mkdir -p "$stage/dist" "$stage/server/db"
    cp -a dist/server dist/scripts dist/public "$stage/dist/"
    cp -a server/db/migrations "$stage/server/db/"
    # Top-level packages the lock file does not mark dev-only.
    node -e '
      const lock = JSON.parse(require("fs").readFileSync("package-lock.json", "utf8"));
      const tops = new Set();
      for (const [path, entry] of Object.entries(lock.packages ?? {})) {
        if (!path.startsWith("node_modules/") || entry.dev === true) continue;
        const parts = path.split("/");
        tops.add(parts[1].startsWith("@") ? parts.slice(0, 3).join("/") : parts.slice(0, 2).join("/"));
      }
      // Optional packages for other platforms are in the lock but not on disk.
      const present = [...tops].filter((top) => require("fs").existsSync(top)).sort();
      process.stdout.write(present.join("\0"));
    ' | xargs -0 -r cp -a --parents -t "$stage"
  ) || { rm -rf "$stage"; die "copying the application failed"; }
  chmod 0755 "$stage"
  printf '%s\n' "$stage"
}

same_tree() { [ -d "$2" ] && diff -rq --no-dereference "$1" "$2" >/dev/null 2>&1; }

install_unit() {
  mkdir -p "$(dirname "$UNIT")"
  if [ -f "$UNIT" ] && cmp -s "$SRC/porthello.service" "$UNIT"; then return 1; fi
  install -m 0644 "$SRC/porthello.service" "$UNIT"
  changed "installed the unit $UNIT"
}

install_config() {
  if [ ! -d "$CONF_DIR" ]; then
    install -d -m 0755 "$CONF_DIR"
    changed "created $CONF_DIR"
  fi
  if [ ! -e "$ENV_FILE" ]; then
    install -m 0600 "$SRC/config/porthello.env.example" "$ENV_FILE"
    changed "wrote $ENV_FILE from the example: set PORTHELLO_PUBLIC_URL and the rest there, then systemctl restart porthello"
  elif [ "$(stat -c %a "$ENV_FILE")" != 600 ]; then
    chmod 0600 "$ENV_FILE"
    changed "made $ENV_FILE readable by root only (mode 0600): it may hold secrets"
  fi
}

enable_and_start() {
  if [ "$SYSTEMD" = no ]; then
    say "skipping systemctl daemon-reload, enable and start ($SYSTEMD_WHY)"
    return
  fi
  [ "$1" = no ] || systemctl daemon-reload
  if ! systemctl is-enabled --quiet porthello; then systemctl enable porthello; changed "enabled porthello.service"; fi
  if ! systemctl is-active --quiet porthello; then systemctl start porthello; changed "started porthello.service"; fi
}

do_install() {
  check_node
  build
  stage=$(stage_app)
  if same_tree "$stage" "$APP"; then
    rm -rf "$stage"
  elif [ -d "$APP" ]; then
    rm -rf "$stage"
    die "$APP holds another build: run $0 --upgrade to replace it (with a backup and a health check)"
  else
    mv "$stage" "$APP"
    changed "installed the application in $APP"
  fi
  unit_changed=no
  if install_unit; then unit_changed=yes; fi
  install_config
  enable_and_start "$unit_changed"
  if [ "$CHANGES" = 0 ]; then say "nothing to change: Porthello is installed and up to date"; else say "done ($CHANGES changes)"; fi
}

has_npm_script() { (cd "$1" && node -e 'process.exit(require("./package.json").scripts?.[process.argv[1]] ? 0 : 1)' "$2"); }

# Copies the data aside. With the checkout's `npm run backup` the service may keep running;
# otherwise it is stopped first so the copy is consistent. Prints how it was done.
take_backup() {
  mkdir -p "$BACKUPS"
  chmod 0700 "$BACKUPS"
  if has_npm_script "$SRC" backup; then
    say "backing up with npm run backup into $BACKUPS" >&2
    (cd "$SRC" && PORTHELLO_DATA_DIR=$STATE npm run --silent backup -- "$BACKUPS" --env-file="$ENV_FILE") >&2 || die "the backup failed: nothing was changed"
    echo npm
  else
    systemctl_do stop porthello >&2
    copy=$BACKUPS/copy-$(date -u +%Y%m%dT%H%M%SZ)
    mkdir -p "$copy"
    if [ -d "$STATE" ]; then cp -a "$STATE/." "$copy/" || die "copying $STATE failed: nothing was changed"; fi
    say "copied $STATE to $copy (service stopped)" >&2
    echo "$copy"
  fi
}

restore_backup() {
  if [ "$1" = npm ]; then
    if has_npm_script "$SRC" restore; then
      (cd "$SRC" && PORTHELLO_DATA_DIR=$STATE npm run --silent restore -- "$BACKUPS" --env-file="$ENV_FILE") || say "restoring the data failed: run npm run restore -- $BACKUPS by hand"
    else
      say "the data may have been migrated by the failed version: restore it from $BACKUPS if the old one misbehaves"
    fi
  else
    mkdir -p "$STATE"
    # -H: /var/lib/porthello is a symlink to systemd's private directory under DynamicUser.
    find -H "$STATE" -mindepth 1 -delete
    cp -a "$1/." "$STATE/"
    say "restored $STATE from $1"
  fi
  # Restored as root: give everything back to the owner of the state directory (the unit's user).
  [ ! -d "$STATE" ] || chown -R "$(stat -L -c %u:%g "$STATE")" "$STATE/"
}

# Exit status 0 when /healthz answered 200 within the deadline.
wait_healthy() {
  if [ "$SYSTEMD" = no ] && [ -z "${PORTHELLO_HEALTHZ_URL:-}" ]; then
    say "skipping the health check: nothing was restarted ($SYSTEMD_WHY); set PORTHELLO_HEALTHZ_URL to check a service you run yourself"
    return 0
  fi
  node "$APP/dist/scripts/wait-healthy.js" --env-file="$ENV_FILE" --deadline-s="$HEALTHZ_DEADLINE_S" ${PORTHELLO_HEALTHZ_URL:+--url="$PORTHELLO_HEALTHZ_URL"}
}

do_upgrade() {
  [ -d "$APP" ] || die "Porthello is not installed in $APP: run $0 without --upgrade"
  check_node
  build
  stage=$(stage_app)
  if same_tree "$stage" "$APP"; then
    rm -rf "$stage"
    say "nothing to change: $APP already holds this build"
    return
  fi
  backup=$(take_backup)
  systemctl_do stop porthello
  rm -rf "$PREVIOUS"
  mv "$APP" "$PREVIOUS"
  mv "$stage" "$APP"
  unit_changed=no
  if install_unit; then unit_changed=yes; fi
  [ "$unit_changed" = no ] || [ "$SYSTEMD" = no ] || systemctl daemon-reload
  say "installed the new build; the previous one is in $PREVIOUS; migrations run as the service starts"
  systemctl_do start porthello
  if wait_healthy; then
    say "upgraded: /healthz answers 200"
    return
  fi
  say "/healthz did not answer 200 within ${HEALTHZ_DEADLINE_S} s: rolling back"
  systemctl_do stop porthello
  rm -rf "$APP"
  mv "$PREVIOUS" "$APP"
  if [ "$unit_changed" = yes ]; then install -m 0644 "$APP/porthello.service" "$UNIT"; [ "$SYSTEMD" = no ] || systemctl daemon-reload; fi
  restore_backup "$backup"
  systemctl_do start porthello
  die "upgrade failed and was rolled back to the previous build (journalctl -u porthello says why)"
}

do_uninstall() {
  if [ -f "$UNIT" ]; then
    if [ "$SYSTEMD" = yes ]; then systemctl disable --now porthello || true; else systemctl_do disable --now porthello; fi
    rm -f "$UNIT"
    [ "$SYSTEMD" = no ] || systemctl daemon-reload
    changed "removed the unit"
  fi
  for dir in "$APP" "$PREVIOUS"; do
    if [ -e "$dir" ]; then rm -rf "$dir"; changed "removed $dir"; fi
  done
  if [ "$PURGE" = yes ]; then
    for path in "$STATE" "$PRIVATE_STATE" "$CONF_DIR" "$BACKUPS"; do
      if [ -e "$path" ] || [ -L "$path" ]; then rm -rf "$path"; changed "deleted $path"; fi
    done
  else
    say "kept the data ($STATE), the settings ($CONF_DIR) and the backups ($BACKUPS): --uninstall --purge deletes them"
  fi
  if [ "$CHANGES" = 0 ]; then say "nothing to change: Porthello is not installed"; fi
}

case $MODE in
  install) do_install ;;
  upgrade) do_upgrade ;;
  uninstall) do_uninstall ;;
esac
