-- autoxfer install script, part 30: autoxfer.subject_set, an exact set of
-- individuals kept as salted 64-bit hashes, its aggregates and algebra.
-- docs/subject-counting.md describes the design.

-- The per-database salt: 16 random bytes made at CREATE EXTENSION.  An
-- extension configuration table, so pg_dump keeps it (a restore replaces
-- the fresh salt of the new CREATE EXTENSION with the dumped one, through
-- the BEFORE INSERT trigger below).  Readable only by its owner and
-- autoxfer_admin; the C code reads it directly for every role.
CREATE TABLE autoxfer.subject_salt (
	singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
	salt bytea NOT NULL CHECK (pg_catalog.length(salt) = 16),
	created_at timestamptz NOT NULL DEFAULT pg_catalog.now()
);
COMMENT ON TABLE autoxfer.subject_salt IS
	'Secret salt of this database''s subject hashes (one row); kept by pg_dump, readable only by autoxfer_admin';
REVOKE ALL ON autoxfer.subject_salt FROM PUBLIC;
GRANT SELECT ON autoxfer.subject_salt TO autoxfer_admin;

CREATE FUNCTION autoxfer.subject_new_salt() RETURNS bytea
	AS 'MODULE_PATHNAME', 'subject_new_salt' LANGUAGE C VOLATILE STRICT PARALLEL RESTRICTED;
COMMENT ON FUNCTION autoxfer.subject_new_salt() IS
	'16 bytes from the server''s strong random source, for a new subject salt';
REVOKE ALL ON FUNCTION autoxfer.subject_new_salt() FROM PUBLIC;

CREATE FUNCTION autoxfer.subject_salt_changed() RETURNS trigger
	AS 'MODULE_PATHNAME', 'subject_salt_changed' LANGUAGE C;
COMMENT ON FUNCTION autoxfer.subject_salt_changed() IS
	'Trigger: tells every backend to reload the cached subject salt';

-- A second row replaces the first: this is how a restore (COPY of the
-- dumped salt after CREATE EXTENSION made a fresh one) keeps the old salt.
CREATE FUNCTION autoxfer.subject_salt_replace() RETURNS trigger
	LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $fn$
BEGIN
	IF EXISTS (SELECT 1 FROM autoxfer.subject_salt) THEN
		UPDATE autoxfer.subject_salt SET salt = NEW.salt, created_at = NEW.created_at;
		RETURN NULL;
	END IF;
	RETURN NEW;
END
$fn$;
COMMENT ON FUNCTION autoxfer.subject_salt_replace() IS
	'Trigger: an inserted salt replaces the existing one (so a restored dump keeps its salt)';

CREATE TRIGGER subject_salt_replace BEFORE INSERT ON autoxfer.subject_salt
	FOR EACH ROW EXECUTE FUNCTION autoxfer.subject_salt_replace();
CREATE TRIGGER subject_salt_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON autoxfer.subject_salt
	FOR EACH STATEMENT EXECUTE FUNCTION autoxfer.subject_salt_changed();

INSERT INTO autoxfer.subject_salt (salt) VALUES (autoxfer.subject_new_salt());
SELECT pg_catalog.pg_extension_config_dump('autoxfer.subject_salt', '');

-- the type
CREATE TYPE autoxfer.subject_set;

CREATE FUNCTION autoxfer.subject_set_in(cstring) RETURNS autoxfer.subject_set
	AS 'MODULE_PATHNAME', 'subject_set_in' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION autoxfer.subject_set_out(autoxfer.subject_set) RETURNS cstring
	AS 'MODULE_PATHNAME', 'subject_set_out' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION autoxfer.subject_set_recv(internal) RETURNS autoxfer.subject_set
	AS 'MODULE_PATHNAME', 'subject_set_recv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION autoxfer.subject_set_send(autoxfer.subject_set) RETURNS bytea
	AS 'MODULE_PATHNAME', 'subject_set_send' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE autoxfer.subject_set (
	INPUT = autoxfer.subject_set_in,
	OUTPUT = autoxfer.subject_set_out,
	RECEIVE = autoxfer.subject_set_recv,
	SEND = autoxfer.subject_set_send,
	INTERNALLENGTH = VARIABLE,
	ALIGNMENT = double,
	STORAGE = external
);
COMMENT ON TYPE autoxfer.subject_set IS
	'Exact set of individuals as salted 64-bit hashes (no identifier stored), compact Elias-Fano encoding';
COMMENT ON FUNCTION autoxfer.subject_set_in(cstring) IS 'Text input of autoxfer.subject_set: "axs1:" and base64, fully validated';
COMMENT ON FUNCTION autoxfer.subject_set_out(autoxfer.subject_set) IS 'Text output of autoxfer.subject_set: "axs1:" and base64 of the encoded set';
COMMENT ON FUNCTION autoxfer.subject_set_recv(internal) IS 'Binary input of autoxfer.subject_set, fully validated';
COMMENT ON FUNCTION autoxfer.subject_set_send(autoxfer.subject_set) IS 'Binary output of autoxfer.subject_set: the encoded set';

-- aggregate support
CREATE FUNCTION autoxfer.subjects_trans(autoxfer.subject_set, text) RETURNS autoxfer.subject_set
	AS 'MODULE_PATHNAME', 'subjects_trans' LANGUAGE C STABLE PARALLEL SAFE;
CREATE FUNCTION autoxfer.subject_set_combine(autoxfer.subject_set, autoxfer.subject_set) RETURNS autoxfer.subject_set
	AS 'MODULE_PATHNAME', 'subject_set_combine' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION autoxfer.subjects_final(autoxfer.subject_set) RETURNS autoxfer.subject_set
	AS 'MODULE_PATHNAME', 'subjects_final' LANGUAGE C STABLE PARALLEL SAFE;
CREATE FUNCTION autoxfer.subject_count_final(autoxfer.subject_set) RETURNS bigint
	AS 'MODULE_PATHNAME', 'subject_count_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION autoxfer.subjects_trans(autoxfer.subject_set, text) IS
	'Transition of subjects() and subject_count(): adds the salted hash of an identifier, in place';
COMMENT ON FUNCTION autoxfer.subject_set_combine(autoxfer.subject_set, autoxfer.subject_set) IS
	'Combine function of the subject aggregates (and transition of subject_union): union in place';
COMMENT ON FUNCTION autoxfer.subjects_final(autoxfer.subject_set) IS
	'Final function of subjects() and subject_union(): the set, or the empty set when there was no value';
COMMENT ON FUNCTION autoxfer.subject_count_final(autoxfer.subject_set) IS
	'Final function of subject_count(): the number of members (0 when there was no value)';

-- SSPACE: an empty state is a small memory context (1 kB block) with a
-- 16-word buffer; states grow with their members (about 8 to 20 bytes each).
CREATE AGGREGATE autoxfer.subjects(text) (
	SFUNC = autoxfer.subjects_trans,
	STYPE = autoxfer.subject_set,
	SSPACE = 1536,
	FINALFUNC = autoxfer.subjects_final,
	COMBINEFUNC = autoxfer.subject_set_combine,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE autoxfer.subjects(text) IS
	'Exact set of the distinct non-NULL identifiers of a group (salted hashes)';

CREATE AGGREGATE autoxfer.subject_count(text) (
	SFUNC = autoxfer.subjects_trans,
	STYPE = autoxfer.subject_set,
	SSPACE = 1536,
	FINALFUNC = autoxfer.subject_count_final,
	COMBINEFUNC = autoxfer.subject_set_combine,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE autoxfer.subject_count(text) IS
	'Exact number of distinct non-NULL identifiers, as count(DISTINCT) but mergeable and fast';

CREATE AGGREGATE autoxfer.subject_union(autoxfer.subject_set) (
	SFUNC = autoxfer.subject_set_combine,
	STYPE = autoxfer.subject_set,
	SSPACE = 1536,
	FINALFUNC = autoxfer.subjects_final,
	COMBINEFUNC = autoxfer.subject_set_combine,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE autoxfer.subject_union(autoxfer.subject_set) IS
	'Union of subject sets (all made under the same salt)';

-- functions
CREATE FUNCTION autoxfer.cardinality(autoxfer.subject_set) RETURNS bigint
	AS 'MODULE_PATHNAME', 'subject_set_cardinality' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION autoxfer.empty_subject_set() RETURNS autoxfer.subject_set
	AS 'MODULE_PATHNAME', 'subject_set_empty' LANGUAGE C STABLE PARALLEL SAFE;
CREATE FUNCTION autoxfer.subject_of(text) RETURNS autoxfer.subject_set
	AS 'MODULE_PATHNAME', 'subject_set_of' LANGUAGE C STABLE STRICT PARALLEL SAFE;
CREATE FUNCTION autoxfer.contains(autoxfer.subject_set, text) RETURNS boolean
	AS 'MODULE_PATHNAME', 'subject_set_contains' LANGUAGE C STABLE STRICT PARALLEL SAFE;
CREATE FUNCTION autoxfer.contains_all(autoxfer.subject_set, autoxfer.subject_set) RETURNS boolean
	AS 'MODULE_PATHNAME', 'subject_set_superset' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION autoxfer.set_union(autoxfer.subject_set, autoxfer.subject_set) RETURNS autoxfer.subject_set
	AS 'MODULE_PATHNAME', 'subject_set_union' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION autoxfer.set_intersect(autoxfer.subject_set, autoxfer.subject_set) RETURNS autoxfer.subject_set
	AS 'MODULE_PATHNAME', 'subject_set_intersect' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION autoxfer.set_difference(autoxfer.subject_set, autoxfer.subject_set) RETURNS autoxfer.subject_set
	AS 'MODULE_PATHNAME', 'subject_set_difference' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION autoxfer.count_new(candidate autoxfer.subject_set, already autoxfer.subject_set) RETURNS bigint
	AS 'MODULE_PATHNAME', 'subject_set_count_new' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION autoxfer.subject_set_eq(autoxfer.subject_set, autoxfer.subject_set) RETURNS boolean
	AS 'MODULE_PATHNAME', 'subject_set_eq' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION autoxfer.subject_set_ne(autoxfer.subject_set, autoxfer.subject_set) RETURNS boolean
	AS 'MODULE_PATHNAME', 'subject_set_ne' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION autoxfer.salt_fingerprint(autoxfer.subject_set) RETURNS text
	AS 'MODULE_PATHNAME', 'subject_set_fingerprint' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION autoxfer.salt_fingerprint() RETURNS text
	AS 'MODULE_PATHNAME', 'subject_salt_fingerprint' LANGUAGE C STABLE PARALLEL SAFE;

COMMENT ON FUNCTION autoxfer.cardinality(autoxfer.subject_set) IS 'Number of individuals in a subject set';
COMMENT ON FUNCTION autoxfer.empty_subject_set() IS 'The empty subject set under this database''s salt';
COMMENT ON FUNCTION autoxfer.subject_of(text) IS 'The one-member subject set of an identifier';
COMMENT ON FUNCTION autoxfer.contains(autoxfer.subject_set, text) IS 'Is the identifier a member of the set? (operator @>; the set must be under this database''s salt)';
COMMENT ON FUNCTION autoxfer.contains_all(autoxfer.subject_set, autoxfer.subject_set) IS 'Is every member of the second set in the first?';
COMMENT ON FUNCTION autoxfer.set_union(autoxfer.subject_set, autoxfer.subject_set) IS 'Union of two subject sets (operator |)';
COMMENT ON FUNCTION autoxfer.set_intersect(autoxfer.subject_set, autoxfer.subject_set) IS 'Intersection of two subject sets (operator &)';
COMMENT ON FUNCTION autoxfer.set_difference(autoxfer.subject_set, autoxfer.subject_set) IS 'Members of the first set not in the second (operator -)';
COMMENT ON FUNCTION autoxfer.count_new(autoxfer.subject_set, autoxfer.subject_set) IS
	'How many members of candidate are not in already: the new individuals a transfer adds';
COMMENT ON FUNCTION autoxfer.subject_set_eq(autoxfer.subject_set, autoxfer.subject_set) IS 'Subject set equality (operator =)';
COMMENT ON FUNCTION autoxfer.subject_set_ne(autoxfer.subject_set, autoxfer.subject_set) IS 'Subject set inequality (operator <>)';
COMMENT ON FUNCTION autoxfer.salt_fingerprint(autoxfer.subject_set) IS 'Fingerprint (16 hex digits) of the salt a set was made under';
COMMENT ON FUNCTION autoxfer.salt_fingerprint() IS 'Fingerprint (16 hex digits) of this database''s subject salt';

CREATE OPERATOR autoxfer.@> (
	LEFTARG = autoxfer.subject_set, RIGHTARG = text, PROCEDURE = autoxfer.contains);
CREATE OPERATOR autoxfer.| (
	LEFTARG = autoxfer.subject_set, RIGHTARG = autoxfer.subject_set, PROCEDURE = autoxfer.set_union,
	COMMUTATOR = OPERATOR(autoxfer.|));
CREATE OPERATOR autoxfer.& (
	LEFTARG = autoxfer.subject_set, RIGHTARG = autoxfer.subject_set, PROCEDURE = autoxfer.set_intersect,
	COMMUTATOR = OPERATOR(autoxfer.&));
CREATE OPERATOR autoxfer.- (
	LEFTARG = autoxfer.subject_set, RIGHTARG = autoxfer.subject_set, PROCEDURE = autoxfer.set_difference);
CREATE OPERATOR autoxfer.= (
	LEFTARG = autoxfer.subject_set, RIGHTARG = autoxfer.subject_set, PROCEDURE = autoxfer.subject_set_eq,
	COMMUTATOR = OPERATOR(autoxfer.=), NEGATOR = OPERATOR(autoxfer.<>),
	RESTRICT = eqsel, JOIN = eqjoinsel);
CREATE OPERATOR autoxfer.<> (
	LEFTARG = autoxfer.subject_set, RIGHTARG = autoxfer.subject_set, PROCEDURE = autoxfer.subject_set_ne,
	COMMUTATOR = OPERATOR(autoxfer.<>), NEGATOR = OPERATOR(autoxfer.=),
	RESTRICT = neqsel, JOIN = neqjoinsel);
COMMENT ON OPERATOR autoxfer.@> (autoxfer.subject_set, text) IS 'Identifier is a member of the set';
COMMENT ON OPERATOR autoxfer.| (autoxfer.subject_set, autoxfer.subject_set) IS 'Union of subject sets';
COMMENT ON OPERATOR autoxfer.& (autoxfer.subject_set, autoxfer.subject_set) IS 'Intersection of subject sets';
COMMENT ON OPERATOR autoxfer.- (autoxfer.subject_set, autoxfer.subject_set) IS 'Difference of subject sets';
COMMENT ON OPERATOR autoxfer.= (autoxfer.subject_set, autoxfer.subject_set) IS 'Subject sets are equal';
COMMENT ON OPERATOR autoxfer.<> (autoxfer.subject_set, autoxfer.subject_set) IS 'Subject sets differ';

GRANT EXECUTE ON FUNCTION autoxfer.salt_fingerprint() TO PUBLIC;
