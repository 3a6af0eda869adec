#!/usr/bin/env bash
# Checks that the API does what its OpenAPI document says: Schemathesis generates requests from
# /api/openapi.json (valid ones and deliberately invalid ones) against a seeded server of its own
# and fails on any server error, any response that does not match its documented schema, content
# type or headers, and any status code the document does not list.
#
# Non-interactive; exits non-zero on any failure. Starts the server on a free port with a fresh
# database (dropped at the end); takes about two minutes. Knobs: SCHEMATHESIS_MAX_EXAMPLES (per
# operation and phase), SCHEMATHESIS_SEED (fixed by default so CI runs are reproducible; set
# another to explore), SCHEMATHESIS_REPORT_DIR (a JUnit report there), CARGO (default `cargo`).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SCHEMATHESIS_VERSION=4.32.5
VENV="$HOME/.cache/throughline/venv"
MAX_EXAMPLES="${SCHEMATHESIS_MAX_EXAMPLES:-50}"
SEED="${SCHEMATHESIS_SEED:-20261130}"
CARGO="${CARGO:-cargo}"

ensure_postgres

if ! "$VENV/bin/schemathesis" --version 2>/dev/null | grep -q "version $SCHEMATHESIS_VERSION\$"; then
  log "installing schemathesis $SCHEMATHESIS_VERSION into $VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
fi

log "cargo build -p throughline-backend"
"$CARGO" build -p throughline-backend --locked
bin="$("$CARGO" metadata --format-version 1 --no-deps |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')/debug/throughline"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
db="throughline_schemathesis_$(date +%s)_$$"
base="http://127.0.0.1:$port"
work=$(mktemp -d)
admin=schemathesis-admin
password="st-$(python3 -c 'import secrets; print(secrets.token_hex(12))')"
server=
cleanup() {
  status=$?
  if [ -n "$server" ]; then
    kill "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
  fi
  psql "$DATABASE_SERVER/postgres" -qc "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null 2>&1 || true
  if [ "$status" -ne 0 ] && [ -s "$work/server.log" ]; then
    echo "--- server log (last 40 lines) ---" >&2
    tail -n 40 "$work/server.log" >&2
  fi
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT

log "seeding $db and starting the server on port $port"
export DATABASE_URL="$DATABASE_SERVER/$db" RUST_LOG=warn
"$bin" seed-demo >/dev/null
THROUGHLINE_ADMIN_PASSWORD="$password" "$bin" create-admin --username "$admin" --display-name "Schemathesis Admin" >/dev/null
THROUGHLINE_ADDR="127.0.0.1:$port" THROUGHLINE_UI_DIR="$work/no-ui" "$bin" serve >"$work/server.log" 2>&1 &
server=$!
for _ in $(seq 1 120); do
  curl -fs "$base/api/health" >/dev/null && break
  kill -0 "$server" 2>/dev/null || { echo "the server exited on start" >&2; exit 1; }
  sleep 0.5
done
curl -fs "$base/api/health" >/dev/null

# An administrator's read-write API token, made as a user would: sign in, then create it with the
# session (creating tokens needs a session and its CSRF token).
csrf=$(curl -fsS -c "$work/cookies" -H 'Content-Type: application/json' \
  -d "{\"username\":\"$admin\",\"password\":\"$password\"}" "$base/api/auth/login" |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["csrf_token"])')
token=$(curl -fsS -b "$work/cookies" -H 'Content-Type: application/json' -H "X-CSRF-Token: $csrf" \
  -d '{"name":"schemathesis","scope":"read_write"}' "$base/api/tokens" |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["secret"])')

# Every operation, every check, with these adjustments:
# - positive_data_acceptance is configured rather than excluded (schemathesis.toml below): a
#   request the schema calls valid may still be refused by the domain — an id that names nothing
#   (404), a stale `expected_version` (409), a text of only spaces, a control character, a date
#   before a milestone's start, a forum that does not exist (422) — none of which a schema can
#   express. It still fails on a 400 (the server's parser refusing what the document allows) and
#   on 5xx.
# - Integers are sent as integers (hooks.py below): JSON Schema cannot tell `2.0` from `2` (both
#   are integers to it), so Schemathesis sometimes spells an integer field as a float; serde, and
#   so this API, takes only `2` for an integer field and answers `2.0` with 400. The document
#   cannot say so, so the hook spells whole floats as integers before each request.
# - `GET /api/live` is a WebSocket: its documented handshake headers make Schemathesis open real
#   sockets (101), which an HTTP client cannot go on with; the hook closes such a connection
#   instead of reusing it for the next request (and asks for uncompressed answers, see there).
# - No operation is excluded: the run authenticates with an API token, and everything that could
#   end the run (signing out, revoking tokens, changing or resetting passwords, deactivating
#   users) needs a signed-in session, so with a token it answers 403. The token is checked again
#   after the run, so a change that let any of them through would fail here rather than turn the
#   rest of the run into 401s.
export THROUGHLINE_SCHEMATHESIS_TOKEN="$token"
cat >"$work/schemathesis.toml" <<'EOF'
# The document's `bearer` scheme: checks such as ignored_auth know what to leave out or spoil.
[auth.openapi.bearer]
bearer = "${THROUGHLINE_SCHEMATHESIS_TOKEN}"

# 101 is /api/live's success: the WebSocket opened (Schemathesis counts only 2xx-4xx as answers).
[checks.not_a_server_error]
expected-statuses = ["101", "2xx", "3xx", "4xx"]

[checks.positive_data_acceptance]
expected-statuses = ["101", "2xx", "3xx", "401", "403", "404", "409", "422", "429", "5xx"]

# The defaults, and 426: how RFC 6455 refuses a WebSocket version other than 13 (/api/live).
[checks.negative_data_rejection]
expected-statuses = ["400", "401", "403", "404", "405", "406", "409", "415", "422", "426", "428", "429", "5xx"]
EOF
BASE="$base" python3 - >>"$work/schemathesis.toml" <<'EOF'
import json, os, urllib.request

base, token = os.environ["BASE"], os.environ["THROUGHLINE_SCHEMATHESIS_TOKEN"]


def get(path):
    request = urllib.request.Request(base + path, headers={"Authorization": "Bearer " + token})
    with urllib.request.urlopen(request) as response:
        return json.load(response)


ids = {}


def collect(value):
    if isinstance(value, dict):
        for key, item in value.items():
            if key.endswith("_id") and isinstance(item, str) and len(item) == 36:
                ids.setdefault(key, set()).add(item)
            collect(item)
    elif isinstance(value, list):
        for item in value:
            collect(item)


for program in get("/api/programs"):
    program_id = program["program_id"]
    collect(get(f"/api/programs/{program_id}"))
    collect(get(f"/api/programs/{program_id}/governance"))
collect(get("/api/users"))
# Where each dictionary is tried: path and query parameters, and ids in bodies.
bindings = {
    "program_id": ["path.program_id"],
    "project_id": ["path.project_id", "query.project_id", "body.project_id"],
    "milestone_id": ["path.milestone_id", "query.milestone", "body.provider", "body.consumer",
                     "body.effects[*].milestone_id"],
    "dependency_id": ["path.dependency_id", "body.effects[*].dependency_id"],
    "forum_id": ["path.forum_id", "body.rights[*].forum_id"],
    "decision_id": ["path.decision_id", "body.effects[*].decision_id"],
    "escalation_id": ["path.escalation_id"],
    "session_id": ["path.session_id"],
    "action_id": ["path.action_id"],
    "scope_item_id": ["path.scope_item_id"],
    "user_id": ["path.user_id", "body.user_id", "body.chair", "body.members[*]",
                "body.present[*]", "body.apologies[*]"],
}
print("\n# Ids of what the seeded demo holds, tried for most id parameters so that generated")
print("# requests reach the commands and views rather than stop at 404.")
print("[parameters]")
for name, keys in bindings.items():
    if ids.get(name):
        for key in keys:
            print(f'"{key}" = {{ dictionary = "{name}", probability = 0.75 }}')
for name in bindings:
    if ids.get(name):
        print(f"\n[dictionaries.{name}]\nvalues = {json.dumps(sorted(ids[name]))}")
EOF
cat >"$work/hooks.py" <<'EOF'
import schemathesis


def _integers(value):
    if isinstance(value, float) and value.is_integer() and abs(value) <= 2**53:
        return int(value)
    if isinstance(value, dict):
        return {key: _integers(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_integers(item) for item in value]
    return value


def _close_upgraded(response, *args, **kwargs):
    # After a 101 the connection speaks WebSocket: close it rather than send the next request
    # into the socket.
    if response.status_code == 101:
        response.raw.close()
    return response


@schemathesis.hook
def before_call(context, case, kwargs):
    if isinstance(case.body, (dict, list)):
        case.body = _integers(case.body)
    kwargs["hooks"] = {"response": [_close_upgraded]}
    if case.operation.path == "/api/live":
        # Known issue, reported: a response to a request that asks for a WebSocket upgrade is
        # framed wrongly when it is compressed (actix-http writes the gzip stream without the
        # chunked framing it announces), e.g. the authentication middleware's 401. The live
        # handler's own refusals are sent uncompressed; until the middleware's are too, the
        # run asks for uncompressed answers here.
        case.headers = {**(case.headers or {}), "Accept-Encoding": "identity"}
EOF

log "schemathesis $SCHEMATHESIS_VERSION: every operation, every check, $MAX_EXAMPLES examples each (seed $SEED)"
started=$(date +%s)
# From the scratch directory: Schemathesis keeps its crash files under ./.schemathesis. One
# worker: Python 3.11's `ast.parse` is not thread-safe (Hypothesis calls it while describing
# strategies; "AST constructor recursion depth mismatch"), and with the GIL a second worker
# gains little here anyway.
(
  cd "$work"
  PYTHONPATH="$work" SCHEMATHESIS_HOOKS=hooks "$VENV/bin/schemathesis" \
    --config-file "$work/schemathesis.toml" run "$base/api/openapi.json" \
    --checks all \
    --max-examples "$MAX_EXAMPLES" \
    --seed "$SEED" \
    --generation-database none \
    --request-timeout 30 \
    --workers 1 \
    --no-color \
    ${SCHEMATHESIS_REPORT_DIR:+--report junit --report-dir "$SCHEMATHESIS_REPORT_DIR"}
)
log "schemathesis passed in $(($(date +%s) - started)) s"

# The token must still work: the run did not revoke or sign out what it ran with.
status=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" "$base/api/me")
if [ "$status" != 200 ]; then
  echo "the run's API token answers $status on /api/me after the run: something revoked it" >&2
  exit 1
fi
# A panic in a background task (a live socket, a projection) answers no request with a 500.
if grep -q 'a task panicked' "$work/server.log"; then
  echo "the server panicked during the run" >&2
  exit 1
fi
