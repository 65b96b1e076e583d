-- autoxfer install script, part 40: the declaration catalogue.
--
-- What a table holds is kept in catalog tables of the extension, dumped by
-- pg_dump (pg_extension_config_dump).  The C trigger reads them once per
-- table and backend and caches the compiled result (src/cache.c); every
-- change to them bumps the rule-set generation of the protected tables and
-- invalidates those caches in every backend (autoxfer._catalog_changed).

-- The kinds a column can be declared as: data kinds say what the column's
-- value is (a non-NULL value contributes its category directly); attribute
-- kinds name the vocabulary that rule predicates are written in.
CREATE TABLE autoxfer.attribute_kind (
	name		text PRIMARY KEY,
	kind_class	text NOT NULL CHECK (kind_class IN ('data', 'attribute')),
	type_class	text NOT NULL CHECK (type_class IN ('any', 'boolean', 'numeric')),
	meaning		text NOT NULL
);
COMMENT ON TABLE autoxfer.attribute_kind IS
	'Kinds a column can be declared as (autoxfer.declare_column): data kinds (subject, personal, sensitive_personal, core) and the attribute vocabulary of rule predicates, with the type class a column of that kind must have';

INSERT INTO autoxfer.attribute_kind VALUES
	('subject', 'data', 'any', 'identifies the individual the row is about (VIN linked to an owner, account, phone): a non-NULL value makes the row personal (rule C2)'),
	('personal', 'data', 'any', 'personal information of an identifiable person: a non-NULL value makes the row personal (rule C2)'),
	('sensitive_personal', 'data', 'any', 'sensitive personal information (PIPL Art. 28: biometrics, health, financial accounts, in-cabin audio or video, PI of a minor): a non-NULL value makes the row sensitive_personal (rule C3)'),
	('core', 'data', 'any', 'core data bearing on national security or the lifelines of the economy: a non-NULL value makes the row core, never exported (rule C5)'),
	('latitude', 'attribute', 'numeric', 'latitude of the location the row describes, in degrees'),
	('longitude', 'attribute', 'numeric', 'longitude of the location the row describes, in degrees'),
	('faces_visible', 'attribute', 'boolean', 'exterior or in-cabin image or video in which human faces are visible'),
	('plates_visible', 'attribute', 'boolean', 'exterior image or video in which licence plates are visible'),
	('anonymised', 'attribute', 'boolean', 'faces, plates and road signs of the image or video have been anonymised'),
	('map_precision_m', 'attribute', 'numeric', 'precision of survey or map data, in metres (smaller is more precise)'),
	('point_cloud', 'attribute', 'boolean', 'the row holds lidar point-cloud survey data'),
	('hd_map', 'attribute', 'boolean', 'the row holds a high-definition map tile'),
	('vehicle_count', 'attribute', 'numeric', 'number of vehicles the row''s data covers (flows, logistics, road tests)'),
	('test_duration_h', 'attribute', 'numeric', 'cumulative road-test or training duration the row''s data covers, in hours'),
	('charging_network', 'attribute', 'boolean', 'the row holds operating data of the charging network'),
	('remote_triggered', 'attribute', 'boolean', 'OTA code that is triggered remotely'),
	('safety_function', 'attribute', 'boolean', 'OTA code touching a safety function (start, power, emergency braking, cruise, lane keeping, charge control, battery thermal control)'),
	('export_controlled', 'attribute', 'boolean', 'technical data that is an export-controlled item'),
	('law_enforcement', 'attribute', 'boolean', 'data for or about public-security law enforcement'),
	('road_test_survey', 'attribute', 'boolean', 'surveying and mapping data collected in autonomous-driving road tests (rule P3: never exported to foreign recipients)'),
	('dataset_subjects', 'attribute', 'numeric', 'number of individuals whose personal information the data set of the row holds (rule I10)'),
	('collected_abroad', 'attribute', 'boolean', 'data collected and generated abroad (exemption E1 evidence)'),
	('miit_report_ref', 'attribute', 'any', 'reference of the report of a security vulnerability to MIIT (exemption E7 evidence)'),
	('incident_report_ref', 'attribute', 'any', 'reference of the report of a security incident to the competent authority (exemption E8 evidence)'),
	('samr_filing_ref', 'attribute', 'any', 'SAMR filing number of the OTA package''s source code (exemption E9 evidence)');

-- The protected tables.
CREATE TABLE autoxfer.protected_table (
	rel			regclass PRIMARY KEY,
	scenario	autoxfer.scenario NOT NULL,
	subject		text CHECK (pg_catalog.length(subject) BETWEEN 1 AND 10000),
	label_column name NOT NULL,
	generation	integer NOT NULL DEFAULT 1 CHECK (generation BETWEEN 1 AND 1048575),
	protected_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	valid_since	timestamptz,
	stale_after	timestamptz
);
COMMENT ON TABLE autoxfer.protected_table IS
	'Tables protected by autoxfer (autoxfer.protect): scenario, subject expression, label column and current rule-set generation; written only by autoxfer''s own functions';
COMMENT ON COLUMN autoxfer.protected_table.valid_since IS
	'For a table that declares a location: the last instant a sensitive area came into or went out of force before the generation began; a transaction that began earlier classifies rows with another state of the areas, and may not label with this generation. NULL: no such boundary';
COMMENT ON COLUMN autoxfer.protected_table.stale_after IS
	'For a table that declares a location: the next instant a sensitive area comes into or goes out of force after the generation began; from then on the generation is expired (autoxfer.generation_current returns NULL) until a writer renews it. NULL: no such boundary';

-- Column declarations.  attnum follows renames (the event trigger keeps
-- attname in step); attname is what a dump restores by.
CREATE TABLE autoxfer.declaration (
	rel			regclass NOT NULL,
	attname		name NOT NULL,
	kind		text NOT NULL REFERENCES autoxfer.attribute_kind (name),
	attnum		smallint NOT NULL,
	PRIMARY KEY (rel, attname, kind)
);
CREATE UNIQUE INDEX declaration_one_attribute ON autoxfer.declaration (rel, kind)
	WHERE kind NOT IN ('subject', 'personal', 'sensitive_personal', 'core');
COMMENT ON TABLE autoxfer.declaration IS
	'What the columns of tables hold (autoxfer.declare_column): a data kind or a vocabulary attribute; at most one column per attribute kind and table';

-- Numbers used by rule predicates, as param.NAME.
CREATE TABLE autoxfer.parameter (
	name		text PRIMARY KEY CHECK (name ~ '^[a-z][a-z0-9_]{0,62}$'),
	value		numeric NOT NULL,
	unit		text,
	clause		text NOT NULL,
	shipped		boolean NOT NULL DEFAULT false
);
COMMENT ON TABLE autoxfer.parameter IS
	'Numbers of the rules (thresholds, precisions), referenced from predicates as param.NAME and inlined when a table''s rules are compiled';

INSERT INTO autoxfer.parameter (name, value, unit, clause, shipped) VALUES
	('i2_precision_m', 50, 'm', 'I2: survey or map data more precise than public maps (2021 Several Provisions Art. 3(1); 2026 Guidelines, geographic information and scale accuracy)', true),
	('i3_vehicle_count', 100000, 'vehicles', 'I3: vehicle flow or logistics data reflecting economic operation over more than N vehicles (2026 Guidelines, connected-vehicle operations)', true),
	('i6_test_hours', 1000, 'h', 'I6: road-test or training data beyond N hours (2026 Guidelines, driving automation, cumulative duration)', true),
	('i6_test_vehicles', 100, 'vehicles', 'I6: road-test or training data beyond N vehicles (2026 Guidelines, driving automation, vehicle quantity)', true),
	('i10_subjects', 100000, 'individuals', 'I10: personal information of more than N individuals in one data set (2021 Several Provisions Art. 3(6))', true);

-- The rule catalogue.
CREATE SEQUENCE autoxfer.rule_id_seq START 1000 MINVALUE 1000 MAXVALUE 65535;
COMMENT ON SEQUENCE autoxfer.rule_id_seq IS 'Ids of rules added by the DBA (1000 and up; shipped rules use lower ids)';

CREATE TABLE autoxfer.rule (
	id			integer PRIMARY KEY DEFAULT pg_catalog.nextval('autoxfer.rule_id_seq')
				CHECK (id BETWEEN 1 AND 65535),
	code		text NOT NULL UNIQUE CHECK (code ~ '^[A-Za-z][A-Za-z0-9_.-]{0,31}$'),
	scenarios	autoxfer.scenario[] CHECK (scenarios IS NULL OR (pg_catalog.cardinality(scenarios) > 0 AND pg_catalog.array_position(scenarios, NULL) IS NULL)),
	elements	autoxfer.element[] NOT NULL DEFAULT '{}' CHECK (pg_catalog.array_position(elements, NULL) IS NULL),
	predicate	text CHECK (pg_catalog.length(predicate) BETWEEN 1 AND 10000),
	data_kind	text CHECK (data_kind IN ('subject', 'personal', 'sensitive_personal', 'core')),
	rel			regclass,
	category	autoxfer.category CHECK (category <> 'general'),
	exemption	autoxfer.exemption,
	clause		text NOT NULL,
	enabled		boolean NOT NULL DEFAULT true,
	shipped		boolean NOT NULL DEFAULT false,
	prohibits	boolean NOT NULL DEFAULT false,
	CHECK ((predicate IS NULL) <> (data_kind IS NULL)),
	CHECK (NOT prohibits OR (category IS NOT NULL AND data_kind IS NULL)),
	CHECK (category IS NOT NULL OR exemption IS NOT NULL),
	CHECK (data_kind IS NULL OR (rel IS NULL AND exemption IS NULL AND shipped))
);
COMMENT ON TABLE autoxfer.rule IS
	'Rule catalogue: a boolean predicate over the attribute vocabulary (or, with rel, over one table''s columns) that gives a category and/or makes the row eligible for an exemption, with its elements and clause; data_kind rows are the built-in rules of declared data kinds; prohibits marks a rule whose rows are never exported (P3)';
COMMENT ON COLUMN autoxfer.rule.prohibits IS
	'A row this rule matches is never exported, whatever filings exist (rule P3); the rule becomes the row''s deciding rule';

-- Declaration rules: contributions of declared data kinds.
INSERT INTO autoxfer.rule (id, code, data_kind, category, clause, shipped) VALUES
	(102, 'C2', 'personal', 'personal', 'C2: personal information of an identifiable person (PIPL Art. 4): a non-NULL subject or personal column', true),
	(103, 'C3', 'sensitive_personal', 'sensitive_personal', 'C3: sensitive personal information (PIPL Art. 28): a non-NULL sensitive_personal column', true),
	(105, 'C5', 'core', 'core', 'C5: core data (Data Security Law Art. 21): a non-NULL core column; never exported', true);

-- Predicate rules shipped with the extension (RULES.md sections 2, 4, 5).
-- I1 (sensitive areas) is added by a later part, with the area function.
INSERT INTO autoxfer.rule (id, code, scenarios, elements, predicate, category, exemption, clause, enabled, shipped) VALUES
	(104, 'C3L', NULL, '{}',
	 'subject IS NOT NULL AND latitude IS NOT NULL AND longitude IS NOT NULL',
	 'sensitive_personal', NULL,
	 'C3: precise location and whereabouts of an identifiable person are sensitive personal information (PIPL Art. 28; 2021 Several Provisions Art. 3)', true, true),
	(2, 'I2', '{driving_automation,rd_design}', '{geographic_information,scale_accuracy}',
	 'map_precision_m < param.i2_precision_m OR point_cloud OR hd_map',
	 'important', NULL,
	 'I2: survey and map-building data (point clouds, HD map tiles) more precise than public maps (2026 Guidelines; 2021 Several Provisions Art. 3(1))', true, true),
	(3, 'I3', '{connected_operation}', '{vehicle_quantity,result}',
	 'vehicle_count > param.i3_vehicle_count',
	 'important', NULL,
	 'I3: vehicle flow and logistics data reflecting economic operation (2026 Guidelines, connected-vehicle operations; 2021 Several Provisions Art. 3(3))', true, true),
	(4, 'I4', '{connected_operation}', '{system_function}',
	 'charging_network',
	 'important', NULL,
	 'I4: operating data of the charging network (2026 Guidelines; 2021 Several Provisions Art. 3(4))', true, true),
	(5, 'I5', '{driving_automation,connected_operation}', '{personal_information}',
	 '(faces_visible OR plates_visible) AND anonymised IS NOT TRUE',
	 'important', NULL,
	 'I5: exterior video and images containing faces or licence plates, not anonymised (2026 Guidelines; 2021 Several Provisions Art. 3(5))', true, true),
	(6, 'I6', '{driving_automation,rd_design}', '{cumulative_duration,vehicle_quantity}',
	 'test_duration_h > param.i6_test_hours OR vehicle_count > param.i6_test_vehicles',
	 'important', NULL,
	 'I6: road-test and training data beyond the duration or vehicle thresholds (2026 Guidelines, driving automation)', true, true),
	(7, 'I7', '{software_upgrade}', '{system_function}',
	 'remote_triggered AND safety_function',
	 'important', NULL,
	 'I7: remotely triggered OTA code for vehicles in China touching a safety function (2026 Guidelines, software upgrades)', true, true),
	(8, 'I8', '{rd_design,production}', '{export_control}',
	 'export_controlled',
	 'important', NULL,
	 'I8: technical data that is an export-controlled item (2026 Guidelines; Export Control Law)', true, true),
	(9, 'I9', NULL, '{public_safety_law_enforcement}',
	 'law_enforcement',
	 'important', NULL,
	 'I9: data for or about public-security law enforcement (2026 Guidelines)', true, true),
	(10, 'I10', NULL, '{personal_information}',
	 'dataset_subjects > param.i10_subjects',
	 'important', NULL,
	 'I10: personal information of more than 100,000 individuals in one data set (2021 Several Provisions Art. 3(6); superseded by the 2024 volume tiers, shipped disabled)', false, true),
	(301, 'P3', NULL, '{geographic_information}',
	 'road_test_survey',
	 'important', NULL,
	 'P3: surveying and mapping data from autonomous-driving tests, never provided to foreign recipients (2026 Guidelines; Surveying and Mapping Law Art. 8 and 2021 Several Provisions)', true, true),
	(201, 'E1', NULL, '{}',
	 'collected_abroad',
	 NULL, 'collected_abroad',
	 'E1: data collected and generated abroad, processed in China, no domestic PI or important data introduced (2024 Provisions Art. 4)', true, true),
	(207, 'E7', NULL, '{}',
	 'miit_report_ref IS NOT NULL',
	 NULL, 'vulnerability_reported',
	 'E7: security-vulnerability data reported to MIIT, exported to patch it (2026 Guidelines, exemptions)', true, true),
	(208, 'E8', NULL, '{}',
	 'incident_report_ref IS NOT NULL',
	 NULL, 'incident_reported',
	 'E8: security-incident data reported to the competent authority under the industry emergency plan, exported to handle it (2026 Guidelines, exemptions)', true, true),
	(209, 'E9', NULL, '{}',
	 'samr_filing_ref IS NOT NULL',
	 NULL, 'ota_source_filed',
	 'E9: OTA source code filed with SAMR, exported to remove a defect or carry out a recall (2026 Guidelines, exemptions)', true, true);

UPDATE autoxfer.rule SET prohibits = true WHERE code = 'P3';

SELECT pg_catalog.pg_extension_config_dump('autoxfer.protected_table', '');
SELECT pg_catalog.pg_extension_config_dump('autoxfer.declaration', '');
SELECT pg_catalog.pg_extension_config_dump('autoxfer.parameter', '');
SELECT pg_catalog.pg_extension_config_dump('autoxfer.rule', '');
SELECT pg_catalog.pg_extension_config_dump('autoxfer.rule_id_seq', '');

-- Everyone reads the catalogue (what is protected and why is no secret);
-- only autoxfer_admin writes it.
GRANT SELECT ON autoxfer.attribute_kind, autoxfer.protected_table, autoxfer.declaration,
	autoxfer.parameter, autoxfer.rule TO PUBLIC;
GRANT INSERT, UPDATE, DELETE ON autoxfer.protected_table, autoxfer.declaration,
	autoxfer.parameter, autoxfer.rule TO autoxfer_admin;
GRANT USAGE, SELECT, UPDATE ON autoxfer.rule_id_seq TO autoxfer_admin;
