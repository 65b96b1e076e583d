/*
 * seclabel_parse.h
 *		Lexing of the text of autoxfer security labels (SECURITY LABEL FOR
 *		autoxfer ... IS '...'), without PostgreSQL headers so that it is
 *		fuzzed without a server.
 *
 * A table label is a list of key=value pairs separated by white space:
 *
 *		scenario=connected_operation subject=owner_id label_column=xfer_label
 *
 * A key is [a-z_]+.  A value runs to the next white space outside quotes
 * and brackets, so an expression such as coalesce(owner_id, vin) or
 * "Owner Id" or lower(vin) || 'x' is one value.  Quotes ('...' and "...")
 * double themselves inside; ( ) and [ ] must balance.
 *
 * A column label is a list of kind words separated by commas:
 *
 *		subject		latitude		personal, sensitive_personal
 */
#ifndef AUTOXFER_SECLABEL_PARSE_H
#define AUTOXFER_SECLABEL_PARSE_H

#include <stdbool.h>
#include <stddef.h>

/* Most pairs in a table label and kinds in a column label. */
#define AX_SECLABEL_MAX_ITEMS 16

/* Longest key or kind word. */
#define AX_SECLABEL_MAX_WORD 63

typedef enum AxSeclabelStatus
{
	AX_SL_OK = 0,
	AX_SL_EMPTY,				/* nothing but white space */
	AX_SL_BAD_KEY,				/* a key or kind is not [a-z_][a-z0-9_]* */
	AX_SL_NO_EQUALS,			/* a key without '=' */
	AX_SL_NO_VALUE,				/* '=' without a value */
	AX_SL_UNTERMINATED,			/* a quote is not closed */
	AX_SL_UNBALANCED,			/* a bracket is not closed, or closed twice */
	AX_SL_TOO_MANY,				/* more than AX_SECLABEL_MAX_ITEMS items */
	AX_SL_NUL,					/* a NUL byte inside the text */
	AX_SL_BAD_SEPARATOR			/* kinds not separated by one comma */
} AxSeclabelStatus;

/* A piece of the input: offset and length. */
typedef struct AxSpan
{
	size_t		off;
	size_t		len;
} AxSpan;

typedef struct AxSeclabelPair
{
	AxSpan		key;
	AxSpan		value;
} AxSeclabelPair;

/* Where lexing stopped and why. */
typedef struct AxSeclabelError
{
	AxSeclabelStatus status;
	size_t		offset;			/* of the offending piece */
	size_t		length;
} AxSeclabelError;

extern AxSeclabelStatus ax_seclabel_pairs(const char *s, size_t len,
										  AxSeclabelPair *pairs, int *npairs,
										  AxSeclabelError *err);
extern AxSeclabelStatus ax_seclabel_words(const char *s, size_t len,
										  AxSpan *words, int *nwords,
										  AxSeclabelError *err);
extern const char *ax_seclabel_status_text(AxSeclabelStatus status);

#endif							/* AUTOXFER_SECLABEL_PARSE_H */
