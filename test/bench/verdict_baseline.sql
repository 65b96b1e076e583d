-- What a DBA writes without autoxfer's verdict: a function that looks a row's category up in a
-- filings table, called per row in the WHERE clause. Measured here on 1M protected rows: about
-- 66-69x a WHERE on a plain boolean column of the same table (5.9-6.3 s vs 90 ms).
-- (A copy of shared/bench/verdict_baseline.sql, for bench_40_verdict.sh.)
-- Usage: psql -f verdict_baseline.sql in a database where autoxfer is installed; then
--   SELECT count(*) FROM t WHERE peer_verdict(xfer_label, 'vendor_de', 'analytics');
CREATE TABLE IF NOT EXISTS peer_filing (recipient text, purpose text, category text, valid_until date);
INSERT INTO peer_filing VALUES ('vendor_de', 'analytics', 'personal', current_date + 100);

CREATE OR REPLACE FUNCTION peer_verdict(l autoxfer.label, r text, p text) RETURNS boolean
LANGUAGE plpgsql STABLE AS $$
BEGIN
  IF autoxfer.category(l) = 'general' THEN RETURN true; END IF;
  IF autoxfer.category(l) = 'core' THEN RETURN false; END IF;
  RETURN EXISTS (SELECT 1 FROM peer_filing f
                 WHERE f.recipient = r AND f.purpose = p
                   AND f.category = autoxfer.category(l)::text AND f.valid_until >= current_date);
END $$;
