/*
 * x2_scan.c
 *		The scan of a protected table read by a role abroad (rule X2): a
 *		sequential scan that decides the policy of roles abroad a page at a
 *		time instead of calling it row by row.
 *
 * A role abroad reads a protected table under the restrictive policy
 * autoxfer_abroad, autoxfer._x2_visible(tableoid, ctid, label, subject)
 * (x2.c), which PostgreSQL evaluates as a filter on every row.  The call
 * itself, its four arguments and the test of one row at a time cost more
 * than the rest of the decision.  So when a query that acts for a
 * recipient abroad is planned, each protected heap table it scans whose
 * security conditions hold the policy's call, with the table's own label
 * and subject columns as its arguments, is given one more path: a custom
 * scan that reads the table as a sequential scan does (serial or parallel,
 * the same snapshot), drops that one condition from its filter, and decides
 * it itself: when the scan reaches a page, the label and subject of every
 * tuple the snapshot sees on it are read from the page and decided at
 * once by ax_x2_visible_rows (x2.c), the same steps as the policy's
 * function, the page's hashes tested together; the page's tuples the
 * policy hides are skipped before any other condition, and the others go
 * on to the remaining conditions (the other security conditions, then the
 * query's own) in the planner's order.  Nothing the caller writes can
 * reach the decision: the scan reads the page it is on, and only the
 * policy condition autoxfer put on the table is taken over.
 *
 * autoxfer.x2_scan (superuser, on by default) turns the path off; then the
 * policy's function decides row by row, with the same answers (regress
 * 63_x2_scan compares the two).
 */
#include "postgres.h"

#include "access/heapam.h"
#include "access/relscan.h"
#include "access/tableam.h"
#include "catalog/pg_class.h"
#include "commands/explain.h"
#include "executor/executor.h"
#include "miscadmin.h"
#include "nodes/extensible.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/cost.h"
#include "optimizer/optimizer.h"
#include "optimizer/pathnode.h"
#include "optimizer/paths.h"
#include "optimizer/restrictinfo.h"
#include "parser/parsetree.h"
#include "storage/bufmgr.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"

#include "x2.h"

/* autoxfer.x2_scan */
static bool x2_scan_enabled = true;

static set_rel_pathlist_hook_type prev_set_rel_pathlist = NULL;

/* The executor state of the scan. */
typedef struct X2ScanState
{
	CustomScanState css;
	AttrNumber	label_attno;
	AttrNumber	subject_attno;
	Oid			relid;
	BlockNumber block;			/* the page answered below, or none */
	/* the attributes up to the later of the two, for read_columns */
	int			walk_natts;
	int16		walk_len[MaxHeapAttributeNumber];
	uint8		walk_align[MaxHeapAttributeNumber];
	MemoryContext page_cxt;		/* the detoasted subjects of a page */
	/* per line pointer of that page: 0 not answered, 1 hidden, 2 visible */
	uint8		answer[MaxHeapTuplesPerPage + 1];
} X2ScanState;

/* How many tuples ahead decide_page asks for a tuple's lines. */
#define X2_SCAN_AHEAD	8

#define X2_UNANSWERED	0
#define X2_HIDDEN		1
#define X2_VISIBLE		2

static Plan *x2_plan_path(PlannerInfo *root, RelOptInfo *rel, CustomPath *best_path,
						  List *tlist, List *clauses, List *custom_plans);
static Node *x2_create_state(CustomScan *cscan);
static void x2_begin(CustomScanState *node, EState *estate, int eflags);
static TupleTableSlot *x2_exec(CustomScanState *node);
static void x2_end(CustomScanState *node);
static void x2_rescan(CustomScanState *node);
static Size x2_estimate_dsm(CustomScanState *node, ParallelContext *pcxt);
static void x2_initialize_dsm(CustomScanState *node, ParallelContext *pcxt, void *coordinate);
static void x2_reinitialize_dsm(CustomScanState *node, ParallelContext *pcxt, void *coordinate);
static void x2_initialize_worker(CustomScanState *node, shm_toc *toc, void *coordinate);
static void x2_explain(CustomScanState *node, List *ancestors, ExplainState *es);

static const CustomPathMethods x2_path_methods = {
	.CustomName = "autoxfer X2 Scan",
	.PlanCustomPath = x2_plan_path,
};

static const CustomScanMethods x2_scan_methods = {
	.CustomName = "autoxfer X2 Scan",
	.CreateCustomScanState = x2_create_state,
};

static const CustomExecMethods x2_exec_methods = {
	.CustomName = "autoxfer X2 Scan",
	.BeginCustomScan = x2_begin,
	.ExecCustomScan = x2_exec,
	.EndCustomScan = x2_end,
	.ReScanCustomScan = x2_rescan,
	.EstimateDSMCustomScan = x2_estimate_dsm,
	.InitializeDSMCustomScan = x2_initialize_dsm,
	.ReInitializeDSMCustomScan = x2_reinitialize_dsm,
	.InitializeWorkerCustomScan = x2_initialize_worker,
	.ExplainCustomScan = x2_explain,
};

/*
 * The column a plain Var of relation relid (at the query's level) reads,
 * seen through a binary-compatible relabelling (varchar read as text), or
 * 0.
 */
static AttrNumber
var_attno(Node *node, Index relid)
{
	if (node != NULL && IsA(node, RelabelType))
		node = (Node *) ((RelabelType *) node)->arg;
	if (node == NULL || !IsA(node, Var) || ((Var *) node)->varlevelsup != 0 ||
		((Var *) node)->varno != (int) relid)
		return 0;
	return ((Var *) node)->varattno;
}

/*
 * Is clause the policy's call on relation relid's own row, as autoxfer
 * writes it: _x2_visible(tableoid, ctid, <label column>, <subject column
 * or NULL>)?  Then the two columns' numbers (0 for a NULL subject).  A
 * subject that is an expression is left to the policy's function.
 */
static bool
policy_call(Node *clause, Index relid, AttrNumber *label_attno, AttrNumber *subject_attno)
{
	List	   *args;

	if (!ax_x2_is_visible_call(clause))
		return false;
	args = ((FuncExpr *) clause)->args;
	if (list_length(args) != 4 ||
		var_attno(linitial(args), relid) != TableOidAttributeNumber ||
		var_attno(lsecond(args), relid) != SelfItemPointerAttributeNumber)
		return false;
	*label_attno = var_attno(lthird(args), relid);
	/* a table about no individual has the subject NULL (0 here) */
	if (IsA(lfourth(args), Const) && ((Const *) lfourth(args))->constisnull)
		*subject_attno = 0;
	else if ((*subject_attno = var_attno(lfourth(args), relid)) <= 0)
		return false;
	return *label_attno > 0;
}

/*
 * The security condition of rel that is the policy's call (NULL if none),
 * and the columns it reads.
 */
static RestrictInfo *
policy_condition(PlannerInfo *root, RelOptInfo *rel, List *clauses,
				 AttrNumber *label_attno, AttrNumber *subject_attno)
{
	ListCell   *lc;

	foreach(lc, clauses)
	{
		RestrictInfo *rinfo = lfirst_node(RestrictInfo, lc);

		if (rinfo->security_level < root->qual_security_level && !rinfo->pseudoconstant &&
			policy_call((Node *) rinfo->clause, rel->relid, label_attno, subject_attno))
			return rinfo;
	}
	return NULL;
}

/*
 * A path of the scan for rel like the sequential scan seq (serial or
 * partial), cheaper by the cost of evaluating the policy's condition on
 * every row, which the scan takes over.
 */
static CustomPath *
make_path(RelOptInfo *rel, Path *seq, Cost policy_cost, List *columns)
{
	CustomPath *cp = makeNode(CustomPath);
	double		share = rel->rows > 0 ? seq->rows / rel->rows : 1.0;

	cp->path.pathtype = T_CustomScan;
	cp->path.parent = rel;
	cp->path.pathtarget = rel->reltarget;
	cp->path.param_info = seq->param_info;
	cp->path.parallel_aware = seq->parallel_aware;
	cp->path.parallel_safe = seq->parallel_safe;
	cp->path.parallel_workers = seq->parallel_workers;
	cp->path.rows = seq->rows;
	cp->path.startup_cost = seq->startup_cost;
	cp->path.total_cost = seq->total_cost - Min(policy_cost * rel->tuples * Min(share, 1.0),
												(seq->total_cost - seq->startup_cost) / 2);
	cp->path.pathkeys = NIL;
	cp->flags = CUSTOMPATH_SUPPORT_PROJECTION;
	cp->custom_private = columns;
	cp->methods = &x2_path_methods;
	return cp;
}

/*
 * set_rel_pathlist_hook: for a query that acts for a recipient abroad, a
 * protected heap table read under the policy of roles abroad gets the
 * scan's paths, serial and (where a sequential scan could be parallel)
 * partial.
 */
static void
x2_set_rel_pathlist(PlannerInfo *root, RelOptInfo *rel, Index rti, RangeTblEntry *rte)
{
	RestrictInfo *policy;
	AttrNumber	label_attno;
	AttrNumber	subject_attno;
	Relation	relation;
	bool		heap;
	QualCost	cost;
	List	   *columns;

	if (prev_set_rel_pathlist)
		prev_set_rel_pathlist(root, rel, rti, rte);
	/* no security condition anywhere in the query: nothing to take over */
	if (root->qual_security_level == 0)
		return;
	if (!x2_scan_enabled || rte->rtekind != RTE_RELATION || rte->inh ||
		rte->tablesample != NULL || rte->relkind != RELKIND_RELATION ||
		(rel->reloptkind != RELOPT_BASEREL && rel->reloptkind != RELOPT_OTHER_MEMBER_REL) ||
		rel->lateral_relids != NULL)
		return;
	policy = policy_condition(root, rel, rel->baserestrictinfo, &label_attno, &subject_attno);
	if (policy == NULL || !ax_x2_acting_abroad())
		return;
	relation = RelationIdGetRelation(rte->relid);
	if (!RelationIsValid(relation))
		return;
	heap = relation->rd_tableam == GetHeapamTableAmRoutine();
	RelationClose(relation);
	if (!heap)
		return;

	cost_qual_eval_node(&cost, (Node *) policy, root);
	columns = list_make2_int(label_attno, subject_attno);
	add_path(rel, &make_path(rel, create_seqscan_path(root, rel, NULL, 0),
							 cost.per_tuple, columns)->path);
	if (rel->consider_parallel)
	{
		int			workers = compute_parallel_worker(rel, rel->pages, -1,
													  max_parallel_workers_per_gather);

		if (workers > 0)
			add_partial_path(rel, &make_path(rel, create_seqscan_path(root, rel, NULL, workers),
											 cost.per_tuple, columns)->path);
	}
}

/*
 * PlanCustomPath: a CustomScan of rel whose filter is every condition of
 * the scan but the policy's call, in the planner's order.
 */
static Plan *
x2_plan_path(PlannerInfo *root, RelOptInfo *rel, CustomPath *best_path,
			 List *tlist, List *clauses, List *custom_plans)
{
	CustomScan *cscan = makeNode(CustomScan);
	AttrNumber	label_attno = linitial_int(best_path->custom_private);
	AttrNumber	subject_attno = lsecond_int(best_path->custom_private);
	AttrNumber	la;
	AttrNumber	sa;
	RestrictInfo *policy = policy_condition(root, rel, clauses, &la, &sa);
	List	   *rest = NIL;
	ListCell   *lc;

	if (policy == NULL || la != label_attno || sa != subject_attno)
		elog(ERROR, "autoxfer: the policy of roles abroad is not among the conditions of the scan of relation %u",
			 planner_rt_fetch(rel->relid, root)->relid);
	foreach(lc, clauses)
		if (lfirst(lc) != policy)
			rest = lappend(rest, lfirst(lc));

	cscan->scan.plan.targetlist = tlist;
	cscan->scan.plan.qual = extract_actual_clauses(rest, false);
	cscan->scan.scanrelid = rel->relid;
	cscan->flags = best_path->flags;
	cscan->custom_private = best_path->custom_private;
	cscan->methods = &x2_scan_methods;
	return &cscan->scan.plan;
}

/* CreateCustomScanState: the scan's state. */
static Node *
x2_create_state(CustomScan *cscan)
{
	X2ScanState *st = (X2ScanState *) newNode(sizeof(X2ScanState), T_CustomScanState);

	st->css.methods = &x2_exec_methods;
	st->label_attno = linitial_int(cscan->custom_private);
	st->subject_attno = lsecond_int(cscan->custom_private);
	return (Node *) st;
}

/*
 * BeginCustomScan: the executor opened the relation, and made the scan's
 * slot, filter and projection.  PostgreSQL 15 makes a custom scan's slot
 * virtual, and the filter and projection compiled for it read it as such
 * (no deforming); the table's tuples need a heap slot, so the three are
 * made again for one.
 */
static void
x2_begin(CustomScanState *node, EState *estate, int eflags)
{
	X2ScanState *st = (X2ScanState *) node;
	CustomScan *cscan = (CustomScan *) node->ss.ps.plan;
	Relation	rel = node->ss.ss_currentRelation;
	TupleDesc	desc = RelationGetDescr(rel);

	if (st->label_attno < 1 || st->subject_attno < 0 ||
		st->label_attno > desc->natts || st->subject_attno > desc->natts)
		elog(ERROR, "autoxfer: relation \"%s\" has no column %d or %d",
			 RelationGetRelationName(rel), st->label_attno, st->subject_attno);
	st->walk_natts = Max(st->label_attno, st->subject_attno);
	for (int i = 0; i < st->walk_natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);

		st->walk_len[i] = att->attlen;
		st->walk_align[i] = att->attalign == TYPALIGN_DOUBLE ? ALIGNOF_DOUBLE :
			att->attalign == TYPALIGN_INT ? ALIGNOF_INT :
			att->attalign == TYPALIGN_SHORT ? ALIGNOF_SHORT : 1;
	}
	ExecInitScanTupleSlot(estate, &node->ss, desc, table_slot_callbacks(rel));
	ExecAssignScanProjectionInfoWithVarno(&node->ss, cscan->scan.scanrelid);
	node->ss.ps.qual = ExecInitQual(cscan->scan.plan.qual, (PlanState *) node);
	st->relid = RelationGetRelid(rel);
	st->block = InvalidBlockNumber;
	st->page_cxt = AllocSetContextCreate(CurrentMemoryContext, "autoxfer X2 scan page",
										 ALLOCSET_SMALL_SIZES);
}

/*
 * ax_x2_visible_rows over n rows, what it detoasts kept in page_cxt until
 * the next call.
 */
static void
decide_rows(X2ScanState *st, int n, const Datum *labels, const bool *label_nulls,
			const Datum *subjects, const bool *subject_nulls, bool *visible)
{
	MemoryContext old;

	MemoryContextReset(st->page_cxt);
	old = MemoryContextSwitchTo(st->page_cxt);
	ax_x2_visible_rows(st->relid, n, labels, label_nulls, subjects, subject_nulls, visible);
	MemoryContextSwitchTo(old);
}

/* The policy's answer for the row in slot, decided alone. */
static bool
decide_slot(X2ScanState *st, TupleTableSlot *slot)
{
	Datum		label;
	Datum		subject;
	bool		label_null;
	bool		subject_null;
	bool		visible;

	label = slot_getattr(slot, st->label_attno, &label_null);
	subject = (Datum) 0;
	subject_null = true;
	if (st->subject_attno > 0)
		subject = slot_getattr(slot, st->subject_attno, &subject_null);
	decide_rows(st, 1, &label, &label_null, &subject, &subject_null, &visible);
	return visible;
}

/*
 * The label and the subject of the heap tuple tup, in one walk over its
 * attributes up to the later of the two (heap_getattr would walk from the
 * first attribute for each), from the lengths and alignments kept in st
 * (walk_len, walk_align), values fetched for those two only (NULL until
 * found); an attribute the tuple does not have (added to the table after
 * it was written) has the column's missing value.
 */
static void
read_columns(X2ScanState *st, TupleDesc desc, HeapTupleHeader tup,
			 Datum *label, bool *label_null, Datum *subject, bool *subject_null)
{
	int			stored = HeapTupleHeaderGetNatts(tup);
	int			upto = Min(stored, st->walk_natts);
	bool		hasnulls = (tup->t_infomask & HEAP_HASNULL) != 0;
	char	   *data = (char *) tup + tup->t_hoff;
	int			label_i = st->label_attno - 1;
	int			subject_i = st->subject_attno - 1;
	uint32		off = 0;

	*label = (Datum) 0;
	*label_null = true;
	*subject = (Datum) 0;
	*subject_null = true;
	for (int i = 0; i < upto; i++)
	{
		int			len = st->walk_len[i];
		char	   *at;

		if (hasnulls && att_isnull(i, tup->t_bits))
			continue;
		/* a varlena with a short header is not aligned: no pad byte is 0 */
		if (len != -1 || !VARATT_NOT_PAD_BYTE(data + off))
			off = TYPEALIGN(st->walk_align[i], off);
		at = data + off;
		if (len > 0)
			off += len;
		else if (len == -1)
			off += VARSIZE_ANY(at);
		else
			off += strlen(at) + 1;
		if (i == label_i)
		{
			*label = fetchatt(TupleDescAttr(desc, i), at);
			*label_null = false;
		}
		else if (i == subject_i)
		{
			*subject = PointerGetDatum(at);
			*subject_null = false;
		}
	}
	if (st->label_attno > stored)
		*label = getmissingattr(desc, st->label_attno, label_null);
	if (st->subject_attno > stored)
		*subject = getmissingattr(desc, st->subject_attno, subject_null);
}

/*
 * Start fetching the first two cache lines of the tuple at off on page
 * (its header and what follows), which the walk of read_columns reads.
 */
static inline void
prefetch_tuple(Page page, OffsetNumber off)
{
	char	   *tup = PageGetItem(page, PageGetItemId(page, off));

	__builtin_prefetch(tup);
	__builtin_prefetch(tup + 64);
}

/*
 * Decide every tuple the scan's snapshot sees on the page it has just
 * reached (block): their labels and subjects read from the page, which the
 * scan holds pinned, decided together.  When the scan is not reading a
 * page at a time (a snapshot that is not MVCC), nothing is answered and
 * each row is decided alone.
 */
static void
decide_page(X2ScanState *st, TableScanDesc scan, BlockNumber block)
{
	HeapScanDesc hscan = (HeapScanDesc) scan;
	TupleDesc	desc = RelationGetDescr(st->css.ss.ss_currentRelation);
	Datum		labels[MaxHeapTuplesPerPage];
	Datum		subjects[MaxHeapTuplesPerPage];
	bool		label_nulls[MaxHeapTuplesPerPage];
	bool		subject_nulls[MaxHeapTuplesPerPage];
	bool		visible[MaxHeapTuplesPerPage];
	Page		page;
	int			n;

	memset(st->answer, X2_UNANSWERED, sizeof(st->answer));
	st->block = block;
	if (!(scan->rs_flags & SO_ALLOW_PAGEMODE) || hscan->rs_cblock != block ||
		!BufferIsValid(hscan->rs_cbuf))
		return;
	page = BufferGetPage(hscan->rs_cbuf);
	n = hscan->rs_ntuples;
	/* the first tuples' lines now, the others' a few tuples ahead */
	for (int i = 0; i < n && i < X2_SCAN_AHEAD; i++)
		prefetch_tuple(page, hscan->rs_vistuples[i]);
	for (int i = 0; i < n; i++)
	{
		ItemId		lp = PageGetItemId(page, hscan->rs_vistuples[i]);

		if (i + X2_SCAN_AHEAD < n)
			prefetch_tuple(page, hscan->rs_vistuples[i + X2_SCAN_AHEAD]);
		read_columns(st, desc, (HeapTupleHeader) PageGetItem(page, lp),
					 &labels[i], &label_nulls[i], &subjects[i], &subject_nulls[i]);
	}
	decide_rows(st, n, labels, label_nulls, subjects, subject_nulls, visible);
	for (int i = 0; i < n; i++)
		st->answer[hscan->rs_vistuples[i]] = visible[i] ? X2_VISIBLE : X2_HIDDEN;
}

/*
 * ExecScan's access method: the next tuple of the table the policy lets
 * the role abroad see.
 */
static TupleTableSlot *
x2_next(ScanState *ss)
{
	X2ScanState *st = (X2ScanState *) ss;
	TableScanDesc scan = ss->ss_currentScanDesc;
	TupleTableSlot *slot = ss->ss_ScanTupleSlot;

	if (scan == NULL)
	{
		scan = table_beginscan(ss->ss_currentRelation, ss->ps.state->es_snapshot, 0, NULL);
		ss->ss_currentScanDesc = scan;
	}
	while (table_scan_getnextslot(scan, ForwardScanDirection, slot))
	{
		BlockNumber block = ItemPointerGetBlockNumber(&slot->tts_tid);
		OffsetNumber off = ItemPointerGetOffsetNumber(&slot->tts_tid);
		int			answer;

		CHECK_FOR_INTERRUPTS();
		if (block != st->block)
			decide_page(st, scan, block);
		answer = off <= MaxHeapTuplesPerPage ? st->answer[off] : X2_UNANSWERED;
		if (answer == X2_UNANSWERED)
			answer = decide_slot(st, slot) ? X2_VISIBLE : X2_HIDDEN;
		if (answer == X2_VISIBLE)
			return slot;
	}
	return NULL;
}

/*
 * ExecScan's recheck method, for a row EvalPlanQual fetched again: the
 * policy decides it alone (ExecScan then checks the other conditions).
 */
static bool
x2_recheck(ScanState *ss, TupleTableSlot *slot)
{
	return decide_slot((X2ScanState *) ss, slot);
}

/* ExecCustomScan */
static TupleTableSlot *
x2_exec(CustomScanState *node)
{
	return ExecScan(&node->ss, x2_next, x2_recheck);
}

/* EndCustomScan */
static void
x2_end(CustomScanState *node)
{
	if (node->ss.ss_currentScanDesc != NULL)
		table_endscan(node->ss.ss_currentScanDesc);
	node->ss.ss_currentScanDesc = NULL;
}

/* ReScanCustomScan: from the first page again, nothing answered. */
static void
x2_rescan(CustomScanState *node)
{
	X2ScanState *st = (X2ScanState *) node;

	if (node->ss.ss_currentScanDesc != NULL)
		table_rescan(node->ss.ss_currentScanDesc, NULL);
	st->block = InvalidBlockNumber;
	ExecScanReScan(&node->ss);
}

/* EstimateDSMCustomScan: room for a parallel table scan, as a Seq Scan. */
static Size
x2_estimate_dsm(CustomScanState *node, ParallelContext *pcxt)
{
	return table_parallelscan_estimate(node->ss.ss_currentRelation,
									   node->ss.ps.state->es_snapshot);
}

/* InitializeDSMCustomScan: the leader sets up the shared scan and joins it. */
static void
x2_initialize_dsm(CustomScanState *node, ParallelContext *pcxt, void *coordinate)
{
	ParallelTableScanDesc pscan = (ParallelTableScanDesc) coordinate;

	table_parallelscan_initialize(node->ss.ss_currentRelation, pscan,
								  node->ss.ps.state->es_snapshot);
	node->ss.ss_currentScanDesc = table_beginscan_parallel(node->ss.ss_currentRelation, pscan);
}

/* ReInitializeDSMCustomScan: the shared scan from the start again. */
static void
x2_reinitialize_dsm(CustomScanState *node, ParallelContext *pcxt, void *coordinate)
{
	table_parallelscan_reinitialize(node->ss.ss_currentRelation,
									(ParallelTableScanDesc) coordinate);
}

/* InitializeWorkerCustomScan: a worker joins the shared scan. */
static void
x2_initialize_worker(CustomScanState *node, shm_toc *toc, void *coordinate)
{
	node->ss.ss_currentScanDesc = table_beginscan_parallel(node->ss.ss_currentRelation,
														   (ParallelTableScanDesc) coordinate);
}

/* ExplainCustomScan: what the scan decides itself. */
static void
x2_explain(CustomScanState *node, List *ancestors, ExplainState *es)
{
	ExplainPropertyText("Policy", "autoxfer_abroad (autoxfer._x2_visible), decided a page at a time", es);
}

/* Install the path and the GUC; called once from _PG_init. */
void
ax_x2_scan_register(void)
{
	DefineCustomBoolVariable("autoxfer.x2_scan",
							 "Lets a role abroad's scans of protected tables decide the policy autoxfer_abroad a page at a time.",
							 "When off, the policy's function decides row by row, with the same answers.",
							 &x2_scan_enabled,
							 true,
							 PGC_SUSET,
							 0,
							 NULL, NULL, NULL);
	RegisterCustomScanMethods(&x2_scan_methods);
	prev_set_rel_pathlist = set_rel_pathlist_hook;
	set_rel_pathlist_hook = x2_set_rel_pathlist;
}
