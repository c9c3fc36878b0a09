-- The reverse index gains resource_id as its last column. It still serves the whole reverse
-- step of lookups:
--   WHERE tenant_id = ? AND resource_type = ? AND relation = ? AND subject_type = ?
--     AND subject_relation = ? AND subject_id = ANY(?)
-- and now also its pages, which streamed lookups read one after another:
--   ... AND subject_id = ? AND (subject_id, resource_id) > (?, ?)
--   ORDER BY subject_id, resource_id LIMIT ?
-- a range scan that reads only the page's rows, already in order.
DROP INDEX relation_tuples_reverse;
CREATE INDEX relation_tuples_reverse ON relation_tuples (tenant_id, resource_type, relation,
    subject_type, subject_relation, subject_id, resource_id);
