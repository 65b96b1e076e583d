/*
 * subject_fuzzer.c
 *		libFuzzer harness for the subject_set decoder and set algebra.
 *
 * Properties checked on every input: decoding never reads out of bounds;
 * a decoded set is strictly ascending and re-encodes to the very same bytes
 * (the encoding is canonical); membership found without decoding agrees
 * with the decoded members, and so does that of an index over the set
 * (which, over any bytes, never reads out of bounds) and that of a probe
 * table filled from the index and from words one by one (which refuses
 * members past its size); and sets built from the input bytes as raw
 * 64-bit words survive encode/decode, with union, intersection, difference
 * and count-not-in agreeing with each other (intersection and difference
 * in their one-pass form too), with the streaming cursor
 * forms of the same operations (words in memory, or streamed through
 * three-word windows), and with the in-place merge.  At start-up the SipHash-2-4
 * reference vectors of the paper are checked.
 */
// sources: src/subject_core.c
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "subject_core.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * SipHash-2-4 with key 00..0f: the empty message and the 15-byte message
 * 00..0e, from the reference implementation's test vectors.
 */
static void
check_siphash(void)
{
	uint8_t		key[16];
	uint8_t		msg[15];
	int			i;

	for (i = 0; i < 16; i++)
		key[i] = (uint8_t) i;
	for (i = 0; i < 15; i++)
		msg[i] = (uint8_t) i;
	if (ax_siphash24(key, msg, 0) != UINT64_C(0x726fdb47dd0e0e31))
		abort();
	if (ax_siphash24(key, msg, 15) != UINT64_C(0xa129ca6149be45e5))
		abort();
}

/*
 * SipHash-2-4 written as plainly as the reference: the message read a
 * byte at a time.  The fuzzer checks ax_siphash24, which reads words and
 * the last bytes with overlapping loads, against it at every length.
 */
static uint64_t
plain_siphash24(const uint8_t key[16], const uint8_t *in, size_t len)
{
	uint64_t	k0 = 0,
				k1 = 0,
				m,
				v0,
				v1,
				v2,
				v3;
	size_t		i,
				j;

	for (i = 0; i < 8; i++)
	{
		k0 |= (uint64_t) key[i] << (8 * i);
		k1 |= (uint64_t) key[8 + i] << (8 * i);
	}
	v0 = k0 ^ UINT64_C(0x736f6d6570736575);
	v1 = k1 ^ UINT64_C(0x646f72616e646f6d);
	v2 = k0 ^ UINT64_C(0x6c7967656e657261);
	v3 = k1 ^ UINT64_C(0x7465646279746573);
#define ROTL(x, b) (((x) << (b)) | ((x) >> (64 - (b))))
#define ROUND() \
	do { \
		v0 += v1; v1 = ROTL(v1, 13); v1 ^= v0; v0 = ROTL(v0, 32); \
		v2 += v3; v3 = ROTL(v3, 16); v3 ^= v2; \
		v0 += v3; v3 = ROTL(v3, 21); v3 ^= v0; \
		v2 += v1; v1 = ROTL(v1, 17); v1 ^= v2; v2 = ROTL(v2, 32); \
	} while (0)
	for (i = 0; i + 8 <= len; i += 8)
	{
		m = 0;
		for (j = 0; j < 8; j++)
			m |= (uint64_t) in[i + j] << (8 * j);
		v3 ^= m;
		ROUND();
		ROUND();
		v0 ^= m;
	}
	m = (uint64_t) len << 56;
	for (j = 0; i + j < len; j++)
		m |= (uint64_t) in[i + j] << (8 * j);
	v3 ^= m;
	ROUND();
	ROUND();
	v0 ^= m;
	v2 ^= 0xff;
	ROUND();
	ROUND();
	ROUND();
	ROUND();
#undef ROUND
#undef ROTL
	return v0 ^ v1 ^ v2 ^ v3;
}

/*
 * ax_siphash24_many, eight lanes at a time where the CPU has them and one
 * by one, against ax_siphash24: 19 messages cut from the input (so two
 * groups of eight and a rest), each starting and ending where the input's
 * bytes say, so that the lanes of a group have different numbers of words.
 */
static void
check_siphash_many(const uint8_t key[16], const uint8_t *data, size_t size)
{
	const uint8_t *msgs[19];
	size_t		lens[19];
	uint64_t	out[19];
	int			pass;

	for (int i = 0; i < 19; i++)
	{
		size_t		start = size > 0 ? data[i % size] % (size + 1) : 0;
		size_t		room = size - start;

		msgs[i] = data + start;
		lens[i] = room > 0 && size > 0 ? data[(i * 7 + 3) % size] % (room + 1) : 0;
	}
	for (pass = 0; pass < 2; pass++)
	{
		ax_siphash_one_by_one = pass == 1;
		ax_siphash24_many(key, msgs, lens, 19, out);
		for (int i = 0; i < 19; i++)
			if (out[i] != ax_siphash24(key, msgs[i], lens[i]))
				abort();
	}
	ax_siphash_one_by_one = false;
}

/*
 * ax_siphash24 of every prefix of the input (up to 64 bytes, all the tail
 * lengths several times over), under a key taken from the input, against
 * plain_siphash24.
 */
static void
check_siphash_lengths(const uint8_t *data, size_t size)
{
	uint8_t		key[16];
	size_t		n;

	for (n = 0; n < 16; n++)
		key[n] = size > 0 ? data[n % size] ^ (uint8_t) n : (uint8_t) n;
	for (n = 0; n <= size && n <= 64; n++)
		if (ax_siphash24(key, data, n) != plain_siphash24(key, data, n))
			abort();
	check_siphash_many(key, data, size);
}

/*
 * Refill callback of a streamed cursor over an encoded set in memory,
 * serving windows of three words at most, to exercise window changes.
 */
static void
refill_small(AxSubjectCursor *c, bool upper, uint64_t word)
{
	const uint8_t *enc = c->arg;
	const uint8_t *region = enc + AX_SUBJECT_HEADER_SIZE + (upper ? 8 * c->nl : 0);
	uint64_t	total = upper ? c->nu : c->nl;
	uint64_t	count = total - word < 3 ? total - word : 3;

	ax_cursor_window(c, upper, word, count, region + 8 * word);
}

/* qsort comparator for 64-bit words. */
static int
cmp_u64(const void *x, const void *y)
{
	uint64_t	a = *(const uint64_t *) x;
	uint64_t	b = *(const uint64_t *) y;

	return a < b ? -1 : a > b;
}

/*
 * Encode sorted unique a[0..n), decode it back and compare.
 */
static uint8_t *
roundtrip(const uint64_t *a, size_t n, size_t *len)
{
	uint64_t	size = ax_subject_encoded_size(n);
	uint8_t    *enc = malloc(size);
	uint64_t   *back = malloc((n ? n : 1) * sizeof(uint64_t));

	ax_subject_encode(a, n, 42, enc);
	if (ax_subject_decode(enc, size, back) != AX_SUBJECT_OK)
		abort();
	if (n && memcmp(a, back, n * sizeof(uint64_t)) != 0)
		abort();
	free(back);
	*len = size;
	return enc;
}

/* One fuzz input: the properties listed at the top of this file. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int	checked = 0;
	AxSubjectHeader h;
	uint8_t    *copy;

	if (!checked)
	{
		check_siphash();
		checked = 1;
	}
	check_siphash_lengths(data, size);

	/* 1. the bytes as an encoded set */
	copy = malloc(size ? size : 1);
	memcpy(copy, data, size);
	if (ax_subject_read_header(copy, size, &h) == AX_SUBJECT_OK &&
		h.count <= 1 << 20)
	{
		uint64_t   *m = malloc((h.count ? h.count : 1) * sizeof(uint64_t));
		uint32_t   *space = malloc(ax_subject_index_space(&h) * sizeof(uint32_t));
		AxSubjectIndex ix;
		bool		indexed = ax_subject_index_build(&ix, copy, &h, space);

		/* an index of any set never reads out of bounds */
		for (size_t i = 0; i + 8 <= size && i < 512; i += 8)
		{
			uint64_t	x;

			memcpy(&x, data + i, 8);
			(void) ax_subject_index_contains(&ix, x);
		}
		if (ax_subject_decode(copy, size, m) == AX_SUBJECT_OK)
		{
			uint8_t    *again = malloc(size);
			size_t		i;

			if (ax_subject_validate(copy, size) != AX_SUBJECT_OK)
				abort();
			for (i = 1; i < h.count; i++)
				if (m[i] <= m[i - 1])
					abort();
			ax_subject_encode(m, h.count, h.fingerprint, again);
			if (memcmp(again, copy, size) != 0)
				abort();
			/* a valid set is indexed, and the index agrees */
			if (!indexed)
				abort();
			for (i = 0; i < h.count; i++)
			{
				if (!ax_subject_encoded_contains(copy, size, m[i]) ||
					!ax_subject_index_contains(&ix, m[i]))
					abort();
				if (ax_subject_encoded_contains(copy, size, m[i] + 1) !=
					(i + 1 < h.count && m[i + 1] == m[i] + 1) ||
					ax_subject_index_contains(&ix, m[i] + 1) !=
					(i + 1 < h.count && m[i + 1] == m[i] + 1))
					abort();
				if (m[i] > 0 && ax_subject_index_contains(&ix, m[i] - 1) !=
					(i > 0 && m[i - 1] == m[i] - 1))
					abort();
			}
			free(again);
		}
		else if (ax_subject_validate(copy, size) == AX_SUBJECT_OK)
			abort();
		free(space);
		free(m);
	}
	free(copy);

	/* 2. the bytes as two raw word arrays: algebra and round trips */
	{
		size_t		nw = size / 8;
		size_t		na = nw / 2,
					nb = nw - na;
		uint64_t   *a = malloc((nw + 1) * sizeof(uint64_t));
		uint64_t   *b;
		uint64_t   *tmp = malloc(AX_SORT_SCRATCH(nw + 1) * sizeof(uint64_t));
		uint64_t   *u = malloc((nw + 1) * sizeof(uint64_t));
		uint64_t   *x = malloc((nw + 1) * sizeof(uint64_t));
		uint64_t   *d = malloc((nw + 1) * sizeof(uint64_t));
		size_t		nu,
					nx,
					nd,
					i,
					len;
		uint8_t    *enc;

		memcpy(a, data, nw * 8);
		/* small words too, so that repeats and close neighbours occur */
		if (size % 2)
			for (i = 0; i < nw; i++)
				a[i] &= 0xff;
		b = a + na;
		/* the radix sort agrees with qsort and a plain dedupe */
		{
			uint64_t   *q = malloc((na + 1) * sizeof(uint64_t));
			size_t		nq = 0;

			memcpy(q, a, na * sizeof(uint64_t));
			qsort(q, na, sizeof(uint64_t), cmp_u64);
			for (i = 0; i < na; i++)
				if (i == 0 || q[i] != q[nq - 1])
					q[nq++] = q[i];
			if (ax_subject_sort_unique(a, na, tmp) != nq ||
				(nq && memcmp(a, q, nq * sizeof(uint64_t)) != 0))
				abort();
			free(q);
		}
		na = ax_subject_sort_unique(a, na, tmp);
		nb = ax_subject_sort_unique(b, nb, tmp);
		for (i = 1; i < na; i++)
			if (a[i] <= a[i - 1])
				abort();
		nu = ax_subject_union(a, na, b, nb, u);
		nx = ax_subject_intersect(a, na, b, nb, x);
		nd = ax_subject_difference(a, na, b, nb, d);
		if (nu != na + nb - nx || nd != na - nx ||
			nd != ax_subject_count_not_in(a, na, b, nb))
			abort();
		for (i = 0; i < na; i++)
			if (!ax_subject_search(u, nu, a[i]) ||
				ax_subject_search(d, nd, a[i]) == ax_subject_search(b, nb, a[i]))
				abort();
		/* cursors over encoded and array forms agree with the arrays */
		{
			size_t		lena,
						lenb;
			uint8_t    *ea = roundtrip(a, na, &lena);
			uint8_t    *eb = roundtrip(b, nb, &lenb);
			AxSubjectCursor ca,
						cb,
						aa,
						sa,
						sb;
			static const AxSetOp ops[3] = {AX_OP_UNION, AX_OP_INTERSECT, AX_OP_DIFFERENCE};
			const uint64_t *want[3] = {u, x, d};
			size_t		nwant[3] = {nu, nx, nd};
			int			o;

			ax_cursor_encoded(&ca, ea, na);
			ax_cursor_encoded(&cb, eb, nb);
			ax_cursor_array(&aa, a, na);
			ax_cursor_streamed(&sa, na, refill_small, ea);
			ax_cursor_streamed(&sb, nb, refill_small, eb);
			if (ax_cursor_count_not_in(&sa, &sb) != nd || !ax_cursor_equal(&sa, &ca) ||
				ax_cursor_count_not_in(&sb, &sa) != nb - nx)
				abort();
			/* an index over encoded b answers as a search of b */
			{
				AxSubjectHeader hb;
				uint32_t   *space;
				AxSubjectIndex ix;

				if (ax_subject_read_header(eb, lenb, &hb) != AX_SUBJECT_OK)
					abort();
				space = malloc(ax_subject_index_space(&hb) * sizeof(uint32_t));
				if (!ax_subject_index_build(&ix, eb, &hb, space))
					abort();
				for (i = 0; i < na; i++)
					if (ax_subject_index_contains(&ix, a[i]) != ax_subject_search(b, nb, a[i]))
						abort();
				for (i = 0; i < nb; i++)
					if (!ax_subject_index_contains(&ix, b[i]) ||
						ax_subject_index_contains(&ix, b[i] ^ 1) != ax_subject_search(b, nb, b[i] ^ 1))
						abort();

				/*
				 * a probe table of a and b (filled from b's index, a's
				 * words one by one, so twice for their common members)
				 * holds their union exactly; a full table refuses more
				 */
				{
					uint64_t	nslots = ax_subject_probe_slots(na + nb);
					uint64_t   *slots = malloc(nslots * sizeof(uint64_t));
					AxSubjectProbe t;

					ax_subject_probe_init(&t, slots, nslots);
					if (!ax_subject_probe_add_set(&t, &ix))
						abort();
					for (i = 0; i < na; i++)
						if (!ax_subject_probe_add(&t, a[i]))
							abort();
					if (t.n + (t.has_zero ? 1 : 0) != na + nb - nx)
						abort();
					for (i = 0; i < na; i++)
						if (!ax_subject_probe_contains(&t, a[i]) ||
							ax_subject_probe_contains(&t, a[i] ^ 1) !=
							(ax_subject_search(a, na, a[i] ^ 1) || ax_subject_search(b, nb, a[i] ^ 1)))
							abort();
					for (i = 0; i < nb; i++)
						if (!ax_subject_probe_contains(&t, b[i]) ||
							ax_subject_probe_contains(&t, b[i] + 1) !=
							(ax_subject_search(a, na, b[i] + 1) || ax_subject_search(b, nb, b[i] + 1)))
							abort();
					/* a table sized for fewer members fills up and says so */
					if (na + nb - nx >= 2)
					{
						uint64_t	small = ax_subject_probe_slots((na + nb - nx) / 2);
						bool		all = true;

						ax_subject_probe_init(&t, slots, small);
						for (i = 0; i < na && all; i++)
							all = ax_subject_probe_add(&t, a[i]);
						for (i = 0; i < nb && all; i++)
							all = ax_subject_probe_add(&t, b[i]);
						if (t.n >= small)
							abort();
					}
					free(slots);
				}
				free(space);
			}
			/* a small prefix of a against encoded b takes the skipping path */
			{
				AxSubjectCursor small;
				size_t		ns = nb / 8;

				ax_cursor_array(&small, a, ns < na ? ns : na);
				if (ax_cursor_count_not_in(&small, &cb) != ax_cursor_count_not_in(&small, &sb) ||
					ax_cursor_count_not_in(&small, &cb) !=
					ax_subject_count_not_in(a, ns < na ? ns : na, b, nb))
					abort();
			}
			if (ax_cursor_count_not_in(&ca, &cb) != nd || ax_cursor_count_not_in(&aa, &cb) != nd ||
				!ax_cursor_equal(&ca, &aa) || ax_cursor_equal(&ca, &cb) != (na == nb && nx == na))
				abort();
			for (o = 0; o < 3; o++)
			{
				uint64_t	n = ax_cursor_op_count(ops[o], &ca, &cb);
				uint64_t	sz = ax_subject_encoded_size(n);
				uint8_t    *r = malloc(sz);
				uint8_t    *expect = malloc(ax_subject_encoded_size(nwant[o]));

				if (n != nwant[o] || ax_cursor_op_count(ops[o], &aa, &cb) != n ||
					ax_cursor_op_count(ops[o], &sa, &sb) != n)
					abort();
				if (!ax_cursor_op_encode(ops[o], &ca, &cb, n, 42, r))
					abort();
				ax_subject_encode(want[o], nwant[o], 42, expect);
				if (memcmp(r, expect, sz) != 0)
					abort();
				memset(r, 0xee, sz);
				if (!ax_cursor_op_encode(ops[o], &sa, &sb, n, 42, r) || memcmp(r, expect, sz) != 0)
					abort();
				/* the one-pass form of intersection and difference */
				if (ops[o] != AX_OP_UNION)
				{
					uint64_t   *m = malloc((na + 1) * sizeof(uint64_t));

					if (ax_cursor_op_collect(ops[o], &ca, &cb, m) != (int64_t) n ||
						(n && memcmp(m, want[o], n * sizeof(uint64_t)) != 0) ||
						ax_cursor_op_collect(ops[o], &sa, &sb, m) != (int64_t) n ||
						(n && memcmp(m, want[o], n * sizeof(uint64_t)) != 0) ||
						ax_cursor_op_collect(ops[o], &aa, &cb, m) != (int64_t) n)
						abort();
					free(m);
				}
				free(r);
				free(expect);
			}
			/* in-place merge from the back gives the union */
			{
				uint64_t   *m = malloc((nu + 1) * sizeof(uint64_t));

				memcpy(m, a, na * sizeof(uint64_t));
				ax_subject_merge_into(m, na, b, nb, nu);
				if (nu && memcmp(m, u, nu * sizeof(uint64_t)) != 0)
					abort();
				/* and inserting b - a into a */
				{
					uint64_t   *bd = malloc((nb + 1) * sizeof(uint64_t));
					size_t		nbd = ax_subject_difference(b, nb, a, na, bd);

					memcpy(m, a, na * sizeof(uint64_t));
					ax_subject_insert_disjoint(m, na, bd, nbd);
					if (na + nbd != nu || (nu && memcmp(m, u, nu * sizeof(uint64_t)) != 0))
						abort();
					free(bd);
				}
				free(m);
			}
			free(ea);
			free(eb);
		}
		enc = roundtrip(u, nu, &len);
		for (i = 0; i < nu; i++)
			if (!ax_subject_encoded_contains(enc, len, u[i]))
				abort();
		for (i = 0; i < nb; i++)
			if (ax_subject_encoded_contains(enc, len, b[i] ^ 1) !=
				ax_subject_search(u, nu, b[i] ^ 1))
				abort();
		free(enc);
		free(a);
		free(tmp);
		free(u);
		free(x);
		free(d);
	}
	return 0;
}
