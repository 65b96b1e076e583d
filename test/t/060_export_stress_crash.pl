# autoxfer.export under load and across crashes.
#
# Stress: 16 pgbench clients export overlapping batches to four recipients
# for a bounded number of transactions, starting at 99,000 individuals
# counted this year with no filing: the ledger ends exactly equal to the
# union of the subject sets in the transfer log, every new individual was
# counted once (the log's new_personal adds up to the ledger), and the
# personal tally never reached the 100,000 threshold of rule M6.
#
# Crashes: a backend killed (SIGKILL) with an export done but not
# committed, and killed while an export runs; an immediate shutdown while an
# export runs.  After each recovery the ledger equals the union of the
# logged sets, the log's counts add up, and exports work again.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('exports');
$node->init;
$node->append_conf('postgresql.conf', q{
shared_preload_libraries = 'autoxfer'
max_connections = 40
restart_after_crash = on
checkpoint_timeout = '1h'
max_wal_size = '1GB'
});
$node->start;

$node->safe_psql('postgres', q{
	SET client_min_messages = warning;
	CREATE EXTENSION autoxfer;
	SELECT autoxfer.set_organisation('Acme Auto');
	SELECT autoxfer.add_purpose('analytics', 'Fleet analytics');
	SELECT autoxfer.register_recipient('r' || g, 'DE') FROM generate_series(0, 3) g;
	CREATE TABLE fleet (id int PRIMARY KEY, owner_id text, speed real);
	SELECT autoxfer.protect('fleet', 'connected_operation', 'owner_id');
	INSERT INTO fleet SELECT g, 'N' || (g % 3000), g % 120 FROM generate_series(1, 20000) g;
	SELECT autoxfer.ledger_add('personal', autoxfer.subjects('B' || g), 'elsewhere') FROM generate_series(1, 99000) g;
});

# the invariants, checked after the stress and after every crash
my $invariants = q{
	SELECT bool_and(l.individuals = x.n AND autoxfer.ledger_subjects(l.tally, l.year) OPERATOR(autoxfer.=) x.logged)
	FROM autoxfer.ledger l,
	     LATERAL (SELECT autoxfer.subject_union(CASE WHEN l.tally = 'personal' THEN g.subjects_personal ELSE g.subjects_sensitive END) AS logged,
	                     sum(CASE WHEN l.tally = 'personal' THEN g.new_personal ELSE g.new_sensitive END) AS n
	              FROM autoxfer.transfer_log g WHERE g.year = l.year) x};

# --- stress: 16 clients, 40 exports each, windows of 150 rows -----------------
my $tmp = PostgreSQL::Test::Utils::tempdir;
my $script = "$tmp/export.sql";
open(my $fh, '>', $script) or die "could not write $script: $!";
print $fh q{\set a random(1, 19850)
SELECT count(*) FROM autoxfer.export(NULL::fleet, 'r' || (:client_id % 4)::text, 'analytics', format('id BETWEEN %s AND %s', :a, :a + 150), 'trim');
};
close($fh);
$node->command_ok([ 'pgbench', '--no-vacuum', '--client=16', '--jobs=2', '--transactions=40',
		'--file', $script, $node->connstr('postgres') ],
	'16 clients export concurrently');
is($node->safe_psql('postgres', q{SELECT count(*) FROM autoxfer.transfer_log WHERE kind = 'export'}), '640',
	'every export was logged');
is($node->safe_psql('postgres', $invariants), 't', 'the ledger is the union of the logged sets, and the log adds up');
my ($count, $under) = split(/\|/, $node->safe_psql('postgres',
		q{SELECT l.individuals, l.individuals < 100000 FROM autoxfer.ledger l
		  WHERE l.tally = 'personal' AND l.year = autoxfer.ledger_year(now())}));
is($under, 't', "no threshold crossed without a filing (personal tally $count)");
cmp_ok($count, '>', 99000, 'the exports counted new individuals');
is($node->safe_psql('postgres', q{
	SELECT count(*) FROM autoxfer.transfer_log g
	WHERE g.kind = 'export' AND g.total_personal >= 100000}), '0', 'no export left the tally at 100,000 or more');
is($node->safe_psql('postgres', q{
	SELECT bool_and(r.individuals = x.n) FROM autoxfer.ledger_recipient r,
	  LATERAL (SELECT autoxfer.cardinality(autoxfer.subject_union(g.subjects_personal)) AS n FROM autoxfer.transfer_log g
	           WHERE g.year = r.year AND g.recipient = r.recipient) x
	WHERE r.tally = 'personal'}), 't', 'each recipient\'s count is the union of its logged sets');

# a contract for r1 so that the crash tests export new individuals
$node->safe_psql('postgres', q{
	SELECT autoxfer.record_filing('standard_contract', 'r1', '{analytics}', 'SC-1', current_date - 1);
	CREATE TABLE big (id int PRIMARY KEY, owner_id text);
	SELECT autoxfer.protect('big', 'connected_operation', 'owner_id');
	INSERT INTO big SELECT g, 'M' || g FROM generate_series(1, 600000) g;
});
my $before = $node->safe_psql('postgres', q{SELECT count(*) || ':' || autoxfer.ledger_count('personal') FROM autoxfer.transfer_log});

# --- crash 1: an export done, the transaction still open, backend killed ------
my $bg = $node->background_psql('postgres', on_error_stop => 0);
my $pid = $bg->query_safe('SELECT pg_backend_pid()');
chomp($pid);
$bg->query_safe(q{BEGIN; SET client_min_messages = warning;
	SELECT count(*) FROM autoxfer.export(NULL::big, 'r1', 'analytics', 'id <= 1000')});
kill 'KILL', $pid;
eval { $bg->quit };
$node->poll_query_until('postgres', 'SELECT true') or die 'server did not come back';
is($node->safe_psql('postgres', q{SELECT count(*) || ':' || autoxfer.ledger_count('personal') FROM autoxfer.transfer_log}),
	$before, 'a killed backend\'s uncommitted export left nothing');
is($node->safe_psql('postgres', $invariants), 't', 'after the kill the ledger is the union of the logged sets');

# --- crash 2: a backend killed while its export runs --------------------------
$bg = $node->background_psql('postgres', on_error_stop => 0);
$pid = $bg->query_safe('SELECT pg_backend_pid()');
chomp($pid);
$bg->query_until(qr/started/, "\\echo started\nSET client_min_messages = warning; SELECT count(*) FROM autoxfer.export(NULL::big, 'r1', 'analytics');\n");
ok($node->poll_query_until('postgres',
		qq{SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE pid = $pid AND query LIKE '%autoxfer.export%' AND state = 'active')}),
	'the export runs');
kill 'KILL', $pid;
eval { $bg->quit };
$node->poll_query_until('postgres', 'SELECT true') or die 'server did not come back';
is($node->safe_psql('postgres', q{SELECT count(*) || ':' || autoxfer.ledger_count('personal') FROM autoxfer.transfer_log}),
	$before, 'an export killed while it ran left nothing');
is($node->safe_psql('postgres', $invariants), 't', 'the ledger is still the union of the logged sets');

# --- an export committed, then an immediate shutdown during the next ----------
is($node->safe_psql('postgres', q{SET client_min_messages = warning;
	SELECT count(*) FROM autoxfer.export(NULL::big, 'r1', 'analytics', 'id <= 5000')}), '5000',
	'an export commits');
my $committed = $node->safe_psql('postgres', q{SELECT count(*) || ':' || autoxfer.ledger_count('personal') FROM autoxfer.transfer_log});
$bg = $node->background_psql('postgres', on_error_stop => 0);
$pid = $bg->query_safe('SELECT pg_backend_pid()');
chomp($pid);
$bg->query_until(qr/started/, "\\echo started\nSET client_min_messages = warning; SELECT count(*) FROM autoxfer.export(NULL::big, 'r1', 'analytics');\n");
ok($node->poll_query_until('postgres',
		qq{SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE pid = $pid AND query LIKE '%autoxfer.export%' AND state = 'active')}),
	'the next export runs');
$node->stop('immediate');
eval { $bg->quit };
$node->start;
is($node->safe_psql('postgres', q{SELECT count(*) || ':' || autoxfer.ledger_count('personal') FROM autoxfer.transfer_log}),
	$committed, 'after recovery: the committed export is there, the interrupted one gone');
is($node->safe_psql('postgres', $invariants), 't', 'after recovery the ledger is the union of the logged sets');

# exports work again
is($node->safe_psql('postgres', q{SET client_min_messages = warning;
	SELECT count(*) FROM autoxfer.export(NULL::big, 'r1', 'analytics', 'id BETWEEN 5001 AND 6000')}), '1000',
	'exports work after recovery');
is($node->safe_psql('postgres', $invariants), 't', 'and keep the ledger equal to the log');

$node->stop;
done_testing();
