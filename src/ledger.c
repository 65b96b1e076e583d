/*
 * ledger.c
 *		The calendar of the yearly ledger: the GUC autoxfer.timezone (the
 *		time zone whose calendar year the thresholds count in, default
 *		Asia/Shanghai) and autoxfer.ledger_year(timestamptz).
 */
#include "postgres.h"

#include "fmgr.h"
#include "pgtime.h"
#include "utils/datetime.h"
#include "utils/guc.h"
#include "utils/timestamp.h"

#include "subject_set.h"

static char *ax_timezone = NULL;

/*
 * GUC check hook: the value must be a time zone name of the tz database,
 * as pg_timezone_names lists them, so that neither a typo nor a POSIX time
 * zone string can move the year boundary of a legal threshold: in POSIX,
 * 'UTC+8' means eight hours west of Greenwich (UTC-8), sixteen hours off
 * China time.  pg_tzset() accepts both names and POSIX strings; prefixed
 * with a colon, the POSIX convention for "a file of the zone database", it
 * only loads a zone file (found case-insensitively, never outside the time
 * zone directory) and never parses a POSIX string.  The zones that
 * pg_timezone_names leaves out are refused too: posixrules, and zones with
 * leap seconds (pg_tz_acceptable).
 */
static bool
check_timezone(char **newval, void **extra, GucSource source)
{
	char		file[TZ_STRLEN_MAX + 2];
	pg_tz	   *tz;

	if (*newval == NULL || (*newval)[0] == '\0')
	{
		GUC_check_errdetail("autoxfer.timezone must not be empty.");
		return false;
	}
	if (pg_tzset(*newval) == NULL)
	{
		GUC_check_errdetail("\"%s\" is not a known time zone.", *newval);
		GUC_check_errhint("Use a name from pg_timezone_names, such as Asia/Shanghai.");
		return false;
	}
	tz = NULL;
	if (strlen(*newval) < TZ_STRLEN_MAX && (*newval)[0] != ':')
	{
		snprintf(file, sizeof(file), ":%s", *newval);
		tz = pg_tzset(file);
	}
	if (tz == NULL || !pg_tz_acceptable(tz) || pg_strcasecmp(*newval, "posixrules") == 0)
	{
		GUC_check_errdetail("\"%s\" is not a time zone name of the tz database (pg_timezone_names).", *newval);
		GUC_check_errhint("Use a name such as Asia/Shanghai.  POSIX time zone strings are refused: in them UTC+8 means eight hours west of Greenwich.");
		return false;
	}
	return true;
}

/*
 * Define autoxfer.timezone.  Only superusers change it (or ALTER SYSTEM /
 * ALTER DATABASE): an exporter must not move the year boundary of a legal
 * threshold for its own session.
 */
void
ax_ledger_init(void)
{
	DefineCustomStringVariable("autoxfer.timezone",
							   "Time zone whose calendar year the autoxfer ledger counts in.",
							   "Thresholds of the cross-border rules count individuals from 1 January in China time.",
							   &ax_timezone,
							   "Asia/Shanghai",
							   PGC_SUSET,
							   0,
							   check_timezone, NULL, NULL);
}

PG_FUNCTION_INFO_V1(ledger_year);
/*
 * autoxfer.ledger_year(timestamptz): the calendar year of an instant in
 * the autoxfer.timezone time zone.
 */
Datum
ledger_year(PG_FUNCTION_ARGS)
{
	TimestampTz ts = PG_GETARG_TIMESTAMPTZ(0);
	pg_tz	   *tz = pg_tzset(ax_timezone);
	struct pg_tm tm;
	fsec_t		fsec;
	int			tzoff;

	if (tz == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("autoxfer.timezone \"%s\" is not a known time zone", ax_timezone)));
	if (TIMESTAMP_NOT_FINITE(ts))
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("a transfer time must be finite"),
				 errhint("Pass the time of the transfer, such as now().")));
	if (timestamp2tm(ts, &tzoff, &tm, &fsec, NULL, tz) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("timestamp out of range")));
	PG_RETURN_INT32(tm.tm_year);
}
