/*
 * label.c
 *		SQL interface of the autoxfer.label type: text and binary I/O,
 *		comparison and hashing for the btree and hash operator classes,
 *		accessors and the constructor.
 *
 * The label is a pass-by-value 64-bit word (see label_core.h); ordering is
 * unsigned comparison of the word, which orders by severity.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "fmgr.h"
#include "libpq/pqformat.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"

#include "label.h"
#include "vocab.h"

#define LABEL_HINT "A label reads category/mark [scenario=WORD] [elements={WORD,...}] [exemptions={WORD,...}] [rule=N] [gen=N] [tallies={personal,sensitive_personal}], for example \"personal/conditional scenario=connected_operation\"."

/* Largest piece of the bad input quoted back in an error message. */
#define QUOTE_MAX 64
/* Largest prefix of the whole input shown in an error message. */
#define INPUT_SHOWN 200

PG_FUNCTION_INFO_V1(label_in);
PG_FUNCTION_INFO_V1(label_out);
PG_FUNCTION_INFO_V1(label_recv);
PG_FUNCTION_INFO_V1(label_send);
PG_FUNCTION_INFO_V1(label_eq);
PG_FUNCTION_INFO_V1(label_ne);
PG_FUNCTION_INFO_V1(label_lt);
PG_FUNCTION_INFO_V1(label_le);
PG_FUNCTION_INFO_V1(label_gt);
PG_FUNCTION_INFO_V1(label_ge);
PG_FUNCTION_INFO_V1(label_cmp);
PG_FUNCTION_INFO_V1(label_larger);
PG_FUNCTION_INFO_V1(label_smaller);
PG_FUNCTION_INFO_V1(label_hash);
PG_FUNCTION_INFO_V1(label_hash_extended);
PG_FUNCTION_INFO_V1(label_category);
PG_FUNCTION_INFO_V1(label_mark);
PG_FUNCTION_INFO_V1(label_scenario);
PG_FUNCTION_INFO_V1(label_elements);
PG_FUNCTION_INFO_V1(label_exemptions);
PG_FUNCTION_INFO_V1(label_rule);
PG_FUNCTION_INFO_V1(label_generation);
PG_FUNCTION_INFO_V1(label_has_element);
PG_FUNCTION_INFO_V1(label_eligible);
PG_FUNCTION_INFO_V1(label_make);
PG_FUNCTION_INFO_V1(label_tallies);

/*
 * Parse the text form.  Errors name the offending token and its position;
 * an out-of-range number is 22003, every other defect 22P02.
 */
Datum
label_in(PG_FUNCTION_ARGS)
{
	char	   *str = PG_GETARG_CSTRING(0);
	size_t		len = strlen(str);
	ax_label	w;
	AxLabelError err;
	size_t		offset;
	size_t		qlen;
	int			shown;

	if (ax_label_parse(str, len, &w, &err) == AX_LABEL_OK)
		PG_RETURN_AXLABEL(w);

	/* quote at most INPUT_SHOWN bytes of a huge input, and the bad token */
	shown = (int) Min(len, INPUT_SHOWN);
	offset = Min(err.offset, len);
	qlen = Min(Min(err.length, QUOTE_MAX), len - offset);
	ereport(ERROR,
			(errcode(err.status == AX_LABEL_OUT_OF_RANGE ?
					 ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE :
					 ERRCODE_INVALID_TEXT_REPRESENTATION),
			 errmsg("invalid input syntax for type autoxfer.label: \"%.*s%s\"",
					shown, str, len > INPUT_SHOWN ? "..." : ""),
			 (err.status == AX_LABEL_EMPTY || err.status == AX_LABEL_CORE_NOT_BLOCKED ||
			  err.status == AX_LABEL_TALLIES_MISMATCH) ?
			 errdetail("%s.", ax_label_status_message(err.status)) :
			 qlen == 0 ?
			 errdetail("%s at end of input.", ax_label_status_message(err.status)) :
			 ((unsigned char) str[offset] < 0x20 || (unsigned char) str[offset] >= 0x7f) ?
			 errdetail("%s: byte 0x%02x at position %zu.",
					   ax_label_status_message(err.status),
					   (unsigned char) str[offset], offset + 1) :
			 errdetail("%s: \"%.*s\" at position %zu.",
					   ax_label_status_message(err.status),
					   (int) qlen, str + offset, offset + 1),
			 errhint(LABEL_HINT)));
	PG_RETURN_NULL();			/* not reached */
}

/* Canonical text form. */
Datum
label_out(PG_FUNCTION_ARGS)
{
	ax_label	w = PG_GETARG_AXLABEL(0);
	char		buf[AX_LABEL_TEXT_MAX];

	ax_label_format(w, buf, sizeof(buf));
	PG_RETURN_CSTRING(pstrdup(buf));
}

/*
 * Binary input: exactly one big-endian 64-bit word, validated as if an
 * attacker wrote it (reserved bits, ordinal ranges, the core invariant).
 */
Datum
label_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	ax_label	w;
	AxLabelStatus st;

	if (buf->len - buf->cursor != (int) sizeof(uint64))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid binary autoxfer.label: %d bytes, expected 8",
						buf->len - buf->cursor)));
	w = (ax_label) pq_getmsgint64(buf);
	st = ax_label_check_word(w);
	if (st != AX_LABEL_OK)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid binary autoxfer.label: %s",
						ax_label_status_message(st)),
				 errdetail("Word 0x%016llx.", (unsigned long long) w)));
	PG_RETURN_AXLABEL(w);
}

/* Binary output: the 64-bit word, big-endian. */
Datum
label_send(PG_FUNCTION_ARGS)
{
	ax_label	w = PG_GETARG_AXLABEL(0);
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendint64(&buf, (int64) w);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

#define LABEL_CMP_FUNC(name, op) \
Datum \
name(PG_FUNCTION_ARGS) \
{ \
	PG_RETURN_BOOL(PG_GETARG_AXLABEL(0) op PG_GETARG_AXLABEL(1)); \
}

/* Comparison operators: unsigned order of the word is severity order. */
LABEL_CMP_FUNC(label_eq, ==)
LABEL_CMP_FUNC(label_ne, !=)
LABEL_CMP_FUNC(label_lt, <)
LABEL_CMP_FUNC(label_le, <=)
LABEL_CMP_FUNC(label_gt, >)
LABEL_CMP_FUNC(label_ge, >=)

/* btree support: three-way comparison. */
Datum
label_cmp(PG_FUNCTION_ARGS)
{
	ax_label	a = PG_GETARG_AXLABEL(0);
	ax_label	b = PG_GETARG_AXLABEL(1);

	PG_RETURN_INT32(a < b ? -1 : (a > b ? 1 : 0));
}

/* The more severe of two labels: transition function of max(label). */
Datum
label_larger(PG_FUNCTION_ARGS)
{
	ax_label	a = PG_GETARG_AXLABEL(0);
	ax_label	b = PG_GETARG_AXLABEL(1);

	PG_RETURN_AXLABEL(a > b ? a : b);
}

/* The less severe of two labels: transition function of min(label). */
Datum
label_smaller(PG_FUNCTION_ARGS)
{
	ax_label	a = PG_GETARG_AXLABEL(0);
	ax_label	b = PG_GETARG_AXLABEL(1);

	PG_RETURN_AXLABEL(a < b ? a : b);
}

/* hash support: the same hash as int8 of the word. */
Datum
label_hash(PG_FUNCTION_ARGS)
{
	uint64		w = PG_GETARG_AXLABEL(0);

	PG_RETURN_DATUM(hash_uint32((uint32) (w ^ (w >> 32))));
}

/* hash support, 64-bit seeded variant. */
Datum
label_hash_extended(PG_FUNCTION_ARGS)
{
	uint64		w = PG_GETARG_AXLABEL(0);

	PG_RETURN_DATUM(hash_uint32_extended((uint32) (w ^ (w >> 32)),
										 PG_GETARG_INT64(1)));
}

/* autoxfer.category(label) */
Datum
label_category(PG_FUNCTION_ARGS)
{
	AxLabelFields f;

	ax_label_unpack(PG_GETARG_AXLABEL(0), &f);
	PG_RETURN_OID(ax_vocab_value(AX_VOCAB_CATEGORY, f.category));
}

/* autoxfer.mark(label) */
Datum
label_mark(PG_FUNCTION_ARGS)
{
	AxLabelFields f;

	ax_label_unpack(PG_GETARG_AXLABEL(0), &f);
	PG_RETURN_OID(ax_vocab_value(AX_VOCAB_MARK, f.mark));
}

/* autoxfer.scenario(label) */
Datum
label_scenario(PG_FUNCTION_ARGS)
{
	AxLabelFields f;

	ax_label_unpack(PG_GETARG_AXLABEL(0), &f);
	PG_RETURN_OID(ax_vocab_value(AX_VOCAB_SCENARIO, f.scenario));
}

/* Build an enum array of the members of a bit set, in ordinal order. */
static ArrayType *
bits_to_enum_array(AxVocab which, uint32 bits)
{
	const AxEnumMap *map = ax_vocab(which);
	Datum		elems[AX_VOCAB_MAX_VALUES];
	int			n = 0;

	for (int i = 0; i < map->nvalues; i++)
	{
		if (bits & (1u << i))
			elems[n++] = ObjectIdGetDatum(map->values[i]);
	}
	return construct_array(elems, n, map->typid, sizeof(Oid), true,
						   TYPALIGN_INT);
}

/*
 * Turn an enum array into a bit set; NULL members are refused (a set of
 * elements has no unknown member).
 */
static uint32
enum_array_to_bits(AxVocab which, ArrayType *arr, const char *what)
{
	const AxEnumMap *map = ax_vocab(which);
	Datum	   *elems;
	bool	   *nulls;
	int			n;
	uint32		bits = 0;

	if (ARR_NDIM(arr) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("%s must be a one-dimensional array", what)));
	if (ARR_ELEMTYPE(arr) != map->typid)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("%s must be an array of %s", what,
						format_type_be(map->typid))));
	deconstruct_array(arr, map->typid, sizeof(Oid), true, TYPALIGN_INT,
					  &elems, &nulls, &n);
	for (int i = 0; i < n; i++)
	{
		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("%s must not contain NULL", what)));
		bits |= 1u << ax_vocab_ordinal(which, DatumGetObjectId(elems[i]));
	}
	return bits;
}

/* autoxfer.elements(label): the matched determining elements. */
Datum
label_elements(PG_FUNCTION_ARGS)
{
	AxLabelFields f;

	ax_label_unpack(PG_GETARG_AXLABEL(0), &f);
	PG_RETURN_ARRAYTYPE_P(bits_to_enum_array(AX_VOCAB_ELEMENT, f.elements));
}

/* autoxfer.exemptions(label): the exemptions the row is eligible for. */
Datum
label_exemptions(PG_FUNCTION_ARGS)
{
	AxLabelFields f;

	ax_label_unpack(PG_GETARG_AXLABEL(0), &f);
	PG_RETURN_ARRAYTYPE_P(bits_to_enum_array(AX_VOCAB_EXEMPTION, f.exemptions));
}

/* autoxfer.rule_id(label): id of the deciding rule, 0 for none. */
Datum
label_rule(PG_FUNCTION_ARGS)
{
	AxLabelFields f;

	ax_label_unpack(PG_GETARG_AXLABEL(0), &f);
	PG_RETURN_INT32((int32) f.rule);
}

/* autoxfer.generation(label): rule-set generation the label was written under. */
Datum
label_generation(PG_FUNCTION_ARGS)
{
	AxLabelFields f;

	ax_label_unpack(PG_GETARG_AXLABEL(0), &f);
	PG_RETURN_INT32((int32) f.generation);
}

/*
 * autoxfer.tallies(label): the yearly tallies of individuals the row
 * counts on, as categories (personal, sensitive_personal).
 */
Datum
label_tallies(PG_FUNCTION_ARGS)
{
	AxLabelFields f;
	uint32		bits = 0;

	ax_label_unpack(PG_GETARG_AXLABEL(0), &f);
	if (f.tallies & AX_TALLY_PERSONAL)
		bits |= 1u << AX_CAT_PERSONAL;
	if (f.tallies & AX_TALLY_SENSITIVE)
		bits |= 1u << AX_CAT_SENSITIVE_PERSONAL;
	PG_RETURN_ARRAYTYPE_P(bits_to_enum_array(AX_VOCAB_CATEGORY, bits));
}

/* autoxfer.has_element(label, element) */
Datum
label_has_element(PG_FUNCTION_ARGS)
{
	AxLabelFields f;
	int			ord = ax_vocab_ordinal(AX_VOCAB_ELEMENT, PG_GETARG_OID(1));

	ax_label_unpack(PG_GETARG_AXLABEL(0), &f);
	PG_RETURN_BOOL((f.elements & (1u << ord)) != 0);
}

/* autoxfer.eligible(label, exemption) */
Datum
label_eligible(PG_FUNCTION_ARGS)
{
	AxLabelFields f;
	int			ord = ax_vocab_ordinal(AX_VOCAB_EXEMPTION, PG_GETARG_OID(1));

	ax_label_unpack(PG_GETARG_AXLABEL(0), &f);
	PG_RETURN_BOOL((f.exemptions & (1u << ord)) != 0);
}

/*
 * autoxfer.make_label(category, mark, scenario, elements, exemptions,
 * rule, gen, tallies): build a label from its parts, with the same checks
 * as the text input.  The tallies given are added to those the category
 * implies (a sensitive_personal tally brings the personal one).
 */
Datum
label_make(PG_FUNCTION_ARGS)
{
	AxLabelFields f;
	int32		rule = PG_GETARG_INT32(5);
	int32		gen = PG_GETARG_INT32(6);
	AxLabelStatus st;

	f.category = ax_vocab_ordinal(AX_VOCAB_CATEGORY, PG_GETARG_OID(0));
	f.mark = ax_vocab_ordinal(AX_VOCAB_MARK, PG_GETARG_OID(1));
	f.scenario = ax_vocab_ordinal(AX_VOCAB_SCENARIO, PG_GETARG_OID(2));
	f.elements = enum_array_to_bits(AX_VOCAB_ELEMENT, PG_GETARG_ARRAYTYPE_P(3),
									"elements");
	f.exemptions = enum_array_to_bits(AX_VOCAB_EXEMPTION, PG_GETARG_ARRAYTYPE_P(4),
									  "exemptions");
	if (rule < 0 || rule > AX_MAX_RULE)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("rule id %d is out of range", rule),
				 errhint("A rule id is between 0 and %d.", AX_MAX_RULE)));
	if (gen < 0 || gen > AX_MAX_GENERATION)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("generation %d is out of range", gen),
				 errhint("A generation is between 0 and %d.", AX_MAX_GENERATION)));
	f.rule = (uint32) rule;
	f.generation = (uint32) gen;
	f.tallies = ax_label_implied_tallies(f.category);
	{
		uint32		cats = enum_array_to_bits(AX_VOCAB_CATEGORY, PG_GETARG_ARRAYTYPE_P(7),
											  "tallies");

		if (cats & ~((1u << AX_CAT_PERSONAL) | (1u << AX_CAT_SENSITIVE_PERSONAL)))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("tallies must be personal or sensitive_personal"),
					 errhint("The yearly tallies count individuals whose personal information goes abroad.")));
		if (cats & (1u << AX_CAT_PERSONAL))
			f.tallies |= AX_TALLY_PERSONAL;
		if (cats & (1u << AX_CAT_SENSITIVE_PERSONAL))
			f.tallies |= AX_TALLY_ALL;
	}
	st = ax_label_check_fields(&f);
	if (st != AX_LABEL_OK)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid autoxfer.label: %s", ax_label_status_message(st)),
				 st == AX_LABEL_TALLIES_MISMATCH ?
				 errhint("General data counts on no tally, personal data on the personal tally and sensitive personal data on both; only important and core labels choose their tallies.") :
				 errhint("Core data has no export path: its mark is always blocked.")));
	PG_RETURN_AXLABEL(ax_label_pack(&f));
}
