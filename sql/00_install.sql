-- Installation: the extension creates its schema, roles and vocabulary, and
-- every object it creates carries a COMMENT.
CREATE EXTENSION autoxfer;

SELECT extname, extversion, n.nspname, extrelocatable
FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
WHERE extname = 'autoxfer';

SELECT rolname, rolcanlogin FROM pg_roles
WHERE rolname LIKE 'autoxfer\_%' ORDER BY rolname;

-- the vocabulary enums, in order
SELECT enum_range(NULL::autoxfer.category);
SELECT enum_range(NULL::autoxfer.mark);
SELECT enum_range(NULL::autoxfer.scenario);
SELECT enum_range(NULL::autoxfer.element);
SELECT enum_range(NULL::autoxfer.measure);
SELECT enum_range(NULL::autoxfer.exemption);
SELECT 'general'::autoxfer.category < 'core'::autoxfer.category AS ordered,
       'security_assessment'::autoxfer.measure < 'prohibited'::autoxfer.measure AS measure_ordered;

-- unknown enum words are refused with 22P02
\set VERBOSITY default
SELECT 'secret'::autoxfer.category;
SELECT 'E10'::autoxfer.exemption;

-- Every object the extension owns has a COMMENT (types, functions,
-- operators, operator classes, tables, views).  Array types and the
-- implicit row types of tables are not separate objects to document.
SELECT pg_describe_object(d.classid, d.objid, 0) AS undocumented
FROM pg_depend d
JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'autoxfer'
WHERE d.deptype = 'e'
  AND obj_description(d.objid, (SELECT relname FROM pg_class WHERE oid = d.classid)) IS NULL
  AND NOT (d.classid = 'pg_type'::regclass AND EXISTS (
        SELECT 1 FROM pg_type t WHERE t.oid = d.objid AND (t.typelem <> 0 AND t.typlen = -1 OR t.typrelid <> 0)))
ORDER BY 1;
