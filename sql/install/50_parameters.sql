-- autoxfer install script, part 50: the numbers of the measures, the
-- exemptions and the record keeping (shared/RULES.md sections 3 and 7), as
-- rows of autoxfer.parameter that a DBA changes without a new release.

INSERT INTO autoxfer.parameter (name, value, unit, clause, shipped) VALUES
	('log_retention_years', 3, 'years', 'Transfer-log rows are kept at least 3 years (Regulation on Network Data Security Management Art. 12; PIPL Art. 56)', true);
