-- Every shipped identification and eligibility rule of docs/rules.md, each
-- on a table of its scenario, with a row that matches and one that does not.
-- The rule code shown is the deciding rule written into the label.
SET client_min_messages = warning;
SET search_path = autoxfer, public;
CREATE FUNCTION pg_temp.show(l autoxfer.label) RETURNS text LANGUAGE sql AS $$
  SELECT autoxfer.category(l) || '/' || autoxfer.mark(l)
      || ' by ' || coalesce((SELECT r.code FROM autoxfer.rule r WHERE r.id = autoxfer.rule_id(l)), '-')
      || CASE WHEN cardinality(autoxfer.exemptions(l)) > 0
              THEN ' eligible ' || autoxfer.exemptions(l)::text ELSE '' END $$;

-- connected operations: I3 (vehicle flows), I4 (charging network), I9 (law enforcement)
CREATE TABLE ops (id int, vehicles numeric, charging boolean, police boolean);
SELECT declare_column('ops', 'vehicles', 'vehicle_count');
SELECT declare_column('ops', 'charging', 'charging_network');
SELECT declare_column('ops', 'police', 'law_enforcement');
SELECT protect('ops', 'connected_operation', subject => 'NULL::text');
INSERT INTO ops VALUES (1, 500, false, false), (2, 200000, false, false),
                       (3, 10, true, false), (4, 10, false, true);
SELECT id, pg_temp.show(xfer_label) FROM ops ORDER BY id;

-- R&D: I6 (road-test hours or vehicles), I8 (export control), E1 (collected abroad)
CREATE TABLE rd (id int, hours numeric, vehicles numeric, controlled boolean, abroad boolean);
SELECT declare_column('rd', 'hours', 'test_duration_h');
SELECT declare_column('rd', 'vehicles', 'vehicle_count');
SELECT declare_column('rd', 'controlled', 'export_controlled');
SELECT declare_column('rd', 'abroad', 'collected_abroad');
SELECT protect('rd', 'rd_design', subject => 'NULL::text');
INSERT INTO rd VALUES (1, 10, 5, false, false), (2, 5000, 5, false, false),
                      (3, 10, 500, false, false), (4, 10, 5, true, false), (5, 10, 5, false, true);
SELECT id, pg_temp.show(xfer_label) FROM rd ORDER BY id;
-- I3 is a connected-operation rule: a large fleet in R&D is I6, not I3
SELECT rule, active, reason FROM rule_status('rd') WHERE rule IN ('I3', 'I6', 'I8') ORDER BY rule;

-- software upgrades: I7 (remotely triggered safety function), E9 (SAMR filing)
CREATE TABLE ota (id int, remote boolean, safety boolean, samr text);
SELECT declare_column('ota', 'remote', 'remote_triggered');
SELECT declare_column('ota', 'safety', 'safety_function');
SELECT declare_column('ota', 'samr', 'samr_filing_ref');
SELECT protect('ota', 'software_upgrade', subject => 'NULL::text');
INSERT INTO ota VALUES (1, true, false, NULL), (2, true, true, NULL),
                       (3, true, true, 'SAMR-2027-1'), (4, false, true, NULL);
SELECT id, pg_temp.show(xfer_label) FROM ota ORDER BY id;

-- data kinds C2, C3, C5 and evidence E7, E8
CREATE TABLE reports (id int, owner_id text, health text, reactor text, miit text, incident text);
SELECT declare_column('reports', 'health', 'sensitive_personal');
SELECT declare_column('reports', 'reactor', 'core');
SELECT declare_column('reports', 'miit', 'miit_report_ref');
SELECT declare_column('reports', 'incident', 'incident_report_ref');
SELECT protect('reports', 'other', subject => 'owner_id');
INSERT INTO reports VALUES
  (1, NULL, NULL, NULL, 'MIIT-VUL-1', NULL),
  (2, 'U1', NULL, NULL, NULL, 'INC-7'),
  (3, 'U2', 'blood type', NULL, NULL, NULL),
  (4, NULL, NULL, 'design of a national grid node', NULL, NULL),
  (5, 'U3', NULL, NULL, NULL, NULL);
SELECT id, pg_temp.show(xfer_label) FROM reports ORDER BY id;

-- the most severe contribution wins, and every contribution is explained
SELECT source, rule, category, exemption FROM reports r, explain(r) e WHERE r.id = 2 ORDER BY rule;

SELECT unprotect(t) FROM unnest(ARRAY['ops', 'rd', 'ota', 'reports']::regclass[]) t;
DROP TABLE ops, rd, ota, reports;
