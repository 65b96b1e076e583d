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

dump_and_restore($src, $dst, sub {
	my ($format, $db) = @_;
	is($dst->safe_psql($db, $digest_sql), $before, "labels identical after $format dump and restore");
	is($dst->safe_psql($db, q{SELECT count(*) FROM frames WHERE l OPERATOR(autoxfer.>=) 'important/exportable'}),
		$src->safe_psql('postgres', q{SET search_path = public, autoxfer; SELECT count(*) FROM frames WHERE l >= 'important/exportable'}),
		"severity index answers the same after $format restore");
});

$src->stop;
$dst->stop;
done_testing();
