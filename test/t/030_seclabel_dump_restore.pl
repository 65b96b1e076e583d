# Declarations made with SECURITY LABEL FOR autoxfer survive pg_dump and
# restore into a fresh cluster that does not preload the library: plain
# (psql -f), custom (pg_restore) and parallel (pg_restore -j 2).  The
# catalogue rows (dumped with the extension's config tables) and the labels
# (replayed by SECURITY LABEL, which calls the declaration functions again)
# must combine into exactly the source's state, and the restored table must
# label new rows.  Also: the sensitive areas are restored, and the limits
# documented in docs/seclabel.md (a session that has not loaded the library,
# a target where the extension already exists) behave as described.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $src = PostgreSQL::Test::Cluster->new('sl_src');
$src->init;
$src->start;
$src->safe_psql('postgres', q{
	CREATE EXTENSION autoxfer;
	CREATE TABLE fleet (id int PRIMARY KEY, vin text, owner_id text, lat float8, lon float8, face boolean);
	INSERT INTO fleet
	SELECT g, 'LSV' || g, CASE WHEN g % 3 = 0 THEN NULL ELSE 'U' || (g % 50) END,
	       CASE WHEN g % 5 = 0 THEN NULL ELSE 30 + g % 10 END, 110 + g % 10, g % 7 = 0
	FROM generate_series(1, 500) g;
	SECURITY LABEL FOR autoxfer ON COLUMN fleet.owner_id IS 'subject';
	SECURITY LABEL FOR autoxfer ON COLUMN fleet.vin IS 'personal';
	SECURITY LABEL FOR autoxfer ON COLUMN fleet.lat IS 'latitude';
	SECURITY LABEL FOR autoxfer ON COLUMN fleet.lon IS 'longitude';
	SECURITY LABEL FOR autoxfer ON COLUMN fleet.face IS 'faces_visible';
	SECURITY LABEL FOR autoxfer ON TABLE fleet IS 'scenario=connected_operation subject=owner_id label_column=lbl';
	-- a table only declared, not protected, whose name sorts first
	CREATE TABLE aa_declared (driver text);
	SECURITY LABEL FOR autoxfer ON COLUMN aa_declared.driver IS 'subject, sensitive_personal';
	-- a table declared through the functions, not labels
	CREATE TABLE frames (id int, owner_id text, plate boolean);
	SELECT autoxfer.declare_column('frames', 'owner_id', 'subject');
	SELECT autoxfer.protect('frames', 'driving_automation', 'owner_id');
	INSERT INTO frames VALUES (1, 'U1', true), (2, NULL, false);
	INSERT INTO autoxfer.sensitive_area (name, kind, area)
	VALUES ('garrison', 'military_zone', box '((110,30),(111,31))'),
	       ('county seat', 'government_organ', polygon '((112,32),(113,32),(112,33))');
});

# Everything that must be identical after a restore.
my %state = (
	declarations => q{SELECT string_agg(format('%s.%s:%s', rel, attname, kind), ' ' ORDER BY rel::text, attname, kind) FROM autoxfer.declaration},
	protected => q{SELECT string_agg(format('%s:%s:%s:%s:%s', rel, scenario, subject, label_column, generation), ' ' ORDER BY rel::text) FROM autoxfer.protected_table},
	seclabels => q{SELECT string_agg(format('%s %s=%s', objtype, objname, label), ' | ' ORDER BY objname COLLATE "C") FROM pg_seclabels WHERE provider = 'autoxfer'},
	fleet => q{SELECT md5(string_agg(format('%s %s %s', id, owner_id, lbl), '|' ORDER BY id)) || ':' || count(*) FROM fleet},
	frames => q{SELECT string_agg(format('%s %s', id, xfer_label), '|' ORDER BY id) FROM frames},
	triggers => q{SELECT string_agg(format('%s.%s:%s', tgrelid::regclass, tgname, tgenabled), ' ' ORDER BY tgrelid::regclass::text) FROM pg_trigger WHERE tgname = 'zz_autoxfer_enforce'},
	areas => q{SELECT string_agg(format('%s %s %s %s', id, name, kind, area), '|' ORDER BY id) FROM autoxfer.sensitive_area},
	in_area => q{SELECT autoxfer.in_sensitive_area(30.5, 110.5) AND autoxfer.in_sensitive_area(32.2, 112.2) AND NOT autoxfer.in_sensitive_area(32.9, 112.9)},
);
my %before;
$before{$_} = $src->safe_psql('postgres', $state{$_}) for sort keys %state;
like($before{declarations}, qr/aa_declared\.driver:sensitive_personal aa_declared\.driver:subject .*fleet\.vin:personal/,
	'source declarations made by labels');
like($before{protected}, qr/^fleet:connected_operation:owner_id:lbl:\d+ frames:driving_automation:owner_id:xfer_label:\d+$/,
	'source protected tables');
is($before{in_area}, 't', 'source areas answer');

# A new row as the source labels it, to compare with the restored tables.
my $new_row = q{INSERT INTO fleet (id, vin, owner_id, lat, lon, face) VALUES (1000, 'LSVX', 'U9', 39.9, 116.4, false) RETURNING lbl};
my $expected_new = $src->safe_psql('postgres', "BEGIN; $new_row; ROLLBACK;");
like($expected_new, qr/^\S+\/\S+/, "source labels a new row ($expected_new)");

my $dst = PostgreSQL::Test::Cluster->new('sl_dst');
$dst->init;
$dst->start;
is($dst->safe_psql('postgres', 'SHOW shared_preload_libraries'), '', 'target cluster preloads nothing');

my $tmp = PostgreSQL::Test::Utils::tempdir;
$src->command_ok([ 'pg_dump', '--format=plain', '--file', "$tmp/dump.sql", '--dbname', $src->connstr('postgres') ],
	'pg_dump plain');
$src->command_ok([ 'pg_dump', '--format=custom', '--file', "$tmp/dump.custom", '--dbname', $src->connstr('postgres') ],
	'pg_dump custom');
my $plain = slurp_file("$tmp/dump.sql");
like($plain, qr/SECURITY LABEL FOR autoxfer ON TABLE public\.fleet IS 'scenario=connected_operation subject=owner_id label_column=lbl'/,
	'the dump replays the table label');

my %restores = (
	plain => [ 'psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-f', "$tmp/dump.sql" ],
	custom => [ 'pg_restore', '--exit-on-error', "$tmp/dump.custom" ],
	parallel => [ 'pg_restore', '--exit-on-error', '--jobs=2', "$tmp/dump.custom" ],
);
for my $how (sort keys %restores)
{
	my $db = "restored_$how";
	$dst->safe_psql('postgres', "CREATE DATABASE $db");
	my @cmd = (@{ $restores{$how} }, '--dbname', $dst->connstr($db));
	my ($ok, $stdout, $stderr) = (0, '', '');
	$ok = IPC::Run::run(\@cmd, '>', \$stdout, '2>', \$stderr);
	ok($ok, "$how restore succeeds") or diag($stderr);
	is($stderr =~ /ERROR/ ? $stderr : '', '', "$how restore reports no error");
	for my $k (sort keys %state)
	{
		is($dst->safe_psql($db, $state{$k}), $before{$k}, "$how restore: $k identical");
	}
	# a fresh session (library not yet loaded) inserting into the restored
	# table: the trigger loads the library and labels the row like the source
	is($dst->safe_psql($db, "BEGIN; $new_row; ROLLBACK;"), $expected_new, "$how restore: a new row is labelled");
	# a forged label is overwritten
	is($dst->safe_psql($db, q{BEGIN; INSERT INTO fleet VALUES (1001, NULL, 'U1', NULL, NULL, NULL, 'general/exportable') RETURNING autoxfer.category(lbl); ROLLBACK;}),
		'personal', "$how restore: a forged label is overwritten");
	# a label replayed again by hand is a no-op (identical re-declaration)
	$dst->safe_psql($db, q{SELECT autoxfer.seclabel_provider();
		SECURITY LABEL FOR autoxfer ON TABLE fleet IS 'scenario=connected_operation subject=owner_id label_column=lbl';
		SECURITY LABEL FOR autoxfer ON COLUMN fleet.lat IS 'latitude'});
	is($dst->safe_psql($db, $state{declarations} . ' UNION ALL ' . $state{protected}),
		"$before{declarations}\n$before{protected}", "$how restore: replaying labels changes nothing");
}

# Limits (docs/seclabel.md).  A new session that has not loaded the library
# does not know the provider; loading it (any autoxfer C function, or
# session_preload_libraries) makes it known.
my ($ret, $out, $err) = $dst->psql('restored_plain',
	q{SECURITY LABEL FOR autoxfer ON COLUMN fleet.vin IS 'personal'});
like($err, qr/security label provider "autoxfer" is not loaded/, 'a session without the library cannot label');
($ret, $out, $err) = $dst->psql('restored_plain',
	q{SELECT autoxfer.seclabel_provider(); SECURITY LABEL FOR autoxfer ON COLUMN fleet.vin IS 'personal'});
is($ret, 0, 'after loading the library the session can label') or diag($err);

# A partial restore into a database where autoxfer already exists (here
# one table and its labels, chosen with pg_restore -L): no CREATE EXTENSION
# runs in the restoring session.  Its CREATE TABLE fires autoxfer's DDL
# guard (an event trigger written in C), which loads the library, so the
# labels that follow find the provider.
my $toc = `pg_restore -l $tmp/dump.custom`;
my $list = join('', grep { /TABLE public aa_declared |SECURITY LABEL public TABLE aa_declared / } split /^/, $toc);
like($list, qr/SECURITY LABEL.*aa_declared/, 'list of a partial restore');
open(my $fh, '>', "$tmp/partial.list") or die;
print $fh $list;
close $fh;
$dst->safe_psql('postgres', 'CREATE DATABASE partial');
$dst->safe_psql('partial', 'CREATE EXTENSION autoxfer');
$dst->command_ok([ 'pg_restore', '--exit-on-error', '-L', "$tmp/partial.list", '--dbname', $dst->connstr('partial'), "$tmp/dump.custom" ],
	'a partial restore that creates the table loads the library through the DDL guard');
is($dst->safe_psql('partial', q{SELECT string_agg(kind, ',' ORDER BY kind) FROM autoxfer.declaration WHERE rel = 'aa_declared'::regclass}),
	'sensitive_personal,subject', 'the partial restore declared the columns through the labels');

# Labels alone, onto a table that exists already: nothing in the restoring
# session has loaded the library when the first label comes;
# session_preload_libraries (docs/seclabel.md) fixes it.
my $labels = join('', grep { /SECURITY LABEL public TABLE aa_declared / } split /^/, $toc);
open($fh, '>', "$tmp/labels.list") or die;
print $fh $labels;
close $fh;
$dst->safe_psql('postgres', 'CREATE DATABASE partial_labels');
$dst->safe_psql('partial_labels', 'CREATE EXTENSION autoxfer; CREATE TABLE aa_declared (driver text)');
my ($lret, $lout, $lerr) = ('', '', '');
IPC::Run::run([ 'pg_restore', '--exit-on-error', '-L', "$tmp/labels.list", '--dbname', $dst->connstr('partial_labels'), "$tmp/dump.custom" ],
	'>', \$lout, '2>', \$lerr);
like($lerr, qr/security label provider "autoxfer" is not loaded/,
	'labels restored alone into an existing extension need the library preloaded');
$dst->safe_psql('postgres', q{ALTER DATABASE partial_labels SET session_preload_libraries = 'autoxfer'});
$dst->command_ok([ 'pg_restore', '--exit-on-error', '-L', "$tmp/labels.list", '--dbname', $dst->connstr('partial_labels'), "$tmp/dump.custom" ],
	'with session_preload_libraries the labels restore');
is($dst->safe_psql('partial_labels', q{SELECT string_agg(kind, ',' ORDER BY kind) FROM autoxfer.declaration WHERE rel = 'aa_declared'::regclass}),
	'sensitive_personal,subject', 'the labels declared the columns');

$src->stop;
$dst->stop;
done_testing();
