-- The autoxfer.label type: text and binary I/O, ordering, hashing,
-- accessors, constructor and bad input.
SET search_path = autoxfer, public;
\set VERBOSITY default

-- canonical text: defaults are filled in and omitted fields stay omitted
SELECT 'general/exportable'::label;
SELECT '  personal / conditional   scenario = connected_operation '::label;
SELECT 'important/blocked elements={personal_information,geographic_information} exemptions={vulnerability_reported} rule=5 gen=3 scenario=driving_automation'::label;
SELECT 'core/blocked rule=65535 gen=1048575'::label;
SELECT 'sensitive_personal/blocked elements={} exemptions={ }'::label;

-- accessors
SELECT category(l), mark(l), scenario(l), elements(l), exemptions(l),
       rule_id(l), generation(l),
       has_element(l, 'geographic_information') AS geo,
       has_element(l, 'export_control') AS exp_ctl,
       eligible(l, 'vulnerability_reported') AS e7,
       eligible(l, 'small_volume') AS e5
FROM (SELECT 'important/conditional scenario=software_upgrade elements={system_function,geographic_information} exemptions={vulnerability_reported,ota_source_filed} rule=7 gen=2'::label AS l) s;

-- constructor, and its agreement with the text form
SELECT make_label('personal', 'conditional');
SELECT make_label('important', 'blocked', 'rd_design', '{export_control,result}', '{}', 8, 12);
SELECT make_label('important', 'blocked', 'rd_design', '{export_control,result}', '{}', 8, 12)
     = 'important/blocked scenario=rd_design elements={result,export_control} rule=8 gen=12'::label AS same;

-- Round trip through text and binary for every combination of category,
-- mark and scenario (core only as blocked), with sets and numbers varied.
CREATE TEMP TABLE combos AS
SELECT make_label(c, m, s,
                  (SELECT coalesce(array_agg(e), '{}') FROM unnest(enum_range(NULL::element)) WITH ORDINALITY x(e, i)
                    WHERE (i + ci + si) % 3 = 0),
                  (SELECT coalesce(array_agg(e), '{}') FROM unnest(enum_range(NULL::exemption)) WITH ORDINALITY x(e, i)
                    WHERE (i + mi) % 2 = 0),
                  ((ci * 31 + si * 7 + mi) * 97 % 65536)::int,
                  ((ci * 131 + si * 17 + mi) * 7919 % 1048576)::int) AS l
FROM unnest(enum_range(NULL::category)) WITH ORDINALITY c(c, ci),
     unnest(enum_range(NULL::mark)) WITH ORDINALITY m(m, mi),
     unnest(enum_range(NULL::scenario)) WITH ORDINALITY s(s, si)
WHERE c <> 'core' OR m = 'blocked';

-- text round trip, and the number of distinct labels
SELECT count(*) AS combos,
       count(*) FILTER (WHERE l::text::label = l) AS text_round_trip,
       count(DISTINCT l) AS distinct_labels,
       count(DISTINCT (category(l), mark(l), scenario(l))) AS distinct_triples
FROM combos;

-- binary round trip: COPY BINARY uses label_send and label_recv
SELECT current_setting('data_directory') || '/autoxfer_combos.bin' AS combos_file \gset
COPY combos TO :'combos_file' (FORMAT binary);
CREATE TEMP TABLE combos_back (l label);
COPY combos_back FROM :'combos_file' (FORMAT binary);
SELECT count(*) AS back,
       count(*) FILTER (WHERE EXISTS (SELECT 1 FROM combos c WHERE c.l = b.l)) AS matched
FROM combos_back b;
SELECT label_send('important/blocked scenario=rd_design rule=1'::label);

-- ordering is by severity: category first, then mark
SELECT category(l) AS category, mark(l) AS mark, count(*)
FROM (SELECT l FROM combos ORDER BY l) s
GROUP BY 1, 2 ORDER BY min(l);
SELECT bool_and(a.l < b.l) AS sorted_by_severity
FROM combos a JOIN combos b
  ON category(a.l) < category(b.l)
  OR (category(a.l) = category(b.l) AND mark(a.l) < mark(b.l));
SELECT l FROM (VALUES ('core/blocked'::label), ('general/exportable'), ('important/conditional'),
                      ('personal/blocked'), ('personal/conditional'), ('sensitive_personal/blocked'),
                      ('important/blocked')) v(l)
ORDER BY l;
SELECT max(l), min(l) FROM combos;

-- comparison operators agree with each other
SELECT bool_and((a.l < b.l) = (label_cmp(a.l, b.l) < 0)
            AND (a.l = b.l) = (label_cmp(a.l, b.l) = 0)
            AND (a.l > b.l) = (b.l < a.l)
            AND (a.l <= b.l) = NOT (a.l > b.l)
            AND (a.l >= b.l) = NOT (a.l < b.l)
            AND (a.l <> b.l) = NOT (a.l = b.l)) AS consistent
FROM combos a, combos b;

-- btree and hash indexes, hash aggregation and hash join
CREATE TEMP TABLE labelled AS
SELECT g AS id, (SELECT l FROM combos ORDER BY l OFFSET g % 60 LIMIT 1) AS l
FROM generate_series(1, 600) g;
CREATE INDEX labelled_btree ON labelled (l);
CREATE INDEX labelled_hash ON labelled USING hash (l);
ANALYZE labelled;
SET enable_seqscan = off;
SELECT count(*) FROM labelled WHERE l >= 'important/exportable';
SELECT count(*) FROM labelled WHERE l = (SELECT l FROM combos ORDER BY l OFFSET 7 LIMIT 1);
RESET enable_seqscan;
SET enable_sort = off;
SELECT count(*) AS groups FROM (SELECT l, count(*) FROM labelled GROUP BY l) s;
RESET enable_sort;
SET enable_mergejoin = off; SET enable_nestloop = off;
SELECT count(*) AS joined FROM labelled a JOIN combos c ON a.l = c.l;
RESET enable_mergejoin; RESET enable_nestloop;
SELECT label_hash('personal/conditional') = label_hash('personal/conditional') AS hash_stable,
       label_hash_extended('personal/conditional', 0) = label_hash_extended('personal/conditional', 0) AS ext_stable,
       label_hash_extended('personal/conditional', 0) <> label_hash_extended('personal/conditional', 1) AS seeded;

-- NULLs: strict functions give NULL
SELECT category(NULL::label) IS NULL AS cat_null,
       make_label(NULL, 'blocked') IS NULL AS make_null,
       (NULL::label < 'core/blocked') IS NULL AS cmp_null;

-- bad text input: 22P02 (22003 for numbers out of range), naming the bad part
SELECT ''::label;
SELECT '   '::label;
SELECT 'secret/blocked'::label;
SELECT 'personal'::label;
SELECT 'personal/'::label;
SELECT 'personal/maybe'::label;
SELECT 'personal/blocked colour=red'::label;
SELECT 'personal/blocked scenario=moon'::label;
SELECT 'personal/blocked scenario=other scenario=other'::label;
SELECT 'personal/blocked elements={result,result}'::label;
SELECT 'personal/blocked elements={result,weather}'::label;
SELECT 'personal/blocked elements={result'::label;
SELECT 'personal/blocked elements=result'::label;
SELECT 'personal/blocked elements={result,}'::label;
SELECT 'personal/blocked exemptions={E7}'::label;
SELECT 'personal/blocked rule=65536'::label;
SELECT 'personal/blocked gen=99999999999999999999999'::label;
SELECT 'personal/blocked rule=-1'::label;
SELECT 'personal/blocked rule=12abc'::label;
SELECT 'personal/blockedscenario=other'::label;
SELECT 'personal/blocked scenario other'::label;
SELECT 'core/exportable'::label;
SELECT 'core/conditional'::label;
SELECT 'personal/blocked; DROP TABLE combos; --'::label;
SELECT E'personal/blocked\x01'::label;
SELECT ('general/exportable rule=' || repeat('9', 1000000))::label;
SELECT ('general/exportable elements={' || repeat('result,', 100000) || 'result}')::label;
SELECT length((repeat(' ', 1000000) || 'general/exportable' || repeat(E'\n', 1000000))::label::text) AS huge_padding_ok;
SELECT count(*) AS combos_still_there FROM combos;

-- bad constructor arguments
SELECT make_label('core', 'exportable');
SELECT make_label('personal', 'blocked', 'other', ARRAY[NULL]::element[]);
SELECT make_label('personal', 'blocked', 'other', '{{result},{result}}'::element[]);
SELECT make_label('personal', 'blocked', rule => -1);
SELECT make_label('personal', 'blocked', rule => 70000);
SELECT make_label('personal', 'blocked', gen => 1048576);
SELECT make_label('personal', 'blocked', 'other', '{result,result}');

-- bad binary input: 22P03
CREATE FUNCTION pg_temp.copy_file(payload bytea) RETURNS bytea LANGUAGE sql AS $$
  SELECT '\x5047434f50590aff0d0a00'::bytea || '\x0000000000000000'::bytea
      || '\x0001'::bytea || int4send(length(payload)) || payload || '\xffff'::bytea $$;
CREATE TEMP TABLE bad_words (file text, note text, lo oid);
INSERT INTO bad_words VALUES
  ('autoxfer_bad1.bin', 'category 4 = core, mark exportable', lo_from_bytea(0, pg_temp.copy_file('\x8000000000000000'))),
  ('autoxfer_bad2.bin', 'category 5', lo_from_bytea(0, pg_temp.copy_file('\xa000000000000000'))),
  ('autoxfer_bad3.bin', 'reserved bit', lo_from_bytea(0, pg_temp.copy_file('\x0000000000000001'))),
  ('autoxfer_bad4.bin', 'mark 3', lo_from_bytea(0, pg_temp.copy_file('\x1800000000000000'))),
  ('autoxfer_bad5.bin', 'scenario 7', lo_from_bytea(0, pg_temp.copy_file('\x0700000000000000'))),
  ('autoxfer_bad6.bin', 'short', lo_from_bytea(0, pg_temp.copy_file('\x00000000'))),
  ('autoxfer_bad7.bin', 'long', lo_from_bytea(0, pg_temp.copy_file('\x000000000000000000'))),
  ('autoxfer_good.bin', 'core/blocked', lo_from_bytea(0, pg_temp.copy_file('\x9000000000000000')));
SELECT file, note, lo_export(lo, file) FROM bad_words ORDER BY file;
COPY combos_back FROM 'autoxfer_bad1.bin' (FORMAT binary);
COPY combos_back FROM 'autoxfer_bad2.bin' (FORMAT binary);
COPY combos_back FROM 'autoxfer_bad3.bin' (FORMAT binary);
COPY combos_back FROM 'autoxfer_bad4.bin' (FORMAT binary);
COPY combos_back FROM 'autoxfer_bad5.bin' (FORMAT binary);
COPY combos_back FROM 'autoxfer_bad6.bin' (FORMAT binary);
COPY combos_back FROM 'autoxfer_bad7.bin' (FORMAT binary);
TRUNCATE combos_back;
COPY combos_back FROM 'autoxfer_good.bin' (FORMAT binary);
SELECT l FROM combos_back;
SELECT count(lo_unlink(lo)) AS unlinked FROM bad_words;
