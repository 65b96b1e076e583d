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
 * for the common case: autoxfer's ProcessUtility hook (utility.c) hands it
 * every COPY, and it takes on a COPY FROM whose target is a protected
 * table (plain or partitioned) whose only BEFORE/INSTEAD ROW INSERT
 * trigger is autoxfer's (enabled ALWAYS, as protect() leaves it),
 * reads the rows with the server's own COPY parser (BeginCopyFrom,
 * NextCopyFrom), routes them to partitions with the executor's tuple
 * routing, labels each row exactly as the trigger would, at the point where
 * the trigger would fire, and writes the rows of each table in batches with
 * table_multi_insert, then their index entries and AFTER ROW triggers
 * (foreign keys, audit triggers, transition tables) as the server's COPY
 * does.  A partition that cannot be batched (a trigger of its own, a
 * foreign table) gets its rows one by one through its triggers, as the
 * server does.
 *
 * Everything else is left to the server's COPY (and so to the trigger):
 * other BEFORE or INSTEAD row triggers on the target, a disabled or
 * replica-only trigger (which the DDL guard, guard.c, lets only a
 * superuser's restore bring about), transition tables on a partitioned
 * target, FREEZE,
 * row-level security, read-only and parallel mode, recovery, file or
 * program sources the user may not read (the server then raises its own
 * error).  The bulk path is an optimisation only: a label written by it
 * equals the one the trigger writes (regress 49_bulk_copy compares both
 * paths row for row), and setting autoxfer.bulk_copy = off turns it off.
 *
 * One exception to leaving row-level security to the server: the
 * policies of roles abroad (rule X2, x2.c) put row-level security on every
 * protected table, and the server refuses COPY FROM wherever row-level
 * security applies to the user ("COPY FROM not supported with row-level
 * security"), the owner of a forced table included.  Where the only
 * row-level security that applies is autoxfer's and the user acts for no
 * recipient abroad (x2_copy_allowed), the policies would let every row in
 * (autoxfer_pass and autoxfer_owner are true, autoxfer_abroad is true for
 * every role not abroad), so the COPY is run here after the server's own
 * checks: on the bulk path when it can take it, otherwise by the server's
 * row-by-row CopyFrom.  Wherever the server refused before roles abroad
 * existed (policies of the user's own, a role abroad), it still refuses.
 *
 * The hook exists in a backend once the library is loaded: with autoxfer
 * in shared_preload_libraries (recommended, docs/guide-dba.md) from the
 * first statement, otherwise from the first call of any autoxfer function
 * or trigger in the session.  The bulk path is taken only when no other
 * library's utility hook was installed before autoxfer's: such a hook
 * (Citus, TimescaleDB) may route COPY itself, and the bulk path must not
 * bypass it.  Listed first in shared_preload_libraries, autoxfer's hook is
 * the innermost and the others see every COPY before it.
 */
#include "postgres.h"

#include "access/heapam.h"
#include "access/tupconvert.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "access/xlog.h"
#include "catalog/namespace.h"
#include "catalog/pg_authid.h"
#include "catalog/pg_trigger.h"
#include "catalog/pg_type.h"
#include "commands/copy.h"
#include "commands/copyfrom_internal.h"
#include "commands/progress.h"
#include "commands/trigger.h"
#include "executor/execPartition.h"
#include "executor/executor.h"
#include "executor/nodeModifyTable.h"
#include "executor/spi.h"
#include "foreign/fdwapi.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "optimizer/optimizer.h"
#include "parser/parse_coerce.h"
#include "parser/parse_collate.h"
#include "parser/parse_expr.h"
#include "parser/parse_relation.h"
#include "pgstat.h"
#include "rewrite/rowsecurity.h"
#include "tcop/utility.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/backend_progress.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/rls.h"

#include "copy.h"
#include "guard.h"
#include "label.h"
#include "owner.h"
#include "rules.h"
#include "utility.h"
#include "x2.h"

/* Rows and bytes buffered before a batch is written (as the server's COPY). */
#define AX_COPY_MAX_TUPLES	1000
#define AX_COPY_MAX_BYTES	65535

/* autoxfer.bulk_copy */
static bool bulk_copy_enabled = true;

/* Most tables with rows buffered at once; the oldest are dropped beyond. */
#define AX_COPY_MAX_TABLES	32

/*
 * The rows waiting to be written into one table (the target, or one of its
 * partitions), with the input line each came from.
 */
typedef struct AxBatch
{
	ResultRelInfo *rri;
	bool		bulk;			/* labelled here and batched; else inserted
								 * one by one through the table's triggers */
	int			nused;
	BulkInsertState bistate;
	TupleTableSlot *slots[AX_COPY_MAX_TUPLES];
	uint64		linenos[AX_COPY_MAX_TUPLES];
} AxBatch;

/* The state of one COPY on the bulk path. */
typedef struct AxCopy
{
	CopyFromState cstate;
	EState	   *estate;
	CommandId	mycid;
	int			ti_options;
	TransitionCaptureState *transition;
	MemoryContext cxt;			/* the batches and their slots */
	List	   *batches;		/* AxBatch *, oldest first */
	int			max_tuples;		/* 1 when rows must be written one by one */
	int			buffered;		/* rows waiting, all batches */
	Size		bytes;
	int64		processed;
} AxCopy;

/*
 * Define autoxfer.bulk_copy; called once from _PG_init.  COPY statements
 * come from autoxfer's utility hook (utility.c, ax_copy_utility).
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
 * Can rows be labelled and batched for a table with these triggers?  Only
 * when the one row trigger that would fire before the insertion is
 * autoxfer's, enabled ALWAYS (so it fires whatever session_replication_role
 * says), without a WHEN clause.  Returns NULL when they can, "" when there
 * is no enforcing trigger at all, else why not.
 */
static const char *
trigger_refusal(TriggerDesc *trigdesc)
{
	const Trigger *enforce = NULL;

	if (trigdesc == NULL)
		return "";
	for (int i = 0; i < trigdesc->numtriggers; i++)
	{
		if (is_enforce_trigger(&trigdesc->triggers[i]))
			enforce = &trigdesc->triggers[i];
	}
	if (enforce == NULL)
		return "";
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
	return NULL;
}

/*
 * Can a COPY FROM into rel take the bulk path?  Returns NULL when it can,
 * "" when rel is not protected (no enforcing trigger), else why not, for
 * the DEBUG1 message.
 */
static const char *
bulk_refusal(Relation rel, const CopyStmt *stmt)
{
	const char *refusal = trigger_refusal(rel->trigdesc);
	ListCell   *lc;

	if (refusal != NULL)
		return refusal;
	if (rel->rd_rel->relkind != RELKIND_RELATION &&
		rel->rd_rel->relkind != RELKIND_PARTITIONED_TABLE)
		return "the table is not a plain or partitioned table";
	if (rel->rd_rel->relkind == RELKIND_PARTITIONED_TABLE &&
		rel->trigdesc->trig_insert_new_table)
		return "the partitioned table has a trigger with a transition table";
	foreach(lc, stmt->options)
	{
		DefElem    *opt = lfirst_node(DefElem, lc);

		if (strcmp(opt->defname, "freeze") == 0)
			return "COPY FREEZE is left to the server";
	}
	return NULL;
}

/* Is the expression the constant true? */
static bool
is_const_true(const Expr *expr)
{
	return expr != NULL && IsA(expr, Const) && !((const Const *) expr)->constisnull &&
		DatumGetBool(((const Const *) expr)->constvalue);
}

/*
 * Does the policy apply to every command and, as an ArrayType of role OIDs,
 * to exactly the one role "role" (ACL_ID_PUBLIC: every role)?
 */
static bool
policy_is_for(const RowSecurityPolicy *policy, Oid role)
{
	Datum	   *roles;
	int			nroles;
	bool		result;

	if (policy->polcmd != '*')
		return false;
	deconstruct_array(policy->roles, OIDOID, sizeof(Oid), true, TYPALIGN_INT,
					  &roles, NULL, &nroles);
	result = nroles == 1 && DatumGetObjectId(roles[0]) == role;
	pfree(roles);
	return result;
}

/*
 * May the user COPY FROM into rel, to which row-level security applies,
 * because that row-level security is autoxfer's for roles abroad alone?
 * Read from what autoxfer recorded when it put the policies on
 * (autoxfer.x2_table, as the owner) and from the policies the relation
 * has now:
 *	- the user acts for no recipient abroad (for a role abroad the policies
 *	  mean what they say, and the server refuses);
 *	- autoxfer turned row-level security on, and the relation has no policy
 *	  but autoxfer_pass (every row) and autoxfer_abroad: before roles abroad
 *	  existed the relation had no row-level security at all; or
 *	- autoxfer only forced the row-level security of the owner's own, and
 *	  the user has the privileges of the owner, which read and wrote past
 *	  those policies before autoxfer forced them.
 * Everything else (policies of the user's own on a table where autoxfer
 * turned row-level security on, the owner's own forced row-level security)
 * gets the server's refusal, as before.
 */
static bool
x2_copy_allowed(Relation rel)
{
	Oid			relid = RelationGetRelid(rel);
	Oid			save_user;
	int			save_sec;
	Oid			types[1] = {OIDOID};
	Datum		values[1];
	bool		enabled = false;
	bool		forced = false;
	bool		found = false;
	ListCell   *lc;

	/* not autoxfer's row-level security, or a role abroad */
	if (!ax_x2_has_policy(rel) || ax_x2_acting_abroad())
		return false;

	values[0] = ObjectIdGetDatum(relid);
	ax_owner_spi_begin(&save_user, &save_sec);
	if (ax_spi_execute("SELECT x.enabled_rls, x.forced_rls FROM autoxfer.x2_table AS x"
					   " WHERE x.rel OPERATOR(pg_catalog.=) $1::pg_catalog.regclass",
					   1, types, values, NULL, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "reading autoxfer.x2_table failed");
	if (SPI_processed == 1)
	{
		bool		isnull;

		found = true;
		enabled = DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
		forced = DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull));
	}
	ax_owner_spi_end(save_user, save_sec);
	if (!found)
		return false;

	if (enabled)
	{
		bool		pass = false;
		bool		abroad = false;

		foreach(lc, rel->rd_rsdesc->policies)
		{
			RowSecurityPolicy *policy = (RowSecurityPolicy *) lfirst(lc);

			if (strcmp(policy->policy_name, "autoxfer_pass") == 0 && policy->permissive &&
				policy_is_for(policy, ACL_ID_PUBLIC) && is_const_true(policy->qual) &&
				is_const_true(policy->with_check_qual))
				pass = true;
			else if (strcmp(policy->policy_name, "autoxfer_abroad") == 0 && !policy->permissive &&
					 policy_is_for(policy, ACL_ID_PUBLIC) && ax_x2_is_visible_call((Node *) policy->qual) &&
					 policy->with_check_qual == NULL)
				abroad = true;
			else
				return false;	/* a policy of the user's own */
		}
		return pass && abroad;
	}
	return forced && pg_class_ownercheck(relid, GetUserId());
}

/*
 * The batch of the table rri, made at the first row routed to it: a table
 * whose triggers allow it is batched, another (a partition with a trigger
 * of its own, a foreign partition) gets its rows one by one.  The batch
 * hangs off the ResultRelInfo, in the field the server's COPY uses for the
 * same purpose.
 */
static AxBatch *
get_batch(AxCopy *c, ResultRelInfo *rri)
{
	AxBatch    *b = (AxBatch *) rri->ri_CopyMultiInsertBuffer;
	MemoryContext oldcxt;

	if (b != NULL)
		return b;
	oldcxt = MemoryContextSwitchTo(c->cxt);
	b = palloc0(sizeof(AxBatch));
	b->rri = rri;
	b->bulk = rri->ri_FdwRoutine == NULL &&
		rri->ri_RelationDesc->rd_rel->relkind == RELKIND_RELATION &&
		trigger_refusal(rri->ri_TrigDesc) == NULL;
	b->bistate = GetBulkInsertState();
	c->batches = lappend(c->batches, b);
	MemoryContextSwitchTo(oldcxt);
	rri->ri_CopyMultiInsertBuffer = (struct CopyMultiInsertBuffer *) b;
	return b;
}

/* The next free slot of a batch, made on first use. */
static TupleTableSlot *
next_slot(AxCopy *c, AxBatch *b)
{
	if (b->slots[b->nused] == NULL)
	{
		MemoryContext oldcxt = MemoryContextSwitchTo(c->cxt);

		b->slots[b->nused] = table_slot_create(b->rri->ri_RelationDesc, NULL);
		MemoryContextSwitchTo(oldcxt);
	}
	return b->slots[b->nused];
}

/* Release a batch (it holds no rows) and its slots. */
static void
drop_batch(AxCopy *c, AxBatch *b)
{
	Assert(b->nused == 0);
	for (int i = 0; i < AX_COPY_MAX_TUPLES && b->slots[i] != NULL; i++)
		ExecDropSingleTupleTableSlot(b->slots[i]);
	FreeBulkInsertState(b->bistate);
	if (b->rri->ri_FdwRoutine == NULL)
		table_finish_bulk_insert(b->rri->ri_RelationDesc, c->ti_options);
	b->rri->ri_CopyMultiInsertBuffer = NULL;
	pfree(b);
}

/*
 * What follows the insertion of a row into rri: its index entries, then
 * its AFTER ROW triggers (which return at once when there are none).
 */
static void
index_and_after_row(AxCopy *c, ResultRelInfo *rri, TupleTableSlot *slot)
{
	List	   *recheck = NIL;

	if (rri->ri_NumIndices > 0)
		recheck = ExecInsertIndexTuples(rri, slot, c->estate, false, false,
										NULL, NIL);
	ExecARInsertTriggers(c->estate, rri, slot, recheck, c->transition);
	list_free(recheck);
}

/*
 * Write one batch: its rows into the table in one call, then for each row
 * its index entries and AFTER ROW triggers, with the error context showing
 * the input line of the row concerned.
 */
static void
flush_batch(AxCopy *c, AxBatch *b)
{
	CopyFromState cstate = c->cstate;
	ResultRelInfo *rri = b->rri;
	bool		line_buf_valid = cstate->line_buf_valid;
	uint64		save_lineno = cstate->cur_lineno;
	MemoryContext oldcxt;

	if (b->nused == 0)
		return;

	/* an error below is about a row, not the line last read */
	cstate->line_buf_valid = false;

	/* table_multi_insert may leak: run it in the per-row context */
	oldcxt = MemoryContextSwitchTo(GetPerTupleMemoryContext(c->estate));
	table_multi_insert(rri->ri_RelationDesc, b->slots, b->nused,
					   c->mycid, c->ti_options, b->bistate);
	MemoryContextSwitchTo(oldcxt);

	for (int i = 0; i < b->nused; i++)
	{
		TupleTableSlot *slot = b->slots[i];

		cstate->cur_lineno = b->linenos[i];
		index_and_after_row(c, rri, slot);
		ExecClearTuple(slot);
	}

	c->processed += b->nused;
	pgstat_progress_update_param(PROGRESS_COPY_TUPLES_PROCESSED, c->processed);
	b->nused = 0;

	cstate->line_buf_valid = line_buf_valid;
	cstate->cur_lineno = save_lineno;
}

/*
 * Write every batch, then keep the batches of the AX_COPY_MAX_TABLES
 * tables met last (a COPY spread over many partitions would otherwise keep
 * slots for each), and always the batch in use, current.
 */
static void
flush_all(AxCopy *c, AxBatch *current)
{
	ListCell   *lc;

	foreach(lc, c->batches)
		flush_batch(c, (AxBatch *) lfirst(lc));
	c->buffered = 0;
	c->bytes = 0;
	while (list_length(c->batches) > AX_COPY_MAX_TABLES)
	{
		AxBatch    *oldest = (AxBatch *) linitial(c->batches);

		c->batches = list_delete_first(c->batches);
		if (oldest == current)
			c->batches = lappend(c->batches, oldest);
		else
			drop_batch(c, oldest);
	}
}

/*
 * Insert one row into a table that cannot be batched (a partition with a
 * BEFORE row trigger of its own, or a foreign partition), as the server's
 * COPY does: the rows before it are written first, so that its triggers
 * see them; then its BEFORE row triggers (the enforcing trigger among
 * them, which labels it), the insertion and its AFTER row triggers.
 */
static void
insert_one(AxCopy *c, AxBatch *b, TupleTableSlot *slot)
{
	ResultRelInfo *rri = b->rri;
	Relation	rel = rri->ri_RelationDesc;
	EState	   *estate = c->estate;
	bool		before_row = rri->ri_TrigDesc && rri->ri_TrigDesc->trig_insert_before_row;

	flush_all(c, b);
	if (before_row && !ExecBRInsertTriggers(estate, rri, slot))
		return;
	if (rel->rd_att->constr && rel->rd_att->constr->has_generated_stored)
		ExecComputeStoredGenerated(rri, estate, slot, CMD_INSERT);
	if (rri->ri_FdwRoutine == NULL && rel->rd_att->constr)
		ExecConstraints(rri, slot, estate);
	if (before_row && rel->rd_rel->relispartition)
		ExecPartitionCheck(rri, slot, estate, true);

	if (rri->ri_FdwRoutine != NULL)
	{
		slot = rri->ri_FdwRoutine->ExecForeignInsert(estate, rri, slot, NULL);
		if (slot == NULL)
			return;
		slot->tts_tableOid = RelationGetRelid(rel);
	}
	else
		table_tuple_insert(rel, slot, c->mycid, c->ti_options, b->bistate);
	index_and_after_row(c, rri, slot);
	pgstat_progress_update_param(PROGRESS_COPY_TUPLES_PROCESSED, ++c->processed);
}

/*
 * Label a row of the batched table rri as the enforcing trigger would, in
 * the slot (virtual, its values still the row's), then do what follows
 * the trigger in the server's COPY: stored generated columns, constraints,
 * the partition constraint.  The compiled state is looked up for every
 * row, as the trigger does (ax_table_state_live), so that a catalogue
 * change seen mid-COPY applies from the next row on, and an expired
 * generation (an area boundary passed) is renewed before a row is labelled.
 */
static void
label_row(AxCopy *c, ResultRelInfo *rri, TupleTableSlot *slot)
{
	Relation	rel = rri->ri_RelationDesc;
	TupleDesc	desc = RelationGetDescr(rel);
	AxTableState *ts = ax_table_state_live(rel);
	ax_label	label;

	label = ax_classify_slot(ts, slot, NULL, NULL);
	slot->tts_values[ts->label_attno - 1] = AxLabelGetDatum(label);
	slot->tts_isnull[ts->label_attno - 1] = false;

	if (desc->constr && desc->constr->has_generated_stored)
		ExecComputeStoredGenerated(rri, c->estate, slot, CMD_INSERT);
	if (desc->constr)
		ExecConstraints(rri, slot, c->estate);
	if (rel->rd_rel->relispartition)
		ExecPartitionCheck(rri, slot, c->estate, true);
}

/*
 * The insertion loop of COPY FROM for a table bulk_refusal() accepted:
 * what the server's CopyFrom does in its multi-insert modes, with the
 * label written where the enforcing trigger would write it (after the
 * WHERE clause and the routing to a partition, before stored generated
 * columns and constraints).  Returns the number of rows inserted.
 */
static uint64
bulk_copy_from(CopyFromState cstate)
{
	EState	   *estate = CreateExecutorState();
	ResultRelInfo *target;
	ModifyTableState *mtstate;
	PartitionTupleRouting *proute = NULL;
	TupleTableSlot *rootslot = NULL;
	ExprContext *econtext;
	MemoryContext oldcxt = CurrentMemoryContext;
	ErrorContextCallback errcallback;
	AxCopy		c;
	AxBatch    *target_batch = NULL;
	Relation	rel = cstate->rel;
	Oid			relid = RelationGetRelid(rel);
	int64		excluded = 0;
	ListCell   *lc;

	memset(&c, 0, sizeof(c));
	c.cstate = cstate;
	c.estate = estate;
	c.mycid = GetCurrentCommandId(true);

	/* new storage in this transaction: the free space map has nothing */
	if (RELKIND_HAS_STORAGE(rel->rd_rel->relkind) &&
		(rel->rd_createSubid != InvalidSubTransactionId ||
		 rel->rd_firstRelfilenodeSubid != InvalidSubTransactionId))
		c.ti_options |= TABLE_INSERT_SKIP_FSM;

	ExecInitRangeTable(estate, cstate->range_table);
	target = makeNode(ResultRelInfo);
	ExecInitResultRelation(estate, target, 1);
	CheckValidResultRel(target, CMD_INSERT);
	ExecOpenIndices(target, false);

	mtstate = makeNode(ModifyTableState);
	mtstate->ps.plan = NULL;
	mtstate->ps.state = estate;
	mtstate->operation = CMD_INSERT;
	mtstate->mt_nrels = 1;
	mtstate->resultRelInfo = target;
	mtstate->rootResultRelInfo = target;

	AfterTriggerBeginQuery();
	c.transition = MakeTransitionCaptureState(rel->trigdesc, relid, CMD_INSERT);
	cstate->transition_capture = mtstate->mt_transition_capture = c.transition;
	if (rel->rd_rel->relkind == RELKIND_PARTITIONED_TABLE)
		proute = ExecSetupPartitionTupleRouting(estate, rel);
	if (cstate->whereClause)
		cstate->qualexpr = ExecInitQual(castNode(List, cstate->whereClause),
										&mtstate->ps);

	/*
	 * The batches and their slots live as long as the COPY.  A volatile
	 * default or WHERE clause might read the table, so then every row is
	 * written before the next is read, as the server does.
	 */
	c.cxt = AllocSetContextCreate(CurrentMemoryContext, "autoxfer bulk COPY",
								  ALLOCSET_DEFAULT_SIZES);
	c.max_tuples = (cstate->volatile_defexprs ||
					contain_volatile_functions(cstate->whereClause)) ?
		1 : AX_COPY_MAX_TUPLES;
	if (proute)
		rootslot = table_slot_create(rel, &estate->es_tupleTable);
	else
		target_batch = get_batch(&c, target);

	ExecBSInsertTriggers(estate, target);

	econtext = GetPerTupleExprContext(estate);
	errcallback.callback = CopyFromErrorCallback;
	errcallback.arg = (void *) cstate;
	errcallback.previous = error_context_stack;
	error_context_stack = &errcallback;

	for (;;)
	{
		TupleTableSlot *slot;
		ResultRelInfo *rri = target;
		AxBatch    *b = target_batch;

		CHECK_FOR_INTERRUPTS();
		ResetPerTupleExprContext(estate);

		/* a row is read into its batch directly, or to be routed */
		slot = proute ? rootslot : next_slot(&c, b);

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

		if (proute)
		{
			TupleConversionMap *map;

			rri = ExecFindPartition(mtstate, target, proute, slot, estate);
			b = get_batch(&c, rri);
			map = rri->ri_RootToPartitionMap;
			if (b->bulk)
			{
				/* the partition's row, virtual, for the label to go in */
				TupleTableSlot *leafslot = next_slot(&c, b);

				if (map != NULL)
					slot = execute_attr_map_slot(map->attrMap, slot, leafslot);
				else
				{
					slot_getallattrs(slot);
					ExecClearTuple(leafslot);
					memcpy(leafslot->tts_values, slot->tts_values,
						   sizeof(Datum) * slot->tts_nvalid);
					memcpy(leafslot->tts_isnull, slot->tts_isnull,
						   sizeof(bool) * slot->tts_nvalid);
					ExecStoreVirtualTuple(leafslot);
					slot = leafslot;
				}
			}
			else if (map != NULL)
				slot = execute_attr_map_slot(map->attrMap, slot,
											 rri->ri_PartitionTupleSlot);
			slot->tts_tableOid = RelationGetRelid(rri->ri_RelationDesc);
		}

		if (!b->bulk)
		{
			insert_one(&c, b, slot);
			continue;
		}

		label_row(&c, rri, slot);

		/* the slot may point into the per-row context: make it its own */
		ExecMaterializeSlot(slot);
		b->linenos[b->nused++] = cstate->cur_lineno;
		c.buffered++;
		c.bytes += cstate->line_buf.len;
		if (c.buffered >= c.max_tuples || c.bytes >= AX_COPY_MAX_BYTES ||
			b->nused >= AX_COPY_MAX_TUPLES)
			flush_all(&c, b);
	}
	MemoryContextSwitchTo(oldcxt);

	flush_all(&c, NULL);
	error_context_stack = errcallback.previous;

	foreach(lc, c.batches)
		drop_batch(&c, (AxBatch *) lfirst(lc));
	list_free(c.batches);

	ExecASInsertTriggers(estate, target, c.transition);
	AfterTriggerEndQuery(estate);

	ExecResetTupleTable(estate->es_tupleTable, false);
	if (proute)
		ExecCleanupTupleRouting(mtstate, proute);
	ExecCloseResultRelations(estate);
	ExecCloseRangeTableRelations(estate);
	FreeExecutorState(estate);
	MemoryContextDelete(c.cxt);

	return c.processed;
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
 * Run a COPY FROM on the bulk path if it can take it (and bulk, the setting
 * autoxfer.bulk_copy, allows it), as DoCopy would run it (the same
 * permission checks, WHERE clause handling and state); or, where the only
 * row-level security that applies is autoxfer's for roles abroad
 * (x2_copy_allowed), by the server's own CopyFrom when the bulk path cannot
 * take it.  Returns false, having done nothing the server's COPY would not
 * do, when the statement is left to the server.
 */
static bool
try_bulk_copy(PlannedStmt *pstmt, const char *queryString, bool readOnlyTree,
			  QueryEnvironment *queryEnv, QueryCompletion *qc, bool bulk)
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
	bool		x2_only = false;	/* row-level security of roles abroad only */
	bool		row_by_row = false; /* the server's CopyFrom, run here */

	if (!stmt->is_from || stmt->relation == NULL || stmt->query != NULL)
		return false;
	/* the server raises the errors of these cases */
	if (IsInParallelMode() || RecoveryInProgress() || !source_allowed(stmt))
		return false;

	/* the lock DoCopy takes; kept to the end of the transaction either way */
	rel = table_openrv(stmt->relation, RowExclusiveLock);

	/*
	 * Row-level security that applies to the user: the server refuses the
	 * COPY, unless it is autoxfer's for roles abroad alone.  Then the COPY
	 * is run here, read-only transactions refused as the server would.
	 */
	if (check_enable_rls(RelationGetRelid(rel), InvalidOid, true) == RLS_ENABLED)
	{
		if (!x2_copy_allowed(rel))
		{
			ereport(DEBUG1,
					(errmsg_internal("autoxfer: COPY into \"%s\" inserts row by row: row-level security applies",
									 RelationGetRelationName(rel))));
			table_close(rel, NoLock);
			return false;
		}
		if (XactReadOnly && !rel->rd_islocaltemp)
			PreventCommandIfReadOnly("COPY FROM");
		x2_only = true;
	}
	else if (XactReadOnly)
	{
		table_close(rel, NoLock);
		return false;
	}
	refusal = bulk ? bulk_refusal(rel, stmt) : "autoxfer.bulk_copy is off";

	/*
	 * Another library's utility hook below autoxfer's may handle COPY itself
	 * (Citus distributed tables, TimescaleDB hypertables): the bulk path
	 * would bypass it, so it is taken only when the server's own COPY is
	 * next in line.  Libraries loaded after autoxfer wrap its hook and see
	 * the COPY first.
	 */
	if (!ax_utility_innermost())
	{
		/* the other library sees the COPY; with row-level security, the
		 * server refuses it */
		if (refusal == NULL || x2_only)
			refusal = "another library's utility hook was installed before autoxfer's (list autoxfer first in shared_preload_libraries)";
		x2_only = false;
	}
	if (refusal != NULL)
	{
		if (refusal[0] != '\0' && (bulk || x2_only))
			ereport(DEBUG1,
					(errmsg_internal("autoxfer: COPY into \"%s\" inserts row by row: %s%s",
									 RelationGetRelationName(rel), refusal,
									 x2_only ? " (its row-level security limits only roles abroad)" : "")));
		if (!x2_only)
		{
			table_close(rel, NoLock);
			return false;
		}
		/* the server's row-by-row COPY, run here past its refusal */
		row_by_row = true;
	}
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

	if (!row_by_row)
		ereport(DEBUG1,
				(errmsg_internal("autoxfer: COPY into \"%s\" labels and writes its rows in batches",
								 RelationGetRelationName(rel))));

	cstate = BeginCopyFrom(pstate, rel, whereClause, stmt->filename,
						   stmt->is_program, NULL, stmt->attlist, stmt->options);
	processed = row_by_row ? CopyFrom(cstate) : bulk_copy_from(cstate);
	EndCopyFrom(cstate);

	table_close(rel, NoLock);
	free_parsestate(pstate);

	if (qc)
		SetQueryCompletion(qc, CMDTAG_COPY, processed);
	return true;
}

/*
 * A COPY statement from autoxfer's utility hook: true when it ran on the
 * bulk path, false when it is left to the rest of the hook chain.
 */
bool
ax_copy_utility(PlannedStmt *pstmt, const char *queryString,
				bool readOnlyTree, QueryEnvironment *queryEnv,
				QueryCompletion *qc)
{
	return try_bulk_copy(pstmt, queryString, readOnlyTree, queryEnv, qc,
						 bulk_copy_enabled);
}
