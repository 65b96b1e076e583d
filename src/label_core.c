/*
 * label_core.c
 *		Pack, unpack, validate, parse and format autoxfer labels.
 *
 * Pure C: no PostgreSQL headers, no allocation.  The server glue in label.c
 * turns the status codes into ereport()s; the fuzz harness in test/fuzz
 * drives ax_label_parse() and ax_label_format() directly.
 *
 * Text grammar (documented in docs/reference.md):
 *
 *	 label    := category '/' mark { field }
 *	 field    := 'scenario' '=' word
 *			   | 'elements' '=' set
 *			   | 'exemptions' '=' set
 *			   | 'rule' '=' number
 *			   | 'gen' '=' number
 *			   | 'tallies' '=' set
 *	 set      := '{' [ word { ',' word } ] '}'
 *
 * White space (space, tab, newline) may stand between any two tokens and
 * must separate fields.  Each field at most once, in any order; an omitted
 * field takes its default (scenario=other, empty sets, 0; tallies: those
 * the category implies).  Words are the lower-case enum labels of the SQL
 * vocabulary types; the tallies are the category words personal and
 * sensitive_personal.  Tallies given for a general, personal or
 * sensitive_personal label must be those its category implies; a
 * sensitive_personal tally brings the personal one with it.
 */
#include "label_core.h"

#include <string.h>

const char *const ax_category_names[AX_N_CATEGORIES] = {
	"general", "personal", "sensitive_personal", "important", "core"
};

const char *const ax_mark_names[AX_N_MARKS] = {
	"exportable", "conditional", "blocked"
};

const char *const ax_scenario_names[AX_N_SCENARIOS] = {
	"rd_design", "production", "driving_automation", "software_upgrade",
	"connected_operation", "other"
};

const char *const ax_element_names[AX_N_ELEMENTS] = {
	"result", "geographic_information", "public_safety_law_enforcement",
	"export_control", "system_function", "cumulative_duration",
	"scale_accuracy", "vehicle_quantity", "personal_information"
};

const char *const ax_exemption_names[AX_N_EXEMPTIONS] = {
	"collected_abroad", "contract_necessity", "hr_management", "emergency",
	"small_volume", "free_trade_zone", "vulnerability_reported",
	"incident_reported", "ota_source_filed"
};

/* bit i of the tallies field is tally ax_tally_names[i] */
const char *const ax_tally_names[AX_N_TALLIES] = {
	"personal", "sensitive_personal"
};

#define SHIFT_CATEGORY		61
#define SHIFT_MARK			59
#define SHIFT_SCENARIO		56
#define SHIFT_ELEMENTS		47
#define SHIFT_EXEMPTIONS	38
#define SHIFT_RULE			22
#define SHIFT_GENERATION	2
#define SHIFT_TALLIES		0

#define MASK_SET			((uint64_t) ((1u << AX_N_ELEMENTS) - 1))

/*
 * The tallies a category implies on its own: none for general data (and
 * for important or core data, which may or may not hold personal
 * information), the personal tally for personal data, both for sensitive
 * personal data.
 */
uint32_t
ax_label_implied_tallies(int category)
{
	if (category == AX_CAT_PERSONAL)
		return AX_TALLY_PERSONAL;
	if (category == AX_CAT_SENSITIVE_PERSONAL)
		return AX_TALLY_ALL;
	return 0;
}

/*
 * Pack validated fields into a label word.  Callers validate with
 * ax_label_check_fields() first; out-of-range values are masked, never
 * allowed to spill into a neighbouring field.
 */
ax_label
ax_label_pack(const AxLabelFields *f)
{
	uint64_t	w = 0;

	w |= ((uint64_t) (f->category & 0x7)) << SHIFT_CATEGORY;
	w |= ((uint64_t) (f->mark & 0x3)) << SHIFT_MARK;
	w |= ((uint64_t) (f->scenario & 0x7)) << SHIFT_SCENARIO;
	w |= ((uint64_t) f->elements & MASK_SET) << SHIFT_ELEMENTS;
	w |= ((uint64_t) f->exemptions & MASK_SET) << SHIFT_EXEMPTIONS;
	w |= ((uint64_t) (f->rule & AX_MAX_RULE)) << SHIFT_RULE;
	w |= ((uint64_t) (f->generation & AX_MAX_GENERATION)) << SHIFT_GENERATION;
	w |= ((uint64_t) (f->tallies & AX_TALLY_ALL)) << SHIFT_TALLIES;
	return w;
}

/* Unpack a label word into its fields (no validation). */
void
ax_label_unpack(ax_label w, AxLabelFields *f)
{
	f->category = (int) ((w >> SHIFT_CATEGORY) & 0x7);
	f->mark = (int) ((w >> SHIFT_MARK) & 0x3);
	f->scenario = (int) ((w >> SHIFT_SCENARIO) & 0x7);
	f->elements = (uint32_t) ((w >> SHIFT_ELEMENTS) & MASK_SET);
	f->exemptions = (uint32_t) ((w >> SHIFT_EXEMPTIONS) & MASK_SET);
	f->rule = (uint32_t) ((w >> SHIFT_RULE) & AX_MAX_RULE);
	f->generation = (uint32_t) ((w >> SHIFT_GENERATION) & AX_MAX_GENERATION);
	f->tallies = (uint32_t) ((w >> SHIFT_TALLIES) & AX_TALLY_ALL);
}

/*
 * Check that every field is in range and that the label obeys the
 * invariants the type itself enforces: core data is always blocked (it has
 * no export path, rule P1); the tallies are those the category implies for
 * general, personal and sensitive personal data, and a row on the
 * sensitive tally is on the personal one too.
 */
AxLabelStatus
ax_label_check_fields(const AxLabelFields *f)
{
	if (f->category < 0 || f->category >= AX_N_CATEGORIES)
		return AX_LABEL_BAD_CATEGORY;
	if (f->mark < 0 || f->mark >= AX_N_MARKS)
		return AX_LABEL_BAD_MARK;
	if (f->scenario < 0 || f->scenario >= AX_N_SCENARIOS)
		return AX_LABEL_BAD_SCENARIO;
	if (f->elements & ~(uint32_t) MASK_SET)
		return AX_LABEL_BAD_ELEMENT;
	if (f->exemptions & ~(uint32_t) MASK_SET)
		return AX_LABEL_BAD_EXEMPTION;
	if (f->rule > AX_MAX_RULE || f->generation > AX_MAX_GENERATION)
		return AX_LABEL_OUT_OF_RANGE;
	if (f->category == AX_CAT_CORE && f->mark != AX_MARK_BLOCKED)
		return AX_LABEL_CORE_NOT_BLOCKED;
	if (f->tallies & ~(uint32_t) AX_TALLY_ALL)
		return AX_LABEL_BAD_TALLY;
	if ((f->tallies & AX_TALLY_SENSITIVE) && !(f->tallies & AX_TALLY_PERSONAL))
		return AX_LABEL_TALLIES_MISMATCH;
	if (f->category < AX_CAT_IMPORTANT &&
		f->tallies != ax_label_implied_tallies(f->category))
		return AX_LABEL_TALLIES_MISMATCH;
	return AX_LABEL_OK;
}

/*
 * Validate a raw 64-bit word, as received from a client in binary form:
 * every ordinal in range, invariants kept.
 */
AxLabelStatus
ax_label_check_word(ax_label w)
{
	AxLabelFields f;

	ax_label_unpack(w, &f);
	if (f.category >= AX_N_CATEGORIES || f.mark >= AX_N_MARKS ||
		f.scenario >= AX_N_SCENARIOS)
		return AX_LABEL_RESERVED_BITS;
	return ax_label_check_fields(&f);
}

/* Find a word among names[0..n-1]; returns its ordinal or -1. */
int
ax_lookup_word(const char *const *names, int n, const char *s, size_t len)
{
	for (int i = 0; i < n; i++)
	{
		if (strlen(names[i]) == len && memcmp(names[i], s, len) == 0)
			return i;
	}
	return -1;
}

/* A small cursor over the input text. */
typedef struct Cursor
{
	const char *s;
	size_t		len;
	size_t		pos;
} Cursor;

static bool
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static bool
is_word_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		(c >= '0' && c <= '9') || c == '_';
}

/* Skip white space; returns true if any was skipped. */
static bool
skip_space(Cursor *c)
{
	size_t		start = c->pos;

	while (c->pos < c->len && is_space(c->s[c->pos]))
		c->pos++;
	return c->pos > start;
}

/* Scan a word at the cursor; returns its length (0 if none). */
static size_t
scan_word(Cursor *c)
{
	size_t		start = c->pos;

	while (c->pos < c->len && is_word_char(c->s[c->pos]))
		c->pos++;
	return c->pos - start;
}

static AxLabelStatus
fail(AxLabelError *err, AxLabelStatus st, size_t offset, size_t length)
{
	if (err)
	{
		err->status = st;
		err->offset = offset;
		err->length = length;
	}
	return st;
}

/* Parse "{a,b,...}" of words from names[] into a bit set. */
static AxLabelStatus
parse_set(Cursor *c, const char *const *names, int n, AxLabelStatus unknown,
		  uint32_t *out, AxLabelError *err)
{
	uint32_t	bits = 0;

	skip_space(c);
	if (c->pos >= c->len || c->s[c->pos] != '{')
		return fail(err, AX_LABEL_BAD_SET, c->pos, 1);
	c->pos++;
	skip_space(c);
	if (c->pos < c->len && c->s[c->pos] == '}')
	{
		c->pos++;
		*out = 0;
		return AX_LABEL_OK;
	}
	for (;;)
	{
		size_t		start;
		size_t		wlen;
		int			ord;

		skip_space(c);
		start = c->pos;
		wlen = scan_word(c);
		if (wlen == 0)
			return fail(err, AX_LABEL_BAD_SET, start, 1);
		ord = ax_lookup_word(names, n, c->s + start, wlen);
		if (ord < 0)
			return fail(err, unknown, start, wlen);
		if (bits & (1u << ord))
			return fail(err, AX_LABEL_DUPLICATE_MEMBER, start, wlen);
		bits |= 1u << ord;
		skip_space(c);
		if (c->pos >= c->len)
			return fail(err, AX_LABEL_BAD_SET, c->pos, 0);
		if (c->s[c->pos] == ',')
		{
			c->pos++;
			continue;
		}
		if (c->s[c->pos] == '}')
		{
			c->pos++;
			break;
		}
		return fail(err, AX_LABEL_BAD_SET, c->pos, 1);
	}
	*out = bits;
	return AX_LABEL_OK;
}

/* Parse an unsigned decimal number no larger than max. */
static AxLabelStatus
parse_number(Cursor *c, uint32_t max, uint32_t *out, AxLabelError *err)
{
	size_t		start;
	uint64_t	v = 0;

	skip_space(c);
	start = c->pos;
	while (c->pos < c->len && c->s[c->pos] >= '0' && c->s[c->pos] <= '9')
	{
		v = v * 10 + (uint64_t) (c->s[c->pos] - '0');
		if (v > max)
		{
			while (c->pos < c->len && c->s[c->pos] >= '0' && c->s[c->pos] <= '9')
				c->pos++;
			return fail(err, AX_LABEL_OUT_OF_RANGE, start, c->pos - start);
		}
		c->pos++;
	}
	if (c->pos == start || (c->pos < c->len && is_word_char(c->s[c->pos])))
		return fail(err, AX_LABEL_BAD_NUMBER, start, c->pos - start + 1);
	*out = (uint32_t) v;
	return AX_LABEL_OK;
}

/*
 * Parse the text form of a label from s[0..len-1] (need not be
 * NUL-terminated).  On success stores the word in *out; on failure fills
 * *err (if given) with the status, the offset and the length of the bad
 * token.
 */
AxLabelStatus
ax_label_parse(const char *s, size_t len, ax_label *out, AxLabelError *err)
{
	Cursor		c = {s, len, 0};
	AxLabelFields f = {0, 0, AX_SCN_OTHER, 0, 0, 0, 0, 0};
	unsigned	seen = 0;
	size_t		start;
	size_t		wlen;
	AxLabelStatus st;

	skip_space(&c);
	if (c.pos >= c.len)
		return fail(err, AX_LABEL_EMPTY, 0, 0);

	start = c.pos;
	wlen = scan_word(&c);
	f.category = ax_lookup_word(ax_category_names, AX_N_CATEGORIES, s + start, wlen);
	if (f.category < 0)
		return fail(err, AX_LABEL_BAD_CATEGORY, start, wlen ? wlen : 1);
	skip_space(&c);
	if (c.pos >= c.len || s[c.pos] != '/')
		return fail(err, AX_LABEL_SYNTAX, c.pos, 1);
	c.pos++;
	skip_space(&c);
	start = c.pos;
	wlen = scan_word(&c);
	f.mark = ax_lookup_word(ax_mark_names, AX_N_MARKS, s + start, wlen);
	if (f.mark < 0)
		return fail(err, AX_LABEL_BAD_MARK, start, wlen ? wlen : 1);

	for (;;)
	{
		bool		spaced = skip_space(&c);
		unsigned	key;

		if (c.pos >= c.len)
			break;
		start = c.pos;
		wlen = scan_word(&c);
		if (!spaced || wlen == 0)
			return fail(err, AX_LABEL_SYNTAX, start, wlen ? wlen : 1);

		if (wlen == 8 && memcmp(s + start, "scenario", 8) == 0)
			key = 0;
		else if (wlen == 8 && memcmp(s + start, "elements", 8) == 0)
			key = 1;
		else if (wlen == 10 && memcmp(s + start, "exemptions", 10) == 0)
			key = 2;
		else if (wlen == 4 && memcmp(s + start, "rule", 4) == 0)
			key = 3;
		else if (wlen == 3 && memcmp(s + start, "gen", 3) == 0)
			key = 4;
		else if (wlen == 7 && memcmp(s + start, "tallies", 7) == 0)
			key = 5;
		else
			return fail(err, AX_LABEL_BAD_KEY, start, wlen);
		if (seen & (1u << key))
			return fail(err, AX_LABEL_DUPLICATE_KEY, start, wlen);
		seen |= 1u << key;

		skip_space(&c);
		if (c.pos >= c.len || s[c.pos] != '=')
			return fail(err, AX_LABEL_SYNTAX, c.pos, 1);
		c.pos++;

		switch (key)
		{
			case 0:
				skip_space(&c);
				start = c.pos;
				wlen = scan_word(&c);
				f.scenario = ax_lookup_word(ax_scenario_names, AX_N_SCENARIOS,
											s + start, wlen);
				if (f.scenario < 0)
					return fail(err, AX_LABEL_BAD_SCENARIO, start, wlen ? wlen : 1);
				break;
			case 1:
				st = parse_set(&c, ax_element_names, AX_N_ELEMENTS,
							   AX_LABEL_BAD_ELEMENT, &f.elements, err);
				if (st != AX_LABEL_OK)
					return st;
				break;
			case 2:
				st = parse_set(&c, ax_exemption_names, AX_N_EXEMPTIONS,
							   AX_LABEL_BAD_EXEMPTION, &f.exemptions, err);
				if (st != AX_LABEL_OK)
					return st;
				break;
			case 3:
				st = parse_number(&c, AX_MAX_RULE, &f.rule, err);
				if (st != AX_LABEL_OK)
					return st;
				break;
			case 4:
				st = parse_number(&c, AX_MAX_GENERATION, &f.generation, err);
				if (st != AX_LABEL_OK)
					return st;
				break;
			default:
				st = parse_set(&c, ax_tally_names, AX_N_TALLIES,
							   AX_LABEL_BAD_TALLY, &f.tallies, err);
				if (st != AX_LABEL_OK)
					return st;
				/* the sensitive tally brings the personal one with it */
				if (f.tallies & AX_TALLY_SENSITIVE)
					f.tallies |= AX_TALLY_PERSONAL;
				break;
		}
	}

	if (!(seen & (1u << 5)))
		f.tallies = ax_label_implied_tallies(f.category);
	st = ax_label_check_fields(&f);
	if (st != AX_LABEL_OK)
		return fail(err, st, 0, len);
	*out = ax_label_pack(&f);
	return AX_LABEL_OK;
}

/* Append a string to buf if it fits; tracks the length needed. */
static void
put(char *buf, size_t buflen, size_t *pos, const char *s)
{
	size_t		n = strlen(s);

	if (*pos + n < buflen)
		memcpy(buf + *pos, s, n);
	*pos += n;
}

static void
put_set(char *buf, size_t buflen, size_t *pos, const char *key,
		const char *const *names, int n, uint32_t bits)
{
	bool		first = true;

	if (bits == 0)
		return;
	put(buf, buflen, pos, key);
	put(buf, buflen, pos, "={");
	for (int i = 0; i < n; i++)
	{
		if (!(bits & (1u << i)))
			continue;
		if (!first)
			put(buf, buflen, pos, ",");
		put(buf, buflen, pos, names[i]);
		first = false;
	}
	put(buf, buflen, pos, "}");
}

static void
put_number(char *buf, size_t buflen, size_t *pos, const char *key, uint32_t v)
{
	char		digits[16];
	int			i = (int) sizeof(digits) - 1;

	if (v == 0)
		return;
	digits[i] = '\0';
	do
	{
		digits[--i] = (char) ('0' + v % 10);
		v /= 10;
	} while (v > 0);
	put(buf, buflen, pos, key);
	put(buf, buflen, pos, "=");
	put(buf, buflen, pos, digits + i);
}

/*
 * Format a label in its canonical text form: category/mark, then
 * scenario, then the non-empty sets and non-zero numbers.  Returns the
 * length of the text; it is NUL-terminated in buf when it fits, which
 * AX_LABEL_TEXT_MAX always does for a valid label.
 */
size_t
ax_label_format(ax_label w, char *buf, size_t buflen)
{
	AxLabelFields f;
	size_t		pos = 0;

	ax_label_unpack(w, &f);
	if (f.category >= AX_N_CATEGORIES || f.mark >= AX_N_MARKS ||
		f.scenario >= AX_N_SCENARIOS)
	{
		/* never stored: input and recv validate */
		put(buf, buflen, &pos, "invalid");
	}
	else
	{
		put(buf, buflen, &pos, ax_category_names[f.category]);
		put(buf, buflen, &pos, "/");
		put(buf, buflen, &pos, ax_mark_names[f.mark]);
		put(buf, buflen, &pos, " scenario=");
		put(buf, buflen, &pos, ax_scenario_names[f.scenario]);
		put_set(buf, buflen, &pos, " elements", ax_element_names,
				AX_N_ELEMENTS, f.elements);
		put_set(buf, buflen, &pos, " exemptions", ax_exemption_names,
				AX_N_EXEMPTIONS, f.exemptions);
		put_number(buf, buflen, &pos, " rule", f.rule);
		put_number(buf, buflen, &pos, " gen", f.generation);
		/* shown only where the category does not imply them */
		if (f.tallies != ax_label_implied_tallies(f.category))
			put_set(buf, buflen, &pos, " tallies", ax_tally_names,
					AX_N_TALLIES, f.tallies);
	}
	if (buflen > 0)
		buf[pos < buflen ? pos : buflen - 1] = '\0';
	return pos;
}

/* A sentence describing a status, for error messages. */
const char *
ax_label_status_message(AxLabelStatus st)
{
	switch (st)
	{
		case AX_LABEL_OK:
			return "valid";
		case AX_LABEL_EMPTY:
			return "empty label";
		case AX_LABEL_BAD_CATEGORY:
			return "unknown category";
		case AX_LABEL_BAD_MARK:
			return "unknown mark";
		case AX_LABEL_BAD_KEY:
			return "unknown field";
		case AX_LABEL_DUPLICATE_KEY:
			return "field given more than once";
		case AX_LABEL_BAD_SCENARIO:
			return "unknown scenario";
		case AX_LABEL_BAD_ELEMENT:
			return "unknown element";
		case AX_LABEL_BAD_EXEMPTION:
			return "unknown exemption";
		case AX_LABEL_DUPLICATE_MEMBER:
			return "set member listed more than once";
		case AX_LABEL_BAD_SET:
			return "malformed set";
		case AX_LABEL_BAD_NUMBER:
			return "not an unsigned decimal number";
		case AX_LABEL_OUT_OF_RANGE:
			return "number out of range";
		case AX_LABEL_SYNTAX:
			return "syntax error";
		case AX_LABEL_CORE_NOT_BLOCKED:
			return "core data must be marked blocked";
		case AX_LABEL_RESERVED_BITS:
			return "invalid binary label";
		case AX_LABEL_BAD_TALLY:
			return "unknown tally";
		case AX_LABEL_TALLIES_MISMATCH:
			return "tallies contradict the category";
	}
	return "invalid label";
}
