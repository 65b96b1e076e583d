/*
 * generation.c
 *		Who may write autoxfer.protected_table, and how a protected table's
 *		rule-set generation advances.
 *
 * A label carries the generation of its table at the time it was written;
 * a label of another generation is stale.  For that to mean anything, a
 * generation must change only when what classification says of a row may
 * have changed, and must never come back.  So protected_table is written
 * only by autoxfer's own C code, each time by one fixed statement:
 *
 *	- _register (from protect()): the INSERT of a table's row, once the
 *	  enforcing trigger is in place, at a generation above every label the
 *	  table already holds;
 *	- _bump (from the catalogue triggers) and the renewal of an expired
 *	  generation (from the trigger, the bulk COPY path and reclassify): an
 *	  UPDATE that advances the generation by one, or fails at the 20-bit
 *	  maximum rather than wrap;
 *	- reset_generation: back to 1, every label of the table rewritten in the
 *	  same transaction;
 *	- _unregister (from unprotect()): the DELETE, followed at once by the
 *	  drop of the trigger and of the label column, so that no label outlives
 *	  its registration.
 *
 * Each sets a backend-local operation (ax_op, never a setting a user can
 * SET) for its statement only; the row guard of protected_table
 * (ax_protected_table_guard) refuses every other INSERT, UPDATE, DELETE and
 * TRUNCATE, except while a superuser restores a dump (ax_restoring) and for
 * the row of a table that no longer exists (DROP TABLE).
 *
 * A table that declares a location also expires: the sensitive areas of
 * rule I1 have validity periods, and when one of them begins or ends, what
 * I1 says of a row changes without anyone writing the catalogue.  Every
 * generation of such a table records the window of instants it holds for:
 * from the last area boundary at or before it began (valid_since) to the
 * next one after it (stale_after).  From stale_after on the generation is
 * expired: generation_current() returns NULL and stale_labels() counts its
 * labels stale, and the first writer (trigger, bulk COPY, reclassify)
 * renews it, advancing it by one, before it labels a row.  A transaction
 * that began before valid_since classifies with the areas of an earlier
 * window and may not label with it (ax_table_state_live).
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/pg_inherits.h"
#include "catalog/pg_trigger.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "datatype/timestamp.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "storage/bufmgr.h"
#include "storage/lmgr.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/guc.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"

#include "guard.h"
#include "owner.h"
#include "label.h"

PG_FUNCTION_INFO_V1(ax_restoring_sql);
PG_FUNCTION_INFO_V1(ax_bumping_sql);
PG_FUNCTION_INFO_V1(ax_protected_table_guard);
PG_FUNCTION_INFO_V1(ax_bump);
PG_FUNCTION_INFO_V1(ax_renew_generation);
PG_FUNCTION_INFO_V1(ax_register);
PG_FUNCTION_INFO_V1(ax_attach);
PG_FUNCTION_INFO_V1(ax_unregister);
PG_FUNCTION_INFO_V1(ax_reset_generation);

/* The operation autoxfer's own code is running, and the table it concerns. */
static AxInternalOp ax_op = AX_OP_NONE;
static Oid	ax_op_rel = InvalidOid;

/* The operation in progress, and its table. */
AxInternalOp
ax_internal_op(Oid *rel)
{
	if (rel != NULL)
		*rel = ax_op_rel;
	return ax_op;
}

/*
 * A dump being restored by a superuser: check_function_bodies = off, as
 * every pg_dump script and pg_restore sets it, in a session whose session
 * user is a superuser (CREATE EXTENSION autoxfer needs one, so real restores
 * are run by one), and set by that session.  Then catalogue rows are not
 * validated (they arrive in any order), generations are not bumped and the
 * DDL guard lets the dump rebuild the trigger.  For anyone else the setting
 * changes nothing.
 */
bool
ax_restoring(void)
{
	bool		session = false;

	if (check_function_bodies || !superuser_arg(GetSessionUserId()))
		return false;

	/*
	 * Set by the session itself (SET, as pg_dump scripts and pg_restore do,
	 * or the client's connection options), not by ALTER DATABASE or ALTER
	 * ROLE: a database owner must not put a superuser's sessions into restore
	 * mode without its knowing.
	 */
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (ax_spi_execute("SELECT s.source OPERATOR(pg_catalog.=) ANY ('{session,client}'::pg_catalog.text[])"
					   " FROM pg_catalog.pg_settings AS s"
					   " WHERE s.name OPERATOR(pg_catalog.=) 'check_function_bodies'",
					   0, NULL, NULL, NULL, true, 1) == SPI_OK_SELECT && SPI_processed == 1)
	{
		bool		isnull;
		Datum		d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);

		session = !isnull && DatumGetBool(d);
	}
	SPI_finish();
	return session;
}

/* autoxfer._restoring(): ax_restoring, for the catalogue triggers. */
Datum
ax_restoring_sql(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(ax_restoring());
}

/*
 * autoxfer._bumping(): whether the statement running is autoxfer's own
 * advance (or reset) of a generation, which the catalogue's statement
 * trigger then leaves alone.
 */
Datum
ax_bumping_sql(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(ax_op == AX_OP_BUMP || ax_op == AX_OP_RESET);
}

/*
 * Pin search_path to pg_catalog, pg_temp for the DDL and DML statements
 * autoxfer runs through SPI (run_statement, guard.c), so that no object of
 * the caller's schemas is ever resolved in them: a utility statement looks
 * its names up when it executes, after the parse-time override of
 * ax_spi_execute (which the catalogue reads use) has ended.  Returns the GUC
 * nest level to pass to ax_unpin_search_path; an error in between unwinds
 * it with the (sub)transaction.
 */
int
ax_pin_search_path(void)
{
	int			nest = NewGUCNestLevel();

	(void) set_config_option("search_path", "pg_catalog, pg_temp",
							 PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
	return nest;
}

/* Undo ax_pin_search_path. */
void
ax_unpin_search_path(int nestlevel)
{
	AtEOXact_GUC(true, nestlevel);
}

/*
 * Make every backend recompile the classification state of relid and of
 * every partition of it (as autoxfer._invalidate does).
 */
void
ax_invalidate_tree(Oid relid)
{
	List	   *all;
	ListCell   *lc;

	if (!SearchSysCacheExists1(RELOID, ObjectIdGetDatum(relid)))
		return;
	all = find_all_inheritors(relid, NoLock, NULL);
	foreach(lc, all)
	{
		if (SearchSysCacheExists1(RELOID, ObjectIdGetDatum(lfirst_oid(lc))))
			CacheInvalidateRelcacheByRelid(lfirst_oid(lc));
	}
}

/* Set the internal operation (and its table) directly. */
void
ax_set_internal_op(AxInternalOp op, Oid rel)
{
	ax_op = op;
	ax_op_rel = rel;
}

/* Start the internal operation op on rel; returns the one it interrupts. */
static void
op_begin(AxInternalOp op, Oid rel, AxInternalOp *save_op, Oid *save_rel)
{
	*save_op = ax_op;
	*save_rel = ax_op_rel;
	ax_op = op;
	ax_op_rel = rel;
}

/* End it. */
static void
op_end(AxInternalOp save_op, Oid save_rel)
{
	ax_op = save_op;
	ax_op_rel = save_rel;
}

/*
 * Run one statement through SPI under a pinned search_path, as the current
 * user or, with as_owner, as the extension's owner (for writes to the
 * catalogue that a writer of a protected table may cause but may not make
 * himself).  While it runs, the internal operation is op on rel (AX_OP_NONE:
 * none).  Returns SPI_processed; with result, the first column of every row
 * returned (an oid or an int4), as a List of Oids.
 */
static uint64
run_statement(const char *sql, int nargs, Oid *types, Datum *values,
			  const char *nulls, bool as_owner, AxInternalOp op, Oid rel,
			  List **result)
{
	MemoryContext caller = CurrentMemoryContext;
	AxInternalOp save_op;
	Oid			save_rel;
	Oid			save_user = InvalidOid;
	int			save_sec = 0;
	int			nest;
	uint64		processed = 0;

	if (as_owner)
		ax_become_owner(&save_user, &save_sec);
	nest = ax_pin_search_path();
	op_begin(op, rel, &save_op, &save_rel);
	PG_TRY();
	{
		int			ret;

		if (SPI_connect() != SPI_OK_CONNECT)
			elog(ERROR, "SPI_connect failed");
		ret = SPI_execute_with_args(sql, nargs, types, values, nulls, false, 0);
		if (ret < 0)
			elog(ERROR, "autoxfer: \"%s\" failed: %s", sql, SPI_result_code_string(ret));
		processed = SPI_processed;
		if (result != NULL && SPI_tuptable != NULL)
		{
			MemoryContext old = MemoryContextSwitchTo(caller);

			for (uint64 i = 0; i < SPI_processed; i++)
			{
				bool		isnull;
				Datum		d = SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1, &isnull);

				if (!isnull)
					*result = lappend_oid(*result, DatumGetObjectId(d));
			}
			MemoryContextSwitchTo(old);
		}
		SPI_finish();
	}
	PG_FINALLY();
	{
		op_end(save_op, save_rel);
	}
	PG_END_TRY();
	ax_unpin_search_path(nest);
	if (as_owner)
		ax_restore_user(save_user, save_sec);
	return processed;
}

/* The schema-qualified, quoted name of a relation, for a statement. */
static char *
qualified_name(Oid relid)
{
	char	   *nsp = get_namespace_name(get_rel_namespace(relid));
	char	   *name = get_rel_name(relid);

	if (nsp == NULL || name == NULL)
		elog(ERROR, "cache lookup failed for relation %u", relid);
	return quote_qualified_identifier(nsp, name);
}

/* Attribute number of a column of protected_table, by name. */
static int
catalog_attnum(TupleDesc desc, const char *name)
{
	int			attnum = SPI_fnumber(desc, name);

	if (attnum <= 0)
		elog(ERROR, "autoxfer.protected_table has no column \"%s\"", name);
	return attnum;
}

/* Whether column name is the same in both tuples (NULLs equal). */
static bool
column_unchanged(TupleDesc desc, HeapTuple a, HeapTuple b, const char *name)
{
	int			attnum = catalog_attnum(desc, name);
	Form_pg_attribute att = TupleDescAttr(desc, attnum - 1);
	bool		anull;
	bool		bnull;
	Datum		ad = heap_getattr(a, attnum, desc, &anull);
	Datum		bd = heap_getattr(b, attnum, desc, &bnull);

	if (anull || bnull)
		return anull == bnull;
	return datumIsEqual(ad, bd, att->attbyval, att->attlen);
}

/* The table a row of protected_table is about. */
static Oid
row_rel(TupleDesc desc, HeapTuple tuple)
{
	bool		isnull;
	Datum		d = heap_getattr(tuple, catalog_attnum(desc, "rel"), desc, &isnull);

	return isnull ? InvalidOid : DatumGetObjectId(d);
}

/* The generation of a row of protected_table. */
static int32
row_generation(TupleDesc desc, HeapTuple tuple)
{
	bool		isnull;
	Datum		d = heap_getattr(tuple, catalog_attnum(desc, "generation"), desc, &isnull);

	return isnull ? 0 : DatumGetInt32(d);
}

/* The name of a table for a message, even one being dropped. */
static const char *
rel_display_name(Oid relid)
{
	char	   *name = get_rel_name(relid);

	return name != NULL ? name : psprintf("%u", relid);
}

/*
 * The row guard of autoxfer.protected_table (BEFORE INSERT, UPDATE, DELETE
 * FOR EACH ROW and BEFORE TRUNCATE): lets through only autoxfer's own
 * internal operations, a superuser's restore, and the deletion of the row
 * of a table that no longer exists; checks that an advance moves the
 * generation by exactly one and never past its maximum.
 */
Datum
ax_protected_table_guard(PG_FUNCTION_ARGS)
{
	TriggerData *td = (TriggerData *) fcinfo->context;
	TupleDesc	desc;
	HeapTuple	oldtup = NULL;
	HeapTuple	newtup = NULL;
	Oid			rel;

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_BEFORE(td->tg_event))
		elog(ERROR, "autoxfer._protected_table_guard() must be called as a BEFORE trigger");

	if (TRIGGER_FIRED_BY_TRUNCATE(td->tg_event))
	{
		if (!ax_restoring())
			ereport(ERROR,
					(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
					 errmsg("autoxfer.protected_table cannot be truncated"),
					 errhint("Run autoxfer.unprotect() on each protected table, as autoxfer_admin.")));
		return PointerGetDatum(NULL);
	}
	if (!TRIGGER_FIRED_FOR_ROW(td->tg_event))
		elog(ERROR, "autoxfer._protected_table_guard() must be fired FOR EACH ROW");

	desc = RelationGetDescr(td->tg_relation);
	if (TRIGGER_FIRED_BY_INSERT(td->tg_event))
		newtup = td->tg_trigtuple;
	else if (TRIGGER_FIRED_BY_UPDATE(td->tg_event))
	{
		oldtup = td->tg_trigtuple;
		newtup = td->tg_newtuple;
	}
	else
		oldtup = td->tg_trigtuple;

	/* a superuser's restore merges and replaces rows as the dump says */
	if (ax_restoring())
		return PointerGetDatum(newtup != NULL ? newtup : oldtup);

	if (TRIGGER_FIRED_BY_INSERT(td->tg_event))
	{
		rel = row_rel(desc, newtup);
		if (ax_op == AX_OP_REGISTER && rel == ax_op_rel)
			return PointerGetDatum(newtup);
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("table \"%s\" can be protected only by autoxfer.protect()", rel_display_name(rel)),
				 errdetail("A row written into autoxfer.protected_table would register the table without its trigger, or with labels no trigger wrote."),
				 errhint("Run autoxfer.protect() as autoxfer_admin: it attaches the enforcing trigger and labels the rows.")));
	}

	if (TRIGGER_FIRED_BY_DELETE(td->tg_event))
	{
		rel = row_rel(desc, oldtup);
		if ((ax_op == AX_OP_UNREGISTER && rel == ax_op_rel) ||
			!SearchSysCacheExists1(RELOID, ObjectIdGetDatum(rel)))
			return PointerGetDatum(oldtup);
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("table \"%s\" can be unprotected only by autoxfer.unprotect()", rel_display_name(rel)),
				 errdetail("Deleting its row from autoxfer.protected_table would leave its trigger and its labels behind."),
				 errhint("Run autoxfer.unprotect() as autoxfer_admin: it drops the trigger and the label column too.")));
	}

	/* UPDATE */
	rel = row_rel(desc, oldtup);
	if ((ax_op == AX_OP_BUMP || (ax_op == AX_OP_RESET && rel == ax_op_rel)) &&
		column_unchanged(desc, oldtup, newtup, "rel") &&
		column_unchanged(desc, oldtup, newtup, "scenario") &&
		column_unchanged(desc, oldtup, newtup, "subject") &&
		column_unchanged(desc, oldtup, newtup, "label_column") &&
		column_unchanged(desc, oldtup, newtup, "protected_at"))
	{
		int32		oldgen = row_generation(desc, oldtup);
		int32		newgen = row_generation(desc, newtup);

		if (ax_op == AX_OP_RESET && newgen == 1)
			return PointerGetDatum(newtup);
		if (ax_op == AX_OP_BUMP && oldgen >= AX_MAX_GENERATION)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("the rule-set generation of protected table \"%s\" has reached its maximum, %d",
							rel_display_name(rel), AX_MAX_GENERATION),
					 errdetail("A label keeps 20 bits of its generation: advancing it further would make labels written %d changes ago read as current.",
							   AX_MAX_GENERATION),
					 errhint("Run SELECT autoxfer.reset_generation('%s') as autoxfer_admin: it relabels every row at generation 1, in one transaction.",
							 rel_display_name(rel))));
		if (ax_op == AX_OP_BUMP && newgen == oldgen + 1)
			return PointerGetDatum(newtup);
	}
	ereport(ERROR,
			(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
			 errmsg("the row of protected table \"%s\" in autoxfer.protected_table cannot be changed directly",
					rel_display_name(rel)),
			 errdetail("Its generation advances only when the catalogue changes; its table, scenario, subject and label column change only by autoxfer.unprotect() and autoxfer.protect()."),
			 errhint("Run autoxfer.unprotect() and autoxfer.protect() again, as autoxfer_admin, to protect the table differently.")));
	PG_RETURN_NULL();			/* not reached */
}

/*
 * Advance the generation of the protected tables rels (a regclass[]; all
 * when isnull) by one, record the next area boundary of each, and make
 * every backend recompile them.  Run as the extension's owner: the
 * renewal of an expired generation comes from any writer of the table.
 */
static void
bump_tables(Datum rels, bool isnull)
{
	Oid			types[1] = {REGCLASSARRAYOID};
	Datum		values[1] = {rels};
	char		nulls[1] = {isnull ? 'n' : ' '};
	List	   *bumped = NIL;
	ListCell   *lc;

	run_statement("UPDATE autoxfer.protected_table AS p"
				  " SET generation = p.generation OPERATOR(pg_catalog.+) 1,"
				  " valid_since = autoxfer._last_boundary(p.rel),"
				  " stale_after = autoxfer._next_boundary(p.rel)"
				  " WHERE $1 IS NULL OR p.rel OPERATOR(pg_catalog.=) ANY ($1)"
				  " RETURNING p.rel::pg_catalog.oid",
				  1, types, values, nulls, true, AX_OP_BUMP, InvalidOid, &bumped);
	foreach(lc, bumped)
		ax_invalidate_tree(lfirst_oid(lc));
}

/*
 * autoxfer._bump(rels regclass[]): advance the rule-set generation of
 * protected tables (NULL: all) by one; at the maximum, fail rather than
 * wrap.  Called by the catalogue triggers; it only ever advances.
 */
Datum
ax_bump(PG_FUNCTION_ARGS)
{
	bump_tables(PG_ARGISNULL(0) ? (Datum) 0 : PG_GETARG_DATUM(0), PG_ARGISNULL(0));
	PG_RETURN_VOID();
}

/*
 * Renew the expired generation gen of protected table root: advance it by
 * one, unless another session or statement already did.  The row lock of
 * the UPDATE orders concurrent renewals: the second finds the generation
 * moved and changes nothing.
 */
static void
renew_root(Oid root, uint32 gen)
{
	Oid			types[2] = {OIDOID, INT4OID};
	Datum		values[2] = {ObjectIdGetDatum(root), Int32GetDatum((int32) gen)};

	if (run_statement("UPDATE autoxfer.protected_table AS p"
					  " SET generation = p.generation OPERATOR(pg_catalog.+) 1,"
					  " valid_since = autoxfer._last_boundary(p.rel),"
					  " stale_after = autoxfer._next_boundary(p.rel)"
					  " WHERE p.rel::pg_catalog.oid OPERATOR(pg_catalog.=) $1"
					  " AND p.generation OPERATOR(pg_catalog.=) $2"
					  " AND p.stale_after OPERATOR(pg_catalog.<=) pg_catalog.now()",
					  2, types, values, NULL, true, AX_OP_BUMP, InvalidOid, NULL) > 0)
		ax_invalidate_tree(root);
}

/* Whether the generation of a compiled state has expired for this transaction. */
static inline bool
state_expired(const AxTableState *ts)
{
	return ts->cat.stale_after != DT_NOEND &&
		GetCurrentTransactionStartTimestamp() >= ts->cat.stale_after;
}

/*
 * Refuse to label with a generation that began after an area boundary this
 * transaction began before: the rows it classifies see the areas as they
 * were at its start (in_sensitive_area), the generation says otherwise.
 */
static void
check_not_before(Relation rel, const AxTableState *ts)
{
	if (ts->cat.valid_since != DT_NOBEGIN &&
		GetCurrentTransactionStartTimestamp() < ts->cat.valid_since)
		ereport(ERROR,
				(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
				 errmsg("cannot label rows of table \"%s\" in a transaction that began before a sensitive area came into or went out of force",
						RelationGetRelationName(rel)),
				 errdetail("The transaction classifies locations with the areas as they were when it began; generation %u of the table describes them as they have been since a later instant.",
						   ts->cat.generation),
				 errhint("Retry the transaction.")));
}

/*
 * The compiled state of rel (a protected table or a partition of one), as
 * the trigger, the bulk COPY path and reclassify label with.  For a table
 * whose labels depend on the sensitive areas the state's generation holds
 * for rows classified at instants in [valid_since, stale_after): when this
 * transaction began at or after stale_after (an area boundary has passed
 * since the generation began), the generation is renewed first and the
 * state rebuilt from a snapshot that sees the renewal, so that no row is
 * labelled with an expired generation; a transaction that began before
 * valid_since is refused (serialization failure: retry).  For other tables
 * this is one comparison.
 */
AxTableState *
ax_table_state_live(Relation rel)
{
	AxTableState *ts = ax_table_state_for(rel);

	if (likely(!state_expired(ts)))
	{
		check_not_before(rel, ts);
		return ts;
	}
	for (int tries = 0; tries < 3; tries++)
	{
		renew_root(ts->cat.root, ts->cat.generation);
		CommandCounterIncrement();
		ts->valid = false;
		/* (an error pops the snapshot with the (sub)transaction) */
		PushActiveSnapshot(GetTransactionSnapshot());
		ts = ax_table_state_for(rel);
		PopActiveSnapshot();
		if (!state_expired(ts))
		{
			check_not_before(rel, ts);
			return ts;
		}
	}
	ereport(ERROR,
			(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
			 errmsg("could not renew the expired generation of table \"%s\"",
					RelationGetRelationName(rel)),
			 errhint("Retry the transaction.")));
	return NULL;				/* not reached */
}

/*
 * autoxfer._renew_generation(rel regclass): renew the generation of a
 * protected table if it has expired; returns the generation current
 * labels carry.  reclassify calls it before each batch.
 */
Datum
ax_renew_generation(PG_FUNCTION_ARGS)
{
	Relation	rel = table_open(PG_GETARG_OID(0), AccessShareLock);
	AxTableState *ts;
	int32		gen;

	PushActiveSnapshot(GetTransactionSnapshot());
	ts = ax_table_state_live(rel);
	gen = (int32) ts->cat.generation;
	PopActiveSnapshot();
	table_close(rel, AccessShareLock);
	PG_RETURN_INT32(gen);
}

/*
 * The highest generation among the labels the leaves of relid hold in
 * column label_column (0 when none): a table whose label column existed
 * before it was protected starts above it, so that none of the labels it
 * holds, forged or left from an earlier protection, reads as current.
 */
static uint32
max_label_generation(Oid relid, const char *label_column)
{
	List	   *members = find_all_inheritors(relid, NoLock, NULL);
	ListCell   *lc;
	uint32		max = 0;
	Snapshot	snap;

	CommandCounterIncrement();
	snap = RegisterSnapshot(GetTransactionSnapshot());
	foreach(lc, members)
	{
		Relation	rel = table_open(lfirst_oid(lc), NoLock);
		AttrNumber	attnum = get_attnum(RelationGetRelid(rel), label_column);
		TupleTableSlot *slot;
		TableScanDesc scan;

		if (rel->rd_rel->relkind != RELKIND_RELATION || attnum == InvalidAttrNumber ||
			RelationGetNumberOfBlocks(rel) == 0)
		{
			table_close(rel, NoLock);
			continue;
		}
		slot = table_slot_create(rel, NULL);
		scan = table_beginscan(rel, snap, 0, NULL);
		while (table_scan_getnextslot(scan, ForwardScanDirection, slot))
		{
			bool		isnull;
			Datum		d = slot_getattr(slot, attnum, &isnull);

			CHECK_FOR_INTERRUPTS();
			if (!isnull)
			{
				AxLabelFields f;

				ax_label_unpack(DatumGetAxLabel(d), &f);
				if (f.generation > max)
					max = f.generation;
			}
		}
		table_endscan(scan);
		ExecDropSingleTupleTableSlot(slot);
		table_close(rel, NoLock);
	}
	UnregisterSnapshot(snap);
	return max;
}

/*
 * autoxfer._register(rel, scenario, subject, label_column): register a
 * table whose trigger and label column protect() has just put in place.
 * The table (and its partitions) is checked as the DDL guard checks it,
 * locked against writes, and registered at a generation above every label
 * it already holds; only this INSERT may write a new row of
 * protected_table.  Run as the caller (autoxfer_admin): its statement
 * trigger compiles the table's rules.
 */
Datum
ax_register(PG_FUNCTION_ARGS)
{
	Oid			relid = PG_GETARG_OID(0);
	Name		label_column = PG_GETARG_NAME(3);
	Oid			types[5] = {OIDOID, get_fn_expr_argtype(fcinfo->flinfo, 1), TEXTOID, NAMEOID, INT4OID};
	Datum		values[5];
	uint32		start;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1) || PG_ARGISNULL(3))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("autoxfer._register: rel, scenario and label_column must not be NULL")));
	(void) find_all_inheritors(relid, ShareRowExclusiveLock, NULL);
	ax_check_tree(relid, NameStr(*label_column), false, true);
	start = max_label_generation(relid, NameStr(*label_column)) + 1;
	if (start > AX_MAX_GENERATION)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("cannot protect table \"%s\": its column \"%s\" holds labels of the last generation, %d",
						get_rel_name(relid), NameStr(*label_column), AX_MAX_GENERATION),
				 errhint("Set the column to NULL, or protect the table with another label column.")));
	values[0] = ObjectIdGetDatum(relid);
	values[1] = PG_GETARG_DATUM(1);
	values[2] = PG_ARGISNULL(2) ? (Datum) 0 : PG_GETARG_DATUM(2);
	values[3] = PG_GETARG_DATUM(3);
	values[4] = Int32GetDatum((int32) start);
	/* a table about no individual has no subject (NULL) */
	run_statement("INSERT INTO autoxfer.protected_table AS p"
				  " (rel, scenario, subject, label_column, generation, valid_since, stale_after)"
				  " VALUES ($1, $2, $3, $4, $5, autoxfer._last_boundary($1), autoxfer._next_boundary($1))",
				  5, types, values, PG_ARGISNULL(2) ? "  n  " : NULL, false, AX_OP_REGISTER, relid, NULL);
	PG_RETURN_VOID();
}

/* The enforcing trigger of rel, or NULL. */
static const Trigger *
enforce_trigger_of(Relation rel)
{
	TriggerDesc *td = rel->trigdesc;

	if (td == NULL)
		return NULL;
	for (int i = 0; i < td->numtriggers; i++)
	{
		if (strcmp(td->triggers[i].tgname, AX_ENFORCE_TRIGGER) == 0)
			return &td->triggers[i];
	}
	return NULL;
}

/* Whether relid is registered in protected_table (read as the owner). */
static bool
is_registered(Oid relid)
{
	Oid			types[1] = {OIDOID};
	Datum		values[1] = {ObjectIdGetDatum(relid)};
	Oid			save_user;
	int			save_sec;
	bool		found;

	ax_owner_spi_begin(&save_user, &save_sec);
	if (ax_spi_execute("SELECT 1 FROM autoxfer.protected_table AS p"
					   " WHERE p.rel::pg_catalog.oid OPERATOR(pg_catalog.=) $1",
					   1, types, values, NULL, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "reading autoxfer.protected_table failed");
	found = SPI_processed > 0;
	ax_owner_spi_end(save_user, save_sec);
	return found;
}

/*
 * autoxfer._attach(rel regclass, label_column name): give the label column
 * of rel the fail-closed default and put the enforcing trigger on rel (and
 * so on every partition of it) exactly as protection needs it, creating or
 * replacing it as needed, then check the result.  These are the only
 * statements the DDL guard lets through on a protected table.  Run as the
 * caller, who must own the table.  When rel is registered already (protect
 * again with the same arguments) and the trigger had to be put back, rows
 * may have been written without it: the generation advances, so that they
 * read as stale.
 */
Datum
ax_attach(PG_FUNCTION_ARGS)
{
	Oid			relid = PG_GETARG_OID(0);
	Name		label_column = PG_GETARG_NAME(1);
	char	   *qname = qualified_name(relid);
	Relation	rel;
	const Trigger *t;
	Oid			enforce;
	bool		create = false;
	bool		enable = false;

	run_statement(psprintf("ALTER TABLE %s ALTER COLUMN %s SET DEFAULT 'core/blocked'::autoxfer.label",
						   qname, quote_identifier(NameStr(*label_column))),
				  0, NULL, NULL, NULL, false, AX_OP_ATTACH, relid, NULL);

	enforce = ax_enforce_oid();
	rel = table_open(relid, AccessShareLock);
	t = enforce_trigger_of(rel);
	if (t == NULL || t->tgfoid != enforce || t->tgqual != NULL || t->tgnattr != 0 ||
		t->tgnargs != 0 ||
		t->tgtype != (TRIGGER_TYPE_ROW | TRIGGER_TYPE_BEFORE | TRIGGER_TYPE_INSERT | TRIGGER_TYPE_UPDATE))
		create = true;
	else if (t->tgenabled != TRIGGER_FIRES_ALWAYS)
		enable = true;
	table_close(rel, AccessShareLock);

	if (create)
		run_statement(psprintf("CREATE OR REPLACE TRIGGER " AX_ENFORCE_TRIGGER
							   " BEFORE INSERT OR UPDATE ON %s FOR EACH ROW EXECUTE FUNCTION autoxfer.enforce()",
							   qname),
					  0, NULL, NULL, NULL, false, AX_OP_ATTACH, relid, NULL);
	if (create || enable)
	{
		run_statement(psprintf("ALTER TABLE %s ENABLE ALWAYS TRIGGER " AX_ENFORCE_TRIGGER, qname),
					  0, NULL, NULL, NULL, false, AX_OP_ATTACH, relid, NULL);
		if (is_registered(relid))
		{
			Datum		one = ObjectIdGetDatum(relid);

			bump_tables(PointerGetDatum(construct_array(&one, 1, REGCLASSOID, sizeof(Oid),
														true, TYPALIGN_INT)),
						false);
		}
	}
	CommandCounterIncrement();
	ax_check_tree(relid, NameStr(*label_column), false, true);
	PG_RETURN_VOID();
}

/*
 * autoxfer._unregister(rel regclass): stop protecting rel for real, in one
 * go: delete its row of protected_table (the only way that DELETE is let
 * through), then drop its enforcing trigger and its label column, so that
 * no label survives the registration that gave it meaning.  Run as the
 * caller (autoxfer_admin, who must own the table), from unprotect().
 */
Datum
ax_unregister(PG_FUNCTION_ARGS)
{
	Oid			relid = PG_GETARG_OID(0);
	AxCatalog	cat;
	Oid			root;
	char	   *qname = qualified_name(relid);
	char	   *label_column;
	Oid			types[1] = {OIDOID};
	Datum		values[1] = {ObjectIdGetDatum(relid)};

	ax_catalog_load(relid, &root, &cat, false);
	if (root != relid)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("table \"%s\" is a partition of protected table \"%s\"",
						get_rel_name(relid), get_rel_name(root)),
				 errhint("Unprotect the partitioned table.")));
	label_column = pstrdup(cat.label_column);
	run_statement("DELETE FROM autoxfer.protected_table AS p"
				  " WHERE p.rel::pg_catalog.oid OPERATOR(pg_catalog.=) $1",
				  1, types, values, NULL, false, AX_OP_UNREGISTER, relid, NULL);
	run_statement(psprintf("DROP TRIGGER IF EXISTS " AX_ENFORCE_TRIGGER " ON %s", qname),
				  0, NULL, NULL, NULL, false, AX_OP_NONE, InvalidOid, NULL);
	run_statement(psprintf("ALTER TABLE %s DROP COLUMN IF EXISTS %s", qname,
						   quote_identifier(label_column)),
				  0, NULL, NULL, NULL, false, AX_OP_NONE, InvalidOid, NULL);
	PG_RETURN_VOID();
}

/*
 * autoxfer.reset_generation(rel regclass): the recovery when a table's
 * generation has reached its maximum.  Under a lock that keeps writers out
 * (readers go on, and see the old labels until commit), the generation goes
 * back to 1 and every row whose label is not the one classification gives
 * now is relabelled, as the caller, in the same transaction: a label
 * written long ago at generation 1 is rewritten, not left to read as
 * current.  Returns the number of rows relabelled.
 */
Datum
ax_reset_generation(PG_FUNCTION_ARGS)
{
	Oid			relid = PG_GETARG_OID(0);
	Oid			types[1] = {OIDOID};
	Datum		values[1] = {ObjectIdGetDatum(relid)};
	List	   *members;
	ListCell   *lc;
	uint64		total = 0;

	if (!is_registered(relid))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("table \"%s\" is not protected by autoxfer", get_rel_name(relid)),
				 errhint("Give the protected table itself, not a partition.")));
	members = find_all_inheritors(relid, ExclusiveLock, NULL);
	if (run_statement("UPDATE autoxfer.protected_table AS p"
					  " SET generation = 1, valid_since = autoxfer._last_boundary(p.rel),"
					  " stale_after = autoxfer._next_boundary(p.rel)"
					  " WHERE p.rel::pg_catalog.oid OPERATOR(pg_catalog.=) $1",
					  1, types, values, NULL, false, AX_OP_RESET, relid, NULL) != 1)
		elog(ERROR, "autoxfer: could not reset the generation of table \"%s\"", get_rel_name(relid));
	ax_invalidate_tree(relid);
	CommandCounterIncrement();
	foreach(lc, members)
	{
		if (get_rel_relkind(lfirst_oid(lc)) == RELKIND_RELATION)
			total += ax_relabel_leaf(lfirst_oid(lc));
	}
	PG_RETURN_INT64((int64) total);
}
