-- A program's view is stored in parts, so the projection writes what an event changed rather
-- than the whole view: `program_views.view` keeps everything but the milestones and
-- dependencies (the head: name, projects, objectives, scope, recent slips, position), and each
-- milestone and dependency is a row of its own, in the view's order (`ord`).
CREATE TABLE program_view_parts (
    program_id uuid    NOT NULL,
    kind       text    NOT NULL CHECK (kind IN ('milestone', 'dependency')),
    ord        integer NOT NULL,
    body       jsonb   NOT NULL,
    PRIMARY KEY (program_id, kind, ord)
);

INSERT INTO program_view_parts (program_id, kind, ord, body)
SELECT v.program_id, 'milestone', (m.ord - 1)::integer, m.body
FROM program_views v, jsonb_array_elements(coalesce(v.view->'milestones', '[]'::jsonb)) WITH ORDINALITY AS m(body, ord);

INSERT INTO program_view_parts (program_id, kind, ord, body)
SELECT v.program_id, 'dependency', (d.ord - 1)::integer, d.body
FROM program_views v, jsonb_array_elements(coalesce(v.view->'dependencies', '[]'::jsonb)) WITH ORDINALITY AS d(body, ord);

UPDATE program_views SET view = view - 'milestones' - 'dependencies';
