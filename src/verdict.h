/*
 * verdict.h
 *		The query-time verdict: what a row of a label may do for a recipient
 *		and a purpose today (see verdict.c).
 */
#ifndef AUTOXFER_VERDICT_H
#define AUTOXFER_VERDICT_H

#include "postgres.h"

#include "utils/date.h"

#include "label_core.h"

/* "standard_contract" as a requirement means: a contract or a certification */
#define AX_MEASURE_NONE			0
#define AX_MEASURE_EXEMPT		1
#define AX_MEASURE_CONTRACT		2
#define AX_MEASURE_CERTIFICATION 3
#define AX_MEASURE_ASSESSMENT	4
#define AX_MEASURE_PROHIBITED	5

/* A filing in force or not, as loaded for one recipient. */
typedef struct AxFiling
{
	int64		id;
	int			measure;
	bool		any_recipient;	/* a certification for every recipient */
	int			npurposes;		/* -1: every purpose */
	char	  **purposes;
	char	   *reference;
	DateADT		approved_on;
	DateADT		valid_until;	/* DATEVAL_NOEND: no end */
	DateADT		deadline;		/* contracts: last day to file */
	DateADT		filed_on;		/* contracts: DATEVAL_NOEND if not filed */
	uint32		categories;		/* bits of category ordinals; all bits: any */
	uint32		scenarios;		/* bits of scenario ordinals */
	int64		max_individuals;	/* -1: no limit */
} AxFiling;

/* Evidence of an exemption E2-E4 or E6 for the purpose. */
typedef struct AxEvidence
{
	int64		id;
	int			exemption;
	char	   *reference;
	DateADT		valid_from;
	DateADT		valid_until;	/* DATEVAL_NOEND: no end */
} AxEvidence;

/* A rule of the catalogue, as a verdict needs it. */
typedef struct AxVerdictRule
{
	int			id;
	char	   *code;
	bool		prohibits;
	bool		named;			/* M5: a data set the authorities named */
	bool		filed;			/* in the filed important-data catalogue */
} AxVerdictRule;

/* One decision, cached per label (generation bits cleared). */
typedef struct AxDecision
{
	bool		exportable;
	int			measure;
	int			exemption;		/* -1: none */
	int64		filing;			/* 0: none */
	int64		evidence;		/* 0: none */
	char	   *rule;
	char	   *reason;
} AxDecision;

/* What verdicts for one recipient and purpose decide from. */
typedef struct AxVerdictState
{
	MemoryContext cxt;
	struct AxVerdictState *next;
	LocalTransactionId lxid;
	uint64		epoch;
	bool		as_of;			/* counts and date given, not live */
	char	   *recipient;
	char	   *purpose;
	char	   *country;
	bool		foreign_authority;
	int			purpose_exemption;	/* -1: none */
	bool		org_set;
	char	   *org_name;
	bool		ciio;
	char	   *free_trade_zone;
	uint32		negative_list;	/* scenario bits */
	int64		m3;
	int64		m4;
	int64		m6;
	double		growth_pct;
	bool		candidates_important;
	bool		evidence_cover_important;
	DateADT		guidelines_effective;
	DateADT		today;
	int			year;
	int64		personal;		/* the year's tallies */
	int64		sensitive;
	int64		recipient_personal;
	int64		recipient_sensitive;
	int			nfilings;
	AxFiling   *filings;
	int			nevidence;
	AxEvidence *evidence;
	int			nrules;
	AxVerdictRule *rules;		/* by id */
	/* the decisions made, open addressing on the masked label */
	int			cap;
	int			used;
	ax_label   *keys;
	bool	   *full;
	AxDecision *decisions;
} AxVerdictState;

extern AxVerdictState *ax_verdict_state(const char *recipient, const char *purpose);
extern const AxDecision *ax_verdict_decide(AxVerdictState *st, ax_label label);
extern const AxVerdictRule *ax_verdict_rule(const AxVerdictState *st, int id);
extern void ax_verdict_register_callbacks(void);
extern uint64 ax_verdict_current_epoch(void);
extern AxVerdictState *ax_verdict_state_as_of(const char *recipient, const char *purpose, DateADT today,
											  int64 personal, int64 sensitive,
											  int64 recipient_personal, int64 recipient_sensitive);
extern void ax_verdict_set_counts(AxVerdictState *st, int64 personal, int64 sensitive,
								  int64 recipient_personal, int64 recipient_sensitive);
extern void ax_verdict_refresh(void);
extern char *ax_format_count(int64 n);

#endif							/* AUTOXFER_VERDICT_H */
