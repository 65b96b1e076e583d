-- test/demo/nights.sql: the nights :from to :to of the demo's year, each at
-- 23:00 China time.  For every night the server's clock is moved to that
-- evening (demo.set_clock), the day's uploads are loaded by the telematics
-- platform (fleet.upload, as the tables' owner) and the nightly ETL job
-- exports what it may (etl.nightly, as the exporter).  Each statement is its
-- own transaction, so each night's exports are booked at that night's
-- transaction time.  Included by demo.sql with \ir.
\o /dev/null
SELECT format('SELECT demo.set_clock(%L)', d + time '23:00'),
	   'SET ROLE lingxi_dba', format('SELECT fleet.upload(%L)', d),
	   'SET ROLE etl_nightly', format('SELECT etl.nightly(%L)', d),
	   'RESET ROLE'
FROM generate_series(:'from'::date, :'to'::date, interval '1 day') AS g(t), LATERAL (SELECT t::date AS d) AS x \gexec
\o
