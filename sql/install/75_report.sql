-- autoxfer install script, part 75: the yearly report, autoxfer.report(year),
-- one self-contained HTML page (no script, no network: inline CSS and
-- SVG charts, every number also in a table) built from the compliance
-- views of part 70.  docs/compliance.md, docs/guide-analyst.md.
--
-- Every text that comes from data (names, references, clauses, table
-- names) goes through autoxfer._html; numbers are grouped (100,000) and
-- dates ISO (YYYY-MM-DD) whatever the session's settings; the page prints
-- on A4 (@page).  Like the views, it runs with the caller's rights.

-- Formatting ------------------------------------------------------------------

CREATE FUNCTION autoxfer._html(t text) RETURNS text
	LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $fn$
	SELECT replace(replace(replace(replace(replace(coalesce(t, ''), '&', '&amp;'), '<', '&lt;'), '>', '&gt;'),
						   '"', '&quot;'), '''', '&#39;')
$fn$;
COMMENT ON FUNCTION autoxfer._html(text) IS
	'Internal: text escaped for HTML and SVG content and attribute values (& < > " and '' as entities; NULL as empty)';

CREATE FUNCTION autoxfer._num(n numeric) RETURNS text
	LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $fn$
	SELECT CASE WHEN n IS NULL THEN '–'
				WHEN n = trunc(n) THEN to_char(n, 'FM9,999,999,999,999,999,990')
				ELSE to_char(n, 'FM9,999,999,999,999,990.0') END
$fn$;
COMMENT ON FUNCTION autoxfer._num(numeric) IS
	'Internal: a number with its thousands grouped by commas (100,000; one decimal when not whole), whatever lc_numeric says; an en dash for NULL';

CREATE FUNCTION autoxfer._iso(d date) RETURNS text
	LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $fn$
	SELECT coalesce(to_char(d, 'YYYY-MM-DD'), '–')
$fn$;
COMMENT ON FUNCTION autoxfer._iso(date) IS
	'Internal: a date as YYYY-MM-DD whatever DateStyle says; an en dash for NULL';

-- A step of 1, 2 or 5 times a power of ten that cuts 0..x into about five.
CREATE FUNCTION autoxfer._nice_step(x numeric) RETURNS numeric
	LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $fn$
	SELECT trim_scale(greatest(CASE WHEN f <= 1 THEN 1 WHEN f <= 2 THEN 2 WHEN f <= 5 THEN 5 ELSE 10 END * p, 1))
	FROM (SELECT power(10::numeric, floor(log(greatest(x, 1) / 5))) AS p) a,
		 LATERAL (SELECT greatest(x, 1) / 5 / a.p AS f) b
$fn$;
COMMENT ON FUNCTION autoxfer._nice_step(numeric) IS
	'Internal: the axis step (1, 2 or 5 times a power of ten) that cuts 0 to x into about five intervals';

CREATE FUNCTION autoxfer._xy(v numeric) RETURNS text
	LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $fn$
	SELECT round(v, 1)::text
$fn$;
COMMENT ON FUNCTION autoxfer._xy(numeric) IS
	'Internal: an SVG coordinate, one decimal, locale-independent';

-- Charts ------------------------------------------------------------------------

-- The value axis of a chart whose plot spans x0..x1 and y1 (0) up to y0
-- (axis): a grid line and a label every step, from 0 to axis.
CREATE FUNCTION autoxfer._svg_grid(x0 numeric, x1 numeric, y0 numeric, y1 numeric, axis numeric, step numeric)
	RETURNS text
	LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $fn$
	SELECT coalesce(string_agg(format('<line class="grid" x1="%s" y1="%s" x2="%s" y2="%s"/><text x="%s" y="%s" text-anchor="end">%s</text>',
									  x0, autoxfer._xy(y1 - (y1 - y0) * v / axis), x1, autoxfer._xy(y1 - (y1 - y0) * v / axis),
									  x0 - 6, autoxfer._xy(y1 - (y1 - y0) * v / axis + 3.5), autoxfer._num(v)), '' ORDER BY v), '')
	FROM generate_series(0::numeric, axis, step) v
$fn$;
COMMENT ON FUNCTION autoxfer._svg_grid(numeric, numeric, numeric, numeric, numeric, numeric) IS
	'Internal: the value axis of a chart, a grid line and a grouped label every step from 0 to the top of the axis';

-- A tally's cumulative count over the months (NULL: a month still to
-- come) against its thresholds, as a line chart.
CREATE FUNCTION autoxfer._svg_tally(title text, months text[], counts bigint[], thresholds bigint[],
									names text[], colour text)
	RETURNS text
	LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $fn$
DECLARE
	x0 numeric := 78;
	x1 numeric := 632;
	y0 numeric := 16;
	y1 numeric := 196;
	nm integer := cardinality(months);
	slot numeric := (x1 - x0) / greatest(nm, 1);
	top_ numeric;
	step numeric;
	axis numeric;
	nxt numeric;
	m numeric := coalesce((SELECT max(c) FROM unnest(counts) c), 0);
	svg text;
	pts text := '';
	dots text := '';
	i integer;
BEGIN
	nxt := (SELECT min(t) FROM unnest(thresholds) t WHERE t > m);
	top_ := greatest(m, coalesce(nxt, 0)) * 1.12;
	step := autoxfer._nice_step(top_);
	axis := greatest(ceil(top_ / step) * step, step);
	svg := format('<svg class="chart" viewBox="0 0 720 228" role="img" aria-label="%s"><title>%s</title>',
				  autoxfer._html(title), autoxfer._html(title));
	-- grid and axis labels
	svg := svg || autoxfer._svg_grid(x0, x1, y0, y1, axis, step);
	FOR i IN 1 .. nm LOOP
		svg := svg || format('<text x="%s" y="%s" text-anchor="middle">%s</text>',
							 autoxfer._xy(x0 + (i - 0.5) * slot), y1 + 16, autoxfer._html(months[i]));
	END LOOP;
	svg := svg || format('<line class="axis" x1="%s" y1="%s" x2="%s" y2="%s"/>', x0, y1, x1, y1);
	-- thresholds within the scale
	FOR i IN 1 .. coalesce(cardinality(thresholds), 0) LOOP
		IF thresholds[i] <= axis THEN
			svg := svg || format('<line class="threshold" x1="%s" y1="%s" x2="%s" y2="%s"/><text class="thr" x="%s" y="%s">%s %s</text>',
								 x0, autoxfer._xy(y1 - (y1 - y0) * thresholds[i] / axis), x1,
								 autoxfer._xy(y1 - (y1 - y0) * thresholds[i] / axis), x1 + 4,
								 autoxfer._xy(y1 - (y1 - y0) * thresholds[i] / axis + 3.5),
								 autoxfer._html(names[i]), autoxfer._num(thresholds[i]));
		END IF;
	END LOOP;
	-- the tally
	FOR i IN 1 .. nm LOOP
		CONTINUE WHEN counts[i] IS NULL;
		pts := pts || format('%s,%s ', autoxfer._xy(x0 + (i - 0.5) * slot), autoxfer._xy(y1 - (y1 - y0) * counts[i] / axis));
		dots := dots || format('<circle cx="%s" cy="%s" r="3" fill="%s"><title>%s: %s</title></circle>',
							   autoxfer._xy(x0 + (i - 0.5) * slot), autoxfer._xy(y1 - (y1 - y0) * counts[i] / axis),
							   colour, autoxfer._html(months[i]), autoxfer._num(counts[i]));
	END LOOP;
	IF pts <> '' THEN
		svg := svg || format('<polyline class="series" fill="none" stroke="%s" stroke-width="2" points="%s"/>', colour, rtrim(pts)) || dots;
	END IF;
	RETURN svg || '</svg>';
END
$fn$;
COMMENT ON FUNCTION autoxfer._svg_tally(text, text[], bigint[], bigint[], text[], text) IS
	'Internal: SVG line chart of a tally''s cumulative count per month against its thresholds';

-- Stacked bars: one bar per month, one segment per series (counts[s][m]
-- in a JSON array of arrays), a legend below.
CREATE FUNCTION autoxfer._svg_stacked(title text, months text[], names text[], counts jsonb)
	RETURNS text
	LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $fn$
DECLARE
	palette text[] := '{#1f77b4,#ff7f0e,#2ca02c,#d62728,#9467bd,#8c564b,#e377c2,#7f7f7f,#bcbd22,#17becf}';
	x0 numeric := 60;
	x1 numeric := 700;
	y0 numeric := 14;
	y1 numeric := 176;
	nm integer := cardinality(months);
	ns integer := coalesce(cardinality(names), 0);
	slot numeric := (x1 - x0) / greatest(nm, 1);
	legend_rows integer := (ns + 2) / 3;
	h numeric := 206 + 16 * legend_rows;
	axis numeric;
	step numeric;
	total numeric;
	base numeric;
	v numeric;
	svg text;
	i integer;
	s integer;
BEGIN
	SELECT coalesce(max(t), 0) INTO total FROM (
		SELECT sum((counts -> (s0 - 1) ->> (m0 - 1))::numeric) AS t
		FROM generate_series(1, greatest(ns, 1)) s0, generate_series(1, nm) m0
		WHERE ns > 0 GROUP BY m0) x;
	step := autoxfer._nice_step(total * 1.1);
	axis := greatest(ceil(total * 1.1 / step) * step, step);
	svg := format('<svg class="chart" viewBox="0 0 720 %s" role="img" aria-label="%s"><title>%s</title>',
				  h, autoxfer._html(title), autoxfer._html(title));
	svg := svg || autoxfer._svg_grid(x0, x1, y0, y1, axis, step);
	FOR i IN 1 .. nm LOOP
		svg := svg || format('<text x="%s" y="%s" text-anchor="middle">%s</text>',
							 autoxfer._xy(x0 + (i - 0.5) * slot), y1 + 16, autoxfer._html(months[i]));
		base := 0;
		FOR s IN 1 .. ns LOOP
			v := coalesce((counts -> (s - 1) ->> (i - 1))::numeric, 0);
			CONTINUE WHEN v = 0;
			svg := svg || format('<rect class="bar" x="%s" y="%s" width="%s" height="%s" fill="%s"><title>%s, %s: %s</title></rect>',
								 autoxfer._xy(x0 + (i - 0.8) * slot), autoxfer._xy(y1 - (y1 - y0) * (base + v) / axis),
								 autoxfer._xy(slot * 0.6), autoxfer._xy((y1 - y0) * v / axis),
								 palette[1 + (s - 1) % cardinality(palette)],
								 autoxfer._html(names[s]), autoxfer._html(months[i]), autoxfer._num(v));
			base := base + v;
		END LOOP;
	END LOOP;
	svg := svg || format('<line class="axis" x1="%s" y1="%s" x2="%s" y2="%s"/>', x0, y1, x1, y1);
	FOR s IN 1 .. ns LOOP
		svg := svg || format('<rect class="swatch" x="%s" y="%s" width="10" height="10" fill="%s"/><text x="%s" y="%s">%s</text>',
							 x0 + ((s - 1) % 3) * 214, 200 + ((s - 1) / 3) * 16, palette[1 + (s - 1) % cardinality(palette)],
							 x0 + ((s - 1) % 3) * 214 + 14, 209 + ((s - 1) / 3) * 16,
							 autoxfer._html(CASE WHEN length(names[s]) > 36 THEN left(names[s], 35) || '…' ELSE names[s] END));
	END LOOP;
	RETURN svg || '</svg>';
END
$fn$;
COMMENT ON FUNCTION autoxfer._svg_stacked(text, text[], text[], jsonb) IS
	'Internal: SVG stacked bar chart, one bar per month and one segment per series, with a legend';

-- Filings on a timeline from d0 to d1: validity bars by measure, the
-- extension window hatched, the expiry and the contract filing deadline
-- marked, today a vertical line.  rows: a JSON array of objects with
-- label, measure, start, end (null: no end), opens, deadline, late, dim.
CREATE FUNCTION autoxfer._svg_timeline(title text, d0 date, d1 date, today date, rows jsonb)
	RETURNS text
	LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $fn$
DECLARE
	x0 numeric := 236;
	x1 numeric := 704;
	top_ numeric := 30;
	rh numeric := 20;
	n integer := jsonb_array_length(rows);
	h numeric := top_ + rh * greatest(n, 1) + 44;
	span numeric := greatest(d1 - d0 + 1, 1);
	svg text;
	r jsonb;
	i integer := 0;
	m date;
	a date;
	b date;
	y numeric;
	colour text;
BEGIN
	svg := format('<svg class="chart" viewBox="0 0 720 %s" role="img" aria-label="%s"><title>%s</title>'
				  '<defs><pattern id="ax-hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
				  '<rect width="6" height="6" fill="#fde2b8"/><line x1="0" y1="0" x2="0" y2="6" stroke="#e08a00" stroke-width="3"/></pattern></defs>',
				  h, autoxfer._html(title), autoxfer._html(title));
	-- months, labelled each quarter
	m := date_trunc('month', d0)::date;
	WHILE m <= d1 LOOP
		IF m >= d0 THEN
			svg := svg || format('<line class="grid" x1="%s" y1="%s" x2="%s" y2="%s"/>',
								 autoxfer._xy(x0 + (x1 - x0) * (m - d0) / span), top_ - 6,
								 autoxfer._xy(x0 + (x1 - x0) * (m - d0) / span), top_ + rh * greatest(n, 1));
			IF extract(month FROM m)::integer % 3 = 1 THEN
				svg := svg || format('<text x="%s" y="%s">%s</text>', autoxfer._xy(x0 + (x1 - x0) * (m - d0) / span + 2),
									 top_ - 10, to_char(m, 'YYYY-MM'));
			END IF;
		END IF;
		m := (m + interval '1 month')::date;
	END LOOP;
	FOR r IN SELECT value FROM jsonb_array_elements(rows) LOOP
		y := top_ + rh * i;
		colour := CASE r ->> 'measure' WHEN 'security_assessment' THEN '#1f77b4' WHEN 'certification' THEN '#9467bd' ELSE '#2ca02c' END;
		svg := svg || format('<text x="%s" y="%s" text-anchor="end">%s</text>', x0 - 6, autoxfer._xy(y + 12),
							 autoxfer._html(r ->> 'label'));
		a := greatest((r ->> 'start')::date, d0);
		b := least(coalesce((r ->> 'end')::date, d1), d1);
		IF a <= b THEN
			svg := svg || format('<rect class="validity" x="%s" y="%s" width="%s" height="12" fill="%s"%s><title>%s: %s to %s</title></rect>',
								 autoxfer._xy(x0 + (x1 - x0) * (a - d0) / span), autoxfer._xy(y + 2),
								 autoxfer._xy(greatest((x1 - x0) * (b - a + 1) / span, 1)), colour,
								 CASE WHEN (r ->> 'dim')::boolean THEN ' fill-opacity="0.3"' ELSE '' END,
								 autoxfer._html(r ->> 'label'), autoxfer._iso((r ->> 'start')::date),
								 CASE WHEN r ->> 'end' IS NULL THEN 'no end' ELSE autoxfer._iso((r ->> 'end')::date) END);
			-- the extension window
			IF r ->> 'opens' IS NOT NULL AND greatest((r ->> 'opens')::date, d0) <= b THEN
				svg := svg || format('<rect class="window" x="%s" y="%s" width="%s" height="12" fill="url(#ax-hatch)"><title>extension window from %s</title></rect>',
									 autoxfer._xy(x0 + (x1 - x0) * (greatest((r ->> 'opens')::date, d0) - d0) / span), autoxfer._xy(y + 2),
									 autoxfer._xy(greatest((x1 - x0) * (b - greatest((r ->> 'opens')::date, d0) + 1) / span, 1)),
									 autoxfer._iso((r ->> 'opens')::date));
			END IF;
		END IF;
		-- the expiry
		IF r ->> 'end' IS NOT NULL AND (r ->> 'end')::date BETWEEN d0 AND d1 THEN
			svg := svg || format('<line class="expiry" x1="%s" y1="%s" x2="%s" y2="%s"><title>expires after %s</title></line>',
								 autoxfer._xy(x0 + (x1 - x0) * ((r ->> 'end')::date - d0 + 1) / span), autoxfer._xy(y),
								 autoxfer._xy(x0 + (x1 - x0) * ((r ->> 'end')::date - d0 + 1) / span), autoxfer._xy(y + 16),
								 autoxfer._iso((r ->> 'end')::date));
		END IF;
		-- the filing deadline of a standard contract
		IF r ->> 'deadline' IS NOT NULL AND (r ->> 'deadline')::date BETWEEN d0 AND d1 THEN
			svg := svg || format('<path class="deadline" d="M%s %s l4 4 l-4 4 l-4 -4 z" fill="%s"><title>file by %s</title></path>',
								 autoxfer._xy(x0 + (x1 - x0) * ((r ->> 'deadline')::date - d0 + 0.5) / span), autoxfer._xy(y + 4),
								 CASE WHEN (r ->> 'late')::boolean THEN '#c00' ELSE '#222' END,
								 autoxfer._iso((r ->> 'deadline')::date));
		END IF;
		i := i + 1;
	END LOOP;
	IF n = 0 THEN
		svg := svg || format('<text x="%s" y="%s">no filing in this period</text>', x0, top_ + 12);
	END IF;
	IF today BETWEEN d0 AND d1 THEN
		svg := svg || format('<line class="today" x1="%s" y1="%s" x2="%s" y2="%s"/><text x="%s" y="%s" text-anchor="middle">today</text>',
							 autoxfer._xy(x0 + (x1 - x0) * (today - d0 + 0.5) / span), top_ - 4,
							 autoxfer._xy(x0 + (x1 - x0) * (today - d0 + 0.5) / span), top_ + rh * greatest(n, 1),
							 autoxfer._xy(x0 + (x1 - x0) * (today - d0 + 0.5) / span), top_ + rh * greatest(n, 1) + 12);
	END IF;
	-- legend
	y := top_ + rh * greatest(n, 1) + 26;
	svg := svg || format('<rect x="%s" y="%s" width="10" height="10" fill="#1f77b4"/><text x="%s" y="%s">security assessment</text>'
						 '<rect x="%s" y="%s" width="10" height="10" fill="#2ca02c"/><text x="%s" y="%s">standard contract</text>'
						 '<rect x="%s" y="%s" width="10" height="10" fill="#9467bd"/><text x="%s" y="%s">certification</text>'
						 '<rect x="%s" y="%s" width="10" height="10" fill="url(#ax-hatch)"/><text x="%s" y="%s">extension window</text>'
						 '<line class="expiry" x1="%s" y1="%s" x2="%s" y2="%s"/><text x="%s" y="%s">expiry</text>'
						 '<path d="M%s %s l4 4 l-4 4 l-4 -4 z" fill="#222"/><text x="%s" y="%s">filing deadline</text>',
						 20, y, 34, y + 9, 160, y, 174, y + 9, 290, y, 304, y + 9, 390, y, 404, y + 9,
						 505, y - 1, 505, y + 11, 512, y + 9, 580, y, 590, y + 9);
	RETURN svg || '</svg>';
END
$fn$;
COMMENT ON FUNCTION autoxfer._svg_timeline(text, date, date, date, jsonb) IS
	'Internal: SVG timeline of filings: validity by measure, extension windows hatched, expiries and contract filing deadlines marked, today';

-- Horizontal bars with their values.
CREATE FUNCTION autoxfer._svg_bars(title text, labels text[], vals bigint[], colour text)
	RETURNS text
	LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $fn$
DECLARE
	x0 numeric := 236;
	x1 numeric := 640;
	rh numeric := 20;
	n integer := coalesce(cardinality(labels), 0);
	m numeric := greatest(coalesce((SELECT max(v) FROM unnest(vals) v), 0), 1);
	svg text;
	i integer;
BEGIN
	svg := format('<svg class="chart" viewBox="0 0 720 %s" role="img" aria-label="%s"><title>%s</title>',
				  rh * greatest(n, 1) + 12, autoxfer._html(title), autoxfer._html(title));
	FOR i IN 1 .. n LOOP
		svg := svg || format('<text x="%s" y="%s" text-anchor="end">%s</text>'
							 '<rect class="bar" x="%s" y="%s" width="%s" height="13" fill="%s"><title>%s: %s</title></rect>'
							 '<text x="%s" y="%s">%s</text>',
							 x0 - 6, 6 + rh * (i - 1) + 11,
							 autoxfer._html(CASE WHEN length(labels[i]) > 40 THEN left(labels[i], 39) || '…' ELSE labels[i] END),
							 x0, 6 + rh * (i - 1), autoxfer._xy(greatest((x1 - x0) * coalesce(vals[i], 0) / m, 1)), colour,
							 autoxfer._html(labels[i]), autoxfer._num(vals[i]),
							 autoxfer._xy(x0 + greatest((x1 - x0) * coalesce(vals[i], 0) / m, 1) + 5), 6 + rh * (i - 1) + 11,
							 autoxfer._num(vals[i]));
	END LOOP;
	IF n = 0 THEN
		svg := svg || format('<text x="%s" y="18">none</text>', x0);
	END IF;
	RETURN svg || '</svg>';
END
$fn$;
COMMENT ON FUNCTION autoxfer._svg_bars(text, text[], bigint[], text) IS
	'Internal: SVG horizontal bar chart with the value of each bar';

-- An HTML table: a header and rows of cells, each cell already HTML;
-- numeric columns (by position) right-aligned.
CREATE FUNCTION autoxfer._html_table(id text, header text[], rows_ text[], numeric_cols integer[])
	RETURNS text
	LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $fn$
	SELECT format('<table id="%s"><thead><tr>%s</tr></thead><tbody>%s</tbody></table>',
				  autoxfer._html(id),
				  (SELECT string_agg(format('<th%s>%s</th>', CASE WHEN k = ANY (numeric_cols) THEN ' class="n"' ELSE '' END,
											autoxfer._html(h)), '' ORDER BY k)
				   FROM unnest(header) WITH ORDINALITY u (h, k)),
				  coalesce(array_to_string(rows_, ''), ''))
$fn$;
COMMENT ON FUNCTION autoxfer._html_table(text, text[], text[], integer[]) IS
	'Internal: an HTML table from its header (escaped here) and its rows (already HTML)';

-- A table row from cells already HTML; numeric columns (by position)
-- right-aligned.
CREATE FUNCTION autoxfer._html_row(cells text[], numeric_cols integer[])
	RETURNS text
	LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $fn$
	SELECT '<tr>' || string_agg(format('<td%s>%s</td>', CASE WHEN k = ANY (numeric_cols) THEN ' class="n"'
																WHEN c ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}' THEN ' class="d"' ELSE '' END,
									   coalesce(c, '–')), '' ORDER BY k) || '</tr>'
	FROM unnest(cells) WITH ORDINALITY u (c, k)
$fn$;
COMMENT ON FUNCTION autoxfer._html_row(text[], integer[]) IS
	'Internal: an HTML table row from cells that are already HTML (NULL as an en dash; numeric columns right-aligned, dates kept on one line)';

-- The report ----------------------------------------------------------------------

CREATE FUNCTION autoxfer.report(year integer) RETURNS text
	LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp SET jit = off AS $fn$
DECLARE
	y integer := year;
	tz text := autoxfer._timezone();
	today date := autoxfer._today();
	this_year integer := autoxfer.ledger_year(now());
	org autoxfer.organisation;
	m3 bigint := autoxfer._param('m3_individuals')::bigint;
	m4 bigint := autoxfer._param('m4_sensitive_individuals')::bigint;
	m6 bigint := autoxfer._param('m6_individuals')::bigint;
	months text[];
	last_month integer;
	counts jsonb;
	rec record;
	html text;
	rows_ text[];
	cum_p bigint[];
	cum_s bigint[];
	new_p bigint[];
	new_s bigint[];
	names text[];
	matrix jsonb;
	tl jsonb;
	labels text[];
	vals bigint[];
	log_p bigint;
	log_s bigint;
	led_p bigint;
	led_s bigint;
	d0 date;
	d1 date;
	-- the views' rows, read once
	tsum autoxfer.transfer_summary[];
	fsum autoxfer.filing_status[];
BEGIN
	IF y IS NULL OR y < 1 OR y > 9999 THEN
		RAISE EXCEPTION 'autoxfer.report: year must be between 1 and 9999, not %', coalesce(y::text, 'NULL')
			USING ERRCODE = 'invalid_parameter_value', HINT = 'Pass a calendar year, such as 2026.';
	END IF;
	SELECT * INTO org FROM autoxfer.organisation;
	months := ARRAY(SELECT to_char(make_date(y, k, 1), 'YYYY-MM') FROM generate_series(1, 12) k);
	last_month := CASE WHEN y < this_year THEN 12 WHEN y = this_year THEN extract(month FROM today)::integer ELSE 0 END;
	d0 := make_date(y, 1, 1);
	d1 := make_date(y + 1, 12, 31);
	tsum := ARRAY(SELECT ROW(t.*)::autoxfer.transfer_summary FROM autoxfer._transfer_summary() t WHERE t.year = y);
	fsum := ARRAY(SELECT ROW(f.*)::autoxfer.filing_status FROM autoxfer._filing_status() f);

	html := format('<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
				   '<meta name="viewport" content="width=device-width, initial-scale=1">'
				   '<title>Cross-border transfers %s – %s</title><style>%s</style></head><body>',
				   y, autoxfer._html(coalesce(org.name, 'processor not declared')),
				   '@page { size: A4; margin: 14mm 12mm 16mm 12mm; }'
				   ' html { font-family: "DejaVu Sans", "Liberation Sans", Arial, sans-serif; font-size: 10pt; color: #111; background: #fff; }'
				   ' body { max-width: 186mm; margin: 0 auto; padding: 6mm 4mm; }'
				   ' h1 { font-size: 16pt; margin: 0 0 1mm; } h2 { font-size: 12pt; border-bottom: 1px solid #999; margin: 6mm 0 2mm; padding-bottom: 1mm; }'
				   ' h3 { font-size: 10pt; margin: 3mm 0 1mm; }'
				   ' p { margin: 1mm 0; } .meta { color: #444; } .note { font-size: 8.5pt; color: #444; }'
				   ' .bad { color: #b00; font-weight: bold; } .ok { color: #060; }'
				   ' table { border-collapse: collapse; width: 100%; margin: 1mm 0 3mm; font-size: 8pt; }'
				   ' th, td { border-bottom: 1px solid #ddd; padding: 1px 3px; text-align: left; vertical-align: top; overflow-wrap: break-word; }'
				   ' th { background: #f0f0f0; } td.n, th.n { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; } td.d { white-space: nowrap; } #t-filings { font-size: 7.5pt; } #t-filings td:nth-child(3), #t-filings td:nth-child(4) { overflow-wrap: anywhere; }'
				   ' figure { margin: 1mm 0 2mm; break-inside: avoid; } figcaption { font-size: 8.5pt; color: #444; }'
				   ' svg.chart { width: 100%; height: auto; display: block; }'
				   ' svg text { font-size: 10px; fill: #222; } svg text.thr { fill: #a00; }'
				   ' svg .grid { stroke: #e3e3e3; stroke-width: 1; } svg .axis { stroke: #555; stroke-width: 1; }'
				   ' svg .threshold { stroke: #a00; stroke-width: 1.2; stroke-dasharray: 5 3; }'
				   ' svg .expiry { stroke: #c00; stroke-width: 2; } svg .today { stroke: #000; stroke-width: 1; stroke-dasharray: 2 2; }'
				   ' @media print { body { max-width: none; padding: 0; } h2 { break-after: avoid; } tr { break-inside: avoid; } a { color: inherit; } }');

	-- the heading ---------------------------------------------------------
	html := html || format('<header><h1>Cross-border transfers of automotive data, %s</h1>'
						   '<p class="meta">Processor: <b>%s</b> (%s) · report of %s %s (%s) · data as of %s · autoxfer %s</p></header>',
						   y, autoxfer._html(coalesce(org.name, 'not declared (autoxfer.set_organisation)')),
						   CASE WHEN org.name IS NULL THEN 'treated as a critical information infrastructure operator'
								WHEN org.ciio THEN 'a critical information infrastructure operator'
								ELSE 'not a critical information infrastructure operator' END,
						   autoxfer._iso(today), to_char(now() AT TIME ZONE tz, 'HH24:MI'), autoxfer._html(tz),
						   autoxfer._iso(least(today, make_date(y, 12, 31))),
						   autoxfer._html((SELECT e.extversion FROM pg_catalog.pg_extension e WHERE e.extname = 'autoxfer')));

	-- 1. where the year stands ----------------------------------------------
	rows_ := ARRAY(
		SELECT autoxfer._html_row(ARRAY[
				   autoxfer._html(c.tally::text), autoxfer._num(c.individuals),
				   autoxfer._html(replace(c.measure::text, '_', ' ')), autoxfer._html(c.rule),
				   CASE WHEN c.filing IS NOT NULL THEN format('#%s %s (%s)', c.filing, autoxfer._html(c.filing_reference),
															 autoxfer._html(coalesce(c.filing_recipient, 'every recipient')))
						WHEN c.covered THEN 'none needed' ELSE '<span class="bad">none</span>' END,
				   autoxfer._num(c.next_threshold), autoxfer._num(c.headroom), autoxfer._num(c.rate_30d),
				   autoxfer._iso(c.crossing_on)], '{2,6,7,8}')
		FROM autoxfer._compliance_status() c WHERE c.year = y ORDER BY c.tally);
	html := html || '<section id="status"><h2>1. Where the year stands</h2>'
		|| autoxfer._html_table('t-compliance',
								'{Tally,Individuals,Measure needed,Rule,Covering filing,Next threshold,Headroom,"Per day, 30 days",Crossing on}',
								rows_, '{2,6,7,8}')
		|| CASE WHEN cardinality(rows_) = 0 THEN format('<p class="note">Nothing was booked into the ledger for %s.</p>', y) ELSE '' END
		|| format('<p class="note">Individuals are distinct people counted from 1 January (%s). Thresholds: %s individuals of personal information need a standard contract or a certification (M6) and %s a security assessment (M3); sensitive personal information needs a contract from the first individual and an assessment from %s (M4). The covering filing is the widest filing in force today of the measure needed, for any recipient. The crossing date extrapolates the last 30 days'' bookings.</p>',
				  autoxfer._html(tz), autoxfer._num(m6), autoxfer._num(m3), autoxfer._num(m4))
		|| '</section>';

	-- 2. the tallies over the months -------------------------------------------
	SELECT array_agg(coalesce(s.p, 0) ORDER BY k), array_agg(coalesce(s.s, 0) ORDER BY k)
	INTO new_p, new_s
	FROM generate_series(1, 12) k
	LEFT JOIN (SELECT extract(month FROM t.month)::integer AS mo, sum(t.new_personal) AS p, sum(t.new_sensitive) AS s
			   FROM unnest(tsum) t GROUP BY 1) s ON s.mo = k;
	SELECT array_agg(CASE WHEN k <= last_month THEN (SELECT sum(x) FROM unnest(new_p[1:k]) x) END ORDER BY k),
		   array_agg(CASE WHEN k <= last_month THEN (SELECT sum(x) FROM unnest(new_s[1:k]) x) END ORDER BY k)
	INTO cum_p, cum_s
	FROM generate_series(1, 12) k;
	log_p := (SELECT sum(x) FROM unnest(new_p) x);
	log_s := (SELECT sum(x) FROM unnest(new_s) x);
	led_p := autoxfer.ledger_count('personal', y);
	led_s := autoxfer.ledger_count('sensitive_personal', y);
	rows_ := ARRAY(
		SELECT autoxfer._html_row(ARRAY[months[k], autoxfer._num(new_p[k]),
										CASE WHEN k <= last_month THEN autoxfer._num(cum_p[k]) END,
										autoxfer._num(new_s[k]),
										CASE WHEN k <= last_month THEN autoxfer._num(cum_s[k]) END], '{2,3,4,5}')
		FROM generate_series(1, 12) k ORDER BY k);
	html := html || '<section id="tallies"><h2>2. Individuals per tally against the thresholds</h2>'
		|| '<figure>' || autoxfer._svg_tally(format('Personal information, %s: individuals since 1 January', y), months, cum_p,
											 CASE WHEN org.ciio IS FALSE THEN ARRAY[m6, m3] ELSE '{}'::bigint[] END,
											 '{M6,M3}', '#1f77b4')
		|| format('<figcaption>Personal tally (every individual whose personal information went abroad, sensitive included), cumulative by month; dashed: the thresholds%s.</figcaption></figure>',
				  CASE WHEN org.ciio IS FALSE THEN '' ELSE ' (none apply: every transfer of personal information by a critical information infrastructure operator needs a security assessment, M2)' END)
		|| '<figure>' || autoxfer._svg_tally(format('Sensitive personal information, %s: individuals since 1 January', y), months, cum_s,
											 CASE WHEN org.ciio IS FALSE THEN ARRAY[m4] ELSE '{}'::bigint[] END,
											 '{M4}', '#d62728')
		|| '<figcaption>Sensitive personal tally, cumulative by month.</figcaption></figure>'
		|| autoxfer._html_table('t-months', '{Month,Personal new,Personal since 1 January,Sensitive new,Sensitive since 1 January}',
								rows_, '{2,3,4,5}')
		|| CASE WHEN log_p IS DISTINCT FROM led_p OR log_s IS DISTINCT FROM led_s THEN
				format('<p class="note bad">The transfer log accounts for %s personal and %s sensitive individuals of the ledger''s %s and %s (log rows purged, or bookings from before the log).</p>',
					   autoxfer._num(log_p), autoxfer._num(log_s), autoxfer._num(led_p), autoxfer._num(led_s))
				ELSE format('<p class="note">The log''s bookings add up to the ledger: %s personal, %s sensitive individuals.</p>',
							autoxfer._num(led_p), autoxfer._num(led_s)) END
		|| '</section>';

	-- 3. transfers per recipient and month --------------------------------------
	names := ARRAY(SELECT DISTINCT coalesce(t.recipient, '(none)') FROM unnest(tsum) t ORDER BY 1);
	SELECT coalesce(jsonb_agg(r.vals ORDER BY r.name), '[]') INTO matrix
	FROM (SELECT n.name, jsonb_agg(coalesce(s.c, 0) ORDER BY k) AS vals
		  FROM unnest(names) n (name) CROSS JOIN generate_series(1, 12) k
		  LEFT JOIN (SELECT coalesce(t.recipient, '(none)') AS name, extract(month FROM t.month)::integer AS mo,
							sum(t.transfers) AS c
					 FROM unnest(tsum) t GROUP BY 1, 2) s
			ON s.name = n.name AND s.mo = k
		  GROUP BY n.name) r;
	rows_ := ARRAY(
		SELECT autoxfer._html_row(ARRAY[autoxfer._html(n.name)]
								  || ARRAY(SELECT autoxfer._num((matrix -> (n.k - 1)::integer ->> (m - 1))::bigint) FROM generate_series(1, 12) m ORDER BY m)
								  || autoxfer._num((SELECT sum(v::bigint) FROM jsonb_array_elements_text(matrix -> (n.k - 1)::integer) v)),
								  '{2,3,4,5,6,7,8,9,10,11,12,13,14}')
		FROM unnest(names) WITH ORDINALITY n (name, k) ORDER BY n.k);
	html := html || '<section id="transfers"><h2>3. Transfers per recipient and month</h2>'
		|| '<figure>' || autoxfer._svg_stacked(format('Transfers per recipient per month, %s', y), months, names, matrix)
		|| '<figcaption>Bookings of the transfer log (exports and entries by hand) per month of the transfer, China time, stacked by recipient.</figcaption></figure>'
		|| autoxfer._html_table('t-transfers', ARRAY['Recipient'] || ARRAY(SELECT right(x, 2) FROM unnest(months) x) || ARRAY['Total'],
								rows_, '{2,3,4,5,6,7,8,9,10,11,12,13,14}');
	rows_ := ARRAY(
		SELECT autoxfer._html_row(ARRAY[autoxfer._html(coalesce(t.recipient, '(none)')), autoxfer._html(coalesce(t.purpose, '–')),
										autoxfer._html(coalesce(replace(t.measure::text, '_', ' '), 'not recorded')),
										autoxfer._num(sum(t.transfers)), autoxfer._num(sum(t.exports)), autoxfer._num(sum(t.rows_returned)),
										autoxfer._num(sum(t.rows_withheld)), autoxfer._num(sum(t.new_personal)),
										autoxfer._num(sum(t.new_sensitive))], '{4,5,6,7,8,9}')
		FROM unnest(tsum) t
		GROUP BY t.recipient, t.purpose, t.measure ORDER BY t.recipient, t.purpose, t.measure);
	html := html || '<h3>The year by recipient, purpose and measure</h3>'
		|| autoxfer._html_table('t-recipients', '{Recipient,Purpose,Measure,Transfers,Exports,Rows returned,Rows withheld,New personal,New sensitive}',
								rows_, '{4,5,6,7,8,9}')
		|| '</section>';

	-- 4. filings -------------------------------------------------------------------
	SELECT coalesce(jsonb_agg(jsonb_build_object(
				'label', format('#%s %s', f.id, left(f.reference, 26)), 'measure', f.measure,
				'start', f.approved_on, 'end', f.valid_until, 'opens', f.extension_window_opens,
				'deadline', f.filing_deadline, 'late', f.filed_late OR f.filing_overdue,
				'dim', f.revoked OR f.expired OR NOT f.in_force) ORDER BY f.approved_on, f.id), '[]')
	INTO tl
	FROM (SELECT * FROM unnest(fsum) s
		  WHERE s.approved_on <= d1 AND (s.valid_until IS NULL OR s.valid_until >= d0)
		  ORDER BY s.approved_on, s.id LIMIT 40) f;
	rows_ := ARRAY(
		SELECT autoxfer._html_row(ARRAY[f.id::text, autoxfer._html(CASE f.measure WHEN 'security_assessment' THEN 'assessment'
																		WHEN 'standard_contract' THEN 'contract' ELSE f.measure::text END),
										autoxfer._html(coalesce(f.recipient, 'every recipient')), autoxfer._html(f.reference),
										autoxfer._iso(f.approved_on), CASE WHEN f.valid_until IS NULL THEN 'no end' ELSE autoxfer._iso(f.valid_until) END,
										autoxfer._num(f.days_to_expiry), autoxfer._iso(f.extension_window_opens),
										autoxfer._iso(f.filing_deadline),
										CASE WHEN f.filing_deadline IS NOT NULL THEN coalesce(autoxfer._iso(f.filed_on), 'not yet') END,
										CASE WHEN f.allowance IS NULL THEN NULL
											 ELSE format('%s / %s', autoxfer._num(f.individuals), autoxfer._num(f.allowance)) END,
										format('<span class="%s">%s</span>', CASE WHEN f.status IN ('in force', 'filing due') THEN 'ok' ELSE 'bad' END,
											autoxfer._html(f.status))], '{1,7}')
		FROM unnest(fsum) f ORDER BY f.id);
	html := html || '<section id="filings"><h2>4. Filings</h2>'
		|| '<figure>' || autoxfer._svg_timeline(format('Filings from %s to %s', autoxfer._iso(d0), autoxfer._iso(d1)), d0, d1, today, tl)
		|| format('<figcaption>Validity of each filing in force during %s and %s%s (faint: revoked, expired or not in force today); hatched: the last %s working days of a security assessment, when its extension is applied for; red line: expiry; diamond: a standard contract''s filing deadline (red: filed late or overdue).</figcaption></figure>',
				  y, y + 1,
				  CASE WHEN (SELECT count(*) FROM unnest(fsum) s WHERE s.approved_on <= d1 AND (s.valid_until IS NULL OR s.valid_until >= d0)) > 40
					   THEN format(', the 40 approved first of %s', (SELECT count(*) FROM unnest(fsum) s
																	  WHERE s.approved_on <= d1 AND (s.valid_until IS NULL OR s.valid_until >= d0)))
					   ELSE '' END,
				  autoxfer._num(autoxfer._param('extension_window_working_days')))
		|| autoxfer._html_table('t-filings', '{#,Measure,Recipient,Reference,Approved,Valid until,Days left,Window opens,File by,Filed,Allowance used,Status}',
								rows_, '{1,7}')
		|| '</section>';

	-- 5. blocked and withheld rows -------------------------------------------------
	SELECT array_agg(r.reason ORDER BY r.k), array_agg(r.n ORDER BY r.k) INTO labels, vals
	FROM (SELECT 1 AS k, 'not exportable' AS reason, sum(t.withheld_not_exportable)::bigint AS n FROM unnest(tsum) t
		  UNION ALL SELECT 2, 'stale label', sum(t.withheld_stale)::bigint FROM unnest(tsum) t
		  UNION ALL SELECT 3, 'no subject', sum(t.withheld_no_subject)::bigint FROM unnest(tsum) t
		  UNION ALL SELECT 4, 'over the filing''s scale', sum(t.withheld_excess)::bigint FROM unnest(tsum) t) r;
	vals := ARRAY(SELECT coalesce(v, 0) FROM unnest(vals) v);
	rows_ := ARRAY(SELECT autoxfer._html_row(ARRAY[autoxfer._html(labels[k]), autoxfer._num(vals[k])], '{2}')
				   FROM generate_series(1, cardinality(labels)) k ORDER BY k);
	html := html || '<section id="blocked"><h2>5. Blocked and withheld rows</h2>'
		|| format('<h3>Rows withheld from the exports of %s, by reason</h3>', y)
		|| '<figure>' || autoxfer._svg_bars(format('Rows withheld from exports in %s, by reason', y), labels, vals, '#e08a00') || '</figure>'
		|| autoxfer._html_table('t-withheld', '{Reason,Rows withheld}', rows_, '{2}');

	counts := autoxfer._label_counts_json();
	SELECT array_agg(x.lbl ORDER BY x.n DESC, x.lbl), array_agg(x.n ORDER BY x.n DESC, x.lbl) INTO labels, vals
	FROM (SELECT coalesce(r.code, 'no rule (unlabelled default)') AS lbl, sum(c.n)::bigint AS n
		  FROM jsonb_to_recordset(counts) c (tbl oid, readable boolean, label text, n bigint)
		  LEFT JOIN autoxfer.rule r ON r.id = autoxfer.rule_id(c.label::autoxfer.label)
		  WHERE c.label IS NOT NULL AND autoxfer.mark(c.label::autoxfer.label) = 'blocked'
		  GROUP BY 1) x;
	rows_ := ARRAY(
		SELECT autoxfer._html_row(ARRAY[autoxfer._html(x.tbl::regclass::text), autoxfer._html(coalesce(x.code, 'no rule (unlabelled default)')),
										autoxfer._html(x.clause), autoxfer._num(x.n)], '{4}')
		FROM (SELECT c.tbl, r.code, r.clause, sum(c.n)::bigint AS n
			  FROM jsonb_to_recordset(counts) c (tbl oid, readable boolean, label text, n bigint)
			  LEFT JOIN autoxfer.rule r ON r.id = autoxfer.rule_id(c.label::autoxfer.label)
			  WHERE c.label IS NOT NULL AND autoxfer.mark(c.label::autoxfer.label) = 'blocked'
			  GROUP BY c.tbl, r.code, r.clause) x
		ORDER BY x.tbl::regclass::text, x.n DESC, x.code);
	html := html || '<h3>Rows blocked in the protected tables today, by deciding rule</h3>'
		|| '<figure>' || autoxfer._svg_bars('Rows marked blocked, by deciding rule', coalesce(labels, '{}'), coalesce(vals, '{}'), '#d62728')
		|| '<figcaption>Rows whose label is blocked (only a filing lets them go; core data never goes), by the rule that decided their category, over every protected table the reader may read.</figcaption></figure>'
		|| autoxfer._html_table('t-blocked', '{Table,Rule,Clause,Rows blocked}', rows_, '{4}')
		|| '</section>';

	-- 6. the protected tables -------------------------------------------------------
	rows_ := ARRAY(
		SELECT autoxfer._html_row(ARRAY[autoxfer._html(s.tbl::text), autoxfer._html(s.scenario::text),
										CASE WHEN s.readable THEN autoxfer._html(coalesce(s.category::text, '(empty)'))
											 ELSE format('<span class="bad">not readable by %s</span>', autoxfer._html(current_user)) END,
										autoxfer._html(s.mark::text), autoxfer._num(s.rows), autoxfer._num(s.stale),
										autoxfer._html(array_to_string(s.elements, ', ')), autoxfer._html(array_to_string(s.rules, ', '))],
								  '{5,6}')
		FROM autoxfer._table_summary_of(counts) s);
	html := html || '<section id="tables"><h2>6. Protected tables</h2>'
		|| autoxfer._html_table('t-tables', '{Table,Scenario,Category,Mark,Rows,Stale labels,Elements,Deciding rules}', rows_, '{5,6}')
		|| '<p class="note">Stale labels were written under an older rule-set generation: exports withhold those rows until autoxfer.reclassify relabels them. A table the reader may not read is counted only with SELECT on its label column.</p>'
		|| '</section>';

	RETURN html || format('<footer><p class="note">autoxfer.report(%s): the compliance views autoxfer.compliance_status, filing_status, transfer_summary and table_summary as they stood at %s (%s), read as %s. Rules: docs/rules.md of autoxfer; this page is a record, not legal advice.</p></footer></body></html>',
						  y, to_char(now() AT TIME ZONE tz, 'YYYY-MM-DD HH24:MI:SS'), autoxfer._html(tz),
						  autoxfer._html(current_user));
END
$fn$;
COMMENT ON FUNCTION autoxfer.report(integer) IS
	'The yearly report: one self-contained HTML page (inline CSS and SVG, no script, no network; prints on A4) with where the year stands, each tally against its thresholds by month, transfers per recipient per month, the filings on a timeline with expiries and extension windows, the rows withheld and blocked by reason, and the protected tables; every number in a table as well; read with the caller''s rights';

REVOKE ALL ON FUNCTION autoxfer._html(text), autoxfer._num(numeric), autoxfer._iso(date),
	autoxfer._nice_step(numeric), autoxfer._xy(numeric),
	autoxfer._svg_grid(numeric, numeric, numeric, numeric, numeric, numeric),
	autoxfer._svg_tally(text, text[], bigint[], bigint[], text[], text),
	autoxfer._svg_stacked(text, text[], text[], jsonb), autoxfer._svg_timeline(text, date, date, date, jsonb),
	autoxfer._svg_bars(text, text[], bigint[], text), autoxfer._html_table(text, text[], text[], integer[]),
	autoxfer._html_row(text[], integer[]),
	autoxfer.report(integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION autoxfer._html(text), autoxfer._num(numeric), autoxfer._iso(date),
	autoxfer._nice_step(numeric), autoxfer._xy(numeric),
	autoxfer._svg_grid(numeric, numeric, numeric, numeric, numeric, numeric),
	autoxfer._svg_tally(text, text[], bigint[], bigint[], text[], text),
	autoxfer._svg_stacked(text, text[], text[], jsonb), autoxfer._svg_timeline(text, date, date, date, jsonb),
	autoxfer._svg_bars(text, text[], bigint[], text), autoxfer._html_table(text, text[], text[], integer[]),
	autoxfer._html_row(text[], integer[]),
	autoxfer.report(integer) TO autoxfer_admin, autoxfer_auditor;
