-- autoxfer install script, part 20: the row label, a pass-by-value C type.

CREATE TYPE autoxfer.label;

CREATE FUNCTION autoxfer.label_in(cstring) RETURNS autoxfer.label
	AS 'MODULE_PATHNAME', 'label_in' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION autoxfer.label_out(autoxfer.label) RETURNS cstring
	AS 'MODULE_PATHNAME', 'label_out' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION autoxfer.label_recv(internal) RETURNS autoxfer.label
	AS 'MODULE_PATHNAME', 'label_recv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION autoxfer.label_send(autoxfer.label) RETURNS bytea
	AS 'MODULE_PATHNAME', 'label_send' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE autoxfer.label (
	INPUT = autoxfer.label_in,
	OUTPUT = autoxfer.label_out,
	RECEIVE = autoxfer.label_recv,
	SEND = autoxfer.label_send,
	INTERNALLENGTH = 8,
	PASSEDBYVALUE,
	ALIGNMENT = double,
	STORAGE = plain
);
COMMENT ON TYPE autoxfer.label IS
	'Classification of one row: category, write-time mark, scenario, matched elements, eligible exemptions, deciding rule and rule-set generation, in one 8-byte word ordered by severity';

COMMENT ON FUNCTION autoxfer.label_in(cstring) IS 'Text input of autoxfer.label (grammar in docs/reference.md)';
COMMENT ON FUNCTION autoxfer.label_out(autoxfer.label) IS 'Canonical text output of autoxfer.label';
COMMENT ON FUNCTION autoxfer.label_recv(internal) IS 'Binary input of autoxfer.label: one validated big-endian 64-bit word';
COMMENT ON FUNCTION autoxfer.label_send(autoxfer.label) IS 'Binary output of autoxfer.label: one big-endian 64-bit word';

-- comparison, by severity
CREATE FUNCTION autoxfer.label_eq(autoxfer.label, autoxfer.label) RETURNS boolean
	AS 'MODULE_PATHNAME', 'label_eq' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION autoxfer.label_ne(autoxfer.label, autoxfer.label) RETURNS boolean
	AS 'MODULE_PATHNAME', 'label_ne' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION autoxfer.label_lt(autoxfer.label, autoxfer.label) RETURNS boolean
	AS 'MODULE_PATHNAME', 'label_lt' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION autoxfer.label_le(autoxfer.label, autoxfer.label) RETURNS boolean
	AS 'MODULE_PATHNAME', 'label_le' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION autoxfer.label_gt(autoxfer.label, autoxfer.label) RETURNS boolean
	AS 'MODULE_PATHNAME', 'label_gt' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION autoxfer.label_ge(autoxfer.label, autoxfer.label) RETURNS boolean
	AS 'MODULE_PATHNAME', 'label_ge' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION autoxfer.label_cmp(autoxfer.label, autoxfer.label) RETURNS integer
	AS 'MODULE_PATHNAME', 'label_cmp' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION autoxfer.label_hash(autoxfer.label) RETURNS integer
	AS 'MODULE_PATHNAME', 'label_hash' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION autoxfer.label_hash_extended(autoxfer.label, bigint) RETURNS bigint
	AS 'MODULE_PATHNAME', 'label_hash_extended' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;

COMMENT ON FUNCTION autoxfer.label_eq(autoxfer.label, autoxfer.label) IS 'Label equality (all fields equal)';
COMMENT ON FUNCTION autoxfer.label_ne(autoxfer.label, autoxfer.label) IS 'Label inequality';
COMMENT ON FUNCTION autoxfer.label_lt(autoxfer.label, autoxfer.label) IS 'Less severe than';
COMMENT ON FUNCTION autoxfer.label_le(autoxfer.label, autoxfer.label) IS 'Less severe than or equal';
COMMENT ON FUNCTION autoxfer.label_gt(autoxfer.label, autoxfer.label) IS 'More severe than';
COMMENT ON FUNCTION autoxfer.label_ge(autoxfer.label, autoxfer.label) IS 'More severe than or equal';
COMMENT ON FUNCTION autoxfer.label_cmp(autoxfer.label, autoxfer.label) IS 'btree support: three-way comparison by severity';
COMMENT ON FUNCTION autoxfer.label_hash(autoxfer.label) IS 'hash support for autoxfer.label';
COMMENT ON FUNCTION autoxfer.label_hash_extended(autoxfer.label, bigint) IS 'hash support (64-bit, seeded) for autoxfer.label';

CREATE OPERATOR autoxfer.= (
	LEFTARG = autoxfer.label, RIGHTARG = autoxfer.label, PROCEDURE = autoxfer.label_eq,
	COMMUTATOR = OPERATOR(autoxfer.=), NEGATOR = OPERATOR(autoxfer.<>),
	RESTRICT = eqsel, JOIN = eqjoinsel, HASHES, MERGES);
CREATE OPERATOR autoxfer.<> (
	LEFTARG = autoxfer.label, RIGHTARG = autoxfer.label, PROCEDURE = autoxfer.label_ne,
	COMMUTATOR = OPERATOR(autoxfer.<>), NEGATOR = OPERATOR(autoxfer.=),
	RESTRICT = neqsel, JOIN = neqjoinsel);
CREATE OPERATOR autoxfer.< (
	LEFTARG = autoxfer.label, RIGHTARG = autoxfer.label, PROCEDURE = autoxfer.label_lt,
	COMMUTATOR = OPERATOR(autoxfer.>), NEGATOR = OPERATOR(autoxfer.>=),
	RESTRICT = scalarltsel, JOIN = scalarltjoinsel);
CREATE OPERATOR autoxfer.<= (
	LEFTARG = autoxfer.label, RIGHTARG = autoxfer.label, PROCEDURE = autoxfer.label_le,
	COMMUTATOR = OPERATOR(autoxfer.>=), NEGATOR = OPERATOR(autoxfer.>),
	RESTRICT = scalarlesel, JOIN = scalarlejoinsel);
CREATE OPERATOR autoxfer.> (
	LEFTARG = autoxfer.label, RIGHTARG = autoxfer.label, PROCEDURE = autoxfer.label_gt,
	COMMUTATOR = OPERATOR(autoxfer.<), NEGATOR = OPERATOR(autoxfer.<=),
	RESTRICT = scalargtsel, JOIN = scalargtjoinsel);
CREATE OPERATOR autoxfer.>= (
	LEFTARG = autoxfer.label, RIGHTARG = autoxfer.label, PROCEDURE = autoxfer.label_ge,
	COMMUTATOR = OPERATOR(autoxfer.<=), NEGATOR = OPERATOR(autoxfer.<),
	RESTRICT = scalargesel, JOIN = scalargejoinsel);

COMMENT ON OPERATOR autoxfer.= (autoxfer.label, autoxfer.label) IS 'Label equality';
COMMENT ON OPERATOR autoxfer.<> (autoxfer.label, autoxfer.label) IS 'Label inequality';
COMMENT ON OPERATOR autoxfer.< (autoxfer.label, autoxfer.label) IS 'Less severe than';
COMMENT ON OPERATOR autoxfer.<= (autoxfer.label, autoxfer.label) IS 'Less severe than or equal';
COMMENT ON OPERATOR autoxfer.> (autoxfer.label, autoxfer.label) IS 'More severe than';
COMMENT ON OPERATOR autoxfer.>= (autoxfer.label, autoxfer.label) IS 'More severe than or equal';

CREATE OPERATOR CLASS autoxfer.label_ops DEFAULT FOR TYPE autoxfer.label USING btree AS
	OPERATOR 1 autoxfer.<,
	OPERATOR 2 autoxfer.<=,
	OPERATOR 3 autoxfer.=,
	OPERATOR 4 autoxfer.>=,
	OPERATOR 5 autoxfer.>,
	FUNCTION 1 autoxfer.label_cmp(autoxfer.label, autoxfer.label);
COMMENT ON OPERATOR CLASS autoxfer.label_ops USING btree IS 'Order labels by severity (category, then mark)';

CREATE OPERATOR CLASS autoxfer.label_hash_ops DEFAULT FOR TYPE autoxfer.label USING hash AS
	OPERATOR 1 autoxfer.=,
	FUNCTION 1 autoxfer.label_hash(autoxfer.label),
	FUNCTION 2 autoxfer.label_hash_extended(autoxfer.label, bigint);
COMMENT ON OPERATOR CLASS autoxfer.label_hash_ops USING hash IS 'Hash labels for hash joins, hash aggregation and hash indexes';

-- accessors
CREATE FUNCTION autoxfer.category(autoxfer.label) RETURNS autoxfer.category
	AS 'MODULE_PATHNAME', 'label_category' LANGUAGE C STABLE STRICT PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION autoxfer.category(autoxfer.label) IS 'Data category of a label';
CREATE FUNCTION autoxfer.mark(autoxfer.label) RETURNS autoxfer.mark
	AS 'MODULE_PATHNAME', 'label_mark' LANGUAGE C STABLE STRICT PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION autoxfer.mark(autoxfer.label) IS 'Write-time mark of a label: exportable, conditional or blocked';
CREATE FUNCTION autoxfer.scenario(autoxfer.label) RETURNS autoxfer.scenario
	AS 'MODULE_PATHNAME', 'label_scenario' LANGUAGE C STABLE STRICT PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION autoxfer.scenario(autoxfer.label) IS 'Scenario of a label';
CREATE FUNCTION autoxfer.elements(autoxfer.label) RETURNS autoxfer.element[]
	AS 'MODULE_PATHNAME', 'label_elements' LANGUAGE C STABLE STRICT PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION autoxfer.elements(autoxfer.label) IS 'Determining elements matched by the rules that classified the row';
CREATE FUNCTION autoxfer.exemptions(autoxfer.label) RETURNS autoxfer.exemption[]
	AS 'MODULE_PATHNAME', 'label_exemptions' LANGUAGE C STABLE STRICT PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION autoxfer.exemptions(autoxfer.label) IS 'Exemptions the row is eligible for on the evidence it carries';
CREATE FUNCTION autoxfer.rule_id(autoxfer.label) RETURNS integer
	AS 'MODULE_PATHNAME', 'label_rule' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION autoxfer.rule_id(autoxfer.label) IS 'Numeric id of the rule that decided the category (0: none)';
CREATE FUNCTION autoxfer.generation(autoxfer.label) RETURNS integer
	AS 'MODULE_PATHNAME', 'label_generation' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION autoxfer.generation(autoxfer.label) IS 'Rule-set generation the label was written under (stale labels have an older one)';
CREATE FUNCTION autoxfer.tallies(autoxfer.label) RETURNS autoxfer.category[]
	AS 'MODULE_PATHNAME', 'label_tallies' LANGUAGE C STABLE STRICT PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION autoxfer.tallies(autoxfer.label) IS 'Yearly tallies of individuals the row counts on when exported (personal, sensitive_personal)';
CREATE FUNCTION autoxfer.has_element(autoxfer.label, autoxfer.element) RETURNS boolean
	AS 'MODULE_PATHNAME', 'label_has_element' LANGUAGE C STABLE STRICT PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION autoxfer.has_element(autoxfer.label, autoxfer.element) IS 'Whether the label has the given determining element';
CREATE FUNCTION autoxfer.eligible(autoxfer.label, autoxfer.exemption) RETURNS boolean
	AS 'MODULE_PATHNAME', 'label_eligible' LANGUAGE C STABLE STRICT PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION autoxfer.eligible(autoxfer.label, autoxfer.exemption) IS 'Whether the row is eligible for the given exemption on its evidence';

-- constructor
CREATE FUNCTION autoxfer.make_label(
	category autoxfer.category,
	mark autoxfer.mark,
	scenario autoxfer.scenario DEFAULT 'other',
	elements autoxfer.element[] DEFAULT '{}',
	exemptions autoxfer.exemption[] DEFAULT '{}',
	rule integer DEFAULT 0,
	gen integer DEFAULT 0,
	tallies autoxfer.category[] DEFAULT '{}')
	RETURNS autoxfer.label
	AS 'MODULE_PATHNAME', 'label_make' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION autoxfer.make_label(autoxfer.category, autoxfer.mark, autoxfer.scenario, autoxfer.element[], autoxfer.exemption[], integer, integer, autoxfer.category[]) IS
	'Build a label from its parts (core data must be blocked; tallies are added to those the category implies)';
COMMENT ON OPERATOR FAMILY autoxfer.label_ops USING btree IS 'Severity ordering of autoxfer.label';
COMMENT ON OPERATOR FAMILY autoxfer.label_hash_ops USING hash IS 'Hashing of autoxfer.label';

-- max(label) is the most severe label of a set of rows, min(label) the least
CREATE FUNCTION autoxfer.label_larger(autoxfer.label, autoxfer.label) RETURNS autoxfer.label
	AS 'MODULE_PATHNAME', 'label_larger' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION autoxfer.label_larger(autoxfer.label, autoxfer.label) IS 'The more severe of two labels';
CREATE FUNCTION autoxfer.label_smaller(autoxfer.label, autoxfer.label) RETURNS autoxfer.label
	AS 'MODULE_PATHNAME', 'label_smaller' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION autoxfer.label_smaller(autoxfer.label, autoxfer.label) IS 'The less severe of two labels';
CREATE AGGREGATE autoxfer.max(autoxfer.label) (
	SFUNC = autoxfer.label_larger, STYPE = autoxfer.label,
	COMBINEFUNC = autoxfer.label_larger, SORTOP = OPERATOR(autoxfer.>), PARALLEL = SAFE);
COMMENT ON AGGREGATE autoxfer.max(autoxfer.label) IS 'Most severe label of a set of rows';
CREATE AGGREGATE autoxfer.min(autoxfer.label) (
	SFUNC = autoxfer.label_smaller, STYPE = autoxfer.label,
	COMBINEFUNC = autoxfer.label_smaller, SORTOP = OPERATOR(autoxfer.<), PARALLEL = SAFE);
COMMENT ON AGGREGATE autoxfer.min(autoxfer.label) IS 'Least severe label of a set of rows';
