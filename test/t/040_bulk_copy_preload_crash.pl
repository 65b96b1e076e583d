# autoxfer in shared_preload_libraries, as docs/guide-dba.md recommends:
# the server starts; a new session's first statement can be a SECURITY LABEL
# of the autoxfer provider or a COPY that takes the bulk path.  A server
# crash in the middle of a bulk COPY loses that COPY's rows and nothing
# else: the rows of a bulk COPY committed just before the crash come back
# from the WAL with their labels, the index is consistent, and bulk COPY
# works again after recovery.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('preload');
$node->init;
$node->append_conf('postgresql.conf', q{
shared_preload_libraries = 'autoxfer, pg_stat_statements'
checkpoint_timeout = '1h'
max_wal_size = '1GB'
});
$node->start;
is($node->safe_psql('postgres', 'SHOW autoxfer.bulk_copy'), 'on', 'the library is preloaded: its settings exist');

$node->safe_psql('postgres', q{
	SET client_min_messages = warning;
	CREATE EXTENSION autoxfer;
	CREATE EXTENSION amcheck;
	CREATE EXTENSION pg_stat_statements;
	CREATE TABLE frames (id int PRIMARY KEY, owner_id text, face boolean, plate boolean);
	SELECT autoxfer.declare_column('frames', 'face', 'faces_visible');
	SELECT autoxfer.protect('frames', 'connected_operation', 'owner_id');
});

# a new session's first statement: a SECURITY LABEL of the provider
my ($ret, $out, $err) = $node->psql('postgres',
	q{SECURITY LABEL FOR autoxfer ON COLUMN frames.plate IS 'plates_visible'});
is($ret, 0, 'SECURITY LABEL works as the first statement of a session');
is($node->safe_psql('postgres', q{SELECT kind FROM autoxfer.declaration WHERE rel = 'frames'::regclass AND attname = 'plate'}),
	'plates_visible', 'the label declared the column');

# a new session's first statement: a COPY, on the bulk path
my $tmp = PostgreSQL::Test::Utils::tempdir;
my $rows = "$tmp/rows.txt";
open(my $fh, '>', $rows) or die "could not write $rows: $!";
print $fh join("\t", $_, ($_ % 3 ? "U$_" : '\N'), ($_ % 7 == 0 ? 't' : 'f'), ($_ % 11 == 0 ? 't' : 'f')) . "\n"
  for 1 .. 3000;
close($fh);
($ret, $out, $err) = $node->psql('postgres',
	"SET client_min_messages = debug1; COPY frames (id, owner_id, face, plate) FROM '$rows'");
is($ret, 0, 'COPY as the first statement of a session');
like($err, qr/COPY into "frames" labels and writes its rows in batches/, 'it takes the bulk path');
is($node->safe_psql('postgres', q{SELECT sum(calls), sum(rows) FROM pg_stat_statements WHERE query LIKE 'COPY frames%'}),
	'1|3000', 'pg_stat_statements, loaded after autoxfer, still sees the COPY');

# a bulk COPY committed, then the server crashes during the next one
my $expected = $node->safe_psql('postgres',
	q{SELECT count(*) FROM frames f WHERE autoxfer.classify(f) OPERATOR(autoxfer.=) f.xfer_label});
is($expected, '3000', 'the committed rows are labelled as classify() says');
my $bg = $node->background_psql('postgres', on_error_stop => 0);
my $backend = $bg->query_safe('SELECT pg_backend_pid()');
chomp($backend);
# the program writes its rows, then waits without end of data as long as
# the backend reading it lives (so it does not outlive the crash)
my $more = "$tmp/more.sh";
open($fh, '>', $more) or die "could not write $more: $!";
print $fh "seq 3001 60000 | awk '{ print \$1 \"\\tU\" \$1 \"\\tt\\tf\" }'\n"
  . "while kill -0 $backend 2>/dev/null; do sleep 0.2; done\n";
close($fh);
$bg->query_until(qr/started/, "\\echo started\nCOPY frames (id, owner_id, face, plate) FROM PROGRAM 'sh $more';\n");
ok($node->poll_query_until('postgres',
		q{SELECT tuples_processed >= 5000 FROM pg_stat_progress_copy WHERE relid = 'frames'::regclass}),
	'the second COPY has written its batches');
$node->stop('immediate');
eval { $bg->quit };
$node->start;

is($node->safe_psql('postgres', 'SELECT count(*), max(id) FROM frames'), '3000|3000',
	'after the crash: the committed COPY is whole, the interrupted one gone');
is($node->safe_psql('postgres',
		q{SELECT count(*) FROM frames f WHERE autoxfer.classify(f) OPERATOR(autoxfer.=) f.xfer_label}),
	'3000', 'every recovered row carries its label');
is($node->safe_psql('postgres', q{SELECT count(*) FROM frames WHERE autoxfer.category(xfer_label) = 'important'}),
	$node->safe_psql('postgres', q{SELECT count(*) FROM frames WHERE face OR plate}),
	'rows with faces or plates are important');
($ret, $out, $err) = $node->psql('postgres', q{SELECT bt_index_check('frames_pkey', true)});
is($ret, 0, 'the primary key index is consistent with the table') or diag($err);

# bulk COPY works again after recovery
($ret, $out, $err) = $node->psql('postgres',
	"SET client_min_messages = debug1; COPY frames (id, owner_id, face, plate) FROM PROGRAM 'seq 3001 4000 | sed \"s/\$/\\tU\\tf\\tt/\"'");
is($ret, 0, 'a COPY after recovery') or diag($err);
like($err, qr/labels and writes its rows in batches/, 'on the bulk path');
is($node->safe_psql('postgres',
		q{SELECT count(*) FILTER (WHERE autoxfer.classify(f) OPERATOR(autoxfer.=) f.xfer_label), count(*) FROM frames f}),
	'4000|4000', 'all rows labelled');

$node->stop;

# a library whose utility hook was installed before autoxfer's (here
# pg_stat_statements preloaded, autoxfer loaded in the session) may handle
# COPY itself: the bulk path steps aside and the trigger labels the rows
my $other = PostgreSQL::Test::Cluster->new('other_first');
$other->init;
$other->append_conf('postgresql.conf', "shared_preload_libraries = 'pg_stat_statements'\n");
$other->start;
$other->safe_psql('postgres', q{
	SET client_min_messages = warning;
	CREATE EXTENSION autoxfer;
	CREATE TABLE frames (id int PRIMARY KEY, owner_id text, face boolean);
	SELECT autoxfer.declare_column('frames', 'face', 'faces_visible');
	SELECT autoxfer.protect('frames', 'connected_operation', 'owner_id');
});
($ret, $out, $err) = $other->psql('postgres',
	"SELECT autoxfer.seclabel_provider(); SET client_min_messages = debug1; "
	  . "COPY frames (id, owner_id, face) FROM PROGRAM 'seq 1 500 | sed \"s/\$/\tU\tt/\"'");
is($ret, 0, 'COPY with another library hooked first') or diag($err);
like($err, qr/COPY into "frames" inserts row by row: another library's utility hook was installed before autoxfer's/,
	'the bulk path steps aside, saying why');
is($other->safe_psql('postgres',
		q{SELECT count(*) FILTER (WHERE autoxfer.category(xfer_label) = 'important'), count(*) FROM frames}),
	'500|500', 'the trigger labelled every row');
$other->stop;
done_testing();
