-- Answers to commands sent with an `Idempotency-Key`, per user, kept 24 hours: a retry with the
-- same key gets the same answer and appends nothing. A row without an answer is a command that is
-- running, failed with a 5xx, or whose server died before answering: a retry runs it again, and
-- the event ids derived from the key make the store answer with the original events if they
-- landed (see backend/src/idempotency.rs).
CREATE TABLE idempotency_keys (
    user_id      uuid        NOT NULL,
    key          text        NOT NULL,
    fingerprint  bytea       NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    status       smallint,
    content_type text,
    body         bytea,
    PRIMARY KEY (user_id, key)
);
CREATE INDEX idempotency_keys_by_age ON idempotency_keys (created_at);
