/*
 * ledger_book.c
 *		Booking individuals into the yearly ledger, and the transfer log that
 *		records every booking: autoxfer.ledger_add, autoxfer.ledger_correct,
 *		autoxfer.purge_transfer_log, the log's append-only guard, and the C
 *		interface the export path uses.
 *
 * The ledger and the log change only here.  The caller's identity (role,
 * session user) is captured first; then the work runs as the extension's
 * owner (owner.c: ax_owner_spi_begin, ax_spi_execute), through SPI
 * statements parsed under a search path of pg_catalog only that qualify
 * every name and operator, and through the internal functions
 * autoxfer._ledger_lock and autoxfer._ledger_book, which no other role may
 * execute.  So an autoxfer_admin can book individuals (and only add them)
 * and an auditor can read, but nobody can write a ledger or log row whose
 * content the code did not derive itself: no back-dated booking outside a
 * logged correction, no log row for an export that did not happen.
 *
 * The year of a booking is that of the transaction's start in
 * autoxfer.timezone (China time), except for a correction, whose instant is
 * given, must not lie in the future, and is logged with its reason.
 * Individuals on the sensitive tally are always booked on the personal one
 * too (a sensitive row counts on both tallies).
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_namespace.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"

#include "label_core.h"
#include "ledger_book.h"
#include "owner.h"
#include "vocab.h"

#define RECIPIENT_MAX 200

/* purge_transfer_log is deleting: the guard lets its DELETE through */
static bool ax_purging = false;

/* Record who is asking, before anything runs as the owner. */
void
ax_caller_capture(AxCaller *caller)
{
	caller->role = GetUserId();
	caller->role_name = GetUserNameFromId(caller->role, false);
	caller->session_role = GetUserNameFromId(GetSessionUserId(), false);
}

/* OID of type autoxfer.subject_set. */
Oid
ax_subject_set_type(void)
{
	Oid			typid = GetSysCacheOid2(TYPENAMENSP, Anum_pg_type_oid,
										CStringGetDatum("subject_set"),
										ObjectIdGetDatum(ax_schema_oid()));

	if (!OidIsValid(typid))
		elog(ERROR, "type autoxfer.subject_set does not exist");
	return typid;
}

/* Run one statement through SPI (as the owner), erroring on failure. */
static void
run(const char *sql, int nargs, Oid *types, Datum *values, const char *nulls,
	int expected)
{
	int			rc = ax_spi_execute(sql, nargs, types, values, nulls, false, 0);

	if (rc != expected)
		elog(ERROR, "autoxfer ledger statement failed (%s): %s",
			 SPI_result_code_string(rc), sql);
}

/* An int8 column of the first result row. */
static int64
result_int8(int col)
{
	bool		isnull;
	Datum		d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, col, &isnull);

	return isnull ? 0 : DatumGetInt64(d);
}

/*
 * Lock the year's ledger (both tallies, created when missing) until the end
 * of the transaction.  Runs between ax_owner_spi_begin and _end.
 */
void
ax_ledger_lock_year(int year)
{
	Oid			types[1] = {INT4OID};
	Datum		values[1] = {Int32GetDatum(year)};

	run("SELECT autoxfer._ledger_lock($1)", 1, types, values, NULL, SPI_OK_SELECT);
}

/*
 * Book a set into a year's tally and the recipient's part of it; the year
 * is locked first (ax_ledger_lock_year).  Runs as the owner.
 */
void
ax_ledger_book(int year, int tally, Datum subjects, const char *recipient,
			   AxTallyBooking *out)
{
	Oid			types[4] = {INT4OID, ax_vocab(AX_VOCAB_CATEGORY)->typid,
	ax_subject_set_type(), TEXTOID};
	Datum		values[4];

	values[0] = Int32GetDatum(year);
	values[1] = ObjectIdGetDatum(ax_vocab_value(AX_VOCAB_CATEGORY, tally));
	values[2] = subjects;
	values[3] = CStringGetTextDatum(recipient);
	run("SELECT b.fresh, b.total, b.recipient_fresh, b.recipient_total"
		" FROM autoxfer._ledger_book($1, $2, $3, $4) AS b",
		4, types, values, NULL, SPI_OK_SELECT);
	out->fresh = result_int8(1);
	out->total = result_int8(2);
	out->recipient_fresh = result_int8(3);
	out->recipient_total = result_int8(4);
}

/* The year's count of a tally (0 when none).  Runs as the owner. */
int64
ax_ledger_total(int year, int tally)
{
	Oid			types[2] = {INT4OID, ax_vocab(AX_VOCAB_CATEGORY)->typid};
	Datum		values[2];

	values[0] = Int32GetDatum(year);
	values[1] = ObjectIdGetDatum(ax_vocab_value(AX_VOCAB_CATEGORY, tally));
	run("SELECT l.individuals FROM autoxfer.ledger AS l"
		" WHERE l.year OPERATOR(pg_catalog.=) $1 AND l.tally OPERATOR(pg_catalog.=) $2",
		2, types, values, NULL, SPI_OK_SELECT);
	return SPI_processed == 0 ? 0 : result_int8(1);
}

/*
 * Write one transfer-log row; returns its id and (when asked) its decision
 * id.  The caller's identity and connection come from the session itself,
 * never from the caller's arguments.  Runs as the owner.
 */
int64
ax_transfer_log_write(const AxCaller *caller, const AxLogRow *row, char **decision_id)
{
#define NLOG 25
	Oid			types[NLOG];
	Datum		values[NLOG];
	char		nulls[NLOG];
	Oid			settype = ax_subject_set_type();
	const AxEnumMap *measures = ax_vocab(AX_VOCAB_MEASURE);
	const AxEnumMap *exemptions = ax_vocab(AX_VOCAB_EXEMPTION);
	const char *appname = GetConfigOption("application_name", true, false);
	int			n = 0;
	int64		id;

#define ARG(typ, val, isnull) \
	do { types[n] = (typ); values[n] = (val); nulls[n] = (isnull) ? 'n' : ' '; n++; } while (0)
#define ARG_TEXT(s) ARG(TEXTOID, (s) ? CStringGetTextDatum(s) : (Datum) 0, (s) == NULL)

	ARG_TEXT(row->kind);
	ARG(TIMESTAMPTZOID, TimestampTzGetDatum(row->booked_at), false);
	ARG(INT4OID, Int32GetDatum(row->year), false);
	ARG(NAMEOID, CStringGetDatum(caller->role_name), false);
	ARG(NAMEOID, CStringGetDatum(caller->session_role), false);
	ARG_TEXT((appname && appname[0]) ? appname : NULL);
	ARG_TEXT(row->recipient);
	ARG_TEXT(row->purpose);
	ARG_TEXT(row->tbl);
	ARG_TEXT(row->filter);
	ARG(INT8OID, Int64GetDatum(row->rows_returned), false);
	ARG(INT8OID, Int64GetDatum(row->rows_withheld), false);
	ARG_TEXT(row->withheld_json ? row->withheld_json : "{}");
	ARG(INT8OID, Int64GetDatum(row->new_personal), false);
	ARG(INT8OID, Int64GetDatum(row->new_sensitive), false);
	ARG(INT8OID, Int64GetDatum(row->total_personal), false);
	ARG(INT8OID, Int64GetDatum(row->total_sensitive), false);
	ARG(measures->arraytypid, row->measures, row->measures == (Datum) 0);
	ARG(exemptions->arraytypid, row->exemptions, row->exemptions == (Datum) 0);
	ARG(INT8ARRAYOID, row->filings, row->filings == (Datum) 0);
	ARG(INT8ARRAYOID, row->evidence, row->evidence == (Datum) 0);
	ARG(TEXTARRAYOID, row->rules, row->rules == (Datum) 0);
	ARG(settype, row->subjects_personal, row->subjects_personal == (Datum) 0);
	ARG(settype, row->subjects_sensitive, row->subjects_sensitive == (Datum) 0);
	ARG_TEXT(row->note);
	Assert(n == NLOG);

	run("INSERT INTO autoxfer.transfer_log AS g (kind, booked_at, year, role_name, session_role,"
		" application_name, client_addr, recipient, purpose, tbl, filter, rows_returned,"
		" rows_withheld, withheld, new_personal, new_sensitive, total_personal, total_sensitive,"
		" measures, exemptions, filings, evidence, rules, subjects_personal, subjects_sensitive, note)"
		" VALUES ($1, $2, $3, $4, $5, $6, pg_catalog.inet_client_addr(), $7, $8, $9, $10, $11, $12,"
		" $13::pg_catalog.jsonb, $14, $15, $16, $17,"
		" COALESCE($18, '{}'), COALESCE($19, '{}'),"
		" COALESCE($20, '{}'), COALESCE($21, '{}'),"
		" COALESCE($22, '{}'),"
		" COALESCE($23, autoxfer.empty_subject_set()),"
		" COALESCE($24, autoxfer.empty_subject_set()), $25)"
		" RETURNING g.id, g.decision_id::pg_catalog.text",
		NLOG, types, values, nulls, SPI_OK_INSERT_RETURNING);
	id = result_int8(1);
	if (decision_id)
		*decision_id = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2);
	return id;
#undef ARG
#undef ARG_TEXT
#undef NLOG
}

/* The tally argument of ledger_add/ledger_correct, validated. */
static int
tally_arg(FunctionCallInfo fcinfo, int argno)
{
	int			tally;

	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("ledger tally must not be NULL"),
				 errhint("The tallies are personal and sensitive_personal.")));
	tally = ax_vocab_ordinal(AX_VOCAB_CATEGORY, PG_GETARG_OID(argno));
	if (tally != AX_CAT_PERSONAL && tally != AX_CAT_SENSITIVE_PERSONAL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("ledger tally must be personal or sensitive_personal, not %s",
						ax_category_names[tally]),
				 errhint("The ledger counts individuals whose personal information went abroad.")));
	return tally;
}

/* A required, non-blank text argument of at most max bytes. */
static char *
text_arg(FunctionCallInfo fcinfo, int argno, const char *what, int max, const char *hint)
{
	char	   *s;
	bool		blank = true;

	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s must not be NULL", what),
				 errhint("%s", hint)));
	s = text_to_cstring(PG_GETARG_TEXT_PP(argno));
	for (const char *p = s; *p; p++)
		if (*p != ' ' && *p != '\t' && *p != '\n' && *p != '\r')
			blank = false;
	if (blank)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must not be empty", what),
				 errhint("%s", hint)));
	if ((int) strlen(s) > max)
		ereport(ERROR,
				(errcode(ERRCODE_STRING_DATA_RIGHT_TRUNCATION),
				 errmsg("%s is longer than %d bytes", what, max),
				 errhint("%s", hint)));
	return s;
}

/*
 * Check, as the owner, that a set was made under this database's salt, and
 * return the ledger year of an instant.
 */
static int
check_set_and_year(Datum subjects, TimestampTz at)
{
	Oid			types[2] = {ax_subject_set_type(), TIMESTAMPTZOID};
	Datum		values[2] = {subjects, TimestampTzGetDatum(at)};
	bool		isnull;
	char	   *set_fp;
	char	   *db_fp;

	run("SELECT autoxfer.salt_fingerprint($1), autoxfer.salt_fingerprint(), autoxfer.ledger_year($2)",
		2, types, values, NULL, SPI_OK_SELECT);
	set_fp = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
	db_fp = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2);
	if (strcmp(set_fp, db_fp) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("subject set was made under another database's salt"),
				 errdetail("Set salt fingerprint %s, this database %s.", set_fp, db_fp),
				 errhint("Build the set in this database, or share one salt first (autoxfer.set_subject_salt).")));
	return DatumGetInt32(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 3, &isnull));
}

/*
 * The work of ledger_add and ledger_correct: book the set on its tally
 * (and, for the sensitive tally, on the personal one too), log it, and
 * return how many individuals are new for the year on the tally asked for.
 */
static int64
book_by_hand(FunctionCallInfo fcinfo, const char *kind, TimestampTz at, const char *note)
{
	int			tally = tally_arg(fcinfo, 0);
	Datum		subjects;
	char	   *recipient;
	AxCaller	caller;
	AxLogRow	row;
	AxTallyBooking personal;
	AxTallyBooking sensitive;
	Oid			save_user;
	int			save_sec;
	int			year;

	if (PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("ledger subjects must not be NULL"),
				 errhint("Pass autoxfer.empty_subject_set() when a transfer has no individuals.")));
	subjects = PG_GETARG_DATUM(1);
	recipient = text_arg(fcinfo, 2, "ledger recipient", RECIPIENT_MAX,
						 "Pass the recipient abroad the data went to.");

	ax_caller_capture(&caller);
	memset(&personal, 0, sizeof(personal));
	memset(&sensitive, 0, sizeof(sensitive));
	ax_owner_spi_begin(&save_user, &save_sec);
	year = check_set_and_year(subjects, at);
	ax_ledger_lock_year(year);
	ax_ledger_book(year, AX_CAT_PERSONAL, subjects, recipient, &personal);
	if (tally == AX_CAT_SENSITIVE_PERSONAL)
		ax_ledger_book(year, AX_CAT_SENSITIVE_PERSONAL, subjects, recipient, &sensitive);
	else
		sensitive.total = ax_ledger_total(year, AX_CAT_SENSITIVE_PERSONAL);

	memset(&row, 0, sizeof(row));
	row.kind = kind;
	row.booked_at = at;
	row.year = year;
	row.recipient = recipient;
	row.new_personal = personal.fresh;
	row.new_sensitive = sensitive.fresh;
	row.total_personal = personal.total;
	row.total_sensitive = sensitive.total;
	row.subjects_personal = subjects;
	if (tally == AX_CAT_SENSITIVE_PERSONAL)
		row.subjects_sensitive = subjects;
	row.note = note;
	(void) ax_transfer_log_write(&caller, &row, NULL);
	ax_owner_spi_end(save_user, save_sec);

	return tally == AX_CAT_SENSITIVE_PERSONAL ? sensitive.fresh : personal.fresh;
}

PG_FUNCTION_INFO_V1(ax_ledger_add);

/*
 * autoxfer.ledger_add(tally, subjects, recipient): record individuals sent
 * abroad outside autoxfer.export, in the year of the current transaction.
 */
Datum
ax_ledger_add(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64(book_by_hand(fcinfo, "manual", GetCurrentTransactionStartTimestamp(), NULL));
}

PG_FUNCTION_INFO_V1(ax_ledger_correct);

/*
 * autoxfer.ledger_correct(tally, subjects, recipient, at, reason): book
 * individuals at a past instant, with the reason, as a logged correction.
 */
Datum
ax_ledger_correct(PG_FUNCTION_ARGS)
{
	TimestampTz at;
	char	   *reason;

	(void) tally_arg(fcinfo, 0);
	if (PG_ARGISNULL(3))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("the instant of a correction must not be NULL"),
				 errhint("Pass the instant the individuals were sent abroad.")));
	at = PG_GETARG_TIMESTAMPTZ(3);
	if (TIMESTAMP_NOT_FINITE(at))
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("the instant of a correction must be finite"),
				 errhint("Pass the instant the individuals were sent abroad.")));
	if (at > GetCurrentTransactionStartTimestamp())
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("a correction cannot book individuals in the future"),
				 errhint("Corrections record transfers that have happened; book a current transfer with autoxfer.ledger_add.")));
	reason = text_arg(fcinfo, 4, "the reason of a correction", 2000,
					  "Say why the ledger is corrected (the transfer found late, the record it comes from).");
	PG_RETURN_INT64(book_by_hand(fcinfo, "correction", at, reason));
}

PG_FUNCTION_INFO_V1(ax_transfer_log_guard);

/*
 * Trigger of autoxfer.transfer_log: the log is append-only; only
 * purge_transfer_log deletes (old rows).
 */
Datum
ax_transfer_log_guard(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("autoxfer._transfer_log_guard() must be called as a trigger")));
	if (TRIGGER_FIRED_BY_DELETE(trigdata->tg_event) && ax_purging)
		return PointerGetDatum(trigdata->tg_trigtuple);
	ereport(ERROR,
			(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
			 errmsg("autoxfer.transfer_log is append-only"),
			 errdetail("%s of the transfer log is refused for every role.",
					   TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event) ? "UPDATE" :
					   TRIGGER_FIRED_BY_DELETE(trigdata->tg_event) ? "DELETE" : "TRUNCATE"),
			 errhint("Rows older than the retention period are removed with autoxfer.purge_transfer_log(before date).")));
	PG_RETURN_NULL();			/* not reached */
}

PG_FUNCTION_INFO_V1(ax_purge_transfer_log);

/*
 * autoxfer.purge_transfer_log(before date): delete the rows logged before
 * the start of that date (China time), which must lie at least the
 * retention period (parameter log_retention_years) before today; log the
 * purge.  Returns the number of rows deleted.
 */
Datum
ax_purge_transfer_log(PG_FUNCTION_ARGS)
{
	AxCaller	caller;
	AxLogRow	row;
	Oid			save_user;
	int			save_sec;
	Oid			types[1] = {DATEOID};
	Datum		values[1];
	bool		isnull;
	bool		allowed;
	char	   *limit;
	char	   *before;
	int64		deleted;
	int			year;
	char	   *note;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("the purge date must not be NULL"),
				 errhint("Pass the date before which rows are removed.")));
	values[0] = PG_GETARG_DATUM(0);
	ax_caller_capture(&caller);
	ax_owner_spi_begin(&save_user, &save_sec);

	/* the retention limit, in China time; the log locked against writers */
	run("LOCK TABLE autoxfer.transfer_log IN SHARE ROW EXCLUSIVE MODE", 0, NULL, NULL, NULL,
		SPI_OK_UTILITY);
	run("SELECT $1 OPERATOR(pg_catalog.<=) d.limit_date, pg_catalog.to_char(d.limit_date, 'YYYY-MM-DD'),"
		" autoxfer.ledger_year(pg_catalog.now()), pg_catalog.to_char($1, 'YYYY-MM-DD')"
		" FROM (SELECT ((pg_catalog.now() AT TIME ZONE pg_catalog.current_setting('autoxfer.timezone'))::pg_catalog.date"
		"   OPERATOR(pg_catalog.-) pg_catalog.make_interval(years => p.value::pg_catalog.int4))::pg_catalog.date AS limit_date"
		"   FROM autoxfer.parameter AS p WHERE p.name OPERATOR(pg_catalog.=) 'log_retention_years') AS d",
		1, types, values, NULL, SPI_OK_SELECT);
	if (SPI_processed != 1)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("parameter log_retention_years is missing"),
				 errhint("Reinstall the extension's parameters.")));
	allowed = DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	limit = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2);
	year = DatumGetInt32(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 3, &isnull));
	before = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 4);
	if (!allowed)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("transfer-log rows are kept for the retention period"),
				 errdetail("Rows may be purged only before %s (parameter log_retention_years).", limit),
				 errhint("Pass a date no later than %s.", limit)));

	ax_purging = true;
	PG_TRY();
	{
		run("DELETE FROM autoxfer.transfer_log AS g WHERE g.logged_at OPERATOR(pg_catalog.<)"
			" ($1::pg_catalog.timestamp AT TIME ZONE pg_catalog.current_setting('autoxfer.timezone'))",
			1, types, values, NULL, SPI_OK_DELETE);
	}
	PG_FINALLY();
	{
		ax_purging = false;
	}
	PG_END_TRY();
	deleted = (int64) SPI_processed;

	note = psprintf("purged " INT64_FORMAT " rows logged before %s (autoxfer.timezone)",
					deleted, before);
	memset(&row, 0, sizeof(row));
	row.kind = "purge";
	row.booked_at = GetCurrentTransactionStartTimestamp();
	row.year = year;
	row.note = note;
	(void) ax_transfer_log_write(&caller, &row, NULL);
	ax_owner_spi_end(save_user, save_sec);
	PG_RETURN_INT64(deleted);
}
