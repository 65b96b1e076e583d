# The state the verdicts and the export path keep (organisation, recipients,
# purposes, filings, evidence, important-data filings, working-day
# overrides, the ledger and the transfer log) and the row-level security of
# a role abroad survive pg_dump and restore into a fresh cluster: every
# record comes back identical, every verdict is the same, the role abroad
# sees the same rows, identifiers of new records do not collide with
# restored ones, and the restored log stays append-only.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use AxDumpRestore;

my $setup_roles = q{
	SET client_min_messages = warning;
	CREATE ROLE acme_reader LOGIN;
	CREATE ROLE etl_writer LOGIN;
};

my $src = PostgreSQL::Test::Cluster->new('src');
$src->init;
$src->start;
$src->safe_psql('postgres', $setup_roles . q{
	CREATE EXTENSION autoxfer;
	SET search_path = public, autoxfer;
	CREATE TABLE trip (id int PRIMARY KEY, owner_id bigint, lat numeric, lon numeric, face boolean);
	SELECT declare_column('trip', 'lat', 'latitude'), declare_column('trip', 'lon', 'longitude'),
		   declare_column('trip', 'face', 'faces_visible');
	SELECT protect('trip', 'connected_operation', subject => 'owner_id');
	INSERT INTO trip SELECT g, CASE WHEN g % 5 <> 0 THEN g % 300 END,
		CASE WHEN g % 3 = 0 THEN 31.2 END, CASE WHEN g % 3 = 0 THEN 121.4 END, g % 17 = 0
	FROM generate_series(1, 1200) g;
	GRANT SELECT, INSERT ON trip TO etl_writer;
	GRANT SELECT ON trip TO acme_reader;

	SELECT set_organisation('Example Motors', ciio => false);
	SELECT add_purpose('after_sales', 'after-sales analytics');
	SELECT register_recipient('acme-gmbh', 'DE');
	SELECT register_recipient('beta-inc', 'US');
	SELECT register_recipient('acme-analytics', 'DE', 'acme_reader', 'after_sales');
	INSERT INTO working_day_override VALUES ('2026-10-01', false, 'National Day'), ('2026-09-27', true, 'make-up day');
	SELECT record_filing('standard_contract', 'acme-gmbh', ARRAY['after_sales'], 'SCC-1', DATE '2026-01-05', filed_on => DATE '2026-01-09');
	SELECT record_filing('standard_contract', 'acme-analytics', ARRAY['after_sales'], 'SCC-2', DATE '2026-01-05', filed_on => DATE '2026-01-09');
	SELECT record_filing('certification', NULL, NULL, 'PIC-1', DATE '2025-01-01', max_individuals => 50000);
	SELECT revoke_filing(record_filing('standard_contract', 'beta-inc', NULL, 'SCC-3', DATE '2026-01-05'), 'withdrawn');
	SELECT record_evidence('contract_necessity', 'contract_performance', 'terms of sale v7', 'beta-inc');
	SELECT file_important_data('I5', 'MIIT-CAT-1', DATE '2026-06-30');
});
# exports in transactions of their own: they write the ledger and the log
$src->safe_psql('postgres', q{SET client_min_messages = warning;
	SELECT count(*) FROM autoxfer.export(NULL::trip, 'acme-gmbh', 'after_sales', 'id <= 600')});
$src->safe_psql('postgres', q{SET client_min_messages = warning;
	SELECT count(*) FROM autoxfer.export(NULL::trip, 'acme-analytics', 'after_sales', 'id > 900')});
$src->safe_psql('postgres', q{SET client_min_messages = warning;
	SELECT count(*) FROM autoxfer.export(NULL::trip, 'beta-inc', 'contract_performance', 'id BETWEEN 601 AND 700')});

my $records_sql = q{
	SELECT md5(string_agg(x, '|' ORDER BY x)) || ':' || count(*) FROM (
		SELECT 'o' || row(o.*)::text AS x FROM autoxfer.organisation o
		UNION ALL SELECT 'r' || row(r.*)::text FROM autoxfer.recipient r
		UNION ALL SELECT 'p' || row(p.*)::text FROM autoxfer.purpose p
		UNION ALL SELECT 'f' || row(f.*)::text FROM autoxfer.filing f
		UNION ALL SELECT 'e' || row(e.*)::text FROM autoxfer.evidence e
		UNION ALL SELECT 'i' || row(i.*)::text FROM autoxfer.important_data_filing i
		UNION ALL SELECT 'w' || row(w.*)::text FROM autoxfer.working_day_override w) s};
my $log_sql = q{
	SELECT md5(string_agg(row(g.*)::text, '|' ORDER BY g.id)) || ':' || count(*) FROM autoxfer.transfer_log g};
my $ledger_sql = q{
	SELECT string_agg(format('%s/%s=%s', year, tally, individuals), ' ' ORDER BY year, tally) FROM autoxfer.ledger};
my $verdicts_sql = q{
	SELECT md5(string_agg(format('%s %s %s %s', l, r.name, p.name, autoxfer.verdict(l, r.name, p.name)), '|'
						  ORDER BY l::text, r.name, p.name))
	FROM (SELECT DISTINCT xfer_label AS l FROM trip) t, autoxfer.recipient r, autoxfer.purpose p};
my $abroad_sql = q{SET ROLE acme_reader; SELECT count(*) || '/' || coalesce(sum(id), 0) FROM trip};
my $x2_sql = q{
	SELECT string_agg(format('%s %s %s %s', x.rel, x.enabled_rls, x.forced_rls, k.relforcerowsecurity), ',')
		|| ' policies=' || (SELECT string_agg(polname || ':' || CASE WHEN polpermissive THEN 'permissive' ELSE 'restrictive' END, ',' ORDER BY polname) FROM pg_policy WHERE polrelid = 'trip'::regclass)
	FROM autoxfer.x2_table x JOIN pg_class k ON k.oid = x.rel};

my $records = $src->safe_psql('postgres', $records_sql);
my $log = $src->safe_psql('postgres', $log_sql);
my $ledger = $src->safe_psql('postgres', $ledger_sql);
my $verdicts = $src->safe_psql('postgres', $verdicts_sql);
my $abroad = $src->safe_psql('postgres', $abroad_sql);
my $x2 = $src->safe_psql('postgres', $x2_sql);
like($log, qr/:3$/, 'source: three exports logged');
like($ledger, qr/personal=\d+/, 'source: the ledger counts individuals');
is($x2, 'trip t t t policies=autoxfer_abroad:restrictive,autoxfer_pass:permissive', 'source: the role abroad put row-level security on the table');
my ($seen, $all) = split m{/}, $abroad;
cmp_ok($seen, '>', 0, 'source: the role abroad sees the rows it may read');
cmp_ok($seen, '<', 1200, 'source: and not every row');

my $dst = PostgreSQL::Test::Cluster->new('dst');
$dst->init;
$dst->start;
$dst->safe_psql('postgres', $setup_roles);
dump_and_restore($src, $dst, sub {
	my ($format, $db) = @_;
	is($dst->safe_psql($db, $records_sql), $records, "$format: organisation, recipients, purposes, filings, evidence, catalogue filings, working days identical");
	is($dst->safe_psql($db, $log_sql), $log, "$format: transfer log identical");
	is($dst->safe_psql($db, $ledger_sql), $ledger, "$format: ledger identical");
	is($dst->safe_psql($db, $verdicts_sql), $verdicts, "$format: every verdict identical");
	is($dst->safe_psql($db, $x2_sql), $x2, "$format: row-level security of the role abroad as it was");
	is($dst->safe_psql($db, $abroad_sql), $abroad, "$format: the role abroad sees the same rows");
	is($dst->safe_psql($db, q{SELECT count(*) FROM trip}), '1200', "$format: other roles see every row");

	# new records do not collide with restored ones
	my $ids = $dst->safe_psql($db, q{SET client_min_messages = warning;
		SELECT autoxfer.record_filing('standard_contract', 'beta-inc', ARRAY['after_sales'], 'SCC-4', DATE '2026-02-02')
			> (SELECT max(id) FROM autoxfer.filing WHERE reference <> 'SCC-4'),
			autoxfer.record_evidence('emergency', 'emergency', 'rescue 7')
			> (SELECT max(id) FROM autoxfer.evidence WHERE reference <> 'rescue 7')});
	is($ids, 't|t', "$format: new filing and evidence ids follow the restored ones");

	# the export path works on the restored state and appends to the log
	$dst->safe_psql($db, q{SET client_min_messages = warning;
		SELECT count(*) FROM autoxfer.export(NULL::trip, 'beta-inc', 'after_sales', 'id BETWEEN 701 AND 720')});
	is($dst->safe_psql($db, q{SELECT count(*) FROM autoxfer.transfer_log}), '4', "$format: an export after the restore is logged");
	my ($rc, $out, $err) = $dst->psql($db, q{UPDATE autoxfer.transfer_log SET rows_returned = 0});
	isnt($rc, 0, "$format: the restored log refuses UPDATE");
	like($err, qr/append-only|cannot be (updated|changed)/i, "$format: with the log's own error");
	($rc, $out, $err) = $dst->psql($db, q{DROP POLICY autoxfer_abroad ON trip});
	isnt($rc, 0, "$format: the restored policy cannot be dropped");
	# writers still write, and their rows are labelled
	$dst->safe_psql($db, q{SET ROLE etl_writer; INSERT INTO trip VALUES (5001, 42, NULL, NULL, true)});
	is($dst->safe_psql($db, q{SELECT autoxfer.category(xfer_label) FROM trip WHERE id = 5001}), 'important',
		"$format: a writer's row is labelled in the restored database");
});

$src->stop;
$dst->stop;
done_testing();
