/*
 * seclabel_parse.c
 *		Lexer of autoxfer security labels (grammar in seclabel_parse.h).
 *
 * Pure C, no allocation: the results are spans of the caller's input.
 * Every loop advances by at least one byte and every index is checked
 * against len before use, so any byte string is safe to lex.
 */
#include "seclabel_parse.h"

/* deepest nesting of ( ) and [ ] in a value */
#define MAX_DEPTH 64

/* White space as SQL sees it. */
static bool
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* Characters of a key or kind word after the first. */
static bool
is_word(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

/* Record an error and return its status. */
static AxSeclabelStatus
fail(AxSeclabelError *err, AxSeclabelStatus status, size_t offset, size_t length)
{
	err->status = status;
	err->offset = offset;
	err->length = length;
	return status;
}

/* Length of the run of non-space bytes at s[i..len), for error spans. */
static size_t
run_length(const char *s, size_t len, size_t i)
{
	size_t		j = i;

	while (j < len && !is_space(s[j]))
		j++;
	return j - i;
}

/*
 * Lex a word [a-z_][a-z0-9_]* of at most AX_SECLABEL_MAX_WORD bytes at
 * s[*i]; returns false (leaving *i) if there is none.
 */
static bool
lex_word(const char *s, size_t len, size_t *i, AxSpan *word)
{
	size_t		j = *i;

	if (j >= len || !((s[j] >= 'a' && s[j] <= 'z') || s[j] == '_'))
		return false;
	while (j < len && is_word(s[j]))
		j++;
	if (j - *i > AX_SECLABEL_MAX_WORD)
		return false;
	word->off = *i;
	word->len = j - *i;
	*i = j;
	return true;
}

/*
 * Lex one value at s[*i]: up to white space outside quotes and brackets.
 * On success *i is just past it.
 */
static AxSeclabelStatus
lex_value(const char *s, size_t len, size_t *i, AxSpan *value, AxSeclabelError *err)
{
	char		stack[MAX_DEPTH];
	int			depth = 0;
	size_t		start = *i;
	size_t		j = start;

	while (j < len)
	{
		char		c = s[j];

		if (c == '\0')
			return fail(err, AX_SL_NUL, j, 1);
		if (is_space(c) && depth == 0)
			break;
		if (c == '\'' || c == '"')
		{
			size_t		q = j++;

			for (;;)
			{
				if (j >= len)
					return fail(err, AX_SL_UNTERMINATED, q, len - q);
				if (s[j] == '\0')
					return fail(err, AX_SL_NUL, j, 1);
				if (s[j] == c)
				{
					if (j + 1 < len && s[j + 1] == c)
					{
						j += 2;
						continue;
					}
					break;
				}
				j++;
			}
		}
		else if (c == '(' || c == '[')
		{
			if (depth == MAX_DEPTH)
				return fail(err, AX_SL_UNBALANCED, j, 1);
			stack[depth++] = (c == '(') ? ')' : ']';
		}
		else if (c == ')' || c == ']')
		{
			if (depth == 0 || stack[depth - 1] != c)
				return fail(err, AX_SL_UNBALANCED, j, 1);
			depth--;
		}
		j++;
	}
	if (depth > 0)
		return fail(err, AX_SL_UNBALANCED, start, j - start);
	if (j == start)
		return fail(err, AX_SL_NO_VALUE, start, 0);
	value->off = start;
	value->len = j - start;
	*i = j;
	return AX_SL_OK;
}

/*
 * Split a table label into key=value pairs (at most AX_SECLABEL_MAX_ITEMS).
 * Keys are not checked against any vocabulary here.
 */
AxSeclabelStatus
ax_seclabel_pairs(const char *s, size_t len, AxSeclabelPair *pairs, int *npairs,
				  AxSeclabelError *err)
{
	size_t		i = 0;
	int			n = 0;

	*npairs = 0;
	err->status = AX_SL_OK;
	for (;;)
	{
		AxSeclabelPair pair;
		AxSeclabelStatus st;

		while (i < len && is_space(s[i]))
			i++;
		if (i >= len)
			break;
		if (s[i] == '\0')
			return fail(err, AX_SL_NUL, i, 1);
		if (!lex_word(s, len, &i, &pair.key))
			return fail(err, AX_SL_BAD_KEY, i, run_length(s, len, i));
		if (i >= len || s[i] != '=')
		{
			if (i < len && !is_space(s[i]))
				return fail(err, AX_SL_BAD_KEY, pair.key.off,
							run_length(s, len, pair.key.off));
			return fail(err, AX_SL_NO_EQUALS, pair.key.off, pair.key.len);
		}
		i++;
		st = lex_value(s, len, &i, &pair.value, err);
		if (st != AX_SL_OK)
			return st;
		if (n == AX_SECLABEL_MAX_ITEMS)
			return fail(err, AX_SL_TOO_MANY, pair.key.off, i - pair.key.off);
		pairs[n++] = pair;
	}
	if (n == 0)
		return fail(err, AX_SL_EMPTY, 0, 0);
	*npairs = n;
	return AX_SL_OK;
}

/* Split a column label into kind words separated by commas. */
AxSeclabelStatus
ax_seclabel_words(const char *s, size_t len, AxSpan *words, int *nwords,
				  AxSeclabelError *err)
{
	size_t		i = 0;
	int			n = 0;

	*nwords = 0;
	err->status = AX_SL_OK;
	while (i < len && is_space(s[i]))
		i++;
	if (i >= len)
		return fail(err, AX_SL_EMPTY, 0, 0);
	for (;;)
	{
		AxSpan		w;

		if (s[i] == '\0')
			return fail(err, AX_SL_NUL, i, 1);
		if (s[i] == ',')
			return fail(err, AX_SL_BAD_SEPARATOR, i, 1);
		if (!lex_word(s, len, &i, &w))
			return fail(err, AX_SL_BAD_KEY, i, run_length(s, len, i));
		if (n == AX_SECLABEL_MAX_ITEMS)
			return fail(err, AX_SL_TOO_MANY, w.off, w.len);
		words[n++] = w;
		while (i < len && is_space(s[i]))
			i++;
		if (i >= len)
			break;
		if (s[i] != ',')
			return fail(err, s[i] == '\0' ? AX_SL_NUL : AX_SL_BAD_SEPARATOR, i, 1);
		i++;
		while (i < len && is_space(s[i]))
			i++;
		if (i >= len)
			return fail(err, AX_SL_BAD_SEPARATOR, len - 1, 1);
	}
	*nwords = n;
	return AX_SL_OK;
}

/* What a status means, for error messages. */
const char *
ax_seclabel_status_text(AxSeclabelStatus status)
{
	switch (status)
	{
		case AX_SL_OK:
			return "no error";
		case AX_SL_EMPTY:
			return "the label is empty";
		case AX_SL_BAD_KEY:
			return "expected a lower-case word";
		case AX_SL_NO_EQUALS:
			return "a key is not followed by \"=\"";
		case AX_SL_NO_VALUE:
			return "\"=\" is not followed by a value";
		case AX_SL_UNTERMINATED:
			return "a quoted string is not closed";
		case AX_SL_UNBALANCED:
			return "brackets do not balance";
		case AX_SL_TOO_MANY:
			return "too many items";
		case AX_SL_NUL:
			return "a NUL byte";
		case AX_SL_BAD_SEPARATOR:
			return "kinds must be separated by single commas";
	}
	return "unknown error";
}
