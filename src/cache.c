/*
 * cache.c
 *		Per-relation compiled classification state, kept across statements
 *		in CacheMemoryContext and dropped by relcache invalidation.
 *
 * The trigger looks up the state of the relation it fires on (a protected
 * table or a partition of one) by OID.  The state is built on first use:
 * the catalogue rows of the table are read through SPI as the extension's
 * owner (ax_spi_execute: a pinned search path, qualified names and
 * operators, so that the caller's search_path cannot change what the
 * queries mean, see owner.c), then every
 * declaration and predicate is compiled into executor expressions
 * (rules.c).  Any relcache invalidation of the relation marks the state
 * invalid; it is rebuilt at the next row.  Changes of the catalogue tables
 * send such invalidations for every protected table and all its
 * partitions (autoxfer._invalidate, called by the catalogue's statement
 * trigger), so every backend recompiles after the change commits.  Entries
 * are never removed from the hash table, only marked invalid, so that an
 * invalidation arriving while an entry is in use cannot free it under the
 * caller: its memory is released when it is next rebuilt.
 */
#include "postgres.h"

#include "access/table.h"
#include "catalog/namespace.h"
#include "catalog/partition.h"
#include "catalog/pg_inherits.h"
#include "catalog/pg_namespace.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/syscache.h"

#include "owner.h"
#include "rules.h"
#include "vocab.h"

static HTAB *ax_cache = NULL;

/* The entry used last: consecutive rows of one table skip the hash lookup. */
static AxTableState *ax_last = NULL;

/* Mark one entry, or all when relid is InvalidOid, for rebuilding. */
static void
ax_relcache_callback(Datum arg, Oid relid)
{
	HASH_SEQ_STATUS seq;
	AxTableState *ts;

	if (ax_cache == NULL)
		return;
	if (OidIsValid(relid))
	{
		ts = hash_search(ax_cache, &relid, HASH_FIND, NULL);
		if (ts != NULL)
			ts->valid = false;
		return;
	}
	hash_seq_init(&seq, ax_cache);
	while ((ts = hash_seq_search(&seq)) != NULL)
		ts->valid = false;
}

/* Register the relcache callback; called once from _PG_init. */
void
ax_cache_register_callbacks(void)
{
	CacheRegisterRelcacheCallback(ax_relcache_callback, (Datum) 0);
}

/* Text of column col of SPI row row, copied into cxt, or NULL. */
static char *
spi_text(int row, int col, MemoryContext cxt)
{
	bool		isnull;
	Datum		d = SPI_getbinval(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, col, &isnull);

	if (isnull)
		return NULL;
	return MemoryContextStrdup(cxt, TextDatumGetCString(d));
}

/* Ordinal of a vocabulary word read from the catalogue, -1 for NULL. */
static int
word_ordinal(const char *const *names, int n, const char *word)
{
	int			ord;

	if (word == NULL)
		return -1;
	ord = ax_lookup_word(names, n, word, strlen(word));
	if (ord < 0)
		elog(ERROR, "unknown autoxfer vocabulary word \"%s\" in the catalogue", word);
	return ord;
}

/*
 * Read the rules, kinds and parameters of the catalogue (the part that does
 * not depend on a table) into cat.  With a valid root, only rules unbound
 * or bound to root are read, and scenario_applies is set for the table's
 * scenario; without, every rule is read.
 */
static void
load_rules(AxCatalog *cat, MemoryContext cxt)
{
	Oid			argtypes[2] = {OIDOID, TEXTOID};
	Datum		args[2];
	int			ret;

	args[0] = ObjectIdGetDatum(cat->root);
	args[1] = CStringGetTextDatum(cat->scenario >= 0 ?
								  ax_scenario_names[cat->scenario] : "");
	ret = ax_spi_execute("SELECT r.id, r.code, r.predicate, r.data_kind, r.rel::pg_catalog.oid,"
						 " r.category::pg_catalog.text, r.exemption::pg_catalog.text,"
						 " r.elements::pg_catalog.text[], r.clause, r.enabled,"
						 " r.scenarios IS NULL OR $2 OPERATOR(pg_catalog.=) ANY (r.scenarios::pg_catalog.text[]),"
						 " r.prohibits"
						 " FROM autoxfer.rule r"
						 " WHERE $1 OPERATOR(pg_catalog.=) 0::pg_catalog.oid OR r.rel IS NULL"
						 " OR r.rel::pg_catalog.oid OPERATOR(pg_catalog.=) $1"
						 " ORDER BY r.id",
						 2, argtypes, args, NULL, true, 0);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "reading autoxfer.rule failed: %s", SPI_result_code_string(ret));
	cat->nrules = SPI_processed;
	cat->rules = MemoryContextAllocZero(cxt, sizeof(AxRuleDef) * Max(cat->nrules, 1));
	for (int i = 0; i < cat->nrules; i++)
	{
		AxRuleDef  *r = &cat->rules[i];
		HeapTuple	tup = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		bool		isnull;
		Datum		d;
		char	   *w;

		r->id = DatumGetInt32(SPI_getbinval(tup, desc, 1, &isnull));
		r->code = spi_text(i, 2, cxt);
		r->predicate = spi_text(i, 3, cxt);
		r->data_kind = spi_text(i, 4, cxt);
		d = SPI_getbinval(tup, desc, 5, &isnull);
		r->rel = isnull ? InvalidOid : DatumGetObjectId(d);
		r->bound = !isnull;
		w = spi_text(i, 6, CurrentMemoryContext);
		r->category = word_ordinal(ax_category_names, AX_N_CATEGORIES, w);
		w = spi_text(i, 7, CurrentMemoryContext);
		r->exemption = word_ordinal(ax_exemption_names, AX_N_EXEMPTIONS, w);
		d = SPI_getbinval(tup, desc, 8, &isnull);
		r->elements = 0;
		if (!isnull)
		{
			Datum	   *elems;
			bool	   *enulls;
			int			nelems;

			deconstruct_array(DatumGetArrayTypeP(d), TEXTOID, -1, false, TYPALIGN_INT,
							  &elems, &enulls, &nelems);
			for (int j = 0; j < nelems; j++)
			{
				if (!enulls[j])
					r->elements |= 1u << word_ordinal(ax_element_names, AX_N_ELEMENTS,
													  TextDatumGetCString(elems[j]));
			}
		}
		r->clause = spi_text(i, 9, cxt);
		r->enabled = DatumGetBool(SPI_getbinval(tup, desc, 10, &isnull));
		d = SPI_getbinval(tup, desc, 11, &isnull);
		r->scenario_applies = isnull ? false : DatumGetBool(d);
		r->prohibits = DatumGetBool(SPI_getbinval(tup, desc, 12, &isnull));
	}

	ret = ax_spi_execute("SELECT k.name, k.kind_class OPERATOR(pg_catalog.=) 'data'::pg_catalog.text, k.type_class"
						 " FROM autoxfer.attribute_kind k ORDER BY k.name",
						 0, NULL, NULL, NULL, true, 0);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "reading autoxfer.attribute_kind failed");
	cat->nkinds = SPI_processed;
	cat->kinds = MemoryContextAllocZero(cxt, sizeof(AxKindDef) * Max(cat->nkinds, 1));
	for (int i = 0; i < cat->nkinds; i++)
	{
		bool		isnull;
		char	   *tc;

		cat->kinds[i].name = spi_text(i, 1, cxt);
		cat->kinds[i].is_data = DatumGetBool(SPI_getbinval(SPI_tuptable->vals[i],
														   SPI_tuptable->tupdesc, 2, &isnull));
		tc = spi_text(i, 3, CurrentMemoryContext);
		cat->kinds[i].type_class = tc[0];
	}

	ret = ax_spi_execute("SELECT p.name, p.value FROM autoxfer.parameter p ORDER BY p.name",
						 0, NULL, NULL, NULL, true, 0);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "reading autoxfer.parameter failed");
	cat->nparams = SPI_processed;
	cat->params = MemoryContextAllocZero(cxt, sizeof(AxParamDef) * Max(cat->nparams, 1));
	for (int i = 0; i < cat->nparams; i++)
	{
		bool		isnull;
		Datum		d;
		MemoryContext old;

		cat->params[i].name = spi_text(i, 1, cxt);
		d = SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 2, &isnull);
		old = MemoryContextSwitchTo(cxt);
		cat->params[i].value = datumCopy(d, false, -1);
		MemoryContextSwitchTo(old);
	}
}

/*
 * Read what the catalogue says about relation relid (a protected table or
 * a partition of one) into cat, allocated in the current memory context.
 * Declared columns are resolved on relid itself, since a partition's
 * attribute numbers may differ from its parent's.  relid InvalidOid reads
 * only the table-independent part (for validating rules on their own).
 * When relid is not protected: returns with *root_out InvalidOid if
 * missing_ok, errors otherwise.
 */
void
ax_catalog_load(Oid relid, Oid *root_out, AxCatalog *cat, bool missing_ok)
{
	MemoryContext cxt = CurrentMemoryContext;
	Oid			save_user;
	int			save_sec;
	int			ret;

	memset(cat, 0, sizeof(*cat));
	cat->root = InvalidOid;
	cat->scenario = -1;
	cat->valid_since = DT_NOBEGIN;
	cat->stale_after = DT_NOEND;
	*root_out = InvalidOid;

	ax_become_owner(&save_user, &save_sec);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");

	if (OidIsValid(relid))
	{
		List	   *chain = list_make1_oid(relid);
		Datum	   *oids;
		int			n = 0;
		ListCell   *lc;
		Oid			argtypes[1] = {OIDARRAYOID};
		Datum		args[1];
		int			best = -1;

		if (get_rel_relispartition(relid))
			chain = list_concat(chain, get_partition_ancestors(relid));
		oids = palloc(sizeof(Datum) * list_length(chain));
		foreach(lc, chain)
			oids[n++] = ObjectIdGetDatum(lfirst_oid(lc));
		args[0] = PointerGetDatum(construct_array(oids, n, OIDOID, sizeof(Oid), true, TYPALIGN_INT));
		ret = ax_spi_execute("SELECT p.rel::pg_catalog.oid, p.scenario::pg_catalog.text, p.subject,"
							 " p.label_column::pg_catalog.text, p.generation, p.valid_since, p.stale_after"
							 " FROM autoxfer.protected_table p"
							 " WHERE p.rel::pg_catalog.oid OPERATOR(pg_catalog.=) ANY ($1)",
							 1, argtypes, args, NULL, true, 0);
		if (ret != SPI_OK_SELECT)
			elog(ERROR, "reading autoxfer.protected_table failed");
		/* the nearest protected ancestor, should there be several */
		for (int i = 0; i < (int) SPI_processed && best != 0; i++)
		{
			bool		isnull;
			Oid			o = DatumGetObjectId(SPI_getbinval(SPI_tuptable->vals[i],
														   SPI_tuptable->tupdesc, 1, &isnull));
			int			pos = 0;

			foreach(lc, chain)
			{
				if (lfirst_oid(lc) == o)
					break;
				pos++;
			}
			if (best < 0 || pos < best)
			{
				int			bestrow = i;
				Datum		d;

				best = pos;
				cat->root = o;
				cat->scenario = word_ordinal(ax_scenario_names, AX_N_SCENARIOS,
											 spi_text(bestrow, 2, CurrentMemoryContext));
				cat->subject = spi_text(bestrow, 3, cxt);
				cat->label_column = spi_text(bestrow, 4, cxt);
				cat->generation = DatumGetInt32(SPI_getbinval(SPI_tuptable->vals[bestrow],
															  SPI_tuptable->tupdesc, 5, &isnull));
				d = SPI_getbinval(SPI_tuptable->vals[bestrow], SPI_tuptable->tupdesc, 6, &isnull);
				cat->valid_since = isnull ? DT_NOBEGIN : DatumGetTimestampTz(d);
				d = SPI_getbinval(SPI_tuptable->vals[bestrow], SPI_tuptable->tupdesc, 7, &isnull);
				cat->stale_after = isnull ? DT_NOEND : DatumGetTimestampTz(d);
			}
		}
		if (!OidIsValid(cat->root))
		{
			SPI_finish();
			ax_restore_user(save_user, save_sec);
			if (missing_ok)
				return;
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("table \"%s\" is not protected by autoxfer", get_rel_name(relid)),
					 errhint("Protect it with autoxfer.protect(), or drop the trigger that calls autoxfer.enforce.")));
		}

		args[0] = ObjectIdGetDatum(cat->root);
		argtypes[0] = OIDOID;
		ret = ax_spi_execute("SELECT d.attname::pg_catalog.text, d.kind,"
							 " k.kind_class OPERATOR(pg_catalog.=) 'data'::pg_catalog.text"
							 " FROM autoxfer.declaration d JOIN autoxfer.attribute_kind k"
							 " ON k.name OPERATOR(pg_catalog.=) d.kind"
							 " WHERE d.rel::pg_catalog.oid OPERATOR(pg_catalog.=) $1"
							 " ORDER BY d.kind, d.attname",
							 1, argtypes, args, NULL, true, 0);
		if (ret != SPI_OK_SELECT)
			elog(ERROR, "reading autoxfer.declaration failed");
		cat->ndecls = SPI_processed;
		cat->decls = MemoryContextAllocZero(cxt, sizeof(AxDeclDef) * Max(cat->ndecls, 1));
		for (int i = 0; i < cat->ndecls; i++)
		{
			AxDeclDef  *d = &cat->decls[i];
			bool		isnull;

			d->attname = spi_text(i, 1, cxt);
			d->kind = spi_text(i, 2, cxt);
			d->is_data = DatumGetBool(SPI_getbinval(SPI_tuptable->vals[i],
													SPI_tuptable->tupdesc, 3, &isnull));
			d->attnum = get_attnum(relid, d->attname);
			if (d->attnum == InvalidAttrNumber)
				ereport(ERROR,
						(errcode(ERRCODE_UNDEFINED_COLUMN),
						 errmsg("column \"%s\" declared as %s does not exist in table \"%s\"",
								d->attname, d->kind, get_rel_name(relid)),
						 errhint("Remove the declaration with autoxfer.undeclare_column().")));
		}
	}

	load_rules(cat, cxt);

	SPI_finish();
	ax_restore_user(save_user, save_sec);
	*root_out = cat->root;
}

/* Release the memory and executor objects of a state. */
static void
ax_table_state_free(AxTableState *ts)
{
	if (ts->cxt == NULL)
		return;
	if (ts->slot != NULL)
		ExecClearTuple(ts->slot);
	if (ts->econtext != NULL)
		FreeExprContext(ts->econtext, true);
	MemoryContextDelete(ts->cxt);
	ts->cxt = NULL;
	ts->econtext = NULL;
	ts->slot = NULL;
}

/* Build the state of ts->relid from the catalogue. */
static void
ax_table_state_build(AxTableState *ts)
{
	MemoryContext old;
	Relation	rel;
	Oid			root;

	ts->cxt = AllocSetContextCreate(CacheMemoryContext, "autoxfer table state",
									ALLOCSET_SMALL_SIZES);
	old = MemoryContextSwitchTo(ts->cxt);
	ax_catalog_load(ts->relid, &root, &ts->cat, false);
	rel = table_open(ts->relid, AccessShareLock);
	ax_compile_table(ts, rel);
	table_close(rel, AccessShareLock);
	MemoryContextSwitchTo(old);
}

/*
 * The compiled state of relation relid, built or rebuilt as needed.  An
 * invalidation that arrives while building (the SPI queries process them)
 * makes the loop build again, so the state returned reflects every change
 * committed before the call.
 */
AxTableState *
ax_table_state(Oid relid)
{
	AxTableState *ts;
	bool		found;

	if (ax_last != NULL && ax_last->relid == relid && ax_last->valid)
		return ax_last;
	if (ax_cache == NULL)
	{
		HASHCTL		ctl;

		ctl.keysize = sizeof(Oid);
		ctl.entrysize = sizeof(AxTableState);
		ctl.hcxt = CacheMemoryContext;
		ax_cache = hash_create("autoxfer table states", 64, &ctl,
							   HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	}
	ts = hash_search(ax_cache, &relid, HASH_ENTER, &found);
	if (!found)
	{
		memset(((char *) ts) + sizeof(Oid), 0, sizeof(AxTableState) - sizeof(Oid));
		ts->valid = false;
	}
	while (!ts->valid)
	{
		ax_table_state_free(ts);
		ts->valid = true;
		PG_TRY();
		{
			ax_table_state_build(ts);
		}
		PG_CATCH();
		{
			ts->valid = false;
			PG_RE_THROW();
		}
		PG_END_TRY();
	}
	ax_last = ts;
	return ts;
}

/*
 * The compiled state of rel, as the trigger and the bulk COPY path use it:
 * also rebuilt when its number of attributes no longer matches rel's (the
 * definition changed under a state this backend has not yet been told is
 * stale).
 */
AxTableState *
ax_table_state_for(Relation rel)
{
	AxTableState *ts = ax_table_state(RelationGetRelid(rel));

	if (ts->natts != RelationGetDescr(rel)->natts)
	{
		ts->valid = false;
		ts = ax_table_state(RelationGetRelid(rel));
	}
	return ts;
}

PG_FUNCTION_INFO_V1(ax_invalidate);

/*
 * autoxfer._invalidate(rel regclass): send a relcache invalidation for rel
 * and every partition or child of it, so that every backend recompiles its
 * classification state after the current transaction commits (and this
 * backend at its next command).  A relation that no longer exists is
 * ignored.
 */
Datum
ax_invalidate(PG_FUNCTION_ARGS)
{
	Oid			relid = PG_GETARG_OID(0);
	List	   *all;
	ListCell   *lc;

	if (!SearchSysCacheExists1(RELOID, ObjectIdGetDatum(relid)))
		PG_RETURN_VOID();
	all = find_all_inheritors(relid, NoLock, NULL);
	foreach(lc, all)
	{
		Oid			o = lfirst_oid(lc);

		if (SearchSysCacheExists1(RELOID, ObjectIdGetDatum(o)))
			CacheInvalidateRelcacheByRelid(o);
	}
	PG_RETURN_VOID();
}
