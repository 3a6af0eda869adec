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
log "starting the server (it creates and migrates $DATABASE_URL)"
exec "${CARGO_TARGET_DIR:-target}/release/throughline" serve
