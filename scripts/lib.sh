# Shared by scripts/up.sh, scripts/test.sh and .ci/run: install what a fresh machine lacks (from
# the package registries only), and make sure PostgreSQL is running. Safe to run again: every
# step checks first and does nothing when the tool is already there at the pinned version.

set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

# Pinned tool versions. wasm-bindgen-cli must equal the `wasm-bindgen = "=…"` pin in
# frontend/Cargo.toml; trunk 0.22 needs a newer rustc than 1.95.
TRUNK_VERSION=0.21.14
WASM_BINDGEN_VERSION=$(sed -n 's/^wasm-bindgen = "=\(.*\)"/\1/p' frontend/Cargo.toml)
export PATH="$HOME/.cargo/bin:$ROOT/frontend/node_modules/.bin:$PATH"
export DATABASE_SERVER="${DATABASE_SERVER:-postgres://postgres@127.0.0.1:5432}"

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

apt_install() {
  if [ -z "${APT_UPDATED:-}" ]; then
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    APT_UPDATED=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

ensure_postgres() {
  if pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then return; fi
  if [ ! -d /etc/postgresql ] || [ -z "$(ls /etc/postgresql 2>/dev/null)" ]; then
    log "installing PostgreSQL"
    apt_install postgresql
    local version; version=$(ls /etc/postgresql | head -n1)
    # Local development and CI only: trust connections from this machine.
    sed -i 's/^\(host.*127.0.0.1\/32\s*\)\S*$/\1trust/; s/^\(local\s*all\s*postgres\s*\)\S*$/\1trust/' \
      "/etc/postgresql/$version/main/pg_hba.conf"
  fi
  log "starting PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
  for _ in $(seq 1 30); do
    pg_isready -q -h 127.0.0.1 -p 5432 && return
    sleep 1
  done
  echo "PostgreSQL did not start on 127.0.0.1:5432" >&2
  exit 1
}

ensure_frontend_tools() {
  if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
    log "adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  fi
  if ! trunk --version 2>/dev/null | grep -q "trunk $TRUNK_VERSION"; then
    log "installing trunk $TRUNK_VERSION (about 10 minutes, once)"
    cargo install trunk --version "$TRUNK_VERSION" --locked
  fi
  if ! wasm-bindgen --version 2>/dev/null | grep -q "wasm-bindgen $WASM_BINDGEN_VERSION"; then
    log "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (a few minutes, once)"
    cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
  fi
  # wasm-opt from npm's binaryen (Debian's binaryen 108 silently produces broken wasm).
  if [ ! -x frontend/node_modules/.bin/wasm-opt ]; then
    log "installing wasm-opt (npm binaryen)"
    npm ci --prefix frontend --no-audit --no-fund --loglevel=error
  fi
}

ensure_browser() {
  if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
    log "installing Debian's chromium and chromium-driver"
    apt_install chromium chromium-driver fonts-dejavu-core
  fi
  # The briefing test renders a published PDF's first page to PNG to look at it.
  if ! command -v pdftoppm >/dev/null; then
    log "installing Debian's poppler-utils (pdftoppm)"
    apt_install poppler-utils
  fi
  if [ ! -d tests/browser/node_modules/playwright-core ] || [ ! -d tests/browser/node_modules/axe-core ]; then
    log "installing the browser test driver (playwright-core, no browser download) and axe-core"
    npm ci --prefix tests/browser --no-audit --no-fund --loglevel=error
  fi
}

# Two apps, two wasm files: the program app into frontend/dist, then (a build replaces the
# whole of its dist folder) the administration app into frontend/dist/admin, served under /admin/.
build_frontend() {
  log "building the UI (trunk build --release: the program app, then the administration app)"
  trunk build --release
  # Its page is the program app's with the other binary: made here, so the two never drift.
  sed 's/data-bin="throughline-frontend"/data-bin="throughline-admin"/' frontend/index.html >frontend/admin.html
  trunk build frontend/admin.html --release --dist frontend/dist/admin --public-url /admin/
}

# Brotli and gzip copies (best ratio) of the UI's wasm, JS and CSS, made once per build and sent
# by the server to browsers that accept them (backend/src/static_assets.rs). After every
# build_frontend; $1 is the server binary.
precompress_frontend() {
  log "precompressing the UI's assets (Brotli 11, gzip 9)"
  RUST_LOG=warn "$1" precompress frontend/dist
}

# Each app's whole wasm, gzipped as a server would send it, must stay within the budget users feel
# on a cold load (docs/benchmarks.md): the program app's is the first load, the administration
# app's the load of its pages.
WASM_BUDGET_BYTES=819200
check_wasm_budget() {
  local wasm size failed=0
  for wasm in frontend/dist/*.wasm frontend/dist/admin/*.wasm; do
    size=$(gzip -9 -c "$wasm" | wc -c)
    if [ "$size" -gt "$WASM_BUDGET_BYTES" ]; then
      echo "$wasm is $size bytes gzipped: over the budget of $WASM_BUDGET_BYTES (800 KB)" >&2
      failed=1
    else
      log "wasm: $size bytes gzipped (budget $WASM_BUDGET_BYTES): $wasm"
    fi
  done
  return "$failed"
}
