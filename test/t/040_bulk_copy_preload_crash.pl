# autoxfer in shared_preload_libraries, as docs/guide-dba.md recommends:
# the server starts; a new session's first statement can be a SECURITY LABEL
# of the autoxfer provider or a COPY that takes the bulk path.  A server
# crash in the middle of a bulk COPY loses that COPY's rows and nothing
# else: the rows of a bulk COPY committed just before the crash come back
# from the WAL with their labels, the index is consistent, and bulk COPY
# works again after recovery.  With a role abroad registered (rule X2),
# writers' and owners' COPY FROM still loads and labels its rows.
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

# a role abroad registered (rule X2): row-level security on the protected
# tables.  A writer's and the owner's COPY FROM, each the first statement of
# a session, still load and label their rows; the role abroad's COPY gets
# PostgreSQL's refusal; what the role abroad reads is what it may receive
$node->safe_psql('postgres', q{
	SET client_min_messages = warning;
	CREATE ROLE x2_owner LOGIN;
	CREATE ROLE x2_writer LOGIN;
	CREATE ROLE x2_abroad LOGIN;
	CREATE TABLE loads (id int PRIMARY KEY, owner_id text, face boolean);
	CREATE TABLE loads_p (id int, owner_id text, face boolean) PARTITION BY RANGE (id);
	CREATE TABLE loads_p_1 PARTITION OF loads_p FOR VALUES FROM (0) TO (5000);
	CREATE TABLE loads_p_2 PARTITION OF loads_p FOR VALUES FROM (5000) TO (10000);
	ALTER TABLE loads OWNER TO x2_owner;
	ALTER TABLE loads_p OWNER TO x2_owner;
	SELECT autoxfer.declare_column(t, 'face', 'faces_visible'), autoxfer.protect(t, 'connected_operation', 'owner_id')
	FROM unnest(ARRAY['loads', 'loads_p']::regclass[]) t;
	GRANT SELECT, INSERT ON loads, loads_p TO x2_writer;
	GRANT SELECT, INSERT ON loads TO x2_abroad;
	SELECT autoxfer.set_organisation('Acme Auto (Shanghai)');
	SELECT autoxfer.add_purpose('analytics', 'Fleet analytics');
	SELECT autoxfer.register_recipient('vendor-de', 'DE', 'x2_abroad', 'analytics');
});
is($node->safe_psql('postgres',
		q{SELECT string_agg(relname || ':' || (relrowsecurity AND relforcerowsecurity), ',' ORDER BY relname) FROM pg_class WHERE relname ~ '^loads' AND relkind IN ('r', 'p')}),
	'loads:true,loads_p:true,loads_p_1:true,loads_p_2:true', 'row-level security enabled and forced on every protected table and partition');
# COPY FROM STDIN, as a client loads: rows $from .. $to, every third
# without an owner (general unless a face), every seventh with a face
my $rows_of = sub {
	my ($from, $to) = @_;
	return join('', map { "$_\t" . ($_ % 3 ? "U$_" : '\N') . "\t" . ($_ % 7 ? 'f' : 't') . "\n" } $from .. $to) . "\\.\n";
};
($ret, $out, $err) = $node->psql('postgres',
	"SET client_min_messages = debug1; COPY loads (id, owner_id, face) FROM stdin;\n" . $rows_of->(1, 2000),
	extra_params => [ '-U', 'x2_writer' ]);
is($ret, 0, "a writer's COPY FROM as the first statement of a session, a role abroad registered") or diag($err);
like($err, qr/COPY into "loads" labels and writes its rows in batches/, 'on the bulk path');
($ret, $out, $err) = $node->psql('postgres',
	"SET client_min_messages = debug1; COPY loads_p (id, owner_id, face) FROM stdin;\n" . $rows_of->(1, 9999),
	extra_params => [ '-U', 'x2_writer' ]);
is($ret, 0, "a writer's COPY FROM into a partitioned table") or diag($err);
($ret, $out, $err) = $node->psql('postgres',
	"SET client_min_messages = debug1; SET autoxfer.bulk_copy = off; COPY loads (id, owner_id, face) FROM stdin;\n"
	  . "2001\tU2001\tt\n\\.\n",
	extra_params => [ '-U', 'x2_writer' ]);
is($ret, 0, "a writer's COPY FROM with the bulk path off (the server's row-by-row COPY)") or diag($err);
like($err, qr/inserts row by row: autoxfer.bulk_copy is off \(its row-level security limits only roles abroad\)/,
	'row by row');
($ret, $out, $err) = $node->psql('postgres', "COPY loads (id, owner_id, face) FROM stdin;\n2002\tU2002\tf\n\\.\n",
	extra_params => [ '-U', 'x2_owner' ]);
is($ret, 0, "the owner's COPY FROM (row-level security forced)") or diag($err);
($ret, $out, $err) = $node->psql('postgres', "COPY loads (id, owner_id, face) FROM stdin;\n3000\tU3000\tf\n\\.\n",
	extra_params => [ '-U', 'x2_abroad' ]);
isnt($ret, 0, "the role abroad's COPY FROM is refused");
like($err, qr/COPY FROM not supported with row-level security/, "with PostgreSQL's error");
is($node->safe_psql('postgres', q{
	SELECT count(*) FILTER (WHERE autoxfer.classify(l) OPERATOR(autoxfer.=) l.xfer_label), count(*),
		   count(*) FILTER (WHERE autoxfer.category(xfer_label) = 'important'), count(*) FILTER (WHERE id = 3000)
	FROM loads l}),
	'2002|2002|286|0', 'every loaded row labelled as classify() says (faces: important), none of the role abroad');
is($node->safe_psql('postgres', q{
	SELECT count(*) FILTER (WHERE autoxfer.classify(l) OPERATOR(autoxfer.=) l.xfer_label), count(*) FROM loads_p l}),
	'9999|9999', 'every row routed to a partition labelled');
# by hand: the role abroad reads the general rows (no owner, no face: ids
# divisible by 3 and not by 7), nothing personal (nobody is counted yet)
is($node->safe_psql('postgres', q{SELECT count(*), count(*) FILTER (WHERE id % 3 = 0 AND id % 7 <> 0) FROM loads},
		extra_params => [ '-U', 'x2_abroad' ]),
	'571|571', 'the role abroad reads the general rows only');
is($node->safe_psql('postgres', q{EXPLAIN (COSTS OFF) SELECT * FROM loads WHERE id = 21}, extra_params => [ '-U', 'x2_abroad' ]),
	"Custom Scan (autoxfer X2 Scan) on loads\n  Filter: (id = 21)\n  Policy: autoxfer_abroad (autoxfer._x2_visible), decided a page at a time",
	'its first query in a session scans without the index, under the policy (decided by the scan of roles abroad)');
$node->safe_psql('postgres', q{
	SELECT autoxfer.unregister_recipient('vendor-de');
	DROP TABLE loads, loads_p;
	DROP OWNED BY x2_abroad;
});

# a database without the extension, the library preloaded: row-level
# security of a user's own gets PostgreSQL's refusal of COPY FROM, and
# queries plan as ever (autoxfer's hooks look for its own policy first)
$node->safe_psql('postgres', 'CREATE DATABASE plain OWNER x2_owner');
$node->safe_psql('plain', q{
	SET ROLE x2_owner;
	CREATE TABLE t (id int PRIMARY KEY, region text);
	ALTER TABLE t ENABLE ROW LEVEL SECURITY;
	ALTER TABLE t FORCE ROW LEVEL SECURITY;
	CREATE POLICY autoxfer_abroad ON t USING (region = 'a') WITH CHECK (true);
	INSERT INTO t VALUES (1, 'a'), (2, 'b');
});
($ret, $out, $err) = $node->psql('plain', "COPY t FROM stdin;\n3\ta\n\\.\n", extra_params => [ '-U', 'x2_owner' ]);
like($err, qr/COPY FROM not supported with row-level security/,
	"without the extension, PostgreSQL's refusal of COPY FROM under row-level security") or diag($err);
is($node->safe_psql('plain', q{SELECT string_agg(id::text, ',' ORDER BY id) FROM t}, extra_params => [ '-U', 'x2_owner' ]),
	'1', 'and a policy of that name is the user\'s own');
$node->safe_psql('postgres', q{
	DROP DATABASE plain;
	DROP ROLE x2_owner, x2_writer, x2_abroad;
});

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
