-- The event log: the single source of truth. Append-only, hash-chained, gapless.

-- One row that every append locks. Holding it while positions are assigned and committed makes the
-- order in which appends commit the same as their position order, so a reader that has seen
-- position N can never later find an event below N -- across every backend instance.
CREATE TABLE log_head (
    id          smallint    PRIMARY KEY CHECK (id = 1),
    position    bigint      NOT NULL,
    hash        bytea       NOT NULL,
    -- Kept non-decreasing so that `recorded_at` order equals position order (as-of by instant).
    recorded_at timestamptz NOT NULL
);
INSERT INTO log_head (id, position, hash, recorded_at)
VALUES (1, 0, decode(repeat('00', 32), 'hex'), '1970-01-01 00:00:00+00');

CREATE TABLE events (
    position       bigint      PRIMARY KEY,
    event_id       uuid        NOT NULL UNIQUE,
    stream_id      uuid        NOT NULL,
    stream_type    text        NOT NULL,
    version        bigint      NOT NULL CHECK (version > 0),
    event_type     text        NOT NULL,
    schema_version integer     NOT NULL CHECK (schema_version > 0),
    program_id     uuid,
    payload        jsonb       NOT NULL,
    metadata       jsonb       NOT NULL,
    recorded_at    timestamptz NOT NULL,
    prev_hash      bytea       NOT NULL,
    hash           bytea       NOT NULL,
    UNIQUE (stream_id, version)
);
CREATE INDEX events_program_position ON events (program_id, position) WHERE program_id IS NOT NULL;
-- No index on recorded_at: it never decreases along the log, so "the position at an instant" is a
-- binary search over the primary key (read.rs), and appends pay for one index less.

-- The first step of every append batch, in one round trip: lock the head row (this orders all
-- appends of all instances), then read the current version of each stream the batch touches.
-- VOLATILE, so the second query takes a fresh snapshot after the lock was granted and sees the batch
-- that held it before us (READ COMMITTED).
CREATE FUNCTION lock_log_head(
    stream_ids uuid[],
    OUT head_position bigint, OUT head_hash bytea, OUT head_recorded_at timestamptz,
    OUT known_streams uuid[], OUT stream_types text[], OUT versions bigint[]
) LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    SELECT h.position, h.hash, h.recorded_at INTO head_position, head_hash, head_recorded_at
    FROM log_head h WHERE h.id = 1 FOR UPDATE;
    SELECT coalesce(array_agg(e.stream_id), '{}'), coalesce(array_agg(e.stream_type), '{}'),
           coalesce(array_agg(e.version), '{}')
    INTO known_streams, stream_types, versions
    FROM unnest(stream_ids) AS ids(id)
    CROSS JOIN LATERAL (SELECT ev.stream_id, ev.stream_type, ev.version FROM events ev
                        WHERE ev.stream_id = ids.id ORDER BY ev.version DESC LIMIT 1) AS e;
END
$$;

-- The database itself refuses to change history, whoever asks (owner and superusers included):
-- only disabling the trigger, which is itself a visible act and is caught by the hash chain, can.
CREATE FUNCTION refuse_event_log_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the event log is append-only: % on % is not allowed', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE TRIGGER events_refuse_update_delete
    BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION refuse_event_log_change();
CREATE TRIGGER events_refuse_truncate
    BEFORE TRUNCATE ON events
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_event_log_change();

-- Projections: how far each read model has folded the log. Written in the same transaction as the
-- read model itself, so a crash can never leave a view ahead of or behind its checkpoint.
CREATE TABLE projection_checkpoints (
    name       text        PRIMARY KEY,
    position   bigint      NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- Read model: one folded `ProgramView` per program.
CREATE TABLE program_views (
    program_id uuid        PRIMARY KEY,
    name       text        NOT NULL,
    view       jsonb       NOT NULL,
    position   bigint      NOT NULL
);
