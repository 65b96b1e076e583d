-- autoxfer install script, part 10: the vocabulary of the rules as enums.
-- The order of the values is significant: the C library maps ordinals to
-- these values and checks that they match (src/vocab.c).

CREATE TYPE autoxfer.category AS ENUM (
	'general', 'personal', 'sensitive_personal', 'important', 'core');
COMMENT ON TYPE autoxfer.category IS
	'Data category of a row, in order of severity: general < personal < sensitive_personal < important < core (rules C1-C5)';

CREATE TYPE autoxfer.mark AS ENUM ('exportable', 'conditional', 'blocked');
COMMENT ON TYPE autoxfer.mark IS
	'Write-time verdict of a row before any filing or purpose: exportable (general data), conditional (may go depending on the year''s counts or the purpose), blocked (only a filing lets it go; core data never goes)';

CREATE TYPE autoxfer.scenario AS ENUM (
	'rd_design', 'production', 'driving_automation', 'software_upgrade',
	'connected_operation', 'other');
COMMENT ON TYPE autoxfer.scenario IS
	'The five typical scenarios of the 2026 Guidelines in which important data arises, plus other';

CREATE TYPE autoxfer.element AS ENUM (
	'result', 'geographic_information', 'public_safety_law_enforcement',
	'export_control', 'system_function', 'cumulative_duration',
	'scale_accuracy', 'vehicle_quantity', 'personal_information');
COMMENT ON TYPE autoxfer.element IS
	'The nine key determining elements that important-data identification rules combine';

CREATE TYPE autoxfer.measure AS ENUM (
	'none', 'exempt', 'standard_contract', 'certification',
	'security_assessment', 'prohibited');
COMMENT ON TYPE autoxfer.measure IS
	'Management measure a transfer requires, least to most demanding (rules M1-M7, P1-P3): none < exempt < standard_contract < certification < security_assessment < prohibited';

CREATE TYPE autoxfer.exemption AS ENUM (
	'collected_abroad', 'contract_necessity', 'hr_management', 'emergency',
	'small_volume', 'free_trade_zone', 'vulnerability_reported',
	'incident_reported', 'ota_source_filed');
COMMENT ON TYPE autoxfer.exemption IS
	'The nine exemptions from assessment, contract and certification, E1 (collected_abroad) to E9 (ota_source_filed)';
