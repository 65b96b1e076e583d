/*
 * copy.c
 *		COPY FROM into a protected table, labelled in bulk.
 *
 * PostgreSQL turns COPY's multi-insert path off for any table with a BEFORE
 * ROW INSERT trigger, because such a trigger might read the table it fires
 * on.  The enforcing trigger does not: it only computes the row's label
 * from the row and the compiled catalogue.  Row-by-row insertion (one heap
 * insert, one WAL record, one buffer lock per row) is most of the cost of
 * COPY into a protected table, so this file gives COPY FROM its own path
 * for the common case: a ProcessUtility hook takes a COPY FROM whose target
 * is a plain protected table whose only BEFORE/INSTEAD ROW INSERT trigger
 * is autoxfer's (enabled ALWAYS, as protect() leaves it), reads the rows
 * with the server's own COPY parser (BeginCopyFrom/NextCopyFrom), labels
 * each row exactly as the trigger would, at the point where the trigger
 * would fire, and writes them in batches with table_multi_insert, then
 * indexes and AFTER ROW triggers (foreign keys, transition tables) per row
 * as the server's COPY does.
 *
 * Everything else is left to the server's COPY (and so to the trigger):
 * other BEFORE or INSTEAD row triggers, a disabled or replica-only trigger,
 * partitioned targets, FREEZE, row-level security, read-only and parallel
 * mode, recovery, file or program sources the user may not read (the server
 * then raises its own error).  The bulk path is an optimisation only: a
 * label written by it equals the one the trigger writes (regress
 * 49_bulk_copy compares both paths row for row), and setting
 * autoxfer.bulk_copy = off turns it off.
 *
 * The hook exists in a backend once the library is loaded: with autoxfer
 * in shared_preload_libraries (recommended, docs/guide-dba.md) from the
 * first statement, otherwise from the first call of any autoxfer function
 * or trigger in the session.
 */
#include "postgres.h"

#include "access/heapam.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "access/xlog.h"
#include "catalog/namespace.h"
#include "catalog/pg_authid.h"
#include "catalog/pg_trigger.h"
#include "commands/copy.h"
#include "commands/copyfrom_internal.h"
#include "commands/progress.h"
#include "commands/trigger.h"
#include "executor/executor.h"
#include "executor/nodeModifyTable.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "optimizer/optimizer.h"
#include "parser/parse_coerce.h"
#include "parser/parse_collate.h"
#include "parser/parse_expr.h"
#include "parser/parse_relation.h"
#include "pgstat.h"
#include "tcop/utility.h"
#include "utils/acl.h"
#include "utils/backend_progress.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/rls.h"

#include "copy.h"
#include "label.h"
#include "rules.h"

/* Rows and bytes buffered before a batch is written (as the server's COPY). */
#define AX_COPY_MAX_TUPLES	1000
#define AX_COPY_MAX_BYTES	65535

/* autoxfer.bulk_copy */
static bool bulk_copy_enabled = true;

static ProcessUtility_hook_type prev_ProcessUtility = NULL;

/* The rows waiting to be written, with the input line each came from. */
typedef struct AxCopyBatch
{
	TupleTableSlot *slots[AX_COPY_MAX_TUPLES];
	uint64		linenos[AX_COPY_MAX_TUPLES];
	int			nused;
	Size		bytes;
	int			max_tuples;		/* 1 when rows must be written one by one */
	BulkInsertState bistate;
} AxCopyBatch;

static void copy_utility(PlannedStmt *pstmt, const char *queryString,
						 bool readOnlyTree, ProcessUtilityContext context,
						 ParamListInfo params, QueryEnvironment *queryEnv,
						 DestReceiver *dest, QueryCompletion *qc);

/*
 * Register the setting and the utility hook; called once from _PG_init.
 */
void
ax_copy_register(void)
{
	DefineCustomBoolVariable("autoxfer.bulk_copy",
							 "Lets COPY FROM into a protected table label and write its rows in batches.",
							 "Off: COPY inserts row by row and the enforcing trigger labels each row. "
							 "The labels are the same either way.",
							 &bulk_copy_enabled, true, PGC_USERSET, 0,
							 NULL, NULL, NULL);
	prev_ProcessUtility = ProcessUtility_hook;
	ProcessUtility_hook = copy_utility;
}

/*
 * Is trigger autoxfer.enforce()?  Looked up by name and schema, so that a
 * function of the same name elsewhere is not mistaken for it.
 */
static bool
is_enforce_trigger(const Trigger *trigger)
{
	char	   *name = get_func_name(trigger->tgfoid);
	bool		result;

	if (name == NULL || strcmp(name, "enforce") != 0)
		return false;
	result = get_func_namespace(trigger->tgfoid) == get_namespace_oid("autoxfer", true);
	pfree(name);
	return result;
}

/*
 * Can a COPY FROM into rel take the bulk path?  Only when the one row
 * trigger that would fire before the insertion is autoxfer's, enabled
 * ALWAYS (so it fires whatever session_replication_role says), without a
 * WHEN clause, and nothing else makes the server insert row by row.
 * Returns NULL when it can, "" when rel is not protected (no enforcing
 * trigger), else why not, for the DEBUG1 message.
 */
static const char *
bulk_refusal(Relation rel, const CopyStmt *stmt)
{
	TriggerDesc *trigdesc = rel->trigdesc;
	const Trigger *enforce = NULL;
	ListCell   *lc;

	if (trigdesc == NULL)
		return "";
	for (int i = 0; i < trigdesc->numtriggers; i++)
	{
		if (is_enforce_trigger(&trigdesc->triggers[i]))
			enforce = &trigdesc->triggers[i];
	}
	if (enforce == NULL)
		return "";

	if (rel->rd_rel->relkind != RELKIND_RELATION)
		return "the table is partitioned (COPY straight into a partition is written in batches)";
	if (enforce->tgenabled != TRIGGER_FIRES_ALWAYS)
		return "its trigger zz_autoxfer_enforce is not enabled ALWAYS";
	if (enforce->tgqual != NULL || enforce->tgnargs != 0 ||
		!TRIGGER_TYPE_MATCHES(enforce->tgtype, TRIGGER_TYPE_ROW,
							  TRIGGER_TYPE_BEFORE, TRIGGER_TYPE_INSERT))
		return "its trigger zz_autoxfer_enforce has been altered";
	if (trigdesc->trig_insert_instead_row)
		return "the table has an INSTEAD OF INSERT trigger";
	for (int i = 0; i < trigdesc->numtriggers; i++)
	{
		const Trigger *trigger = &trigdesc->triggers[i];

		if (trigger != enforce &&
			TRIGGER_TYPE_MATCHES(trigger->tgtype, TRIGGER_TYPE_ROW,
								 TRIGGER_TYPE_BEFORE, TRIGGER_TYPE_INSERT))
			return "the table has another BEFORE INSERT row trigger";
	}
	foreach(lc, stmt->options)
	{
		DefElem    *opt = lfirst_node(DefElem, lc);

		if (strcmp(opt->defname, "freeze") == 0)
			return "COPY FREEZE is left to the server";
	}
	if (check_enable_rls(RelationGetRelid(rel), InvalidOid, true) == RLS_ENABLED)
		return "row-level security applies";
	return NULL;
}

/*
 * Write the batch: the rows into the table in one call, then for each row
 * its index entries and AFTER ROW triggers, with the error context showing
 * the input line of the row concerned.
 */
static void
flush_batch(CopyFromState cstate, EState *estate, ResultRelInfo *rri,
			AxCopyBatch *batch, CommandId mycid, int ti_options,
			TransitionCaptureState *transition, int64 *processed)
{
	bool		line_buf_valid = cstate->line_buf_valid;
	uint64		save_lineno = cstate->cur_lineno;
	MemoryContext oldcxt;
	TriggerDesc *trigdesc = rri->ri_TrigDesc;
	bool		after_row = trigdesc != NULL &&
		(trigdesc->trig_insert_after_row || trigdesc->trig_insert_new_table);

	if (batch->nused == 0)
		return;

	/* an error below is about a row, not the line last read */
	cstate->line_buf_valid = false;

	/* table_multi_insert may leak: run it in the per-row context */
	oldcxt = MemoryContextSwitchTo(GetPerTupleMemoryContext(estate));
	table_multi_insert(rri->ri_RelationDesc, batch->slots, batch->nused,
					   mycid, ti_options, batch->bistate);
	MemoryContextSwitchTo(oldcxt);

	for (int i = 0; i < batch->nused; i++)
	{
		TupleTableSlot *slot = batch->slots[i];

		cstate->cur_lineno = batch->linenos[i];
		if (rri->ri_NumIndices > 0)
		{
			List	   *recheck;

			recheck = ExecInsertIndexTuples(rri, slot, estate, false, false,
											NULL, NIL);
			ExecARInsertTriggers(estate, rri, slot, recheck, transition);
			list_free(recheck);
		}
		else if (after_row)
			ExecARInsertTriggers(estate, rri, slot, NIL, transition);
		ExecClearTuple(slot);
	}

	*processed += batch->nused;
	pgstat_progress_update_param(PROGRESS_COPY_TUPLES_PROCESSED, *processed);
	batch->nused = 0;
	batch->bytes = 0;

	cstate->line_buf_valid = line_buf_valid;
	cstate->cur_lineno = save_lineno;
}

/*
 * The insertion loop of COPY FROM for a table bulk_refusal() accepted:
 * what the server's CopyFrom does for a plain table in its multi-insert
 * mode, with the label written where the enforcing trigger would write it
 * (after the WHERE clause, before stored generated columns and
 * constraints).  Returns the number of rows inserted.
 */
static uint64
bulk_copy_from(CopyFromState cstate)
{
	EState	   *estate = CreateExecutorState();
	ResultRelInfo *rri;
	ModifyTableState *mtstate;
	ExprContext *econtext;
	MemoryContext oldcxt = CurrentMemoryContext;
	MemoryContext batchcxt;
	ErrorContextCallback errcallback;
	CommandId	mycid = GetCurrentCommandId(true);
	int			ti_options = 0;
	TransitionCaptureState *transition;
	AxCopyBatch *batch;
	Relation	rel = cstate->rel;
	Oid			relid = RelationGetRelid(rel);
	TupleDesc	desc = RelationGetDescr(rel);
	bool		has_generated = desc->constr && desc->constr->has_generated_stored;
	int64		processed = 0;
	int64		excluded = 0;

	/* new storage in this transaction: the free space map has nothing */
	if (rel->rd_createSubid != InvalidSubTransactionId ||
		rel->rd_firstRelfilenodeSubid != InvalidSubTransactionId)
		ti_options |= TABLE_INSERT_SKIP_FSM;

	ExecInitRangeTable(estate, cstate->range_table);
	rri = makeNode(ResultRelInfo);
	ExecInitResultRelation(estate, rri, 1);
	CheckValidResultRel(rri, CMD_INSERT);
	ExecOpenIndices(rri, false);

	mtstate = makeNode(ModifyTableState);
	mtstate->ps.plan = NULL;
	mtstate->ps.state = estate;
	mtstate->operation = CMD_INSERT;
	mtstate->mt_nrels = 1;
	mtstate->resultRelInfo = rri;
	mtstate->rootResultRelInfo = rri;

	AfterTriggerBeginQuery();
	transition = MakeTransitionCaptureState(rel->trigdesc, relid, CMD_INSERT);
	cstate->transition_capture = transition;
	if (cstate->whereClause)
		cstate->qualexpr = ExecInitQual(castNode(List, cstate->whereClause),
										&mtstate->ps);

	/*
	 * The slots of the batch live as long as the COPY.  A volatile default
	 * or WHERE clause might read the table, so then every row is written
	 * before the next is read, as the server does.
	 */
	batchcxt = AllocSetContextCreate(CurrentMemoryContext, "autoxfer bulk COPY",
									 ALLOCSET_DEFAULT_SIZES);
	batch = MemoryContextAllocZero(batchcxt, sizeof(AxCopyBatch));
	batch->max_tuples = (cstate->volatile_defexprs ||
						 contain_volatile_functions(cstate->whereClause)) ?
		1 : AX_COPY_MAX_TUPLES;
	batch->bistate = GetBulkInsertState();

	ExecBSInsertTriggers(estate, rri);

	econtext = GetPerTupleExprContext(estate);
	errcallback.callback = CopyFromErrorCallback;
	errcallback.arg = (void *) cstate;
	errcallback.previous = error_context_stack;
	error_context_stack = &errcallback;

	for (;;)
	{
		TupleTableSlot *slot;
		AxTableState *ts;
		ax_label	label;

		CHECK_FOR_INTERRUPTS();
		ResetPerTupleExprContext(estate);

		if (batch->slots[batch->nused] == NULL)
		{
			MemoryContextSwitchTo(batchcxt);
			batch->slots[batch->nused] = table_slot_create(rel, NULL);
		}
		slot = batch->slots[batch->nused];

		/* NextCopyFrom evaluates defaults: it wants the per-row context */
		MemoryContextSwitchTo(GetPerTupleMemoryContext(estate));
		ExecClearTuple(slot);
		if (!NextCopyFrom(cstate, econtext, slot->tts_values, slot->tts_isnull))
			break;
		ExecStoreVirtualTuple(slot);
		slot->tts_tableOid = relid;
		MemoryContextSwitchTo(oldcxt);

		if (cstate->whereClause)
		{
			econtext->ecxt_scantuple = slot;
			if (!ExecQual(cstate->qualexpr, econtext))
			{
				pgstat_progress_update_param(PROGRESS_COPY_TUPLES_EXCLUDED,
											 ++excluded);
				continue;
			}
		}

		/*
		 * What the trigger does: the compiled state is looked up for every
		 * row, so that a catalogue change seen mid-COPY applies from the
		 * next row on, and the state is rebuilt if the table's definition
		 * changed under it.
		 */
		ts = ax_table_state(relid);
		if (ts->natts != desc->natts)
		{
			ts->valid = false;
			ts = ax_table_state(relid);
		}
		label = ax_classify_slot(ts, slot, NULL, NULL);
		slot->tts_values[ts->label_attno - 1] = AxLabelGetDatum(label);
		slot->tts_isnull[ts->label_attno - 1] = false;

		if (has_generated)
			ExecComputeStoredGenerated(rri, estate, slot, CMD_INSERT);
		if (desc->constr)
			ExecConstraints(rri, slot, estate);
		if (rel->rd_rel->relispartition)
			ExecPartitionCheck(rri, slot, estate, true);

		/* the slot may point into the per-row context: make it its own */
		ExecMaterializeSlot(slot);
		batch->linenos[batch->nused] = cstate->cur_lineno;
		batch->nused++;
		batch->bytes += cstate->line_buf.len;
		if (batch->nused >= batch->max_tuples || batch->bytes >= AX_COPY_MAX_BYTES)
			flush_batch(cstate, estate, rri, batch, mycid, ti_options,
						transition, &processed);
	}
	MemoryContextSwitchTo(oldcxt);

	flush_batch(cstate, estate, rri, batch, mycid, ti_options, transition,
				&processed);

	error_context_stack = errcallback.previous;

	FreeBulkInsertState(batch->bistate);
	table_finish_bulk_insert(rel, ti_options);
	for (int i = 0; i < AX_COPY_MAX_TUPLES && batch->slots[i] != NULL; i++)
		ExecDropSingleTupleTableSlot(batch->slots[i]);
	MemoryContextDelete(batchcxt);

	ExecASInsertTriggers(estate, rri, transition);
	AfterTriggerEndQuery(estate);

	ExecResetTupleTable(estate->es_tupleTable, false);
	ExecCloseResultRelations(estate);
	ExecCloseRangeTableRelations(estate);
	FreeExecutorState(estate);

	return processed;
}

/*
 * The checks DoCopy makes of a COPY FROM a file or program, before it opens
 * the table.  Returns false when the server's COPY should raise the error.
 */
static bool
source_allowed(const CopyStmt *stmt)
{
	if (stmt->filename == NULL)
		return true;
	if (stmt->is_program)
		return has_privs_of_role(GetUserId(), ROLE_PG_EXECUTE_SERVER_PROGRAM);
	return has_privs_of_role(GetUserId(), ROLE_PG_READ_SERVER_FILES);
}

/*
 * Run a COPY FROM on the bulk path if it can take it, as DoCopy would run
 * it (the same permission checks, WHERE clause handling and state).
 * Returns false, having done nothing the server's COPY would not do, when
 * the statement is left to the server.
 */
static bool
try_bulk_copy(PlannedStmt *pstmt, const char *queryString, bool readOnlyTree,
			  QueryEnvironment *queryEnv, QueryCompletion *qc)
{
	CopyStmt   *stmt = (CopyStmt *) pstmt->utilityStmt;
	Relation	rel;
	ParseState *pstate;
	ParseNamespaceItem *nsitem;
	RangeTblEntry *rte;
	Node	   *whereClause = NULL;
	List	   *attnums;
	ListCell   *lc;
	CopyFromState cstate;
	uint64		processed;
	const char *refusal;

	if (!stmt->is_from || stmt->relation == NULL || stmt->query != NULL)
		return false;
	/* the server raises the errors of these cases */
	if (XactReadOnly || IsInParallelMode() || RecoveryInProgress() ||
		!source_allowed(stmt))
		return false;

	/* the lock DoCopy takes; kept to the end of the transaction either way */
	rel = table_openrv(stmt->relation, RowExclusiveLock);
	refusal = bulk_refusal(rel, stmt);
	if (refusal != NULL)
	{
		if (refusal[0] != '\0')
			ereport(DEBUG1,
					(errmsg_internal("autoxfer: COPY into \"%s\" inserts row by row: %s",
									 RelationGetRelationName(rel), refusal)));
		table_close(rel, NoLock);
		return false;
	}
	ereport(DEBUG1,
			(errmsg_internal("autoxfer: COPY into \"%s\" labels and writes its rows in batches",
							 RelationGetRelationName(rel))));

	if (readOnlyTree)
		stmt = copyObject(stmt);

	pstate = make_parsestate(NULL);
	pstate->p_sourcetext = queryString;
	pstate->p_queryEnv = queryEnv;
	nsitem = addRangeTableEntryForRelation(pstate, rel, RowExclusiveLock,
										   NULL, false, false);
	rte = nsitem->p_rte;
	rte->requiredPerms = ACL_INSERT;

	if (stmt->whereClause)
	{
		addNSItemToQuery(pstate, nsitem, false, true, true);
		whereClause = transformExpr(pstate, stmt->whereClause, EXPR_KIND_COPY_WHERE);
		whereClause = coerce_to_boolean(pstate, whereClause, "WHERE");
		assign_expr_collations(pstate, whereClause);
		whereClause = eval_const_expressions(NULL, whereClause);
		whereClause = (Node *) canonicalize_qual((Expr *) whereClause, false);
		whereClause = (Node *) make_ands_implicit((Expr *) whereClause);
	}

	attnums = CopyGetAttnums(RelationGetDescr(rel), rel, stmt->attlist);
	foreach(lc, attnums)
		rte->insertedCols = bms_add_member(rte->insertedCols,
										   lfirst_int(lc) - FirstLowInvalidHeapAttributeNumber);
	ExecCheckRTPerms(pstate->p_rtable, true);

	cstate = BeginCopyFrom(pstate, rel, whereClause, stmt->filename,
						   stmt->is_program, NULL, stmt->attlist, stmt->options);
	processed = bulk_copy_from(cstate);
	EndCopyFrom(cstate);

	table_close(rel, NoLock);
	free_parsestate(pstate);

	if (qc)
		SetQueryCompletion(qc, CMDTAG_COPY, processed);
	return true;
}

/*
 * ProcessUtility hook: COPY FROM into a protected table goes through the
 * bulk path when it can; every other statement goes on down the chain.
 */
static void
copy_utility(PlannedStmt *pstmt, const char *queryString,
			 bool readOnlyTree, ProcessUtilityContext context,
			 ParamListInfo params, QueryEnvironment *queryEnv,
			 DestReceiver *dest, QueryCompletion *qc)
{
	if (bulk_copy_enabled && IsA(pstmt->utilityStmt, CopyStmt) &&
		try_bulk_copy(pstmt, queryString, readOnlyTree, queryEnv, qc))
		return;

	if (prev_ProcessUtility)
		prev_ProcessUtility(pstmt, queryString, readOnlyTree, context,
							params, queryEnv, dest, qc);
	else
		standard_ProcessUtility(pstmt, queryString, readOnlyTree, context,
								params, queryEnv, dest, qc);
}
