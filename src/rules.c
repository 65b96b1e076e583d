/*
 * rules.c
 *		Compile rule predicates and the subject expression of a protected
 *		table into executor expressions over the table's rows.
 *
 * A predicate is SQL text over the attribute vocabulary (latitude,
 * faces_visible, ...), the name subject (the table's subject expression)
 * and param.NAME (a number of autoxfer.parameter, inlined as a constant).
 * It is parsed as one expression, never concatenated into a statement:
 * raw_parser in PL/pgSQL-expression mode, then transformExpr with a
 * pre-column-reference hook that maps each vocabulary name to a Var of the
 * column declared as that attribute (or to a typed NULL when the table
 * does not declare it).  A rule bound to one table (rule.rel) may also name
 * that table's columns.  The result must be boolean, and may not contain
 * subqueries, aggregates, window functions, set-returning functions or
 * volatile functions.  Names of functions and operators are resolved with
 * search_path pg_catalog, autoxfer only, and names are looked up with the
 * privileges of the extension's owner (a user who may only insert into a
 * protected table need not see schema autoxfer), whoever triggers the
 * compilation.  Nothing is executed as the owner: planning (which folds
 * immutable functions) and executing the expression run as the user, with
 * the usual EXECUTE checks.
 * The planned expression is then initialised with ExecInitExpr, evaluated
 * per row against the new tuple like a CHECK constraint.
 */
#include "postgres.h"

#include "catalog/namespace.h"
#include "catalog/pg_collation.h"
#include "catalog/pg_namespace.h"
#include "catalog/pg_type.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/optimizer.h"
#include "parser/parse_coerce.h"
#include "parser/parse_collate.h"
#include "parser/parse_expr.h"
#include "parser/parse_node.h"
#include "parser/parse_relation.h"
#include "parser/parser.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/syscache.h"

#include "rules.h"
#include "vocab.h"

/* State of one compilation, for the column-reference hook. */
typedef struct AxParseCtx
{
	const AxCatalog *cat;
	Relation	rel;			/* relation whose columns Vars refer to, or
								 * NULL */
	bool		vocabulary;		/* resolve vocabulary names (predicates) */
	bool		table_columns;	/* the relation's columns may be named */
	Node	   *subject;		/* transformed subject expression, or NULL */
	List	   *declared_used;	/* attribute names resolved to columns */
	List	   *missing_used;	/* attribute names read as NULL */
} AxParseCtx;

/* What is being compiled, for the error context. */
typedef struct AxCompileErr
{
	const char *src;
	const char *code;			/* rule code, or NULL for the subject */
	const char *relname;		/* or NULL */
} AxCompileErr;

/*
 * Error context of a compilation: names the rule (or the subject) and the
 * table, and turns a cursor position in the predicate into an internal
 * query position, so the client shows it under the predicate's text rather
 * than under the statement that caused the compilation.
 */
static void
ax_compile_errcb(void *arg)
{
	AxCompileErr *e = (AxCompileErr *) arg;
	int			pos = geterrposition();

	if (pos > 0)
	{
		errposition(0);
		internalerrposition(pos);
		internalerrquery(e->src);
	}
	if (e->code != NULL && e->relname != NULL)
		errcontext("predicate of autoxfer rule %s, compiled for table \"%s\"", e->code, e->relname);
	else if (e->code != NULL)
		errcontext("predicate of autoxfer rule %s", e->code);
	else
		errcontext("subject expression of protected table \"%s\"", e->relname ? e->relname : "?");
}

/* The kind of the vocabulary with this name, or NULL. */
static const AxKindDef *
find_kind(const AxCatalog *cat, const char *name)
{
	for (int i = 0; i < cat->nkinds; i++)
	{
		if (strcmp(cat->kinds[i].name, name) == 0)
			return &cat->kinds[i];
	}
	return NULL;
}

/* The declaration of attribute kind `kind` on the table, or NULL. */
static const AxDeclDef *
find_attribute_decl(const AxCatalog *cat, const char *kind)
{
	for (int i = 0; i < cat->ndecls; i++)
	{
		if (!cat->decls[i].is_data && strcmp(cat->decls[i].kind, kind) == 0)
			return &cat->decls[i];
	}
	return NULL;
}

/* A typed NULL for an undeclared attribute of a type class. */
static Node *
null_of_class(char type_class)
{
	Oid			typid = type_class == 'b' ? BOOLOID :
		type_class == 'n' ? NUMERICOID : TEXTOID;

	return (Node *) makeNullConst(typid, -1, typid == TEXTOID ? DEFAULT_COLLATION_OID : InvalidOid);
}

/*
 * Check that a column declared as attribute kind k has a type of k's type
 * class; errors naming the column otherwise.
 */
static void
check_attribute_type(const AxKindDef *k, const char *attname, Oid typid)
{
	char		category;
	bool		preferred;

	get_type_category_preferred(getBaseType(typid), &category, &preferred);
	if ((k->type_class == 'b' && category != TYPCATEGORY_BOOLEAN) ||
		(k->type_class == 'n' && category != TYPCATEGORY_NUMERIC))
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("column \"%s\" declared as %s has type %s, not a %s type",
						attname, k->name, format_type_be(typid),
						k->type_class == 'b' ? "boolean" : "numeric"),
				 errhint("Declare a column of a %s type, or convert the column.",
						 k->type_class == 'b' ? "boolean" : "numeric")));
}

/*
 * Pre-column-reference hook: resolves vocabulary names, subject and
 * param.NAME; in a predicate that is not bound to a table, every other
 * name is an error.
 */
static Node *
ax_pre_columnref(ParseState *pstate, ColumnRef *cref)
{
	AxParseCtx *ctx = (AxParseCtx *) pstate->p_ref_hook_state;
	int			nfields = list_length(cref->fields);
	Node	   *first = (Node *) linitial(cref->fields);

	if (!ctx->vocabulary)
		return NULL;

	if (nfields == 1 && IsA(first, String))
	{
		const char *name = strVal(first);
		const AxKindDef *k;

		if (strcmp(name, "subject") == 0)
		{
			if (ctx->subject != NULL)
				return copyObject(ctx->subject);
			return (Node *) makeNullConst(TEXTOID, -1, DEFAULT_COLLATION_OID);
		}
		k = find_kind(ctx->cat, name);
		if (k != NULL && k->is_data)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_COLUMN),
					 errmsg("data kind \"%s\" cannot be used in a rule predicate", name),
					 errdetail("Declared data kinds contribute their category directly (rules C2, C3, C5)."),
					 errhint("Use subject for the individual a row is about, or an attribute kind of autoxfer.attribute_kind."),
					 parser_errposition(pstate, cref->location)));
		if (k != NULL)
		{
			const AxDeclDef *d = ctx->rel ? find_attribute_decl(ctx->cat, name) : NULL;

			if (d != NULL)
			{
				Form_pg_attribute att = TupleDescAttr(RelationGetDescr(ctx->rel), d->attnum - 1);

				check_attribute_type(k, d->attname, att->atttypid);
				ctx->declared_used = list_append_unique(ctx->declared_used, makeString(pstrdup(name)));
				return (Node *) makeVar(1, d->attnum, att->atttypid, att->atttypmod,
										att->attcollation, 0);
			}
			ctx->missing_used = list_append_unique(ctx->missing_used, makeString(pstrdup(name)));
			return null_of_class(k->type_class);
		}
		if (!ctx->table_columns)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_COLUMN),
					 errmsg("rule predicate refers to unknown name \"%s\"", name),
					 errhint("A predicate may use the attribute kinds of autoxfer.attribute_kind, subject and param.NAME; a table's own columns only in a rule bound to that table (rule.rel)."),
					 parser_errposition(pstate, cref->location)));
		return NULL;
	}

	if (nfields == 2 && IsA(first, String) && strcmp(strVal(first), "param") == 0 &&
		IsA(lsecond(cref->fields), String))
	{
		const char *pname = strVal(lsecond(cref->fields));

		for (int i = 0; i < ctx->cat->nparams; i++)
		{
			if (strcmp(ctx->cat->params[i].name, pname) == 0)
				return (Node *) makeConst(NUMERICOID, -1, InvalidOid, -1,
										  datumCopy(ctx->cat->params[i].value, false, -1),
										  false, false);
		}
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("rule predicate refers to unknown parameter \"%s\"", pname),
				 errhint("Parameters are the rows of autoxfer.parameter."),
				 parser_errposition(pstate, cref->location)));
	}

	if (!ctx->table_columns)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_COLUMN),
				 errmsg("rule predicate refers to unknown name \"%s\"", NameListToString(cref->fields)),
				 errhint("A predicate may use the attribute kinds of autoxfer.attribute_kind, subject and param.NAME; a table's own columns only in a rule bound to that table (rule.rel)."),
				 parser_errposition(pstate, cref->location)));
	return NULL;
}

/* Parse src as exactly one SQL expression; errors on anything else. */
static Node *
parse_one_expression(const char *src)
{
	List	   *raw;
	SelectStmt *s;
	ResTarget  *rt;

	raw = raw_parser(src, RAW_PARSE_PLPGSQL_EXPR);
	s = (list_length(raw) == 1) ? (SelectStmt *) linitial_node(RawStmt, raw)->stmt : NULL;
	if (s == NULL || !IsA(s, SelectStmt) || s->op != SETOP_NONE ||
		s->distinctClause != NIL || s->intoClause != NULL || s->fromClause != NIL ||
		s->whereClause != NULL || s->groupClause != NIL || s->havingClause != NULL ||
		s->windowClause != NIL || s->valuesLists != NIL || s->sortClause != NIL ||
		s->limitOffset != NULL || s->limitCount != NULL || s->lockingClause != NIL ||
		s->withClause != NULL || list_length(s->targetList) != 1)
		ereport(ERROR,
				(errcode(ERRCODE_SYNTAX_ERROR),
				 errmsg("an autoxfer expression must be a single SQL expression"),
				 errdetail("FROM, WHERE, GROUP BY, ORDER BY, LIMIT, lists and other clauses are not allowed."),
				 errhint("Write a boolean expression such as: faces_visible AND anonymised IS NOT TRUE")));
	rt = linitial_node(ResTarget, s->targetList);
	if (rt->name != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_SYNTAX_ERROR),
				 errmsg("an autoxfer expression must not have an alias")));
	return rt->val;
}

/*
 * Parse, analyse and plan one expression.  predicate: coerce to boolean and
 * resolve the vocabulary; otherwise (the subject) only table columns.
 */
static Expr *
compile_expression(AxParseCtx *ctx, const char *src, bool predicate,
				   const char *code)
{
	ErrorContextCallback errcb;
	AxCompileErr errinfo;
	OverrideSearchPath osp;
	Oid			save_user;
	int			save_sec;
	ParseState *pstate;
	Node	   *raw;
	Node	   *volatile expr = NULL;

	errinfo.src = src;
	errinfo.code = code;
	errinfo.relname = ctx->rel ? RelationGetRelationName(ctx->rel) : NULL;
	errcb.callback = ax_compile_errcb;
	errcb.arg = &errinfo;
	errcb.previous = error_context_stack;
	error_context_stack = &errcb;

	memset(&osp, 0, sizeof(osp));
	osp.schemas = list_make2_oid(PG_CATALOG_NAMESPACE, ax_schema_oid());
	osp.addCatalog = false;
	osp.addTemp = false;
	PushOverrideSearchPath(&osp);
	ax_become_owner(&save_user, &save_sec);
	PG_TRY();
	{
		raw = parse_one_expression(src);

		pstate = make_parsestate(NULL);
		pstate->p_sourcetext = src;
		pstate->p_pre_columnref_hook = ax_pre_columnref;
		pstate->p_ref_hook_state = ctx;
		if (ctx->rel != NULL && ctx->table_columns)
		{
			ParseNamespaceItem *nsitem;

			nsitem = addRangeTableEntryForRelation(pstate, ctx->rel, AccessShareLock,
												   NULL, false, false);
			addNSItemToQuery(pstate, nsitem, false, true, true);
		}
		expr = transformExpr(pstate, raw, EXPR_KIND_CHECK_CONSTRAINT);
		if (predicate)
			expr = coerce_to_boolean(pstate, expr, "an autoxfer rule predicate");
		assign_expr_collations(pstate, expr);
		/* names are resolved: plan (and fold) as the user, not the owner */
		SetUserIdAndSecContext(save_user, save_sec);
		if (contain_volatile_functions(expr))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
					 errmsg("%s must not call volatile functions",
							predicate ? "a rule predicate" : "a subject expression"),
					 errdetail("The value must depend on the row only, so that the label is reproducible."),
					 errhint("Use immutable or stable functions.")));
		free_parsestate(pstate);
		expr = (Node *) expression_planner((Expr *) expr);
	}
	PG_FINALLY();
	{
		SetUserIdAndSecContext(save_user, save_sec);
		PopOverrideSearchPath();
	}
	PG_END_TRY();

	error_context_stack = errcb.previous;
	return (Expr *) expr;
}

/* "a, b, c" of a list of String nodes. */
static char *
join_names(List *names)
{
	StringInfoData buf;
	ListCell   *lc;

	initStringInfo(&buf);
	foreach(lc, names)
	{
		if (buf.len > 0)
			appendStringInfoString(&buf, ", ");
		appendStringInfoString(&buf, strVal(lfirst(lc)));
	}
	return buf.data;
}

/* Which data kinds a declaration rule counts. */
static bool
data_rule_counts(const AxRuleDef *def, const char *kind)
{
	if (strcmp(def->data_kind, "personal") == 0 || strcmp(def->data_kind, "subject") == 0)
		return strcmp(kind, "personal") == 0 || strcmp(kind, "subject") == 0;
	return strcmp(def->data_kind, kind) == 0;
}

/*
 * Compile the whole catalogue of ts->cat for relation rel into ts (in the
 * current memory context, which is ts->cxt): the label column, the subject
 * expression, every enabled rule whose scenario applies and that has at
 * least one of its attributes declared, and the status of every rule.
 */
void
ax_compile_table(AxTableState *ts, Relation rel)
{
	AxCatalog  *cat = &ts->cat;
	TupleDesc	desc = RelationGetDescr(rel);
	AxParseCtx	ctx;
	Expr	   *subject;
	Oid			label_type;
	Form_pg_attribute att;

	ts->natts = desc->natts;
	label_type = GetSysCacheOid2(TYPENAMENSP, Anum_pg_type_oid,
								 CStringGetDatum("label"), ObjectIdGetDatum(ax_schema_oid()));
	ts->label_attno = get_attnum(RelationGetRelid(rel), cat->label_column);
	if (ts->label_attno <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_COLUMN),
				 errmsg("label column \"%s\" of protected table \"%s\" does not exist",
						cat->label_column, RelationGetRelationName(rel)),
				 errhint("Run autoxfer.unprotect() and autoxfer.protect() again.")));
	att = TupleDescAttr(desc, ts->label_attno - 1);
	if (att->atttypid != label_type)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("label column \"%s\" of table \"%s\" has type %s, not autoxfer.label",
						cat->label_column, RelationGetRelationName(rel),
						format_type_be(att->atttypid))));

	/* the subject: table columns only */
	memset(&ctx, 0, sizeof(ctx));
	ctx.cat = cat;
	ctx.rel = rel;
	ctx.vocabulary = false;
	ctx.table_columns = true;
	subject = compile_expression(&ctx, cat->subject, false, NULL);
	ts->subject_text = cat->subject;
	ts->subject = ExecInitExpr(subject, NULL);

	ts->active = palloc0(sizeof(AxCompiledRule) * Max(cat->nrules, 1));
	ts->status = palloc0(sizeof(AxRuleStatus) * Max(cat->nrules, 1));
	ts->nactive = 0;
	ts->nstatus = cat->nrules;
	for (int i = 0; i < cat->nrules; i++)
	{
		const AxRuleDef *def = &cat->rules[i];
		AxRuleStatus *st = &ts->status[i];
		AxCompiledRule *cr = &ts->active[ts->nactive];

		st->def = def;
		st->active = false;
		if (!def->enabled)
		{
			st->reason = "disabled";
			continue;
		}
		if (!def->scenario_applies)
		{
			st->reason = psprintf("the table's scenario %s is not among the rule's scenarios",
								  ax_scenario_names[cat->scenario]);
			continue;
		}
		cr->def = def;
		if (def->data_kind != NULL)
		{
			cr->kind = AX_RULE_DATA;
			cr->use_subject = strcmp(def->data_kind, "personal") == 0 ||
				strcmp(def->data_kind, "subject") == 0;
			cr->cols = palloc(sizeof(AttrNumber) * Max(cat->ndecls, 1));
			cr->colnames = palloc(sizeof(char *) * Max(cat->ndecls, 1));
			cr->ncols = 0;
			for (int j = 0; j < cat->ndecls; j++)
			{
				if (cat->decls[j].is_data && data_rule_counts(def, cat->decls[j].kind))
				{
					cr->cols[cr->ncols] = cat->decls[j].attnum;
					cr->colnames[cr->ncols] = cat->decls[j].attname;
					cr->ncols++;
				}
			}
			if (!cr->use_subject && cr->ncols == 0)
			{
				st->reason = psprintf("no column is declared %s", def->data_kind);
				continue;
			}
		}
		else
		{
			Expr	   *e;

			ctx.vocabulary = true;
			ctx.table_columns = def->bound;
			ctx.subject = (Node *) subject;
			ctx.declared_used = NIL;
			ctx.missing_used = NIL;
			e = compile_expression(&ctx, def->predicate, true, def->code);
			if (ctx.missing_used != NIL && ctx.declared_used == NIL)
			{
				st->reason = psprintf("none of its attributes is declared on the table: %s",
									  join_names(ctx.missing_used));
				continue;
			}
			if (ctx.missing_used != NIL)
				st->reason = psprintf("attributes not declared, read as NULL: %s",
									  join_names(ctx.missing_used));
			cr->kind = AX_RULE_PREDICATE;
			cr->state = ExecInitExpr(e, NULL);
		}
		st->active = true;
		ts->nactive++;
	}

	ts->econtext = CreateStandaloneExprContext();
	ts->slot = MakeSingleTupleTableSlot(CreateTupleDescCopyConstr(desc), &TTSOpsHeapTuple);
	ts->values = palloc(sizeof(Datum) * desc->natts);
	ts->nulls = palloc(sizeof(bool) * desc->natts);
}

/*
 * Compile one rule on its own, to validate it when it is written: with no
 * table every attribute reads as NULL of its type class and subject as a
 * NULL text; a bound rule is compiled against its table's columns.  The
 * result is discarded (the caller runs this in a short-lived context).
 */
void
ax_compile_standalone(const AxCatalog *cat, const AxRuleDef *def, Relation bound_rel)
{
	AxParseCtx	ctx;

	if (def->predicate == NULL)
		return;
	memset(&ctx, 0, sizeof(ctx));
	ctx.cat = cat;
	ctx.rel = bound_rel;
	ctx.vocabulary = true;
	ctx.table_columns = bound_rel != NULL;
	(void) compile_expression(&ctx, def->predicate, true, def->code);
}
