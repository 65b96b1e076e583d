-- The verdict: every rule of RULES sections 3, 5 and 6 at its boundaries.
-- Each case states the verdict derived by hand from the rules (the columns
-- exp_*); the query prints the verdict autoxfer gives next to a column
-- as_expected that compares the two.  verdict_as_of fixes the date and the
-- year's counts, so the cases do not depend on the day the test runs; the
-- live verdict and exportable() are tested on the real ledger further down.
SET search_path = autoxfer, public;
\set VERBOSITY default
\set SHOW_CONTEXT never

-- The state: a non-CIIO processor, recipients, purposes, a holiday
SELECT set_organisation('Acme Auto (Shanghai)');
SELECT add_purpose('after_sales', 'After-sales service analytics of the owner''s own vehicle');
SELECT add_purpose('analytics', 'Fleet quality analytics at the group''s R&D centre');
SELECT register_recipient(r, c) FROM (VALUES
	('r_none', 'DE'), ('r_contract', 'DE'), ('r_late', 'US'), ('r_unfiled', 'FR'),
	('r_assess_today', 'DE'), ('r_assess_yesterday', 'DE'), ('r_scope', 'JP'),
	('r_max', 'GB'), ('r_wide', 'SG'), ('r_evidence', 'DE'), ('r_other', 'DE')) v(r, c);
SELECT register_recipient('bureau', 'US', foreign_authority => true);
-- Dragon Boat Festival 2026 (Friday 19 June) is not a working day
INSERT INTO working_day_override VALUES ('2026-06-19', false, 'Dragon Boat Festival');
SELECT is_working_day('2026-06-19') AS fri_19, is_working_day('2026-06-20') AS sat_20,
	   is_working_day('2026-06-22') AS mon_22,
	   add_working_days('2026-06-08', 10) AS ten_after_8_june,
	   add_working_days('2026-03-02', 10) AS ten_after_2_march,
	   working_days_between('2026-06-08', '2026-06-23') AS between_8_and_23;

-- The filings.  D, the day of the cases, is Monday 15 June 2026.
-- a contract in force, filed in time (deadline 2026-01-19)
SELECT record_filing('standard_contract', 'r_contract', '{after_sales}', 'SC-DE-1', '2026-01-05', filed_on => '2026-01-12');
-- a contract filed late: in force from 2 March, deadline 16 March, filed 30 March
SELECT record_filing('standard_contract', 'r_late', '{after_sales}', 'SC-US-LATE', '2026-03-02', filed_on => '2026-03-30');
-- a contract in force from 8 June, not filed yet: deadline 23 June (the holiday)
SELECT record_filing('standard_contract', 'r_unfiled', '{after_sales}', 'SC-FR-1', '2026-06-08');
-- assessments of 16 June 2023 (expires 15 June 2026, D) and 15 June 2023
-- (expired 14 June, the day before D)
SELECT record_filing('security_assessment', 'r_assess_today', NULL, 'CAC-SA-2023-16', '2023-06-16');
SELECT record_filing('security_assessment', 'r_assess_yesterday', NULL, 'CAC-SA-2023-15', '2023-06-15');
-- an assessment of personal information only, connected operations only
SELECT record_filing('security_assessment', 'r_scope', '{after_sales}', 'CAC-SA-SCOPE', '2025-01-10',
					 categories => '{personal,sensitive_personal}', scenarios => '{connected_operation}');
-- a contract for at most 100,000 individuals (120,000 with the 20% growth allowance)
SELECT record_filing('standard_contract', 'r_max', '{after_sales}', 'SC-GB-MAX', '2026-01-05',
					 max_individuals => 100000, filed_on => '2026-01-06');
-- overlapping filings: the wider wins (no maximum before a maximum; then the
-- later expiry; then the older filing)
SELECT record_filing('standard_contract', 'r_wide', '{after_sales}', 'SC-SG-200K', '2026-01-05',
					 max_individuals => 200000, filed_on => '2026-01-06');
SELECT record_filing('standard_contract', 'r_wide', '{after_sales}', 'SC-SG-OPEN', '2026-02-02',
					 filed_on => '2026-02-03');
SELECT record_filing('certification', 'r_wide', NULL, 'CERT-SG-2025', '2025-03-01');
-- a certification for every recipient, long expired: it covers nothing on D
SELECT record_filing('certification', NULL, NULL, 'CERT-ALL-2019', '2019-01-07');
SELECT id, measure, recipient, reference, approved_on, valid_until, filed_on FROM filing ORDER BY id;

CREATE TABLE cases (
	n int PRIMARY KEY, what text, label label, recipient text, purpose text,
	on_date date DEFAULT '2026-06-15', p bigint DEFAULT 0, s bigint DEFAULT 0, rp bigint, rs bigint,
	exp_ok boolean, exp_measure measure, exp_exemption exemption, exp_filing text, exp_rule text);
CREATE FUNCTION check_cases(first int, last int)
	RETURNS TABLE (n int, what text, exportable boolean, measure measure, exemption exemption,
				   filing text, rule text, as_expected boolean)
	LANGUAGE sql AS $$
	SELECT c.n, c.what, v.exportable, v.measure, v.exemption, f.reference, v.rule,
		   v.exportable = c.exp_ok AND v.measure = c.exp_measure
		   AND v.exemption IS NOT DISTINCT FROM c.exp_exemption
		   AND f.reference IS NOT DISTINCT FROM c.exp_filing AND v.rule = c.exp_rule
	FROM cases c
	CROSS JOIN LATERAL autoxfer.verdict_as_of(c.label, c.recipient, c.purpose, c.on_date, c.p, c.s, c.rp, c.rs) v
	LEFT JOIN autoxfer.filing f ON f.id = v.filing
	WHERE c.n BETWEEN first AND last ORDER BY c.n
$$;

-- Section 3: the measures and their thresholds (non-CIIO)
INSERT INTO cases (n, what, label, recipient, purpose, p, s, rp, exp_ok, exp_measure, exp_exemption, exp_filing, exp_rule) VALUES
 (1, 'general data needs no measure', 'general/exportable scenario=connected_operation', 'r_none', 'analytics', 5000000, 50000, NULL, true, 'none', NULL, NULL, 'C1'),
 (2, 'personal, 99,999 this year: small volume', 'personal/conditional scenario=connected_operation rule=102', 'r_none', 'analytics', 99999, 0, NULL, true, 'exempt', 'small_volume', NULL, 'M7,E5'),
 (3, 'personal, 100,000, no filing', 'personal/conditional scenario=connected_operation rule=102', 'r_none', 'analytics', 100000, 0, NULL, false, 'standard_contract', NULL, NULL, 'M6'),
 (4, 'personal, 100,000, contract in force', 'personal/conditional scenario=connected_operation rule=102', 'r_contract', 'after_sales', 100000, 0, NULL, true, 'standard_contract', NULL, 'SC-DE-1', 'M6'),
 (5, 'personal, 999,999, contract', 'personal/conditional scenario=connected_operation rule=102', 'r_contract', 'after_sales', 999999, 0, NULL, true, 'standard_contract', NULL, 'SC-DE-1', 'M6'),
 (6, 'personal, 1,000,000: assessment, not the contract', 'personal/conditional scenario=connected_operation rule=102', 'r_contract', 'after_sales', 1000000, 0, NULL, false, 'security_assessment', NULL, NULL, 'M3'),
 (7, 'sensitive, the first individual, no filing', 'sensitive_personal/blocked scenario=connected_operation rule=104', 'r_none', 'analytics', 0, 0, NULL, false, 'standard_contract', NULL, NULL, 'M6'),
 (8, 'sensitive, 9,999, contract', 'sensitive_personal/blocked scenario=connected_operation rule=104', 'r_contract', 'after_sales', 9999, 9999, NULL, true, 'standard_contract', NULL, 'SC-DE-1', 'M6'),
 (9, 'sensitive, 10,000: assessment', 'sensitive_personal/blocked scenario=connected_operation rule=104', 'r_contract', 'after_sales', 10000, 10000, NULL, false, 'security_assessment', NULL, NULL, 'M4'),
 (10, 'sensitive, 10,000, and personal, 100,000: the most demanding wins', 'sensitive_personal/blocked scenario=connected_operation rule=104', 'r_contract', 'after_sales', 100000, 10000, NULL, false, 'security_assessment', NULL, NULL, 'M4'),
 (11, 'important data, a contract is not enough', 'important/blocked scenario=connected_operation elements={personal_information} rule=5 tallies={personal}', 'r_contract', 'after_sales', 10, 0, NULL, false, 'security_assessment', NULL, NULL, 'M1,I5'),
 (12, 'important data, assessment expiring today', 'important/blocked scenario=connected_operation elements={geographic_information} rule=1', 'r_assess_today', 'analytics', 0, 0, NULL, true, 'security_assessment', NULL, 'CAC-SA-2023-16', 'M1,I1'),
 (13, 'important data, assessment expired yesterday', 'important/blocked scenario=connected_operation elements={geographic_information} rule=1', 'r_assess_yesterday', 'analytics', 0, 0, NULL, false, 'security_assessment', NULL, NULL, 'M1,I1'),
 (14, 'personal, 100,000, under an assessment', 'personal/conditional scenario=connected_operation rule=102', 'r_assess_today', 'analytics', 100000, 0, NULL, true, 'security_assessment', NULL, 'CAC-SA-2023-16', 'M6'),
 (15, 'contract filed late, after its deadline', 'personal/conditional scenario=connected_operation rule=102', 'r_late', 'after_sales', 100000, 0, NULL, false, 'standard_contract', NULL, NULL, 'M6'),
 (16, 'filing for another recipient', 'personal/conditional scenario=connected_operation rule=102', 'r_other', 'after_sales', 100000, 0, NULL, false, 'standard_contract', NULL, NULL, 'M6'),
 (17, 'filing for another purpose', 'personal/conditional scenario=connected_operation rule=102', 'r_contract', 'analytics', 100000, 0, NULL, false, 'standard_contract', NULL, NULL, 'M6'),
 (18, 'assessment of another category', 'important/blocked scenario=connected_operation elements={personal_information} rule=5 tallies={personal}', 'r_scope', 'after_sales', 10, 0, NULL, false, 'security_assessment', NULL, NULL, 'M1,I5'),
 (19, 'the same assessment covers personal data of its scenario', 'personal/conditional scenario=connected_operation rule=102', 'r_scope', 'after_sales', 100000, 0, NULL, true, 'security_assessment', NULL, 'CAC-SA-SCOPE', 'M6'),
 (20, 'assessment of another scenario', 'personal/conditional scenario=driving_automation rule=102', 'r_scope', 'after_sales', 100000, 0, NULL, false, 'standard_contract', NULL, NULL, 'M6'),
 (21, 'maximum 100,000, recipient at 120,000: within the 20% growth', 'personal/conditional scenario=connected_operation rule=102', 'r_max', 'after_sales', 150000, 0, 120000, true, 'standard_contract', NULL, 'SC-GB-MAX', 'M6'),
 (22, 'maximum 100,000, recipient at 120,001: past the growth', 'personal/conditional scenario=connected_operation rule=102', 'r_max', 'after_sales', 150000, 0, 120001, false, 'standard_contract', NULL, NULL, 'M6'),
 (23, 'overlapping filings: the one without a maximum wins', 'personal/conditional scenario=connected_operation rule=102', 'r_wide', 'after_sales', 150000, 0, NULL, true, 'standard_contract', NULL, 'SC-SG-OPEN', 'M6');
-- and the contracts' deadlines on other days
INSERT INTO cases (n, what, label, recipient, purpose, on_date, p, exp_ok, exp_measure, exp_exemption, exp_filing, exp_rule) VALUES
 (30, 'the late contract, before its deadline', 'personal/conditional scenario=connected_operation rule=102', 'r_late', 'after_sales', '2026-03-16', 100000, true, 'standard_contract', NULL, 'SC-US-LATE', 'M6'),
 (31, 'the late contract, the day after its deadline', 'personal/conditional scenario=connected_operation rule=102', 'r_late', 'after_sales', '2026-03-17', 100000, false, 'standard_contract', NULL, NULL, 'M6'),
 (32, 'an unfiled contract on D, within its deadline', 'personal/conditional scenario=connected_operation rule=102', 'r_unfiled', 'after_sales', '2026-06-15', 100000, true, 'standard_contract', NULL, 'SC-FR-1', 'M6'),
 (33, 'an unfiled contract on its deadline (the holiday moved it to 23 June)', 'personal/conditional scenario=connected_operation rule=102', 'r_unfiled', 'after_sales', '2026-06-23', 100000, true, 'standard_contract', NULL, 'SC-FR-1', 'M6'),
 (34, 'an unfiled contract the day after its deadline', 'personal/conditional scenario=connected_operation rule=102', 'r_unfiled', 'after_sales', '2026-06-24', 100000, false, 'standard_contract', NULL, NULL, 'M6'),
 (35, 'a contract before it takes effect', 'personal/conditional scenario=connected_operation rule=102', 'r_unfiled', 'after_sales', '2026-06-05', 100000, false, 'standard_contract', NULL, NULL, 'M6'),
 (36, 'the certification of every recipient, in 2020', 'personal/conditional scenario=connected_operation rule=102', 'r_none', 'analytics', '2020-05-04', 100000, true, 'certification', NULL, 'CERT-ALL-2019', 'M6'),
 (37, 'the same certification, expired in 2022', 'personal/conditional scenario=connected_operation rule=102', 'r_none', 'analytics', '2022-01-07', 100000, false, 'standard_contract', NULL, NULL, 'M6'),
 (38, 'the same certification, its last day', 'personal/conditional scenario=connected_operation rule=102', 'r_none', 'analytics', '2022-01-06', 100000, true, 'certification', NULL, 'CERT-ALL-2019', 'M6');
SELECT * FROM check_cases(1, 99);
-- what the sentences say (a refusal names what is missing)
SELECT c.n, v.reason FROM cases c,
	LATERAL verdict_as_of(c.label, c.recipient, c.purpose, c.on_date, c.p, c.s, c.rp, c.rs) v
WHERE c.n IN (3, 6, 11, 13, 15, 22, 32, 34) ORDER BY c.n;

-- Section 6: never exported, whatever is filed
INSERT INTO cases (n, what, label, recipient, purpose, exp_ok, exp_measure, exp_exemption, exp_filing, exp_rule) VALUES
 (100, 'core data, with an assessment in force (P1)', 'core/blocked scenario=connected_operation rule=105', 'r_assess_today', 'analytics', false, 'prohibited', NULL, NULL, 'P1'),
 (101, 'general data to a foreign law-enforcement body (P2)', 'general/exportable scenario=connected_operation', 'bureau', 'analytics', false, 'prohibited', NULL, NULL, 'P2'),
 (102, 'road-test survey data, with an assessment (P3)', 'important/blocked scenario=driving_automation elements={geographic_information} rule=301', 'r_assess_today', 'analytics', false, 'prohibited', NULL, NULL, 'P3'),
 (103, 'road-test survey data collected abroad (P3 still)', 'important/blocked scenario=driving_automation elements={geographic_information} exemptions={collected_abroad} rule=301', 'r_assess_today', 'analytics', false, 'prohibited', NULL, NULL, 'P3');
SELECT * FROM check_cases(100, 199);

-- Section 5: the exemptions, each only for its own purpose and with its
-- evidence in force
SELECT record_evidence('contract_necessity', 'contract_performance', 'Purchase contracts, template 2026-02', 'r_evidence', '2026-01-01', '2026-12-31') AS e2;
SELECT record_evidence('emergency', 'emergency', 'Roadside assistance case 5521', NULL, '2026-06-01', '2026-06-14') AS e4_expired;
SELECT record_evidence('hr_management', 'hr_management', 'Group HR rules v3', 'r_other', '2026-01-01') AS e3_other_recipient;
INSERT INTO cases (n, what, label, recipient, purpose, p, exp_ok, exp_measure, exp_exemption, exp_filing, exp_rule) VALUES
 (200, 'E2 with its evidence in force, personal, 500,000', 'personal/conditional scenario=connected_operation rule=102', 'r_evidence', 'contract_performance', 500000, true, 'exempt', 'contract_necessity', NULL, 'E2'),
 (201, 'E2 covers sensitive personal information too', 'sensitive_personal/blocked scenario=connected_operation rule=104', 'r_evidence', 'contract_performance', 500000, true, 'exempt', 'contract_necessity', NULL, 'E2'),
 (202, 'E2 does not cover important data', 'important/blocked scenario=connected_operation elements={personal_information} rule=5 tallies={personal}', 'r_evidence', 'contract_performance', 500000, false, 'security_assessment', NULL, NULL, 'M1,I5'),
 (203, 'E2 purpose, no evidence for this recipient', 'personal/conditional scenario=connected_operation rule=102', 'r_none', 'contract_performance', 500000, false, 'standard_contract', NULL, NULL, 'M6'),
 (204, 'E2 evidence, another purpose of the transfer', 'personal/conditional scenario=connected_operation rule=102', 'r_evidence', 'analytics', 500000, false, 'standard_contract', NULL, NULL, 'M6'),
 (205, 'E4 evidence expired the day before', 'personal/conditional scenario=connected_operation rule=102', 'r_none', 'emergency', 500000, false, 'standard_contract', NULL, NULL, 'M6'),
 (206, 'E3 evidence of another recipient', 'personal/conditional scenario=connected_operation rule=102', 'r_none', 'hr_management', 500000, false, 'standard_contract', NULL, NULL, 'M6'),
 (207, 'E3 evidence of its recipient', 'personal/conditional scenario=connected_operation rule=102', 'r_other', 'hr_management', 500000, true, 'exempt', 'hr_management', NULL, 'E3'),
 (210, 'E1: collected abroad, important data, any purpose', 'important/blocked scenario=rd_design elements={export_control} exemptions={collected_abroad} rule=8', 'r_none', 'analytics', 0, true, 'exempt', 'collected_abroad', NULL, 'E1'),
 (211, 'E7: reported vulnerability, important data, its purpose', 'important/conditional scenario=software_upgrade elements={system_function} exemptions={vulnerability_reported} rule=7', 'r_none', 'vulnerability_fix', 0, true, 'exempt', 'vulnerability_reported', NULL, 'E7'),
 (212, 'E7 for another purpose', 'important/conditional scenario=software_upgrade elements={system_function} exemptions={vulnerability_reported} rule=7', 'r_none', 'analytics', 0, false, 'security_assessment', NULL, NULL, 'M1,I7'),
 (213, 'E9: filed OTA source for a recall', 'important/conditional scenario=software_upgrade elements={system_function} exemptions={ota_source_filed} rule=7', 'r_none', 'recall', 0, true, 'exempt', 'ota_source_filed', NULL, 'E9'),
 (214, 'E9 claimed with E8''s purpose', 'important/conditional scenario=software_upgrade elements={system_function} exemptions={ota_source_filed} rule=7', 'r_none', 'incident_handling', 0, false, 'security_assessment', NULL, NULL, 'M1,I7'),
 (215, 'E8: reported incident, personal data, its purpose', 'personal/conditional scenario=connected_operation exemptions={incident_reported} rule=102', 'r_none', 'incident_handling', 500000, true, 'exempt', 'incident_reported', NULL, 'E8');
SELECT * FROM check_cases(200, 299);
-- an exemption recorded for another purpose than its own is refused
SELECT record_evidence('contract_necessity', 'after_sales', 'x');
SELECT record_evidence('small_volume', 'after_sales', 'x');
SELECT record_evidence('ota_source_filed', 'recall', 'x');
SELECT record_evidence('free_trade_zone', 'analytics', 'x');

-- E7-E9 cover important data only while the parameter says so, and only
-- from the Guidelines' date
UPDATE parameter SET value = 0 WHERE name = 'evidence_exemptions_cover_important';
INSERT INTO cases (n, what, label, recipient, purpose, p, exp_ok, exp_measure, exp_exemption, exp_filing, exp_rule) VALUES
 (300, 'E7, important data, parameter 0', 'important/conditional scenario=software_upgrade elements={system_function} exemptions={vulnerability_reported} rule=7', 'r_none', 'vulnerability_fix', 0, false, 'security_assessment', NULL, NULL, 'M1,I7'),
 (301, 'E8, personal data, parameter 0', 'personal/conditional scenario=connected_operation exemptions={incident_reported} rule=102', 'r_none', 'incident_handling', 500000, true, 'exempt', 'incident_reported', NULL, 'E8');
SELECT * FROM check_cases(300, 399);
UPDATE parameter SET value = 1 WHERE name = 'evidence_exemptions_cover_important';
UPDATE parameter SET value = 20270101 WHERE name = 'guidelines_effective_date';
INSERT INTO cases (n, what, label, recipient, purpose, p, exp_ok, exp_measure, exp_exemption, exp_filing, exp_rule) VALUES
 (400, 'E9 before the Guidelines apply', 'important/conditional scenario=software_upgrade elements={system_function} exemptions={ota_source_filed} rule=7', 'r_none', 'recall', 0, false, 'security_assessment', NULL, NULL, 'M1,I7'),
 (401, 'E1 does not come from the Guidelines', 'important/blocked scenario=rd_design elements={export_control} exemptions={collected_abroad} rule=8', 'r_none', 'analytics', 0, true, 'exempt', 'collected_abroad', NULL, 'E1');
SELECT * FROM check_cases(400, 499);
UPDATE parameter SET value = 20260203 WHERE name = 'guidelines_effective_date';

-- E6: a processor in a pilot free trade zone, data not on its negative list
SELECT set_organisation('Acme Auto (Shanghai)', free_trade_zone => 'Shanghai Lin-gang', negative_list => '{driving_automation}');
SELECT record_evidence('free_trade_zone', 'analytics', 'Lin-gang registration 2025-118', valid_from => '2026-01-01') AS e6;
INSERT INTO cases (n, what, label, recipient, purpose, p, exp_ok, exp_measure, exp_exemption, exp_filing, exp_rule) VALUES
 (500, 'E6, connected operations not on the list, personal 500,000', 'personal/conditional scenario=connected_operation rule=102', 'r_none', 'analytics', 500000, true, 'exempt', 'free_trade_zone', NULL, 'E6'),
 (501, 'E6 covers important data not on the list', 'important/blocked scenario=connected_operation elements={geographic_information} rule=1', 'r_none', 'analytics', 0, true, 'exempt', 'free_trade_zone', NULL, 'E6'),
 (502, 'E6, driving automation is on the negative list', 'personal/conditional scenario=driving_automation rule=102', 'r_none', 'analytics', 500000, false, 'standard_contract', NULL, NULL, 'M6'),
 (503, 'E6 evidence for another purpose', 'personal/conditional scenario=connected_operation rule=102', 'r_none', 'after_sales', 500000, false, 'standard_contract', NULL, NULL, 'M6');
SELECT * FROM check_cases(500, 599);

-- M2: a critical information infrastructure operator needs an assessment
-- for any personal information, whatever the count
SELECT set_organisation('Acme Auto (Shanghai)', ciio => true);
INSERT INTO cases (n, what, label, recipient, purpose, p, exp_ok, exp_measure, exp_exemption, exp_filing, exp_rule) VALUES
 (600, 'CIIO, one individual, under a contract', 'personal/conditional scenario=connected_operation rule=102', 'r_contract', 'after_sales', 1, false, 'security_assessment', NULL, NULL, 'M2'),
 (601, 'CIIO, one individual, under an assessment', 'personal/conditional scenario=connected_operation rule=102', 'r_assess_today', 'analytics', 1, true, 'security_assessment', NULL, 'CAC-SA-2023-16', 'M2'),
 (602, 'CIIO, general data', 'general/exportable scenario=connected_operation', 'r_none', 'analytics', 1, true, 'none', NULL, NULL, 'C1'),
 (603, 'CIIO, E2 with evidence still exempts', 'personal/conditional scenario=connected_operation rule=102', 'r_evidence', 'contract_performance', 1, true, 'exempt', 'contract_necessity', NULL, 'E2');
SELECT * FROM check_cases(600, 699);
SELECT reason FROM verdict_as_of('personal/conditional rule=102', 'r_contract', 'after_sales', '2026-06-15', 1, 0);
-- an undeclared processor is treated as a CIIO
DELETE FROM organisation;
SELECT reason FROM verdict_as_of('personal/conditional rule=102', 'r_none', 'analytics', '2026-06-15', 1, 0);
SELECT set_organisation('Acme Auto (Shanghai)');

-- candidate important data: not yet in a filed catalogue, and the
-- parameter says to treat candidates by the personal information they hold
UPDATE parameter SET value = 0 WHERE name = 'candidates_as_important';
INSERT INTO cases (n, what, label, recipient, purpose, p, exp_ok, exp_measure, exp_exemption, exp_filing, exp_rule) VALUES
 (700, 'candidate I5 with personal information, 100,000: a contract', 'important/blocked scenario=connected_operation elements={personal_information} rule=5 tallies={personal}', 'r_contract', 'after_sales', 100000, true, 'standard_contract', NULL, 'SC-DE-1', 'M6'),
 (701, 'candidate I1 without personal information: general', 'important/blocked scenario=connected_operation elements={geographic_information} rule=1', 'r_none', 'analytics', 0, true, 'none', NULL, NULL, 'C1');
SELECT * FROM check_cases(700, 799);
SELECT file_important_data('I5', 'Important data catalogue 2026, item 12', '2026-04-01');
INSERT INTO cases (n, what, label, recipient, purpose, p, exp_ok, exp_measure, exp_exemption, exp_filing, exp_rule) VALUES
 (800, 'I5 once filed: important again', 'important/blocked scenario=connected_operation elements={personal_information} rule=5 tallies={personal}', 'r_contract', 'after_sales', 100000, false, 'security_assessment', NULL, NULL, 'M1,I5');
SELECT * FROM check_cases(800, 899);
UPDATE parameter SET value = 1 WHERE name = 'candidates_as_important';
SELECT file_important_data('C2', 'x');
SELECT file_important_data('Z9', 'x');

-- M5: a data set the authorities named, declared on a table
CREATE TABLE named_set (id int, owner_id text);
SELECT declare_table('named_set', 'important', 'CAC notice 2026-17: battery telemetry of ride-hailing fleets') AS m5_rule \gset
SELECT declare_table('named_set', 'important', 'CAC notice 2026-17: battery telemetry of ride-hailing fleets') = :m5_rule AS repeated_is_noop;
SELECT code = 'M5.' || id AS code_is_m5_id, predicate, category, clause FROM rule WHERE id = :m5_rule;
INSERT INTO cases (n, what, label, recipient, purpose, exp_ok, exp_measure, exp_exemption, exp_filing, exp_rule)
SELECT 900, 'a named data set (M5)', make_label('important', 'blocked', 'other', '{}', '{}', :m5_rule, 1), 'r_none', 'analytics',
	   false, 'security_assessment', NULL, NULL, 'M5,M5.' || :m5_rule;
SELECT n, what, exportable, measure, as_expected FROM check_cases(900, 999);
SELECT declare_table('named_set', 'general', 'x');
SELECT declare_table('named_set', 'important', '');

-- The live verdict: today's date in China and this year's ledger
SELECT (verdict('personal/conditional rule=102', 'r_none', 'analytics')).rule AS nothing_counted_yet;
SET ROLE autoxfer_admin;
SELECT ledger_add('personal', subjects('P' || g), 'r_none') AS booked FROM generate_series(1, 99999) g;
RESET ROLE;
SELECT ledger_count('personal') AS this_year,
	   exportable('personal/conditional rule=102', 'r_none', 'analytics') AS at_99999,
	   (verdict('personal/conditional rule=102', 'r_none', 'analytics')).rule;
-- one more individual, in the same transaction: the next statement judges
-- at the new tier
BEGIN;
SET LOCAL ROLE autoxfer_admin;
SELECT ledger_add('personal', subject_of('P100000'), 'r_none') AS booked;
SELECT exportable('personal/conditional rule=102', 'r_none', 'analytics') AS at_100000,
	   (verdict('personal/conditional rule=102', 'r_none', 'analytics')).reason;
ROLLBACK;
SELECT exportable('personal/conditional rule=102', 'r_none', 'analytics') AS rolled_back_99999;
-- a filing revoked in a transaction stops covering at the next statement
SELECT exportable('sensitive_personal/blocked rule=104', 'r_contract', 'after_sales') AS under_contract;
BEGIN;
SELECT revoke_filing(id, 'contract terminated') FROM filing WHERE reference = 'SC-DE-1';
SELECT exportable('sensitive_personal/blocked rule=104', 'r_contract', 'after_sales') AS revoked;
ROLLBACK;
-- exportable() as a filter: decided once per label
CREATE TABLE mixed (id int, l label);
INSERT INTO mixed SELECT g, (ARRAY['general/exportable', 'personal/conditional rule=102',
	'sensitive_personal/blocked rule=104', 'core/blocked rule=105'])[1 + g % 4]::label FROM generate_series(1, 4000) g;
SELECT count(*) FILTER (WHERE exportable(l, 'r_none', 'analytics')) AS to_r_none,
	   count(*) FILTER (WHERE exportable(l, 'r_contract', 'after_sales')) AS to_r_contract,
	   count(*) FILTER (WHERE exportable(l, r, 'after_sales')) AS per_row_recipient
FROM mixed, LATERAL (SELECT CASE WHEN id % 2 = 0 THEN 'r_none' ELSE 'r_contract' END AS r) x;

-- Who may ask: the exporter and the auditor; PUBLIC may not
CREATE ROLE ax_nobody;
SET ROLE autoxfer_exporter;
SELECT (verdict('general/exportable', 'r_none', 'analytics')).exportable AS exporter_asks;
SELECT count(*) AS exporter_reads_filings FROM filing;
SELECT record_filing('certification', NULL, NULL, 'FORGED', '2026-01-01');
RESET ROLE;
SET ROLE autoxfer_auditor;
SELECT exportable('general/exportable', 'r_none', 'analytics') AS auditor_asks;
INSERT INTO filing (measure, recipient, reference, approved_on) VALUES ('certification', NULL, 'FORGED', '2026-01-01');
RESET ROLE;
SET ROLE ax_nobody;
SELECT autoxfer.exportable('general/exportable', 'r_none', 'analytics');
RESET ROLE;
SET ROLE autoxfer_admin;
UPDATE autoxfer.filing SET valid_until = '2099-01-01';
DELETE FROM autoxfer.evidence;
RESET ROLE;
SELECT count(*) AS forged FROM filing WHERE reference = 'FORGED' OR valid_until = '2099-01-01';

-- Bad input: clear errors, SQLSTATE and hint, nothing written
\getenv abs_srcdir PG_ABS_SRCDIR
\set helper :abs_srcdir '/sql/include/try_hint.sql'
\i :helper
SELECT pg_temp.try(s) AS error FROM (VALUES
	($$SELECT autoxfer.verdict(NULL, 'r_none', 'analytics')$$),
	($$SELECT autoxfer.exportable('general/exportable', NULL, 'analytics')$$),
	($$SELECT autoxfer.verdict('general/exportable', 'r_none', NULL)$$),
	($$SELECT autoxfer.verdict('general/exportable', 'nobody', 'analytics')$$),
	($$SELECT autoxfer.verdict('general/exportable', 'r_none', 'spying')$$),
	($$SELECT autoxfer.verdict('general/exportable', repeat('x', 100000), 'analytics')$$),
	($$SELECT autoxfer.exportable('general/exportable', E'r_none\n; DROP TABLE cases', 'analytics')$$),
	($$SELECT autoxfer.verdict_as_of('general/exportable', 'r_none', 'analytics', 'infinity', 0, 0)$$),
	($$SELECT autoxfer.verdict_as_of('general/exportable', 'r_none', 'analytics', '2026-06-15', -1, 0)$$),
	($$SELECT autoxfer.verdict_as_of('general/exportable', 'r_none', 'analytics', NULL, 0, 0)$$)) v(s);
SELECT record_filing('standard_contract', 'r_none', '{after_sales}', 'SC-BAD', '2026-06-15', '2026-06-14');
SELECT record_filing('security_assessment', 'r_none', NULL, 'SA-LONG', '2026-01-01', '2029-06-01');
SELECT record_filing('exempt', 'r_none', NULL, 'X', '2026-01-01');
SELECT record_filing('standard_contract', NULL, NULL, 'X', '2026-01-01');
SELECT record_filing('standard_contract', 'nobody', NULL, 'X', '2026-01-01');
SELECT record_filing('standard_contract', 'r_none', '{}', 'X', '2026-01-01');
SELECT record_filing('standard_contract', 'r_none', '{spying}', 'X', '2026-01-01');
SELECT record_filing('standard_contract', 'r_none', NULL, '  ', '2026-01-01');
SELECT record_filing('standard_contract', 'r_none', NULL, 'X', NULL);
SELECT record_filing('standard_contract', 'r_none', NULL, 'X', 'infinity');
SELECT record_filing('standard_contract', 'r_none', NULL, 'X', '2026-01-01', categories => '{general}');
SELECT record_filing('standard_contract', 'r_none', NULL, 'X', '2026-01-01', max_individuals => 0);
SELECT record_filing('security_assessment', 'r_none', NULL, 'X', '2026-01-01', filed_on => '2026-01-02');
SELECT record_filing('standard_contract', 'r_none', NULL, 'X', '2026-01-05', filed_on => '2026-01-02');
SELECT record_filing('standard_contract', 'r_contract', '{after_sales}', 'SC-DE-1', '2026-01-05');
SELECT record_contract_filing(id, '2026-01-20') FROM filing WHERE reference = 'SC-DE-1';
SELECT record_contract_filing(id, '2026-01-01') FROM filing WHERE reference = 'SC-FR-1';
SELECT record_contract_filing(id, '2026-06-09') FROM filing WHERE reference = 'CAC-SA-SCOPE';
SELECT revoke_filing(424242, 'x');
SELECT revoke_filing(id, NULL) FROM filing WHERE reference = 'SC-DE-1';
SELECT record_evidence('contract_necessity', 'contract_performance', 'x', valid_from => '2026-02-01', valid_until => '2026-01-01');
SELECT register_recipient('acme-cn', 'CN');
SELECT register_recipient('acme-x', 'Germany');
SELECT register_recipient('', 'DE');
SELECT register_recipient(E'bad\nname', 'DE');
SELECT register_recipient('r_none', 'FR');
SELECT register_recipient('r_none', 'DE') AS same_again_is_noop;
SELECT add_purpose('Spy Stuff', 'x');
SELECT add_purpose('analytics', 'something else');
SELECT set_organisation('');
SELECT set_organisation('Acme', negative_list => '{driving_automation}');
SELECT count(*) AS filings, (SELECT count(*) FROM recipient) AS recipients, (SELECT count(*) FROM evidence) AS evidence FROM filing;

-- a role abroad must be limited by row-level security: not a superuser, no
-- BYPASSRLS, not one of autoxfer's roles, registered once
CREATE ROLE ax_abroad_super SUPERUSER;
CREATE ROLE ax_abroad_bypass BYPASSRLS;
CREATE ROLE ax_abroad_admin IN ROLE autoxfer_admin;
CREATE ROLE ax_abroad;
SELECT register_recipient('vendor-a', 'DE', 'ax_abroad_super', 'analytics');
SELECT register_recipient('vendor-a', 'DE', 'ax_abroad_bypass', 'analytics');
SELECT register_recipient('vendor-a', 'DE', 'ax_abroad_admin', 'analytics');
SELECT register_recipient('vendor-a', 'DE', 'no_such_role', 'analytics');
SELECT register_recipient('vendor-a', 'DE', 'ax_abroad');
SELECT register_recipient('vendor-a', 'DE', 'ax_abroad', 'analytics');
SELECT register_recipient('vendor-b', 'DE', 'ax_abroad', 'analytics');
SELECT name, country, role, purpose FROM recipient WHERE role IS NOT NULL;
SELECT unregister_recipient('vendor-a');
SELECT unregister_recipient('r_contract');
DROP ROLE ax_abroad_super, ax_abroad_bypass, ax_abroad_admin, ax_abroad, ax_nobody;

-- a parameter of the verdicts changes no label (no rule predicate names
-- it); one a predicate names makes every label stale
CREATE TABLE maps (id int, precision_m numeric);
SELECT declare_column('maps', 'precision_m', 'map_precision_m');
SELECT protect('maps', 'driving_automation', 'NULL::text');
SELECT generation AS gen FROM protected_table WHERE rel = 'maps'::regclass \gset
UPDATE parameter SET value = 200000 WHERE name = 'm6_individuals';
SELECT generation = :gen AS unchanged_by_m6 FROM protected_table WHERE rel = 'maps'::regclass;
UPDATE parameter SET value = 10 WHERE name = 'i2_precision_m';
SELECT generation = :gen + 1 AS bumped_by_i2 FROM protected_table WHERE rel = 'maps'::regclass;
DROP TABLE maps;

-- leave a fresh extension to the next test (the ledger of this year, the
-- recipients and filings of this one are not theirs)
DROP TABLE cases, mixed, named_set;
DROP EXTENSION autoxfer CASCADE;
CREATE EXTENSION autoxfer;
