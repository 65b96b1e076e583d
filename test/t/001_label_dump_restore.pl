# Labels survive pg_dump and restore into a fresh cluster, in both the
# plain (text I/O) and custom (COPY text) formats, and crash recovery.
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
	CREATE EXTENSION autoxfer;
	CREATE TABLE frames (id int PRIMARY KEY, l autoxfer.label NOT NULL);
	INSERT INTO frames
	SELECT g, autoxfer.make_label(
		(enum_range(NULL::autoxfer.category))[1 + g % 4],
		(enum_range(NULL::autoxfer.mark))[1 + g % 3],
		(enum_range(NULL::autoxfer.scenario))[1 + g % 6],
		'{geographic_information}', '{}', g % 65536, g % 1000)
	FROM generate_series(1, 1000) g;
	INSERT INTO frames VALUES (0, 'core/blocked scenario=production');
	CREATE INDEX frames_l ON frames (l);
});
my $digest_sql = q{SELECT md5(string_agg(l::text, '|' ORDER BY id)) || ':' || count(*) FROM frames};
my $before = $src->safe_psql('postgres', $digest_sql);
like($before, qr/:1001$/, 'source table has 1001 labelled rows');

# crash: immediate stop, then recovery replays the inserts
$src->stop('immediate');
$src->start;
is($src->safe_psql('postgres', $digest_sql), $before, 'labels intact after crash recovery');

my $dst = PostgreSQL::Test::Cluster->new('dst');
$dst->init;
$dst->start;

# rows of category important or core: g % 4 = 3 (250 of them) and row 0;
# important/exportable scenario=rd_design is the least severe important label
my $severe = 251;
my $index_sql = q{SET enable_seqscan = off; SET enable_bitmapscan = off;
	SELECT count(*) FROM frames WHERE l OPERATOR(autoxfer.>=) 'important/exportable scenario=rd_design'};
my $plan_sql = q{SET enable_seqscan = off; SET enable_bitmapscan = off;
	EXPLAIN (COSTS OFF) SELECT count(*) FROM frames WHERE l OPERATOR(autoxfer.>=) 'important/exportable scenario=rd_design'};
like($src->safe_psql('postgres', $plan_sql), qr/Index Only Scan using frames_l/, 'the severity query scans the index');
is($src->safe_psql('postgres', $index_sql), $severe, 'the index finds the 251 important and core rows');

dump_and_restore($src, $dst, sub {
	my ($format, $db) = @_;
	is($dst->safe_psql($db, $digest_sql), $before, "labels identical after $format dump and restore");
	like($dst->safe_psql($db, $plan_sql), qr/Index Only Scan using frames_l/, "the restored index is used ($format)");
	is($dst->safe_psql($db, $index_sql), $severe, "the restored index finds the 251 important and core rows ($format)");
});

$src->stop;
$dst->stop;
done_testing();
