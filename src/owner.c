/*
 * owner.c
 *		Code that runs as the extension's owner, and what keeps anybody
 *		else's code out of it.
 *
 * autoxfer reads its catalogue and compiles rule predicates and subject
 * expressions as the owner of schema autoxfer (the extension's owner,
 * usually a superuser), so that a user who may only insert into a
 * protected table gets its rows classified without any right on the
 * schema.  Three things make that safe, whoever causes it:
 *
 * - ax_spi_execute is the only way the C code runs an SPI query.  The
 *   query is parsed under a search path of pg_catalog alone (no temporary
 *   schema, nothing of the caller's search_path), on top of the queries
 *   writing OPERATOR(pg_catalog.=), schema-qualified names and
 *   pg_catalog-qualified types: an operator, function or type a user
 *   created elsewhere (m.=(oid, oid), a domain m.text) is never chosen.
 *   The query is executed under the caller's search path again, so that
 *   the extension's functions it calls (protect() from SECURITY LABEL) and
 *   what they fire run as they would when called directly.
 *
 * - The rules compiler (rules.c) admits only built-in functions of
 *   pg_catalog and a few of autoxfer in predicates and subjects.
 *
 * - The guard: while autoxfer runs as the owner, compiles a predicate or
 *   a subject, or classifies a row, any function that is neither built in
 *   nor in schema pg_catalog or autoxfer is refused when the function
 *   manager looks it up (needs_fmgr_hook, consulted for every function
 *   that is not built in, before it can run, and by the planner before it
 *   inlines one).  This catches what no check of an expression tree can
 *   see: a literal read into a composite type whose domain column has a
 *   CHECK calling a user function runs that function while the predicate
 *   is parsed.  The guard is a depth counter, raised and lowered around
 *   those regions; an error inside one aborts the (sub)transaction, whose
 *   callbacks put the counter back to what it was when it began.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_namespace.h"
#include "catalog/pg_proc.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/regproc.h"
#include "utils/syscache.h"

#include "owner.h"
#include "vocab.h"

/* > 0 while user-defined functions must not run */
static int	guard_depth = 0;

/* guard_depth when each open subtransaction began, by nesting level */
static int *guard_at_level = NULL;
static int	guard_levels = 0;

static needs_fmgr_hook_type prev_needs_fmgr_hook = NULL;

/*
 * Refuse function fn_oid if the guard is up and it is neither in
 * pg_catalog nor in schema autoxfer.  Built-in functions never get here:
 * the function manager finds them without consulting the hook.
 */
static void
guard_check(Oid fn_oid)
{
	HeapTuple	tup;
	Oid			nsp;

	tup = SearchSysCache1(PROCOID, ObjectIdGetDatum(fn_oid));
	if (!HeapTupleIsValid(tup))
		return;					/* the function manager reports it */
	nsp = ((Form_pg_proc) GETSTRUCT(tup))->pronamespace;
	ReleaseSysCache(tup);
	if (nsp == PG_CATALOG_NAMESPACE || nsp == ax_schema_oid())
		return;
	ereport(ERROR,
			(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
			 errmsg("autoxfer does not run function %s while it compiles rules or classifies rows",
					format_procedure_qualified(fn_oid)),
			 errdetail("Only built-in functions and those of schemas pg_catalog and autoxfer run while autoxfer reads its catalogue as the extension's owner, compiles a rule predicate or subject expression, or classifies a row."),
			 errhint("A value of a type whose input or checks call user-defined functions (a domain with a CHECK constraint, a composite type with such a column) cannot be used in a predicate or subject: cast the column to a built-in type.")));
}

/* needs_fmgr_hook: the guard; otherwise whatever the previous hook says. */
static bool
ax_needs_fmgr_hook(Oid fn_oid)
{
	if (guard_depth > 0)
		guard_check(fn_oid);
	return prev_needs_fmgr_hook ? prev_needs_fmgr_hook(fn_oid) : false;
}

/* An aborted transaction leaves no guard up. */
static void
guard_xact_callback(XactEvent event, void *arg)
{
	if (event == XACT_EVENT_ABORT || event == XACT_EVENT_PARALLEL_ABORT)
		guard_depth = 0;
}

/*
 * Remember the guard's depth when a subtransaction begins; an aborted one
 * puts it back (an error raised inside a guarded region and caught by an
 * exception block outside it).
 */
static void
guard_subxact_callback(SubXactEvent event, SubTransactionId mySubid,
					   SubTransactionId parentSubid, void *arg)
{
	int			level = GetCurrentTransactionNestLevel();

	if (event == SUBXACT_EVENT_START_SUB)
	{
		if (level >= guard_levels)
		{
			int			n = Max(16, level * 2);

			if (guard_at_level == NULL)
				guard_at_level = MemoryContextAllocZero(TopMemoryContext, sizeof(int) * n);
			else
				guard_at_level = repalloc(guard_at_level, sizeof(int) * n);
			guard_levels = n;
		}
		guard_at_level[level] = guard_depth;
	}
	else if (event == SUBXACT_EVENT_ABORT_SUB && level < guard_levels)
		guard_depth = guard_at_level[level];
}

/* Install the guard; called once from _PG_init. */
void
ax_owner_register(void)
{
	prev_needs_fmgr_hook = needs_fmgr_hook;
	needs_fmgr_hook = ax_needs_fmgr_hook;
	RegisterXactCallback(guard_xact_callback, NULL);
	RegisterSubXactCallback(guard_subxact_callback, NULL);
}

/* Raise the guard: from here on, no user-defined function runs. */
void
ax_guard_enter(void)
{
	guard_depth++;
}

/* Lower the guard raised by the matching ax_guard_enter. */
void
ax_guard_leave(void)
{
	if (guard_depth > 0)
		guard_depth--;
}

/*
 * Run as the owner of schema autoxfer (the extension's owner), restricted
 * (SECURITY_RESTRICTED_OPERATION) and under the guard, saving the current
 * user for ax_restore_user.  An error on the way restores the user with
 * the transaction.
 */
void
ax_become_owner(Oid *save_user, int *save_sec)
{
	HeapTuple	tup;
	Oid			owner;

	tup = SearchSysCache1(NAMESPACEOID, ObjectIdGetDatum(ax_schema_oid()));
	if (!HeapTupleIsValid(tup))
		elog(ERROR, "cache lookup failed for schema autoxfer");
	owner = ((Form_pg_namespace) GETSTRUCT(tup))->nspowner;
	ReleaseSysCache(tup);
	GetUserIdAndSecContext(save_user, save_sec);
	SetUserIdAndSecContext(owner, *save_sec | SECURITY_LOCAL_USERID_CHANGE |
						   SECURITY_RESTRICTED_OPERATION);
	ax_guard_enter();
}

/* Back to the user saved by ax_become_owner. */
void
ax_restore_user(Oid save_user, int save_sec)
{
	ax_guard_leave();
	SetUserIdAndSecContext(save_user, save_sec);
}

/*
 * Become the owner (ax_become_owner) and connect SPI, for a run of the
 * extension's own statements (ax_spi_execute); ax_owner_spi_end undoes
 * both.  An error in between is cleaned up by the (sub)transaction's abort.
 */
void
ax_owner_spi_begin(Oid *save_user, int *save_sec)
{
	ax_become_owner(save_user, save_sec);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
}

/* Disconnect SPI and go back to the user saved by ax_owner_spi_begin. */
void
ax_owner_spi_end(Oid save_user, int save_sec)
{
	SPI_finish();
	ax_restore_user(save_user, save_sec);
}

/*
 * Run one SQL statement of the extension through SPI (connected by the
 * caller): parsed and analysed under the search path pg_catalog only, so
 * that no name in it can resolve to another schema's object, then executed
 * with the caller's search path (a plan revalidated on the way is
 * re-analysed under the path it was made with).  The statement must still
 * qualify its names and write OPERATOR(pg_catalog.=).  Returns what
 * SPI_execute_plan returns.
 */
int
ax_spi_execute(const char *sql, int nargs, Oid *argtypes, Datum *values,
			   const char *nulls, bool read_only, long count)
{
	OverrideSearchPath path;
	SPIPlanPtr	plan;
	int			ret;

	memset(&path, 0, sizeof(path));
	path.schemas = list_make1_oid(PG_CATALOG_NAMESPACE);
	path.addCatalog = false;
	path.addTemp = false;
	PushOverrideSearchPath(&path);
	plan = SPI_prepare(sql, nargs, argtypes);
	PopOverrideSearchPath();
	list_free(path.schemas);
	if (plan == NULL)
		elog(ERROR, "SPI_prepare failed for \"%s\": %s", sql,
			 SPI_result_code_string(SPI_result));
	ret = SPI_execute_plan(plan, values, nulls, read_only, count);
	SPI_freeplan(plan);
	return ret;
}
