-- A program's view is stored in parts, so the projection writes what an event changed rather
-- than the whole view: `program_views.view` keeps the head (name, objectives, scope, version,
-- position…), and each project, milestone, dependency and recent slip is a row of its own —
-- projects, milestones and dependencies keyed by their index in the view's list, slips by their
-- log position (a slip pushes one row in and the oldest out, instead of shifting every index).
CREATE TABLE program_view_parts (
    program_id uuid   NOT NULL,
    kind       text   NOT NULL CHECK (kind IN ('project', 'milestone', 'dependency', 'slip')),
    ord        bigint NOT NULL,
    body       jsonb  NOT NULL,
    PRIMARY KEY (program_id, kind, ord)
) WITH (
    -- Parts are rewritten in place all day: room on each page keeps updates HOT (no index
    -- entry, pruned without a vacuum), and vacuum comes early rather than at 20% dead rows.
    fillfactor = 50,
    autovacuum_vacuum_scale_factor = 0.02,
    autovacuum_vacuum_cost_delay = 0
);
ALTER TABLE program_views SET (fillfactor = 50, autovacuum_vacuum_scale_factor = 0.02);

INSERT INTO program_view_parts (program_id, kind, ord, body)
SELECT v.program_id, 'project', p.ord - 1, p.body
FROM program_views v, jsonb_array_elements(coalesce(v.view->'projects', '[]'::jsonb)) WITH ORDINALITY AS p(body, ord);

INSERT INTO program_view_parts (program_id, kind, ord, body)
SELECT v.program_id, 'milestone', m.ord - 1, m.body
FROM program_views v, jsonb_array_elements(coalesce(v.view->'milestones', '[]'::jsonb)) WITH ORDINALITY AS m(body, ord);

INSERT INTO program_view_parts (program_id, kind, ord, body)
SELECT v.program_id, 'dependency', d.ord - 1, d.body
FROM program_views v, jsonb_array_elements(coalesce(v.view->'dependencies', '[]'::jsonb)) WITH ORDINALITY AS d(body, ord);

INSERT INTO program_view_parts (program_id, kind, ord, body)
SELECT v.program_id, 'slip', (s.body->>'position')::bigint, s.body
FROM program_views v, jsonb_array_elements(coalesce(v.view->'slips', '[]'::jsonb)) AS s(body);

UPDATE program_views SET view = view - 'projects' - 'milestones' - 'dependencies' - 'slips';
