/*
 * vocab.h
 *		Mapping between the SQL vocabulary enums of schema autoxfer and the
 *		ordinals the C code works with.
 */
#ifndef AUTOXFER_VOCAB_H
#define AUTOXFER_VOCAB_H

#include "postgres.h"

typedef enum AxVocab
{
	AX_VOCAB_CATEGORY = 0,
	AX_VOCAB_MARK,
	AX_VOCAB_SCENARIO,
	AX_VOCAB_ELEMENT,
	AX_VOCAB_EXEMPTION,
	AX_VOCAB_MEASURE,
	AX_VOCAB_COUNT
} AxVocab;

#define AX_VOCAB_MAX_VALUES 16

/* The enum type of one vocabulary and its value OIDs, by ordinal. */
typedef struct AxEnumMap
{
	Oid			typid;
	Oid			arraytypid;
	int			nvalues;
	Oid			values[AX_VOCAB_MAX_VALUES];
} AxEnumMap;

extern const char *const ax_measure_names[];

extern Oid	ax_schema_oid(void);
extern const AxEnumMap *ax_vocab(AxVocab which);
extern int	ax_vocab_ordinal(AxVocab which, Oid value);
extern Oid	ax_vocab_value(AxVocab which, int ordinal);
extern void ax_vocab_register_callbacks(void);

#endif							/* AUTOXFER_VOCAB_H */
