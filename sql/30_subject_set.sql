-- autoxfer.subject_set: exact sets of individuals as salted hashes, their
-- aggregates, algebra, I/O and refusal of bad or foreign input.
SET search_path = autoxfer, public;
\set VERBOSITY default

-- the salt: one 16-byte row, hidden from PUBLIC and the exporter, but every
-- role can hash with it
SELECT count(*) AS salts, min(length(salt)) AS salt_bytes FROM subject_salt;
SELECT length(salt_fingerprint()) AS fingerprint_hex_digits;
SET ROLE autoxfer_exporter;
SELECT salt FROM autoxfer.subject_salt;
SELECT cardinality(subjects(x)) AS hashed_as_exporter FROM (VALUES ('a'), ('b'), ('a')) v(x);
RESET ROLE;
SET ROLE autoxfer_admin;
SELECT count(*) AS admin_reads_salt FROM autoxfer.subject_salt;
RESET ROLE;

-- exact distinct counts equal count(DISTINCT), NULLs ignored
CREATE TABLE subj AS
SELECT g AS id, CASE WHEN g % 97 = 0 THEN NULL ELSE 'VIN' || (g * 7919 % 5003) END AS vin
FROM generate_series(1, 30000) g;
SELECT subject_count(vin) AS subject_count, count(DISTINCT vin) AS count_distinct,
       cardinality(subjects(vin)) AS cardinality
FROM subj;
-- per group, sorted and hashed grouping
SET enable_hashagg = off;
SELECT count(*) AS groups, count(*) FILTER (WHERE c <> d) AS wrong
FROM (SELECT id % 13, subject_count(vin) c, count(DISTINCT vin) d FROM subj GROUP BY 1) s;
RESET enable_hashagg;
SET enable_sort = off;
SELECT count(*) AS groups, count(*) FILTER (WHERE c <> d) AS wrong
FROM (SELECT id % 13, subject_count(vin) c, count(DISTINCT vin) d FROM subj GROUP BY 1) s;
RESET enable_sort;
-- as a window aggregate: the cumulative number of individuals, day by day
SELECT d, subject_count(v) OVER (ORDER BY d) AS cumulative,
       cardinality(subjects(v) OVER (ORDER BY d)) AS cumulative_set
FROM (VALUES (1, 'a'), (1, 'b'), (2, 'a'), (2, 'c'), (3, NULL), (4, 'd')) t(d, v) ORDER BY d, v;
-- the same identifier twice is one individual; case and spaces matter
SELECT subject_count(x) FROM (VALUES ('LSV1'), ('LSV1'), ('lsv1'), ('LSV1 '), ('')) v(x);

-- no rows, or only NULLs: 0 and the empty set
SELECT subject_count(x) AS none FROM (SELECT 'a'::text x WHERE false) s;
SELECT subject_count(NULL::text) AS only_null;
SELECT cardinality(subjects(x)) AS empty_card, subjects(x) = empty_subject_set() AS is_empty
FROM (SELECT NULL::text x FROM generate_series(1, 3)) s;
SELECT cardinality(subject_union(s)) AS union_of_nothing FROM (SELECT NULL::subject_set s) q;
SELECT cardinality(NULL::subject_set), contains(NULL::subject_set, 'a'), contains(empty_subject_set(), NULL::text);

-- parallel aggregation: Gather with Partial Aggregate, same answer
CREATE TABLE big AS
SELECT g AS id, 'LSV' || lpad((g * 2654435761 % 60000)::text, 14, '0') AS vin
FROM generate_series(1, 240000) g;
ANALYZE big;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF) SELECT subject_count(vin) FROM big;
EXPLAIN (COSTS OFF) SELECT subjects(vin) FROM big;
SELECT subject_count(vin) AS parallel_count FROM big;
CREATE TABLE par AS SELECT subjects(vin) AS s FROM big;
RESET max_parallel_workers_per_gather;
SET max_parallel_workers_per_gather = 0;
SELECT count(DISTINCT vin) AS count_distinct FROM big;
SELECT (SELECT s FROM par) = subjects(vin) AS parallel_equals_serial FROM big;
RESET max_parallel_workers_per_gather;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;

-- membership (a bare literal after @> is an identifier, not a set)
SELECT subject_of('a') @> 'a' AS literal_is_identifier;
-- every member found in the stored (flat) set, non-members not
SELECT count(*) FILTER (WHERE (SELECT s FROM par) @> vin) AS found,
       count(*) FILTER (WHERE (SELECT s FROM par) @> (vin || 'x')) AS false_hits
FROM (SELECT DISTINCT vin FROM big) d;
SELECT contains(subjects(x), 'b') AS b_in, contains(subjects(x), 'z') AS z_in
FROM (VALUES ('a'), ('b'), ('c')) v(x);

-- algebra
CREATE TABLE ab AS
SELECT (SELECT subjects(x) FROM unnest('{a,b,c}'::text[]) x) AS a,
       (SELECT subjects(x) FROM unnest('{b,c,d,e}'::text[]) x) AS b;
SELECT cardinality(a | b) AS "union", cardinality(a & b) AS intersect,
       cardinality(a - b) AS a_minus_b, cardinality(b - a) AS b_minus_a,
       count_new(b, a) AS new_in_b, count_new(a, a) AS new_in_a,
       cardinality(set_union(a, b)) AS set_union, cardinality(set_intersect(a, b)) AS set_intersect,
       cardinality(set_difference(a, b)) AS set_difference
FROM ab;
SELECT a | b = b | a AS commutes, (a - b) | (a & b) = a AS splits, contains_all(a, a & b) AS superset,
       contains_all(a, b) AS a_has_b, a <> b AS differ, a | empty_subject_set() = a AS empty_is_neutral,
       (a - b) @> 'a'::text AS has_a, (a - b) @> 'b'::text AS has_b,
       subject_of('d') | subject_of('e') = b - a AS one_member_sets,
       cardinality(subject_of('x')) AS one
FROM ab;
-- subject_union aggregates sets: per group sets merge to the whole
CREATE TABLE per_group AS SELECT id % 10 AS g, subjects(vin) AS s FROM big GROUP BY 1;
SELECT cardinality(subject_union(s)) AS merged, subject_union(s) = (SELECT s FROM par) AS exact
FROM per_group;
SELECT sum(cardinality(s)) >= 60000 AS groups_overlap_or_cover FROM per_group;

-- large stored sets (above 4 MB, kept in TOAST uncompressed) are streamed
-- in windows by the set algebra; results agree with the in-memory forms
CREATE TABLE large AS
SELECT (SELECT subjects('P' || g) FROM generate_series(1, 800000) g) AS l,
       (SELECT subjects('P' || g) FROM generate_series(790001, 800100) g) AS s;
SELECT pg_column_size(l) > 4194304 AS above_4mb, count_new(s, l) AS new_in_s,
       cardinality(l | s) AS "union", cardinality(l & s) AS intersect,
       cardinality(s - l) AS s_minus_l, cardinality(l - s) AS l_minus_s,
       l = l AS equal_self, l = (l - s) | (l & s) AS recomposed, contains_all(l, l - s) AS superset,
       l @> 'P5'::text AS has_p5, l @> 'P800001'::text AS has_p800001
FROM large;
SELECT (l | s) = (SELECT subjects('P' || g) FROM generate_series(1, 800100) g) AS union_exact,
       (l - s) = (SELECT subjects('P' || g) FROM generate_series(1, 790000) g) AS difference_exact
FROM large;

-- storage: at most 8 bytes per member, text and binary round trips
SELECT pg_column_size(s) AS bytes, cardinality(s) AS members,
       round(pg_column_size(s)::numeric / cardinality(s), 2) AS bytes_per_member,
       pg_column_size(s) <= 8 * cardinality(s) AS within_8
FROM par;
SELECT s::text::subject_set = s AS text_round_trip, left(s::text, 5) AS prefix FROM par;
SELECT current_setting('data_directory') || '/autoxfer_sets.bin' AS sets_file \gset
COPY per_group TO :'sets_file' (FORMAT binary);
CREATE TABLE per_group_back (g int, s subject_set);
COPY per_group_back FROM :'sets_file' (FORMAT binary);
SELECT count(*) AS rows_back, count(*) FILTER (WHERE b.s = p.s) AS equal
FROM per_group_back b JOIN per_group p USING (g);
SELECT length(subject_set_send(empty_subject_set())) AS empty_bytes,
       length(subject_set_send(subject_of('a'))) AS one_member_bytes;

-- bad text input: 22P02
SELECT 'garbage'::subject_set;
SELECT ''::subject_set;
SELECT 'axs1:'::subject_set;
SELECT 'axs1:!!!!'::subject_set;
SELECT 'axs2:AQAAAAAAAAAAAAAAAAAAAAAAAAA='::subject_set;
SELECT ('axs1:' || repeat('A', 4000000))::subject_set;

-- crafted encodings (little-endian): header = version, 3 reserved bytes,
-- fingerprint, count; then lower and upper words.  {5,7} with n = 2:
-- lower words 0x8000000000000005 0x3, upper word 0x3.
CREATE FUNCTION pg_temp.craft(hex text) RETURNS text LANGUAGE sql AS
$$ SELECT 'axs1:' || translate(encode(decode(hex, 'hex'), 'base64'), E'\n', '') $$;
CREATE TABLE crafted (note text, hex text);
INSERT INTO crafted VALUES
  ('valid {5,7}', '0100000000000000000000000200000000000000050000000000008003000000000000000300000000000000'),
  ('valid empty', '0100000000000000000000000000000000000000'),
  ('version 2', '0200000000000000000000000200000000000000050000000000008003000000000000000300000000000000'),
  ('version 0', '0000000000000000000000000000000000000000'),
  ('reserved byte', '0100010000000000000000000000000000000000'),
  ('descending {5,3}', '0100000000000000000000000200000000000000050000000000008001000000000000000300000000000000'),
  ('duplicate {5,5}', '0100000000000000000000000200000000000000050000000000008002000000000000000300000000000000'),
  ('three index bits', '0100000000000000000000000200000000000000050000000000008003000000000000000700000000000000'),
  ('one index bit', '0100000000000000000000000200000000000000050000000000008003000000000000000100000000000000'),
  ('index padding', '0100000000000000000000000200000000000000050000000000008003000000000000000304000000000000'),
  ('lower padding', '0100000000000000000000000200000000000000050000000000008003000000000000800300000000000000'),
  ('index beyond the buckets', '0100000000000000000000000200000000000000050000000000008003000000000000000900000000000000'),
  ('truncated', '010000000000000000000000020000000000000005000000000000800300000000000000'),
  ('trailing byte', '010000000000000000000000020000000000000005000000000000800300000000000000030000000000000000'),
  ('short header', '0100000000000000'),
  ('count 2^31, no data', '0100000000000000000000000000008000000000'),
  ('count 2^40', '0100000000000000000000000000000000010000'),
  ('count -1', '010000000000000000000000ffffffffffffffff');
-- each crafted text through the text input, errors caught and shown
DO $$
DECLARE
  r record;
  n bigint;
BEGIN
  FOR r IN SELECT note, hex FROM crafted LOOP
    BEGIN
      n := autoxfer.cardinality(pg_temp.craft(r.hex)::autoxfer.subject_set);
      RAISE NOTICE '%: accepted, % members', r.note, n;
    EXCEPTION WHEN OTHERS THEN
      RAISE NOTICE '%: % %', r.note, SQLSTATE, SQLERRM;
    END;
  END LOOP;
END $$;

-- the same through binary input (COPY BINARY of one row, one field): 22P03
CREATE FUNCTION pg_temp.copy_file(payload bytea) RETURNS bytea LANGUAGE sql AS $$
  SELECT '\x5047434f50590aff0d0a00'::bytea || '\x0000000000000000'::bytea
      || '\x0001'::bytea || int4send(length(payload)) || payload || '\xffff'::bytea $$;
CREATE TABLE crafted_files AS
SELECT note, 'autoxfer_set_' || row_number() OVER (ORDER BY note) || '.bin' AS file,
       lo_from_bytea(0, pg_temp.copy_file(decode(hex, 'hex'))) AS lo
FROM crafted;
SELECT count(lo_export(lo, file)) AS exported FROM crafted_files;
CREATE TABLE sets_in (s subject_set);
DO $$
DECLARE
  r record;
BEGIN
  FOR r IN SELECT note, file FROM crafted_files ORDER BY note LOOP
    BEGIN
      EXECUTE format('COPY sets_in FROM %L (FORMAT binary)', r.file);
      RAISE NOTICE '%: accepted', r.note;
    EXCEPTION WHEN OTHERS THEN
      RAISE NOTICE '%: % %', r.note, SQLSTATE, SQLERRM;
    END;
  END LOOP;
END $$;
SELECT count(*) AS accepted, sum(cardinality(s)) AS members FROM sets_in;
SELECT count(lo_unlink(lo)) AS unlinked FROM crafted_files;

-- sets under another salt (the crafted ones carry fingerprint 0) are
-- refused by every operation that combines them with ours: 22023 (the
-- detail names both fingerprints; ours is random, so it is not shown here)
DO $$
BEGIN
  PERFORM autoxfer.set_union(s, (SELECT a FROM ab)) FROM sets_in WHERE autoxfer.cardinality(s) = 2;
EXCEPTION WHEN OTHERS THEN
  DECLARE st text; msg text; hint text;
  BEGIN
    GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT, hint = PG_EXCEPTION_HINT;
    RAISE NOTICE '% % (hint: %)', st, msg, hint;
  END;
END $$;
\set VERBOSITY terse
SELECT s | (SELECT a FROM ab) FROM sets_in WHERE cardinality(s) = 2;
SELECT count_new(s, (SELECT a FROM ab)) FROM sets_in WHERE cardinality(s) = 2;
SELECT s = (SELECT a FROM ab) FROM sets_in WHERE cardinality(s) = 2;
SELECT s @> 'a'::text FROM sets_in WHERE cardinality(s) = 2;
SELECT cardinality(subject_union(s)) FROM (SELECT s FROM sets_in UNION ALL SELECT a FROM ab) u;
SELECT salt_fingerprint(s) AS foreign_fingerprint, salt_fingerprint(s) = salt_fingerprint() AS ours
FROM sets_in WHERE cardinality(s) = 2;
-- two foreign sets under the same foreign salt combine
SELECT cardinality(s | s) AS foreign_with_itself FROM sets_in WHERE cardinality(s) = 2;

\set VERBOSITY default

-- wrong types are refused by the parser
SELECT subject_count(1);
SELECT cardinality('axs1:AQAAAAAAAAAAAAAAAAAAAAAAAAA='::subject_set | 'x');
SELECT empty_subject_set() @> 1;
SELECT contains_all(empty_subject_set(), 'x'::text);

-- transition functions called directly (not as aggregates) still work
SELECT cardinality(subjects_trans(subjects_trans(NULL, 'a'), 'b')) AS direct_trans,
       cardinality(subject_set_combine(subject_of('a'), subject_of('b'))) AS direct_combine,
       subject_set_combine(NULL, NULL) IS NULL AS null_combine;

DROP TABLE subj, big, large, par, ab, per_group, per_group_back, crafted, crafted_files, sets_in;
