-- A program's folded view every N of its events (backend/src/queries/snapshots.rs), so an as-of
-- read folds from the nearest one instead of from position 0. A cache of the log: losing rows
-- only costs time. `view` is the view's JSON; PostgreSQL compresses it out of line.
CREATE TABLE program_view_snapshots (
    program_id uuid NOT NULL,
    -- The view reflects every event up to here (the program's `events`-th event).
    position bigint NOT NULL,
    events bigint NOT NULL,
    view bytea NOT NULL,
    PRIMARY KEY (program_id, position)
);
