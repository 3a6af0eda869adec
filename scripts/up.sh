#!/usr/bin/env bash
# Brings Throughline up on this machine: tools, PostgreSQL, database, built UI, server.
# Prints the URL and keeps serving until Ctrl-C.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ensure_postgres
ensure_frontend_tools
build_frontend
log "building the server (release)"
cargo build --release -p throughline-backend
export DATABASE_URL="${DATABASE_URL:-$DATABASE_SERVER/throughline}"
export THROUGHLINE_ADDR="${THROUGHLINE_ADDR:-127.0.0.1:8080}"
bin="${CARGO_TARGET_DIR:-target}/release/throughline"
precompress_frontend "$bin"
# A newcomer sees a living program at once; THROUGHLINE_DEMO=off starts empty instead. Seeded
# before anything else is in the log, its story is played over the past weeks.
if [ "${THROUGHLINE_DEMO:-on}" != "off" ]; then
  log "seeding the demo program on an empty database (THROUGHLINE_DEMO=off to skip)"
  "$bin" seed-demo --if-empty
fi
# No default password: on a database without an administrator, create the first one with a
# generated password, printed once here (THROUGHLINE_ADMIN_PASSWORD chooses it instead).
log "checking for a first administrator"
first_admin=$("$bin" create-admin --username admin --display-name "Administrator" --if-no-admin)
echo "$first_admin"
log "starting the server"
"$bin" serve &
server=$!
trap 'kill $server 2>/dev/null || true' INT TERM
for _ in $(seq 1 60); do
  curl -fs "http://$THROUGHLINE_ADDR/api/health" >/dev/null 2>&1 && break
  sleep 0.5
done
echo
echo "Throughline is running at http://$THROUGHLINE_ADDR"
case "$first_admin" in
  Created*) echo "Sign in as 'admin' with the password above (shown only this once)." ;;
  *) echo "Sign in with your account (new administrators: $bin create-admin --username NAME)." ;;
esac
wait $server
