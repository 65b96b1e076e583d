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
 * subqueries, aggregates, window functions or set-returning functions.
 *
 * Compilation runs entirely as the extension's owner, whoever causes it (a
 * writer's first row in a session, autoxfer_admin changing a rule, an
 * event trigger): names are resolved with search_path pg_catalog, autoxfer
 * only and the owner's privileges (a user who may only insert into a
 * protected table need not see schema autoxfer), and the expression is
 * planned and initialised (ExecInitExpr, where EXECUTE is checked) as the
 * owner, so a writer needs no EXECUTE on autoxfer.in_sensitive_area.  That
 * is safe because of what an expression may contain, checked right after
 * parse analysis (check_allowed): every function it reaches, directly or
 * through an operator, a cast or a comparison, is a built-in function of
 * pg_catalog that is not volatile, runs no query and reads no table (the
 * ones that do are listed in ax_query_functions), or one of the functions
 * of schema autoxfer listed in ax_allowed_functions; every value has a
 * built-in type, an enum, a domain over a built-in type or a type of
 * autoxfer (the input and checks of other types can call user code); no
 * conversion to a domain; no whole row and not the label column.  Nothing
 * user-defined can then run while a rule is compiled or a row classified,
 * and the guard of owner.c refuses it if it tries (a literal read into a
 * composite type at parse time).  CREATE OR REPLACE of a function a
 * predicate calls is therefore moot: only superusers replace functions of
 * pg_catalog, only the owner those of autoxfer.
 *
 * A stored generated column is computed after BEFORE row triggers, so it
 * is NULL (on INSERT) or stale (on UPDATE) when the enforcing trigger, or
 * the bulk COPY path, classifies the row: every Var of such a column is
 * replaced by the column's generation expression (which reads only the
 * row's other, non-generated columns), and must pass the same checks.
 *
 * The planned expression is then initialised with ExecInitExpr, evaluated
 * per row against the new tuple like a CHECK constraint.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/namespace.h"
#include "catalog/pg_collation.h"
#include "catalog/pg_namespace.h"
#include "catalog/pg_operator.h"
#include "catalog/pg_proc.h"
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
#include "rewrite/rewriteHandler.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/regproc.h"
#include "utils/rel.h"
#include "utils/syscache.h"

#include "owner.h"
#include "rules.h"
#include "vocab.h"

/*
 * The functions of schema autoxfer a predicate or subject may call: pure
 * functions of their arguments, and the containment test of rule I1 (which
 * reads autoxfer.sensitive_area through its cache, not through a query).
 * Not classify() or explain(): classification does not re-enter itself.
 */
static const char *const ax_allowed_functions[] = {
	"in_sensitive_area", "area_contains", "check_location", NULL
};

/*
 * Built-in functions of pg_catalog that run a query or read tables, never
 * allowed whatever their volatility: in PostgreSQL 15 the *_to_xml and
 * *_to_xmlschema families (table_to_xml, schema_to_xml and database_to_xml
 * and their variants are STABLE and read whole tables with the caller's
 * rights), ts_stat and ts_rewrite (run the query they are given), currtid2
 * (reads a table by name), and pg_get_viewdef and pg_get_ruledef (STABLE,
 * run a catalogue query through SPI under the caller's search_path);
 * query_to_xml, cursor_to_xml, ts_stat, ts_rewrite(tsquery, text) and
 * currtid2 are VOLATILE, refused as such anyway.  Found by reading pg_proc
 * for the functions built on SPI or on a relation given as an argument;
 * docs/security.md has the same list.
 */
static const char *const ax_query_functions[] = {
	"query_to_xml", "query_to_xmlschema", "query_to_xml_and_xmlschema",
	"cursor_to_xml", "cursor_to_xmlschema",
	"table_to_xml", "table_to_xmlschema", "table_to_xml_and_xmlschema",
	"schema_to_xml", "schema_to_xmlschema", "schema_to_xml_and_xmlschema",
	"database_to_xml", "database_to_xmlschema", "database_to_xml_and_xmlschema",
	"ts_stat", "ts_rewrite", "currtid2", "pg_get_viewdef", "pg_get_ruledef", NULL
};

/* State of one compilation, for the column-reference hook. */
typedef struct AxParseCtx
{
	const AxCatalog *cat;
	Relation	rel;			/* relation whose columns Vars refer to, or
								 * NULL */
	bool		vocabulary;		/* resolve vocabulary names (predicates) */
	bool		table_columns;	/* the relation's columns may be named */
	Node	   *subject;		/* transformed subject expression, or NULL */
	AttrNumber	label_attno;	/* the label column of rel, or 0 */
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

/* What check_allowed is checking, for its messages. */
typedef struct AxCheck
{
	ParseState *pstate;			/* for cursor positions, or NULL */
	const char *what;			/* "a rule predicate", ... */
	const char *gencol;			/* a generation expression: its column */
	AttrNumber	label_attno;	/* the label column, or 0 */
} AxCheck;

/* Why a function may not be called. */
typedef enum AxFnVerdict
{
	AX_FN_OK,
	AX_FN_SCHEMA,				/* not pg_catalog, not allowed of autoxfer */
	AX_FN_QUERY,				/* runs a query or reads tables */
	AX_FN_INTERNAL,				/* takes or returns cstring or internal */
	AX_FN_VOLATILE
} AxFnVerdict;

/* Is name one of the NULL-terminated list? */
static bool
name_listed(const char *const *list, const char *name)
{
	for (int i = 0; list[i] != NULL; i++)
	{
		if (strcmp(list[i], name) == 0)
			return true;
	}
	return false;
}

/* Is nsp a schema only superusers or the extension's owner write into? */
static bool
builtin_namespace(Oid nsp)
{
	return nsp == PG_CATALOG_NAMESPACE || nsp == ax_schema_oid();
}

/*
 * May function funcid be called?  direct: called by name or through an
 * operator, where a type's input, output or support function (cstring or
 * internal arguments) is refused; the input and output functions of a
 * CoerceViaIO are not direct.
 */
static AxFnVerdict
function_verdict(Oid funcid, bool direct)
{
	HeapTuple	tup;
	Form_pg_proc p;
	AxFnVerdict v = AX_FN_OK;

	tup = SearchSysCache1(PROCOID, ObjectIdGetDatum(funcid));
	if (!HeapTupleIsValid(tup))
		elog(ERROR, "cache lookup failed for function %u", funcid);
	p = (Form_pg_proc) GETSTRUCT(tup);
	if (p->pronamespace == PG_CATALOG_NAMESPACE)
	{
		if (name_listed(ax_query_functions, NameStr(p->proname)))
			v = AX_FN_QUERY;
		else if (direct)
		{
			if (p->prorettype == CSTRINGOID || p->prorettype == INTERNALOID)
				v = AX_FN_INTERNAL;
			for (int i = 0; i < p->pronargs; i++)
			{
				if (p->proargtypes.values[i] == CSTRINGOID ||
					p->proargtypes.values[i] == INTERNALOID)
					v = AX_FN_INTERNAL;
			}
		}
	}
	else if (p->pronamespace != ax_schema_oid() ||
			 !name_listed(ax_allowed_functions, NameStr(p->proname)))
		v = AX_FN_SCHEMA;
	if (v == AX_FN_OK && p->provolatile == PROVOLATILE_VOLATILE)
		v = AX_FN_VOLATILE;
	ReleaseSysCache(tup);
	return v;
}

/* The schema of type typid. */
static Oid
type_namespace(Oid typid)
{
	HeapTuple	tup = SearchSysCache1(TYPEOID, ObjectIdGetDatum(typid));
	Oid			nsp;

	if (!HeapTupleIsValid(tup))
		elog(ERROR, "cache lookup failed for type %u", typid);
	nsp = ((Form_pg_type) GETSTRUCT(tup))->typnamespace;
	ReleaseSysCache(tup);
	return nsp;
}

/*
 * May values of type typid appear?  Types of pg_catalog and autoxfer,
 * enums and other base types (only superusers create base types), arrays
 * of those, and domains over them that are not array elements: a value of
 * a user's domain is only ever read (a conversion to it is refused), while
 * reading a composite, range or array of domains from text, or from JSON,
 * would run the domains' CHECK constraints.
 */
static bool
type_allowed(Oid typid, bool element)
{
	HeapTuple	tup;
	Form_pg_type t;
	bool		ok;

	tup = SearchSysCache1(TYPEOID, ObjectIdGetDatum(typid));
	if (!HeapTupleIsValid(tup))
		return false;
	t = (Form_pg_type) GETSTRUCT(tup);
	if (builtin_namespace(t->typnamespace) || t->typtype == TYPTYPE_ENUM)
		ok = true;
	else if (t->typtype == TYPTYPE_BASE)
		ok = IsTrueArrayType(t) ? type_allowed(t->typelem, true) : true;
	else if (t->typtype == TYPTYPE_DOMAIN && !element)
	{
		Oid			base = getBaseType(typid);

		ok = get_typtype(base) != TYPTYPE_COMPOSITE && type_allowed(base, false);
	}
	else
		ok = false;
	ReleaseSysCache(tup);
	return ok;
}

/* A cursor position for an error about node at location, if known. */
static int
check_position(const AxCheck *c, int location)
{
	if (c->pstate == NULL || location < 0)
		return 0;
	return parser_errposition(c->pstate, location);
}

/* "schema.name(argument types)" of a function, for messages. */
static char *
function_name(Oid funcid)
{
	HeapTuple	tup;
	Form_pg_proc p;
	StringInfoData buf;

	tup = SearchSysCache1(PROCOID, ObjectIdGetDatum(funcid));
	if (!HeapTupleIsValid(tup))
		elog(ERROR, "cache lookup failed for function %u", funcid);
	p = (Form_pg_proc) GETSTRUCT(tup);
	initStringInfo(&buf);
	appendStringInfo(&buf, "%s(",
					 quote_qualified_identifier(get_namespace_name(p->pronamespace),
												NameStr(p->proname)));
	for (int i = 0; i < p->pronargs; i++)
		appendStringInfo(&buf, "%s%s", i > 0 ? ", " : "",
						 format_type_be(p->proargtypes.values[i]));
	appendStringInfoChar(&buf, ')');
	ReleaseSysCache(tup);
	return buf.data;
}

/* Refuse a call of funcid for the reason v. */
static void
refuse_function(const AxCheck *c, Oid funcid, AxFnVerdict v, int location)
{
	char	   *fn = function_name(funcid);
	const char *hint = c->gencol != NULL ?
		"Declare the columns the generated column is computed from instead." :
		"Write the condition with built-in functions and operators, or keep what the function computes in a column of the table and declare it (autoxfer.declare_column).";

	switch (v)
	{
		case AX_FN_VOLATILE:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
					 errmsg("%s must not call volatile functions", c->what),
					 errdetail("The value must depend on the row only, so that the label is reproducible."),
					 errhint("Use immutable or stable functions.")));
			break;
		case AX_FN_QUERY:
			ereport(ERROR,
					(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
					 errmsg("%s may not call function %s", c->what, fn),
					 errdetail("It runs a query or reads tables; classification reads the row being written and nothing else."),
					 errhint("%s", hint),
					 check_position(c, location)));
			break;
		case AX_FN_INTERNAL:
			ereport(ERROR,
					(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
					 errmsg("%s may not call function %s", c->what, fn),
					 errdetail("It is a type's input, output or support function, which can run the code of any type."),
					 errhint("Use a cast (value::type) instead."),
					 check_position(c, location)));
			break;
		default:
			ereport(ERROR,
					(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
					 errmsg("%s may not call function %s", c->what, fn),
					 errdetail("Only built-in functions of schema pg_catalog and autoxfer.in_sensitive_area, autoxfer.area_contains and autoxfer.check_location may be called: nothing user-defined runs while rows are classified."),
					 errhint("%s", hint),
					 check_position(c, location)));
			break;
	}
}

/* Check one function of an expression. */
static void
check_function(const AxCheck *c, Oid funcid, bool direct, int location)
{
	AxFnVerdict v = function_verdict(funcid, direct);

	if (v != AX_FN_OK)
		refuse_function(c, funcid, v, location);
}

/* check_functions_in_node callback: true for a function not allowed. */
static bool
function_refused(Oid funcid, void *context)
{
	return function_verdict(funcid, false) != AX_FN_OK;
}

/*
 * Walk a transformed expression and refuse what it may not contain (see
 * the head of this file); errors, returns false otherwise.  Node types not
 * listed are refused, so that a new kind of node is refused until it has
 * been considered.
 */
static bool
check_allowed_walker(Node *node, AxCheck *c)
{
	int			location;

	if (node == NULL)
		return false;
	location = exprLocation(node);
	switch (nodeTag(node))
	{
		case T_Var:
			{
				Var		   *v = (Var *) node;

				if (v->varattno == InvalidAttrNumber)
					ereport(ERROR,
							(errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
							 errmsg("%s may not use a whole row", c->what),
							 errdetail("Classification reads the columns of the row being written, never the row as a value: it would reach classify() or functions of the row's type."),
							 errhint("%s", c->gencol != NULL ?
									 "Declare the columns the generated column is computed from instead." :
									 "Name the columns the condition needs."),
							 check_position(c, location)));
				if (c->label_attno > 0 && v->varattno == c->label_attno)
					ereport(ERROR,
							(errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
							 errmsg("%s may not read the label column", c->what),
							 errdetail("The label is what classification computes; the value a row brings there is the writer's, or the old label."),
							 errhint("%s", c->gencol != NULL ?
									 "Declare the columns the generated column is computed from instead." :
									 "Name the columns the condition needs."),
							 check_position(c, location)));
			}
			break;
		case T_FuncExpr:
			check_function(c, ((FuncExpr *) node)->funcid, true, location);
			break;
		case T_OpExpr:
		case T_DistinctExpr:
		case T_NullIfExpr:
			set_opfuncid((OpExpr *) node);
			check_function(c, ((OpExpr *) node)->opfuncid, true, location);
			break;
		case T_ScalarArrayOpExpr:
			set_sa_opfuncid((ScalarArrayOpExpr *) node);
			check_function(c, ((ScalarArrayOpExpr *) node)->opfuncid, true, location);
			break;
		case T_RowCompareExpr:
			{
				ListCell   *lc;

				foreach(lc, ((RowCompareExpr *) node)->opnos)
					check_function(c, get_opcode(lfirst_oid(lc)), true, location);
			}
			break;
		case T_CoerceViaIO:
			{
				CoerceViaIO *io = (CoerceViaIO *) node;
				Oid			iofunc;
				Oid			ioparam;
				bool		varlena;

				getTypeInputInfo(io->resulttype, &iofunc, &ioparam);
				check_function(c, iofunc, false, location);
				getTypeOutputInfo(exprType((Node *) io->arg), &iofunc, &varlena);
				check_function(c, iofunc, false, location);
			}
			break;
		case T_CoerceToDomain:
			{
				CoerceToDomain *cd = (CoerceToDomain *) node;

				if (!builtin_namespace(type_namespace(cd->resulttype)))
					ereport(ERROR,
							(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
							 errmsg("%s may not convert a value to domain %s", c->what,
									format_type_be_qualified(cd->resulttype)),
							 errdetail("A domain's CHECK constraints can call user-defined functions."),
							 errhint("Compare the value as its base type: leave out the cast to the domain."),
							 check_position(c, location)));
			}
			break;
		case T_SubscriptingRef:
			{
				SubscriptingRef *sr = (SubscriptingRef *) node;

				if (!type_allowed(sr->refcontainertype, false))
					ereport(ERROR,
							(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
							 errmsg("%s may not subscript values of type %s", c->what,
									format_type_be_qualified(sr->refcontainertype)),
							 errhint("Subscript arrays or values of built-in types."),
							 check_position(c, location)));
			}
			break;
		case T_Const:
		case T_BoolExpr:
		case T_NullTest:
		case T_BooleanTest:
		case T_RelabelType:
		case T_ArrayCoerceExpr:
		case T_CollateExpr:
		case T_CaseExpr:
		case T_CaseWhen:
		case T_CaseTestExpr:
		case T_CoalesceExpr:
		case T_MinMaxExpr:
		case T_ArrayExpr:
		case T_RowExpr:
		case T_FieldSelect:
		case T_SQLValueFunction:
		case T_XmlExpr:
		case T_List:
			break;
		default:
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("%s may not contain this kind of expression", c->what),
					 errhint("Write the condition with columns, constants, built-in functions and operators."),
					 check_position(c, location)));
	}
	if (!IsA(node, List) && !IsA(node, CaseWhen) && !type_allowed(exprType(node), false))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("%s may not use values of type %s", c->what,
						format_type_be_qualified(exprType(node))),
				 errdetail("Values of built-in types, enums, domains over built-in types and types of schema autoxfer may be used; the input, output or checks of other types can run user-defined code."),
				 errhint("Cast the value to a built-in type, such as text."),
				 check_position(c, location)));
	/* every function the node reaches, whatever its kind */
	if (check_functions_in_node(node, function_refused, NULL))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("%s may call only built-in functions and those autoxfer allows", c->what),
				 check_position(c, location)));
	return expression_tree_walker(node, check_allowed_walker, (void *) c);
}

/*
 * The generation expression of stored generated column attnum of ctx->rel,
 * checked as a predicate is.  A domain's check of the result is left out:
 * it runs when the row is stored.
 */
static Node *
generation_expression(AxParseCtx *ctx, AttrNumber attnum)
{
	Form_pg_attribute att = TupleDescAttr(RelationGetDescr(ctx->rel), attnum - 1);
	Node	   *expr = build_column_default(ctx->rel, attnum);
	AxCheck		c;

	if (expr == NULL)
		elog(ERROR, "generation expression of column \"%s\" not found", NameStr(att->attname));
	while (IsA(expr, CoerceToDomain))
		expr = (Node *) ((CoerceToDomain *) expr)->arg;
	memset(&c, 0, sizeof(c));
	c.what = psprintf("the generation expression of column \"%s\"", NameStr(att->attname));
	c.gencol = NameStr(att->attname);
	c.label_attno = ctx->label_attno;
	(void) check_allowed_walker(expr, &c);
	return expr;
}

/* Is attnum a stored generated column of rel? */
static bool
is_generated(Relation rel, AttrNumber attnum)
{
	return attnum > 0 && attnum <= RelationGetDescr(rel)->natts &&
		TupleDescAttr(RelationGetDescr(rel), attnum - 1)->attgenerated == ATTRIBUTE_GENERATED_STORED;
}

/* Mutator: each Var of a stored generated column becomes its expression. */
static Node *
substitute_generated_mutator(Node *node, AxParseCtx *ctx)
{
	if (node == NULL)
		return NULL;
	if (IsA(node, Var))
	{
		Var		   *v = (Var *) node;

		if (v->varno == 1 && v->varlevelsup == 0 && is_generated(ctx->rel, v->varattno))
			return generation_expression(ctx, v->varattno);
		return node;
	}
	return expression_tree_mutator(node, substitute_generated_mutator, (void *) ctx);
}

/* expr with the stored generated columns of ctx->rel computed, not read. */
static Node *
substitute_generated(AxParseCtx *ctx, Node *expr)
{
	TupleDesc	desc;

	if (ctx->rel == NULL)
		return expr;
	desc = RelationGetDescr(ctx->rel);
	if (desc->constr == NULL || !desc->constr->has_generated_stored)
		return expr;
	return substitute_generated_mutator(expr, ctx);
}

/* ExecInitExpr as the extension's owner: EXECUTE is the owner's. */
static ExprState *
init_as_owner(Expr *expr)
{
	Oid			save_user;
	int			save_sec;
	ExprState  *state;

	ax_become_owner(&save_user, &save_sec);
	state = ExecInitExpr(expr, NULL);
	ax_restore_user(save_user, save_sec);
	return state;
}

/* Push the search path names in predicates resolve in: pg_catalog, autoxfer. */
static void
push_compile_path(void)
{
	OverrideSearchPath osp;

	memset(&osp, 0, sizeof(osp));
	osp.schemas = list_make2_oid(PG_CATALOG_NAMESPACE, ax_schema_oid());
	osp.addCatalog = false;
	osp.addTemp = false;
	PushOverrideSearchPath(&osp);
	list_free(osp.schemas);
}

/*
 * The planned generation expression of stored generated column attnum, for
 * the non-NULL test of a declared data column, initialised as the owner.
 */
static ExprState *
compile_generated_column(AxParseCtx *ctx, AttrNumber attnum)
{
	Oid			save_user;
	int			save_sec;
	Expr	   *expr;

	push_compile_path();
	ax_become_owner(&save_user, &save_sec);
	expr = expression_planner((Expr *) generation_expression(ctx, attnum));
	ax_restore_user(save_user, save_sec);
	PopOverrideSearchPath();
	return init_as_owner(expr);
}

/*
 * Parse, analyse, check and plan one expression, as the extension's owner
 * under the guard.  predicate: coerce to boolean and resolve the
 * vocabulary; otherwise (the subject) only table columns.
 */
static Expr *
compile_expression(AxParseCtx *ctx, const char *src, bool predicate,
				   const char *code)
{
	ErrorContextCallback errcb;
	AxCompileErr errinfo;
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

	push_compile_path();
	ax_become_owner(&save_user, &save_sec);
	PG_TRY();
	{
		AxCheck		check;

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
		expr = substitute_generated(ctx, expr);
		memset(&check, 0, sizeof(check));
		check.pstate = pstate;
		check.what = predicate ? "a rule predicate" : "a subject expression";
		check.label_attno = ctx->label_attno;
		(void) check_allowed_walker(expr, &check);
		free_parsestate(pstate);
		expr = (Node *) expression_planner((Expr *) expr);
	}
	PG_FINALLY();
	{
		ax_restore_user(save_user, save_sec);
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
	ctx.label_attno = ts->label_attno;
	if (cat->subject != NULL)
		subject = compile_expression(&ctx, cat->subject, false, NULL);
	else
		subject = (Expr *) makeNullConst(TEXTOID, -1, DEFAULT_COLLATION_OID);	/* about no individual */
	ts->subject_text = cat->subject;
	ts->subject = init_as_owner(subject);
	ts->subject_type = exprType((Node *) subject);
	{
		bool		varlena;

		getTypeOutputInfo(ts->subject_type, &ts->subject_out, &varlena);
	}

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
			cr->colexprs = palloc0(sizeof(ExprState *) * Max(cat->ndecls, 1));
			cr->ncols = 0;
			for (int j = 0; j < cat->ndecls; j++)
			{
				if (cat->decls[j].is_data && data_rule_counts(def, cat->decls[j].kind))
				{
					AttrNumber	attnum = cat->decls[j].attnum;

					cr->cols[cr->ncols] = attnum;
					cr->colnames[cr->ncols] = cat->decls[j].attname;
					if (is_generated(rel, attnum))
						cr->colexprs[cr->ncols] = compile_generated_column(&ctx, attnum);
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
			cr->state = init_as_owner(e);
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
