/*
 * label_core.h
 *		The autoxfer row label: a 64-bit word that says what a row is and
 *		whether it may leave the country before any filing or purpose is
 *		considered.
 *
 * This header and label_core.c are pure C (no PostgreSQL headers) so that
 * the parser and formatter build and are fuzzed without a server.
 *
 * Bit layout, most significant first.  The word is laid out so that plain
 * unsigned comparison of two labels orders them by severity: category first,
 * then mark, then the remaining fields as tie-breakers (so that ordering is
 * total and consistent with equality).
 *
 *	 63..61  category     (3 bits, 0..4: general .. core)
 *	 60..59  mark         (2 bits, 0..2: exportable, conditional, blocked)
 *	 58..56  scenario     (3 bits, 0..5)
 *	 55..47  elements     (9 bits, one per determining element)
 *	 46..38  exemptions   (9 bits, one per exemption E1..E9)
 *	 37..22  rule         (16 bits, id of the deciding rule, 0 = none)
 *	 21..2   generation   (20 bits, rule-set generation at write time)
 *	  1..0   tallies      (2 bits: bit 0 personal, bit 1 sensitive_personal:
 *	                       the yearly tallies of individuals the row counts on)
 *
 * The tallies follow from the category for general (none), personal
 * ({personal}) and sensitive_personal ({personal, sensitive_personal})
 * rows; an important or core row says in them whether it also holds
 * personal or sensitive personal information.  A row on the sensitive tally
 * is always on the personal tally too.
 */
#ifndef AUTOXFER_LABEL_CORE_H
#define AUTOXFER_LABEL_CORE_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#define AX_N_CATEGORIES		5
#define AX_N_MARKS			3
#define AX_N_SCENARIOS		6
#define AX_N_ELEMENTS		9
#define AX_N_EXEMPTIONS		9
#define AX_N_TALLIES		2
#define AX_MAX_RULE			0xFFFF
#define AX_MAX_GENERATION	0xFFFFF

/* category ordinals, in order of severity */
#define AX_CAT_GENERAL				0
#define AX_CAT_PERSONAL				1
#define AX_CAT_SENSITIVE_PERSONAL	2
#define AX_CAT_IMPORTANT			3
#define AX_CAT_CORE					4

/* mark ordinals */
#define AX_MARK_EXPORTABLE		0
#define AX_MARK_CONDITIONAL		1
#define AX_MARK_BLOCKED			2

/* tally bits */
#define AX_TALLY_PERSONAL		0x1
#define AX_TALLY_SENSITIVE		0x2
#define AX_TALLY_ALL			0x3

/* scenario ordinals */
#define AX_SCN_RD_DESIGN			0
#define AX_SCN_PRODUCTION			1
#define AX_SCN_DRIVING_AUTOMATION	2
#define AX_SCN_SOFTWARE_UPGRADE		3
#define AX_SCN_CONNECTED_OPERATION	4
#define AX_SCN_OTHER				5

/* exemption ordinals (E1 is 0) */
#define AX_EX_COLLECTED_ABROAD			0
#define AX_EX_CONTRACT_NECESSITY		1
#define AX_EX_HR_MANAGEMENT				2
#define AX_EX_EMERGENCY					3
#define AX_EX_SMALL_VOLUME				4
#define AX_EX_FREE_TRADE_ZONE			5
#define AX_EX_VULNERABILITY_REPORTED	6
#define AX_EX_INCIDENT_REPORTED			7
#define AX_EX_OTA_SOURCE_FILED			8

typedef uint64_t ax_label;

/* The unpacked form of a label. */
typedef struct AxLabelFields
{
	int			category;
	int			mark;
	int			scenario;
	uint32_t	elements;		/* bit i set: element ordinal i matched */
	uint32_t	exemptions;		/* bit i set: eligible for exemption E(i+1) */
	uint32_t	rule;
	uint32_t	generation;
	uint32_t	tallies;		/* AX_TALLY_* bits */
} AxLabelFields;

/* Vocabulary, in the order of the SQL enums (ordinal = index). */
extern const char *const ax_category_names[AX_N_CATEGORIES];
extern const char *const ax_mark_names[AX_N_MARKS];
extern const char *const ax_scenario_names[AX_N_SCENARIOS];
extern const char *const ax_element_names[AX_N_ELEMENTS];
extern const char *const ax_exemption_names[AX_N_EXEMPTIONS];
extern const char *const ax_tally_names[AX_N_TALLIES];

/* Result of a parse or validation; AX_LABEL_OK is success. */
typedef enum AxLabelStatus
{
	AX_LABEL_OK = 0,
	AX_LABEL_EMPTY,				/* nothing but white space */
	AX_LABEL_BAD_CATEGORY,		/* unknown or missing category word */
	AX_LABEL_BAD_MARK,			/* unknown or missing mark word */
	AX_LABEL_BAD_KEY,			/* unknown field name */
	AX_LABEL_DUPLICATE_KEY,		/* a field given twice */
	AX_LABEL_BAD_SCENARIO,		/* unknown scenario word */
	AX_LABEL_BAD_ELEMENT,		/* unknown element word in a set */
	AX_LABEL_BAD_EXEMPTION,		/* unknown exemption word in a set */
	AX_LABEL_DUPLICATE_MEMBER,	/* a set lists a member twice */
	AX_LABEL_BAD_SET,			/* a set is not {a,b,...} */
	AX_LABEL_BAD_NUMBER,		/* rule or gen not a decimal number */
	AX_LABEL_OUT_OF_RANGE,		/* rule or gen too large */
	AX_LABEL_SYNTAX,			/* anything else: missing '/', '=', junk */
	AX_LABEL_CORE_NOT_BLOCKED,	/* core data marked other than blocked */
	AX_LABEL_RESERVED_BITS,		/* binary word with an ordinal out of range */
	AX_LABEL_BAD_TALLY,			/* unknown tally word in a set */
	AX_LABEL_TALLIES_MISMATCH	/* tallies that contradict the category */
} AxLabelStatus;

/* Details of a parse failure, for the error message. */
typedef struct AxLabelError
{
	AxLabelStatus status;
	size_t		offset;			/* byte offset in the input where it went
								 * wrong */
	size_t		length;			/* length of the offending token */
} AxLabelError;

extern ax_label ax_label_pack(const AxLabelFields *f);
extern uint32_t ax_label_implied_tallies(int category);
extern void ax_label_unpack(ax_label w, AxLabelFields *f);
extern AxLabelStatus ax_label_check_fields(const AxLabelFields *f);
extern AxLabelStatus ax_label_check_word(ax_label w);
extern AxLabelStatus ax_label_parse(const char *s, size_t len, ax_label *out,
									AxLabelError *err);
extern size_t ax_label_format(ax_label w, char *buf, size_t buflen);
extern const char *ax_label_status_message(AxLabelStatus st);
extern int	ax_lookup_word(const char *const *names, int n, const char *s,
						   size_t len);

/* Upper bound on the length of a formatted label, including the NUL. */
#define AX_LABEL_TEXT_MAX	512

#endif							/* AUTOXFER_LABEL_CORE_H */
