/*
 * classify.c
 *		Compute the label of a row from the compiled state of its table, and
 *		the SQL functions classify, explain and rule_status built on it.
 *
 * The category of a row is the most severe contribution of the active
 * rules, taken in rule-id order; the deciding rule is the first
 * prohibiting rule that matched (rule P3: never exported, whatever the
 * category), else the first rule that gave that category.  The tallies are
 * those of every matched rule that gives personal (the personal tally) or
 * sensitive personal data (both tallies), so that an important row that
 * also holds personal information says so.  Elements are those of every matched rule that gives
 * a category, exemptions those of every matched eligibility rule.  The mark
 * is the row's verdict before any filing or purpose: exportable for general
 * data; conditional for non-sensitive personal data (small-volume
 * exemption) and for rows eligible for an evidence-based exemption E7-E9;
 * blocked for sensitive personal and important data and, always, for core
 * and for rows a prohibiting rule matched.
 *
 * A predicate that raises an error for a row (division by zero, a failed
 * cast) aborts the statement, with an error context naming the rule and the
 * table: classification fails closed, and no row is written unlabelled.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/relation.h"
#include "access/table.h"
#include "catalog/pg_type.h"
#include "executor/executor.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "parser/parse_type.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/tuplestore.h"

#include "label.h"
#include "owner.h"
#include "rules.h"
#include "vocab.h"

#define AX_EVIDENCE_EXEMPTIONS \
	((1u << AX_EX_VULNERABILITY_REPORTED) | (1u << AX_EX_INCIDENT_REPORTED) | \
	 (1u << AX_EX_OTA_SOURCE_FILED))

/* Which rule is being evaluated, for the error context. */
typedef struct AxEvalErr
{
	AxTableState *ts;
	const AxRuleDef *def;		/* NULL while evaluating the subject */
} AxEvalErr;

/* Error context of a row's classification: names the rule and table. */
static void
ax_eval_errcb(void *arg)
{
	AxEvalErr  *e = (AxEvalErr *) arg;
	const char *relname = get_rel_name(e->ts->relid);

	if (e->def != NULL)
		errcontext("autoxfer rule %s (id %d) classifying a row of table \"%s\"",
				   e->def->code, e->def->id, relname ? relname : "?");
	else
		errcontext("subject expression of autoxfer-protected table \"%s\"",
				   relname ? relname : "?");
}

/* The write-time mark of a category and exemption set. */
static int
ax_mark_of(int category, uint32 exemptions, bool prohibited)
{
	if (category == AX_CAT_CORE || prohibited)
		return AX_MARK_BLOCKED;
	if (category == AX_CAT_GENERAL)
		return AX_MARK_EXPORTABLE;
	if (category == AX_CAT_PERSONAL || (exemptions & AX_EVIDENCE_EXEMPTIONS) != 0)
		return AX_MARK_CONDITIONAL;
	return AX_MARK_BLOCKED;
}

/* Report one contribution to fn, when there is one. */
static inline void
report(AxContributionFn fn, void *arg, const AxRuleDef *def, const char *column,
	   bool via_subject)
{
	AxContribution c;

	if (fn == NULL)
		return;
	c.def = def;
	c.column = column;
	c.via_subject = via_subject;
	fn(arg, &c);
}

/*
 * The label of the row in slot, under the compiled state ts.  When fn is
 * given, every contribution is reported to it (for explain); the trigger
 * passes NULL and stops scanning declared columns at the first non-NULL.
 */
ax_label
ax_classify_slot(AxTableState *ts, TupleTableSlot *slot, AxContributionFn fn, void *arg)
{
	ExprContext *econtext = ts->econtext;
	ErrorContextCallback errcb;
	AxEvalErr	errinfo;
	AxLabelFields f;
	int			category = AX_CAT_GENERAL;
	uint32		rule = 0;
	uint32		elements = 0;
	uint32		exemptions = 0;
	uint32		tallies = 0;
	bool		prohibited = false;

	ResetExprContext(econtext);
	econtext->ecxt_scantuple = slot;

	errinfo.ts = ts;
	errinfo.def = NULL;
	errcb.callback = ax_eval_errcb;
	errcb.arg = &errinfo;
	errcb.previous = error_context_stack;
	error_context_stack = &errcb;
	/* only built-in and autoxfer functions run from here (owner.c) */
	ax_guard_enter();

	for (int i = 0; i < ts->nactive; i++)
	{
		const AxCompiledRule *cr = &ts->active[i];
		const AxRuleDef *def = cr->def;
		bool		matched = false;

		if (cr->kind == AX_RULE_DATA)
		{
			if (cr->use_subject)
			{
				bool		isnull;

				errinfo.def = NULL;
				(void) ExecEvalExprSwitchContext(ts->subject, econtext, &isnull);
				if (!isnull)
				{
					matched = true;
					report(fn, arg, def, NULL, true);
				}
			}
			for (int j = 0; j < cr->ncols && (!matched || fn != NULL); j++)
			{
				bool		isnull;

				if (cr->colexprs[j] != NULL)
				{
					errinfo.def = def;
					(void) ExecEvalExprSwitchContext(cr->colexprs[j], econtext, &isnull);
				}
				else
					isnull = slot_attisnull(slot, cr->cols[j]);
				if (!isnull)
				{
					matched = true;
					report(fn, arg, def, cr->colnames[j], false);
				}
			}
		}
		else
		{
			bool		isnull;
			Datum		d;

			errinfo.def = def;
			d = ExecEvalExprSwitchContext(cr->state, econtext, &isnull);
			matched = !isnull && DatumGetBool(d);
			if (matched)
				report(fn, arg, def, NULL, false);
		}
		if (!matched)
			continue;
		if (def->category >= 0)
		{
			elements |= def->elements;
			tallies |= ax_label_implied_tallies(def->category);
			if (def->prohibits && !prohibited)
			{
				prohibited = true;
				rule = def->id;
			}
			if (def->category > category)
			{
				category = def->category;
				if (!prohibited)
					rule = def->id;
			}
		}
		if (def->exemption >= 0)
			exemptions |= 1u << def->exemption;
	}
	ax_guard_leave();
	error_context_stack = errcb.previous;

	f.category = category;
	f.mark = ax_mark_of(category, exemptions, prohibited);
	f.tallies = tallies;
	f.scenario = ts->cat.scenario;
	f.elements = elements;
	f.exemptions = exemptions;
	f.rule = rule;
	f.generation = ts->cat.generation;
	return ax_label_pack(&f);
}

/*
 * The value of the table's subject expression for the row in slot (the
 * individual it is about), as text, in the state's per-row memory: what
 * the export path hashes into the ledger.  Evaluated under the guard, from
 * the expression compiled as the owner (never a caller's function).
 */
Datum
ax_subject_of_slot(AxTableState *ts, TupleTableSlot *slot, bool *isnull)
{
	ExprContext *econtext = ts->econtext;
	Datum		d;

	ResetExprContext(econtext);
	econtext->ecxt_scantuple = slot;
	ax_guard_enter();
	d = ExecEvalExprSwitchContext(ts->subject, econtext, isnull);
	ax_guard_leave();
	if (*isnull)
		return (Datum) 0;
	if (ts->subject_type != TEXTOID)
	{
		MemoryContext old = MemoryContextSwitchTo(econtext->ecxt_per_tuple_memory);

		d = CStringGetTextDatum(OidOutputFunctionCall(ts->subject_out, d));
		MemoryContextSwitchTo(old);
	}
	return d;
}

/* Refuse classify() or explain() of a row of relid: no SELECT on its labels. */
static void
refuse_classify(Oid relid)
{
	ereport(ERROR,
			(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
			 errmsg("permission denied to classify rows of table %s", get_rel_name(relid)),
			 errdetail("classify() and explain() answer only for tables whose label column the caller may read."),
			 errhint("Ask for SELECT on the table, or on its label column.")));
}

/*
 * The compiled state of the table a row value belongs to, with the row
 * stored in the state's slot.  Errors if the value is not a row of a table
 * or the table is not protected, and unless the caller may read the
 * table's label column: classify() and explain() answer about rows of
 * tables whose labels the caller could read anyway, so that a row built by
 * hand (ROW(...)::t) cannot probe what the caller may not see, such as the
 * sensitive areas behind rule I1.
 */
static AxTableState *
state_for_row(HeapTupleHeader td, HeapTupleData *tuple)
{
	Oid			typid = HeapTupleHeaderGetTypeId(td);
	Oid			relid = OidIsValid(typid) ? typeidTypeRelid(typid) : InvalidOid;
	AxTableState *ts;
	bool		table_ok;

	if (!OidIsValid(relid) || get_rel_relkind(relid) == RELKIND_COMPOSITE_TYPE)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("argument must be a row of a protected table"),
				 errhint("Pass the whole row, as in: SELECT autoxfer.classify(t) FROM t")));
	/* no compilation for who may read none of the table's columns */
	table_ok = pg_class_aclcheck(relid, GetUserId(), ACL_SELECT) == ACLCHECK_OK;
	if (!table_ok &&
		pg_attribute_aclcheck_all(relid, GetUserId(), ACL_SELECT, ACLMASK_ANY) != ACLCHECK_OK)
		refuse_classify(relid);
	ts = ax_table_state(relid);
	if (!table_ok &&
		pg_attribute_aclcheck(relid, ts->label_attno, GetUserId(), ACL_SELECT) != ACLCHECK_OK)
		refuse_classify(relid);
	tuple->t_len = HeapTupleHeaderGetDatumLength(td);
	ItemPointerSetInvalid(&tuple->t_self);
	tuple->t_tableOid = relid;
	tuple->t_data = td;
	ExecStoreHeapTuple(tuple, ts->slot, false);
	return ts;
}

PG_FUNCTION_INFO_V1(ax_classify);

/* autoxfer.classify(record): the label the trigger would write for a row. */
Datum
ax_classify(PG_FUNCTION_ARGS)
{
	HeapTupleData tuple;
	AxTableState *ts = state_for_row(PG_GETARG_HEAPTUPLEHEADER(0), &tuple);
	ax_label	l = ax_classify_slot(ts, ts->slot, NULL, NULL);

	ExecClearTuple(ts->slot);
	PG_RETURN_AXLABEL(l);
}

/* Where explain collects its rows. */
typedef struct ExplainState
{
	ReturnSetInfo *rsinfo;
} ExplainState;

/* An autoxfer.element[] of a bit set. */
static Datum
element_array(uint32 bits)
{
	const AxEnumMap *map = ax_vocab(AX_VOCAB_ELEMENT);
	Datum		elems[AX_N_ELEMENTS];
	int			n = 0;

	for (int i = 0; i < AX_N_ELEMENTS; i++)
	{
		if (bits & (1u << i))
			elems[n++] = ObjectIdGetDatum(map->values[i]);
	}
	return PointerGetDatum(construct_array(elems, n, map->typid, sizeof(Oid), true, TYPALIGN_INT));
}

/* One row of explain's result. */
static void
explain_row(void *arg, const AxContribution *c)
{
	ExplainState *es = (ExplainState *) arg;
	Datum		values[8];
	bool		nulls[8];
	const AxRuleDef *def = c->def;

	memset(nulls, 0, sizeof(nulls));
	values[0] = CStringGetTextDatum(c->via_subject ? "subject" :
									c->column != NULL ? "declaration" : "rule");
	values[1] = Int32GetDatum(def->id);
	values[2] = CStringGetTextDatum(def->code);
	if (def->category >= 0)
		values[3] = ObjectIdGetDatum(ax_vocab_value(AX_VOCAB_CATEGORY, def->category));
	else
		nulls[3] = true;
	values[4] = element_array(def->elements);
	if (def->exemption >= 0)
		values[5] = ObjectIdGetDatum(ax_vocab_value(AX_VOCAB_EXEMPTION, def->exemption));
	else
		nulls[5] = true;
	if (c->column != NULL)
		values[6] = CStringGetTextDatum(c->column);
	else if (c->via_subject)
		values[6] = CStringGetTextDatum("subject");
	else
		nulls[6] = true;
	values[7] = CStringGetTextDatum(def->clause);
	tuplestore_putvalues(es->rsinfo->setResult, es->rsinfo->setDesc, values, nulls);
}

PG_FUNCTION_INFO_V1(ax_explain);

/*
 * autoxfer.explain(record): one row per declaration and rule that
 * contributed to the row's label, in rule order.
 */
Datum
ax_explain(PG_FUNCTION_ARGS)
{
	HeapTupleHeader td = PG_GETARG_HEAPTUPLEHEADER(0);
	HeapTupleData tuple;
	AxTableState *ts;
	ExplainState es;

	InitMaterializedSRF(fcinfo, 0);
	es.rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	ts = state_for_row(td, &tuple);
	(void) ax_classify_slot(ts, ts->slot, explain_row, &es);
	ExecClearTuple(ts->slot);
	return (Datum) 0;
}

PG_FUNCTION_INFO_V1(ax_rule_status);

/*
 * autoxfer.rule_status(rel regclass): every rule of the catalogue that
 * concerns the table, whether it is active on it, and why not (or which of
 * its attributes the table does not declare).
 */
Datum
ax_rule_status(PG_FUNCTION_ARGS)
{
	Oid			relid = PG_GETARG_OID(0);
	ReturnSetInfo *rsinfo;
	AxTableState *ts;

	InitMaterializedSRF(fcinfo, 0);
	rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	ts = ax_table_state(relid);
	for (int i = 0; i < ts->nstatus; i++)
	{
		const AxRuleStatus *st = &ts->status[i];
		Datum		values[4];
		bool		nulls[4] = {false, false, false, false};

		values[0] = Int32GetDatum(st->def->id);
		values[1] = CStringGetTextDatum(st->def->code);
		values[2] = BoolGetDatum(st->active);
		if (st->reason != NULL)
			values[3] = CStringGetTextDatum(st->reason);
		else
			nulls[3] = true;
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

PG_FUNCTION_INFO_V1(ax_check_table);

/*
 * autoxfer._check_table(rel regclass): compile the table's declarations and
 * rules as they stand in this transaction, without caching, so that a
 * catalogue change that would break classification is refused when it is
 * made rather than at the next insert.
 */
Datum
ax_check_table(PG_FUNCTION_ARGS)
{
	Oid			relid = PG_GETARG_OID(0);
	MemoryContext cxt;
	MemoryContext old;
	AxTableState tmp;
	Relation	rel;
	Oid			root;

	cxt = AllocSetContextCreate(CurrentMemoryContext, "autoxfer check", ALLOCSET_DEFAULT_SIZES);
	old = MemoryContextSwitchTo(cxt);
	memset(&tmp, 0, sizeof(tmp));
	tmp.relid = relid;
	ax_catalog_load(relid, &root, &tmp.cat, false);
	rel = table_open(relid, AccessShareLock);
	ax_compile_table(&tmp, rel);
	table_close(rel, AccessShareLock);
	ExecDropSingleTupleTableSlot(tmp.slot);
	FreeExprContext(tmp.econtext, true);
	MemoryContextSwitchTo(old);
	MemoryContextDelete(cxt);
	PG_RETURN_VOID();
}

PG_FUNCTION_INFO_V1(ax_check_rules);

/*
 * autoxfer._check_rules(): compile every rule of the catalogue on its own
 * (attributes read as NULL; a bound rule against its table), so that a
 * predicate that does not parse, names something unknown, is not boolean
 * or calls a volatile function is refused even when no table is protected.
 */
Datum
ax_check_rules(PG_FUNCTION_ARGS)
{
	MemoryContext cxt;
	MemoryContext old;
	AxCatalog	cat;
	Oid			root;

	cxt = AllocSetContextCreate(CurrentMemoryContext, "autoxfer check", ALLOCSET_DEFAULT_SIZES);
	old = MemoryContextSwitchTo(cxt);
	ax_catalog_load(InvalidOid, &root, &cat, true);
	for (int i = 0; i < cat.nrules; i++)
	{
		const AxRuleDef *def = &cat.rules[i];
		Relation	rel = NULL;

		if (def->bound)
		{
			rel = try_relation_open(def->rel, AccessShareLock);
			if (rel == NULL)
				ereport(ERROR,
						(errcode(ERRCODE_UNDEFINED_TABLE),
						 errmsg("rule %s is bound to a table that does not exist", def->code)));
		}
		ax_compile_standalone(&cat, def, rel);
		if (rel != NULL)
			relation_close(rel, AccessShareLock);
	}
	MemoryContextSwitchTo(old);
	MemoryContextDelete(cxt);
	PG_RETURN_VOID();
}
