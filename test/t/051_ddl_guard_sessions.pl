# The DDL guard and the generation rules where a fresh session, a preloaded
# library or a dump matter (regress 51_attack_ddl tries the attacks in one
# session that has long loaded the library):
#
# - a new session whose first statement disables, drops or outflanks the
#   enforcing trigger is refused: the event triggers are C functions, and
#   calling them loads the library;
# - a placeholder autoxfer.bumping set before the library is loaded switches
#   nothing off: a rule change still advances the generation; once the
#   library is loaded (or preloaded) the autoxfer prefix is reserved;
# - pg_dump and restore by a superuser keep the trigger, the labels and the
#   generation windows, and the restored tables are guarded;
# - a protected table restored by autoxfer_admin (not a superuser) from a
#   partial dump is not protected until protect(), and then none of the
#   labels it came with reads as current.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('guard');
$node->init;
$node->start;
$node->safe_psql('postgres', q{
	SET client_min_messages = warning;
	CREATE EXTENSION autoxfer;
	CREATE ROLE owner1 LOGIN;
	CREATE ROLE admin1 LOGIN IN ROLE autoxfer_admin;
	GRANT CREATE ON SCHEMA public TO owner1, admin1;
	SET ROLE owner1;
	CREATE TABLE cams (id int PRIMARY KEY, owner_id text, face boolean, anon boolean);
	CREATE TABLE trips (id int, region text, owner_id text, lat float8, lon float8) PARTITION BY LIST (region);
	CREATE TABLE trips_bj PARTITION OF trips FOR VALUES IN ('bj');
	RESET ROLE;
	SELECT autoxfer.declare_column('cams', 'face', 'faces_visible');
	SELECT autoxfer.declare_column('cams', 'anon', 'anonymised');
	SELECT autoxfer.protect('cams', 'driving_automation', 'owner_id');
	SELECT autoxfer.declare_column('trips', 'lat', 'latitude');
	SELECT autoxfer.declare_column('trips', 'lon', 'longitude');
	SELECT autoxfer.protect('trips', 'connected_operation', 'owner_id');
	INSERT INTO autoxfer.sensitive_area (name, kind, area, valid_from, valid_to)
	VALUES ('past', 'military_zone', box '((100,10),(101,11))', '2020-01-01', '2021-01-01'),
	       ('future', 'military_zone', box '((110,20),(111,21))', '2999-01-01', NULL);
	INSERT INTO cams VALUES (1, NULL, true, false), (2, 'U2', false, false);
	INSERT INTO trips VALUES (1, 'bj', NULL, 10.5, 100.5), (2, 'bj', 'U2', 20.5, 110.5);
});

my $trigger_state = q{SELECT string_agg(format('%s:%s:%s', tgrelid::regclass, tgname, tgenabled), ' ' ORDER BY tgrelid::regclass::text)
	FROM pg_trigger WHERE tgname = 'zz_autoxfer_enforce'};
my $triggers = $node->safe_psql('postgres', $trigger_state);
is($triggers, 'cams:zz_autoxfer_enforce:A trips:zz_autoxfer_enforce:A trips_bj:zz_autoxfer_enforce:A',
	'the enforcing triggers, enabled ALWAYS');

# A fresh session, as the table's owner, first statement an attack.
for my $attack (
	'ALTER TABLE cams DISABLE TRIGGER zz_autoxfer_enforce',
	'ALTER TABLE trips_bj ENABLE REPLICA TRIGGER zz_autoxfer_enforce',
	'DROP TRIGGER zz_autoxfer_enforce ON cams',
	q{CREATE TRIGGER zzz BEFORE INSERT ON cams FOR EACH ROW EXECUTE FUNCTION suppress_redundant_updates_trigger()},
	'CREATE TABLE cams_child () INHERITS (cams)',
	'ALTER TABLE cams ALTER COLUMN xfer_label DROP DEFAULT')
{
	my ($ret, $out, $err) = $node->psql('postgres', $attack, extra_params => [ '-U', 'owner1' ]);
	isnt($ret, 0, "first statement of a session refused: $attack");
	like($err, qr/protected table "(cams|trips)"|would fire after zz_autoxfer_enforce/, "... by the guard, naming the table: $attack");
}
is($node->safe_psql('postgres', $trigger_state), $triggers, 'the triggers are as they were');
is($node->safe_psql('postgres', q{SELECT count(*) FROM pg_class WHERE relname = 'cams_child'}), '0', 'no inheritance child');

# A placeholder set before the library is loaded is no switch: the rule
# change advances the generation of cams, and its labels read stale.
my $gen_before = $node->safe_psql('postgres', q{SELECT generation FROM autoxfer.protected_table WHERE rel = 'cams'::regclass});
my ($ret, $out, $err) = $node->psql('postgres', q{
	SET autoxfer.bumping = on;
	BEGIN;
	SELECT pg_catalog.set_config('autoxfer.bumping', 'on', true);
	UPDATE autoxfer.rule SET enabled = false WHERE code = 'I5';
	COMMIT;
}, extra_params => [ '-U', 'admin1' ]);
is($ret, 0, 'the rule change commits') or diag($err);
is($node->safe_psql('postgres', q{SELECT generation FROM autoxfer.protected_table WHERE rel = 'cams'::regclass}),
	$gen_before + 1, 'the placeholder did not stop the generation from advancing');
is($node->safe_psql('postgres', q{SELECT stale FROM autoxfer.stale_labels('cams')}), '2', 'the labels under rule I5 read stale');
($ret, $out, $err) = $node->psql('postgres', q{SELECT autoxfer.seclabel_provider(); SET autoxfer.bumping = on});
like($err, qr/invalid configuration parameter name "autoxfer.bumping"/, 'once the library is loaded the prefix is reserved');
$node->safe_psql('postgres', q{UPDATE autoxfer.rule SET enabled = true WHERE code = 'I5';
	SET client_min_messages = warning; SELECT autoxfer.reclassify('cams'); SELECT autoxfer.reclassify('trips')});

# Dump and restore by a superuser: triggers, labels, generations and the
# window of the located table come back; the restored tables are guarded.
my $catalog = q{SELECT string_agg(format('%s %s %s %s %s', rel, generation, valid_since, stale_after, label_column), '|' ORDER BY rel::text)
	FROM autoxfer.protected_table};
my $labels = q{SELECT string_agg(format('%s %s', id, xfer_label), '|' ORDER BY id) FROM cams};
my $trip_labels = q{SELECT string_agg(format('%s %s %s', tableoid::regclass, id, xfer_label), '|' ORDER BY id) FROM trips};
my %before = map { $_ => $node->safe_psql('postgres', $_) } ($catalog, $labels, $trip_labels, $trigger_state);
like($before{$catalog}, qr/trips \d+ 2021-01-01 00:00:00\S* 2999-01-01 00:00:00\S* xfer_label/,
	'the located table holds for rows classified between the area boundaries around now');
my $tmp = PostgreSQL::Test::Utils::tempdir;
for my $format ('plain', 'custom')
{
	my $db = "restored_$format";
	$node->command_ok([ 'pg_dump', '--format', $format, '--file', "$tmp/dump.$format", '--dbname', $node->connstr('postgres') ],
		"pg_dump --format=$format");
	$node->safe_psql('postgres', "CREATE DATABASE $db");
	if ($format eq 'plain')
	{
		$node->command_ok([ 'psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', $node->connstr($db), '-f', "$tmp/dump.plain" ],
			'plain restore');
	}
	else
	{
		$node->command_ok([ 'pg_restore', '--exit-on-error', '--dbname', $node->connstr($db), "$tmp/dump.custom" ],
			'custom restore');
	}
	is($node->safe_psql($db, $_), $before{$_}, "$format restore: $_") for sort keys %before;
	($ret, $out, $err) = $node->psql($db, 'ALTER TABLE trips DISABLE TRIGGER zz_autoxfer_enforce', extra_params => [ '-U', 'owner1' ]);
	like($err, qr/cannot change trigger zz_autoxfer_enforce of protected table "trips"/, "$format restore: the restored table is guarded");
	is($node->safe_psql($db, q{BEGIN; INSERT INTO cams VALUES (9, NULL, true, false, 'general/exportable scenario=driving_automation gen=1') RETURNING autoxfer.category(xfer_label); ROLLBACK}),
		'important', "$format restore: a forged label is replaced");
}

# A partial dump of one protected table (no catalogue rows travel with it)
# restored by autoxfer_admin, not a superuser: the script sets
# check_function_bodies = off, which grants it nothing.  The table comes
# back with its trigger and labels but unregistered, so the trigger refuses
# every write until protect(); protect() then starts the generation above
# every label the table came with, and reclassify relabels them.
$node->command_ok([ 'pg_dump', '--format=plain', '--no-owner', '--table=public.cams', '--file', "$tmp/cams.sql",
	'--dbname', $node->connstr('postgres') ], 'pg_dump of one protected table');
$node->safe_psql('postgres', 'CREATE DATABASE partial OWNER admin1');
$node->safe_psql('partial', 'CREATE EXTENSION autoxfer');
$node->command_ok([ 'psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-U', 'admin1', '-d', $node->connstr('partial'), '-f', "$tmp/cams.sql" ],
	'autoxfer_admin restores it');
is($node->safe_psql('partial', q{SELECT count(*) FROM autoxfer.protected_table}), '0', 'the table is not registered');
($ret, $out, $err) = $node->psql('partial', q{INSERT INTO cams VALUES (9, NULL, true, false)}, extra_params => [ '-U', 'admin1' ]);
like($err, qr/table "cams" is not protected by autoxfer/, 'the trigger refuses writes until the table is protected');
my $max_gen = $node->safe_psql('partial', q{SELECT max(autoxfer.generation(xfer_label)) FROM cams});
$node->safe_psql('partial', q{SET autoxfer.defer_labelling = on;
	SELECT autoxfer.declare_column('cams', 'face', 'faces_visible');
	SELECT autoxfer.declare_column('cams', 'anon', 'anonymised');
	SELECT autoxfer.protect('cams', 'driving_automation', 'owner_id')}, extra_params => [ '-U', 'admin1' ]);
is($node->safe_psql('partial', q{SELECT generation FROM autoxfer.protected_table WHERE rel = 'cams'::regclass}),
	$max_gen + 1, 'protect() starts above the generation of every label the table came with');
is($node->safe_psql('partial', q{SELECT stale FROM autoxfer.stale_labels('cams')}), '2', 'every restored label reads stale');
$node->safe_psql('partial', q{SET client_min_messages = warning; SELECT autoxfer.reclassify('cams')}, extra_params => [ '-U', 'admin1' ]);
is($node->safe_psql('partial', q{SELECT count(*) FROM cams c WHERE autoxfer.classify(c) OPERATOR(autoxfer.=) c.xfer_label}),
	'2', 'reclassify relabels them');

# The owner of the database (autoxfer_admin here) sets check_function_bodies
# = off for every session of it: a superuser's sessions are not put into
# restore mode by that (only a session's own SET counts), so the guard and
# the generation's advance still hold for them.
$node->safe_psql('partial', q{ALTER DATABASE partial SET check_function_bodies = off}, extra_params => [ '-U', 'admin1' ]);
is($node->safe_psql('partial', 'SHOW check_function_bodies'), 'off', 'a new session of the database starts with it off');
my $gen = $node->safe_psql('partial', q{SELECT generation FROM autoxfer.protected_table WHERE rel = 'cams'::regclass});
$node->safe_psql('partial', q{UPDATE autoxfer.rule SET clause = clause WHERE code = 'I5'});
is($node->safe_psql('partial', q{SELECT generation FROM autoxfer.protected_table WHERE rel = 'cams'::regclass}),
	$gen + 1, "a superuser's rule change still advances the generation");
($ret, $out, $err) = $node->psql('partial', 'ALTER TABLE cams DISABLE TRIGGER zz_autoxfer_enforce');
like($err, qr/cannot change trigger zz_autoxfer_enforce of protected table "cams"/, "a superuser's session is still guarded");
($ret, $out, $err) = $node->psql('partial', 'SET check_function_bodies = off; ALTER TABLE cams DISABLE TRIGGER zz_autoxfer_enforce; ALTER TABLE cams ENABLE ALWAYS TRIGGER zz_autoxfer_enforce');
is($ret, 0, "a superuser's own SET is restore mode") or diag($err);
$node->stop;

# With the library preloaded the prefix is reserved from the first statement.
my $pre = PostgreSQL::Test::Cluster->new('guard_preload');
$pre->init;
$pre->append_conf('postgresql.conf', q{shared_preload_libraries = 'autoxfer'});
$pre->start;
($ret, $out, $err) = $pre->psql('postgres', 'SET autoxfer.bumping = on');
like($err, qr/invalid configuration parameter name "autoxfer.bumping"/, 'preloaded: autoxfer.bumping cannot be set');
$pre->stop;

done_testing();
