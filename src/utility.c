/*
 * utility.c
 *		autoxfer's one ProcessUtility hook: SECURITY LABEL statements go to
 *		the label provider (seclabel.c), COPY FROM to the bulk path
 *		(copy.c), and every statement that neither takes on goes on down
 *		the chain of hooks to the server.
 *
 * One hook, with one link to the hooks of libraries loaded before
 * autoxfer, also tells copy.c whether the server's own COPY is next in
 * line (ax_utility_innermost): the bulk path must not bypass another
 * library that may route COPY itself.
 */
#include "postgres.h"

#include "nodes/parsenodes.h"

#include "utility.h"

static ProcessUtility_hook_type prev_ProcessUtility = NULL;

static void ax_utility(PlannedStmt *pstmt, const char *queryString,
					   bool readOnlyTree, ProcessUtilityContext context,
					   ParamListInfo params, QueryEnvironment *queryEnv,
					   DestReceiver *dest, QueryCompletion *qc);

/* Install the hook; called once from _PG_init. */
void
ax_utility_register(void)
{
	prev_ProcessUtility = ProcessUtility_hook;
	ProcessUtility_hook = ax_utility;
}

/*
 * Is the server's standard_ProcessUtility next after autoxfer's hook, no
 * other library's hook installed before it?
 */
bool
ax_utility_innermost(void)
{
	return prev_ProcessUtility == NULL;
}

/* Run a utility statement through the rest of the hook chain. */
void
ax_next_utility(PlannedStmt *pstmt, const char *queryString,
				bool readOnlyTree, ProcessUtilityContext context,
				ParamListInfo params, QueryEnvironment *queryEnv,
				DestReceiver *dest, QueryCompletion *qc)
{
	if (prev_ProcessUtility)
		prev_ProcessUtility(pstmt, queryString, readOnlyTree, context,
							params, queryEnv, dest, qc);
	else
		standard_ProcessUtility(pstmt, queryString, readOnlyTree, context,
								params, queryEnv, dest, qc);
}

/* The hook: hand each statement to the module that takes it on. */
static void
ax_utility(PlannedStmt *pstmt, const char *queryString,
		   bool readOnlyTree, ProcessUtilityContext context,
		   ParamListInfo params, QueryEnvironment *queryEnv,
		   DestReceiver *dest, QueryCompletion *qc)
{
	Node	   *stmt = pstmt->utilityStmt;

	if (IsA(stmt, SecLabelStmt))
		ax_seclabel_utility(pstmt, queryString, readOnlyTree, context,
							params, queryEnv, dest, qc);
	else if (!IsA(stmt, CopyStmt) ||
			 !ax_copy_utility(pstmt, queryString, readOnlyTree, queryEnv, qc))
		ax_next_utility(pstmt, queryString, readOnlyTree, context,
						params, queryEnv, dest, qc);
}
