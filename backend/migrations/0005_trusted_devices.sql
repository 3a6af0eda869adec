-- Trusted devices ("device cookies", as OWASP recommends against lockout abuse).
--
-- A browser that has signed in successfully as a user gets a long-lived random token in the
-- `tl_device` cookie; only its SHA-256 is kept here. A sign-in that presents it for the same user
-- is throttled by this row (its own failures and lock), not by the name in `login_failures`, so
-- guessing a name's password from elsewhere can lock out untrusted clients but not the user's own
-- browsers. Short-lived state, not a fact: it stays out of the log, like sessions.
CREATE TABLE trusted_devices (
    token_hash      bytea       PRIMARY KEY,
    user_id         uuid        NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    last_used_at    timestamptz NOT NULL DEFAULT now(),
    expires_at      timestamptz NOT NULL,
    failures        integer     NOT NULL DEFAULT 0,
    last_failure_at timestamptz,
    locked_until    timestamptz
);
CREATE INDEX trusted_devices_by_user ON trusted_devices (user_id, last_used_at);
