-- Which program each stream belongs to, one row per stream, instead of a (program_id, position)
-- index entry per event: under 256 concurrent writers that index cost about a fifth of the append
-- throughput (docs/benchmarks.md). Every event of a stream belongs to the stream's program (the
-- appender refuses anything else), so a program's events are its streams' events.
CREATE TABLE streams (
    stream_id   uuid PRIMARY KEY,
    stream_type text NOT NULL,
    program_id  uuid
);
INSERT INTO streams (stream_id, stream_type, program_id)
SELECT DISTINCT ON (stream_id) stream_id, stream_type, program_id
FROM events ORDER BY stream_id, position;
CREATE INDEX streams_by_program ON streams (program_id) WHERE program_id IS NOT NULL;

-- One index serves a stream in order (versions grow with positions), its latest event, and a
-- program's events after a position (one range scan per stream of the program). Versions stay
-- gapless per stream because only the appender, holding the head lock, assigns them; `verify`
-- checks that they do.
CREATE INDEX events_stream_position ON events (stream_id, position);
ALTER TABLE events DROP CONSTRAINT events_stream_id_version_key;
DROP INDEX events_program_position;

-- As before, plus the program each known stream belongs to.
DROP FUNCTION lock_log_head(uuid[]);
CREATE FUNCTION lock_log_head(
    stream_ids uuid[],
    OUT head_position bigint, OUT head_hash bytea, OUT head_recorded_at timestamptz,
    OUT known_streams uuid[], OUT stream_types text[], OUT versions bigint[], OUT programs uuid[]
) LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    SELECT h.position, h.hash, h.recorded_at INTO head_position, head_hash, head_recorded_at
    FROM log_head h WHERE h.id = 1 FOR UPDATE;
    SELECT coalesce(array_agg(e.stream_id), '{}'), coalesce(array_agg(e.stream_type), '{}'),
           coalesce(array_agg(e.version), '{}'), coalesce(array_agg(e.program_id), '{}')
    INTO known_streams, stream_types, versions, programs
    FROM unnest(stream_ids) AS ids(id)
    CROSS JOIN LATERAL (SELECT ev.stream_id, ev.stream_type, ev.version, ev.program_id FROM events ev
                        WHERE ev.stream_id = ids.id ORDER BY ev.position DESC LIMIT 1) AS e;
END
$$;
