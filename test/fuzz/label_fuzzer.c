/*
 * label_fuzzer.c
 *		libFuzzer harness for the label text parser and formatter.
 *
 * Properties checked on every input: parsing never reads out of bounds;
 * a parsed label passes the binary validator; formatting it and parsing the
 * text gives the same word back; and the word of any 8 input bytes either
 * fails validation or formats and re-parses to itself.
 */
// sources: src/label_core.c
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "label_core.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ax_label	w;
	ax_label	again;
	AxLabelError err;
	char		buf[AX_LABEL_TEXT_MAX];
	size_t		n;

	/* a private copy, so the parser cannot rely on a terminator */
	char	   *copy = malloc(size ? size : 1);

	memcpy(copy, data, size);
	if (ax_label_parse(copy, size, &w, &err) == AX_LABEL_OK)
	{
		if (ax_label_check_word(w) != AX_LABEL_OK)
			abort();
		n = ax_label_format(w, buf, sizeof(buf));
		if (n >= sizeof(buf))
			abort();
		if (ax_label_parse(buf, n, &again, NULL) != AX_LABEL_OK || again != w)
			abort();
	}
	else if (err.offset > size || err.status == AX_LABEL_OK)
		abort();
	free(copy);

	/* the binary path: any 8 bytes */
	if (size >= 8)
	{
		uint64_t	word = 0;

		for (int i = 0; i < 8; i++)
			word = (word << 8) | data[i];
		if (ax_label_check_word(word) == AX_LABEL_OK)
		{
			n = ax_label_format(word, buf, sizeof(buf));
			if (n >= sizeof(buf))
				abort();
			if (ax_label_parse(buf, n, &again, NULL) != AX_LABEL_OK || again != word)
				abort();
		}
	}
	return 0;
}
