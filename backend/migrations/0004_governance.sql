-- The escalation SLA check visits open escalations on every tick; without this it would scan
-- every stream of every kind to find them.
CREATE INDEX streams_escalations ON streams (stream_id) WHERE stream_type = 'escalation';
