# autoxfer.report(year) as a reader sees it: the page is rendered in
# headless Chromium (Debian's chromium package, which test/run.sh installs
# for `make test`), a screenshot and a PDF are kept in this test's output
# directory (tmp_check/075_report), and a probe page (the report with a
# script appended: the report itself has none) reads the rendered DOM: the
# charts are drawn (SVG shapes with a size on screen), the numbers in every
# table equal the compliance views', hostile names stay text, nothing is
# fetched, and the page is A4.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use IPC::Run;
use JSON::PP;
use File::Path qw(make_path);

my ($chromium) = grep { -x $_ } ('/usr/bin/chromium', '/usr/bin/chromium-browser');
if (!$chromium)
{
	fail('chromium is installed (test/run.sh installs Debian\'s chromium for make test)');
	done_testing();
	exit 0;
}

my $out = "$PostgreSQL::Test::Utils::tmp_check/075_report";
make_path("$out/home");

my $node = PostgreSQL::Test::Cluster->new('report');
$node->init;
$node->start;

# a year of transfers, 2025, with hostile names wherever data becomes text
$node->safe_psql('postgres', q{
	SET client_min_messages = warning;
	CREATE EXTENSION autoxfer;
	SET search_path = public, autoxfer;
	SELECT set_organisation('Acme Auto (Shanghai) <Co> & "Partners"');
	SELECT add_purpose('after_sales', 'After-sales service analytics');
	SELECT add_purpose('analytics', 'Fleet quality analytics at the R&D centre');
	SELECT register_recipient('acme-gmbh', 'DE'), register_recipient('Acme Japan K.K.', 'JP'),
		   register_recipient('<script>alert("r&d")</script>', 'US'), register_recipient('O''Brien & Co', 'IE');
	SELECT record_filing('standard_contract', 'acme-gmbh', '{after_sales,analytics}', 'SC-DE-2025-01', '2025-01-06',
						 filed_on => '2025-01-10', max_individuals => 150000);
	SELECT record_filing('security_assessment', 'Acme Japan K.K.', NULL, 'CAC-SA-2024-031', '2024-02-01');
	-- an assessment whose extension window falls in 2026
	SELECT record_filing('security_assessment', 'O''Brien & Co', NULL, 'CAC-SA-2023-''IE''', '2023-09-01');
	SELECT record_filing('certification', NULL, NULL, 'CERT-2023-7', '2023-03-01');
	SELECT record_filing('standard_contract', '<script>alert("r&d")</script>', NULL, '<b>SC</b> & "US"', '2025-10-02');
	SELECT record_filing('standard_contract', 'O''Brien & Co', '{analytics}', 'SC-IE-late', '2025-04-01', filed_on => '2025-05-20');
	SET ROLE autoxfer_admin;
	SELECT ledger_correct('personal', subjects('p' || g), 'acme-gmbh',
						  make_timestamptz(2025, m, 15, 10, 0, 0, 'Asia/Shanghai'), 'rebuilt from the SFTP log')
	FROM generate_series(1, 12) m, LATERAL (SELECT g FROM generate_series((m - 1) * 10000 + 1, m * (9000 + m * 100)) g) x
	GROUP BY m ORDER BY m;
	SELECT ledger_correct('sensitive_personal', subjects('s' || g), 'Acme Japan K.K.',
						  make_timestamptz(2025, m, 20, 10, 0, 0, 'Asia/Shanghai'), 'incident data')
	FROM generate_series(1, 12) m, LATERAL (SELECT g FROM generate_series((m - 1) * 300 + 1, m * 300) g) x
	GROUP BY m ORDER BY m;
	SELECT ledger_correct('personal', subjects('q' || g), '<script>alert("r&d")</script>', '2025-11-03 09:00+08', 'found late')
	FROM generate_series(1, 500) g;
	RESET ROLE;
	-- exports: the superuser writes the rows autoxfer.export will write
	-- (the export function is another piece)
	INSERT INTO transfer_log (kind, booked_at, logged_at, year, role_name, session_role, recipient, purpose, tbl,
							  rows_returned, rows_withheld, withheld, measures, subjects_personal, subjects_sensitive)
	SELECT 'export', ts, ts, 2025, 'exporter', 'exporter', r, 'after_sales', 'public.camera_frame',
		   1000 + m * 10, 40 + m, jsonb_build_object('not_exportable', 30 + m, 'stale', 5, 'no_subject', 4, 'excess', 1),
		   CASE WHEN r = 'acme-gmbh' THEN '{standard_contract}'::measure[] ELSE '{security_assessment}' END,
		   empty_subject_set(), empty_subject_set()
	FROM generate_series(1, 12) m, unnest(ARRAY['acme-gmbh', 'O''Brien & Co']) r,
		 generate_series(1, CASE WHEN r = 'acme-gmbh' THEN 4 ELSE 1 + m % 3 END) k,
		 LATERAL (SELECT make_timestamptz(2025, m, 1 + k * 3, 3, 0, 0, 'Asia/Shanghai') AS ts) t;
	CREATE TABLE camera_frame (id int PRIMARY KEY, owner_id text, has_face boolean, plate boolean, anonymised boolean);
	SELECT declare_column('camera_frame', 'has_face', 'faces_visible'), declare_column('camera_frame', 'plate', 'plates_visible'),
		   declare_column('camera_frame', 'anonymised', 'anonymised');
	SELECT protect('camera_frame', 'connected_operation', 'owner_id');
	INSERT INTO camera_frame SELECT g, 'owner' || (g % 700), g % 7 = 0, g % 11 = 0, g % 13 = 0 FROM generate_series(1, 5000) g;
	CREATE TABLE "charging <ops> & ""co""" (id int PRIMARY KEY, site text, charging boolean);
	SELECT declare_column('"charging <ops> & ""co"""', 'charging', 'charging_network');
	INSERT INTO rule (code, predicate, category, clause) VALUES
		('HX1', 'charging_network', 'important', '<img src=x onerror=alert(1)> & "clause" of the DBA');
	SELECT protect('"charging <ops> & ""co"""', 'rd_design', 'NULL::text');
	INSERT INTO "charging <ops> & ""co""" SELECT g, 's' || g, g % 3 = 0 FROM generate_series(1, 900) g;
	-- a rule change makes every label stale; one table is relabelled
	UPDATE parameter SET value = 40 WHERE name = 'i2_precision_m';
	SELECT reclassify('camera_frame');
	CREATE ROLE analyst LOGIN IN ROLE autoxfer_auditor;
	GRANT SELECT (xfer_label) ON camera_frame, "charging <ops> & ""co""" TO analyst;
});

# the report, as the analyst (an auditor who may read the label columns)
my $html = $node->safe_psql('postgres', 'SELECT autoxfer.report(2025)', extra_params => [ '-U', 'analyst' ]);
like($html, qr/^<!DOCTYPE html>/, 'the report is an HTML page');
unlike($html, qr/<script/i, 'the report has no script');
open(my $fh, '>:raw', "$out/report_2025.html") or die "cannot write $out/report_2025.html: $!";
print $fh $html;
close $fh;

# the probe: the same page with a script that reads the rendered DOM
my $probe_js = <<'JS';
<script id="ax-probe">
(function () {
	var out = {};
	out.scripts = document.scripts.length;
	out.external = document.querySelectorAll('[src],[href],[srcset],link,iframe,object,embed,img').length;
	out.resources = performance.getEntriesByType('resource').length;
	out.charts = Array.prototype.map.call(document.querySelectorAll('svg.chart'), function (s) {
		var shapes = s.querySelectorAll('rect,line,polyline,path,circle');
		var drawn = Array.prototype.filter.call(shapes, function (e) {
			var b = e.getBBox();
			return b.width > 0 || b.height > 0;
		}).length;
		var r = s.getBoundingClientRect();
		var series = s.querySelector('polyline.series');
		return { label: s.getAttribute('aria-label'), shapes: shapes.length, drawn: drawn,
				 width: r.width, height: r.height,
				 bars: s.querySelectorAll('rect.bar').length,
				 points: series ? series.points.numberOfItems : 0,
				 thresholds: s.querySelectorAll('line.threshold').length,
				 validity: s.querySelectorAll('rect.validity').length,
				 windows: s.querySelectorAll('rect.window').length,
				 texts: Array.prototype.map.call(s.querySelectorAll('text'), function (t) { return t.textContent; }) };
	});
	out.tables = {};
	Array.prototype.forEach.call(document.querySelectorAll('table[id]'), function (t) {
		out.tables[t.id] = {
			head: Array.prototype.map.call(t.tHead.rows[0].cells, function (c) { return c.textContent; }),
			rows: Array.prototype.map.call(t.tBodies[0].rows, function (row) {
				return Array.prototype.map.call(row.cells, function (c) { return c.textContent; });
			}) };
	});
	out.text = document.body.innerText;
	out.page = [];
	Array.prototype.forEach.call(document.styleSheets, function (sheet) {
		Array.prototype.forEach.call(sheet.cssRules, function (rule) {
			if (rule.type === CSSRule.PAGE_RULE)
				out.page.push(rule.style.getPropertyValue('size'));
		});
	});
	var pre = document.createElement('pre');
	pre.id = 'ax-probe-out';
	pre.textContent = JSON.stringify(out);
	document.body.appendChild(pre);
})();
</script>
JS
(my $probe = $html) =~ s{</body>}{$probe_js</body>};
open($fh, '>:raw', "$out/probe.html") or die;
print $fh $probe;
close $fh;

# Chromium as root needs --no-sandbox; without the background-networking
# flags it tries to reach Google's hosts; each run gets a fresh profile
sub chromium
{
	my ($name, @args) = @_;
	my ($stdout, $stderr) = ('', '');
	local $ENV{HOME} = "$out/home";
	local $ENV{XDG_CONFIG_HOME} = "$out/home/.config";
	local $ENV{XDG_CACHE_HOME} = "$out/home/.cache";
	my @cmd = ($chromium, '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
		'--disable-background-networking', '--disable-component-update', '--disable-sync',
		'--disable-dev-shm-usage', '--hide-scrollbars', "--user-data-dir=$out/profile-$name", @args);
	my $ok = IPC::Run::run(\@cmd, '<', \undef, '>', \$stdout, '2>', \$stderr, IPC::Run::timeout(120));
	open(my $log, '>', "$out/chromium-$name.log") or die;
	print $log $stderr;
	close $log;
	ok($ok, "chromium $name ran") or diag($stderr);
	return $stdout;
}

my $dom = chromium('dom', '--virtual-time-budget=5000', '--dump-dom', "file://$out/probe.html");
my ($json) = $dom =~ m{<pre id="ax-probe-out">(.*?)</pre>}s;
ok(defined $json, 'the probe wrote its findings into the DOM') or BAIL_OUT('no probe output: see chromium-dom.log');
for ($json) { s/&lt;/</g; s/&gt;/>/g; s/&quot;/"/g; s/&#39;/'/g; s/&nbsp;/ /g; s/&amp;/&/g; }
my $p = JSON::PP->new->utf8->decode($json);
open($fh, '>:raw', "$out/probe.json") or die;
print $fh JSON::PP->new->utf8->pretty->canonical->encode($p);
close $fh;

chromium('screenshot', '--window-size=1000,4400', "--screenshot=$out/report_2025.png", "file://$out/report_2025.html");
ok(-s "$out/report_2025.png" > 50_000, 'a screenshot of the report was taken (' . (-s "$out/report_2025.png" // 0) . ' bytes)');
chromium('pdf', '--no-pdf-header-footer', "--print-to-pdf=$out/report_2025.pdf", "file://$out/report_2025.html");
my $pdf = do { local $/; open(my $f, '<:raw', "$out/report_2025.pdf") or die; <$f> };
my @boxes = $pdf =~ m{/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]}g;
ok(@boxes >= 4, 'the report prints on several pages (' . @boxes / 2 . ')');
# A4 is 595.28 x 841.89 pt; Chromium rounds the page to whole CSS pixels
my @not_a4 = grep { abs($boxes[$_] - 595.28) > 2 || abs($boxes[ $_ + 1 ] - 841.89) > 2 } grep { $_ % 2 == 0 } 0 .. $#boxes;
is(scalar @not_a4, 0, "every printed page is A4 (first: $boxes[0] x $boxes[1] pt)");
is_deeply([ map { uc } @{ $p->{page} } ], ['A4'], 'the page rule asks for A4');

# nothing but the page itself: no script of its own, nothing fetched
is($p->{scripts}, 1, 'the only script is the probe');
is($p->{external}, 0, 'no element refers to anything outside the page');
is($p->{resources}, 0, 'the browser fetched nothing');

# hostile names are text, shown as written
for my $name ('Acme Auto (Shanghai) <Co> & "Partners"', '<script>alert("r&d")</script>', q{O'Brien & Co},
	'<b>SC</b> & "US"', '<img src=x onerror=alert(1)> & "clause" of the DBA', 'public."charging <ops> & ""co"""')
{
	ok(index($p->{text}, $name) >= 0, "shown as text: $name");
}

# the charts: six, each drawn with shapes of a size on the screen
my @charts = @{ $p->{charts} };
is(scalar @charts, 6, 'six charts');
for my $c (@charts)
{
	cmp_ok($c->{drawn}, '>=', 2, "chart drawn: $c->{label} ($c->{drawn} shapes with a size)");
	is($c->{drawn}, $c->{shapes}, "every shape of the chart has a size: $c->{label}");
	cmp_ok($c->{width}, '>', 500, "chart wide on the page: $c->{label}");
}

# psql under a plain path, so that names print as the report writes them
sub query
{
	my ($sql) = @_;
	my $res = $node->safe_psql('postgres', "SET search_path = pg_catalog; $sql", extra_params => [ '-U', 'analyst' ]);
	return [ map { [ split /\|/, $_, -1 ] } grep { length } split /\n/, $res ];
}
sub num { my ($s) = @_; return undef if !defined $s || $s eq "\x{2013}"; (my $n = $s) =~ s/,//g; return $n; }
sub cells { my ($id) = @_; return $p->{tables}{$id}{rows}; }

# 1. where the year stands = compliance_status
my $cs = query(q{SELECT tally, individuals, replace(measure::text, '_', ' '), rule, coalesce(next_threshold::text, ''),
				 coalesce(headroom::text, '') FROM autoxfer.compliance_status WHERE year = 2025 ORDER BY tally});
is(scalar @{ cells('t-compliance') }, scalar @$cs, 'a row per tally');
for my $i (0 .. $#$cs)
{
	my ($tally, $n, $measure, $rule, $next, $head) = @{ $cs->[$i] };
	my $row = cells('t-compliance')->[$i];
	is($row->[0], $tally, "tally $tally");
	is(num($row->[1]), $n, "$tally: individuals $n");
	is($row->[2], $measure, "$tally: measure $measure");
	is($row->[3], $rule, "$tally: rule $rule");
	is(num($row->[5]) // '', $next, "$tally: next threshold $next");
	is(num($row->[6]) // '', $head, "$tally: headroom $head");
	like($row->[1], qr/^\d{1,3}(,\d{3})*$/, "$tally: the count is grouped by thousands");
}

# 2. the months: the log's bookings per month and since 1 January, which
# end at the ledger's count
my $months = query(q{SELECT extract(month FROM month)::int, sum(new_personal), sum(new_sensitive)
					 FROM autoxfer.transfer_summary WHERE year = 2025 GROUP BY 1 ORDER BY 1});
my %new = map { $_->[0] => $_ } @$months;
my ($cum_p, $cum_s) = (0, 0);
for my $m (1 .. 12)
{
	my $row = cells('t-months')->[ $m - 1 ];
	$cum_p += $new{$m} ? $new{$m}[1] : 0;
	$cum_s += $new{$m} ? $new{$m}[2] : 0;
	is(join(' ', map { num($_) } @$row[ 1 .. 4 ]),
		join(' ', ($new{$m} ? $new{$m}[1] : 0), $cum_p, ($new{$m} ? $new{$m}[2] : 0), $cum_s),
		sprintf('month 2025-%02d: new and cumulative per tally', $m));
}
my $ledger = query(q{SELECT individuals FROM autoxfer.ledger_status WHERE year = 2025 ORDER BY tally});
is("$cum_p $cum_s", "$ledger->[0][0] $ledger->[1][0]", 'the months add up to the ledger');
my ($personal, $sensitive) = grep { $_->{label} =~ /^(Personal|Sensitive)/ } @charts;
is($personal->{points}, 12, 'the personal tally has a point per month');
is($sensitive->{points}, 12, 'the sensitive tally has a point per month');
is($personal->{thresholds}, 2, 'the personal chart shows M6 and M3');
is($sensitive->{thresholds}, 1, 'the sensitive chart shows M4');
ok((grep { $_ eq 'M6 100,000' } @{ $personal->{texts} }), 'the M6 threshold is labelled, grouped');

# 3. transfers per recipient and month = transfer_summary
my $per = query(q{SELECT coalesce(recipient, '(none)'), extract(month FROM month)::int, sum(transfers)
				  FROM autoxfer.transfer_summary WHERE year = 2025 GROUP BY 1, 2});
my (%tr, %total);
for (@$per) { $tr{ $_->[0] }{ $_->[1] } = $_->[2]; $total{ $_->[0] } += $_->[2]; }
my @trows = @{ cells('t-transfers') };
is(scalar @trows, scalar keys %tr, 'a row per recipient');
my $segments = 0;
for my $row (@trows)
{
	my $r = $row->[0];
	is(join(' ', map { num($_) } @$row[ 1 .. 13 ]),
		join(' ', (map { $tr{$r}{$_} // 0 } 1 .. 12), $total{$r} // 'missing'), "transfers of $r per month and in all");
	$segments += grep { $_ } values %{ $tr{$r} };
}
my ($stacked) = grep { $_->{label} =~ /^Transfers/ } @charts;
is($stacked->{bars}, $segments, 'a bar segment per recipient and month with transfers');
my $byp = query(q{SELECT coalesce(recipient, '(none)'), coalesce(purpose, ''), coalesce(replace(measure::text, '_', ' '), 'not recorded'),
				  sum(transfers), sum(rows_returned), sum(rows_withheld), sum(new_personal), sum(new_sensitive)
				  FROM autoxfer.transfer_summary WHERE year = 2025 GROUP BY recipient, purpose, measure
				  ORDER BY recipient, purpose, measure});
is(scalar @{ cells('t-recipients') }, scalar @$byp, 'a row per recipient, purpose and measure');
for my $i (0 .. $#$byp)
{
	my $row = cells('t-recipients')->[$i];
	my @v = @{ $byp->[$i] };
	is(join('|', $row->[0], map { num($_) } @$row[ 3, 5, 6, 7, 8 ]), join('|', @v[ 0, 3 .. 7 ]),
		"the year of $v[0], $v[1], $v[2]");
}

# 4. filings = filing_status
my $fs = query(q{SELECT id, reference, to_char(approved_on, 'YYYY-MM-DD'), coalesce(to_char(valid_until, 'YYYY-MM-DD'), 'no end'),
				 coalesce(days_to_expiry::text, ''), coalesce(to_char(extension_window_opens, 'YYYY-MM-DD'), ''), status,
				 (approved_on <= '2026-12-31' AND coalesce(valid_until, 'infinity') >= '2025-01-01')::int,
				 (extension_window_opens <= '2026-12-31')::int
				 FROM autoxfer.filing_status ORDER BY id});
is(scalar @{ cells('t-filings') }, scalar @$fs, 'a row per filing');
my ($bars, $windows) = (0, 0);
for my $i (0 .. $#$fs)
{
	my ($id, $ref, $approved, $until, $days, $opens, $status, $shown, $window) = @{ $fs->[$i] };
	my $row = cells('t-filings')->[$i];
	is(join('|', $row->[0], $row->[3], $row->[4], $row->[5], num($row->[6]) // '', num($row->[7]) // '', $row->[11]),
		join('|', $id, $ref, $approved, $until, $days, $opens, $status), "filing $id ($ref)");
	$bars += $shown;
	$windows += $window || 0;
}
my ($timeline) = grep { $_->{label} =~ /^Filings/ } @charts;
is($timeline->{validity}, $bars, 'a bar per filing in force during 2025 and 2026');
is($timeline->{windows}, $windows, 'the extension windows that fall in the period are hatched');
cmp_ok($windows, '>=', 1, 'an extension window is shown');

# 5. withheld and blocked rows = transfer_summary and table_summary
my $wh = query(q{SELECT sum(withheld_not_exportable), sum(withheld_stale), sum(withheld_no_subject), sum(withheld_excess)
				 FROM autoxfer.transfer_summary WHERE year = 2025});
is(join(' ', map { num($_->[1]) } @{ cells('t-withheld') }), join(' ', @{ $wh->[0] }), 'rows withheld by reason');
my $ts = query(q{SELECT tbl::text, scenario, coalesce(category::text, ''), coalesce(mark::text, ''), rows, stale
				 FROM autoxfer.table_summary ORDER BY tbl::text, category, mark});
is(scalar @{ cells('t-tables') }, scalar @$ts, 'a row per protected table, category and mark');
my $blocked = 0;
for my $i (0 .. $#$ts)
{
	my $row = cells('t-tables')->[$i];
	is(join('|', @$row[ 0 .. 3 ], num($row->[4]), num($row->[5])), join('|', @{ $ts->[$i] }), "table_summary row $i");
	$blocked += $ts->[$i][4] if $ts->[$i][3] eq 'blocked';
}
my $shown_blocked = 0;
$shown_blocked += num($_->[3]) for @{ cells('t-blocked') };
is($shown_blocked, $blocked, 'the blocked rows by rule add up to the blocked rows of table_summary');
cmp_ok($blocked, '>', 0, 'some rows are blocked');

$node->stop;
File::Path::remove_tree(glob("$out/profile-*"), "$out/home");
done_testing();
