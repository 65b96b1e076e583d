-- autoxfer demo: run by `make demo` in a throwaway cluster.
\set ECHO queries
\pset footer off
CREATE EXTENSION autoxfer;
SET search_path = autoxfer, public;

-- The vocabulary of the rules, as types.
SELECT enum_range(NULL::category) AS categories;
SELECT enum_range(NULL::measure) AS measures;

-- A row label: category, write-time mark, scenario, matched elements,
-- exemptions the row is eligible for, the deciding rule and generation.
SELECT 'important/conditional scenario=software_upgrade elements={system_function} exemptions={ota_source_filed} rule=7'::label AS label;

-- Labels sort by severity, so "the worst thing in this table" is max().
SELECT l AS label, category(l), mark(l)
FROM (VALUES ('personal/conditional scenario=connected_operation'::label),
             ('general/exportable'),
             ('core/blocked'),
             ('sensitive_personal/blocked elements={personal_information}'),
             ('important/blocked scenario=driving_automation elements={geographic_information,scale_accuracy}')) v(l)
ORDER BY l DESC;

-- The type refuses what the rules forbid: core data is never exportable.
\set ON_ERROR_STOP 0
SELECT 'core/exportable'::label;
\set ON_ERROR_STOP 1
