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
 * GUC check hook: the value must name a time zone PostgreSQL knows, and
 * one defined by rules rather than a bare UTC offset, so a typo cannot
 * silently move the year boundary.
 */
static bool
check_timezone(char **newval, void **extra, GucSource source)
{
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
