# Partial subject sets built on different servers merge exactly: two
# clusters sharing one salt build sets from overlapping data, the sets move
# to a third cluster as binary (COPY BINARY) and as text, and their union
# there equals the set built from all the data at once.  A database with
# its own salt refuses them.  pg_dump carries the salt and the ledger into
# a restored database.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $tmp = PostgreSQL::Test::Utils::tempdir;
my %node;
for my $name ('a', 'b', 'c')
{
	$node{$name} = PostgreSQL::Test::Cluster->new($name);
	$node{$name}->init;
	$node{$name}->start;
	$node{$name}->safe_psql('postgres', 'CREATE EXTENSION autoxfer');
}

# one salt for the three servers, copied from a
my $salt = $node{a}->safe_psql('postgres', q{SELECT encode(salt, 'hex') FROM autoxfer.subject_salt});
like($salt, qr/^[0-9a-f]{32}$/, 'salt is 16 bytes');
my $fp_a = $node{a}->safe_psql('postgres', 'SELECT autoxfer.salt_fingerprint()');
for my $name ('b', 'c')
{
	isnt($node{$name}->safe_psql('postgres', 'SELECT autoxfer.salt_fingerprint()'), $fp_a,
		"$name has its own random salt after CREATE EXTENSION");
	is($node{$name}->safe_psql('postgres', "SELECT autoxfer.set_subject_salt(decode('$salt', 'hex'))"),
		$fp_a, "$name takes a's salt");
}

# overlapping data: a holds vehicles 1..30000, b holds 20001..50000, each
# vehicle on several rows
my %range = (a => [ 1, 30000 ], b => [ 20001, 50000 ]);
for my $name ('a', 'b')
{
	my ($lo, $hi) = @{ $range{$name} };
	$node{$name}->safe_psql('postgres', qq{
		CREATE TABLE telemetry AS
		SELECT 'LSV' || lpad(($lo + (g * 7919) % ($hi - $lo + 1))::text, 14, '0') AS vin
		FROM generate_series(1, 4 * ($hi - $lo + 1)) g;
	});
	is($node{$name}->safe_psql('postgres', 'SELECT autoxfer.subject_count(vin) FROM telemetry'),
		$hi - $lo + 1, "$name: subject_count is exact");
	$node{$name}->safe_psql('postgres', qq{
		COPY (SELECT '$name', autoxfer.subjects(vin) FROM telemetry) TO '$tmp/$name.bin' (FORMAT binary)
	});
}
my $text_a = $node{a}->safe_psql('postgres', 'SELECT autoxfer.subjects(vin) FROM telemetry');
my $text_b = $node{b}->safe_psql('postgres', 'SELECT autoxfer.subjects(vin) FROM telemetry');
like($text_a, qr/^axs1:[A-Za-z0-9+\/=]+$/, 'text form is axs1: and base64');

# on c: import both ways, union, compare with the exact answer
my $c = $node{c};
$c->safe_psql('postgres', qq{
	CREATE TABLE parts_bin (src text, s autoxfer.subject_set);
	COPY parts_bin FROM '$tmp/a.bin' (FORMAT binary);
	COPY parts_bin FROM '$tmp/b.bin' (FORMAT binary);
	CREATE TABLE parts_text (src text, s autoxfer.subject_set);
	INSERT INTO parts_text VALUES ('a', '$text_a'), ('b', '$text_b');
	CREATE TABLE exact AS
	SELECT autoxfer.subjects('LSV' || lpad(g::text, 14, '0')) AS s FROM generate_series(1, 50000) g;
});
is($c->safe_psql('postgres', 'SELECT autoxfer.cardinality(autoxfer.subject_union(s)) FROM parts_bin'),
	'50000', 'union of the binary parts counts 50000 individuals');
is($c->safe_psql('postgres', 'SELECT autoxfer.cardinality(autoxfer.subject_union(s)) FROM parts_text'),
	'50000', 'union of the text parts counts 50000 individuals');
is($c->safe_psql('postgres', q{
	SELECT (SELECT autoxfer.subject_union(s) FROM parts_bin) OPERATOR(autoxfer.=) (SELECT s FROM exact)
	   AND (SELECT autoxfer.subject_union(s) FROM parts_text) OPERATOR(autoxfer.=) (SELECT s FROM exact)}),
	't', 'both unions equal the set built from all the data');
is($c->safe_psql('postgres', q{
	SELECT autoxfer.count_new(b.s, a.s) || '/' || autoxfer.cardinality(autoxfer.set_intersect(a.s, b.s))
	FROM parts_bin a, parts_bin b WHERE a.src = 'a' AND b.src = 'b'}),
	'20000/10000', 'b adds 20000 new individuals to a; they share 10000');
is($c->safe_psql('postgres', q{
	SELECT s OPERATOR(autoxfer.@>) 'LSV00000000025000'::text AND NOT s OPERATOR(autoxfer.@>) 'LSV00000000050001'::text
	FROM parts_bin WHERE src = 'b'}),
	't', 'membership of an identifier hashed on c');
is($c->safe_psql('postgres', q{
	SELECT autoxfer.ledger_correct('personal', s, 'acme-' || src, '2025-03-01', 'imported from ' || src) FROM parts_bin ORDER BY src}),
	"30000\n20000", 'ledger on c counts the imported sets exactly');

# another database, another salt: the same sets are refused
$c->safe_psql('postgres', 'CREATE DATABASE other');
$c->safe_psql('other', qq{
	CREATE EXTENSION autoxfer;
	CREATE TABLE parts_bin (src text, s autoxfer.subject_set);
	COPY parts_bin FROM '$tmp/a.bin' (FORMAT binary);
});
my ($ret, $out, $err) = $c->psql('other',
	q{SELECT autoxfer.cardinality(autoxfer.subject_union(s)) FROM (SELECT s FROM parts_bin UNION ALL SELECT autoxfer.subject_of('x')) u});
isnt($ret, 0, 'union with a set under another salt fails');
like($err, qr/subject sets were made under different salts/, '... with a clear message');
($ret, $out, $err) = $c->psql('other',
	q{SELECT autoxfer.ledger_correct('personal', s, 'acme', '2025-03-01', 'import') FROM parts_bin});
like($err, qr/another database's salt/, 'ledger_correct refuses a foreign set');
($ret, $out, $err) = $c->psql('other',
	q{SELECT s OPERATOR(autoxfer.@>) 'LSV00000000000001'::text FROM parts_bin});
like($err, qr/different salts/, 'membership test refuses a foreign set');
is($c->safe_psql('other', 'SELECT autoxfer.ledger_count(\'personal\', 2025) || \':\' || (SELECT count(*) FROM autoxfer.transfer_log)'),
	'0:0', 'nothing written, nothing logged');

# pg_dump keeps the salt and the ledger: restore c into a new database
my $dump = "$tmp/c.dump";
$c->command_ok([ 'pg_dump', '--format', 'custom', '--file', $dump, '--dbname', $c->connstr('postgres') ],
	'pg_dump of c');
$c->safe_psql('postgres', 'CREATE DATABASE restored');
$c->command_ok([ 'pg_restore', '--exit-on-error', '--dbname', $c->connstr('restored'), $dump ],
	'restore without error');
is($c->safe_psql('restored', 'SELECT count(*) || \':\' || autoxfer.salt_fingerprint() FROM autoxfer.subject_salt'),
	"1:$fp_a", 'restored database has one salt, the dumped one');
is($c->safe_psql('restored', q{
	SELECT autoxfer.ledger_count('personal', 2025) || ':' ||
	       autoxfer.ledger_correct('personal', s, 'acme-a', '2025-04-01', 'again') FROM parts_bin WHERE src = 'a'}),
	'50000:0', 'restored ledger counts 50000 and accepts a set from a as already counted');
is($c->safe_psql('restored', q{
	SELECT string_agg(kind || ':' || note || ':' || new_personal, ',' ORDER BY id) FROM autoxfer.transfer_log}),
	'correction:imported from a:30000,correction:imported from b:20000,correction:again:0',
	'the transfer log is restored with the ledger and goes on');

$node{$_}->stop for ('a', 'b', 'c');
done_testing();
