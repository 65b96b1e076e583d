/*
 * seclabel.c
 *		The security label provider "autoxfer": declarations in the idiom
 *		DBAs know from other label providers.
 *
 *	SECURITY LABEL FOR autoxfer ON COLUMN t.c IS 'KIND[, KIND ...]'
 *		makes the column's declarations exactly these kinds
 *		(autoxfer.declare_column, autoxfer.undeclare_column);
 *	SECURITY LABEL FOR autoxfer ON TABLE t IS
 *		'scenario=WORD subject=EXPR [label_column=NAME]'
 *		protects the table (autoxfer.protect);
 *	... IS NULL undeclares the column or unprotects the table.
 *
 * PostgreSQL calls the provider's hook before it stores the label; the hook
 * validates the text and records what to do.  It cannot do it there:
 * SECURITY LABEL keeps the table open while the hook runs, and protect()
 * must ALTER the table, which PostgreSQL refuses for a table in use.  So
 * autoxfer's ProcessUtility hook (utility.c) has ax_seclabel_utility run
 * the recorded action right after the SECURITY LABEL statement, in the
 * same transaction, through the extension's SQL functions (SPI, parameters
 * only, names and operators schema-qualified, parsed under a pinned search
 * path: ax_spi_execute, owner.c) as the current user: their privilege
 * checks apply, and a failure aborts the statement's transaction, label
 * included.  PostgreSQL itself requires ownership of the table for
 * SECURITY LABEL.
 *
 * The provider exists in a backend only once the library is loaded there.
 * CREATE EXTENSION loads it (the install script calls
 * autoxfer.seclabel_provider()), so a restore that creates the extension
 * and then replays the labels in one session works without any preload;
 * see docs/seclabel.md for parallel and partial restores.
 */
#include "postgres.h"

#include "catalog/objectaddress.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "commands/seclabel.h"
#include "executor/spi.h"
#include "tcop/utility.h"
#include "fmgr.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"

#include "label_core.h"
#include "owner.h"
#include "seclabel.h"
#include "seclabel_parse.h"
#include "utility.h"
#include "vocab.h"

#define AX_PROVIDER "autoxfer"

#define TABLE_HINT "A table label reads \"scenario=WORD [subject=EXPR] [label_column=NAME]\", for example 'scenario=connected_operation subject=owner_id'."
#define COLUMN_HINT "A column label is a kind, or kinds separated by commas, for example 'latitude' or 'subject, personal'; the kinds are the rows of autoxfer.attribute_kind."

/* longest piece of a bad label quoted back in an error */
#define QUOTE_MAX 64

PG_FUNCTION_INFO_V1(ax_seclabel_provider);

/* What a validated label asks for, applied after the statement. */
typedef struct LabelAction
{
	bool		set;			/* a label was validated */
	Oid			relid;
	AttrNumber	attnum;			/* 0 for the table */
	bool		is_null;		/* IS NULL: undeclare or unprotect */
	/* table labels */
	char	   *scenario;
	char	   *subject;
	char	   *label_column;	/* NULL: protect()'s default */
	/* column labels */
	int			nkinds;
	char	   *kinds[AX_SECLABEL_MAX_ITEMS];
} LabelAction;

/* The action of the SECURITY LABEL statement being run, if any. */
static LabelAction *current_action = NULL;

static void seclabel_check(const ObjectAddress *object, const char *seclabel);
static void apply_action(const LabelAction *action);

/*
 * Register the provider; called once from _PG_init.  Its labels are
 * applied by ax_seclabel_utility, which autoxfer's utility hook
 * (utility.c) calls for SECURITY LABEL statements.
 */
void
ax_seclabel_register(void)
{
	register_label_provider(AX_PROVIDER, seclabel_check);
}

/*
 * Run a SECURITY LABEL statement, then apply the action its autoxfer label
 * asked for (if any).
 */
void
ax_seclabel_utility(PlannedStmt *pstmt, const char *queryString,
					bool readOnlyTree, ProcessUtilityContext context,
					ParamListInfo params, QueryEnvironment *queryEnv,
					DestReceiver *dest, QueryCompletion *qc)
{
	LabelAction action;
	LabelAction *outer = current_action;

	memset(&action, 0, sizeof(action));
	current_action = &action;
	PG_TRY();
	{
		ax_next_utility(pstmt, queryString, readOnlyTree, context, params,
						queryEnv, dest, qc);
	}
	PG_FINALLY();
	{
		current_action = outer;
	}
	PG_END_TRY();

	/* the label is stored and the table closed: now declare or protect */
	if (action.set)
		apply_action(&action);
}

/*
 * seclabel_provider(): the provider's name.  Calling it loads the library
 * (and so registers the provider) in the calling backend: the install
 * script does, so that a restore can replay labels right after CREATE
 * EXTENSION.
 */
Datum
ax_seclabel_provider(PG_FUNCTION_ARGS)
{
	PG_RETURN_TEXT_P(cstring_to_text(AX_PROVIDER));
}

/* A span of the label, clipped to QUOTE_MAX bytes on a character boundary. */
static char *
quote_span(const char *label, size_t off, size_t len)
{
	int			n = pg_mbcliplen(label + off, (int) len, QUOTE_MAX);

	return pnstrdup(label + off, n);
}

/* Report a lexing error of a label. */
static void
report_lex_error(const char *what, const char *label, const AxSeclabelError *err,
				 const char *hint)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("invalid autoxfer security label for %s: %s",
					what, ax_seclabel_status_text(err->status)),
			 err->length > 0 ?
			 errdetail("The problem is at byte %zu: \"%s\".", err->offset + 1,
					   quote_span(label, err->offset, err->length)) : 0,
			 errhint("%s", hint)));
}

/* The words of the scenario vocabulary, comma-separated, for hints. */
static char *
scenario_list(void)
{
	StringInfoData buf;

	initStringInfo(&buf);
	for (int i = 0; i < AX_N_SCENARIOS; i++)
		appendStringInfo(&buf, "%s%s", i ? ", " : "", ax_scenario_names[i]);
	return buf.data;
}

/*
 * A label_column value as a name: a double-quoted identifier (quotes
 * doubled inside), or a plain one folded to lower case as SQL does.
 */
static char *
label_column_name(const char *what, const char *v, size_t len)
{
	StringInfoData buf;
	bool		ok = true;

	initStringInfo(&buf);
	if (v[0] == '"')
	{
		/* the whole value must be one quoted identifier */
		size_t		i = 1;

		for (;;)
		{
			if (i >= len)
			{
				ok = false;
				break;
			}
			if (v[i] == '"')
			{
				if (i + 1 < len && v[i + 1] == '"')
				{
					appendStringInfoChar(&buf, '"');
					i += 2;
					continue;
				}
				ok = (i + 1 == len);
				break;
			}
			appendStringInfoChar(&buf, v[i++]);
		}
	}
	else
	{
		for (size_t i = 0; i < len && ok; i++)
		{
			char		c = v[i];

			ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
				(i > 0 && ((c >= '0' && c <= '9') || c == '$'));
			appendStringInfoChar(&buf, (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c);
		}
	}
	if (!ok || buf.len == 0 || buf.len >= NAMEDATALEN)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid autoxfer security label for %s: label_column \"%s\" is not a column name",
						what, quote_span(v, 0, len)),
				 errhint("Write a plain name or a double-quoted one (label_column=\"Label\"), of 1 to %d bytes.",
						 NAMEDATALEN - 1)));
	return buf.data;
}

/* Run one statement of the extension's API with parameters; no result kept. */
static void
run_api_nulls(const char *sql, int nargs, Oid *types, Datum *values, const char *nulls)
{
	int			rc = ax_spi_execute(sql, nargs, types, values, nulls, false, 0);

	if (rc != SPI_OK_SELECT)
		elog(ERROR, "running \"%s\" failed: %s", sql, SPI_result_code_string(rc));
}

/* Run one statement of the extension's API, no argument NULL. */
static void
run_api(const char *sql, int nargs, Oid *types, Datum *values)
{
	run_api_nulls(sql, nargs, types, values, NULL);
}

/* Validate a table label (NULL: unprotect) into *action. */
static void
table_label(LabelAction *action, const char *what, const char *label)
{
	AxSeclabelPair pairs[AX_SECLABEL_MAX_ITEMS];
	AxSeclabelError err;
	int			npairs;

	if (label == NULL)
	{
		action->is_null = true;
		return;
	}
	if (ax_seclabel_pairs(label, strlen(label), pairs, &npairs, &err) != AX_SL_OK)
		report_lex_error(what, label, &err, TABLE_HINT);

	for (int i = 0; i < npairs; i++)
	{
		char	   *key = pnstrdup(label + pairs[i].key.off, pairs[i].key.len);
		const char *v = label + pairs[i].value.off;
		size_t		vlen = pairs[i].value.len;
		char	  **slot;

		if (strcmp(key, "scenario") == 0)
			slot = &action->scenario;
		else if (strcmp(key, "subject") == 0)
			slot = &action->subject;
		else if (strcmp(key, "label_column") == 0)
			slot = &action->label_column;
		else
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("invalid autoxfer security label for %s: unknown key \"%s\"", what, key),
					 errhint("The keys are scenario, subject and label_column. %s", TABLE_HINT)));
		if (*slot != NULL)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("invalid autoxfer security label for %s: key \"%s\" appears twice", what, key),
					 errhint("%s", TABLE_HINT)));

		if (slot == &action->scenario)
		{
			int			sc;

			for (sc = 0; sc < AX_N_SCENARIOS; sc++)
				if (strlen(ax_scenario_names[sc]) == vlen &&
					memcmp(ax_scenario_names[sc], v, vlen) == 0)
					break;
			if (sc == AX_N_SCENARIOS)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("invalid autoxfer security label for %s: unknown scenario \"%s\"",
								what, quote_span(v, 0, vlen)),
						 errhint("The scenarios are: %s.", scenario_list())));
			*slot = pnstrdup(v, vlen);
		}
		else if (slot == &action->subject)
			*slot = pnstrdup(v, vlen);
		else
			*slot = label_column_name(what, v, vlen);
	}
	/* subject= may be left out: a table about no individual */
	if (action->scenario == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid autoxfer security label for %s: scenario= is missing", what),
				 errhint("%s", TABLE_HINT)));
}

/*
 * Validate a column label (NULL: undeclare) into *action: every kind a row
 * of autoxfer.attribute_kind, none twice.
 */
static void
column_label(LabelAction *action, const char *what, const char *label)
{
	AxSpan		words[AX_SECLABEL_MAX_ITEMS];
	AxSeclabelError err;
	Oid			texttype = TEXTOID;
	MemoryContext outer = CurrentMemoryContext;

	if (label == NULL)
	{
		action->is_null = true;
		return;
	}
	if (ax_seclabel_words(label, strlen(label), words, &action->nkinds, &err) != AX_SL_OK)
		report_lex_error(what, label, &err, COLUMN_HINT);

	SPI_connect();
	for (int i = 0; i < action->nkinds; i++)
	{
		char	   *kind = pnstrdup(label + words[i].off, words[i].len);
		Datum		value = CStringGetTextDatum(kind);

		for (int j = 0; j < i; j++)
			if (strcmp(kind, action->kinds[j]) == 0)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("invalid autoxfer security label for %s: kind \"%s\" appears twice",
								what, kind),
						 errhint("%s", COLUMN_HINT)));
		if (ax_spi_execute("SELECT 1 FROM autoxfer.attribute_kind AS k WHERE k.name OPERATOR(pg_catalog.=) $1",
						   1, &texttype, &value, NULL, true, 1) != SPI_OK_SELECT)
			elog(ERROR, "could not read autoxfer.attribute_kind");
		if (SPI_processed == 0)
		{
			char	   *list = NULL;

			if (ax_spi_execute("SELECT pg_catalog.string_agg(k.name, ', '::pg_catalog.text ORDER BY k.kind_class DESC, k.name)"
							   " FROM autoxfer.attribute_kind AS k",
							   0, NULL, NULL, NULL, true, 1) == SPI_OK_SELECT && SPI_processed == 1)
				list = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("invalid autoxfer security label for %s: unknown kind \"%s\"",
							what, kind),
					 errhint("The kinds are: %s.", list ? list : "(none)")));
		}
		/* in the statement's context, which outlives SPI's */
		action->kinds[i] = MemoryContextStrdup(outer, kind);
	}
	SPI_finish();
}

/*
 * Apply a validated label through the extension's SQL API, as the current
 * user.  A column's declarations become exactly the label's kinds: kinds
 * already declared stay untouched, so replaying a label (a restore) changes
 * nothing.
 */
static void
apply_action(const LabelAction *action)
{
	Oid			types[4] = {REGCLASSOID, TEXTOID, TEXTOID, NAMEOID};
	Datum		values[4];

	SPI_connect();
	values[0] = ObjectIdGetDatum(action->relid);
	if (action->attnum == 0 && action->is_null)
		run_api("SELECT autoxfer.unprotect(p.rel) FROM autoxfer.protected_table AS p"
				" WHERE p.rel::pg_catalog.oid OPERATOR(pg_catalog.=) $1::pg_catalog.oid",
				1, types, values);
	else if (action->attnum == 0)
	{
		const char *nulls = action->subject ? NULL : "  n ";

		values[1] = CStringGetTextDatum(action->scenario);
		values[2] = action->subject ? CStringGetTextDatum(action->subject) : (Datum) 0;
		if (action->label_column == NULL)
			run_api_nulls("SELECT autoxfer.protect($1, $2::autoxfer.scenario, $3)", 3, types, values, nulls);
		else
		{
			values[3] = DirectFunctionCall1(namein, CStringGetDatum(action->label_column));
			run_api_nulls("SELECT autoxfer.protect($1, $2::autoxfer.scenario, $3, $4)", 4, types, values, nulls);
		}
	}
	else
	{
		Oid			ctypes[3] = {REGCLASSOID, NAMEOID, TEXTOID};
		bool		drop_others = false;

		values[1] = DirectFunctionCall1(namein,
										CStringGetDatum(get_attname(action->relid, action->attnum, false)));
		if (ax_spi_execute("SELECT d.kind FROM autoxfer.declaration AS d"
						   " WHERE d.rel::pg_catalog.oid OPERATOR(pg_catalog.=) $1::pg_catalog.oid"
						   " AND d.attname OPERATOR(pg_catalog.=) $2",
						   2, ctypes, values, NULL, true, 0) != SPI_OK_SELECT)
			elog(ERROR, "could not read autoxfer.declaration");
		for (uint64 r = 0; r < SPI_processed && !drop_others; r++)
		{
			char	   *have = SPI_getvalue(SPI_tuptable->vals[r], SPI_tuptable->tupdesc, 1);
			bool		listed = false;

			for (int i = 0; i < action->nkinds && !listed; i++)
				listed = have != NULL && strcmp(have, action->kinds[i]) == 0;
			drop_others = !listed;
		}
		if (drop_others || action->is_null)
			run_api("SELECT autoxfer.undeclare_column($1, $2)", 2, ctypes, values);
		for (int i = 0; i < action->nkinds; i++)
		{
			values[2] = CStringGetTextDatum(action->kinds[i]);
			run_api("SELECT autoxfer.declare_column($1, $2, $3)", 3, ctypes, values);
		}
	}
	SPI_finish();
}

/*
 * The provider's hook: called by SECURITY LABEL FOR autoxfer, before the
 * label is stored, with the label's text or NULL.  Only ordinary and
 * partitioned tables and their user columns take autoxfer labels.  The
 * validated action is applied after the statement (ax_seclabel_utility), or
 * here if the statement did not come through that hook.
 */
static void
seclabel_check(const ObjectAddress *object, const char *seclabel)
{
	LabelAction local;
	LabelAction *action = current_action ? current_action : &local;
	char		relkind;
	char	   *what;

	if (object->classId != RelationRelationId)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("autoxfer security labels apply to tables and their columns, not to %s",
						getObjectDescription(object, false)),
				 errhint("%s", TABLE_HINT)));
	relkind = get_rel_relkind(object->objectId);
	what = getObjectDescription(object, false);
	if (relkind != RELKIND_RELATION && relkind != RELKIND_PARTITIONED_TABLE)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("autoxfer security labels apply to tables and their columns, not to %s", what),
				 (relkind == RELKIND_VIEW || relkind == RELKIND_MATVIEW) ?
				 errhint("Label the tables the view reads.") :
				 errhint("%s", TABLE_HINT)));
	if (object->objectSubId < 0)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("autoxfer security labels apply to user columns, not to the system %s", what)));

	/* the extension must be installed in this database */
	(void) ax_schema_oid();

	memset(action, 0, sizeof(LabelAction));
	action->relid = object->objectId;
	action->attnum = (AttrNumber) object->objectSubId;
	if (action->attnum == 0)
		table_label(action, what, seclabel);
	else
		column_label(action, what, seclabel);
	action->set = true;

	if (action == &local)
		apply_action(action);
}
