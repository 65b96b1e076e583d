/*
 * rules.h
 *		Per-table compiled classification state: the declarations and rule
 *		predicates of one protected table (or partition of one), compiled
 *		into executor expressions and cached across statements.
 */
#ifndef AUTOXFER_RULES_H
#define AUTOXFER_RULES_H

#include "postgres.h"

#include "datatype/timestamp.h"
#include "executor/executor.h"
#include "nodes/execnodes.h"
#include "utils/rel.h"

#include "label_core.h"

/* What a rule of the catalogue is, as read by cache.c. */
typedef struct AxRuleDef
{
	int			id;
	char	   *code;
	char	   *predicate;		/* NULL for a declaration rule */
	char	   *data_kind;		/* declaration rules: the data kind */
	bool		bound;			/* bound to one table (rule.rel) */
	Oid			rel;			/* that table, or InvalidOid */
	int			category;		/* ordinal, -1 for none */
	int			exemption;		/* ordinal, -1 for none */
	uint32		elements;		/* element bit set */
	char	   *clause;
	bool		enabled;
	bool		prohibits;		/* a match is never exported (rule P3) */
	bool		scenario_applies;	/* NULL scenarios, or the table's */
} AxRuleDef;

/* One declared column, resolved on the relation being compiled. */
typedef struct AxDeclDef
{
	char	   *attname;
	char	   *kind;
	bool		is_data;		/* data kind rather than attribute */
	AttrNumber	attnum;			/* on the compiled relation */
} AxDeclDef;

/* An attribute kind of the vocabulary, with its type class. */
typedef struct AxKindDef
{
	char	   *name;
	bool		is_data;
	char		type_class;		/* 'a'ny, 'b'oolean, 'n'umeric */
} AxKindDef;

/* A parameter, for param.NAME in predicates. */
typedef struct AxParamDef
{
	char	   *name;
	Datum		value;			/* numeric */
} AxParamDef;

/* Everything the catalogue says about one protected table. */
typedef struct AxCatalog
{
	Oid			root;			/* the protected (root) table */
	int			scenario;		/* ordinal */
	char	   *subject;
	char	   *label_column;
	uint32		generation;
	TimestampTz valid_since;	/* generation describes rows classified */
	TimestampTz stale_after;	/* at instants in [valid_since, stale_after):
								 * DT_NOBEGIN, DT_NOEND when unbounded */
	int			nrules;
	AxRuleDef  *rules;			/* ordered by id */
	int			ndecls;
	AxDeclDef  *decls;
	int			nkinds;
	AxKindDef  *kinds;
	int			nparams;
	AxParamDef *params;
} AxCatalog;

/* How a compiled rule contributes. */
typedef enum AxRuleKind
{
	AX_RULE_PREDICATE,			/* an ExprState over the row */
	AX_RULE_DATA				/* non-NULL declared data columns */
} AxRuleKind;

/* One rule, compiled for one relation. */
typedef struct AxCompiledRule
{
	const AxRuleDef *def;
	AxRuleKind	kind;
	ExprState  *state;			/* AX_RULE_PREDICATE */
	bool		use_subject;	/* AX_RULE_DATA: the subject counts */
	int			ncols;			/* AX_RULE_DATA: declared columns */
	AttrNumber *cols;
	char	  **colnames;
	ExprState **colexprs;		/* AX_RULE_DATA: for a stored generated
								 * column, its generation expression (the
								 * column is not computed yet when the row
								 * is classified); NULL: read the column */
} AxCompiledRule;

/* Why a rule is not active on a table. */
typedef struct AxRuleStatus
{
	const AxRuleDef *def;
	bool		active;
	char	   *reason;			/* why inactive, or what is read as NULL */
} AxRuleStatus;

/* The compiled state of one relation, cached in CacheMemoryContext. */
typedef struct AxTableState
{
	Oid			relid;			/* hash key: the relation the trigger fires
								 * on */
	bool		valid;
	MemoryContext cxt;			/* owns everything below */
	AxCatalog	cat;
	AttrNumber	label_attno;
	int			natts;
	ExprState  *subject;
	char	   *subject_text;
	Oid			subject_type;	/* result type of the subject expression */
	Oid			subject_out;	/* its output function */
	int			nactive;
	AxCompiledRule *active;		/* ordered by rule id */
	int			nstatus;
	AxRuleStatus *status;		/* every rule of the catalogue */
	ExprContext *econtext;
	TupleTableSlot *slot;		/* for classify(record) */
	Datum	   *values;			/* scratch for forming the new tuple */
	bool	   *nulls;
} AxTableState;

/* A contribution, as reported to explain(). */
typedef struct AxContribution
{
	const AxRuleDef *def;
	const char *column;			/* declaration rules: the column, or NULL */
	bool		via_subject;
} AxContribution;

typedef void (*AxContributionFn) (void *arg, const AxContribution *c);

/* cache.c */
extern AxTableState *ax_table_state(Oid relid);
extern AxTableState *ax_table_state_for(Relation rel);
extern void ax_catalog_load(Oid relid, Oid *root_out, AxCatalog *cat, bool missing_ok);
extern void ax_cache_register_callbacks(void);

/* rules.c */
extern void ax_compile_table(AxTableState *ts, Relation rel);
extern void ax_compile_standalone(const AxCatalog *cat, const AxRuleDef *def,
								  Relation bound_rel);

/* classify.c */
extern Datum ax_subject_of_slot(AxTableState *ts, TupleTableSlot *slot, bool *isnull);
extern ax_label ax_classify_slot(AxTableState *ts, TupleTableSlot *slot,
								 AxContributionFn fn, void *arg);

#endif							/* AUTOXFER_RULES_H */
