-- autoxfer install script, part 55: what a verdict decides from (the
-- organisation, recipients, purposes, filings, exemption evidence, working
-- days, the important-data catalogue filings) and the verdict itself
-- (src/verdict.c).  shared/RULES.md sections 3, 5 and 6; docs/verdict.md.
--
-- Every table here is an extension configuration table (pg_dump keeps its
-- rows), written only through the functions below (autoxfer_admin), which
-- validate what they are given, and readable by autoxfer_auditor.  A
-- statement trigger on each tells every backend to drop its cached
-- decisions.

-- The parameters of the measures and exemptions ---------------------------

INSERT INTO autoxfer.parameter (name, value, unit, clause, shipped) VALUES
	('m3_individuals', 1000000, 'individuals', 'M3: non-CIIO, non-sensitive personal information of this many individuals or more since 1 January needs a security assessment (2024 Provisions Art. 7)', true),
	('m4_sensitive_individuals', 10000, 'individuals', 'M4: non-CIIO, sensitive personal information of this many individuals or more since 1 January needs a security assessment (2024 Provisions Art. 7)', true),
	('m6_individuals', 100000, 'individuals', 'M6/M7/E5: from this many individuals of non-sensitive personal information since 1 January a standard contract or certification is needed; below, the transfer is exempt (2024 Provisions Arts. 5 and 8)', true),
	('assessment_validity_years', 3, 'years', 'F1: a security assessment is valid this many years from the issue of its result (2024 Provisions Art. 9)', true),
	('certification_validity_years', 3, 'years', 'F3: a personal-information export certificate is valid this many years', true),
	('contract_filing_working_days', 10, 'working days', 'F2: a standard contract is filed with the provincial CAC within this many working days after it takes effect (Measures on the Standard Contract Art. 7)', true),
	('extension_window_working_days', 60, 'working days', 'F1: an extension of a security assessment is applied for within this many working days before it expires (2024 Provisions Art. 9)', true),
	('growth_allowance_pct', 20, '%', 'F1: a filing with a maximum of individuals covers the year''s count up to the maximum plus this share; beyond, a new filing is needed', true),
	('candidates_as_important', 1, 'boolean', 'Important data identified by a rule but not yet in a filed catalogue (a candidate) is treated as important (1) or by the personal information it holds (0) (Regulation on Network Data Security Management Arts. 29 and 37)', true),
	('evidence_exemptions_cover_important', 1, 'boolean', 'E7-E9: the exemptions for reported vulnerabilities, reported incidents and filed OTA source cover the important data they concern (1) or only the personal information (0); sources differ', true),
	('guidelines_effective_date', 20260203, 'yyyymmdd', 'The 2026 Guidelines (and their exemptions E7-E9) apply from this date: their publication on 3 February 2026 (one reading says 1 July 2026)', true);

-- The organisation ---------------------------------------------------------

CREATE TABLE autoxfer.organisation (
	singleton	boolean PRIMARY KEY DEFAULT true CHECK (singleton),
	name		text NOT NULL CHECK (pg_catalog.length(name) BETWEEN 1 AND 200),
	ciio		boolean NOT NULL,
	free_trade_zone text CHECK (pg_catalog.length(free_trade_zone) BETWEEN 1 AND 200),
	negative_list autoxfer.scenario[] CHECK (negative_list IS NULL OR free_trade_zone IS NOT NULL),
	updated_at	timestamptz NOT NULL DEFAULT pg_catalog.now()
);
COMMENT ON TABLE autoxfer.organisation IS
	'The data processor (one row, autoxfer.set_organisation): whether it is a critical information infrastructure operator (rule M2), and the pilot free trade zone it is registered in with the scenarios on that zone''s negative list (exemption E6); until it is set, verdicts treat the processor as a CIIO';
COMMENT ON COLUMN autoxfer.organisation.negative_list IS
	'Scenarios whose data is on the free trade zone''s negative list (no exemption E6 for them)';

CREATE FUNCTION autoxfer.set_organisation(name text, ciio boolean DEFAULT false,
										  free_trade_zone text DEFAULT NULL,
										  negative_list autoxfer.scenario[] DEFAULT NULL)
	RETURNS void
	LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $fn$
BEGIN
	IF name IS NULL OR pg_catalog.btrim(name) OPERATOR(pg_catalog.=) '' THEN
		RAISE EXCEPTION 'autoxfer.set_organisation: name must not be empty'
			USING ERRCODE = 'null_value_not_allowed', HINT = 'Pass the data processor''s name.';
	END IF;
	IF pg_catalog.length(name) OPERATOR(pg_catalog.>) 200 THEN
		RAISE EXCEPTION 'autoxfer.set_organisation: name is longer than 200 characters'
			USING ERRCODE = 'string_data_right_truncation', HINT = 'Shorten the name.';
	END IF;
	IF ciio IS NULL THEN
		RAISE EXCEPTION 'autoxfer.set_organisation: ciio must be true or false'
			USING ERRCODE = 'null_value_not_allowed',
				  HINT = 'Say whether the processor is a critical information infrastructure operator.';
	END IF;
	IF free_trade_zone IS NOT NULL AND (pg_catalog.btrim(free_trade_zone) OPERATOR(pg_catalog.=) ''
		OR pg_catalog.length(free_trade_zone) OPERATOR(pg_catalog.>) 200) THEN
		RAISE EXCEPTION 'autoxfer.set_organisation: free_trade_zone must be a name of 1 to 200 characters, or NULL'
			USING ERRCODE = 'invalid_parameter_value', HINT = 'For example ''Shanghai Lin-gang''.';
	END IF;
	IF negative_list IS NOT NULL AND free_trade_zone IS NULL THEN
		RAISE EXCEPTION 'autoxfer.set_organisation: a negative list needs a free trade zone'
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Pass the free trade zone whose negative list it is.';
	END IF;
	IF pg_catalog.array_position(negative_list, NULL) IS NOT NULL THEN
		RAISE EXCEPTION 'autoxfer.set_organisation: the negative list must not contain NULL'
			USING ERRCODE = 'null_value_not_allowed', HINT = 'List scenarios only.';
	END IF;
	INSERT INTO autoxfer.organisation AS o (name, ciio, free_trade_zone, negative_list)
	VALUES (set_organisation.name, set_organisation.ciio, set_organisation.free_trade_zone,
			set_organisation.negative_list)
	ON CONFLICT (singleton) DO UPDATE
	SET name = EXCLUDED.name, ciio = EXCLUDED.ciio, free_trade_zone = EXCLUDED.free_trade_zone,
		negative_list = EXCLUDED.negative_list, updated_at = pg_catalog.now();
END
$fn$;
COMMENT ON FUNCTION autoxfer.set_organisation(text, boolean, text, autoxfer.scenario[]) IS
	'Declare the data processor: name, whether it is a CIIO (rule M2), its pilot free trade zone and the scenarios on that zone''s negative list (exemption E6)';

-- Working days -------------------------------------------------------------

CREATE TABLE autoxfer.working_day_override (
	day			date PRIMARY KEY,
	working		boolean NOT NULL,
	note		text CHECK (pg_catalog.length(note) BETWEEN 1 AND 200)
);
COMMENT ON TABLE autoxfer.working_day_override IS
	'Public holidays (working = false) and adjusted working weekends (working = true) of the State Council''s calendar; every other Monday to Friday is a working day';

CREATE FUNCTION autoxfer.is_working_day(day date) RETURNS boolean
	LANGUAGE sql STABLE STRICT PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $fn$
	SELECT coalesce((SELECT w.working FROM autoxfer.working_day_override w
					 WHERE w.day OPERATOR(pg_catalog.=) is_working_day.day),
					EXTRACT(isodow FROM is_working_day.day) OPERATOR(pg_catalog.<) 6)
$fn$;
COMMENT ON FUNCTION autoxfer.is_working_day(date) IS
	'Whether a date is a working day: Monday to Friday, corrected by autoxfer.working_day_override';

-- The n-th working day after a date (n >= 0; the date itself for 0).
CREATE FUNCTION autoxfer.add_working_days(day date, n integer) RETURNS date
	LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $fn$
DECLARE
	d date := day;
	left_ integer := n;
BEGIN
	IF n OPERATOR(pg_catalog.<) 0 OR n OPERATOR(pg_catalog.>) 10000 THEN
		RAISE EXCEPTION 'autoxfer.add_working_days: n must be between 0 and 10000, not %', n
			USING ERRCODE = 'invalid_parameter_value', HINT = 'Periods of the rules are a few dozen working days.';
	END IF;
	WHILE left_ OPERATOR(pg_catalog.>) 0 LOOP
		d := d OPERATOR(pg_catalog.+) 1;
		IF autoxfer.is_working_day(d) THEN
			left_ := left_ OPERATOR(pg_catalog.-) 1;
		END IF;
	END LOOP;
	RETURN d;
END
$fn$;
COMMENT ON FUNCTION autoxfer.add_working_days(date, integer) IS
	'The n-th working day after a date (autoxfer.is_working_day): the deadline of a period counted in working days';

-- The number of working days in (a, b]: how many working days after a is b.
CREATE FUNCTION autoxfer.working_days_between(a date, b date) RETURNS integer
	LANGUAGE sql STABLE STRICT PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $fn$
	SELECT CASE WHEN b OPERATOR(pg_catalog.<=) a THEN 0 ELSE
		(SELECT pg_catalog.count(*)::integer FROM pg_catalog.generate_series(a OPERATOR(pg_catalog.+) 1, b, '1 day') g
		 WHERE autoxfer.is_working_day(g::date)) END
$fn$;
COMMENT ON FUNCTION autoxfer.working_days_between(date, date) IS
	'Working days after the first date up to and including the second (0 when it is not later)';

-- Purposes -----------------------------------------------------------------

CREATE TABLE autoxfer.purpose (
	name		text PRIMARY KEY CHECK (name ~ '^[a-z][a-z0-9_]{0,62}$'),
	exemption	autoxfer.exemption CHECK (exemption IN ('contract_necessity', 'hr_management', 'emergency',
												  'vulnerability_reported', 'incident_reported', 'ota_source_filed')),
	description	text NOT NULL CHECK (pg_catalog.length(description) BETWEEN 1 AND 1000),
	shipped		boolean NOT NULL DEFAULT false
);
COMMENT ON TABLE autoxfer.purpose IS
	'The purposes a transfer may have; those an exemption names (E2-E4, E7-E9) are shipped with it, the DBA adds the others (autoxfer.add_purpose); an exemption applies only to a transfer for its own purpose';

INSERT INTO autoxfer.purpose (name, exemption, description, shipped) VALUES
	('contract_performance', 'contract_necessity', 'Concluding or performing a contract the individual is party to: cross-border car purchase, delivery, payment, account registration (E2)', true),
	('hr_management', 'hr_management', 'Cross-border human-resources management of employees under lawful internal rules and contracts (E3)', true),
	('emergency', 'emergency', 'Protecting the life, health or property of a natural person in an emergency (E4)', true),
	('vulnerability_fix', 'vulnerability_reported', 'Patching a security vulnerability already reported to MIIT (E7)', true),
	('incident_handling', 'incident_reported', 'Handling a security incident reported to the competent authority under the industry emergency plan (E8)', true),
	('defect_fix', 'ota_source_filed', 'Eliminating a product defect with an OTA package whose source is filed with SAMR (E9)', true),
	('recall', 'ota_source_filed', 'Carrying out a recall with an OTA package whose source is filed with SAMR (E9)', true);

CREATE FUNCTION autoxfer.add_purpose(name text, description text) RETURNS void
	LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $fn$
DECLARE
	cur autoxfer.purpose;
BEGIN
	IF name IS NULL OR name !~ '^[a-z][a-z0-9_]{0,62}$' THEN
		RAISE EXCEPTION 'autoxfer.add_purpose: "%" is not a purpose name', pg_catalog.left(coalesce(name, 'NULL'), 64)
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'A purpose name is 1 to 63 lower-case letters, digits and underscores, starting with a letter, such as after_sales_analytics.';
	END IF;
	IF description IS NULL OR pg_catalog.btrim(description) OPERATOR(pg_catalog.=) ''
	   OR pg_catalog.length(description) OPERATOR(pg_catalog.>) 1000 THEN
		RAISE EXCEPTION 'autoxfer.add_purpose: the description must be 1 to 1000 characters'
			USING ERRCODE = 'invalid_parameter_value', HINT = 'Say what the transfer is for, as a filing would.';
	END IF;
	SELECT * INTO cur FROM autoxfer.purpose p WHERE p.name OPERATOR(pg_catalog.=) add_purpose.name;
	IF FOUND THEN
		IF cur.description OPERATOR(pg_catalog.=) add_purpose.description THEN
			RETURN;
		END IF;
		RAISE EXCEPTION 'purpose "%" already exists', name
			USING ERRCODE = 'duplicate_object',
				  HINT = CASE WHEN cur.shipped THEN 'It is shipped with its exemption; use it as it is.'
							  ELSE 'Choose another name.' END;
	END IF;
	INSERT INTO autoxfer.purpose (name, description) VALUES (add_purpose.name, add_purpose.description);
END
$fn$;
COMMENT ON FUNCTION autoxfer.add_purpose(text, text) IS
	'Add a purpose of transfer (no exemption comes with it); repeating it with the same description is a no-op';

-- Recipients ---------------------------------------------------------------

CREATE TABLE autoxfer.recipient (
	name		text PRIMARY KEY CHECK (pg_catalog.length(name) BETWEEN 1 AND 200 AND name !~ '[[:cntrl:]]'),
	country		text NOT NULL CHECK (country ~ '^[A-Z]{2}$' AND country OPERATOR(pg_catalog.<>) 'CN'),
	role		name UNIQUE,
	purpose		text REFERENCES autoxfer.purpose (name),
	foreign_authority boolean NOT NULL DEFAULT false,
	registered_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	CHECK ((role IS NULL) = (purpose IS NULL))
);
COMMENT ON TABLE autoxfer.recipient IS
	'Recipients abroad (autoxfer.register_recipient): country (ISO 3166-1 alpha-2), whether a foreign judicial or law-enforcement body (rule P2), and the database role that acts for it with its one purpose (rule X2: a role abroad reads only what it may receive)';
COMMENT ON COLUMN autoxfer.recipient.role IS
	'Database role through which the recipient reads data stored in China (rule X2); row-level security limits it to what it may receive for purpose';

-- Filings ------------------------------------------------------------------

CREATE TABLE autoxfer.filing (
	id			bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
	measure		autoxfer.measure NOT NULL CHECK (measure IN ('standard_contract', 'certification', 'security_assessment')),
	recipient	text REFERENCES autoxfer.recipient (name),
	purposes	text[] CHECK (purposes IS NULL OR (pg_catalog.cardinality(purposes) > 0 AND pg_catalog.array_position(purposes, NULL) IS NULL)),
	reference	text NOT NULL CHECK (pg_catalog.length(reference) BETWEEN 1 AND 200),
	approved_on	date NOT NULL,
	valid_until	date,
	categories	autoxfer.category[] CHECK (categories IS NULL OR (pg_catalog.cardinality(categories) > 0 AND pg_catalog.array_position(categories, NULL) IS NULL)),
	scenarios	autoxfer.scenario[] CHECK (scenarios IS NULL OR (pg_catalog.cardinality(scenarios) > 0 AND pg_catalog.array_position(scenarios, NULL) IS NULL)),
	max_individuals bigint CHECK (max_individuals > 0),
	filed_on	date,
	recorded_at	timestamptz NOT NULL DEFAULT pg_catalog.now(),
	recorded_by	name NOT NULL DEFAULT SESSION_USER,
	revoked_at	timestamptz,
	revoke_reason text,
	CHECK (valid_until IS NULL OR valid_until >= approved_on),
	CHECK (recipient IS NOT NULL OR measure = 'certification'),
	CHECK (filed_on IS NULL OR measure = 'standard_contract'),
	CHECK ((revoked_at IS NULL) = (revoke_reason IS NULL))
);
COMMENT ON TABLE autoxfer.filing IS
	'Security assessments, standard contracts and certifications (autoxfer.record_filing): recipient, purposes, scope (categories, scenarios; NULL: all), maximum individuals, validity, the contract''s filing date, revocation';
COMMENT ON COLUMN autoxfer.filing.approved_on IS
	'Date the assessment result or certificate was issued, or the standard contract took effect';
COMMENT ON COLUMN autoxfer.filing.valid_until IS
	'Last day the filing is in force (NULL: no end, for contracts)';
COMMENT ON COLUMN autoxfer.filing.max_individuals IS
	'Most individuals per year and tally the filing covers (plus the growth allowance); NULL: no limit';
COMMENT ON COLUMN autoxfer.filing.filed_on IS
	'Standard contracts: date filed with the provincial CAC (NULL: not yet); a contract not filed within the deadline stops covering transfers after it';
COMMENT ON SEQUENCE autoxfer.filing_id_seq IS
	'Identity of autoxfer.filing; dumped with the table so restored ids do not collide';

-- Exemption evidence --------------------------------------------------------

CREATE TABLE autoxfer.evidence (
	id			bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
	exemption	autoxfer.exemption NOT NULL CHECK (exemption IN ('contract_necessity', 'hr_management', 'emergency', 'free_trade_zone')),
	purpose		text NOT NULL REFERENCES autoxfer.purpose (name),
	reference	text NOT NULL CHECK (pg_catalog.length(reference) BETWEEN 1 AND 200),
	recipient	text REFERENCES autoxfer.recipient (name),
	valid_from	date NOT NULL,
	valid_until	date,
	recorded_at	timestamptz NOT NULL DEFAULT pg_catalog.now(),
	recorded_by	name NOT NULL DEFAULT SESSION_USER,
	revoked_at	timestamptz,
	revoke_reason text,
	CHECK (valid_until IS NULL OR valid_until >= valid_from),
	CHECK ((revoked_at IS NULL) = (revoke_reason IS NULL))
);
COMMENT ON TABLE autoxfer.evidence IS
	'Evidence of the purpose-level exemptions E2 (contract necessity), E3 (HR management), E4 (emergency) and E6 (free trade zone), for a purpose and a recipient (NULL: any), with its validity (autoxfer.record_evidence); E1 and E7-E9 come from the rows'' own evidence columns';
COMMENT ON SEQUENCE autoxfer.evidence_id_seq IS
	'Identity of autoxfer.evidence; dumped with the table so restored ids do not collide';

-- The important-data catalogue filed with the authority ---------------------

CREATE TABLE autoxfer.important_data_filing (
	rule		text PRIMARY KEY CHECK (rule ~ '^[A-Za-z][A-Za-z0-9_.-]{0,31}$'),
	reference	text NOT NULL CHECK (pg_catalog.length(reference) BETWEEN 1 AND 200),
	filed_on	date NOT NULL,
	recorded_at	timestamptz NOT NULL DEFAULT pg_catalog.now(),
	recorded_by	name NOT NULL DEFAULT SESSION_USER
);
COMMENT ON TABLE autoxfer.important_data_filing IS
	'Kinds of important data (by the code of the rule that identifies them) filed in the processor''s important-data catalogue with the authority; important data of other rules is a candidate (parameter candidates_as_important)';

-- Keeping the dumps and the privileges --------------------------------------

SELECT pg_catalog.pg_extension_config_dump('autoxfer.organisation', '');
SELECT pg_catalog.pg_extension_config_dump('autoxfer.working_day_override', '');
SELECT pg_catalog.pg_extension_config_dump('autoxfer.purpose', 'WHERE NOT shipped');
SELECT pg_catalog.pg_extension_config_dump('autoxfer.recipient', '');
SELECT pg_catalog.pg_extension_config_dump('autoxfer.filing', '');
SELECT pg_catalog.pg_extension_config_dump('autoxfer.filing_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('autoxfer.evidence', '');
SELECT pg_catalog.pg_extension_config_dump('autoxfer.evidence_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('autoxfer.important_data_filing', '');

REVOKE ALL ON autoxfer.organisation, autoxfer.working_day_override, autoxfer.purpose,
	autoxfer.recipient, autoxfer.filing, autoxfer.evidence, autoxfer.important_data_filing FROM PUBLIC;
GRANT SELECT ON autoxfer.organisation, autoxfer.working_day_override, autoxfer.purpose,
	autoxfer.recipient, autoxfer.filing, autoxfer.evidence, autoxfer.important_data_filing
	TO autoxfer_admin, autoxfer_auditor, autoxfer_exporter;
GRANT INSERT, UPDATE, DELETE ON autoxfer.working_day_override TO autoxfer_admin;

-- Writing the state: validating functions (autoxfer_admin) -----------------

-- A text argument that names something: not NULL, not blank, at most max
-- characters, no control characters.
CREATE FUNCTION autoxfer._check_name(what text, value text, max integer) RETURNS text
	LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $fn$
BEGIN
	IF value IS NULL THEN
		RAISE EXCEPTION '% must not be NULL', what USING ERRCODE = 'null_value_not_allowed',
			HINT = pg_catalog.format('Pass %s of 1 to %s characters.', what, max);
	END IF;
	IF pg_catalog.btrim(value) OPERATOR(pg_catalog.=) '' THEN
		RAISE EXCEPTION '% must not be empty', what USING ERRCODE = 'invalid_parameter_value',
			HINT = pg_catalog.format('Pass %s of 1 to %s characters.', what, max);
	END IF;
	IF pg_catalog.length(value) OPERATOR(pg_catalog.>) max THEN
		RAISE EXCEPTION '% is longer than % characters', what, max
			USING ERRCODE = 'string_data_right_truncation', HINT = 'Shorten it.';
	END IF;
	IF value ~ '[[:cntrl:]]' THEN
		RAISE EXCEPTION '% must not contain control characters', what
			USING ERRCODE = 'invalid_parameter_value', HINT = 'Remove line breaks, tabs and other control characters.';
	END IF;
	RETURN value;
END
$fn$;
COMMENT ON FUNCTION autoxfer._check_name(text, text, integer) IS
	'Internal: refuse a NULL, blank, over-long or control-character name argument';

-- Refuse a recipient or purpose that is not registered.
CREATE FUNCTION autoxfer._known_recipient(recipient text) RETURNS autoxfer.recipient
	LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $fn$
DECLARE
	r autoxfer.recipient;
BEGIN
	IF recipient IS NULL THEN
		RAISE EXCEPTION 'recipient must not be NULL'
			USING ERRCODE = 'null_value_not_allowed', HINT = 'Name a recipient of autoxfer.recipient.';
	END IF;
	SELECT * INTO r FROM autoxfer.recipient x WHERE x.name OPERATOR(pg_catalog.=) recipient;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'unknown recipient "%"', pg_catalog.left(recipient, 64)
			USING ERRCODE = 'undefined_object',
				  HINT = 'Register it first with autoxfer.register_recipient(name, country).';
	END IF;
	RETURN r;
END
$fn$;
COMMENT ON FUNCTION autoxfer._known_recipient(text) IS
	'Internal: the registered recipient of that name, or an error naming what to do';

CREATE FUNCTION autoxfer._known_purpose(purpose text) RETURNS autoxfer.purpose
	LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $fn$
DECLARE
	p autoxfer.purpose;
BEGIN
	IF purpose IS NULL THEN
		RAISE EXCEPTION 'purpose must not be NULL'
			USING ERRCODE = 'null_value_not_allowed', HINT = 'Name a purpose of autoxfer.purpose.';
	END IF;
	SELECT * INTO p FROM autoxfer.purpose x WHERE x.name OPERATOR(pg_catalog.=) purpose;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'unknown purpose "%"', pg_catalog.left(purpose, 64)
			USING ERRCODE = 'undefined_object',
				  HINT = 'Add it with autoxfer.add_purpose(name, description), or use one of autoxfer.purpose.';
	END IF;
	RETURN p;
END
$fn$;
COMMENT ON FUNCTION autoxfer._known_purpose(text) IS
	'Internal: the purpose of that name, or an error naming what to do';

CREATE FUNCTION autoxfer.register_recipient(name text, country text, role name DEFAULT NULL,
											purpose text DEFAULT NULL, foreign_authority boolean DEFAULT false)
	RETURNS void
	LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $fn$
DECLARE
	cur autoxfer.recipient;
	c text;
	r pg_catalog.pg_roles;
	other text;
BEGIN
	PERFORM autoxfer._check_name('recipient name', name, 200);
	IF country IS NULL THEN
		RAISE EXCEPTION 'autoxfer.register_recipient: country must not be NULL'
			USING ERRCODE = 'null_value_not_allowed', HINT = 'Pass the ISO 3166-1 alpha-2 code of the recipient''s country, such as DE.';
	END IF;
	c := pg_catalog.upper(pg_catalog.btrim(country));
	IF c !~ '^[A-Z]{2}$' THEN
		RAISE EXCEPTION 'autoxfer.register_recipient: "%" is not a country code', pg_catalog.left(country, 64)
			USING ERRCODE = 'invalid_parameter_value', HINT = 'Pass the ISO 3166-1 alpha-2 code of the recipient''s country, such as DE.';
	END IF;
	IF c OPERATOR(pg_catalog.=) 'CN' THEN
		RAISE EXCEPTION 'autoxfer.register_recipient: a recipient in mainland China is not abroad'
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Register recipients outside mainland China; Hong Kong, Macao and Taiwan are HK, MO and TW.';
	END IF;
	IF foreign_authority IS NULL THEN
		RAISE EXCEPTION 'autoxfer.register_recipient: foreign_authority must be true or false'
			USING ERRCODE = 'null_value_not_allowed', HINT = 'Pass true for a foreign judicial or law-enforcement body.';
	END IF;
	IF (role IS NULL) <> (purpose IS NULL) THEN
		RAISE EXCEPTION 'autoxfer.register_recipient: a role abroad needs its purpose, and a purpose its role'
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'The purpose of what a role abroad reads comes from its registration: pass both, or neither.';
	END IF;
	IF purpose IS NOT NULL THEN
		PERFORM autoxfer._known_purpose(purpose);
	END IF;
	IF role IS NOT NULL THEN
		SELECT * INTO r FROM pg_catalog.pg_roles x WHERE x.rolname OPERATOR(pg_catalog.=) role;
		IF NOT FOUND THEN
			RAISE EXCEPTION 'role "%" does not exist', role USING ERRCODE = 'undefined_object',
				HINT = 'Create the role first (CREATE ROLE ... LOGIN).';
		END IF;
		IF r.rolsuper OR r.rolbypassrls THEN
			RAISE EXCEPTION 'role "%" cannot act for a recipient abroad: it %', role,
				CASE WHEN r.rolsuper THEN 'is a superuser' ELSE 'bypasses row-level security' END
				USING ERRCODE = 'insufficient_privilege',
					  HINT = 'Row-level security is what limits a role abroad; register a role without SUPERUSER or BYPASSRLS.';
		END IF;
		SELECT x.rolname INTO other FROM pg_catalog.pg_roles x
		WHERE x.rolname OPERATOR(pg_catalog.=) ANY (ARRAY['autoxfer_admin', 'autoxfer_exporter', 'autoxfer_auditor'])
		  AND pg_catalog.pg_has_role(r.oid, x.oid, 'USAGE')
		LIMIT 1;
		IF FOUND THEN
			RAISE EXCEPTION 'role "%" cannot act for a recipient abroad: it has the privileges of %', role, other
				USING ERRCODE = 'insufficient_privilege', HINT = 'Use a role of its own for the recipient.';
		END IF;
		SELECT x.rel::text INTO other FROM autoxfer.protected_table x JOIN pg_catalog.pg_class k ON k.oid OPERATOR(pg_catalog.=) x.rel
		WHERE pg_catalog.pg_has_role(r.oid, k.relowner, 'USAGE') LIMIT 1;
		IF FOUND THEN
			RAISE EXCEPTION 'role "%" cannot act for a recipient abroad: it has the privileges of the owner of protected table %', role, other
				USING ERRCODE = 'insufficient_privilege', HINT = 'A table''s owner is not limited by its row-level security; use a role of its own for the recipient.';
		END IF;
		SELECT x.name INTO other FROM autoxfer.recipient x WHERE x.role OPERATOR(pg_catalog.=) register_recipient.role;
		IF FOUND AND other OPERATOR(pg_catalog.<>) register_recipient.name THEN
			RAISE EXCEPTION 'role "%" already acts for recipient "%"', role, other
				USING ERRCODE = 'duplicate_object', HINT = 'A role acts for one recipient; create another role.';
		END IF;
	END IF;
	SELECT * INTO cur FROM autoxfer.recipient x WHERE x.name OPERATOR(pg_catalog.=) register_recipient.name;
	IF FOUND THEN
		IF cur.country OPERATOR(pg_catalog.=) c AND cur.role IS NOT DISTINCT FROM register_recipient.role
		   AND cur.purpose IS NOT DISTINCT FROM register_recipient.purpose
		   AND cur.foreign_authority OPERATOR(pg_catalog.=) register_recipient.foreign_authority THEN
			RETURN;
		END IF;
		RAISE EXCEPTION 'recipient "%" is already registered (country %, role %, purpose %, foreign authority %)',
			name, cur.country, coalesce(cur.role::text, 'none'), coalesce(cur.purpose, 'none'), cur.foreign_authority
			USING ERRCODE = 'duplicate_object',
				  HINT = 'Run autoxfer.unregister_recipient() first to register it differently.';
	END IF;
	INSERT INTO autoxfer.recipient (name, country, role, purpose, foreign_authority)
	VALUES (register_recipient.name, c, register_recipient.role, register_recipient.purpose,
			register_recipient.foreign_authority);
	IF role IS NOT NULL THEN
		IF pg_catalog.current_setting('shared_preload_libraries') !~ '(^|[ ,])"?autoxfer"?($|[ ,])' THEN
			RAISE WARNING 'autoxfer is not in shared_preload_libraries'
				USING DETAIL = 'With row-level security on the protected tables, COPY FROM into them works only in sessions where the autoxfer library is loaded.',
					  HINT = 'Add autoxfer to shared_preload_libraries (docs/guide-dba.md) and restart.';
		END IF;
		PERFORM autoxfer._x2_sync();
	END IF;
END
$fn$;
COMMENT ON FUNCTION autoxfer.register_recipient(text, text, name, text, boolean) IS
	'Register a recipient abroad: its country, whether it is a foreign judicial or law-enforcement body (rule P2), and optionally the database role that acts for it with its purpose (rule X2); repeating a registration is a no-op';

CREATE FUNCTION autoxfer.unregister_recipient(name text) RETURNS void
	LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $fn$
BEGIN
	PERFORM autoxfer._known_recipient(name);
	IF EXISTS (SELECT 1 FROM autoxfer.filing f WHERE f.recipient OPERATOR(pg_catalog.=) unregister_recipient.name)
	   OR EXISTS (SELECT 1 FROM autoxfer.evidence e WHERE e.recipient OPERATOR(pg_catalog.=) unregister_recipient.name) THEN
		RAISE EXCEPTION 'recipient "%" has filings or exemption evidence', name
			USING ERRCODE = 'dependent_objects_still_exist',
				  HINT = 'Filings and evidence are records: keep the recipient (revoke them with autoxfer.revoke_filing and autoxfer.revoke_evidence).';
	END IF;
	DELETE FROM autoxfer.recipient x WHERE x.name OPERATOR(pg_catalog.=) unregister_recipient.name;
	PERFORM autoxfer._x2_sync();
END
$fn$;
COMMENT ON FUNCTION autoxfer.unregister_recipient(text) IS
	'Remove a recipient that has no filing or exemption evidence (and its role''s link)';

CREATE FUNCTION autoxfer.record_filing(measure autoxfer.measure, recipient text, purposes text[],
									   reference text, approved_on date, valid_until date DEFAULT NULL,
									   categories autoxfer.category[] DEFAULT NULL,
									   scenarios autoxfer.scenario[] DEFAULT NULL,
									   max_individuals bigint DEFAULT NULL, filed_on date DEFAULT NULL)
	RETURNS bigint
	LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $fn$
DECLARE
	p text;
	years integer;
	latest date;
	id bigint;
BEGIN
	IF measure IS NULL OR measure NOT IN ('standard_contract', 'certification', 'security_assessment') THEN
		RAISE EXCEPTION 'a filing is a security_assessment, a standard_contract or a certification, not %',
			coalesce(measure::text, 'NULL')
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Exemptions are recorded with autoxfer.record_evidence; prohibited data has no filing.';
	END IF;
	IF recipient IS NOT NULL THEN
		PERFORM autoxfer._known_recipient(recipient);
	ELSIF measure OPERATOR(pg_catalog.<>) 'certification' THEN
		RAISE EXCEPTION 'a % is for one recipient', measure
			USING ERRCODE = 'null_value_not_allowed',
				  HINT = 'Name the recipient; only a certification may cover every recipient (recipient NULL).';
	END IF;
	IF purposes IS NOT NULL THEN
		IF pg_catalog.cardinality(purposes) OPERATOR(pg_catalog.=) 0 THEN
			RAISE EXCEPTION 'purposes must not be empty'
				USING ERRCODE = 'invalid_parameter_value', HINT = 'Pass NULL to cover every purpose.';
		END IF;
		FOREACH p IN ARRAY purposes LOOP
			PERFORM autoxfer._known_purpose(p);
		END LOOP;
	END IF;
	PERFORM autoxfer._check_name('filing reference', reference, 200);
	IF approved_on IS NULL THEN
		RAISE EXCEPTION 'approved_on must not be NULL'
			USING ERRCODE = 'null_value_not_allowed',
				  HINT = 'Pass the date the result or certificate was issued, or the contract took effect.';
	END IF;
	IF NOT pg_catalog.isfinite(approved_on) OR NOT pg_catalog.isfinite(coalesce(valid_until, approved_on))
	   OR NOT pg_catalog.isfinite(coalesce(filed_on, approved_on)) THEN
		RAISE EXCEPTION 'filing dates must be finite' USING ERRCODE = 'datetime_field_overflow',
			HINT = 'Pass real dates; valid_until NULL means no end.';
	END IF;
	IF measure IN ('security_assessment', 'certification') THEN
		SELECT x.value::integer INTO years FROM autoxfer.parameter x
		WHERE x.name OPERATOR(pg_catalog.=) CASE measure WHEN 'security_assessment' THEN 'assessment_validity_years'
														 ELSE 'certification_validity_years' END;
		latest := (approved_on OPERATOR(pg_catalog.+) pg_catalog.make_interval(years => years)
				   OPERATOR(pg_catalog.-) interval '1 day')::date;
		IF valid_until IS NULL THEN
			valid_until := latest;
		ELSIF valid_until OPERATOR(pg_catalog.>) latest THEN
			RAISE EXCEPTION 'a % is valid % years from %: at most until %, not %', measure, years,
				pg_catalog.to_char(approved_on, 'YYYY-MM-DD'), pg_catalog.to_char(latest, 'YYYY-MM-DD'),
				pg_catalog.to_char(valid_until, 'YYYY-MM-DD')
				USING ERRCODE = 'invalid_parameter_value',
					  HINT = 'Record an extension as a filing of its own, approved when it was granted.';
		END IF;
	END IF;
	IF valid_until OPERATOR(pg_catalog.<) approved_on THEN
		RAISE EXCEPTION 'the filing''s validity ends (%) before it starts (%)',
			pg_catalog.to_char(valid_until, 'YYYY-MM-DD'), pg_catalog.to_char(approved_on, 'YYYY-MM-DD')
			USING ERRCODE = 'invalid_parameter_value', HINT = 'Check the dates: valid_until is the last day in force.';
	END IF;
	IF categories IS NOT NULL THEN
		IF pg_catalog.cardinality(categories) OPERATOR(pg_catalog.=) 0 OR pg_catalog.array_position(categories, NULL) IS NOT NULL THEN
			RAISE EXCEPTION 'categories must be NULL (all) or a list of categories'
				USING ERRCODE = 'invalid_parameter_value', HINT = 'For example ''{personal,sensitive_personal}''.';
		END IF;
		IF 'general' OPERATOR(pg_catalog.=) ANY (categories) OR 'core' OPERATOR(pg_catalog.=) ANY (categories) THEN
			RAISE EXCEPTION 'a filing covers personal, sensitive_personal or important data'
				USING ERRCODE = 'invalid_parameter_value',
					  HINT = 'General data needs no filing; core data has no export path.';
		END IF;
	END IF;
	IF scenarios IS NOT NULL AND (pg_catalog.cardinality(scenarios) OPERATOR(pg_catalog.=) 0
								  OR pg_catalog.array_position(scenarios, NULL) IS NOT NULL) THEN
		RAISE EXCEPTION 'scenarios must be NULL (all) or a list of scenarios'
			USING ERRCODE = 'invalid_parameter_value', HINT = 'For example ''{connected_operation}''.';
	END IF;
	IF max_individuals IS NOT NULL AND max_individuals OPERATOR(pg_catalog.<=) 0 THEN
		RAISE EXCEPTION 'max_individuals must be positive, or NULL for no limit'
			USING ERRCODE = 'invalid_parameter_value', HINT = 'Pass the scale the filing was granted for.';
	END IF;
	IF filed_on IS NOT NULL AND measure OPERATOR(pg_catalog.<>) 'standard_contract' THEN
		RAISE EXCEPTION 'only a standard contract has a filing date'
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'approved_on is the date of an assessment''s result or a certificate.';
	END IF;
	IF filed_on OPERATOR(pg_catalog.<) approved_on THEN
		RAISE EXCEPTION 'a standard contract is filed after it takes effect (%), not on %',
			pg_catalog.to_char(approved_on, 'YYYY-MM-DD'), pg_catalog.to_char(filed_on, 'YYYY-MM-DD')
			USING ERRCODE = 'invalid_parameter_value', HINT = 'filed_on is the date the contract was filed with the provincial CAC.';
	END IF;
	IF EXISTS (SELECT 1 FROM autoxfer.filing f WHERE f.measure OPERATOR(pg_catalog.=) record_filing.measure
			   AND f.reference OPERATOR(pg_catalog.=) record_filing.reference AND f.revoked_at IS NULL) THEN
		RAISE EXCEPTION 'a % with reference "%" is already recorded', measure, reference
			USING ERRCODE = 'duplicate_object',
				  HINT = 'Revoke it first (autoxfer.revoke_filing) to record it again.';
	END IF;
	INSERT INTO autoxfer.filing AS f (measure, recipient, purposes, reference, approved_on, valid_until,
									  categories, scenarios, max_individuals, filed_on)
	VALUES (record_filing.measure, record_filing.recipient, record_filing.purposes, record_filing.reference,
			record_filing.approved_on, record_filing.valid_until, record_filing.categories,
			record_filing.scenarios, record_filing.max_individuals, record_filing.filed_on)
	RETURNING f.id INTO id;
	RETURN id;
END
$fn$;
COMMENT ON FUNCTION autoxfer.record_filing(autoxfer.measure, text, text[], text, date, date, autoxfer.category[], autoxfer.scenario[], bigint, date) IS
	'Record a security assessment, standard contract or certification: recipient (NULL: every recipient, certifications only), purposes, reference, approval, validity (default: 3 years for assessments and certificates), scope (NULL: all), maximum individuals, and a contract''s filing date; returns its id';

CREATE FUNCTION autoxfer.record_contract_filing(filing bigint, filed_on date) RETURNS void
	LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $fn$
DECLARE
	f autoxfer.filing;
BEGIN
	SELECT * INTO f FROM autoxfer.filing x WHERE x.id OPERATOR(pg_catalog.=) record_contract_filing.filing FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'filing % does not exist', coalesce(filing::text, 'NULL') USING ERRCODE = 'undefined_object',
			HINT = 'Filings are the rows of autoxfer.filing.';
	END IF;
	IF f.measure OPERATOR(pg_catalog.<>) 'standard_contract' THEN
		RAISE EXCEPTION 'filing % is a %, not a standard contract', filing, f.measure
			USING ERRCODE = 'wrong_object_type', HINT = 'Only standard contracts are filed after they take effect.';
	END IF;
	IF filed_on IS NULL OR NOT pg_catalog.isfinite(filed_on) OR filed_on OPERATOR(pg_catalog.<) f.approved_on THEN
		RAISE EXCEPTION 'a standard contract is filed on a date on or after it takes effect (%)',
			pg_catalog.to_char(f.approved_on, 'YYYY-MM-DD')
			USING ERRCODE = 'invalid_parameter_value', HINT = 'Pass the date it was filed with the provincial CAC.';
	END IF;
	IF f.filed_on IS NOT NULL THEN
		RAISE EXCEPTION 'filing % was already recorded as filed on %', filing, pg_catalog.to_char(f.filed_on, 'YYYY-MM-DD')
			USING ERRCODE = 'object_not_in_prerequisite_state', HINT = 'A filing date is recorded once.';
	END IF;
	UPDATE autoxfer.filing x SET filed_on = record_contract_filing.filed_on
	WHERE x.id OPERATOR(pg_catalog.=) record_contract_filing.filing;
END
$fn$;
COMMENT ON FUNCTION autoxfer.record_contract_filing(bigint, date) IS
	'Record the date a standard contract was filed with the provincial CAC';

CREATE FUNCTION autoxfer.revoke_filing(id bigint, reason text) RETURNS void
	LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $fn$
DECLARE
	f autoxfer.filing;
BEGIN
	PERFORM autoxfer._check_name('the reason of a revocation', reason, 1000);
	SELECT * INTO f FROM autoxfer.filing x WHERE x.id OPERATOR(pg_catalog.=) revoke_filing.id FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'filing % does not exist', coalesce(id::text, 'NULL') USING ERRCODE = 'undefined_object',
			HINT = 'Filings are the rows of autoxfer.filing.';
	END IF;
	IF f.revoked_at IS NOT NULL THEN
		RAISE EXCEPTION 'filing % was already revoked at %', id, f.revoked_at
			USING ERRCODE = 'object_not_in_prerequisite_state', HINT = 'A revocation is final; record a new filing.';
	END IF;
	UPDATE autoxfer.filing x SET revoked_at = pg_catalog.now(), revoke_reason = reason
	WHERE x.id OPERATOR(pg_catalog.=) revoke_filing.id;
END
$fn$;
COMMENT ON FUNCTION autoxfer.revoke_filing(bigint, text) IS
	'Revoke a filing (withdrawn, refused, superseded): it covers no transfer from now on; the record stays';

CREATE FUNCTION autoxfer.record_evidence(exemption autoxfer.exemption, purpose text, reference text,
										 recipient text DEFAULT NULL, valid_from date DEFAULT CURRENT_DATE,
										 valid_until date DEFAULT NULL)
	RETURNS bigint
	LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $fn$
DECLARE
	p autoxfer.purpose;
	id bigint;
BEGIN
	IF exemption IS NULL THEN
		RAISE EXCEPTION 'exemption must not be NULL' USING ERRCODE = 'null_value_not_allowed',
			HINT = 'Pass contract_necessity, hr_management, emergency or free_trade_zone.';
	END IF;
	IF exemption NOT IN ('contract_necessity', 'hr_management', 'emergency', 'free_trade_zone') THEN
		RAISE EXCEPTION 'exemption % is not recorded as evidence', exemption
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = CASE exemption WHEN 'small_volume' THEN 'E5 follows from the year''s counts.'
							 ELSE 'E1 and E7-E9 come from the rows'' own evidence columns (declare them: collected_abroad, miit_report_ref, incident_report_ref, samr_filing_ref).' END;
	END IF;
	p := autoxfer._known_purpose(purpose);
	IF exemption OPERATOR(pg_catalog.<>) 'free_trade_zone' AND p.exemption IS DISTINCT FROM exemption THEN
		RAISE EXCEPTION 'exemption % applies only to a transfer for its own purpose, not for "%"', exemption, purpose
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = pg_catalog.format('Its purpose is %s.', (SELECT pg_catalog.string_agg(x.name, ', ' ORDER BY x.name)
																   FROM autoxfer.purpose x WHERE x.exemption OPERATOR(pg_catalog.=) record_evidence.exemption));
	END IF;
	IF exemption OPERATOR(pg_catalog.=) 'free_trade_zone' AND NOT EXISTS (
		SELECT 1 FROM autoxfer.organisation o WHERE o.free_trade_zone IS NOT NULL) THEN
		RAISE EXCEPTION 'exemption free_trade_zone needs the processor registered in a pilot free trade zone'
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  HINT = 'Declare it with autoxfer.set_organisation(name, free_trade_zone => ...).';
	END IF;
	PERFORM autoxfer._check_name('evidence reference', reference, 200);
	IF recipient IS NOT NULL THEN
		PERFORM autoxfer._known_recipient(recipient);
	END IF;
	IF valid_from IS NULL OR NOT pg_catalog.isfinite(valid_from) OR NOT pg_catalog.isfinite(coalesce(valid_until, valid_from)) THEN
		RAISE EXCEPTION 'valid_from must be a finite date' USING ERRCODE = 'invalid_parameter_value',
			HINT = 'Pass real dates; valid_until NULL means no end.';
	END IF;
	IF valid_until OPERATOR(pg_catalog.<) valid_from THEN
		RAISE EXCEPTION 'the evidence''s validity ends (%) before it starts (%)',
			pg_catalog.to_char(valid_until, 'YYYY-MM-DD'), pg_catalog.to_char(valid_from, 'YYYY-MM-DD')
			USING ERRCODE = 'invalid_parameter_value', HINT = 'Check the dates: valid_until is the last day in force.';
	END IF;
	INSERT INTO autoxfer.evidence AS e (exemption, purpose, reference, recipient, valid_from, valid_until)
	VALUES (record_evidence.exemption, record_evidence.purpose, record_evidence.reference,
			record_evidence.recipient, record_evidence.valid_from, record_evidence.valid_until)
	RETURNING e.id INTO id;
	RETURN id;
END
$fn$;
COMMENT ON FUNCTION autoxfer.record_evidence(autoxfer.exemption, text, text, text, date, date) IS
	'Record the evidence of an exemption E2, E3, E4 or E6 for a purpose (its own, for E2-E4) and a recipient (NULL: any), with its validity; returns its id';

CREATE FUNCTION autoxfer.revoke_evidence(id bigint, reason text) RETURNS void
	LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $fn$
DECLARE
	e autoxfer.evidence;
BEGIN
	PERFORM autoxfer._check_name('the reason of a revocation', reason, 1000);
	SELECT * INTO e FROM autoxfer.evidence x WHERE x.id OPERATOR(pg_catalog.=) revoke_evidence.id FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'evidence % does not exist', coalesce(id::text, 'NULL') USING ERRCODE = 'undefined_object',
			HINT = 'Evidence is the rows of autoxfer.evidence.';
	END IF;
	IF e.revoked_at IS NOT NULL THEN
		RAISE EXCEPTION 'evidence % was already revoked at %', id, e.revoked_at
			USING ERRCODE = 'object_not_in_prerequisite_state', HINT = 'A revocation is final; record new evidence.';
	END IF;
	UPDATE autoxfer.evidence x SET revoked_at = pg_catalog.now(), revoke_reason = reason
	WHERE x.id OPERATOR(pg_catalog.=) revoke_evidence.id;
END
$fn$;
COMMENT ON FUNCTION autoxfer.revoke_evidence(bigint, text) IS
	'Revoke exemption evidence: it exempts no transfer from now on; the record stays';

CREATE FUNCTION autoxfer.file_important_data(rule text, reference text, filed_on date DEFAULT CURRENT_DATE)
	RETURNS void
	LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $fn$
DECLARE
	r autoxfer.rule;
BEGIN
	SELECT * INTO r FROM autoxfer.rule x WHERE x.code OPERATOR(pg_catalog.=) file_important_data.rule;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'unknown rule "%"', pg_catalog.left(coalesce(rule, 'NULL'), 64)
			USING ERRCODE = 'undefined_object', HINT = 'Name a rule code of autoxfer.rule, such as I5.';
	END IF;
	IF r.category IS DISTINCT FROM 'important' THEN
		RAISE EXCEPTION 'rule % does not identify important data', rule
			USING ERRCODE = 'invalid_parameter_value', HINT = 'Only rules of category important are filed in the important-data catalogue.';
	END IF;
	PERFORM autoxfer._check_name('catalogue reference', reference, 200);
	IF filed_on IS NULL OR NOT pg_catalog.isfinite(filed_on) THEN
		RAISE EXCEPTION 'filed_on must be a finite date' USING ERRCODE = 'invalid_parameter_value',
			HINT = 'Pass the date the catalogue was filed.';
	END IF;
	INSERT INTO autoxfer.important_data_filing AS f (rule, reference, filed_on)
	VALUES (file_important_data.rule, file_important_data.reference, file_important_data.filed_on)
	ON CONFLICT ON CONSTRAINT important_data_filing_pkey DO UPDATE
	SET reference = EXCLUDED.reference, filed_on = EXCLUDED.filed_on, recorded_at = pg_catalog.now(),
		recorded_by = SESSION_USER;
END
$fn$;
COMMENT ON FUNCTION autoxfer.file_important_data(text, text, date) IS
	'Record that the important data a rule identifies is in the catalogue filed with the authority (no longer a candidate)';

-- Rule M5: a data set the authorities named.  Every row of the table is at
-- least the category given, by a rule bound to the table whose code starts
-- with M5 (explain shows it with its clause).
CREATE FUNCTION autoxfer.declare_table(rel regclass, category autoxfer.category, clause text)
	RETURNS integer
	LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $fn$
DECLARE
	id integer;
BEGIN
	IF rel IS NULL OR category IS NULL THEN
		RAISE EXCEPTION 'autoxfer.declare_table: rel and category must not be NULL'
			USING ERRCODE = 'null_value_not_allowed', HINT = 'Pass the table and the category the authorities named.';
	END IF;
	PERFORM autoxfer._check_relation(rel, 'declare');
	PERFORM autoxfer._check_name('the clause of a named data set', clause, 1000);
	IF category OPERATOR(pg_catalog.=) 'general' THEN
		RAISE EXCEPTION 'a named data set is at least personal data'
			USING ERRCODE = 'invalid_parameter_value', HINT = 'Every row is at least general already.';
	END IF;
	SELECT r.id INTO id FROM autoxfer.rule r
	WHERE r.rel OPERATOR(pg_catalog.=) declare_table.rel AND r.code ~ '^M5\.'
	  AND r.category OPERATOR(pg_catalog.=) declare_table.category
	  AND r.clause OPERATOR(pg_catalog.=) ('M5: ' OPERATOR(pg_catalog.||) declare_table.clause);
	IF FOUND THEN
		RETURN id;
	END IF;
	id := pg_catalog.nextval('autoxfer.rule_id_seq');
	INSERT INTO autoxfer.rule (id, code, predicate, rel, category, clause)
	VALUES (id, 'M5.' || id, 'true', rel, category, 'M5: ' || clause);
	RETURN id;
END
$fn$;
COMMENT ON FUNCTION autoxfer.declare_table(regclass, autoxfer.category, text) IS
	'Rule M5: make every row of a table at least a category (a data set the authorities named as needing assessment), by a rule M5.N bound to the table with the clause; returns the rule id; repeating it is a no-op';

-- The verdict ----------------------------------------------------------------

CREATE TYPE autoxfer.decision AS (
	exportable	boolean,
	measure		autoxfer.measure,
	exemption	autoxfer.exemption,
	filing		bigint,
	rule		text,
	reason		text,
	evidence	bigint
);
COMMENT ON TYPE autoxfer.decision IS
	'A verdict: whether the row may go to the recipient for the purpose, under which measure (the one needed, when it may not), exemption, filing and evidence, the rule ids that decided, and why in words';

CREATE FUNCTION autoxfer.verdict(label autoxfer.label, recipient text, purpose text)
	RETURNS autoxfer.decision
	AS 'MODULE_PATHNAME', 'ax_verdict' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION autoxfer.verdict(autoxfer.label, text, text) IS
	'Whether a row of this label may go abroad to the recipient for the purpose today, under which measure, exemption, filing or evidence, by which rules, and why (RULES sections 3, 5 and 6, with this year''s ledger counts, China time)';

CREATE FUNCTION autoxfer.exportable(label autoxfer.label, recipient text, purpose text)
	RETURNS boolean
	AS 'MODULE_PATHNAME', 'ax_exportable' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION autoxfer.exportable(autoxfer.label, text, text) IS
	'Fast path of autoxfer.verdict: whether a row of this label may go to the recipient for the purpose (decided once per distinct label and transaction)';

CREATE FUNCTION autoxfer.verdict_as_of(label autoxfer.label, recipient text, purpose text, on_date date,
									   personal_individuals bigint, sensitive_individuals bigint,
									   recipient_personal bigint DEFAULT NULL, recipient_sensitive bigint DEFAULT NULL)
	RETURNS autoxfer.decision
	AS 'MODULE_PATHNAME', 'ax_verdict_as_of' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION autoxfer.verdict_as_of(autoxfer.label, text, text, date, bigint, bigint, bigint, bigint) IS
	'The verdict as it would be on a date with the year''s counts given (the recipient''s default to them): planning, and testing the rules at their boundaries';

-- Every change of what verdicts decide from tells every backend to drop its
-- cached decisions.
CREATE FUNCTION autoxfer._verdict_state_changed() RETURNS trigger
	AS 'MODULE_PATHNAME', 'ax_verdict_state_changed' LANGUAGE C;
COMMENT ON FUNCTION autoxfer._verdict_state_changed() IS
	'Internal: statement trigger of the tables verdicts decide from: every backend drops its cached decisions';
DO $do$
DECLARE
	t text;
BEGIN
	FOREACH t IN ARRAY ARRAY['organisation', 'working_day_override', 'purpose', 'recipient', 'filing',
							 'evidence', 'important_data_filing', 'parameter', 'rule', 'ledger',
							 'ledger_recipient', 'protected_table']
	LOOP
		EXECUTE pg_catalog.format(
			'CREATE TRIGGER verdict_state_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON autoxfer.%I
			 FOR EACH STATEMENT EXECUTE FUNCTION autoxfer._verdict_state_changed()', t);
	END LOOP;
END
$do$;

REVOKE ALL ON FUNCTION autoxfer.set_organisation(text, boolean, text, autoxfer.scenario[]),
	autoxfer.add_purpose(text, text), autoxfer.register_recipient(text, text, name, text, boolean),
	autoxfer.unregister_recipient(text),
	autoxfer.record_filing(autoxfer.measure, text, text[], text, date, date, autoxfer.category[], autoxfer.scenario[], bigint, date),
	autoxfer.record_contract_filing(bigint, date), autoxfer.revoke_filing(bigint, text),
	autoxfer.record_evidence(autoxfer.exemption, text, text, text, date, date),
	autoxfer.revoke_evidence(bigint, text), autoxfer.file_important_data(text, text, date),
	autoxfer.declare_table(regclass, autoxfer.category, text),
	autoxfer._check_name(text, text, integer), autoxfer._known_recipient(text), autoxfer._known_purpose(text),
	autoxfer.verdict(autoxfer.label, text, text), autoxfer.exportable(autoxfer.label, text, text),
	autoxfer.verdict_as_of(autoxfer.label, text, text, date, bigint, bigint, bigint, bigint)
	FROM PUBLIC;
GRANT EXECUTE ON FUNCTION autoxfer.set_organisation(text, boolean, text, autoxfer.scenario[]),
	autoxfer.add_purpose(text, text), autoxfer.register_recipient(text, text, name, text, boolean),
	autoxfer.unregister_recipient(text),
	autoxfer.record_filing(autoxfer.measure, text, text[], text, date, date, autoxfer.category[], autoxfer.scenario[], bigint, date),
	autoxfer.record_contract_filing(bigint, date), autoxfer.revoke_filing(bigint, text),
	autoxfer.record_evidence(autoxfer.exemption, text, text, text, date, date),
	autoxfer.revoke_evidence(bigint, text), autoxfer.file_important_data(text, text, date),
	autoxfer.declare_table(regclass, autoxfer.category, text)
	TO autoxfer_admin;
GRANT EXECUTE ON FUNCTION autoxfer.verdict(autoxfer.label, text, text), autoxfer.exportable(autoxfer.label, text, text),
	autoxfer.verdict_as_of(autoxfer.label, text, text, date, bigint, bigint, bigint, bigint)
	TO autoxfer_admin, autoxfer_exporter, autoxfer_auditor;
REVOKE ALL ON FUNCTION autoxfer.is_working_day(date), autoxfer.add_working_days(date, integer),
	autoxfer.working_days_between(date, date) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION autoxfer.is_working_day(date), autoxfer.add_working_days(date, integer),
	autoxfer.working_days_between(date, date) TO autoxfer_admin, autoxfer_exporter, autoxfer_auditor;
