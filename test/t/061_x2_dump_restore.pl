# Roles abroad (rule X2) survive pg_dump and restore: the policies, the
# row-level security settings autoxfer made and its record of them
# (autoxfer.x2_table) come back as they were (a plain table, a partitioned
# one, one with row-level security of its owner's own), the role abroad
# reads exactly what it read before, every other role too, the guard holds
# in the restored database, and unregistering puts the tables back as they
# were before the role abroad existed.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use AxDumpRestore;

my $setup_roles = q{
	SET client_min_messages = warning;
	CREATE ROLE x2_owner;
	CREATE ROLE x2_writer;
	CREATE ROLE x2_abroad;
};
my $src = PostgreSQL::Test::Cluster->new('src');
$src->init;
$src->start;
$src->safe_psql('postgres', $setup_roles . q{
	CREATE EXTENSION autoxfer;
	CREATE TABLE fleet (id int PRIMARY KEY, owner_id text, face boolean);
	CREATE TABLE trips (id int, owner_id text) PARTITION BY RANGE (id);
	CREATE TABLE trips_1 PARTITION OF trips FOR VALUES FROM (0) TO (100);
	CREATE TABLE trips_2 PARTITION OF trips FOR VALUES FROM (100) TO (200);
	CREATE TABLE own (id int PRIMARY KEY, owner_id text, region text);
	ALTER TABLE own ENABLE ROW LEVEL SECURITY;
	CREATE POLICY region_a ON own TO x2_writer USING (region = 'a');
	ALTER TABLE fleet OWNER TO x2_owner;
	ALTER TABLE trips OWNER TO x2_owner;
	ALTER TABLE own OWNER TO x2_owner;
	SELECT autoxfer.declare_column('fleet', 'face', 'faces_visible');
	SELECT autoxfer.protect(t, 'connected_operation', 'owner_id')
	FROM unnest(ARRAY['fleet', 'trips', 'own']::regclass[]) t;
	INSERT INTO fleet SELECT g, CASE WHEN g % 3 > 0 THEN 'U' || (g % 10) END, g % 7 = 0 FROM generate_series(1, 50) g;
	INSERT INTO trips SELECT g, CASE WHEN g % 2 = 0 THEN 'U' || (g % 10) END FROM generate_series(1, 199) g;
	INSERT INTO own SELECT g, CASE WHEN g % 2 = 0 THEN 'U' || g END, CASE WHEN g % 3 = 0 THEN 'a' ELSE 'b' END
	FROM generate_series(1, 20) g;
	GRANT SELECT ON fleet, trips, own TO x2_writer, x2_abroad;
	SELECT autoxfer.set_organisation('Acme Auto (Shanghai)');
	SELECT autoxfer.add_purpose('analytics', 'Fleet analytics');
	SELECT autoxfer.register_recipient('vendor-de', 'DE', 'x2_abroad', 'analytics');
	SELECT autoxfer.register_recipient('plain-us', 'US');
});

# what autoxfer made, as text that does not depend on OIDs
my $state_sql = q{
	SELECT string_agg(x, E'\n' ORDER BY x) FROM (
		SELECT format('%s rls=%s forced=%s', relname, relrowsecurity, relforcerowsecurity) AS x
		FROM pg_class WHERE relname IN ('fleet', 'trips', 'trips_1', 'trips_2', 'own')
		UNION ALL
		SELECT format('%s %s %s %s %s %s %s', polrelid::regclass, polname, polpermissive, polcmd,
					  polroles::regrole[], pg_get_expr(polqual, polrelid), pg_get_expr(polwithcheck, polrelid))
		FROM pg_policy
		UNION ALL
		SELECT format('x2_table %s %s %s %s', rel, enabled_rls, forced_rls, policy_qual) FROM autoxfer.x2_table) s};
my $reads_sql = q{
	SELECT concat_ws(' ', (SELECT md5(string_agg(f::text, '|' ORDER BY id)) FROM fleet f),
					 (SELECT md5(string_agg(t::text, '|' ORDER BY id)) FROM trips t),
					 (SELECT md5(string_agg(o::text, '|' ORDER BY id)) FROM own o))};
my $reads = sub {
	my ($node, $db, $role) = @_;
	return $node->safe_psql($db, "SET SESSION AUTHORIZATION $role; $reads_sql");
};
my $state = $src->safe_psql('postgres', $state_sql);
my %before = map { $_ => $reads->($src, 'postgres', $_) } qw(x2_owner x2_writer x2_abroad);
# by hand: the role abroad reads the general rows only (nobody is counted):
# fleet without owner or face, trips without owner, nothing of own (no
# policy of the owner's lets it read own)
is($src->safe_psql('postgres', q{SET SESSION AUTHORIZATION x2_abroad;
	SELECT (SELECT count(*) FROM fleet), (SELECT count(*) FROM trips), (SELECT count(*) FROM own)}),
	$src->safe_psql('postgres', q{SELECT (SELECT count(*) FROM fleet WHERE owner_id IS NULL AND NOT face),
		(SELECT count(*) FROM trips WHERE owner_id IS NULL), 0}),
	'before the dump, the role abroad reads the general rows');

my $dst = PostgreSQL::Test::Cluster->new('dst');
$dst->init;
$dst->start;
$dst->safe_psql('postgres', $setup_roles);

dump_and_restore($src, $dst, sub {
	my ($format, $db) = @_;
	is($dst->safe_psql($db, $state_sql), $state, "$format: policies, row-level security and x2_table as they were");
	is($reads->($dst, $db, $_), $before{$_}, "$format: $_ reads what it read before") for qw(x2_owner x2_writer x2_abroad);
	my ($ret, $out, $err) = $dst->psql($db, 'ALTER TABLE fleet DISABLE ROW LEVEL SECURITY');
	like($err, qr/cannot change the row-level security of public\.fleet: row-level security was disabled/,
		"$format: the guard holds in the restored database");
	($ret, $out, $err) = $dst->psql($db, 'DROP POLICY autoxfer_abroad ON trips_2');
	like($err, qr/policy autoxfer_abroad was dropped/, "$format: on partitions too");
	$dst->safe_psql($db, q{SET client_min_messages = warning; SELECT autoxfer.unregister_recipient('vendor-de')});
	is($dst->safe_psql($db, q{
		SELECT string_agg(format('%s %s %s', relname, relrowsecurity, relforcerowsecurity), ',' ORDER BY relname)
		FROM pg_class WHERE relname IN ('fleet', 'trips', 'trips_1', 'trips_2', 'own')}),
		'fleet f f,own t f,trips f f,trips_1 f f,trips_2 f f', "$format: unregistered, the tables are as they were");
	is($dst->safe_psql($db, q{SELECT string_agg(polrelid::regclass || '.' || polname, ',') FROM pg_policy}),
		'own.region_a', "$format: only the owner's own policy is left");
});

$src->stop;
$dst->stop;
done_testing();
