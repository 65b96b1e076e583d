/*
 * x2.c
 *		Roles abroad (rule X2: read access from abroad is an export): the
 *		function of the row-level security policy that autoxfer puts on every
 *		protected table once a recipient is registered with a database role.
 *
 *	autoxfer._x2_visible(rel regclass, row_id tid, label, subject text) -> boolean
 *
 * The policy is RESTRICTIVE and applies to every role (TO PUBLIC, with the
 * table forced to row-level security), so that it also holds inside views
 * and SECURITY DEFINER functions of the table's owner; its first argument
 * is the row's tableoid.  For a role that acts for no recipient it is true at once (one
 * comparison with a per-transaction cache of who the user is).  For a role
 * abroad, current or session user (the purpose is its registration's,
 * never a setting it could change), a row is visible only when:
 *	- its label is of the table's current generation (not stale);
 *	- the verdict for the recipient and its purpose lets it go; and
 *	- it adds no individual the ledger has not counted: it touches no tally,
 *	  or an exemption by evidence covers it (E1-E4, E6-E9), or its subject
 *	  is already in the recipient's part of this year's ledger on every
 *	  tally it touches (counted by an export, under a filing or exemption
 *	  the verdict says is still in force).
 * Everything is decided from caches built once per transaction (the
 * verdict's state, the tables' generations) and the recipient's ledger
 * sets as stored with an index over each (ax_subject_set_index, kept
 * between transactions while the ledger's rows are the same row versions),
 * read as the extension's owner.  A long scan, past a sixteenth of the counted
 * individuals in tests, gets a probe table of them (one read a test), and
 * reads each page's subjects ahead so that those reads are under way before
 * the rows are decided (x2_ahead.c): at a million individuals, the set is
 * megabytes and a test without them waits for memory.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "commands/trigger.h"
#include "nodes/makefuncs.h"
#include "nodes/supportnodes.h"
#include "storage/proc.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/plancache.h"
#include "utils/syscache.h"

#include "label.h"
#include "owner.h"
#include "subject_core.h"
#include "subject_set.h"
#include "verdict.h"
#include "vocab.h"
#include "x2.h"
#include "x2_ahead.h"

/* One registered role abroad. */
typedef struct X2Role
{
	Oid			role;
	char	   *recipient;
	char	   *purpose;
} X2Role;

/* A protected table (or partition) and the generation its labels must carry. */
typedef struct X2Table
{
	Oid			rel;
	uint32		generation;		/* 0: unknown table: nothing visible */
} X2Table;

/*
 * The recipient's part of this year's ledger on one tally: the two parts
 * of its row (subjects and recent), indexed as they are stored, and once
 * a scan has made enough tests to pay for it, a probe table of the union
 * of both (subject_core.h), which answers a test with one read.
 */
typedef struct X2Tally
{
	AxSubjectIndex parts[2];
	uint64		tests;			/* answered by the indexes so far */
	int			probe_state;	/* X2_PROBE_* */
	AxSubjectProbe probe;
} X2Tally;

#define X2_PROBE_NONE		0	/* not (yet) built */
#define X2_PROBE_BUILT		1
#define X2_PROBE_REFUSED	2	/* over the hash memory limit: indexes only */

/*
 * Tests answered by the indexes before the probe table is built: a
 * sixteenth of the members (building costs a few nanoseconds a member, an
 * index test some tens), and at least this many.  In a parallel query,
 * which the planner chose for a long scan, every process builds its table
 * at its first test.
 */
#define X2_PROBE_MIN_TESTS	4096

/* What the policy knows in this transaction. */
typedef struct X2Cache
{
	MemoryContext cxt;
	uint64		serial;			/* of the caches made in this backend */
	LocalTransactionId lxid;
	uint64		epoch;
	int			nroles;
	X2Role	   *roles;
	/* the identity last asked about */
	Oid			user;
	Oid			session;
	const X2Role *who;			/* NULL: not abroad */
	/*
	 * What the policy decides from for one role abroad (state_for): its
	 * verdict state, and its recipient's ledger sets of this year, [0]
	 * personal and [1] sensitive (indexes over the kept sets, x2_kept; the
	 * probe tables in state_cxt).  A session that changes from one role
	 * abroad to another within a transaction gets the other's.
	 */
	const X2Role *state_for;
	MemoryContext state_cxt;
	bool		sets_loaded;
	X2Tally		tallies[2];
	AxVerdictState *verdict;
	int			ntables;
	int			captables;
	X2Table    *tables;
} X2Cache;

static X2Cache *x2 = NULL;

/* The caches and states made in this backend, counted (X2Cache.serial). */
static uint64 x2_serial = 0;

/*
 * autoxfer.recipient, once the registrations were read in this backend:
 * its relcache invalidation (x2_roles_changed) drops the plans made for
 * roles that acted for nobody abroad (ax_x2_visible_support).
 */
static Oid	x2_recipient_relid = InvalidOid;

/*
 * autoxfer's own maintenance of the policies is running: its DDL must not
 * trip the guard.  Only the owner's functions set it, and it never
 * outlives the (sub)transaction that set it.
 */
static bool x2_maintenance = false;

/*
 * Clear the maintenance flag at the end of every (sub)transaction, and drop
 * the cache at the end of the transaction.
 */
static void
x2_xact_callback(XactEvent event, void *arg)
{
	x2_maintenance = false;
	/*
	 * the cache is of one transaction: its probe tables (megabytes at a
	 * million individuals) go with it, not at the next use; the ledger sets
	 * they were built from are kept (x2_kept)
	 */
	if (x2 != NULL &&
		(event == XACT_EVENT_COMMIT || event == XACT_EVENT_ABORT ||
		 event == XACT_EVENT_PARALLEL_COMMIT || event == XACT_EVENT_PARALLEL_ABORT ||
		 event == XACT_EVENT_PREPARE))
	{
		MemoryContextDelete(x2->cxt);
		x2 = NULL;
	}
}

static void
x2_subxact_callback(SubXactEvent event, SubTransactionId mySubid,
					SubTransactionId parentSubid, void *arg)
{
	if (event == SUBXACT_EVENT_ABORT_SUB)
		x2_maintenance = false;
}

/*
 * A plan made for an identity that acted for nobody abroad has no test of
 * roles abroad in it (ax_x2_visible_support).  PostgreSQL plans again when
 * the current user changes; what else can make the same identity act for a
 * recipient (a registration, a membership granted, a role's attributes)
 * drops every cached plan of the backend: these two callbacks.
 */

/* Syscache callback: roles or memberships changed. */
static void
x2_roles_syscache_callback(Datum arg, int cacheid, uint32 hashvalue)
{
	ResetPlanCache();
}

/* Relcache callback: autoxfer.recipient changed (or everything did). */
static void
x2_relcache_callback(Datum arg, Oid relid)
{
	if (relid == InvalidOid ||
		(OidIsValid(x2_recipient_relid) && relid == x2_recipient_relid))
		ResetPlanCache();
}

/* Register the callbacks; called once from _PG_init. */
void
ax_x2_register_callbacks(void)
{
	RegisterXactCallback(x2_xact_callback, NULL);
	RegisterSubXactCallback(x2_subxact_callback, NULL);
	CacheRegisterSyscacheCallback(AUTHMEMROLEMEM, x2_roles_syscache_callback, (Datum) 0);
	CacheRegisterSyscacheCallback(AUTHOID, x2_roles_syscache_callback, (Datum) 0);
	CacheRegisterRelcacheCallback(x2_relcache_callback, (Datum) 0);
}

PG_FUNCTION_INFO_V1(ax_x2_roles_changed);

/*
 * autoxfer._x2_roles_changed(): statement trigger of autoxfer.recipient.
 * A relcache invalidation of the table makes every backend (this one at its
 * next command, the others once the transaction commits) drop the plans it
 * made for identities that acted for nobody abroad.
 */
Datum
ax_x2_roles_changed(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_FOR_STATEMENT(trigdata->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("autoxfer._x2_roles_changed() must be called as a statement trigger")));
	CacheInvalidateRelcacheByRelid(RelationGetRelid(trigdata->tg_relation));
	PG_RETURN_POINTER(NULL);
}

PG_FUNCTION_INFO_V1(ax_x2_maintenance);

/*
 * autoxfer._x2_maintenance(set boolean): whether autoxfer's maintenance of
 * the policies is running; with an argument, set it.  EXECUTE only for the
 * extension's owner (the SECURITY DEFINER maintenance functions).
 */
Datum
ax_x2_maintenance(PG_FUNCTION_ARGS)
{
	bool		was = x2_maintenance;

	if (!PG_ARGISNULL(0))
		x2_maintenance = PG_GETARG_BOOL(0);
	PG_RETURN_BOOL(was);
}

/* Load the registered roles abroad, as the owner. */
static void
load_roles(X2Cache *c)
{
	Oid			save_user;
	int			save_sec;

	ax_owner_spi_begin(&save_user, &save_sec);
	if (ax_spi_execute("SELECT pg_catalog.to_regrole(r.role::pg_catalog.text)::pg_catalog.oid, r.name, r.purpose"
					   " FROM autoxfer.recipient AS r WHERE r.role IS NOT NULL",
					   0, NULL, NULL, NULL, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "reading autoxfer.recipient failed");
	c->nroles = 0;
	c->roles = MemoryContextAllocZero(c->cxt, sizeof(X2Role) * Max(SPI_processed, 1));
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		bool		isnull;
		Datum		d = SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1, &isnull);
		X2Role	   *r = &c->roles[c->nroles];

		if (isnull)
			continue;			/* the role was dropped: nobody acts for it */
		r->role = DatumGetObjectId(d);
		r->recipient = MemoryContextStrdup(c->cxt, SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 2));
		r->purpose = MemoryContextStrdup(c->cxt, SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 3));
		c->nroles++;
	}
	ax_owner_spi_end(save_user, save_sec);
	x2_recipient_relid = get_relname_relid("recipient", ax_schema_oid());
}

/* The cache of this transaction and epoch, rebuilt as needed. */
static X2Cache *
x2_cache(void)
{
	uint64		epoch = ax_verdict_current_epoch();

	if (x2 != NULL && x2->lxid == MyProc->lxid && x2->epoch == epoch)
		return x2;
	if (x2 != NULL)
	{
		MemoryContextDelete(x2->cxt);
		x2 = NULL;
	}
	{
		MemoryContext cxt = AllocSetContextCreate(TopMemoryContext, "autoxfer roles abroad",
												  ALLOCSET_SMALL_SIZES);
		X2Cache    *c = MemoryContextAllocZero(cxt, sizeof(X2Cache));

		c->cxt = cxt;
		c->serial = ++x2_serial;
		c->lxid = MyProc->lxid;
		c->epoch = epoch;
		c->user = InvalidOid;
		PG_TRY();
		{
			load_roles(c);
		}
		PG_CATCH();
		{
			MemoryContextDelete(cxt);
			PG_RE_THROW();
		}
		PG_END_TRY();
		x2 = c;
	}
	return x2;
}

/*
 * The role abroad the query runs for, or NULL: the session user's
 * registration first (a role abroad that switched to another role is still
 * abroad), then the current user's.
 */
static const X2Role *
identity(X2Cache *c)
{
	Oid			user = GetUserId();
	Oid			session = GetSessionUserId();

	if (user == c->user && session == c->session)
		return c->who;
	c->user = user;
	c->session = session;
	c->who = NULL;
	for (int pass = 0; pass < 2 && c->who == NULL; pass++)
	{
		Oid			id = pass == 0 ? session : user;

		/*
		 * A superuser has the privileges of every role, but acts for none
		 * (no superuser can be registered): its session that SET ROLE to a
		 * writer is the writer's, to a role abroad the role abroad's.
		 */
		if (superuser_arg(id))
			continue;
		for (int i = 0; i < c->nroles; i++)
		{
			if (has_privs_of_role(id, c->roles[i].role))
			{
				c->who = &c->roles[i];
				break;
			}
		}
	}
	return c->who;
}

/*
 * Does the query being planned or run act for a recipient abroad?  For the
 * planner hooks (x2_plan.c) and the COPY path (copy.c).  While the cache
 * loads the registrations, the queries it runs act for nobody abroad (they
 * read autoxfer's own tables, which carry no policy).
 */
bool
ax_x2_acting_abroad(void)
{
	static bool loading = false;
	bool		abroad;

	if (loading)
		return false;
	loading = true;
	PG_TRY();
	{
		abroad = identity(x2_cache()) != NULL;
	}
	PG_FINALLY();
	{
		loading = false;
	}
	PG_END_TRY();
	return abroad;
}

PG_FUNCTION_INFO_V1(ax_x2_visible_support);

/*
 * autoxfer._x2_visible_support(internal): the planner's support function of
 * _x2_visible.  That the planner calls it while it simplifies the policy's
 * expression loads the library, and with it the planner hooks of
 * x2_plan.c, before the query's relations are looked at.  And when the
 * query is planned for an identity that acts for nobody abroad, the call
 * is simplified to true: the function would answer true for every row,
 * and every other role's scans of protected tables would otherwise pay a
 * call per row and the reading of every column up to the label.  The plan
 * holds for that identity only: PostgreSQL plans again for another current
 * user (a query under row-level security depends on it), the session user
 * is fixed unless SET SESSION AUTHORIZATION changed it (then nothing is
 * simplified), and registrations, memberships and roles' attributes drop
 * the cached plans when they change (x2_roles_syscache_callback,
 * x2_relcache_callback).  No estimate.
 */
Datum
ax_x2_visible_support(PG_FUNCTION_ARGS)
{
	Node	   *rawreq = (Node *) PG_GETARG_POINTER(0);

	if (IsA(rawreq, SupportRequestSimplify) &&
		GetSessionUserId() == GetAuthenticatedUserId() &&
		!ax_x2_acting_abroad())
		PG_RETURN_POINTER(makeBoolConst(true, false));
	PG_RETURN_POINTER(NULL);
}

/*
 * The recipient's ledger sets as last loaded in this backend, kept between
 * transactions: loading one copies, checks and indexes megabytes (5.5 MB
 * at a million individuals), which a role abroad's every query would pay,
 * while the row versions of autoxfer.ledger_recipient its snapshot sees
 * (ctid and xmin) and the salt say whether the kept ones are still those.
 * One recipient and year at a time, in a context of its own.
 */
typedef struct X2KeptRow
{
	int			tally;			/* 0 personal, 1 sensitive */
	ItemPointerData tid;
	TransactionId xmin;
} X2KeptRow;

typedef struct X2Kept
{
	MemoryContext cxt;
	char	   *recipient;
	int			year;
	uint64		salt;			/* fingerprint of the salt they were made under */
	int			nrows;
	X2KeptRow	rows[2];
	AxSubjectIndex parts[2][2]; /* [tally][subjects, recent] */
} X2Kept;

static X2Kept *x2_kept = NULL;

/*
 * The recipient's sets of this year, read as the owner: both parts of each
 * tally's row of autoxfer.ledger_recipient (what ledger_subjects()
 * unites), indexed as they are stored, without decoding them.  The kept
 * sets serve when the rows the query finds are the very row versions they
 * were loaded from; otherwise the rows are copied (detoasted), validated
 * and indexed into a new kept context, which replaces the old one.
 */
static void
load_sets(X2Cache *c, const X2Role *who, int year)
{
	Oid			save_user;
	int			save_sec;
	Oid			types[2] = {INT4OID, TEXTOID};
	Datum		values[2];
	uint64_t	salt;
	int			nrows;
	X2KeptRow	rows[2];
	bool		same;

	values[0] = Int32GetDatum(year);
	values[1] = CStringGetTextDatum(who->recipient);
	memset(c->tallies, 0, sizeof(c->tallies));
	(void) ax_subject_salt(&salt);
	ax_owner_spi_begin(&save_user, &save_sec);
	if (ax_spi_execute("SELECT r.tally::pg_catalog.text OPERATOR(pg_catalog.=) 'sensitive_personal', r.ctid, r.xmin,"
					   " r.subjects, r.recent"
					   " FROM autoxfer.ledger_recipient AS r"
					   " WHERE r.year OPERATOR(pg_catalog.=) $1 AND r.recipient OPERATOR(pg_catalog.=) $2"
					   " ORDER BY r.tally",
					   2, types, values, NULL, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "reading the ledger of recipient \"%s\" failed", who->recipient);
	if (SPI_processed > 2)
		elog(ERROR, "autoxfer.ledger_recipient has %llu rows for recipient \"%s\" and year %d",
			 (unsigned long long) SPI_processed, who->recipient, year);
	nrows = (int) SPI_processed;
	same = x2_kept != NULL && x2_kept->year == year && x2_kept->salt == salt &&
		x2_kept->nrows == nrows && strcmp(x2_kept->recipient, who->recipient) == 0;
	for (int i = 0; i < nrows; i++)
	{
		HeapTuple	tuple = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		bool		isnull;

		rows[i].tally = DatumGetBool(SPI_getbinval(tuple, desc, 1, &isnull)) ? 1 : 0;
		ItemPointerCopy((ItemPointer) DatumGetPointer(SPI_getbinval(tuple, desc, 2, &isnull)), &rows[i].tid);
		rows[i].xmin = DatumGetTransactionId(SPI_getbinval(tuple, desc, 3, &isnull));
		same = same && x2_kept->rows[i].tally == rows[i].tally &&
			ItemPointerEquals(&x2_kept->rows[i].tid, &rows[i].tid) &&
			x2_kept->rows[i].xmin == rows[i].xmin;
	}
	if (!same)
	{
		MemoryContext cxt = AllocSetContextCreate(TopMemoryContext, "autoxfer kept ledger sets",
												  ALLOCSET_DEFAULT_SIZES);
		X2Kept	   *k;

		PG_TRY();
		{
			k = MemoryContextAllocZero(cxt, sizeof(X2Kept));
			k->cxt = cxt;
			k->recipient = MemoryContextStrdup(cxt, who->recipient);
			k->year = year;
			k->salt = salt;
			k->nrows = nrows;
			memcpy(k->rows, rows, sizeof(X2KeptRow) * nrows);
			for (int i = 0; i < nrows; i++)
				for (int part = 0; part < 2; part++)
				{
					bool		isnull;
					Datum		d = SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 4 + part, &isnull);

					if (!isnull)
						ax_subject_set_index(d, cxt, &k->parts[rows[i].tally][part]);
				}
		}
		PG_CATCH();
		{
			MemoryContextDelete(cxt);
			PG_RE_THROW();
		}
		PG_END_TRY();
		if (x2_kept != NULL)
			MemoryContextDelete(x2_kept->cxt);
		x2_kept = k;
		elog(DEBUG1, "autoxfer: ledger sets of recipient \"%s\" loaded: %llu and %llu individuals",
			 who->recipient,
			 (unsigned long long) (k->parts[0][0].n + k->parts[0][1].n),
			 (unsigned long long) (k->parts[1][0].n + k->parts[1][1].n));
	}
	else
		elog(DEBUG1, "autoxfer: ledger sets of recipient \"%s\" as kept (the same row versions)",
			 who->recipient);
	ax_owner_spi_end(save_user, save_sec);
	for (int t = 0; t < 2; t++)
		for (int part = 0; part < 2; part++)
			c->tallies[t].parts[part] = x2_kept->parts[t][part];
	c->sets_loaded = true;
}

/*
 * Build the probe table of a tally, if it fits in the memory a hash table
 * of a query may take (work_mem times hash_mem_multiplier, as for a hash
 * join): otherwise the indexes go on answering.
 */
static void
build_probe(X2Cache *c, X2Tally *t)
{
	uint64		n = t->parts[0].n + t->parts[1].n;
	uint64		nslots = ax_subject_probe_slots(n);
	uint64	   *slots;

	if (nslots == 0 || nslots > get_hash_memory_limit() / sizeof(uint64))
	{
		t->probe_state = X2_PROBE_REFUSED;
		elog(DEBUG1, "autoxfer: no probe table for the %llu individuals counted for recipient \"%s\": over the hash memory limit (work_mem times hash_mem_multiplier)",
			 (unsigned long long) n, c->state_for->recipient);
		return;
	}
	slots = MemoryContextAllocHuge(c->state_cxt, nslots * sizeof(uint64));
	ax_subject_probe_init(&t->probe, slots, nslots);
	/* the sets were validated when indexed: this cannot fail */
	if (!ax_subject_probe_add_set(&t->probe, &t->parts[0]) ||
		!ax_subject_probe_add_set(&t->probe, &t->parts[1]))
		elog(ERROR, "autoxfer: a ledger set does not fit its probe table");
	t->probe_state = X2_PROBE_BUILT;
	elog(DEBUG1, "autoxfer: probe table of the %llu individuals counted for recipient \"%s\" built",
		 (unsigned long long) t->probe.n + (t->probe.has_zero ? 1 : 0), c->state_for->recipient);
}

/* Whether the recipient's set of a tally (0 personal, 1 sensitive) holds h. */
static inline bool
counted(X2Cache *c, int tally, uint64_t h)
{
	X2Tally    *t = &c->tallies[tally];

	if (likely(t->probe_state == X2_PROBE_BUILT))
		return ax_subject_probe_contains(&t->probe, h);
	if (t->probe_state == X2_PROBE_NONE &&
		(IsInParallelMode() ||
		 ++t->tests > Max(X2_PROBE_MIN_TESTS, (t->parts[0].n + t->parts[1].n) / 16)))
	{
		build_probe(c, t);
		if (t->probe_state == X2_PROBE_BUILT)
			return ax_subject_probe_contains(&t->probe, h);
	}
	return ax_subject_index_contains(&t->parts[0], h) ||
		ax_subject_index_contains(&t->parts[1], h);
}

/* The generation a current label of rel must carry (0: not protected). */
static uint32
table_generation(X2Cache *c, Oid rel)
{
	Oid			save_user;
	int			save_sec;
	Oid			types[1] = {OIDOID};
	Datum		values[1];
	uint32		gen = 0;

	for (int i = 0; i < c->ntables; i++)
		if (c->tables[i].rel == rel)
			return c->tables[i].generation;

	values[0] = ObjectIdGetDatum(rel);
	ax_owner_spi_begin(&save_user, &save_sec);
	/* NULL when the table is not protected or its generation expired */
	if (ax_spi_execute("SELECT autoxfer.generation_current($1::pg_catalog.regclass)",
					   1, types, values, NULL, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "reading autoxfer.protected_table failed");
	if (SPI_processed == 1)
	{
		bool		isnull;
		Datum		d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);

		gen = isnull ? 0 : (uint32) DatumGetInt32(d);
	}
	ax_owner_spi_end(save_user, save_sec);

	if (c->ntables == c->captables)
	{
		int			cap = Max(8, c->captables * 2);

		c->tables = c->tables ?
			repalloc(c->tables, sizeof(X2Table) * cap) :
			MemoryContextAlloc(c->cxt, sizeof(X2Table) * cap);
		c->captables = cap;
	}
	c->tables[c->ntables].rel = rel;
	c->tables[c->ntables].generation = gen;
	c->ntables++;
	return gen;
}

/*
 * How many hashes ahead test_counted asks for a probe slot: enough for a
 * miss to memory to arrive while the tests between are made.
 */
#define X2_TEST_DISTANCE	16

/*
 * The batch test of x2_ahead.c: each hash of a page read ahead tested on
 * the recipient's tallies whose probe tables are built, asking for the
 * slots a few hashes ahead, so that the misses of the page's tests overlap.
 */
static uint8
test_counted(const uint64 *hash, const OffsetNumber *offs, int n, uint8 *found, void *arg)
{
	X2Cache    *c = (X2Cache *) arg;
	uint8		tested = 0;

	for (int t = 0; t < 2; t++)
	{
		const AxSubjectProbe *p = &c->tallies[t].probe;

		if (c->tallies[t].probe_state != X2_PROBE_BUILT)
			continue;
		tested |= (uint8) (1 << t);
		for (int i = 0; i < n && i < X2_TEST_DISTANCE; i++)
			ax_subject_probe_prefetch(p, hash[offs[i]]);
		for (int i = 0; i < n; i++)
		{
			if (i + X2_TEST_DISTANCE < n)
				ax_subject_probe_prefetch(p, hash[offs[i + X2_TEST_DISTANCE]]);
			if (ax_subject_probe_contains(p, hash[offs[i]]))
				found[offs[i]] |= (uint8) (1 << t);
		}
	}
	return tested;
}

/*
 * Is the individual of hash h counted for the recipient on every tally a
 * row needs (personal always; sensitive too when tallies has
 * AX_TALLY_SENSITIVE)?  found holds the answer for the tallies in tested
 * (test_counted's batch), counted() gives the others.
 */
static bool
counted_on_tallies(X2Cache *c, int tallies, uint64 h, uint8 tested, uint8 found)
{
	if (!((tested & 1) ? (found & 1) != 0 : counted(c, 0, h)))
		return false;
	return !(tallies & AX_TALLY_SENSITIVE) ||
		((tested & 2) ? (found & 2) != 0 : counted(c, 1, h));
}

/*
 * Make the state the policy decides from that of role abroad who: its
 * verdict state now, its ledger sets when a row first needs them.  The
 * state of another role abroad, if any, is dropped.
 */
static void
use_state_of(X2Cache *c, const X2Role *who)
{
	if (c->state_cxt != NULL)
		MemoryContextDelete(c->state_cxt);
	c->state_cxt = NULL;
	c->state_for = NULL;
	c->sets_loaded = false;
	memset(c->tallies, 0, sizeof(c->tallies));
	c->verdict = ax_verdict_state(who->recipient, who->purpose);
	c->state_cxt = AllocSetContextCreate(c->cxt, "autoxfer role abroad's probe tables",
										 ALLOCSET_DEFAULT_SIZES);
	c->state_for = who;
	/* what x2_ahead.c kept was for another state */
	c->serial = ++x2_serial;
}

/*
 * What one call site of the policy's function (its fn_extra) remembers:
 * the answer for the label of the previous row, since rows in a scan
 * mostly share their label, and the read-ahead of x2_ahead.c.
 */
typedef struct X2Site
{
	uint64		serial;			/* of the cache and state it is for (0: none) */
	Oid			rel;
	ax_label	label;
	int			answer;			/* X2_HIDE, X2_SHOW or X2_COUNTED */
	int			tallies;		/* for X2_COUNTED: the tallies to look the subject up on */
	X2Ahead    *ahead;
} X2Site;

#define X2_HIDE			0
#define X2_SHOW			1
#define X2_COUNTED		2		/* visible if its subject is counted */

/*
 * The answer for a label of table rel, before any subject is looked at:
 * hidden when stale or not exportable, shown when it touches no tally or
 * an exemption by evidence covers it, else up to the subject.
 */
static int
label_answer(X2Cache *c, Oid rel, ax_label label, int *tallies)
{
	AxLabelFields f;
	const AxDecision *d;
	uint32		gen;

	ax_label_unpack(label, &f);
	/* a stale label may understate what the row is */
	gen = table_generation(c, rel);
	if (gen == 0 || f.generation != gen)
		return X2_HIDE;
	d = ax_verdict_decide(c->verdict, label);
	if (!d->exportable)
		return X2_HIDE;
	if (!(f.tallies & AX_TALLY_ALL))
		return X2_SHOW;
	if (d->exemption >= 0 && d->exemption != AX_EX_SMALL_VOLUME)
		return X2_SHOW;
	*tallies = f.tallies;
	return X2_COUNTED;
}

PG_FUNCTION_INFO_V1(ax_x2_visible);

/*
 * autoxfer._x2_visible(rel, row_id, label, subject): may the role running
 * the query see this row of a protected table?  True for every role that
 * acts for no recipient abroad.  row_id (the row's ctid) serves only the
 * read-ahead of x2_ahead.c.
 */
Datum
ax_x2_visible(PG_FUNCTION_ARGS)
{
	X2Cache    *c = x2_cache();
	const X2Role *who = identity(c);
	X2Site	   *site;
	Oid			rel;
	ax_label	label;
	uint64_t	h;
	text	   *subject;
	uint8		tested;
	uint8		found;

	if (who == NULL)
		PG_RETURN_BOOL(true);
	if (PG_ARGISNULL(0) || PG_ARGISNULL(2))
		PG_RETURN_BOOL(false);
	rel = PG_GETARG_OID(0);
	label = PG_GETARG_AXLABEL(2);

	/* the cache is of this transaction and epoch: so is its verdict state */
	if (c->state_for != who)
		use_state_of(c, who);
	site = (X2Site *) fcinfo->flinfo->fn_extra;
	if (site == NULL)
	{
		site = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(X2Site));
		fcinfo->flinfo->fn_extra = site;
	}
	if (site->serial != c->serial || site->rel != rel || site->label != label)
	{
		site->answer = label_answer(c, rel, label, &site->tallies);
		site->serial = c->serial;
		site->rel = rel;
		site->label = label;
	}
	if (site->answer != X2_COUNTED)
		PG_RETURN_BOOL(site->answer == X2_SHOW);

	/* the row's individual must already be counted for this recipient */
	if (PG_ARGISNULL(3))
		PG_RETURN_BOOL(false);
	if (!c->sets_loaded)
		load_sets(c, who, c->verdict->year);
	if (site->ahead == NULL)
		site->ahead = ax_x2_ahead_make(fcinfo->flinfo, 0, 1, 3);
	subject = PG_GETARG_TEXT_PP(3);
	h = ax_x2_ahead_hash(site->ahead, c->serial,
						 c->tallies[0].probe_state == X2_PROBE_BUILT, rel,
						 PG_ARGISNULL(1) ? NULL : (ItemPointer) PG_GETARG_POINTER(1),
						 VARDATA_ANY(subject), VARSIZE_ANY_EXHDR(subject),
						 test_counted, c, &tested, &found);
	PG_RETURN_BOOL(counted_on_tallies(c, site->tallies, h, tested, found));
}

/*
 * The policy's answers for n (at most MaxHeapTuplesPerPage) rows of table
 * rel, for the scan of x2_scan.c: row i has label labels[i] and subject
 * subjects[i] (text; label_nulls[i], subject_nulls[i] when NULL), and
 * visible[i] is set to what autoxfer._x2_visible(rel, ctid, label,
 * subject) answers for it, by the same steps: the identity, the answer for
 * the label, then the counted-individual test, the rows' subjects hashed
 * together and their hashes tested together where the probe tables are
 * built.  A subject stored compressed or out of line is detoasted in the
 * caller's memory context.
 */
void
ax_x2_visible_rows(Oid rel, int n, const Datum *labels, const bool *label_nulls,
				   const Datum *subjects, const bool *subject_nulls, bool *visible)
{
	X2Cache    *c = x2_cache();
	const X2Role *who = identity(c);
	uint64		hashes[MaxHeapTuplesPerPage];
	const char *bytes[MaxHeapTuplesPerPage];
	size_t		lengths[MaxHeapTuplesPerPage];
	OffsetNumber tests[MaxHeapTuplesPerPage];
	int			row_of[MaxHeapTuplesPerPage];
	int			tallies_of[MaxHeapTuplesPerPage];
	uint8		found[MaxHeapTuplesPerPage];
	int			ntest = 0;
	bool		have_label = false;
	ax_label	last_label = 0;
	int			last_answer = X2_HIDE;
	int			last_tallies = 0;
	uint8		tested = 0;

	if (n < 0 || n > MaxHeapTuplesPerPage)
		elog(ERROR, "autoxfer: %d rows are more than a page holds", n);
	if (who == NULL)
	{
		for (int i = 0; i < n; i++)
			visible[i] = true;
		return;
	}
	if (c->state_for != who)
		use_state_of(c, who);
	for (int i = 0; i < n; i++)
	{
		ax_label	label;
		text	   *subject;

		visible[i] = false;
		if (label_nulls[i])
			continue;
		label = DatumGetAxLabel(labels[i]);
		if (!have_label || label != last_label)
		{
			last_answer = label_answer(c, rel, label, &last_tallies);
			last_label = label;
			have_label = true;
		}
		if (last_answer != X2_COUNTED)
		{
			visible[i] = last_answer == X2_SHOW;
			continue;
		}
		/* the row's individual must already be counted for this recipient */
		if (subject_nulls[i])
			continue;
		if (!c->sets_loaded)
			load_sets(c, who, c->verdict->year);
		subject = DatumGetTextPP(subjects[i]);
		bytes[ntest] = VARDATA_ANY(subject);
		lengths[ntest] = VARSIZE_ANY_EXHDR(subject);
		tests[ntest] = (OffsetNumber) ntest;
		found[ntest] = 0;
		row_of[ntest] = i;
		tallies_of[ntest] = last_tallies;
		ntest++;
	}
	if (ntest == 0)
		return;
	ax_subject_hash_many(bytes, lengths, ntest, hashes);
	if (c->tallies[0].probe_state == X2_PROBE_BUILT)
		tested = test_counted(hashes, tests, ntest, found, c);
	for (int k = 0; k < ntest; k++)
		visible[row_of[k]] = counted_on_tallies(c, tallies_of[k], hashes[k], tested, found[k]);
}
