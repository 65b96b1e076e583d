/*
 * views.c
 *		autoxfer._label_tally(label): the aggregate behind view
 *		autoxfer.table_summary, the rows of a table per distinct label.
 *
 * table_summary must cost about what count(*) of the same tables costs
 * (docs/compliance.md).  GROUP BY label gives the answer, but its hash
 * aggregation probes a general hash table through the type's hash and
 * equality functions for every row; a table holds few distinct labels (a
 * few per category and mark), so this aggregate keeps them in a small
 * open-addressing table of 8-byte keys, with the last label's slot
 * remembered (rows written together tend to share a label).  Partial
 * states (parallel workers) are serialised as the pairs they hold and
 * merged.  The result is an array of autoxfer.label_count (label, n).
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "funcapi.h"
#include "libpq/pqformat.h"
#include "utils/array.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/typcache.h"

#include "label.h"

/* The distinct labels seen and their rows. */
typedef struct LabelTally
{
	int			cap;			/* a power of two */
	int			used;
	int			last;			/* slot of the last label, -1 for none */
	ax_label   *keys;
	int64	   *counts;
	bool	   *full;
} LabelTally;

/* A new, empty tally in the given memory context. */
static LabelTally *
tally_new(MemoryContext cxt, int cap)
{
	LabelTally *t = MemoryContextAllocZero(cxt, sizeof(LabelTally));

	t->cap = cap;
	t->last = -1;
	t->keys = MemoryContextAllocZero(cxt, sizeof(ax_label) * cap);
	t->counts = MemoryContextAllocZero(cxt, sizeof(int64) * cap);
	t->full = MemoryContextAllocZero(cxt, sizeof(bool) * cap);
	return t;
}

/* The slot of a key in a table of cap slots (linear probing). */
static inline int
tally_slot(const ax_label *keys, const bool *full, int cap, ax_label key)
{
	int			slot = (int) ((key * UINT64CONST(0x9E3779B97F4A7C15)) >> 40) & (cap - 1);

	while (full[slot] && keys[slot] != key)
		slot = (slot + 1) & (cap - 1);
	return slot;
}

/* Double the table, keeping its load under a half. */
static void
tally_grow(LabelTally *t, MemoryContext cxt)
{
	int			oldcap = t->cap;
	ax_label   *oldkeys = t->keys;
	int64	   *oldcounts = t->counts;
	bool	   *oldfull = t->full;

	t->cap *= 2;
	t->keys = MemoryContextAllocZero(cxt, sizeof(ax_label) * t->cap);
	t->counts = MemoryContextAllocZero(cxt, sizeof(int64) * t->cap);
	t->full = MemoryContextAllocZero(cxt, sizeof(bool) * t->cap);
	for (int i = 0; i < oldcap; i++)
	{
		int			s;

		if (!oldfull[i])
			continue;
		s = tally_slot(t->keys, t->full, t->cap, oldkeys[i]);
		t->full[s] = true;
		t->keys[s] = oldkeys[i];
		t->counts[s] = oldcounts[i];
	}
	t->last = -1;
	pfree(oldkeys);
	pfree(oldcounts);
	pfree(oldfull);
}

/* Add n rows of a label. */
static inline void
tally_add(LabelTally *t, MemoryContext cxt, ax_label key, int64 n)
{
	int			slot;

	if (t->last >= 0 && t->keys[t->last] == key)
	{
		t->counts[t->last] += n;
		return;
	}
	slot = tally_slot(t->keys, t->full, t->cap, key);
	if (!t->full[slot])
	{
		if ((t->used + 1) * 2 > t->cap)
		{
			tally_grow(t, cxt);
			slot = tally_slot(t->keys, t->full, t->cap, key);
		}
		t->full[slot] = true;
		t->keys[slot] = key;
		t->used++;
	}
	t->counts[slot] += n;
	t->last = slot;
}

/* The aggregate's memory context; errors outside an aggregate. */
static MemoryContext
agg_context(FunctionCallInfo fcinfo, const char *fn)
{
	MemoryContext cxt;

	if (!AggCheckCallContext(fcinfo, &cxt))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("%s must be called as part of an aggregate", fn)));
	return cxt;
}

PG_FUNCTION_INFO_V1(ax_label_tally_trans);

/* Transition of _label_tally: one row; NULL labels are not counted. */
Datum
ax_label_tally_trans(PG_FUNCTION_ARGS)
{
	MemoryContext cxt = agg_context(fcinfo, "autoxfer._label_tally_trans");
	LabelTally *t = PG_ARGISNULL(0) ? NULL : (LabelTally *) PG_GETARG_POINTER(0);

	if (t == NULL)
		t = tally_new(cxt, 16);
	if (!PG_ARGISNULL(1))
		tally_add(t, cxt, PG_GETARG_AXLABEL(1), 1);
	PG_RETURN_POINTER(t);
}

PG_FUNCTION_INFO_V1(ax_label_tally_combine);

/* Combine function: the second partial tally merged into the first. */
Datum
ax_label_tally_combine(PG_FUNCTION_ARGS)
{
	MemoryContext cxt = agg_context(fcinfo, "autoxfer._label_tally_combine");
	LabelTally *a = PG_ARGISNULL(0) ? NULL : (LabelTally *) PG_GETARG_POINTER(0);
	LabelTally *b = PG_ARGISNULL(1) ? NULL : (LabelTally *) PG_GETARG_POINTER(1);

	if (b == NULL)
	{
		if (a == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(a);
	}
	if (a == NULL)
		a = tally_new(cxt, 16);
	for (int i = 0; i < b->cap; i++)
		if (b->full[i])
			tally_add(a, cxt, b->keys[i], b->counts[i]);
	PG_RETURN_POINTER(a);
}

PG_FUNCTION_INFO_V1(ax_label_tally_serial);

/* Serial function: the pairs (label, rows) of a partial tally. */
Datum
ax_label_tally_serial(PG_FUNCTION_ARGS)
{
	LabelTally *t = (LabelTally *) PG_GETARG_POINTER(0);
	StringInfoData buf;

	(void) agg_context(fcinfo, "autoxfer._label_tally_serial");
	pq_begintypsend(&buf);
	pq_sendint32(&buf, t->used);
	for (int i = 0; i < t->cap; i++)
	{
		if (!t->full[i])
			continue;
		pq_sendint64(&buf, (int64) t->keys[i]);
		pq_sendint64(&buf, t->counts[i]);
	}
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

PG_FUNCTION_INFO_V1(ax_label_tally_deserial);

/* Deserial function: a partial tally from its pairs. */
Datum
ax_label_tally_deserial(PG_FUNCTION_ARGS)
{
	MemoryContext cxt = agg_context(fcinfo, "autoxfer._label_tally_deserial");
	bytea	   *b = PG_GETARG_BYTEA_PP(0);
	StringInfoData buf;
	LabelTally *t;
	int			n;

	buf.data = VARDATA_ANY(b);
	buf.len = VARSIZE_ANY_EXHDR(b);
	buf.maxlen = buf.len;
	buf.cursor = 0;
	n = pq_getmsgint(&buf, 4);
	if (n < 0 || (int64) n * 16 != buf.len - 4)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid partial label tally")));
	t = tally_new(cxt, 16);
	for (int i = 0; i < n; i++)
	{
		ax_label	key = (ax_label) pq_getmsgint64(&buf);
		int64		count = pq_getmsgint64(&buf);

		tally_add(t, cxt, key, count);
	}
	pq_getmsgend(&buf);
	PG_RETURN_POINTER(t);
}

PG_FUNCTION_INFO_V1(ax_label_tally_final);

/*
 * Final function: the tally as an array of autoxfer.label_count, in label
 * order; an empty array for no rows.
 */
Datum
ax_label_tally_final(PG_FUNCTION_ARGS)
{
	LabelTally *t = PG_ARGISNULL(0) ? NULL : (LabelTally *) PG_GETARG_POINTER(0);
	Oid			arraytype = get_fn_expr_rettype(fcinfo->flinfo);
	Oid			rowtype = OidIsValid(arraytype) ? get_element_type(arraytype) : InvalidOid;
	TupleDesc	desc;
	Datum	   *elems;
	int			n = 0;
	int16		typlen;
	bool		typbyval;
	char		typalign;

	if (!OidIsValid(rowtype))
		elog(ERROR, "autoxfer._label_tally_final must return an array of autoxfer.label_count");
	desc = lookup_rowtype_tupdesc_copy(rowtype, -1);
	if (desc->natts != 2)
		elog(ERROR, "autoxfer.label_count must have two columns");
	elems = palloc(sizeof(Datum) * Max(t ? t->used : 0, 1));
	if (t)
	{
		ax_label   *keys = palloc(sizeof(ax_label) * Max(t->used, 1));
		int64	   *counts = palloc(sizeof(int64) * Max(t->used, 1));

		/* insertion sort by label: there are few */
		for (int i = 0; i < t->cap; i++)
		{
			int			j;

			if (!t->full[i])
				continue;
			for (j = n; j > 0 && keys[j - 1] > t->keys[i]; j--)
			{
				keys[j] = keys[j - 1];
				counts[j] = counts[j - 1];
			}
			keys[j] = t->keys[i];
			counts[j] = t->counts[i];
			n++;
		}
		for (int i = 0; i < n; i++)
		{
			Datum		values[2] = {AxLabelGetDatum(keys[i]), Int64GetDatum(counts[i])};
			bool		nulls[2] = {false, false};

			elems[i] = HeapTupleGetDatum(heap_form_tuple(desc, values, nulls));
		}
	}
	get_typlenbyvalalign(rowtype, &typlen, &typbyval, &typalign);
	PG_RETURN_ARRAYTYPE_P(construct_array(elems, n, rowtype, typlen, typbyval, typalign));
}
