/*
 * guard.c
 *		The DDL guard: event triggers that keep the enforcing trigger and the
 *		label column of every protected table, and of every partition of
 *		one, exactly as protect() made them.
 *
 * The guarantee (docs/security.md) rests on one fact: every row that
 * reaches a protected table goes through zz_autoxfer_enforce, BEFORE INSERT
 * OR UPDATE FOR EACH ROW EXECUTE FUNCTION autoxfer.enforce(), enabled
 * ALWAYS, with no condition, no column list, no arguments, and no other
 * BEFORE row trigger after it (triggers fire in the order of their names).
 * The guard does not parse the many commands that could break that: after
 * every ALTER TABLE, CREATE TABLE, CREATE or ALTER TRIGGER (and their
 * foreign-table forms) it looks at the protected trees the command touched
 * and refuses the command unless each is as it must be (ax_check_tree):
 * the trigger as above on every member, no later BEFORE row trigger, the
 * label column of type autoxfer.label with the fail-closed default
 * core/blocked and NOT NULL, every member a plain table or a partition (no
 * inheritance children, no foreign partitions, no protected table nested
 * in another).  A dropped enforcing trigger is refused by the sql_drop
 * trigger, unless its table goes with it.
 *
 * Two commands write rows without the trigger, and the guard looks at what
 * they did: ATTACH PARTITION brings a table with the rows it has, and
 * ALTER COLUMN ... TYPE rewrites values (USING can set them to anything).
 * A change of the label column's type is refused; after an ATTACH or a
 * change of another column's type, every row whose stored label is not the
 * one classification gives is relabelled (ax_relabel_leaf): found by a
 * scan, classified as the trigger does, and updated by its ctid as the
 * current user, never as the extension's owner, so that the trigger
 * writes its label.  Rows the UPDATE cannot reach (a rule, a policy, a
 * trigger that skips them) make the command fail: none is left looking
 * current.
 *
 * The guard is written in C and reads the catalogue as the extension's
 * owner (read only); the commands it runs itself (a partition's default,
 * the relabelling) run as the user whose DDL fired it.  protect() and its
 * helpers change the trigger through autoxfer's internal operation
 * (generation.c), which no setting can turn on; a superuser restoring a
 * dump is let through (the dump rebuilds the trigger after the data).
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/relation.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/indexing.h"
#include "catalog/namespace.h"
#include "catalog/partition.h"
#include "catalog/pg_inherits.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_trigger.h"
#include "catalog/pg_type.h"
#include "commands/event_trigger.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "parser/parse_func.h"
#include "rewrite/prs2lock.h"
#include "storage/bufmgr.h"
#include "tcop/deparse_utility.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"

#include "guard.h"
#include "owner.h"
#include "label.h"
#include "vocab.h"

PG_FUNCTION_INFO_V1(ax_ddl_guard);
PG_FUNCTION_INFO_V1(ax_ddl_guard_drop);

/* Rows relabelled by one UPDATE. */
#define AX_RELABEL_BATCH	10000

#define AX_GUARD_HINT "Run autoxfer.unprotect() as autoxfer_admin to stop protecting the table first."

/* A registered (protected) table and its label column. */
typedef struct AxRegistered
{
	Oid			rel;
	char	   *label_column;
} AxRegistered;

/*
 * OID of autoxfer.enforce(), or InvalidOid while the extension is absent.
 * Looked up in the system cache: the user whose DDL fires the guard may
 * have no right on schema autoxfer.
 */
Oid
ax_enforce_oid(void)
{
	Oid			nsp = get_namespace_oid("autoxfer", true);

	if (!OidIsValid(nsp))
		return InvalidOid;
	return GetSysCacheOid3(PROCNAMEARGSNSP, Anum_pg_proc_oid, CStringGetDatum("enforce"),
						   PointerGetDatum(buildoidvector(NULL, 0)), ObjectIdGetDatum(nsp));
}

/* OID of type autoxfer.label, or InvalidOid. */
static Oid
label_type_oid(void)
{
	Oid			nsp = get_namespace_oid("autoxfer", true);

	if (!OidIsValid(nsp))
		return InvalidOid;
	return GetSysCacheOid2(TYPENAMENSP, Anum_pg_type_oid,
						   CStringGetDatum("label"), ObjectIdGetDatum(nsp));
}

/* The direct parents of relid in pg_inherits (partition parent included). */
static List *
parents_of(Oid relid)
{
	Relation	inh = table_open(InheritsRelationId, AccessShareLock);
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tup;
	List	   *result = NIL;

	ScanKeyInit(&key, Anum_pg_inherits_inhrelid, BTEqualStrategyNumber, F_OIDEQ,
				ObjectIdGetDatum(relid));
	scan = systable_beginscan(inh, InheritsRelidSeqnoIndexId, true, NULL, 1, &key);
	while (HeapTupleIsValid(tup = systable_getnext(scan)))
		result = lappend_oid(result, ((Form_pg_inherits) GETSTRUCT(tup))->inhparent);
	systable_endscan(scan);
	table_close(inh, AccessShareLock);
	return result;
}

/* Every ancestor of relid, by partitioning or inheritance, appended to list. */
static List *
add_ancestors(List *list, Oid relid)
{
	List	   *todo = list_make1_oid(relid);

	while (todo != NIL)
	{
		Oid			r = linitial_oid(todo);
		ListCell   *lc;

		todo = list_delete_first(todo);
		foreach(lc, parents_of(r))
		{
			if (!list_member_oid(list, lfirst_oid(lc)))
			{
				list = lappend_oid(list, lfirst_oid(lc));
				todo = lappend_oid(todo, lfirst_oid(lc));
			}
		}
	}
	return list;
}

/* The table a trigger is on, or InvalidOid. */
static Oid
trigger_relid(Oid trigoid)
{
	Relation	tgrel = table_open(TriggerRelationId, AccessShareLock);
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tup;
	Oid			result = InvalidOid;

	ScanKeyInit(&key, Anum_pg_trigger_oid, BTEqualStrategyNumber, F_OIDEQ,
				ObjectIdGetDatum(trigoid));
	scan = systable_beginscan(tgrel, TriggerOidIndexId, true, NULL, 1, &key);
	if (HeapTupleIsValid(tup = systable_getnext(scan)))
		result = ((Form_pg_trigger) GETSTRUCT(tup))->tgrelid;
	systable_endscan(scan);
	table_close(tgrel, AccessShareLock);
	return result;
}

/*
 * The tables among oids that are registered in autoxfer.protected_table,
 * with their label columns, read as the extension's owner.
 */
static List *
registered_among(List *oids)
{
	MemoryContext caller = CurrentMemoryContext;
	Datum	   *elems;
	int			n = 0;
	ListCell   *lc;
	Oid			types[1] = {OIDARRAYOID};
	Datum		values[1];
	Oid			save_user;
	int			save_sec;
	List	   *result = NIL;

	if (oids == NIL)
		return NIL;
	elems = palloc(sizeof(Datum) * list_length(oids));
	foreach(lc, oids)
		elems[n++] = ObjectIdGetDatum(lfirst_oid(lc));
	values[0] = PointerGetDatum(construct_array(elems, n, OIDOID, sizeof(Oid), true, TYPALIGN_INT));

	ax_owner_spi_begin(&save_user, &save_sec);
	if (ax_spi_execute("SELECT p.rel::pg_catalog.oid, p.label_column::pg_catalog.text"
					   " FROM autoxfer.protected_table AS p"
					   " WHERE p.rel::pg_catalog.oid OPERATOR(pg_catalog.=) ANY ($1)",
					   1, types, values, NULL, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "reading autoxfer.protected_table failed");
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		bool		isnull;
		MemoryContext old = MemoryContextSwitchTo(caller);
		AxRegistered *r = palloc(sizeof(AxRegistered));

		r->rel = DatumGetObjectId(SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1, &isnull));
		r->label_column = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 2);
		result = lappend(result, r);
		MemoryContextSwitchTo(old);
	}
	ax_owner_spi_end(save_user, save_sec);
	return result;
}

/* The registered table of list whose OID is rel, or NULL. */
static AxRegistered *
find_registered(List *registered, Oid rel)
{
	ListCell   *lc;

	foreach(lc, registered)
	{
		AxRegistered *r = lfirst(lc);

		if (r->rel == rel)
			return r;
	}
	return NULL;
}

/* "protected table "t"" or "partition "p" of protected table "t"". */
static char *
describe(Oid member, Oid root)
{
	if (member == root)
		return psprintf("protected table \"%s\"", get_rel_name(root));
	return psprintf("partition \"%s\" of protected table \"%s\"",
					get_rel_name(member), get_rel_name(root));
}

/* What is wrong with the enforcing trigger t, or NULL when nothing. */
static const char *
enforce_defect(const Trigger *t, Oid enforce)
{
	if (t->tgfoid != enforce)
		return "calling another function";
	if (t->tgtype != (TRIGGER_TYPE_ROW | TRIGGER_TYPE_BEFORE | TRIGGER_TYPE_INSERT | TRIGGER_TYPE_UPDATE))
		return "firing on other events than BEFORE INSERT OR UPDATE FOR EACH ROW";
	if (t->tgqual != NULL)
		return "firing only WHEN a condition holds";
	if (t->tgnattr > 0)
		return "firing only on UPDATE OF some columns";
	if (t->tgnargs > 0)
		return "called with arguments";
	if (t->tgconstraint != InvalidOid || t->tgdeferrable)
		return "a constraint trigger";
	switch (t->tgenabled)
	{
		case TRIGGER_FIRES_ALWAYS:
			return NULL;
		case TRIGGER_DISABLED:
			return "disabled";
		case TRIGGER_FIRES_ON_REPLICA:
			return "enabled for replica sessions only";
		default:
			return "enabled for origin sessions only";
	}
}

/* Check the triggers of member rel of the protected tree of root. */
static void
check_triggers(Relation rel, Oid root, Oid enforce)
{
	TriggerDesc *td = rel->trigdesc;
	const Trigger *mine = NULL;
	const char *renamed = NULL;
	const char *defect;
	Oid			relid = RelationGetRelid(rel);

	for (int i = 0; td != NULL && i < td->numtriggers; i++)
	{
		const Trigger *t = &td->triggers[i];

		if (strcmp(t->tgname, AX_ENFORCE_TRIGGER) == 0)
			mine = t;
		else if (t->tgfoid == enforce)
			renamed = t->tgname;
	}
	if (mine == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("%s must keep its trigger " AX_ENFORCE_TRIGGER, describe(relid, root)),
				 renamed != NULL ?
				 errdetail("The trigger would be renamed to \"%s\": its name sorts after the ordinary trigger names, so that it labels the row they leave.", renamed) :
				 errdetail("The trigger labels every row written into the table."),
				 errhint(AX_GUARD_HINT)));
	defect = enforce_defect(mine, enforce);
	if (defect != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("cannot change trigger " AX_ENFORCE_TRIGGER " of %s", describe(relid, root)),
				 errdetail("It must stay BEFORE INSERT OR UPDATE FOR EACH ROW EXECUTE FUNCTION autoxfer.enforce(), enabled ALWAYS; this would leave it %s.",
						   defect),
				 errhint(AX_GUARD_HINT)));
	for (int i = 0; td != NULL && i < td->numtriggers; i++)
	{
		const Trigger *t = &td->triggers[i];

		if (t != mine && TRIGGER_FOR_ROW(t->tgtype) && TRIGGER_FOR_BEFORE(t->tgtype) &&
			(TRIGGER_FOR_INSERT(t->tgtype) || TRIGGER_FOR_UPDATE(t->tgtype)) &&
			strcmp(t->tgname, AX_ENFORCE_TRIGGER) > 0)
			ereport(ERROR,
					(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
					 errmsg("trigger \"%s\" on %s would fire after " AX_ENFORCE_TRIGGER,
							t->tgname, describe(relid, root)),
					 errdetail("BEFORE row triggers fire in the order of their names; one whose name sorts after \"" AX_ENFORCE_TRIGGER "\" could change the label it writes."),
					 errhint("Give the trigger a name that sorts before \"" AX_ENFORCE_TRIGGER "\", or run autoxfer.unprotect() as autoxfer_admin first.")));
	}
}

/* Whether the default of attribute attnum of rel is the fail-closed label. */
static bool
has_fail_closed_default(Relation rel, AttrNumber attnum, Oid labeltype)
{
	TupleConstr *constr = RelationGetDescr(rel)->constr;

	if (constr == NULL)
		return false;
	for (int i = 0; i < constr->num_defval; i++)
	{
		Node	   *expr;
		Const	   *c;
		AxLabelFields f;

		if (constr->defval[i].adnum != attnum)
			continue;
		expr = stringToNode(constr->defval[i].adbin);
		if (!IsA(expr, Const))
			return false;
		c = (Const *) expr;
		if (c->consttype != labeltype || c->constisnull)
			return false;
		ax_label_unpack(DatumGetAxLabel(c->constvalue), &f);
		return f.category == AX_CAT_CORE && f.mark == AX_MARK_BLOCKED && f.generation == 0;
	}
	return false;
}

/* Check the label column of member rel of the protected tree of root. */
static void
check_label_column(Relation rel, Oid root, const char *label_column, Oid labeltype,
				   bool require_not_null)
{
	Oid			relid = RelationGetRelid(rel);
	AttrNumber	attnum = get_attnum(relid, label_column);
	Form_pg_attribute att;

	if (attnum == InvalidAttrNumber)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("%s must keep its label column \"%s\"", describe(relid, root), label_column),
				 errhint(AX_GUARD_HINT)));
	att = TupleDescAttr(RelationGetDescr(rel), attnum - 1);
	if (att->atttypid != labeltype)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("cannot change the type of label column \"%s\" of %s", label_column,
						describe(relid, root)),
				 errhint(AX_GUARD_HINT)));
	if (!has_fail_closed_default(rel, attnum, labeltype))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("label column \"%s\" of %s must keep its default core/blocked", label_column,
						describe(relid, root)),
				 errdetail("The default core/blocked (generation 0: never exported, always stale) and NOT NULL are what a row would carry were it to reach the table without its label."),
				 errhint(AX_GUARD_HINT)));
	if (require_not_null && !att->attnotnull)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("label column \"%s\" of %s must stay NOT NULL", label_column,
						describe(relid, root)),
				 errdetail("The default core/blocked (generation 0: never exported, always stale) and NOT NULL are what a row would carry were it to reach the table without its label."),
				 errhint(AX_GUARD_HINT)));
}

/*
 * Refuse any state of protected table root and its partitions in which a
 * row could reach the table, or be read through it, without the label the
 * enforcing trigger writes: see the file comment.  require_not_null is
 * false while protect() is at work (it sets NOT NULL once the rows are
 * labelled); protecting words the errors for protect().
 */
void
ax_check_tree(Oid root, const char *label_column, bool require_not_null, bool protecting)
{
	Oid			enforce = ax_enforce_oid();
	Oid			labeltype = label_type_oid();
	List	   *members;
	List	   *registered;
	ListCell   *lc;

	if (!OidIsValid(enforce) || !OidIsValid(labeltype))
		return;
	members = find_all_inheritors(root, AccessShareLock, NULL);

	if (!get_rel_relispartition(root))
	{
		List	   *parents = parents_of(root);

		if (parents != NIL)
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 protecting ?
					 errmsg("cannot protect table \"%s\": it inherits from table \"%s\"",
							get_rel_name(root), get_rel_name(linitial_oid(parents))) :
					 errmsg("protected table \"%s\" cannot inherit from table \"%s\"",
							get_rel_name(root), get_rel_name(linitial_oid(parents))),
					 errdetail("A protected table takes part in no table inheritance: commands on its parent would reach it, and its rows would be read through the parent."),
					 errhint("Use partitioning instead, or run autoxfer.unprotect() as autoxfer_admin first.")));
	}
	registered = registered_among(members);
	foreach(lc, members)
	{
		Oid			m = lfirst_oid(lc);
		Relation	rel = relation_open(m, NoLock);
		char		relkind = rel->rd_rel->relkind;

		if (m != root && !rel->rd_rel->relispartition)
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 protecting ?
					 errmsg("cannot protect table \"%s\": table \"%s\" inherits from it",
							get_rel_name(root), RelationGetRelationName(rel)) :
					 errmsg("table \"%s\" cannot inherit from protected table \"%s\"",
							RelationGetRelationName(rel), get_rel_name(root)),
					 errdetail("The rows of an inheritance child are read through its parent, but the parent's enforcing trigger does not label them."),
					 errhint("Use partitioning instead (partitions get the trigger), or run autoxfer.unprotect() as autoxfer_admin first.")));
		if (relkind != RELKIND_RELATION && relkind != RELKIND_PARTITIONED_TABLE)
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 protecting ?
					 errmsg("cannot protect table \"%s\": its partition \"%s\" is not a table of this server",
							get_rel_name(root), RelationGetRelationName(rel)) :
					 errmsg("%s cannot be a foreign table", describe(m, root)),
					 errdetail("A foreign table's rows are stored by another server, where no enforcing trigger labels them."),
					 errhint("Keep foreign tables out of the partition tree of a protected table.")));
		if (m != root && find_registered(registered, m) != NULL)
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("table \"%s\" is protected itself and cannot be a partition of protected table \"%s\"",
							RelationGetRelationName(rel), get_rel_name(root)),
					 errhint("Run autoxfer.unprotect() on it first: a partition tree is protected once, at its root.")));
		check_label_column(rel, root, label_column, labeltype, require_not_null);
		check_triggers(rel, root, enforce);
		relation_close(rel, NoLock);
	}
}

/* Run one statement as the current user under a pinned search_path. */
static int
run_as_user(const char *sql, int nargs, Oid *types, Datum *values, uint64 *processed)
{
	int			nest = ax_pin_search_path();
	int			ret;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	ret = SPI_execute_with_args(sql, nargs, types, values, NULL, false, 0);
	if (ret < 0)
		elog(ERROR, "autoxfer: \"%s\" failed: %s", sql, SPI_result_code_string(ret));
	if (processed != NULL)
		*processed = SPI_processed;
	SPI_finish();
	ax_unpin_search_path(nest);
	return ret;
}

/* UPDATE the rows tids of rel with sql, which must reach every one of them. */
static uint64
update_tids(Relation rel, const char *sql, ItemPointerData *tids, int n)
{
	Datum	   *elems = palloc(sizeof(Datum) * n);
	Oid			types[1] = {TIDARRAYOID};
	Datum		values[1];
	uint64		processed = 0;
	int			ret;

	for (int i = 0; i < n; i++)
		elems[i] = PointerGetDatum(&tids[i]);
	values[0] = PointerGetDatum(construct_array(elems, n, TIDOID, sizeof(ItemPointerData),
												false, TYPALIGN_SHORT));
	ret = run_as_user(sql, 1, types, values, &processed);
	if (ret != SPI_OK_UPDATE || processed != (uint64) n)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("could not relabel every row of table \"%s\"", RelationGetRelationName(rel)),
				 errdetail("Of %d rows whose label is not the one classification gives, %llu were updated.",
						   n, (unsigned long long) processed),
				 errhint("A row-level security policy or a trigger of the table keeps the other rows from an UPDATE: lift it for the time of the command, or bring the rows in empty.")));
	pfree(elems);
	return processed;
}

/*
 * Relabel the rows of leaf (a plain table of a protected tree, locked by
 * the caller against other writers) whose stored label is not the one
 * classification gives now.  Each row is classified as the trigger would
 * classify it (as the current user, with the same compiled state); the
 * rows found are updated by ctid, as the current user, in batches, and the
 * enforcing trigger writes their labels.  A rule on UPDATE (which would
 * turn the UPDATE into something else) is refused up front; an UPDATE
 * that reaches fewer rows than it should fails.  Returns the number of
 * rows relabelled.
 */
uint64
ax_relabel_leaf(Oid leafid)
{
	Relation	rel = table_open(leafid, NoLock);
	AxTableState *ts;
	Snapshot	snap;
	TupleTableSlot *slot;
	TableScanDesc scan;
	ItemPointerData *tids;
	int			ntids = 0;
	uint64		total = 0;
	char	   *sql;
	char	   *qname;

	if (RelationGetNumberOfBlocks(rel) == 0)
	{
		table_close(rel, NoLock);
		return 0;
	}
	if (rel->rd_rules != NULL)
	{
		for (int i = 0; i < rel->rd_rules->numLocks; i++)
		{
			if (rel->rd_rules->rules[i]->event == CMD_UPDATE)
				ereport(ERROR,
						(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
						 errmsg("cannot relabel the rows of table \"%s\": it has a rule on UPDATE",
								RelationGetRelationName(rel)),
						 errdetail("Its rows carry labels no enforcing trigger wrote, and must be relabelled by an UPDATE the rule would rewrite."),
						 errhint("Drop the rule for the time of the command, or bring the rows in empty.")));
		}
	}

	CommandCounterIncrement();
	PushActiveSnapshot(GetTransactionSnapshot());
	snap = RegisterSnapshot(GetActiveSnapshot());
	ts = ax_table_state_live(rel);
	qname = quote_qualified_identifier(get_namespace_name(RelationGetNamespace(rel)),
									   RelationGetRelationName(rel));
	sql = psprintf("UPDATE ONLY %s SET %s = %s WHERE ctid OPERATOR(pg_catalog.=) ANY ($1)",
				   qname, quote_identifier(ts->cat.label_column),
				   quote_identifier(ts->cat.label_column));
	tids = palloc(sizeof(ItemPointerData) * AX_RELABEL_BATCH);
	slot = table_slot_create(rel, NULL);
	scan = table_beginscan(rel, snap, 0, NULL);
	while (table_scan_getnextslot(scan, ForwardScanDirection, slot))
	{
		ax_label	want;
		bool		isnull;
		Datum		d;

		CHECK_FOR_INTERRUPTS();
		ts = ax_table_state_live(rel);
		want = ax_classify_slot(ts, slot, NULL, NULL);
		d = slot_getattr(slot, ts->label_attno, &isnull);
		if (isnull || DatumGetAxLabel(d) != want)
		{
			tids[ntids++] = slot->tts_tid;
			if (ntids == AX_RELABEL_BATCH)
			{
				total += update_tids(rel, sql, tids, ntids);
				ntids = 0;
			}
		}
	}
	if (ntids > 0)
		total += update_tids(rel, sql, tids, ntids);
	table_endscan(scan);
	ExecDropSingleTupleTableSlot(slot);
	UnregisterSnapshot(snap);
	PopActiveSnapshot();
	table_close(rel, NoLock);
	return total;
}

static void read_command_list(List **touched, List **attached_names, List **attached_parents,
							  List **retyped, List **retyped_cols);

/*
 * The commands this ddl_command_end event fires for: the relations they
 * touched (a trigger counts for its table), the tables attached as
 * partitions, and the (relation, column) pairs whose type changed.
 */
static void
collect_commands(List **touched, List **attached, List **retyped, List **retyped_cols)
{
	List	   *attached_names = NIL;
	List	   *attached_parents = NIL;
	ListCell   *lc;
	ListCell   *lc2;

	read_command_list(touched, &attached_names, &attached_parents, retyped, retyped_cols);

	/*
	 * The table an ATTACH PARTITION named, as the command resolved it (the
	 * event trigger runs in the command's session, with its search_path),
	 * and only if it is now a partition of the table the command altered.
	 */
	forboth(lc, attached_names, lc2, attached_parents)
	{
		Oid			relid = RangeVarGetRelid((RangeVar *) lfirst(lc), NoLock, true);

		if (OidIsValid(relid) && get_rel_relispartition(relid) &&
			get_partition_parent(relid, false) == lfirst_oid(lc2))
		{
			*attached = list_append_unique_oid(*attached, relid);
			*touched = list_append_unique_oid(*touched, relid);
		}
	}
}

/* The part of collect_commands that reads the command list. */
static void
read_command_list(List **touched, List **attached_names, List **attached_parents,
				  List **retyped, List **retyped_cols)
{
	MemoryContext caller = CurrentMemoryContext;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (ax_spi_execute("SELECT x.classid, x.objid, x.command FROM pg_catalog.pg_event_trigger_ddl_commands() AS x",
					   0, NULL, NULL, NULL, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "pg_event_trigger_ddl_commands() failed");
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		HeapTuple	tup = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		bool		isnull;
		Oid			classid = DatumGetObjectId(SPI_getbinval(tup, desc, 1, &isnull));
		Oid			objid = DatumGetObjectId(SPI_getbinval(tup, desc, 2, &isnull));
		Datum		command = SPI_getbinval(tup, desc, 3, &isnull);
		CollectedCommand *cmd = isnull ? NULL : (CollectedCommand *) DatumGetPointer(command);
		Oid			rel = InvalidOid;
		MemoryContext old;

		if (classid == RelationRelationId)
			rel = objid;
		else if (classid == TriggerRelationId)
			rel = trigger_relid(objid);

		old = MemoryContextSwitchTo(caller);
		if (OidIsValid(rel))
			*touched = list_append_unique_oid(*touched, rel);
		if (cmd != NULL && cmd->type == SCT_AlterTable)
		{
			ListCell   *lc;

			foreach(lc, cmd->d.alterTable.subcmds)
			{
				CollectedATSubcmd *sub = lfirst(lc);
				AlterTableCmd *atc = (AlterTableCmd *) sub->parsetree;

				if (atc == NULL || !IsA(atc, AlterTableCmd))
					continue;

				if (atc->subtype == AT_AttachPartition && atc->def != NULL &&
					IsA(atc->def, PartitionCmd))
				{
					/* resolved below, with the command's search_path */
					*attached_names = lappend(*attached_names,
											  copyObject(((PartitionCmd *) atc->def)->name));
					*attached_parents = lappend_oid(*attached_parents, cmd->d.alterTable.objectId);
				}
				else if (atc->subtype == AT_AlterColumnType && atc->name != NULL)
				{
					*retyped = lappend_oid(*retyped, cmd->d.alterTable.objectId);
					*retyped_cols = lappend(*retyped_cols, pstrdup(atc->name));
				}
			}
		}
		MemoryContextSwitchTo(old);
	}
	SPI_finish();
}

/* The registered table whose tree holds relid (itself or an ancestor), or NULL. */
static AxRegistered *
root_of(List *registered, Oid relid)
{
	AxRegistered *r = find_registered(registered, relid);
	ListCell   *lc;

	if (r != NULL)
		return r;
	foreach(lc, add_ancestors(NIL, relid))
	{
		r = find_registered(registered, lfirst_oid(lc));
		if (r != NULL)
			return r;
	}
	return NULL;
}

/*
 * Run one statement as the current user while the DDL guard leaves the
 * protected tree of root alone (the statement is autoxfer's own).
 */
static void
run_for_tree(const char *sql, Oid root)
{
	AxInternalOp save_op;
	Oid			save_rel;

	save_op = ax_internal_op(&save_rel);
	ax_set_internal_op(AX_OP_ATTACH, root);
	PG_TRY();
	{
		run_as_user(sql, 0, NULL, NULL, NULL);
	}
	PG_FINALLY();
	{
		ax_set_internal_op(save_op, save_rel);
	}
	PG_END_TRY();
}

/*
 * Give the label column of every member of an attached table the
 * fail-closed default (ATTACH PARTITION, unlike CREATE TABLE ... PARTITION
 * OF, does not copy the parent's), as the current user.
 */
static void
default_attached(Oid attached, AxRegistered *root)
{
	Oid			labeltype = label_type_oid();
	ListCell   *lc;

	foreach(lc, find_all_inheritors(attached, NoLock, NULL))
	{
		Oid			m = lfirst_oid(lc);
		Relation	rel = relation_open(m, NoLock);
		AttrNumber	attnum = get_attnum(m, root->label_column);
		char		relkind = rel->rd_rel->relkind;
		bool		ok = attnum == InvalidAttrNumber ||
			(relkind != RELKIND_RELATION && relkind != RELKIND_PARTITIONED_TABLE) ||
			has_fail_closed_default(rel, attnum, labeltype);
		char	   *sql;

		relation_close(rel, NoLock);
		if (ok)
			continue;
		sql = psprintf("ALTER TABLE ONLY %s ALTER COLUMN %s SET DEFAULT 'core/blocked'",
					   quote_qualified_identifier(get_namespace_name(get_rel_namespace(m)), get_rel_name(m)),
					   quote_identifier(root->label_column));
		run_for_tree(sql, root->rel);
	}
}

/*
 * autoxfer._ddl_guard(): the ddl_command_end event trigger of ALTER TABLE,
 * CREATE TABLE, CREATE and ALTER TRIGGER and their foreign-table forms.
 * Refuses the command if it leaves a protected tree it touched in a state
 * ax_check_tree refuses, or changed the type of a label column; relabels
 * the rows of tables attached to a protected tree and of columns whose
 * type changed.
 */
Datum
ax_ddl_guard(PG_FUNCTION_ARGS)
{
	List	   *touched = NIL;
	List	   *attached = NIL;
	List	   *retyped = NIL;
	List	   *retyped_cols = NIL;
	List	   *candidates = NIL;
	List	   *registered;
	List	   *protected_members = NIL;
	ListCell   *lc;
	ListCell   *lc2;
	Oid			suspended;

	if (!CALLED_AS_EVENT_TRIGGER(fcinfo))
		elog(ERROR, "autoxfer._ddl_guard() must be called as an event trigger");
	if (ax_restoring() || !OidIsValid(ax_enforce_oid()))
		PG_RETURN_VOID();
	collect_commands(&touched, &attached, &retyped, &retyped_cols);
	if (touched == NIL)
		PG_RETURN_VOID();

	foreach(lc, touched)
	{
		Oid			t = lfirst_oid(lc);

		if (!SearchSysCacheExists1(RELOID, ObjectIdGetDatum(t)))
			continue;
		candidates = list_append_unique_oid(candidates, t);
		candidates = add_ancestors(candidates, t);
		candidates = list_concat_unique_oid(candidates, find_all_inheritors(t, AccessShareLock, NULL));
	}
	registered = registered_among(candidates);
	if (registered == NIL)
		PG_RETURN_VOID();
	if (ax_internal_op(&suspended) != AX_OP_ATTACH)
		suspended = InvalidOid;

	/* a change of the label column's type rewrites every label */
	forboth(lc, retyped, lc2, retyped_cols)
	{
		AxRegistered *r = root_of(registered, lfirst_oid(lc));

		if (r != NULL && r->rel != suspended && strcmp(r->label_column, (char *) lfirst(lc2)) == 0)
			ereport(ERROR,
					(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
					 errmsg("cannot change the type of label column \"%s\" of %s", r->label_column,
							describe(lfirst_oid(lc), r->rel)),
					 errdetail("A change of type rewrites every label without the enforcing trigger."),
					 errhint(AX_GUARD_HINT)));
	}

	/* attached partitions get the fail-closed default */
	foreach(lc, attached)
	{
		AxRegistered *r = root_of(registered, lfirst_oid(lc));

		if (r != NULL && r->rel != suspended)
			default_attached(lfirst_oid(lc), r);
	}

	foreach(lc, registered)
	{
		AxRegistered *r = lfirst(lc);

		if (r->rel == suspended)
			continue;
		CommandCounterIncrement();
		ax_check_tree(r->rel, r->label_column, true, false);
		protected_members = list_concat_unique_oid(protected_members,
												   find_all_inheritors(r->rel, NoLock, NULL));
	}

	/* rows that came without the trigger: relabel them */
	foreach(lc, attached)
	{
		AxRegistered *r = root_of(registered, lfirst_oid(lc));

		if (r == NULL || r->rel == suspended)
			continue;
		foreach(lc2, find_all_inheritors(lfirst_oid(lc), NoLock, NULL))
		{
			if (get_rel_relkind(lfirst_oid(lc2)) == RELKIND_RELATION)
				(void) ax_relabel_leaf(lfirst_oid(lc2));
		}
	}
	foreach(lc, retyped)
	{
		foreach(lc2, find_all_inheritors(lfirst_oid(lc), NoLock, NULL))
		{
			Oid			leaf = lfirst_oid(lc2);

			if (get_rel_relkind(leaf) == RELKIND_RELATION &&
				list_member_oid(protected_members, leaf))
				(void) ax_relabel_leaf(leaf);
		}
	}
	PG_RETURN_VOID();
}

/*
 * autoxfer._ddl_guard_drop(): the sql_drop event trigger.  Refuses dropping
 * the enforcing trigger of a protected table or of a partition of one,
 * unless the table goes with it (DROP TABLE), autoxfer itself is dropped,
 * or unprotect() already unregistered the table.
 */
Datum
ax_ddl_guard_drop(PG_FUNCTION_ARGS)
{
	MemoryContext caller = CurrentMemoryContext;
	List	   *tables = NIL;
	bool		extension = false;
	ListCell   *lc;
	Oid			suspended;

	if (!CALLED_AS_EVENT_TRIGGER(fcinfo))
		elog(ERROR, "autoxfer._ddl_guard_drop() must be called as an event trigger");
	if (ax_restoring())
		PG_RETURN_VOID();

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (ax_spi_execute("SELECT x.object_type, x.address_names FROM pg_catalog.pg_event_trigger_dropped_objects() AS x"
					   " WHERE x.object_type OPERATOR(pg_catalog.=) ANY ('{trigger,extension}'::pg_catalog.text[])",
					   0, NULL, NULL, NULL, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "pg_event_trigger_dropped_objects() failed");
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		HeapTuple	tup = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		char	   *type = SPI_getvalue(tup, desc, 1);
		bool		isnull;
		Datum		names = SPI_getbinval(tup, desc, 2, &isnull);
		Datum	   *elems;
		bool	   *nulls;
		int			n;

		if (isnull)
			continue;
		deconstruct_array(DatumGetArrayTypeP(names), TEXTOID, -1, false, TYPALIGN_INT,
						  &elems, &nulls, &n);
		if (strcmp(type, "extension") == 0)
		{
			if (n >= 1 && !nulls[0] && strcmp(TextDatumGetCString(elems[0]), "autoxfer") == 0)
				extension = true;
		}
		else if (n == 3 && !nulls[0] && !nulls[1] && !nulls[2] &&
				 strcmp(TextDatumGetCString(elems[2]), AX_ENFORCE_TRIGGER) == 0)
		{
			Oid			nsp = get_namespace_oid(TextDatumGetCString(elems[0]), true);
			Oid			rel = OidIsValid(nsp) ? get_relname_relid(TextDatumGetCString(elems[1]), nsp) : InvalidOid;

			if (OidIsValid(rel))
			{
				MemoryContext old = MemoryContextSwitchTo(caller);

				tables = lappend_oid(tables, rel);
				MemoryContextSwitchTo(old);
			}
		}
	}
	SPI_finish();
	if (extension || tables == NIL)
		PG_RETURN_VOID();
	if (ax_internal_op(&suspended) != AX_OP_ATTACH)
		suspended = InvalidOid;

	foreach(lc, tables)
	{
		Oid			t = lfirst_oid(lc);
		AxRegistered *r = root_of(registered_among(add_ancestors(list_make1_oid(t), t)), t);

		if (r != NULL && r->rel != suspended)
			ereport(ERROR,
					(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
					 errmsg("cannot drop trigger " AX_ENFORCE_TRIGGER " of %s", describe(t, r->rel)),
					 errdetail("The trigger labels every row written into the table."),
					 errhint(AX_GUARD_HINT)));
	}
	PG_RETURN_VOID();
}
