/*
 * x2_plan.c
 *		Roles abroad (rule X2): what the planner may use when a role abroad
 *		reads a table that carries policy autoxfer_abroad.
 *
 * Row-level security filters the rows a role abroad reads, but two things
 * the planner does before the filter would still tell it about the rows it
 * may not read:
 *	- statistics: a condition with a leakproof operator (text equality, the
 *	  comparison of numbers) is estimated from pg_statistic and the extended
 *	  statistics of every row, so EXPLAIN's row estimate for
 *	  note = 'some guess' says whether, and how often, the value occurs in
 *	  the blocked rows;
 *	- index scans: a leakproof condition may be an index condition,
 *	  evaluated before the policy, so the scan fetches the blocked rows that
 *	  match and counts them (EXPLAIN ANALYZE's "Rows Removed by Filter",
 *	  pg_stat_xact_user_tables.idx_tup_fetch): a guessed key of a blocked
 *	  row is seen to exist.  get_actual_variable_range reads an index too.
 * So, for a role abroad and such a table, the planner sees no statistics
 * (get_relation_stats_hook answers "none") and no index and no extended
 * statistics (get_relation_info_hook empties the lists): it estimates with
 * its defaults and reads the table with sequential scans, where every row
 * is read whatever it holds and only the rows that pass the policy go on.
 * Every other role plans as before.  The price is the speed of a role
 * abroad's lookups by key; docs/security.md, "Roles abroad (X2)".
 *
 * One more check, at the same place: a role abroad's query must read such
 * a table under its row-level security.  PostgreSQL applies no policy where
 * the table is read with the rights of a superuser or a role with
 * BYPASSRLS (a view such a role owns, a SECURITY DEFINER function of
 * theirs), FORCE ROW LEVEL SECURITY or not, nor in the checks of a foreign
 * key (which would tell a role abroad with REFERENCES which keys exist);
 * such a read is refused.
 *
 * The hooks are installed when the library is loaded: preloaded, from the
 * first statement; otherwise the planner's call of the support function of
 * autoxfer._x2_visible (x2.c) loads it while the first query that reads
 * such a table is planned, before its relations are looked at.
 */
#include "postgres.h"

#include "access/table.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "nodes/nodeFuncs.h"
#include "nodes/pathnodes.h"
#include "optimizer/plancat.h"
#include "parser/parsetree.h"
#include "rewrite/rowsecurity.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/selfuncs.h"

#include "x2.h"

static get_relation_info_hook_type prev_get_relation_info = NULL;
static get_relation_stats_hook_type prev_get_relation_stats = NULL;

/* Is the expression a call of autoxfer._x2_visible()? */
bool
ax_x2_is_visible_call(const Node *node)
{
	Oid			fn;
	char	   *name;
	bool		result;

	if (node == NULL || !IsA(node, FuncExpr))
		return false;
	fn = ((const FuncExpr *) node)->funcid;
	name = get_func_name(fn);
	if (name == NULL)
		return false;
	result = strcmp(name, "_x2_visible") == 0 &&
		get_func_namespace(fn) == get_namespace_oid("autoxfer", true);
	pfree(name);
	return result;
}

/*
 * Does rel carry autoxfer's policy of roles abroad: autoxfer_abroad, with
 * the call of autoxfer._x2_visible() autoxfer gave it?  Read from the
 * relation's cache entry: no query, so that it costs nothing in a database
 * without the extension.
 */
bool
ax_x2_has_policy(Relation rel)
{
	ListCell   *lc;

	if (!rel->rd_rel->relrowsecurity || rel->rd_rsdesc == NULL)
		return false;
	foreach(lc, rel->rd_rsdesc->policies)
	{
		RowSecurityPolicy *policy = (RowSecurityPolicy *) lfirst(lc);

		if (strcmp(policy->policy_name, "autoxfer_abroad") == 0)
			return ax_x2_is_visible_call((Node *) policy->qual);
	}
	return false;
}

/*
 * Is relid a table that carries the policy of roles abroad, read by a role
 * abroad?  The policy is looked for first, so that no other table costs
 * more than a look at its cache entry.
 */
static bool
limited_for_abroad(Oid relid)
{
	Relation	rel = RelationIdGetRelation(relid);
	bool		found;

	if (!RelationIsValid(rel))
		return false;
	found = ax_x2_has_policy(rel);
	RelationClose(rel);
	return found && ax_x2_acting_abroad();
}

/*
 * Was row-level security applied to the relation, as its security quals
 * show (expression_tree_walker over them)?  Either the policy of roles
 * abroad is there, a call of autoxfer._x2_visible(), or no permissive
 * policy applies and PostgreSQL denies every row with a constant false.
 */
static bool
policy_applied(Node *node, void *context)
{
	if (node == NULL)
		return false;
	if (IsA(node, Const) && ((Const *) node)->consttype == BOOLOID &&
		!((Const *) node)->constisnull && !DatumGetBool(((Const *) node)->constvalue))
		return true;
	if (ax_x2_is_visible_call(node))
		return true;
	return expression_tree_walker(node, policy_applied, context);
}

/*
 * Is rel a partition (or inheritance child) expanded from a parent table
 * in this query?  It is read under its parent's row-level security, which
 * PostgreSQL translates to it (its own range table entry has none), and
 * the parent is checked.  A member of a UNION ALL is not: it is read under
 * its own.
 */
static bool
expanded_from_table(PlannerInfo *root, RelOptInfo *rel)
{
	AppendRelInfo *appinfo;

	if (rel->reloptkind != RELOPT_OTHER_MEMBER_REL || root->append_rel_array == NULL)
		return false;
	appinfo = root->append_rel_array[rel->relid];
	return appinfo != NULL &&
		planner_rt_fetch(appinfo->parent_relid, root)->rtekind == RTE_RELATION;
}

/*
 * get_relation_info_hook: for a role abroad, a limited table has no index
 * and no extended statistics the planner could use; and it is read under
 * its policy.
 */
static void
x2_relation_info(PlannerInfo *root, Oid relationObjectId, bool inhparent,
				 RelOptInfo *rel)
{
	if (prev_get_relation_info)
		prev_get_relation_info(root, relationObjectId, inhparent, rel);
	if (!limited_for_abroad(relationObjectId))
		return;
	if (!expanded_from_table(root, rel) &&
		!policy_applied((Node *) planner_rt_fetch(rel->relid, root)->securityQuals, NULL))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("a role abroad cannot read protected table \"%s\" past its row-level security",
						get_rel_name(relationObjectId)),
				 errdetail("The query reads the table where no row-level security applies (a view or SECURITY DEFINER function of a superuser or of a role with BYPASSRLS, the check of a foreign key), so policy autoxfer_abroad does not hold."),
				 errhint("Give the view or function an owner without SUPERUSER or BYPASSRLS (the table's owner will do), or do not let roles abroad use it or reference the table.")));
	rel->indexlist = NIL;
	rel->statlist = NIL;
}

/*
 * get_relation_stats_hook: for a role abroad, a column of a limited table
 * has no statistics (true: the hook decided, and there is no tuple).
 */
static bool
x2_relation_stats(PlannerInfo *root, RangeTblEntry *rte, AttrNumber attnum,
				  VariableStatData *vardata)
{
	if (rte->rtekind == RTE_RELATION && limited_for_abroad(rte->relid))
	{
		vardata->statsTuple = NULL;
		vardata->freefunc = NULL;
		return true;
	}
	return prev_get_relation_stats &&
		prev_get_relation_stats(root, rte, attnum, vardata);
}

/* Install the planner hooks; called once from _PG_init. */
void
ax_x2_plan_register(void)
{
	prev_get_relation_info = get_relation_info_hook;
	get_relation_info_hook = x2_relation_info;
	prev_get_relation_stats = get_relation_stats_hook;
	get_relation_stats_hook = x2_relation_stats;
}
