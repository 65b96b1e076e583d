/*
 * verdict.c
 *		The query-time verdict: whether a row of a given label may go to a
 *		recipient abroad for a purpose today, under which measure,
 *		exemption, filing or evidence, which rules decided, and why
 *		(shared/RULES.md sections 3, 5 and 6; docs/verdict.md).
 *
 *	autoxfer.verdict(label, recipient, purpose) -> autoxfer.decision
 *	autoxfer.exportable(label, recipient, purpose) -> boolean, its fast path
 *	autoxfer.verdict_as_of(label, recipient, purpose, on_date, counts...)
 *
 * What a verdict decides from (the organisation, the recipient and purpose,
 * the parameters, the filings and evidence of that recipient and purpose,
 * the rules' prohibitions and catalogue filings, the year's ledger counts,
 * the date in China) is read once per transaction and recipient/purpose
 * pair into an AxVerdictState, as the extension's owner under a pinned
 * search path (so that an exporter or a role abroad needs no privilege on
 * those tables, and no user code runs).  Each distinct label (its
 * generation bits aside) is decided once per state; the decisions are kept
 * in a small open-addressing table, so a filter over millions of rows
 * costs one hash probe per row.  A statement trigger on every table the
 * state comes from (the ledger included) sends a relcache invalidation of
 * a sentinel relation; the callback advances an epoch, and a state of an
 * older epoch or another transaction is rebuilt at its next use.
 *
 * The order of decision, most severe first: prohibited (P1 core data, P2
 * a foreign judicial or law-enforcement recipient, P3 a prohibiting rule)
 * whatever is filed; general data needs no measure (C1); an exemption
 * whose conditions hold (E1 and E7-E9 from the row's evidence and the
 * transfer's purpose; E2-E4 and E6 from evidence in force for the purpose;
 * E5 from the year's counts); otherwise the most demanding measure any
 * rule gives (M1-M6, rule N2) and a filing in force that covers the
 * transfer (N3), or no export.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "storage/proc.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/datetime.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"

#include "label.h"
#include "owner.h"
#include "verdict.h"
#include "vocab.h"

/* the label's generation bits, ignored by verdicts */
#define AX_GENERATION_MASK	((ax_label) AX_MAX_GENERATION << 2)

#define ALL_BITS			0xFFFFFFFFu

/* evidence exemptions: from the row's own evidence columns */
#define ROW_EVIDENCE(ex)	((ex) == AX_EX_COLLECTED_ABROAD || (ex) == AX_EX_VULNERABILITY_REPORTED || \
							 (ex) == AX_EX_INCIDENT_REPORTED || (ex) == AX_EX_OTA_SOURCE_FILED)

static const char *const rule_of_exemption[AX_N_EXEMPTIONS] = {
	"E1", "E2", "E3", "E4", "E5", "E6", "E7", "E8", "E9"
};

/* Advanced by every change of what verdicts decide from. */
static uint64 verdict_epoch = 1;

/* The relation whose relcache invalidation means that. */
static Oid	verdict_sentinel = InvalidOid;

/* The states of this transaction, one per recipient and purpose. */
static AxVerdictState *verdict_states = NULL;

/*
 * Relcache callback: a change of the state's tables, or a reset.  The
 * sentinel is looked up again afterwards (it may have been dropped with the
 * extension, and another made by a new CREATE EXTENSION).
 */
static void
verdict_relcache_callback(Datum arg, Oid relid)
{
	if (relid == InvalidOid || relid == verdict_sentinel || verdict_sentinel == InvalidOid)
	{
		verdict_epoch++;
		verdict_sentinel = InvalidOid;
	}
}

/* The epoch, for caches built on the verdict's (roles abroad). */
uint64
ax_verdict_current_epoch(void)
{
	return verdict_epoch;
}

/* Register the invalidation callback; called once from _PG_init. */
void
ax_verdict_register_callbacks(void)
{
	CacheRegisterRelcacheCallback(verdict_relcache_callback, (Datum) 0);
}

/* OID of the sentinel relation, autoxfer.organisation. */
static Oid
sentinel_relid(void)
{
	if (!OidIsValid(verdict_sentinel))
	{
		verdict_sentinel = get_relname_relid("organisation", ax_schema_oid());
		if (!OidIsValid(verdict_sentinel))
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_TABLE),
					 errmsg("table autoxfer.organisation does not exist"),
					 errhint("The extension's objects are incomplete: reinstall the extension.")));
	}
	return verdict_sentinel;
}

/* A count with thousands separators: 100,000. */
char *
ax_format_count(int64 n)
{
	char		digits[32];
	StringInfoData buf;
	int			len;
	int			first;

	snprintf(digits, sizeof(digits), INT64_FORMAT, n < 0 ? -n : n);
	len = strlen(digits);
	initStringInfo(&buf);
	if (n < 0)
		appendStringInfoChar(&buf, '-');
	first = len % 3 == 0 ? 3 : len % 3;
	appendBinaryStringInfo(&buf, digits, first);
	for (int i = first; i < len; i += 3)
	{
		appendStringInfoChar(&buf, ',');
		appendBinaryStringInfo(&buf, digits + i, 3);
	}
	return buf.data;
}

/* An ISO date, whatever DateStyle says. */
static char *
iso_date(DateADT d)
{
	int			y,
				m,
				day;

	if (DATE_NOT_FINITE(d))
		return pstrdup(DATE_IS_NOEND(d) ? "no end" : "no start");
	j2date(d + POSTGRES_EPOCH_JDATE, &y, &m, &day);
	return psprintf("%04d-%02d-%02d", y, m, day);
}

/* ---------------------------------------------------------------- loading */

/* Text of column col of SPI row row, copied into cxt; NULL for NULL. */
static char *
col_text(int row, int col, MemoryContext cxt)
{
	char	   *v = SPI_getvalue(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, col);

	return v ? MemoryContextStrdup(cxt, v) : NULL;
}

/* A date column; dflt for NULL. */
static DateADT
col_date(int row, int col, DateADT dflt)
{
	bool		isnull;
	Datum		d = SPI_getbinval(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, col, &isnull);

	return isnull ? dflt : DatumGetDateADT(d);
}

/* An int8 column; dflt for NULL. */
static int64
col_int8(int row, int col, int64 dflt)
{
	bool		isnull;
	Datum		d = SPI_getbinval(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, col, &isnull);

	return isnull ? dflt : DatumGetInt64(d);
}

/* A boolean column; dflt for NULL. */
static bool
col_bool(int row, int col, bool dflt)
{
	bool		isnull;
	Datum		d = SPI_getbinval(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, col, &isnull);

	return isnull ? dflt : DatumGetBool(d);
}

/* The members of a text[] column, copied into cxt; -1 for NULL. */
static int
col_text_array(int row, int col, MemoryContext cxt, char ***out)
{
	bool		isnull;
	Datum		d = SPI_getbinval(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, col, &isnull);
	Datum	   *elems;
	bool	   *nulls;
	int			n;

	*out = NULL;
	if (isnull)
		return -1;
	deconstruct_array(DatumGetArrayTypeP(d), TEXTOID, -1, false, TYPALIGN_INT,
					  &elems, &nulls, &n);
	*out = MemoryContextAlloc(cxt, sizeof(char *) * Max(n, 1));
	for (int i = 0; i < n; i++)
		(*out)[i] = nulls[i] ? NULL : MemoryContextStrdup(cxt, TextDatumGetCString(elems[i]));
	return n;
}

/* The ordinal bits of a text[] column of vocabulary words; all for NULL. */
static uint32
col_word_bits(int row, int col, const char *const *names, int nnames)
{
	char	  **words;
	int			n = col_text_array(row, col, CurrentMemoryContext, &words);
	uint32		bits = 0;

	if (n < 0)
		return ALL_BITS;
	for (int i = 0; i < n; i++)
	{
		int			ord = words[i] ? ax_lookup_word(names, nnames, words[i], strlen(words[i])) : -1;

		if (ord < 0)
			elog(ERROR, "unknown autoxfer vocabulary word \"%s\" in a filing or the organisation",
				 words[i] ? words[i] : "NULL");
		bits |= 1u << ord;
	}
	return bits;
}

/* Run a read-only statement as the owner (pinned path), expecting rows. */
static void
query(const char *sql, int nargs, Oid *types, Datum *values)
{
	int			rc = ax_spi_execute(sql, nargs, types, values, NULL, true, 0);

	if (rc != SPI_OK_SELECT)
		elog(ERROR, "autoxfer verdict query failed (%s): %s", SPI_result_code_string(rc), sql);
}

/* A parameter's value; errors when the row is missing. */
static double
param_value(const char *name)
{
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		char	   *n = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1);

		if (strcmp(n, name) == 0)
		{
			bool		isnull;

			return DatumGetFloat8(SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 2, &isnull));
		}
	}
	ereport(ERROR,
			(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
			 errmsg("parameter %s is missing from autoxfer.parameter", name),
			 errhint("Shipped parameters cannot be deleted; reinstall the extension.")));
	return 0;					/* not reached */
}

/* A yyyymmdd parameter as a date. */
static DateADT
date_of_yyyymmdd(double v, const char *name)
{
	int			n = (int) v;
	int			y = n / 10000,
				m = (n / 100) % 100,
				d = n % 100;

	if (n != v || y < 1900 || y > 9999 || m < 1 || m > 12 || d < 1 || d > 31)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("parameter %s is not a date written yyyymmdd: %g", name, v),
				 errhint("For example 20260203 for 3 February 2026.")));
	return date2j(y, m, d) - POSTGRES_EPOCH_JDATE;
}

/*
 * Read everything a verdict for recipient/purpose decides from into a new
 * state.  on_date and the counts are given for verdict_as_of (as_of true);
 * otherwise today's date in China and the ledger's counts are read.
 */
static AxVerdictState *
load_state(const char *recipient, const char *purpose, bool as_of, DateADT on_date,
		   int64 personal, int64 sensitive, int64 recipient_personal, int64 recipient_sensitive)
{
	MemoryContext cxt = AllocSetContextCreate(TopMemoryContext, "autoxfer verdict state",
											  ALLOCSET_SMALL_SIZES);
	AxVerdictState *st = MemoryContextAllocZero(cxt, sizeof(AxVerdictState));
	Oid			save_user;
	int			save_sec;
	Oid			types[3] = {TEXTOID, TEXTOID, INT4OID};
	Datum		values[3];
	char	   *word;
	const char *params[] = {"m3_individuals", "m4_sensitive_individuals", "m6_individuals",
		"growth_allowance_pct", "candidates_as_important",
	"evidence_exemptions_cover_important", "guidelines_effective_date", "contract_filing_working_days"};
	ArrayType  *param_names;
	Datum		pn[lengthof(params)];
	Oid			arrtype = TEXTARRAYOID;
	int			filing_days;

	st->cxt = cxt;
	st->lxid = MyProc->lxid;
	st->epoch = verdict_epoch;
	st->as_of = as_of;
	st->recipient = MemoryContextStrdup(cxt, recipient);
	st->purpose = MemoryContextStrdup(cxt, purpose);

	PG_TRY();
	{
		ax_owner_spi_begin(&save_user, &save_sec);
		(void) sentinel_relid();

		values[0] = CStringGetTextDatum(recipient);
		query("SELECT r.country, r.foreign_authority FROM autoxfer.recipient AS r"
			  " WHERE r.name OPERATOR(pg_catalog.=) $1", 1, types, values);
		if (SPI_processed == 0)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_OBJECT),
					 errmsg("unknown recipient \"%.64s\"", recipient),
					 errhint("Register it first with autoxfer.register_recipient(name, country).")));
		st->country = col_text(0, 1, cxt);
		st->foreign_authority = col_bool(0, 2, false);

		values[0] = CStringGetTextDatum(purpose);
		query("SELECT p.exemption::pg_catalog.text FROM autoxfer.purpose AS p"
			  " WHERE p.name OPERATOR(pg_catalog.=) $1", 1, types, values);
		if (SPI_processed == 0)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_OBJECT),
					 errmsg("unknown purpose \"%.64s\"", purpose),
					 errhint("Add it with autoxfer.add_purpose(name, description), or use one of autoxfer.purpose.")));
		word = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
		st->purpose_exemption = word ? ax_lookup_word(ax_exemption_names, AX_N_EXEMPTIONS, word, strlen(word)) : -1;

		query("SELECT o.name, o.ciio, o.free_trade_zone, o.negative_list::pg_catalog.text[]"
			  " FROM autoxfer.organisation AS o", 0, NULL, NULL);
		st->org_set = SPI_processed > 0;
		if (st->org_set)
		{
			st->org_name = col_text(0, 1, cxt);
			st->ciio = col_bool(0, 2, true);
			st->free_trade_zone = col_text(0, 3, cxt);
			st->negative_list = col_word_bits(0, 4, ax_scenario_names, AX_N_SCENARIOS);
			if (st->negative_list == ALL_BITS)
				st->negative_list = 0;
		}
		else
			st->ciio = true;	/* undeclared: the most demanding reading */

		for (int i = 0; i < (int) lengthof(params); i++)
			pn[i] = CStringGetTextDatum(params[i]);
		param_names = construct_array(pn, lengthof(params), TEXTOID, -1, false, TYPALIGN_INT);
		values[0] = PointerGetDatum(param_names);
		query("SELECT p.name, p.value::pg_catalog.float8 FROM autoxfer.parameter AS p"
			  " WHERE p.name OPERATOR(pg_catalog.=) ANY ($1)", 1, &arrtype, values);
		st->m3 = (int64) param_value("m3_individuals");
		st->m4 = (int64) param_value("m4_sensitive_individuals");
		st->m6 = (int64) param_value("m6_individuals");
		st->growth_pct = param_value("growth_allowance_pct");
		st->candidates_important = param_value("candidates_as_important") != 0;
		st->evidence_cover_important = param_value("evidence_exemptions_cover_important") != 0;
		st->guidelines_effective = date_of_yyyymmdd(param_value("guidelines_effective_date"),
													"guidelines_effective_date");
		filing_days = (int) param_value("contract_filing_working_days");

		if (as_of)
		{
			st->today = on_date;
			st->personal = personal;
			st->sensitive = sensitive;
			st->recipient_personal = recipient_personal;
			st->recipient_sensitive = recipient_sensitive;
		}
		else
		{
			query("SELECT (pg_catalog.now() AT TIME ZONE pg_catalog.current_setting('autoxfer.timezone'))::pg_catalog.date,"
				  " autoxfer.ledger_year(pg_catalog.now())", 0, NULL, NULL);
			st->today = col_date(0, 1, 0);
			st->year = (int) col_int8(0, 2, 0);
			values[0] = CStringGetTextDatum(recipient);
			values[2] = Int32GetDatum(st->year);
			query("SELECT l.tally::pg_catalog.text, l.individuals, 'all' FROM autoxfer.ledger AS l"
				  " WHERE l.year OPERATOR(pg_catalog.=) $3"
				  " UNION ALL SELECT r.tally::pg_catalog.text, r.individuals, 'recipient'"
				  " FROM autoxfer.ledger_recipient AS r"
				  " WHERE r.year OPERATOR(pg_catalog.=) $3 AND r.recipient OPERATOR(pg_catalog.=) $1",
				  3, types, values);
			for (uint64 i = 0; i < SPI_processed; i++)
			{
				char	   *tally = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1);
				char	   *scope = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 3);
				int64		n = col_int8(i, 2, 0);
				bool		sens = strcmp(tally, "sensitive_personal") == 0;

				if (strcmp(scope, "all") == 0)
					*(sens ? &st->sensitive : &st->personal) = n;
				else
					*(sens ? &st->recipient_sensitive : &st->recipient_personal) = n;
			}
		}

		/* the filings in force or not, of this recipient or of every one */
		values[0] = CStringGetTextDatum(recipient);
		values[1] = Int32GetDatum(filing_days);
		types[1] = INT4OID;
		query("SELECT f.id, f.measure::pg_catalog.text, f.recipient IS NULL, f.purposes, f.reference,"
			  " f.approved_on, f.valid_until, f.categories::pg_catalog.text[], f.scenarios::pg_catalog.text[],"
			  " f.max_individuals, f.filed_on,"
			  " CASE WHEN f.measure OPERATOR(pg_catalog.=) 'standard_contract'"
			  "   THEN autoxfer.add_working_days(f.approved_on, $2) END"
			  " FROM autoxfer.filing AS f"
			  " WHERE f.revoked_at IS NULL AND (f.recipient IS NULL OR f.recipient OPERATOR(pg_catalog.=) $1)"
			  " ORDER BY f.id", 2, types, values);
		st->nfilings = SPI_processed;
		st->filings = MemoryContextAllocZero(cxt, sizeof(AxFiling) * Max(st->nfilings, 1));
		for (int i = 0; i < st->nfilings; i++)
		{
			AxFiling   *f = &st->filings[i];
			char	   *m = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 2);

			f->id = col_int8(i, 1, 0);
			f->measure = ax_lookup_word(ax_measure_names, 6, m, strlen(m));
			f->any_recipient = col_bool(i, 3, false);
			f->npurposes = col_text_array(i, 4, cxt, &f->purposes);
			f->reference = col_text(i, 5, cxt);
			f->approved_on = col_date(i, 6, 0);
			f->valid_until = col_date(i, 7, DATEVAL_NOEND);
			f->categories = col_word_bits(i, 8, ax_category_names, AX_N_CATEGORIES);
			f->scenarios = col_word_bits(i, 9, ax_scenario_names, AX_N_SCENARIOS);
			f->max_individuals = col_int8(i, 10, -1);
			f->filed_on = col_date(i, 11, DATEVAL_NOEND);
			f->deadline = col_date(i, 12, DATEVAL_NOEND);
		}

		/* evidence of purpose-level exemptions for this purpose */
		values[0] = CStringGetTextDatum(purpose);
		values[1] = CStringGetTextDatum(recipient);
		types[1] = TEXTOID;
		query("SELECT e.id, e.exemption::pg_catalog.text, e.reference, e.valid_from, e.valid_until"
			  " FROM autoxfer.evidence AS e"
			  " WHERE e.revoked_at IS NULL AND e.purpose OPERATOR(pg_catalog.=) $1"
			  "   AND (e.recipient IS NULL OR e.recipient OPERATOR(pg_catalog.=) $2)"
			  " ORDER BY e.id", 2, types, values);
		st->nevidence = SPI_processed;
		st->evidence = MemoryContextAllocZero(cxt, sizeof(AxEvidence) * Max(st->nevidence, 1));
		for (int i = 0; i < st->nevidence; i++)
		{
			AxEvidence *e = &st->evidence[i];
			char	   *x = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 2);

			e->id = col_int8(i, 1, 0);
			e->exemption = ax_lookup_word(ax_exemption_names, AX_N_EXEMPTIONS, x, strlen(x));
			e->reference = col_text(i, 3, cxt);
			e->valid_from = col_date(i, 4, 0);
			e->valid_until = col_date(i, 5, DATEVAL_NOEND);
		}

		/* the rules' codes, prohibitions and catalogue filings */
		query("SELECT r.id, r.code, r.prohibits, r.code ~ '^M5\\.',"
			  " EXISTS (SELECT 1 FROM autoxfer.important_data_filing AS f WHERE f.rule OPERATOR(pg_catalog.=) r.code)"
			  " FROM autoxfer.rule AS r ORDER BY r.id", 0, NULL, NULL);
		st->nrules = SPI_processed;
		st->rules = MemoryContextAllocZero(cxt, sizeof(AxVerdictRule) * Max(st->nrules, 1));
		for (int i = 0; i < st->nrules; i++)
		{
			AxVerdictRule *r = &st->rules[i];

			r->id = (int) col_int8(i, 1, 0);
			r->code = col_text(i, 2, cxt);
			r->prohibits = col_bool(i, 3, false);
			r->named = col_bool(i, 4, false);
			r->filed = col_bool(i, 5, false);
		}
		ax_owner_spi_end(save_user, save_sec);
	}
	PG_CATCH();
	{
		MemoryContextDelete(cxt);
		PG_RE_THROW();
	}
	PG_END_TRY();

	st->cap = 64;
	st->keys = MemoryContextAllocZero(cxt, sizeof(ax_label) * st->cap);
	st->full = MemoryContextAllocZero(cxt, sizeof(bool) * st->cap);
	st->decisions = MemoryContextAllocZero(cxt, sizeof(AxDecision) * st->cap);
	return st;
}

/* Drop the states of older transactions or epochs. */
static void
prune_states(void)
{
	AxVerdictState **link = &verdict_states;

	while (*link != NULL)
	{
		AxVerdictState *st = *link;

		if (st->lxid != MyProc->lxid || st->epoch != verdict_epoch)
		{
			*link = st->next;
			MemoryContextDelete(st->cxt);
		}
		else
			link = &st->next;
	}
}

/*
 * The live state of a recipient and purpose for this transaction: loaded
 * at its first use, reloaded after a change of what it comes from.
 */
AxVerdictState *
ax_verdict_state(const char *recipient, const char *purpose)
{
	AxVerdictState *st;

	prune_states();
	for (st = verdict_states; st != NULL; st = st->next)
	{
		if (!st->as_of && strcmp(st->recipient, recipient) == 0 && strcmp(st->purpose, purpose) == 0)
			return st;
	}
	st = load_state(recipient, purpose, false, 0, 0, 0, 0, 0);
	st->next = verdict_states;
	verdict_states = st;
	return st;
}

/* The rule of an id, or NULL. */
const AxVerdictRule *
ax_verdict_rule(const AxVerdictState *st, int id)
{
	int			lo = 0,
				hi = st->nrules - 1;

	while (lo <= hi)
	{
		int			mid = (lo + hi) / 2;

		if (st->rules[mid].id == id)
			return &st->rules[mid];
		if (st->rules[mid].id < id)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return NULL;
}

/* ---------------------------------------------------------------- deciding */

/* A decision being made: its rule ids and its sentence. */
typedef struct Deciding
{
	StringInfoData rules;
	StringInfoData why;			/* what the rules require */
} Deciding;

/* Add a rule id to the decision's list, once. */
static void
add_rule(Deciding *dc, const char *id)
{
	const char *p = dc->rules.data;
	size_t		len = strlen(id);

	while (p && *p)
	{
		if (strncmp(p, id, len) == 0 && (p[len] == ',' || p[len] == '\0'))
			return;
		p = strchr(p, ',');
		if (p)
			p++;
	}
	if (dc->rules.len > 0)
		appendStringInfoChar(&dc->rules, ',');
	appendStringInfoString(&dc->rules, id);
}

/* Add a clause to the sentence saying what the rules require. */
static void
add_why(Deciding *dc, const char *fmt,...) pg_attribute_printf(2, 3);

static void
add_why(Deciding *dc, const char *fmt,...)
{
	va_list		args;

	if (dc->why.len > 0)
		appendStringInfoString(&dc->why, "; ");
	for (;;)
	{
		int			needed;

		va_start(args, fmt);
		needed = appendStringInfoVA(&dc->why, fmt, args);
		va_end(args);
		if (needed == 0)
			break;
		enlargeStringInfo(&dc->why, needed);
	}
}

/* The decision's texts, copied into the state's context. */
static void
finish(AxVerdictState *st, AxDecision *d, Deciding *dc, const char *fmt,...) pg_attribute_printf(4, 5);

static void
finish(AxVerdictState *st, AxDecision *d, Deciding *dc, const char *fmt,...)
{
	StringInfoData buf;
	va_list		args;

	initStringInfo(&buf);
	for (;;)
	{
		int			needed;

		va_start(args, fmt);
		needed = appendStringInfoVA(&buf, fmt, args);
		va_end(args);
		if (needed == 0)
			break;
		enlargeStringInfo(&buf, needed);
	}
	d->rule = MemoryContextStrdup(st->cxt, dc->rules.data);
	d->reason = MemoryContextStrdup(st->cxt, buf.data);
}

/* The words of a measure, for sentences. */
static const char *
measure_words(int measure)
{
	switch (measure)
	{
		case AX_MEASURE_CONTRACT:
			return "standard contract";
		case AX_MEASURE_CERTIFICATION:
			return "certification";
		case AX_MEASURE_ASSESSMENT:
			return "security assessment";
		default:
			return ax_measure_names[measure];
	}
}

/* The year's count of a tally that a filing's maximum is judged by. */
static int64
filing_count(const AxVerdictState *st, const AxFiling *f, bool sensitive)
{
	if (f->any_recipient)
		return sensitive ? st->sensitive : st->personal;
	return sensitive ? st->recipient_sensitive : st->recipient_personal;
}

/*
 * Does filing f cover a transfer of data of category cat (with the tallies
 * given) and scenario that requires measure req?  When it does not, *why
 * says why (for the reason of a refusal).
 */
static bool
filing_covers(const AxVerdictState *st, const AxFiling *f, int req, int cat, uint32 tallies,
			  int scenario, char **why)
{
	uint32		needed = 1u << cat;
	bool		purpose_ok = f->npurposes < 0;

	if (req == AX_MEASURE_ASSESSMENT && f->measure != AX_MEASURE_ASSESSMENT)
	{
		*why = psprintf("filing %lld is a %s, and a security assessment is needed",
						(long long) f->id, measure_words(f->measure));
		return false;
	}
	for (int i = 0; i < f->npurposes && !purpose_ok; i++)
		purpose_ok = f->purposes[i] && strcmp(f->purposes[i], st->purpose) == 0;
	if (!purpose_ok)
	{
		*why = psprintf("filing %lld does not cover purpose %s", (long long) f->id, st->purpose);
		return false;
	}
	if (tallies & AX_TALLY_PERSONAL)
		needed |= 1u << AX_CAT_PERSONAL;
	if (tallies & AX_TALLY_SENSITIVE)
		needed |= 1u << AX_CAT_SENSITIVE_PERSONAL;
	if ((f->categories & needed) != needed)
	{
		*why = psprintf("filing %lld does not cover %s data", (long long) f->id,
						(f->categories & (1u << cat)) ? "all the personal information in this" :
						ax_category_names[cat]);
		return false;
	}
	if (!(f->scenarios & (1u << scenario)))
	{
		*why = psprintf("filing %lld does not cover scenario %s", (long long) f->id,
						ax_scenario_names[scenario]);
		return false;
	}
	if (st->today < f->approved_on)
	{
		*why = psprintf("filing %lld is in force only from %s", (long long) f->id, iso_date(f->approved_on));
		return false;
	}
	if (st->today > f->valid_until)
	{
		*why = psprintf("filing %lld expired on %s", (long long) f->id, iso_date(f->valid_until));
		return false;
	}
	if (f->measure == AX_MEASURE_CONTRACT && st->today > f->deadline &&
		(f->filed_on == DATEVAL_NOEND || f->filed_on > f->deadline))
	{
		*why = f->filed_on == DATEVAL_NOEND ?
			psprintf("standard contract %lld was not filed by its deadline, %s (F2)",
					 (long long) f->id, iso_date(f->deadline)) :
			psprintf("standard contract %lld was filed late, on %s after its deadline %s (F2)",
					 (long long) f->id, iso_date(f->filed_on), iso_date(f->deadline));
		return false;
	}
	if (f->max_individuals >= 0 && (tallies & AX_TALLY_ALL))
	{
		double		limit = (double) f->max_individuals * (1.0 + st->growth_pct / 100.0);

		for (int s = 0; s < 2; s++)
		{
			bool		sens = s == 1;
			int64		n;

			if (!(tallies & (sens ? AX_TALLY_SENSITIVE : AX_TALLY_PERSONAL)))
				continue;
			n = filing_count(st, f, sens);
			if ((double) n > limit)
			{
				*why = psprintf("filing %lld allows %s individuals plus %g%% growth, and the year's %s tally%s is %s",
								(long long) f->id, ax_format_count(f->max_individuals), st->growth_pct,
								sens ? "sensitive" : "personal",
								f->any_recipient ? "" : " for this recipient", ax_format_count(n));
				return false;
			}
		}
	}
	return true;
}

/* Is filing a wider than filing b (the one a verdict names)? */
static bool
wider(const AxFiling *a, const AxFiling *b)
{
	if ((a->max_individuals < 0) != (b->max_individuals < 0))
		return a->max_individuals < 0;
	if (a->max_individuals != b->max_individuals)
		return a->max_individuals > b->max_individuals;
	if (a->valid_until != b->valid_until)
		return a->valid_until > b->valid_until;
	return a->id < b->id;
}

/* The evidence in force today for a purpose-level exemption, or NULL. */
static const AxEvidence *
evidence_for(const AxVerdictState *st, int exemption)
{
	for (int i = 0; i < st->nevidence; i++)
	{
		const AxEvidence *e = &st->evidence[i];

		if (e->exemption == exemption && e->valid_from <= st->today && st->today <= e->valid_until)
			return e;
	}
	return NULL;
}

/*
 * Decide a label for the state's recipient and purpose, in the order of
 * severity described at the top of this file.
 */
static void
decide(AxVerdictState *st, ax_label label, AxDecision *d)
{
	AxLabelFields f;
	Deciding	dc;
	Deciding	need[2];
	const AxVerdictRule *rule;
	int			cat;
	uint32		tallies;
	int			req = AX_MEASURE_NONE;
	char	   *candidate = NULL;
	int			best = -1;
	char	   *first_why = NULL;
	MemoryContext old = MemoryContextSwitchTo(st->cxt);

	ax_label_unpack(label, &f);
	memset(d, 0, sizeof(*d));
	d->exemption = -1;
	initStringInfo(&dc.rules);
	initStringInfo(&dc.why);
	rule = f.rule ? ax_verdict_rule(st, (int) f.rule) : NULL;
	cat = f.category;
	tallies = f.tallies;

	/* never exported, whatever is filed (section 6) */
	if (cat == AX_CAT_CORE)
	{
		d->measure = AX_MEASURE_PROHIBITED;
		add_rule(&dc, "P1");
		finish(st, d, &dc, "Core data is never exported (P1, Data Security Law Art. 21)%s%s.",
			   rule ? ": rule " : "", rule ? rule->code : "");
		goto done;
	}
	if (st->foreign_authority)
	{
		d->measure = AX_MEASURE_PROHIBITED;
		add_rule(&dc, "P2");
		finish(st, d, &dc, "Recipient %s is a foreign judicial or law-enforcement body: no data is provided to it without the approval of the competent Chinese authority (P2, Data Security Law Art. 36).",
			   st->recipient);
		goto done;
	}
	if (rule && rule->prohibits)
	{
		d->measure = AX_MEASURE_PROHIBITED;
		add_rule(&dc, rule->code);
		finish(st, d, &dc, "Rule %s: this data is never provided to foreign recipients, whatever is filed.",
			   rule->code);
		goto done;
	}

	/* important data a rule identified but no catalogue filed: a candidate */
	if (cat == AX_CAT_IMPORTANT && rule && !rule->named && !rule->filed && !st->candidates_important)
	{
		candidate = psprintf("the important data of rule %s is a candidate not yet in a filed catalogue, treated by the personal information it holds (parameter candidates_as_important)",
							 rule->code);
		cat = (tallies & AX_TALLY_SENSITIVE) ? AX_CAT_SENSITIVE_PERSONAL :
			(tallies & AX_TALLY_PERSONAL) ? AX_CAT_PERSONAL : AX_CAT_GENERAL;
	}

	if (cat == AX_CAT_GENERAL && !(tallies & AX_TALLY_ALL))
	{
		d->exportable = true;
		d->measure = AX_MEASURE_NONE;
		add_rule(&dc, "C1");
		finish(st, d, &dc, "General data (neither personal information nor important data) needs no measure (C1, 2024 Provisions Art. 3)%s%s.",
			   candidate ? "; " : "", candidate ? candidate : "");
		goto done;
	}

	/* exemptions from the row's own evidence (E1, E7-E9) */
	for (int ex = 0; ex < AX_N_EXEMPTIONS; ex++)
	{
		if (!ROW_EVIDENCE(ex) || !(f.exemptions & (1u << ex)))
			continue;
		if (ex != AX_EX_COLLECTED_ABROAD)
		{
			if (st->purpose_exemption != ex)
				continue;
			if (st->today < st->guidelines_effective)
				continue;
			if (cat == AX_CAT_IMPORTANT && !st->evidence_cover_important)
				continue;
		}
		d->exportable = true;
		d->measure = AX_MEASURE_EXEMPT;
		d->exemption = ex;
		add_rule(&dc, rule_of_exemption[ex]);
		if (ex == AX_EX_COLLECTED_ABROAD)
			finish(st, d, &dc, "Exempt: the data was collected and generated abroad (E1, 2024 Provisions Art. 4).");
		else
			finish(st, d, &dc, "Exempt: the row carries its %s and the purpose %s is the exemption's own (%s, 2026 Guidelines).",
				   ex == AX_EX_VULNERABILITY_REPORTED ? "MIIT vulnerability report reference" :
				   ex == AX_EX_INCIDENT_REPORTED ? "incident report reference" : "SAMR filing number",
				   st->purpose, rule_of_exemption[ex]);
		goto done;
	}

	/* purpose-level exemptions with evidence in force (E2-E4 for personal information, E6) */
	if (st->purpose_exemption >= AX_EX_CONTRACT_NECESSITY && st->purpose_exemption <= AX_EX_EMERGENCY &&
		cat != AX_CAT_IMPORTANT)
	{
		const AxEvidence *e = evidence_for(st, st->purpose_exemption);

		if (e)
		{
			d->exportable = true;
			d->measure = AX_MEASURE_EXEMPT;
			d->exemption = st->purpose_exemption;
			d->evidence = e->id;
			add_rule(&dc, rule_of_exemption[st->purpose_exemption]);
			finish(st, d, &dc, "Exempt for purpose %s: evidence %lld (%s) in force until %s (%s, 2024 Provisions Art. 5).",
				   st->purpose, (long long) e->id, e->reference, iso_date(e->valid_until),
				   rule_of_exemption[st->purpose_exemption]);
			goto done;
		}
	}
	if (st->free_trade_zone && !(st->negative_list & (1u << f.scenario)))
	{
		const AxEvidence *e = evidence_for(st, AX_EX_FREE_TRADE_ZONE);

		if (e)
		{
			d->exportable = true;
			d->measure = AX_MEASURE_EXEMPT;
			d->exemption = AX_EX_FREE_TRADE_ZONE;
			d->evidence = e->id;
			add_rule(&dc, "E6");
			finish(st, d, &dc, "Exempt: %s is registered in the free trade zone %s and %s data is not on its negative list; evidence %lld (%s) (E6, 2024 Provisions Art. 6).",
				   st->org_name, st->free_trade_zone, ax_scenario_names[f.scenario],
				   (long long) e->id, e->reference);
			goto done;
		}
	}

	/*
	 * The measures the rules give (section 3).  The most demanding wins
	 * (N2): the rules and clauses of the winning measure are the ones that
	 * decided, kept apart from those of the lesser one.
	 */
	initStringInfo(&need[0].rules);
	initStringInfo(&need[0].why);
	initStringInfo(&need[1].rules);
	initStringInfo(&need[1].why);
#define ASSESS (&need[1])
#define CONTRACT (&need[0])
	if (cat == AX_CAT_IMPORTANT)
	{
		req = AX_MEASURE_ASSESSMENT;
		if (rule && rule->named)
		{
			add_rule(ASSESS, "M5");
			add_rule(ASSESS, rule->code);
			add_why(ASSESS, "the data set is one the authorities named (M5, rule %s)", rule->code);
		}
		else
		{
			add_rule(ASSESS, "M1");
			if (rule)
				add_rule(ASSESS, rule->code);
			add_why(ASSESS, "it contains important data (M1%s%s)", rule ? ", rule " : "", rule ? rule->code : "");
		}
	}
	if (st->ciio && (tallies & AX_TALLY_ALL))
	{
		req = AX_MEASURE_ASSESSMENT;
		add_rule(ASSESS, "M2");
		if (st->org_set)
			add_why(ASSESS, "%s is a critical information infrastructure operator and the data holds personal information (M2)",
					st->org_name);
		else
			add_why(ASSESS, "the processor is not declared (autoxfer.set_organisation) and is treated as a critical information infrastructure operator, and the data holds personal information (M2)");
	}
	if (!st->ciio && (tallies & AX_TALLY_SENSITIVE))
	{
		if (st->sensitive >= st->m4)
		{
			req = AX_MEASURE_ASSESSMENT;
			add_rule(ASSESS, "M4");
			add_why(ASSESS, "the year's sensitive tally is %s individuals, at or above the M4 threshold of %s",
					ax_format_count(st->sensitive), ax_format_count(st->m4));
		}
		else
		{
			req = Max(req, AX_MEASURE_CONTRACT);
			add_rule(CONTRACT, "M6");
			add_why(CONTRACT, "it holds sensitive personal information (M6: 1 to %s sensitive individuals; the year's tally is %s)",
					ax_format_count(st->m4 - 1), ax_format_count(st->sensitive));
		}
	}
	if (!st->ciio && (tallies & AX_TALLY_PERSONAL))
	{
		if (st->personal >= st->m3)
		{
			req = AX_MEASURE_ASSESSMENT;
			add_rule(ASSESS, "M3");
			add_why(ASSESS, "the year's personal tally is %s individuals, at or above the M3 threshold of %s",
					ax_format_count(st->personal), ax_format_count(st->m3));
		}
		else if (st->personal >= st->m6)
		{
			req = Max(req, AX_MEASURE_CONTRACT);
			add_rule(CONTRACT, "M6");
			add_why(CONTRACT, "the year's personal tally is %s individuals, at or above the M6 threshold of %s",
					ax_format_count(st->personal), ax_format_count(st->m6));
		}
		else if (req == AX_MEASURE_NONE)
		{
			/* small volume: no sensitive, no important data (M7, E5) */
			d->exportable = true;
			d->measure = AX_MEASURE_EXEMPT;
			d->exemption = AX_EX_SMALL_VOLUME;
			add_rule(&dc, "M7");
			add_rule(&dc, "E5");
			finish(st, d, &dc, "Exempt: non-sensitive personal information of %s individuals this year, under the M6 threshold of %s (M7, E5, 2024 Provisions Art. 5)%s%s.",
				   ax_format_count(st->personal), ax_format_count(st->m6),
				   candidate ? "; " : "", candidate ? candidate : "");
			goto done;
		}
	}
	dc = req == AX_MEASURE_ASSESSMENT ? *ASSESS : *CONTRACT;
#undef ASSESS
#undef CONTRACT
	if (candidate)
		add_why(&dc, "%s", candidate);

	/* a filing in force that covers the transfer (N3) */
	for (int i = 0; i < st->nfilings; i++)
	{
		char	   *why = NULL;

		if (filing_covers(st, &st->filings[i], req, cat, tallies, f.scenario, &why))
		{
			if (best < 0 || wider(&st->filings[i], &st->filings[best]))
				best = i;
		}
		else if (first_why == NULL)
			first_why = why;
	}
	if (best >= 0)
	{
		const AxFiling *fl = &st->filings[best];

		d->exportable = true;
		d->measure = fl->measure;
		d->filing = fl->id;
		finish(st, d, &dc, "Exportable under %s %lld (%s, %s%s): %s%s.",
			   measure_words(fl->measure), (long long) fl->id, fl->reference,
			   fl->valid_until == DATEVAL_NOEND ? "no end date" : "in force until ",
			   fl->valid_until == DATEVAL_NOEND ? "" : iso_date(fl->valid_until), dc.why.data,
			   fl->measure == AX_MEASURE_CONTRACT && fl->filed_on == DATEVAL_NOEND ?
			   psprintf("; file the contract with the provincial CAC by %s (F2)", iso_date(fl->deadline)) : "");
		goto done;
	}
	d->exportable = false;
	d->measure = req;
	finish(st, d, &dc, "Needs %s covering recipient %s, purpose %s, %s data of scenario %s: %s; %s.",
		   req == AX_MEASURE_ASSESSMENT ? "a security assessment" : "a standard contract or a certification",
		   st->recipient, st->purpose, ax_category_names[cat], ax_scenario_names[f.scenario], dc.why.data,
		   st->nfilings == 0 ? "no filing is recorded for this recipient" :
		   first_why ? first_why : "no filing in force covers it");

done:
	MemoryContextSwitchTo(old);
}

/*
 * The decision for a label under a state, made at its first query and
 * kept with the state.
 */
const AxDecision *
ax_verdict_decide(AxVerdictState *st, ax_label label)
{
	ax_label	key = label & ~AX_GENERATION_MASK;
	uint32		h;
	int			slot;

	h = (uint32) ((key * UINT64CONST(0x9E3779B97F4A7C15)) >> 32);
	slot = h & (st->cap - 1);
	while (st->full[slot])
	{
		if (st->keys[slot] == key)
			return &st->decisions[slot];
		slot = (slot + 1) & (st->cap - 1);
	}
	if ((st->used + 1) * 2 > st->cap)
	{
		/* grow, keeping the load under a half */
		int			oldcap = st->cap;
		ax_label   *oldkeys = st->keys;
		bool	   *oldfull = st->full;
		AxDecision *olddec = st->decisions;

		st->cap *= 2;
		st->keys = MemoryContextAllocZero(st->cxt, sizeof(ax_label) * st->cap);
		st->full = MemoryContextAllocZero(st->cxt, sizeof(bool) * st->cap);
		st->decisions = MemoryContextAllocZero(st->cxt, sizeof(AxDecision) * st->cap);
		for (int i = 0; i < oldcap; i++)
		{
			int			s;

			if (!oldfull[i])
				continue;
			s = (uint32) ((oldkeys[i] * UINT64CONST(0x9E3779B97F4A7C15)) >> 32) & (st->cap - 1);
			while (st->full[s])
				s = (s + 1) & (st->cap - 1);
			st->full[s] = true;
			st->keys[s] = oldkeys[i];
			st->decisions[s] = olddec[i];
		}
		pfree(oldkeys);
		pfree(oldfull);
		pfree(olddec);
		return ax_verdict_decide(st, label);
	}
	decide(st, key, &st->decisions[slot]);
	st->keys[slot] = key;
	st->full[slot] = true;
	st->used++;
	return &st->decisions[slot];
}

/* ---------------------------------------------------------------- SQL */

/* The label, recipient and purpose arguments, refused when NULL. */
static void
verdict_args(FunctionCallInfo fcinfo, ax_label *label, char **recipient, char **purpose)
{
	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("a verdict needs a label, not NULL"),
				 errhint("Pass the row's label column; a protected table's labels are never NULL.")));
	if (PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("a verdict needs a recipient, not NULL"),
				 errhint("Name a recipient of autoxfer.recipient.")));
	if (PG_ARGISNULL(2))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("a verdict needs a purpose, not NULL"),
				 errhint("Name a purpose of autoxfer.purpose.")));
	*label = PG_GETARG_AXLABEL(0);
	*recipient = text_to_cstring(PG_GETARG_TEXT_PP(1));
	*purpose = text_to_cstring(PG_GETARG_TEXT_PP(2));
}

/* A decision as an autoxfer.decision row. */
static Datum
decision_datum(FunctionCallInfo fcinfo, const AxDecision *d)
{
	TupleDesc	tupdesc;
	Datum		values[7];
	bool		nulls[7] = {false, false, false, false, false, false, false};

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "autoxfer.verdict must return a row type");
	tupdesc = BlessTupleDesc(tupdesc);
	values[0] = BoolGetDatum(d->exportable);
	values[1] = ObjectIdGetDatum(ax_vocab_value(AX_VOCAB_MEASURE, d->measure));
	if (d->exemption >= 0)
		values[2] = ObjectIdGetDatum(ax_vocab_value(AX_VOCAB_EXEMPTION, d->exemption));
	else
		nulls[2] = true;
	values[3] = Int64GetDatum(d->filing);
	nulls[3] = d->filing == 0;
	values[4] = CStringGetTextDatum(d->rule);
	values[5] = CStringGetTextDatum(d->reason);
	values[6] = Int64GetDatum(d->evidence);
	nulls[6] = d->evidence == 0;
	return HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls));
}

PG_FUNCTION_INFO_V1(ax_verdict);

/* autoxfer.verdict(label, recipient, purpose) */
Datum
ax_verdict(PG_FUNCTION_ARGS)
{
	ax_label	label;
	char	   *recipient;
	char	   *purpose;

	verdict_args(fcinfo, &label, &recipient, &purpose);
	return decision_datum(fcinfo, ax_verdict_decide(ax_verdict_state(recipient, purpose), label));
}

/* What exportable() keeps between calls of one call site. */
typedef struct ExportableCache
{
	AxVerdictState *st;
	uint64		epoch;
	LocalTransactionId lxid;
	int			rlen;
	int			plen;
	char	   *recipient;
	char	   *purpose;
	bool		args_stable;	/* recipient and purpose cannot change here */
	bool		have_last;		/* the previous row's label and answer */
	ax_label	last_label;
	bool		last_exportable;
} ExportableCache;

/* Whether a text argument still equals the string the cache holds. */
static inline bool
same_text(text *t, const char *s, int len)
{
	return (int) VARSIZE_ANY_EXHDR(t) == len && memcmp(VARDATA_ANY(t), s, len) == 0;
}

PG_FUNCTION_INFO_V1(ax_exportable);

/*
 * autoxfer.exportable(label, recipient, purpose): the verdict's boolean,
 * with the state found once per call site (while recipient and purpose
 * stay the same, in one transaction and epoch) and the label decided once.
 */
Datum
ax_exportable(PG_FUNCTION_ARGS)
{
	ExportableCache *c = (ExportableCache *) fcinfo->flinfo->fn_extra;
	ax_label	label;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1) || PG_ARGISNULL(2))
	{
		char	   *recipient;
		char	   *purpose;

		verdict_args(fcinfo, &label, &recipient, &purpose);
	}
	if (c == NULL)
	{
		c = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(ExportableCache));
		/* constants or parameters: the same for every row of this call */
		c->args_stable = get_fn_expr_arg_stable(fcinfo->flinfo, 1) &&
			get_fn_expr_arg_stable(fcinfo->flinfo, 2);
		fcinfo->flinfo->fn_extra = c;
	}
	if (c->st == NULL || c->epoch != verdict_epoch || c->lxid != MyProc->lxid ||
		(!c->args_stable &&
		 (!same_text(PG_GETARG_TEXT_PP(1), c->recipient, c->rlen) ||
		  !same_text(PG_GETARG_TEXT_PP(2), c->purpose, c->plen))))
	{
		char	   *rs = text_to_cstring(PG_GETARG_TEXT_PP(1));
		char	   *ps = text_to_cstring(PG_GETARG_TEXT_PP(2));

		c->st = NULL;
		c->have_last = false;
		if (c->recipient)
			pfree(c->recipient);
		if (c->purpose)
			pfree(c->purpose);
		c->recipient = MemoryContextStrdup(fcinfo->flinfo->fn_mcxt, rs);
		c->purpose = MemoryContextStrdup(fcinfo->flinfo->fn_mcxt, ps);
		c->rlen = strlen(rs);
		c->plen = strlen(ps);
		c->st = ax_verdict_state(rs, ps);
		c->epoch = verdict_epoch;
		c->lxid = MyProc->lxid;
	}
	/* rows of a scan mostly share their label with the previous one */
	label = PG_GETARG_AXLABEL(0);
	if (!c->have_last || c->last_label != label)
	{
		c->last_exportable = ax_verdict_decide(c->st, label)->exportable;
		c->last_label = label;
		c->have_last = true;
	}
	PG_RETURN_BOOL(c->last_exportable);
}

/*
 * A state of its own (not cached; free it with MemoryContextDelete of its
 * cxt) for a recipient and purpose with the counts given, today's date in
 * China: the export path judges its batch at the counts it would reach.
 */
AxVerdictState *
ax_verdict_state_as_of(const char *recipient, const char *purpose, DateADT today,
					   int64 personal, int64 sensitive,
					   int64 recipient_personal, int64 recipient_sensitive)
{
	return load_state(recipient, purpose, true, today, personal, sensitive,
					  recipient_personal, recipient_sensitive);
}

/* Change the counts of a state and forget the decisions made at the old ones. */
void
ax_verdict_set_counts(AxVerdictState *st, int64 personal, int64 sensitive,
					  int64 recipient_personal, int64 recipient_sensitive)
{
	st->personal = personal;
	st->sensitive = sensitive;
	st->recipient_personal = recipient_personal;
	st->recipient_sensitive = recipient_sensitive;
	memset(st->full, 0, sizeof(bool) * st->cap);
	st->used = 0;
}

/*
 * Make every cached state of this backend stale: the export path calls it
 * once it holds the ledger's lock, so that it decides from what is
 * committed now.
 */
void
ax_verdict_refresh(void)
{
	verdict_epoch++;
}

PG_FUNCTION_INFO_V1(ax_verdict_as_of);

/*
 * autoxfer.verdict_as_of(label, recipient, purpose, on_date, personal,
 * sensitive [, recipient_personal, recipient_sensitive]): the verdict on a
 * date with the year's counts given, from a state of its own.
 */
Datum
ax_verdict_as_of(PG_FUNCTION_ARGS)
{
	ax_label	label;
	char	   *recipient;
	char	   *purpose;
	AxVerdictState *st;
	AxDecision	d;
	Datum		result;
	int64		personal,
				sensitive;

	verdict_args(fcinfo, &label, &recipient, &purpose);
	if (PG_ARGISNULL(3) || PG_ARGISNULL(4) || PG_ARGISNULL(5))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("verdict_as_of needs a date and the year's personal and sensitive counts"),
				 errhint("Pass on_date, personal_individuals and sensitive_individuals.")));
	personal = PG_GETARG_INT64(4);
	sensitive = PG_GETARG_INT64(5);
	if (DATE_NOT_FINITE(PG_GETARG_DATEADT(3)) || personal < 0 || sensitive < 0 ||
		(!PG_ARGISNULL(6) && PG_GETARG_INT64(6) < 0) || (!PG_ARGISNULL(7) && PG_GETARG_INT64(7) < 0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("verdict_as_of needs a finite date and counts of zero or more"),
				 errhint("Counts are individuals in the year so far.")));
	st = load_state(recipient, purpose, true, PG_GETARG_DATEADT(3), personal, sensitive,
					PG_ARGISNULL(6) ? personal : PG_GETARG_INT64(6),
					PG_ARGISNULL(7) ? sensitive : PG_GETARG_INT64(7));
	decide(st, label & ~AX_GENERATION_MASK, &d);
	result = decision_datum(fcinfo, &d);
	MemoryContextDelete(st->cxt);
	PG_RETURN_DATUM(result);
}

PG_FUNCTION_INFO_V1(ax_verdict_state_changed);

/*
 * Statement trigger of the tables verdicts decide from: a relcache
 * invalidation of the sentinel relation makes every backend (this one at
 * its next command, the others once this transaction commits) drop its
 * cached states.
 */
Datum
ax_verdict_state_changed(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_FOR_STATEMENT(trigdata->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("autoxfer._verdict_state_changed() must be called as a statement trigger")));
	CacheInvalidateRelcacheByRelid(sentinel_relid());
	PG_RETURN_POINTER(NULL);
}
