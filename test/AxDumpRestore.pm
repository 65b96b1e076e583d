# AxDumpRestore: pg_dump a database of one cluster and restore it into a new
# database of another, in the plain and custom formats, for the TAP tests of
# test/t (which have test/ on @INC).
package AxDumpRestore;
use strict;
use warnings;
use PostgreSQL::Test::Utils;
use Exporter 'import';
our @EXPORT = qw(dump_and_restore);

# dump_and_restore($src, $dst, $check): for each format, dump database
# postgres of cluster $src, restore it into a new database restored_FORMAT
# of cluster $dst (each step one test), then call $check->($format, $db).
sub dump_and_restore
{
	my ($src, $dst, $check) = @_;
	my $tmp = PostgreSQL::Test::Utils::tempdir;
	for my $format ('plain', 'custom')
	{
		my $db = "restored_$format";
		my $file = "$tmp/dump.$format";
		$src->command_ok(
			[ 'pg_dump', '--format', $format, '--file', $file, '--dbname', $src->connstr('postgres') ],
			"pg_dump --format=$format");
		$dst->safe_psql('postgres', "CREATE DATABASE $db");
		if ($format eq 'plain')
		{
			$dst->command_ok([ 'psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', $dst->connstr($db), '-f', $file ],
				'plain dump restores without error');
		}
		else
		{
			$dst->command_ok([ 'pg_restore', '--exit-on-error', '--dbname', $dst->connstr($db), $file ],
				'custom dump restores without error');
		}
		$check->($format, $db);
	}
}

1;
