-- Accounts and access.
--
-- Who exists, who holds which role and which tokens are live are facts in the event log (user and
-- program streams); the tables `users`, `program_members` and `api_tokens` are the "access"
-- projection of them. Secrets and short-lived state are not facts: they stay out of the log, which
-- can never be edited, so a password hash can be replaced and a session forgotten.

-- Read model (projection "access").
CREATE TABLE users (
    user_id      uuid        PRIMARY KEY,
    username     text        NOT NULL UNIQUE,
    display_name text        NOT NULL,
    admin        boolean     NOT NULL,
    active       boolean     NOT NULL,
    created_at   timestamptz NOT NULL
);

CREATE TABLE program_members (
    user_id    uuid        NOT NULL,
    program_id uuid        NOT NULL,
    role       text        NOT NULL,
    -- The nil uuid when the role is program-wide (a primary key column cannot be NULL).
    project_id uuid        NOT NULL,
    granted_at timestamptz NOT NULL,
    PRIMARY KEY (user_id, program_id, role, project_id)
);
CREATE INDEX program_members_by_program ON program_members (program_id);

CREATE TABLE api_tokens (
    token_id   uuid        PRIMARY KEY,
    user_id    uuid        NOT NULL,
    name       text        NOT NULL,
    scope      text        NOT NULL,
    program_id uuid,
    created_at timestamptz NOT NULL,
    revoked_at timestamptz
);
CREATE INDEX api_tokens_by_user ON api_tokens (user_id);

-- Secrets, written by the commands that append the matching events.
CREATE TABLE credentials (
    user_id       uuid        PRIMARY KEY,
    -- PHC string (argon2id, with its parameters and salt).
    password_hash text        NOT NULL,
    changed_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE api_token_secrets (
    token_id     uuid        PRIMARY KEY,
    -- SHA-256 of the token: tokens are 256 random bits, so a slow hash adds nothing.
    secret_hash  bytea       NOT NULL UNIQUE,
    last_used_at timestamptz
);

-- Interactive sessions (cookie), kept by the hash of their id.
CREATE TABLE sessions (
    id_hash      bytea       PRIMARY KEY,
    user_id      uuid        NOT NULL,
    csrf_token   text        NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_seen_at timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL
);
CREATE INDEX sessions_by_user ON sessions (user_id);

-- Login throttling, by the name that was typed (existing or not, so it reveals nothing).
CREATE TABLE login_failures (
    username        text        PRIMARY KEY,
    failures        integer     NOT NULL,
    last_failure_at timestamptz NOT NULL,
    locked_until    timestamptz
);
