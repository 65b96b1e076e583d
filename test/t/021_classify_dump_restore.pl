# A database with protected tables (plain and partitioned), column
# declarations, DBA rules (bound and unbound), a DBA parameter and changed
# shipped rules and parameters survives pg_dump and restore into a fresh
# cluster: the catalogue and every label come back identical, no label is
# stale, and the enforcing trigger keeps working in the restored database.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use AxDumpRestore;

my $src = PostgreSQL::Test::Cluster->new('src');
$src->init;
$src->start;
$src->safe_psql('postgres', q{
	SET client_min_messages = warning;
	CREATE EXTENSION autoxfer;
	CREATE TABLE cams (id int PRIMARY KEY, owner_id text, face boolean, plate boolean,
					   anon boolean, precision_m numeric, incident text);
	INSERT INTO cams SELECT g, CASE WHEN g % 3 = 0 THEN 'U' || g END, g % 5 = 0, g % 7 = 0,
		g % 10 = 0, g % 50, CASE WHEN g % 11 = 0 THEN 'INC-' || g END
	FROM generate_series(1, 500) g;
	SELECT autoxfer.declare_column('cams', 'face', 'faces_visible');
	SELECT autoxfer.declare_column('cams', 'plate', 'plates_visible');
	SELECT autoxfer.declare_column('cams', 'anon', 'anonymised');
	SELECT autoxfer.declare_column('cams', 'incident', 'incident_report_ref');
	SELECT autoxfer.protect('cams', 'connected_operation', 'owner_id');

	CREATE TABLE trips (id int, region text, driver text, lat float8, lon float8, vehicles int)
		PARTITION BY LIST (region);
	CREATE TABLE trips_bj PARTITION OF trips FOR VALUES IN ('bj');
	CREATE TABLE trips_sh PARTITION OF trips FOR VALUES IN ('sh');
	SELECT autoxfer.declare_column('trips', 'lat', 'latitude');
	SELECT autoxfer.declare_column('trips', 'lon', 'longitude');
	SELECT autoxfer.declare_column('trips', 'vehicles', 'vehicle_count');
	SELECT autoxfer.protect('trips', 'driving_automation', 'driver', 'lbl');
	INSERT INTO trips SELECT g, CASE WHEN g % 2 = 0 THEN 'bj' ELSE 'sh' END,
		CASE WHEN g % 4 = 0 THEN 'D' || g END, 30 + g / 100.0, 120, g
	FROM generate_series(1, 300) g;

	-- the DBA's own rules and parameters, and changes to shipped ones
	INSERT INTO autoxfer.parameter (name, value, unit, clause) VALUES ('big_fleet', 250, 'vehicles', 'DBA: fleets over 250 vehicles');
	INSERT INTO autoxfer.rule (code, scenarios, elements, predicate, category, clause)
	VALUES ('DBA1', '{driving_automation}', '{vehicle_quantity}', 'vehicle_count > param.big_fleet', 'important', 'DBA: large fleets');
	INSERT INTO autoxfer.rule (code, predicate, rel, category, clause)
	VALUES ('DBA2', 'precision_m < 3 AND owner_id IS NULL', 'cams', 'important', 'DBA: bound to cams');
	UPDATE autoxfer.parameter SET value = 120 WHERE name = 'i6_test_vehicles';
	UPDATE autoxfer.rule SET enabled = false WHERE code = 'I9';
	SELECT autoxfer.reclassify('cams');
	SELECT autoxfer.reclassify('trips');
});

my $catalog_sql = q{
	SELECT md5(string_agg(x, '|' ORDER BY x)) FROM (
		SELECT format('%s %s %s %s %s', rel, scenario, subject, label_column, generation) AS x FROM autoxfer.protected_table
		UNION ALL SELECT format('%s %s %s %s', rel, attname, kind, attnum) FROM autoxfer.declaration
		UNION ALL SELECT format('%s %s %s %s %s %s %s %s %s', id, code, scenarios, elements, predicate, rel, category, enabled, clause) FROM autoxfer.rule
		UNION ALL SELECT format('%s %s %s', name, value, unit) FROM autoxfer.parameter) s};
my $labels_sql = q{
	SELECT md5(string_agg(x, '|' ORDER BY x)) || ':' || count(*) FROM (
		SELECT 'c' || id || xfer_label::text AS x FROM cams
		UNION ALL SELECT 't' || id || tableoid::regclass::text || lbl::text FROM trips) s};
my $stale_sql = q{SELECT string_agg(format('%s:%s/%s/%s', tbl, total, stale, unlabelled), ' ' ORDER BY tbl::text) FROM autoxfer.stale_labels()};
my $status_sql = q{SELECT string_agg(format('%s=%s', rule, active), ',' ORDER BY rule_id) FROM autoxfer.rule_status('cams')};

my $cat_before = $src->safe_psql('postgres', $catalog_sql);
my $labels_before = $src->safe_psql('postgres', $labels_sql);
my $status_before = $src->safe_psql('postgres', $status_sql);
is($src->safe_psql('postgres', $stale_sql), 'cams:500/0/0 trips:300/0/0', 'source: every row labelled under the current rules');
like($status_before, qr/DBA2=t/, 'source: the bound rule is active on cams');

my $dst = PostgreSQL::Test::Cluster->new('dst');
$dst->init;
$dst->start;
dump_and_restore($src, $dst, sub {
	my ($format, $db) = @_;
	is($dst->safe_psql($db, $catalog_sql), $cat_before, "$format: catalogue identical");
	is($dst->safe_psql($db, $labels_sql), $labels_before, "$format: labels identical");
	is($dst->safe_psql($db, $stale_sql), 'cams:500/0/0 trips:300/0/0', "$format: no stale or missing label");
	is($dst->safe_psql($db, $status_sql), $status_before, "$format: rule status identical");
	is($dst->safe_psql($db, q{SELECT count(*) FROM pg_trigger WHERE tgname = 'zz_autoxfer_enforce' AND tgenabled = 'A'}),
		'4', "$format: one enforcing trigger on each protected table and partition");

	# the trigger works in the restored database, with the restored rules
	$dst->safe_psql($db, q{
		INSERT INTO cams VALUES (1001, NULL, false, false, false, 1, NULL, 'general/exportable');
		INSERT INTO cams VALUES (1002, 'U', true, false, false, 40, NULL, 'general/exportable');
		INSERT INTO trips VALUES (1001, 'bj', NULL, 1, 1, 260, 'general/exportable');
		CREATE TABLE trips_gz PARTITION OF trips FOR VALUES IN ('gz');
		INSERT INTO trips VALUES (1002, 'gz', 'D', 31, 121, 1, NULL);
	});
	is($dst->safe_psql($db, q{SELECT string_agg(id || '=' || autoxfer.rule_id(xfer_label) || '/' || autoxfer.mark(xfer_label), ' ' ORDER BY id) FROM cams WHERE id > 1000}),
		'1001=' . $dst->safe_psql($db, q{SELECT id FROM autoxfer.rule WHERE code = 'DBA2'}) . '/blocked 1002=5/blocked',
		"$format: new rows of cams labelled by the restored bound rule and I5");
	is($dst->safe_psql($db, q{SELECT string_agg(id || '=' || autoxfer.category(lbl) || '/' || tableoid::regclass, ' ' ORDER BY id) FROM trips WHERE id > 1000}),
		'1001=important/trips_bj 1002=sensitive_personal/trips_gz',
		"$format: new rows of trips labelled, in an existing and a new partition");
	# a rule change in the restored database is obeyed and makes labels stale
	$dst->safe_psql($db, q{UPDATE autoxfer.rule SET enabled = true WHERE code = 'I9'});
	like($dst->safe_psql($db, $stale_sql), qr/^cams:502\/502\/0 trips:302\/302\/0$/, "$format: a rule change makes every label stale");
	$dst->safe_psql($db, q{SET client_min_messages = warning; SELECT autoxfer.reclassify('cams'); SELECT autoxfer.reclassify('trips')});
	is($dst->safe_psql($db, $stale_sql), 'cams:502/0/0 trips:302/0/0', "$format: reclassify brings them up to date");
});

$src->stop;
$dst->stop;
done_testing();
