/*
 * export.c
 *		autoxfer.export(rel anyelement, recipient, purpose, filter,
 *		on_excess): the audited export path.  It returns the rows of a
 *		protected table that may go to the recipient for the purpose, adds
 *		their individuals to this year's ledger on every tally they touch,
 *		and writes one transfer-log row, all in the caller's transaction.
 *
 * The steps, in order:
 *	1. the arguments are checked, and the filter is parsed on its own as
 *	   one SQL expression (never concatenated unchecked into a statement);
 *	2. the year's ledger is locked (both tallies, one order) and the
 *	   filings and evidence of the recipient and purpose are locked FOR
 *	   SHARE, as the owner: concurrent exports of the year serialise here,
 *	   and a revocation waits for the export or the export sees it;
 *	3. the verdict's state is reloaded from a fresh snapshot (the counts
 *	   and filings committed before the lock was granted);
 *	4. the selection SELECT t.* FROM rel AS t WHERE (filter) is planned and
 *	   run as the caller (privileges, row-level security), refused if it
 *	   calls a volatile function; each row, as the executor hands it over
 *	   (a DestReceiver, no SPI tuple table), is judged by its label (stale,
 *	   not exportable: withheld) and its individual computed from the
 *	   table's compiled subject expression (as classification does, never
 *	   by the caller's functions), and kept in the result's tuplestore;
 *	5. the batch's individuals new this year are counted per tally, and
 *	   every label of the batch is judged again at the counts the batch
 *	   would reach: if one may then not go (a threshold whose measure has
 *	   no filing in force, a filing's maximum plus growth), on_excess
 *	   'error' refuses the whole batch and 'trim' keeps the rows whose
 *	   individuals are counted already and, in order, the new ones while
 *	   they still fit (with 'error', the batch is booked first and the
 *	   counts come from the booking: the refusal's ERROR undoes it, and the
 *	   stored sets are read once instead of twice);
 *	6. the individuals are booked and the log row written (as the owner),
 *	   and the rows returned.
 */
#include "postgres.h"

#include "access/detoast.h"
#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "executor/tuptable.h"
#include "fmgr.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "nodes/parsenodes.h"
#include "optimizer/optimizer.h"
#include "parser/parser.h"
#include "parser/parse_type.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/plancache.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"
#include "utils/tuplestore.h"
#include "utils/typcache.h"

#include "label.h"
#include "ledger_book.h"
#include "owner.h"
#include "rules.h"
#include "subject_core.h"
#include "subject_set.h"
#include "verdict.h"
#include "vocab.h"

#define FILTER_MAX	100000

/* Why rows were withheld. */
enum
{
	W_NOT_EXPORTABLE,
	W_STALE,
	W_NO_SUBJECT,
	W_EXCESS,
	W_N
};
static const char *const withheld_names[W_N] = {"not_exportable", "stale", "no_subject", "excess"};

/* One row that may go, as far as its own label says. */
typedef struct Candidate
{
	uint64_t	hash;			/* its individual, when it has tallies */
	uint8		tallies;
	int			label;			/* index into Export.labels */
} Candidate;

/* A distinct label of the batch. */
typedef struct BatchLabel
{
	ax_label	label;
	int64		first_new;		/* first candidate (of those adding individuals) with it; -1: one that adds none */
} BatchLabel;

/* Counts of one tally: the year's and the recipient's. */
typedef struct Counts
{
	int64		personal;
	int64		sensitive;
	int64		recipient_personal;
	int64		recipient_sensitive;
} Counts;

/* The state of one export. */
typedef struct Export
{
	MemoryContext cxt;			/* the call's: outlives the SPI connections */
	const char *recipient;
	const char *purpose;
	int			year;
	DateADT		today;
	AxVerdictState *live;		/* decisions at the counts before the batch */
	Tuplestorestate *rows;		/* the candidates, in order */
	TupleDesc	desc;
	int64		ncand;
	int64		capcand;
	Candidate  *cand;
	int			nlabels;
	int			caplabels;
	BatchLabel *labels;
	int64		withheld[W_N];
	Counts		before;
	Counts		after;
} Export;

/* The index of a label in the batch's list, added when new. */
static int
batch_label(Export *e, ax_label label)
{
	for (int i = 0; i < e->nlabels; i++)
		if (e->labels[i].label == label)
			return i;
	if (e->nlabels == e->caplabels)
	{
		e->caplabels = Max(16, e->caplabels * 2);
		e->labels = e->labels ? repalloc(e->labels, sizeof(BatchLabel) * e->caplabels) :
			MemoryContextAlloc(e->cxt, sizeof(BatchLabel) * e->caplabels);
	}
	e->labels[e->nlabels].label = label;
	e->labels[e->nlabels].first_new = -2;	/* not yet placed */
	return e->nlabels++;
}

/*
 * Error context of the filter's parsing: a syntax error points into the
 * filter's own text, not into the statement that called export.
 */
static void
filter_errcb(void *arg)
{
	int			pos = geterrposition();

	if (pos > 0)
	{
		errposition(0);
		internalerrposition(pos);
		internalerrquery((const char *) arg);
	}
	errcontext("filter of autoxfer.export");
}

/* Error context of the selection: names it. */
static void
selection_errcb(void *arg)
{
	errcontext("selection of autoxfer.export: %s", (const char *) arg);
}

/* Refuse a filter that is not exactly one SQL expression. */
static void
check_filter(const char *filter)
{
	List	   *raw;
	SelectStmt *s = NULL;
	ErrorContextCallback errcb;

	if (strlen(filter) > FILTER_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("autoxfer.export: the filter is longer than %d bytes", FILTER_MAX),
				 errhint("Select the rows with a shorter condition, or export in several batches.")));
	errcb.callback = filter_errcb;
	errcb.arg = (void *) filter;
	errcb.previous = error_context_stack;
	error_context_stack = &errcb;
	raw = raw_parser(filter, RAW_PARSE_PLPGSQL_EXPR);
	error_context_stack = errcb.previous;
	if (list_length(raw) == 1)
		s = (SelectStmt *) linitial_node(RawStmt, raw)->stmt;
	if (s == NULL || !IsA(s, SelectStmt) || s->op != SETOP_NONE ||
		s->distinctClause != NIL || s->intoClause != NULL || s->fromClause != NIL ||
		s->whereClause != NULL || s->groupClause != NIL || s->havingClause != NULL ||
		s->windowClause != NIL || s->valuesLists != NIL || s->sortClause != NIL ||
		s->limitOffset != NULL || s->limitCount != NULL || s->lockingClause != NIL ||
		s->withClause != NULL || list_length(s->targetList) != 1 ||
		linitial_node(ResTarget, s->targetList)->name != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_SYNTAX_ERROR),
				 errmsg("autoxfer.export: the filter must be one boolean SQL expression"),
				 errdetail("It is the WHERE condition of the selection: no FROM, ORDER BY, LIMIT, lists or statements."),
				 errhint("For example: ts >= '2026-03-01' AND region = 'EU'.")));
}

/*
 * What the catalogue says of the table: its protected root, label column
 * and the compiled state classification uses (for the subject and the
 * current generation).
 */
static AxTableState *
protected_state(Oid relid)
{
	Oid			root;
	AxCatalog	cat;
	MemoryContext cxt = AllocSetContextCreate(CurrentMemoryContext, "autoxfer export check",
											  ALLOCSET_SMALL_SIZES);
	MemoryContext old = MemoryContextSwitchTo(cxt);

	ax_catalog_load(relid, &root, &cat, true);
	MemoryContextSwitchTo(old);
	MemoryContextDelete(cxt);
	if (!OidIsValid(root))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("autoxfer.export: table %s is not protected by autoxfer", get_rel_name(relid)),
				 errhint("Only protected tables are exported through autoxfer.export: protect it first (autoxfer.protect).")));
	return ax_table_state(relid);
}

/*
 * Lock the year's ledger and the filings and evidence the verdicts of this
 * recipient and purpose may use, as the owner.
 */
static void
lock_state(Export *e)
{
	Oid			save_user;
	int			save_sec;
	Oid			types[2] = {TEXTOID, TEXTOID};
	Datum		values[2];

	values[0] = CStringGetTextDatum(e->recipient);
	values[1] = CStringGetTextDatum(e->purpose);
	ax_owner_spi_begin(&save_user, &save_sec);
	ax_ledger_lock_year(e->year);
	if (ax_spi_execute("SELECT 1 FROM autoxfer.filing AS f WHERE f.revoked_at IS NULL"
					   " AND (f.recipient IS NULL OR f.recipient OPERATOR(pg_catalog.=) $1)"
					   " ORDER BY f.id FOR SHARE",
					   1, types, values, NULL, false, 0) != SPI_OK_SELECT ||
		ax_spi_execute("SELECT 1 FROM autoxfer.evidence AS x WHERE x.revoked_at IS NULL"
					   " AND x.purpose OPERATOR(pg_catalog.=) $2"
					   " AND (x.recipient IS NULL OR x.recipient OPERATOR(pg_catalog.=) $1)"
					   " ORDER BY x.id FOR SHARE",
					   2, types, values, NULL, false, 0) != SPI_OK_SELECT)
		elog(ERROR, "locking the filings of recipient \"%s\" failed", e->recipient);
	ax_owner_spi_end(save_user, save_sec);
}

/* Add a candidate row's meta data. */
static void
add_candidate(Export *e, uint64_t hash, uint8 tallies, int label)
{
	if (e->ncand == e->capcand)
	{
		e->capcand = Max(1024, e->capcand * 2);
		e->cand = e->cand ? repalloc_huge(e->cand, sizeof(Candidate) * e->capcand) :
			MemoryContextAllocExtended(e->cxt, sizeof(Candidate) * e->capcand, MCXT_ALLOC_HUGE);
	}
	e->cand[e->ncand].hash = hash;
	e->cand[e->ncand].tallies = tallies;
	e->cand[e->ncand].label = label;
	e->ncand++;
}

/*
 * The receiver of the selection's rows: each row is judged as it comes
 * out of the executor and, when its own label lets it go, stored in the
 * export's tuplestore as a row of the table's type, with no intermediate
 * copy (a whole-row value, an SPI tuple table).
 */
typedef struct SelectionReceiver
{
	DestReceiver pub;
	Export	   *e;
	AxTableState *ts;
	bool		expired;		/* the generation expired: every label stale */
	uint32		generation;
	int			natts;			/* of the table's row type, dropped included */
	int		   *column;			/* its attribute i: result column, or -1 (dropped) */
	TupleTableSlot *row;		/* a virtual slot of the table's row type */
	MemoryContext rowcxt;		/* reset for every row */
} SelectionReceiver;

/* Map the selection's columns (t.*) onto the table's row type. */
static void
selection_startup(DestReceiver *self, int operation, TupleDesc typeinfo)
{
	SelectionReceiver *r = (SelectionReceiver *) self;
	TupleDesc	desc = r->e->desc;
	int			k = 0;

	for (int i = 0; i < r->natts; i++)
	{
		Form_pg_attribute a = TupleDescAttr(desc, i);

		if (a->attisdropped)
		{
			r->column[i] = -1;
			continue;
		}
		if (k >= typeinfo->natts || TupleDescAttr(typeinfo, k)->atttypid != a->atttypid)
			elog(ERROR, "autoxfer.export: the selection's columns do not match the row type of the table");
		r->column[i] = k++;
	}
	if (k != typeinfo->natts)
		elog(ERROR, "autoxfer.export: the selection's columns do not match the row type of the table");
}

/* Judge one selected row; keep it as a candidate when its label lets it go. */
static bool
selection_receive(TupleTableSlot *slot, DestReceiver *self)
{
	SelectionReceiver *r = (SelectionReceiver *) self;
	Export	   *e = r->e;
	TupleTableSlot *row = r->row;
	TupleDesc	desc = e->desc;
	MemoryContext old;
	ax_label	label;
	AxLabelFields f;
	const AxDecision *d;
	uint64_t	hash = 0;
	AttrNumber	la = r->ts->label_attno;

	CHECK_FOR_INTERRUPTS();
	MemoryContextReset(r->rowcxt);
	old = MemoryContextSwitchTo(r->rowcxt);
	slot_getallattrs(slot);
	ExecClearTuple(row);
	for (int i = 0; i < r->natts; i++)
	{
		int			k = r->column[i];

		if (k < 0 || slot->tts_isnull[k])
		{
			row->tts_values[i] = (Datum) 0;
			row->tts_isnull[i] = true;
			continue;
		}
		row->tts_isnull[i] = false;
		row->tts_values[i] = slot->tts_values[k];
		/* rows go out whole, as a row value would: no pointer into TOAST */
		if (TupleDescAttr(desc, i)->attlen == -1 &&
			VARATT_IS_EXTERNAL(DatumGetPointer(row->tts_values[i])))
			row->tts_values[i] = PointerGetDatum(detoast_external_attr((struct varlena *)
																	   DatumGetPointer(row->tts_values[i])));
	}
	ExecStoreVirtualTuple(row);

	if (row->tts_isnull[la - 1])
	{
		e->withheld[W_STALE]++;
		goto done;
	}
	label = DatumGetAxLabel(row->tts_values[la - 1]);
	ax_label_unpack(label, &f);
	if (r->expired || f.generation != r->generation)
	{
		e->withheld[W_STALE]++;
		goto done;
	}
	d = ax_verdict_decide(e->live, label);
	if (!d->exportable)
	{
		e->withheld[W_NOT_EXPORTABLE]++;
		goto done;
	}
	if (f.tallies & AX_TALLY_ALL)
	{
		bool		isnull;
		Datum		subject = ax_subject_of_slot(r->ts, row, &isnull);
		text	   *t;

		if (isnull)
		{
			e->withheld[W_NO_SUBJECT]++;
			goto done;
		}
		t = DatumGetTextPP(subject);
		hash = ax_subject_hash(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
	}
	tuplestore_putvalues(e->rows, desc, row->tts_values, row->tts_isnull);
	MemoryContextSwitchTo(e->cxt);
	add_candidate(e, hash, (uint8) f.tallies, batch_label(e, label & ~((ax_label) AX_MAX_GENERATION << 2)));
done:
	MemoryContextSwitchTo(old);
	return true;
}

static void
selection_shutdown(DestReceiver *self)
{
}

static void
selection_destroy(DestReceiver *self)
{
}

/*
 * Run the selection as the caller and keep the rows whose own label lets
 * them go (the candidates), in e->rows.
 */
static void
select_rows(Export *e, Oid relid, AxTableState *ts, const char *filter)
{
	StringInfoData sql;
	SPIPlanPtr	plan;
	ListCell   *lc;
	SelectionReceiver r;
	SPIExecuteOptions options;
	int			rc;
	ErrorContextCallback errcb;

	/* t.*: the table's columns (a column named t cannot shadow the row) */
	initStringInfo(&sql);
	appendStringInfo(&sql, "SELECT t.* FROM %s AS t",
					 quote_qualified_identifier(get_namespace_name(get_rel_namespace(relid)),
												get_rel_name(relid)));
	if (filter)
		appendStringInfo(&sql, " WHERE (%s\n)", filter);

	memset(&r, 0, sizeof(r));
	r.pub.receiveSlot = selection_receive;
	r.pub.rStartup = selection_startup;
	r.pub.rShutdown = selection_shutdown;
	r.pub.rDestroy = selection_destroy;
	r.pub.mydest = DestNone;
	r.e = e;
	r.ts = ts;
	/* an expired generation (an area boundary passed): every label stale */
	r.expired = ts->cat.stale_after != DT_NOEND &&
		GetCurrentTransactionStartTimestamp() >= ts->cat.stale_after;
	r.generation = ts->cat.generation;
	r.natts = e->desc->natts;
	r.column = MemoryContextAlloc(e->cxt, sizeof(int) * Max(r.natts, 1));
	r.row = MakeSingleTupleTableSlot(e->desc, &TTSOpsVirtual);
	r.rowcxt = AllocSetContextCreate(e->cxt, "autoxfer export row", ALLOCSET_DEFAULT_SIZES);

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	errcb.callback = selection_errcb;
	errcb.arg = sql.data;
	errcb.previous = error_context_stack;
	error_context_stack = &errcb;
	plan = SPI_prepare(sql.data, 0, NULL);
	if (plan == NULL)
		elog(ERROR, "autoxfer.export: could not plan the selection: %s",
			 SPI_result_code_string(SPI_result));
	foreach(lc, SPI_plan_get_plan_sources(plan))
	{
		CachedPlanSource *ps = (CachedPlanSource *) lfirst(lc);
		ListCell   *q;

		foreach(q, ps->query_list)
		{
			if (contain_volatile_functions((Node *) lfirst(q)))
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("autoxfer.export: the filter calls a volatile function"),
						 errdetail("The selection must only read: a volatile function could write or change what it selects while the export counts it."),
						 errhint("Filter with immutable or stable expressions; compute a random sample beforehand into a table of ids.")));
		}
	}
	memset(&options, 0, sizeof(options));
	options.read_only = true;
	options.dest = (DestReceiver *) &r;
	rc = SPI_execute_plan_extended(plan, &options);
	if (rc < 0)
		elog(ERROR, "autoxfer.export: the selection failed: %s", SPI_result_code_string(rc));
	SPI_freeplan(plan);
	SPI_finish();
	error_context_stack = errcb.previous;
	ExecDropSingleTupleTableSlot(r.row);
	MemoryContextDelete(r.rowcxt);
}

/* The sorted unique hashes of the candidates admitted, touching a tally bit. */
static uint64_t *
batch_set(const Export *e, const bool *admit, uint8 bit, size_t *n)
{
	uint64_t   *a = palloc_extended(sizeof(uint64_t) * Max(e->ncand, 1), MCXT_ALLOC_HUGE);
	uint64_t   *tmp = palloc_extended(sizeof(uint64_t) * Max(e->ncand, 1), MCXT_ALLOC_HUGE);
	size_t		k = 0;

	for (int64 i = 0; i < e->ncand; i++)
		if ((admit == NULL || admit[i]) && (e->cand[i].tallies & bit))
			a[k++] = e->cand[i].hash;
	*n = ax_subject_sort_unique(a, k, tmp);
	pfree(tmp);
	return a;
}

/* How many individuals of a set are new for the year and for the recipient. */
static void
count_new(const Export *e, int tally, Datum set, int64 *fresh, int64 *total,
		  int64 *rfresh, int64 *rtotal)
{
	Oid			types[4] = {INT4OID, ax_vocab(AX_VOCAB_CATEGORY)->typid, ax_subject_set_type(), TEXTOID};
	Datum		values[4];
	bool		isnull;

	values[0] = Int32GetDatum(e->year);
	values[1] = ObjectIdGetDatum(ax_vocab_value(AX_VOCAB_CATEGORY, tally));
	values[2] = set;
	values[3] = CStringGetTextDatum(e->recipient);
	if (ax_spi_execute("SELECT c.fresh, c.total, c.recipient_fresh, c.recipient_total"
					   " FROM autoxfer._ledger_count_new($1, $2, $3, $4) AS c",
					   4, types, values, NULL, true, 0) != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "counting the batch's new individuals failed");
	*fresh = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	*total = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull));
	*rfresh = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 3, &isnull));
	*rtotal = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 4, &isnull));
}

/*
 * The first label of the batch (of those checked: first_new < upto, or
 * every one when upto < 0) that may not go at the counts of st, or -1.
 */
static int
failing_label(const Export *e, AxVerdictState *st, int64 upto)
{
	for (int i = 0; i < e->nlabels; i++)
	{
		if (upto >= 0 && e->labels[i].first_new >= upto)
			continue;
		if (!ax_verdict_decide(st, e->labels[i].label)->exportable)
			return i;
	}
	return -1;
}

/* The ledger's set of a tally this year, as sorted hashes (for trimming). */
static uint64_t *
ledger_members(const Export *e, const char *tally, bool of_recipient, size_t *n)
{
	Oid			types[3] = {TEXTOID, INT4OID, TEXTOID};
	Datum		values[3];
	char		nulls[3] = {' ', ' ', of_recipient ? ' ' : 'n'};
	bool		isnull;
	Datum		set;

	values[0] = CStringGetTextDatum(tally);
	values[1] = Int32GetDatum(e->year);
	values[2] = of_recipient ? CStringGetTextDatum(e->recipient) : (Datum) 0;
	if (ax_spi_execute("SELECT autoxfer.ledger_subjects($1::autoxfer.category, $2, $3)",
					   3, types, values, nulls, true, 0) != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "reading the ledger failed");
	set = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
	return ax_subject_set_members(set, n);
}

/* A small open-addressing set of hashes, to count distinct new individuals. */
typedef struct HashSet
{
	uint64_t   *slots;
	bool	   *used;
	size_t		cap;
	size_t		n;
} HashSet;

static void
hs_init(HashSet *h, size_t expect)
{
	h->cap = 64;
	while (h->cap < expect * 2)
		h->cap *= 2;
	h->slots = palloc_extended(sizeof(uint64_t) * h->cap, MCXT_ALLOC_HUGE);
	h->used = palloc_extended(h->cap, MCXT_ALLOC_HUGE | MCXT_ALLOC_ZERO);
	h->n = 0;
}

/* Add x; true if it was not there. */
static bool
hs_add(HashSet *h, uint64_t x)
{
	size_t		i = (size_t) ((x * UINT64CONST(0x9E3779B97F4A7C15)) >> 20) & (h->cap - 1);

	while (h->used[i])
	{
		if (h->slots[i] == x)
			return false;
		i = (i + 1) & (h->cap - 1);
	}
	h->used[i] = true;
	h->slots[i] = x;
	h->n++;
	return true;
}

/*
 * Trimming: the candidates whose individuals are all counted already (for
 * the year and the recipient, on every tally they touch) stay; of the
 * others, the first k in order, k as large as every label of the batch
 * still may go at the counts they reach.  Fills admit[]; returns how many
 * candidates were left out.
 */
static int64
trim(Export *e, AxVerdictState *at, bool *admit)
{
	size_t		np,
				ns,
				nrp,
				nrs;
	uint64_t   *lp = ledger_members(e, "personal", false, &np);
	uint64_t   *ls = ledger_members(e, "sensitive_personal", false, &ns);
	uint64_t   *lrp = ledger_members(e, "personal", true, &nrp);
	uint64_t   *lrs = ledger_members(e, "sensitive_personal", true, &nrs);
	int64	   *newrows = palloc_extended(sizeof(int64) * Max(e->ncand, 1), MCXT_ALLOC_HUGE);
	Counts	   *prefix;
	HashSet		hp,
				hs,
				hrp,
				hrs;
	int64		nnew = 0;
	int64		lo,
				hi;
	int64		left_out = 0;

	hs_init(&hp, e->ncand);
	hs_init(&hs, e->ncand);
	hs_init(&hrp, e->ncand);
	hs_init(&hrs, e->ncand);
	for (int i = 0; i < e->nlabels; i++)
		e->labels[i].first_new = -2;
	/* prefix[j]: distinct new individuals of the first j adding candidates */
	prefix = palloc_extended(sizeof(Counts) * (e->ncand + 1), MCXT_ALLOC_HUGE | MCXT_ALLOC_ZERO);
	for (int64 i = 0; i < e->ncand; i++)
	{
		const Candidate *c = &e->cand[i];
		bool		p = (c->tallies & AX_TALLY_PERSONAL) != 0;
		bool		s = (c->tallies & AX_TALLY_SENSITIVE) != 0;
		bool		np_ = p && !ax_subject_search(lp, np, c->hash);
		bool		ns_ = s && !ax_subject_search(ls, ns, c->hash);
		bool		nrp_ = p && !ax_subject_search(lrp, nrp, c->hash);
		bool		nrs_ = s && !ax_subject_search(lrs, nrs, c->hash);
		BatchLabel *bl = &e->labels[c->label];

		if (!(np_ || ns_ || nrp_ || nrs_))
		{
			admit[i] = true;
			bl->first_new = -1;
			continue;
		}
		admit[i] = false;
		prefix[nnew + 1] = prefix[nnew];
		if (np_ && hs_add(&hp, c->hash))
			prefix[nnew + 1].personal++;
		if (ns_ && hs_add(&hs, c->hash))
			prefix[nnew + 1].sensitive++;
		if (nrp_ && hs_add(&hrp, c->hash))
			prefix[nnew + 1].recipient_personal++;
		if (nrs_ && hs_add(&hrs, c->hash))
			prefix[nnew + 1].recipient_sensitive++;
		if (bl->first_new == -2)
			bl->first_new = nnew;
		newrows[nnew++] = i;
	}
	/* labels only of rows adding nothing are placed first */
	for (int i = 0; i < e->nlabels; i++)
		if (e->labels[i].first_new == -2)
			e->labels[i].first_new = -1;

	/* the largest k whose counts every label placed before it stands */
	lo = 0;
	hi = nnew;
	while (lo < hi)
	{
		int64		mid = (lo + hi + 1) / 2;

		ax_verdict_set_counts(at, e->before.personal + prefix[mid].personal,
							  e->before.sensitive + prefix[mid].sensitive,
							  e->before.recipient_personal + prefix[mid].recipient_personal,
							  e->before.recipient_sensitive + prefix[mid].recipient_sensitive);
		if (failing_label(e, at, mid) < 0)
			lo = mid;
		else
			hi = mid - 1;
	}
	for (int64 j = 0; j < nnew; j++)
	{
		if (j < lo)
			admit[newrows[j]] = true;
		else
			left_out++;
	}
	return left_out;
}

/* An array datum of distinct values, from a small list. */
static Datum
array_of(Datum *elems, int n, Oid elemtype, int16 len, bool byval, char align)
{
	return PointerGetDatum(construct_array(elems, n, elemtype, len, byval, align));
}

/* Whether a Datum is in a list already. */
static bool
listed(const Datum *elems, int n, Datum x)
{
	for (int i = 0; i < n; i++)
		if (elems[i] == x)
			return true;
	return false;
}

PG_FUNCTION_INFO_V1(ax_export);

/* autoxfer.export(rel anyelement, recipient, purpose, filter, on_excess) */
Datum
ax_export(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	Oid			rowtype = get_fn_expr_argtype(fcinfo->flinfo, 0);
	Oid			relid = OidIsValid(rowtype) ? typeidTypeRelid(rowtype) : InvalidOid;
	const char *filter = PG_ARGISNULL(3) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(3));
	const char *on_excess = PG_ARGISNULL(4) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(4));
	bool		trim_excess;
	Export		e;
	AxTableState *ts;
	AxVerdictState *at;
	AxCaller	caller;
	Oid			save_user;
	int			save_sec;
	bool	   *admit = NULL;
	bool	   *label_used;
	int64		returned = 0;
	size_t		np,
				ns;
	uint64_t   *bp,
			   *bs;
	Datum		setp,
				sets;
	AxTallyBooking bookp,
				books;
	AxLogRow	log;
	char	   *decision_id;
	StringInfoData withheld;
	int64		nwithheld = 0;
	int			fail;
	MemoryContext oldcxt;
	Datum		measures[8],
				exemptions[AX_N_EXEMPTIONS],
				filings[64],
				evidence[64],
				rules[64];
	int			nmeasures = 0,
				nexemptions = 0,
				nfilings = 0,
				nevidence = 0,
				nrules = 0;

	/* 1. the arguments */
	if (rsinfo == NULL || !IsA(rsinfo, ReturnSetInfo) || !(rsinfo->allowedModes & SFRM_Materialize))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("autoxfer.export must be called in FROM: SELECT * FROM autoxfer.export(NULL::t, ...)")));
	if (!OidIsValid(relid) || get_rel_relkind(relid) == RELKIND_COMPOSITE_TYPE)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("autoxfer.export: the first argument must be a row of a protected table"),
				 errhint("Pass NULL cast to the table's row type: autoxfer.export(NULL::telemetry, 'recipient', 'purpose').")));
	memset(&e, 0, sizeof(e));
	e.cxt = CurrentMemoryContext;
	if (PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("autoxfer.export: the recipient must not be NULL"),
				 errhint("Name a recipient of autoxfer.recipient.")));
	if (PG_ARGISNULL(2))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("autoxfer.export: the purpose must not be NULL"),
				 errhint("Name a purpose of autoxfer.purpose.")));
	e.recipient = text_to_cstring(PG_GETARG_TEXT_PP(1));
	e.purpose = text_to_cstring(PG_GETARG_TEXT_PP(2));
	if (on_excess == NULL || (strcmp(on_excess, "error") != 0 && strcmp(on_excess, "trim") != 0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("autoxfer.export: on_excess must be 'error' or 'trim', not %s",
						on_excess ? quote_literal_cstr(on_excess) : "NULL"),
				 errhint("'error' refuses a batch that would cross a threshold without a filing; 'trim' exports what still fits.")));
	trim_excess = strcmp(on_excess, "trim") == 0;
	if (filter)
		check_filter(filter);
	ts = protected_state(relid);
	ax_caller_capture(&caller);

	/* 2. the locks; 3. the state, from a fresh snapshot */
	{
		Oid			types[1] = {TIMESTAMPTZOID};
		Datum		values[1] = {TimestampTzGetDatum(GetCurrentTransactionStartTimestamp())};
		bool		isnull;

		ax_owner_spi_begin(&save_user, &save_sec);
		if (ax_spi_execute("SELECT autoxfer.ledger_year($1)", 1, types, values, NULL, true, 0) != SPI_OK_SELECT)
			elog(ERROR, "ledger_year failed");
		e.year = DatumGetInt32(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
		ax_owner_spi_end(save_user, save_sec);
	}
	lock_state(&e);
	CommandCounterIncrement();
	PushActiveSnapshot(GetTransactionSnapshot());
	ax_verdict_refresh();
	ts = ax_table_state(relid);
	e.live = ax_verdict_state(e.recipient, e.purpose);
	e.today = e.live->today;
	e.before.personal = e.live->personal;
	e.before.sensitive = e.live->sensitive;
	e.before.recipient_personal = e.live->recipient_personal;
	e.before.recipient_sensitive = e.live->recipient_sensitive;

	/* 4. the selection */
	oldcxt = MemoryContextSwitchTo(rsinfo->econtext->ecxt_per_query_memory);
	e.desc = lookup_rowtype_tupdesc_copy(rowtype, -1);
	e.rows = tuplestore_begin_heap(true, false, work_mem);
	MemoryContextSwitchTo(oldcxt);
	select_rows(&e, relid, ts, filter);

	/*
	 * 5. the counts the batch would reach, and the verdicts there.  Without
	 * trimming, the batch is booked first (6.) and judged at the counts the
	 * booking reached: a batch that may not go raises an ERROR, which undoes
	 * the booking with everything else the export did (the year is locked,
	 * so nothing else moved the counts), and each stored set is read once.
	 * With trimming, the counts are taken first, and only what is admitted
	 * is booked.
	 */
	bp = batch_set(&e, NULL, AX_TALLY_PERSONAL, &np);
	bs = batch_set(&e, NULL, AX_TALLY_SENSITIVE, &ns);
	setp = ax_subject_set_from_words(bp, np);
	sets = ax_subject_set_from_words(bs, ns);
	ax_owner_spi_begin(&save_user, &save_sec);
	/* what is made from here on outlives the SPI connection */
	MemoryContextSwitchTo(e.cxt);
	if (!trim_excess)
	{
		ax_ledger_book(e.year, AX_CAT_PERSONAL, setp, e.recipient, &bookp);
		ax_ledger_book(e.year, AX_CAT_SENSITIVE_PERSONAL, sets, e.recipient, &books);
		e.after.personal = e.before.personal + bookp.fresh;
		e.after.recipient_personal = e.before.recipient_personal + bookp.recipient_fresh;
		e.after.sensitive = e.before.sensitive + books.fresh;
		e.after.recipient_sensitive = e.before.recipient_sensitive + books.recipient_fresh;
	}
	else
	{
		int64		fresh,
					total,
					rfresh,
					rtotal;

		count_new(&e, AX_CAT_PERSONAL, setp, &fresh, &total, &rfresh, &rtotal);
		e.after.personal = e.before.personal + fresh;
		e.after.recipient_personal = e.before.recipient_personal + rfresh;
		count_new(&e, AX_CAT_SENSITIVE_PERSONAL, sets, &fresh, &total, &rfresh, &rtotal);
		e.after.sensitive = e.before.sensitive + fresh;
		e.after.recipient_sensitive = e.before.recipient_sensitive + rfresh;
	}
	at = ax_verdict_state_as_of(e.recipient, e.purpose, e.today, e.after.personal, e.after.sensitive,
								e.after.recipient_personal, e.after.recipient_sensitive);
	fail = failing_label(&e, at, -1);
	if (fail >= 0 && !trim_excess)
	{
		const AxDecision *d = ax_verdict_decide(at, e.labels[fail].label);

		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("autoxfer.export refused: the batch takes this year's tallies past what is filed for recipient %s, purpose %s (%s)",
						e.recipient, e.purpose, d->rule),
				 errdetail("Personal tally: %s individuals before the batch, %s after; sensitive tally: %s before, %s after; the recipient's tallies after: personal %s, sensitive %s. At those counts: %s",
						   ax_format_count(e.before.personal), ax_format_count(e.after.personal),
						   ax_format_count(e.before.sensitive), ax_format_count(e.after.sensitive),
						   ax_format_count(e.after.recipient_personal),
						   ax_format_count(e.after.recipient_sensitive), d->reason),
				 errhint("Record the %s the rules need (autoxfer.record_filing), export only what still fits (on_excess => 'trim'), or split the batch by purpose.",
						 d->measure == AX_MEASURE_ASSESSMENT ? "security assessment" :
						 d->measure == AX_MEASURE_PROHIBITED ? "approval" : "standard contract or certification")));
	}
	if (fail >= 0)
	{
		admit = palloc_extended(sizeof(bool) * Max(e.ncand, 1), MCXT_ALLOC_HUGE);
		e.withheld[W_EXCESS] = trim(&e, at, admit);
		pfree(bp);
		pfree(bs);
		bp = batch_set(&e, admit, AX_TALLY_PERSONAL, &np);
		bs = batch_set(&e, admit, AX_TALLY_SENSITIVE, &ns);
		setp = ax_subject_set_from_words(bp, np);
		sets = ax_subject_set_from_words(bs, ns);
	}

	/* 6. book (unless done above) and log (as the owner), then return the rows */
	if (trim_excess)
	{
		ax_ledger_book(e.year, AX_CAT_PERSONAL, setp, e.recipient, &bookp);
		ax_ledger_book(e.year, AX_CAT_SENSITIVE_PERSONAL, sets, e.recipient, &books);
	}

	/* the measures and filings of the batch, at the counts it reached */
	ax_verdict_set_counts(at, bookp.total, books.total, bookp.recipient_total, books.recipient_total);
	label_used = palloc0(sizeof(bool) * Max(e.nlabels, 1));
	for (int64 i = 0; i < e.ncand; i++)
		if (admit == NULL || admit[i])
			label_used[e.cand[i].label] = true;
	for (int i = 0; i < e.nlabels; i++)
	{
		const AxDecision *d;
		char	   *r;
		char	   *tok;

		if (!label_used[i])
			continue;
		d = ax_verdict_decide(at, e.labels[i].label);
		if (!d->exportable)
			continue;
		if (!listed(measures, nmeasures, ObjectIdGetDatum(ax_vocab_value(AX_VOCAB_MEASURE, d->measure))))
			measures[nmeasures++] = ObjectIdGetDatum(ax_vocab_value(AX_VOCAB_MEASURE, d->measure));
		if (d->exemption >= 0 &&
			!listed(exemptions, nexemptions, ObjectIdGetDatum(ax_vocab_value(AX_VOCAB_EXEMPTION, d->exemption))))
			exemptions[nexemptions++] = ObjectIdGetDatum(ax_vocab_value(AX_VOCAB_EXEMPTION, d->exemption));
		if (d->filing && nfilings < (int) lengthof(filings) && !listed(filings, nfilings, Int64GetDatum(d->filing)))
			filings[nfilings++] = Int64GetDatum(d->filing);
		if (d->evidence && nevidence < (int) lengthof(evidence) && !listed(evidence, nevidence, Int64GetDatum(d->evidence)))
			evidence[nevidence++] = Int64GetDatum(d->evidence);
		r = pstrdup(d->rule);
		for (tok = strtok(r, ","); tok && nrules < (int) lengthof(rules); tok = strtok(NULL, ","))
		{
			bool		seen = false;

			for (int j = 0; j < nrules && !seen; j++)
				seen = strcmp(TextDatumGetCString(rules[j]), tok) == 0;
			if (!seen)
				rules[nrules++] = CStringGetTextDatum(tok);
		}
	}

	if (admit)
	{
		for (int64 i = 0; i < e.ncand; i++)
			returned += admit[i] ? 1 : 0;
	}
	else
		returned = e.ncand;
	initStringInfo(&withheld);
	appendStringInfoChar(&withheld, '{');
	for (int w = 0; w < W_N; w++)
	{
		if (e.withheld[w] == 0)
			continue;
		appendStringInfo(&withheld, "%s\"%s\": " INT64_FORMAT, withheld.len > 1 ? ", " : "",
						 withheld_names[w], e.withheld[w]);
		nwithheld += e.withheld[w];
	}
	appendStringInfoChar(&withheld, '}');

	memset(&log, 0, sizeof(log));
	log.kind = "export";
	log.booked_at = GetCurrentTransactionStartTimestamp();
	log.year = e.year;
	log.recipient = e.recipient;
	log.purpose = e.purpose;
	log.tbl = quote_qualified_identifier(get_namespace_name(get_rel_namespace(relid)), get_rel_name(relid));
	log.filter = filter;
	log.rows_returned = returned;
	log.rows_withheld = nwithheld;
	log.withheld_json = withheld.data;
	log.new_personal = bookp.fresh;
	log.new_sensitive = books.fresh;
	log.total_personal = bookp.total;
	log.total_sensitive = books.total;
	log.measures = array_of(measures, nmeasures, ax_vocab(AX_VOCAB_MEASURE)->typid, sizeof(Oid), true, TYPALIGN_INT);
	log.exemptions = array_of(exemptions, nexemptions, ax_vocab(AX_VOCAB_EXEMPTION)->typid, sizeof(Oid), true, TYPALIGN_INT);
	log.filings = array_of(filings, nfilings, INT8OID, sizeof(int64), FLOAT8PASSBYVAL, TYPALIGN_DOUBLE);
	log.evidence = array_of(evidence, nevidence, INT8OID, sizeof(int64), FLOAT8PASSBYVAL, TYPALIGN_DOUBLE);
	log.rules = array_of(rules, nrules, TEXTOID, -1, false, TYPALIGN_INT);
	log.subjects_personal = setp;
	log.subjects_sensitive = sets;
	(void) ax_transfer_log_write(&caller, &log, &decision_id);
	ax_owner_spi_end(save_user, save_sec);
	MemoryContextDelete(at->cxt);
	PopActiveSnapshot();

	if (nwithheld > 0)
		ereport(NOTICE,
				(errmsg("autoxfer.export: " INT64_FORMAT " rows to %s for %s, " INT64_FORMAT " withheld: %s",
						returned, e.recipient, e.purpose, nwithheld, withheld.data),
				 errdetail("Decision %s; %s new individuals this year (personal tally %s, sensitive %s).",
						   decision_id, ax_format_count(bookp.fresh + books.fresh),
						   ax_format_count(bookp.total), ax_format_count(books.total)),
				 e.withheld[W_EXCESS] > 0 ?
				 errhint("Rows left out would have crossed a threshold with no filing in force; record the filing and export them again.") :
				 e.withheld[W_NO_SUBJECT] > 0 ?
				 errhint("Rows about an individual whose subject is NULL cannot be counted; fill the subject column to export them.") : 0));

	/* the rows, in the order selected */
	oldcxt = MemoryContextSwitchTo(rsinfo->econtext->ecxt_per_query_memory);
	rsinfo->returnMode = SFRM_Materialize;
	rsinfo->setDesc = e.desc;
	if (admit == NULL)
		rsinfo->setResult = e.rows;
	else
	{
		Tuplestorestate *out = tuplestore_begin_heap(true, false, work_mem);
		TupleTableSlot *slot = MakeSingleTupleTableSlot(e.desc, &TTSOpsMinimalTuple);
		int64		i = 0;

		tuplestore_rescan(e.rows);
		while (tuplestore_gettupleslot(e.rows, true, false, slot))
		{
			if (admit[i++])
				tuplestore_puttupleslot(out, slot);
		}
		ExecDropSingleTupleTableSlot(slot);
		tuplestore_end(e.rows);
		rsinfo->setResult = out;
	}
	MemoryContextSwitchTo(oldcxt);
	return (Datum) 0;
}
