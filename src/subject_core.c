/*
 * subject_core.c
 *		Keyed hashing, sorted-set algebra and the compact encoding behind
 *		autoxfer.subject_set.  Pure C: no PostgreSQL headers (see
 *		subject_core.h for the encoded layout).
 */
#include "subject_core.h"

#include <string.h>

#define ROTL64(x, b) (((x) << (b)) | ((x) >> (64 - (b))))

/*
 * Read a little-endian 64-bit word from an unaligned address.
 */
static inline uint64_t
load64(const uint8_t *p)
{
	uint64_t	v;

	memcpy(&v, p, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	v = __builtin_bswap64(v);
#endif
	return v;
}

/*
 * Read a little-endian 32-bit word from an unaligned address.
 */
static inline uint64_t
load32(const uint8_t *p)
{
	uint32_t	v;

	memcpy(&v, p, 4);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	v = __builtin_bswap32(v);
#endif
	return v;
}

/*
 * The n < 8 bytes at p as a little-endian word, without a loop over a
 * count that changes from one subject to the next (a mispredicted branch
 * a byte): two overlapping 32-bit reads for 4 to 7 bytes, three byte reads
 * (some of them the same byte) for 1 to 3.
 */
static inline uint64_t
load_tail(const uint8_t *p, size_t n)
{
	if (n >= 4)
		return load32(p) | (load32(p + n - 4) << (8 * (n - 4)));
	if (n > 0)
		return (uint64_t) p[0] | ((uint64_t) p[n / 2] << (8 * (n / 2))) |
			((uint64_t) p[n - 1] << (8 * (n - 1)));
	return 0;
}

/*
 * Write a little-endian 64-bit word to an unaligned address.
 */
static inline void
store64(uint8_t *p, uint64_t v)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	v = __builtin_bswap64(v);
#endif
	memcpy(p, &v, 8);
}

/*
 * SipHash-2-4 of data under a 128-bit key (Aumasson and Bernstein's keyed
 * pseudo-random function): without the key, outputs cannot be predicted,
 * so a stored hash does not reveal the identifier behind it.
 */
uint64_t
ax_siphash24(const uint8_t key[AX_SALT_SIZE], const void *data, size_t len)
{
	const uint8_t *in = (const uint8_t *) data;
	uint64_t	k0 = load64(key);
	uint64_t	k1 = load64(key + 8);
	uint64_t	v0 = k0 ^ UINT64_C(0x736f6d6570736575);
	uint64_t	v1 = k1 ^ UINT64_C(0x646f72616e646f6d);
	uint64_t	v2 = k0 ^ UINT64_C(0x6c7967656e657261);
	uint64_t	v3 = k1 ^ UINT64_C(0x7465646279746573);
	uint64_t	b = ((uint64_t) len) << 56;
	size_t		full = len & ~(size_t) 7;
	size_t		i;

#define SIPROUND() \
	do { \
		v0 += v1; v1 = ROTL64(v1, 13); v1 ^= v0; v0 = ROTL64(v0, 32); \
		v2 += v3; v3 = ROTL64(v3, 16); v3 ^= v2; \
		v0 += v3; v3 = ROTL64(v3, 21); v3 ^= v0; \
		v2 += v1; v1 = ROTL64(v1, 17); v1 ^= v2; v2 = ROTL64(v2, 32); \
	} while (0)

	for (i = 0; i < full; i += 8)
	{
		uint64_t	m = load64(in + i);

		v3 ^= m;
		SIPROUND();
		SIPROUND();
		v0 ^= m;
	}
	b |= load_tail(in + i, len - i);
	v3 ^= b;
	SIPROUND();
	SIPROUND();
	v0 ^= b;
	v2 ^= 0xff;
	SIPROUND();
	SIPROUND();
	SIPROUND();
	SIPROUND();
#undef SIPROUND
	return v0 ^ v1 ^ v2 ^ v3;
}

/*
 * The eight-lane SipHash below needs AVX-512F, asked of the CPU when first
 * used; elsewhere, and where the compiler cannot target it, messages are
 * hashed one by one.
 */
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define AX_SIPHASH_LANES 1
#include <immintrin.h>
#endif

/* Set by the fuzzer, to check the one-by-one path as well. */
bool		ax_siphash_one_by_one = false;

#ifdef AX_SIPHASH_LANES
/*
 * SipHash-2-4 of eight messages (data[j], len[j]) under one key, one
 * message a 64-bit lane: out[j] is ax_siphash24(key, data[j], len[j]).  A
 * lane whose message has fewer full words than another's sits out the
 * rounds of the words it does not have (masked), then every lane takes its
 * last block and the finalization together.
 */
__attribute__((target("avx512f")))
static void
siphash24_x8(const uint8_t key[AX_SALT_SIZE], const uint8_t *const *data, const size_t *len,
			 uint64_t *out)
{
	__m512i		k0 = _mm512_set1_epi64((long long) load64(key));
	__m512i		k1 = _mm512_set1_epi64((long long) load64(key + 8));
	__m512i		v0 = _mm512_xor_si512(k0, _mm512_set1_epi64(0x736f6d6570736575LL));
	__m512i		v1 = _mm512_xor_si512(k1, _mm512_set1_epi64(0x646f72616e646f6dLL));
	__m512i		v2 = _mm512_xor_si512(k0, _mm512_set1_epi64(0x6c7967656e657261LL));
	__m512i		v3 = _mm512_xor_si512(k1, _mm512_set1_epi64(0x7465646279746573LL));
	__m512i		m;
	uint64_t	words[8];
	size_t		full[8];
	size_t		most = 0;

#define SIPROUND8() \
	do { \
		v0 = _mm512_add_epi64(v0, v1); v1 = _mm512_rol_epi64(v1, 13); \
		v1 = _mm512_xor_si512(v1, v0); v0 = _mm512_rol_epi64(v0, 32); \
		v2 = _mm512_add_epi64(v2, v3); v3 = _mm512_rol_epi64(v3, 16); \
		v3 = _mm512_xor_si512(v3, v2); \
		v0 = _mm512_add_epi64(v0, v3); v3 = _mm512_rol_epi64(v3, 21); \
		v3 = _mm512_xor_si512(v3, v0); \
		v2 = _mm512_add_epi64(v2, v1); v1 = _mm512_rol_epi64(v1, 17); \
		v1 = _mm512_xor_si512(v1, v2); v2 = _mm512_rol_epi64(v2, 32); \
	} while (0)

	for (int j = 0; j < 8; j++)
	{
		full[j] = len[j] / 8;
		if (full[j] > most)
			most = full[j];
	}
	for (size_t w = 0; w < most; w++)
	{
		__mmask8	live = 0;
		__m512i		s0 = v0,
					s1 = v1,
					s2 = v2,
					s3 = v3;

		for (int j = 0; j < 8; j++)
		{
			words[j] = w < full[j] ? load64(data[j] + 8 * w) : 0;
			if (w < full[j])
				live |= (__mmask8) (1 << j);
		}
		m = _mm512_loadu_si512(words);
		v3 = _mm512_xor_si512(v3, m);
		SIPROUND8();
		SIPROUND8();
		v0 = _mm512_xor_si512(v0, m);
		/* lanes past their last full word keep their state */
		v0 = _mm512_mask_mov_epi64(s0, live, v0);
		v1 = _mm512_mask_mov_epi64(s1, live, v1);
		v2 = _mm512_mask_mov_epi64(s2, live, v2);
		v3 = _mm512_mask_mov_epi64(s3, live, v3);
	}
	for (int j = 0; j < 8; j++)
		words[j] = (((uint64_t) len[j]) << 56) | load_tail(data[j] + 8 * full[j], len[j] - 8 * full[j]);
	m = _mm512_loadu_si512(words);
	v3 = _mm512_xor_si512(v3, m);
	SIPROUND8();
	SIPROUND8();
	v0 = _mm512_xor_si512(v0, m);
	v2 = _mm512_xor_si512(v2, _mm512_set1_epi64(0xff));
	SIPROUND8();
	SIPROUND8();
	SIPROUND8();
	SIPROUND8();
#undef SIPROUND8
	_mm512_storeu_si512(out, _mm512_xor_si512(_mm512_xor_si512(v0, v1), _mm512_xor_si512(v2, v3)));
}
#endif

/*
 * out[i] = ax_siphash24(key, data[i], len[i]) for i < n: eight at a time
 * where the CPU has AVX-512F (about three times as many hashes a second
 * for short messages), the rest one by one.
 */
void
ax_siphash24_many(const uint8_t key[AX_SALT_SIZE], const uint8_t *const *data, const size_t *len,
				  size_t n, uint64_t *out)
{
	size_t		i = 0;

#ifdef AX_SIPHASH_LANES
	static int	lanes = -1;

	if (lanes < 0)
		lanes = __builtin_cpu_supports("avx512f") ? 1 : 0;
	if (lanes && !ax_siphash_one_by_one)
		for (; i + 8 <= n; i += 8)
			siphash24_x8(key, data + i, len + i, out + i);
#endif
	for (; i < n; i++)
		out[i] = ax_siphash24(key, data[i], len[i]);
}

/*
 * The fingerprint a set carries to name its salt: a keyed hash of a fixed
 * string.  It identifies the salt without revealing it.
 */
uint64_t
ax_salt_fingerprint(const uint8_t key[AX_SALT_SIZE])
{
	static const char tag[] = "autoxfer subject_set salt fingerprint v1";

	return ax_siphash24(key, tag, sizeof(tag) - 1);
}

/* Insertion sort of a[0..n): the small buckets of the radix sort. */
static inline void
insertion_sort(uint64_t *a, size_t n)
{
	size_t		i,
				j;

	for (i = 1; i < n; i++)
	{
		uint64_t	x = a[i];

		for (j = i; j > 0 && a[j - 1] > x; j--)
			a[j] = a[j - 1];
		a[j] = x;
	}
}

/*
 * Sort src[0..n) into dst[0..n) by the 8-bit digits from bit shift down
 * (most significant first); src is scratch afterwards.  Buckets of up to
 * 24 keys are finished by insertion sort, larger ones by the next digit.
 * Keys are keyed hashes, uniform over 64 bits, so two levels sort a
 * buffer of a million keys; scattering into 256 buckets at a time stays
 * in cache.
 */
static void
msd_sort_into(uint64_t *src, uint64_t *dst, size_t n, int shift)
{
	size_t		count[256];
	size_t		pos[256];
	size_t		i,
				sum = 0;
	int			d;

	memset(count, 0, sizeof(count));
	for (i = 0; i < n; i++)
		count[(src[i] >> shift) & 0xff]++;
	for (d = 0; d < 256; d++)
	{
		pos[d] = sum;
		sum += count[d];
	}
	for (i = 0; i < n; i++)
	{
		uint64_t	x = src[i];

		dst[pos[(x >> shift) & 0xff]++] = x;
	}
	sum = 0;
	for (d = 0; d < 256; d++)
	{
		size_t		k = count[d];

		if (k <= 24 || shift == 0)
			insertion_sort(dst + sum, k);
		else if (k == n)
		{
			/* every key has this digit (many repeats): next digit, same arrays */
			memcpy(src + sum, dst + sum, k * sizeof(uint64_t));
			msd_sort_into(src + sum, dst + sum, k, shift - 8);
		}
		else
		{
			msd_sort_into(dst + sum, src + sum, k, shift - 8);
			memcpy(dst + sum, src + sum, k * sizeof(uint64_t));
		}
		sum += k;
	}
}

/*
 * Sort a[0..n) ascending and drop repeats, returning the new length; tmp
 * must hold AX_SORT_SCRATCH(n) words.
 */
size_t
ax_subject_sort_unique(uint64_t *a, size_t n, uint64_t *tmp)
{
	size_t		i,
				j;

	if (n == 0)
		return 0;
	if (n <= 24)
	{
		insertion_sort(a, n);
		for (i = 1, j = 1; i < n; i++)
			if (a[i] != a[j - 1])
				a[j++] = a[i];
		return j;
	}
	msd_sort_into(a, tmp, n, 56);
	/* copy back, dropping repeats */
	a[0] = tmp[0];
	for (i = 1, j = 1; i < n; i++)
		if (tmp[i] != a[j - 1])
			a[j++] = tmp[i];
	return j;
}

/*
 * out = a | b for sorted unique inputs; out holds na + nb words.  Returns
 * the length of out.
 */
size_t
ax_subject_union(const uint64_t *a, size_t na, const uint64_t *b, size_t nb, uint64_t *out)
{
	size_t		i = 0,
				j = 0,
				k = 0;

	while (i < na && j < nb)
	{
		uint64_t	x = a[i],
					y = b[j];

		out[k++] = x < y ? x : y;
		i += (x <= y);
		j += (y <= x);
	}
	while (i < na)
		out[k++] = a[i++];
	while (j < nb)
		out[k++] = b[j++];
	return k;
}

/*
 * out = a & b for sorted unique inputs; out holds min(na, nb) words.
 */
size_t
ax_subject_intersect(const uint64_t *a, size_t na, const uint64_t *b, size_t nb, uint64_t *out)
{
	size_t		i = 0,
				j = 0,
				k = 0;

	while (i < na && j < nb)
	{
		if (a[i] < b[j])
			i++;
		else if (a[i] > b[j])
			j++;
		else
		{
			out[k++] = a[i];
			i++;
			j++;
		}
	}
	return k;
}

/*
 * out = a - b for sorted unique inputs; out holds na words and may be a
 * itself.
 */
size_t
ax_subject_difference(const uint64_t *a, size_t na, const uint64_t *b, size_t nb, uint64_t *out)
{
	size_t		i = 0,
				j = 0,
				k = 0;

	/* branch-free: keep x when it is below b[j], step past equal keys */
	while (i < na && j < nb)
	{
		uint64_t	x = a[i],
					y = b[j];

		out[k] = x;
		k += (x < y);
		i += (x <= y);
		j += (y <= x);
	}
	while (i < na)
		out[k++] = a[i++];
	return k;
}

/*
 * |a - b| for sorted unique inputs, without writing anything: how many
 * members of a are new to b.
 */
size_t
ax_subject_count_not_in(const uint64_t *a, size_t na, const uint64_t *b, size_t nb)
{
	size_t		i = 0,
				j = 0,
				k = 0;

	while (i < na && j < nb)
	{
		uint64_t	x = a[i],
					y = b[j];

		k += (x < y);
		i += (x <= y);
		j += (y <= x);
	}
	return k + (na - i);
}

/*
 * Binary search of x in sorted a[0..n).
 */
bool
ax_subject_search(const uint64_t *a, size_t n, uint64_t x)
{
	size_t		lo = 0,
				hi = n;

	while (lo < hi)
	{
		size_t		mid = lo + (hi - lo) / 2;

		if (a[mid] < x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && a[lo] == x;
}

/*
 * Number of low bits kept per member for a set of n members:
 * 64 - ceil(log2(n)), at most 63.
 */
static inline int
low_bits(uint64_t n)
{
	int			ceil_log2;

	if (n <= 1)
		return 63;
	ceil_log2 = 64 - __builtin_clzll(n - 1);
	return 64 - ceil_log2;
}

/* Number of lower and upper words for n members. */
static inline void
word_counts(uint64_t n, int L, uint64_t *nlower, uint64_t *nupper)
{
	if (n == 0)
	{
		*nlower = *nupper = 0;
		return;
	}
	*nlower = (n * (uint64_t) L + 63) / 64;
	*nupper = (n + ((uint64_t) 1 << (64 - L)) + 63) / 64;
}

/*
 * Encoded size in bytes of a set of n members (n <= AX_SUBJECT_MAX_COUNT).
 */
uint64_t
ax_subject_encoded_size(uint64_t n)
{
	uint64_t	nl,
				nu;

	word_counts(n, low_bits(n), &nl, &nu);
	return AX_SUBJECT_HEADER_SIZE + 8 * (nl + nu);
}

/*
 * Start writing a set of exactly n members (given in ascending order to
 * ax_writer_put) into out, which holds ax_subject_encoded_size(n) bytes.
 */
void
ax_writer_init(AxSubjectWriter *w, uint8_t *out, uint64_t n, uint64_t fingerprint)
{
	uint64_t	nl;

	memset(w, 0, sizeof(*w));
	w->L = low_bits(n);
	word_counts(n, w->L, &nl, &w->nu);
	w->n = n;
	w->mask = ((uint64_t) 1 << w->L) - 1;
	w->lower = out + AX_SUBJECT_HEADER_SIZE;
	w->upper = w->lower + 8 * nl;
	out[0] = AX_SUBJECT_VERSION;
	out[1] = out[2] = out[3] = 0;
	store64(out + 4, fingerprint);
	store64(out + 12, n);
}

/*
 * Append the next member: its low bits packed LSB first into the lower
 * words, one set bit at (x >> L) + i in the upper words.
 */
void
ax_writer_put(AxSubjectWriter *w, uint64_t x)
{
	uint64_t	low = x & w->mask;
	uint64_t	pos = (x >> w->L) + w->i;
	uint64_t	idx = pos >> 6;

	/* only a corrupt source gives these; never write out of bounds */
	if (w->i >= w->n || idx >= w->nu || (w->i > 0 && pos <= w->lastpos))
	{
		w->bad = true;
		return;
	}
	w->lastpos = pos;
	w->acc |= low << w->accbits;
	if (w->accbits + w->L >= 64)
	{
		store64(w->lower + 8 * w->lw++, w->acc);
		w->acc = low >> (64 - w->accbits);
		w->accbits = w->accbits + w->L - 64;
	}
	else
		w->accbits += w->L;

	while (w->curidx < idx)
	{
		store64(w->upper + 8 * w->curidx, w->curword);
		w->curword = 0;
		w->curidx++;
	}
	w->curword |= (uint64_t) 1 << (pos & 63);
	w->i++;
}

/*
 * Flush the partial words and zero the rest.
 */
void
ax_writer_finish(AxSubjectWriter *w)
{
	if (w->n == 0)
		return;
	if (w->accbits > 0)
		store64(w->lower + 8 * w->lw++, w->acc);
	while (w->curidx < w->nu)
	{
		store64(w->upper + 8 * w->curidx, w->curword);
		w->curword = 0;
		w->curidx++;
	}
}

/*
 * Encode sorted unique a[0..n) with its salt fingerprint into out, which
 * holds ax_subject_encoded_size(n) bytes.
 */
void
ax_subject_encode(const uint64_t *a, size_t n, uint64_t fingerprint, uint8_t *out)
{
	AxSubjectWriter w;
	size_t		i;

	ax_writer_init(&w, out, n, fingerprint);
	for (i = 0; i < n; i++)
		ax_writer_put(&w, a[i]);
	ax_writer_finish(&w);
}

/*
 * Read and check the fixed header and the length the count implies.
 */
AxSubjectStatus
ax_subject_read_header(const uint8_t *p, size_t len, AxSubjectHeader *h)
{
	uint64_t	need;

	if (len < AX_SUBJECT_HEADER_SIZE)
		return AX_SUBJECT_TRUNCATED;
	if (p[0] != AX_SUBJECT_VERSION)
		return AX_SUBJECT_BAD_VERSION;
	if (p[1] || p[2] || p[3])
		return AX_SUBJECT_BAD_RESERVED;
	h->version = p[0];
	h->fingerprint = load64(p + 4);
	h->count = load64(p + 12);
	if (h->count > AX_SUBJECT_MAX_COUNT)
		return AX_SUBJECT_BAD_COUNT;
	need = ax_subject_encoded_size(h->count);
	if (len < need)
		return AX_SUBJECT_TRUNCATED;
	if (len > need)
		return AX_SUBJECT_TRAILING;
	return AX_SUBJECT_OK;
}

/*
 * Decode and fully validate an encoded set; members go to out (which holds
 * the header's count of words) unless out is NULL.  Every byte is checked:
 * any input that is not exactly the encoding of a strictly ascending set
 * is refused.
 */
static AxSubjectStatus
decode(const uint8_t *p, size_t len, uint64_t *out)
{
	AxSubjectHeader h;
	AxSubjectStatus st = ax_subject_read_header(p, len, &h);
	uint64_t	n,
				nl,
				nu,
				buckets,
				mask,
				prev = 0,
				i = 0,
				w;
	int			L;
	const uint8_t *lower;
	const uint8_t *upper;
	uint64_t	lbit;

	if (st != AX_SUBJECT_OK)
		return st;
	n = h.count;
	if (n == 0)
		return AX_SUBJECT_OK;
	L = low_bits(n);
	word_counts(n, L, &nl, &nu);
	buckets = (uint64_t) 1 << (64 - L);
	mask = ((uint64_t) 1 << L) - 1;
	lower = p + AX_SUBJECT_HEADER_SIZE;
	upper = lower + 8 * nl;

	/* padding of the lower words */
	lbit = n * (uint64_t) L;
	if ((lbit & 63) != 0 && (load64(lower + 8 * (nl - 1)) >> (lbit & 63)) != 0)
		return AX_SUBJECT_BAD_PADDING;
	/* padding of the upper words */
	if (((n + buckets) & 63) != 0 &&
		(load64(upper + 8 * (nu - 1)) >> ((n + buckets) & 63)) != 0)
		return AX_SUBJECT_BAD_PADDING;

	for (w = 0; w < nu; w++)
	{
		uint64_t	word = load64(upper + 8 * w);

		while (word)
		{
			uint64_t	pos = w * 64 + __builtin_ctzll(word);
			uint64_t	high,
						low,
						x,
						bo;
			uint64_t	lw;
			int			sh;

			word &= word - 1;
			if (i >= n)
				return AX_SUBJECT_BAD_UPPER;
			high = pos - i;
			if (high >= buckets)
				return AX_SUBJECT_BAD_UPPER;
			bo = i * (uint64_t) L;
			lw = bo >> 6;
			sh = (int) (bo & 63);
			low = load64(lower + 8 * lw) >> sh;
			if (sh + L > 64)
				low |= load64(lower + 8 * (lw + 1)) << (64 - sh);
			low &= mask;
			x = (L == 64 ? 0 : high << L) | low;
			if (i > 0 && x <= prev)
				return AX_SUBJECT_NOT_ASCENDING;
			if (out)
				out[i] = x;
			prev = x;
			i++;
		}
	}
	if (i != n)
		return AX_SUBJECT_BAD_UPPER;
	return AX_SUBJECT_OK;
}

/*
 * Decode a validated or untrusted encoded set into out (header's count
 * words).
 */
AxSubjectStatus
ax_subject_decode(const uint8_t *p, size_t len, uint64_t *out)
{
	return decode(p, len, out);
}

/*
 * Validate an encoded set without keeping its members.
 */
AxSubjectStatus
ax_subject_validate(const uint8_t *p, size_t len)
{
	return decode(p, len, NULL);
}

/*
 * Membership of x in a valid encoded set, without decoding it: find the
 * start of x's bucket in the upper bits (the (x >> L)-th zero), then
 * compare the low bits of that bucket's members.
 */
bool
ax_subject_encoded_contains(const uint8_t *p, size_t len, uint64_t x)
{
	AxSubjectHeader h;
	uint64_t	n,
				nl,
				nu,
				high,
				mask,
				zeros = 0,
				w,
				pos;
	int			L;
	const uint8_t *lower;
	const uint8_t *upper;

	if (ax_subject_read_header(p, len, &h) != AX_SUBJECT_OK || h.count == 0)
		return false;
	n = h.count;
	L = low_bits(n);
	word_counts(n, L, &nl, &nu);
	mask = ((uint64_t) 1 << L) - 1;
	high = x >> L;
	lower = p + AX_SUBJECT_HEADER_SIZE;
	upper = lower + 8 * nl;

	/* position just after the high-th zero bit (bucket high starts there) */
	pos = 0;
	if (high > 0)
	{
		for (w = 0; w < nu; w++)
		{
			uint64_t	word = ~load64(upper + 8 * w);
			uint64_t	z = (uint64_t) __builtin_popcountll(word);

			if (zeros + z >= high)
			{
				/* drop zeros until the high-th */
				uint64_t	k = high - zeros;

				while (--k)
					word &= word - 1;
				pos = w * 64 + __builtin_ctzll(word) + 1;
				break;
			}
			zeros += z;
		}
		if (w == nu)
			return false;
	}
	/* members of bucket high: consecutive one bits from pos */
	for (;;)
	{
		uint64_t	i,
					bo,
					low;
		int			sh;

		if ((pos >> 6) >= nu ||
			!((load64(upper + 8 * (pos >> 6)) >> (pos & 63)) & 1))
			return false;
		i = pos - high;
		if (i >= n)
			return false;
		bo = i * (uint64_t) L;
		sh = (int) (bo & 63);
		low = load64(lower + 8 * (bo >> 6)) >> sh;
		if (sh + L > 64)
			low |= load64(lower + 8 * ((bo >> 6) + 1)) << (64 - sh);
		low &= mask;
		if (low == (x & mask))
			return true;
		if (low > (x & mask))
			return false;
		pos++;
	}
}

/*
 * The 32-bit words of space an index of a set with header h needs (h read
 * by ax_subject_read_header): a sample per AX_INDEX_STEP buckets.
 */
size_t
ax_subject_index_space(const AxSubjectHeader *h)
{
	if (h->count == 0)
		return 1;
	return (size_t) ((((uint64_t) 1 << (64 - low_bits(h->count))) >> AX_INDEX_SHIFT) + 1);
}

/*
 * Index the encoded set p (its header h read by ax_subject_read_header, so
 * its length is right) in space (ax_subject_index_space(h) words).  False
 * when the upper bits do not hold exactly the header's count of members
 * and enough zeros for every bucket (a corrupt set); the index then finds
 * nothing.  A valid set (ax_subject_validate) is indexed exactly:
 * ax_subject_index_contains answers as ax_subject_encoded_contains does;
 * on a corrupt one it never reads out of bounds.
 */
bool
ax_subject_index_build(AxSubjectIndex *ix, const uint8_t *p, const AxSubjectHeader *h,
					   uint32_t *space)
{
	uint64_t	nl,
				buckets,
				ones = 0,
				zeros = 0;

	memset(ix, 0, sizeof(*ix));
	if (h->count == 0)
		return true;
	ix->L = low_bits(h->count);
	word_counts(h->count, ix->L, &nl, &ix->nu);
	ix->mask = ((uint64_t) 1 << ix->L) - 1;
	ix->lower = p + AX_SUBJECT_HEADER_SIZE;
	ix->upper = ix->lower + 8 * nl;
	ix->first = space;
	buckets = (uint64_t) 1 << (64 - ix->L);
	/* bucket 0 starts at bit 0; bucket b just after the b-th zero */
	space[ix->nfirst++] = 0;
	for (uint64_t w = 0; w < ix->nu; w++)
	{
		uint64_t	word = load64(ix->upper + 8 * w);
		uint64_t	z = ~word;
		uint64_t	next = ix->nfirst << AX_INDEX_SHIFT;

		ones += (uint64_t) __builtin_popcountll(word);
		if (zeros + (uint64_t) __builtin_popcountll(z) < next || next >= buckets)
		{
			zeros += (uint64_t) __builtin_popcountll(z);
			continue;
		}
		while (z)
		{
			int			bit = __builtin_ctzll(z);

			z &= z - 1;
			if (++zeros == next && next < buckets)
			{
				/* members before the bit: its position less the zeros */
				space[ix->nfirst++] = (uint32_t) (w * 64 + bit + 1 - zeros);
				next = ix->nfirst << AX_INDEX_SHIFT;
			}
		}
	}
	if (ones != h->count || zeros < buckets - 1 ||
		ix->nfirst != ((buckets - 1) >> AX_INDEX_SHIFT) + 1)
	{
		memset(ix, 0, sizeof(*ix));
		return false;
	}
	ix->n = h->count;
	return true;
}

/*
 * Membership of x in the set of an index: from the sample below x's bucket
 * (x >> L), the zeros of the upper bits up to the bucket skipped, then the
 * low bits of that bucket's members compared, as
 * ax_subject_encoded_contains does.
 */
bool
ax_subject_index_contains(const AxSubjectIndex *ix, uint64_t x)
{
	uint64_t	high,
				j,
				k,
				pos;

	if (ix->n == 0)
		return false;
	high = x >> ix->L;
	j = high >> AX_INDEX_SHIFT;
	if (j >= ix->nfirst)
		return false;
	/* the start of bucket j * AX_INDEX_STEP: its first member plus the zeros before it */
	pos = ix->first[j] + (j << AX_INDEX_SHIFT);
	/* skip the zeros of the buckets below x's */
	k = high & (AX_INDEX_STEP - 1);
	while (k > 0)
	{
		uint64_t	w = pos >> 6;
		uint64_t	z;

		if (w >= ix->nu)
			return false;
		z = ~load64(ix->upper + 8 * w) & (~(uint64_t) 0 << (pos & 63));
		while (z && k > 1)
		{
			z &= z - 1;
			k--;
		}
		if (z == 0)
		{
			pos = (w + 1) << 6;
			continue;
		}
		pos = (w << 6) + __builtin_ctzll(z) + 1;
		k = 0;
	}
	/* members of bucket high: consecutive one bits from pos */
	for (;;)
	{
		uint64_t	i,
					bo,
					low;
		int			sh;

		if ((pos >> 6) >= ix->nu ||
			!((load64(ix->upper + 8 * (pos >> 6)) >> (pos & 63)) & 1))
			return false;
		i = pos - high;
		if (i >= ix->n)
			return false;
		bo = i * (uint64_t) ix->L;
		sh = (int) (bo & 63);
		low = load64(ix->lower + 8 * (bo >> 6)) >> sh;
		if (sh + ix->L > 64)
			low |= load64(ix->lower + 8 * ((bo >> 6) + 1)) << (64 - sh);
		low &= ix->mask;
		if (low >= (x & ix->mask))
			return low == (x & ix->mask);
		pos++;
	}
}

/*
 * The slots a probe table of up to n members needs: half as many again,
 * so that it is at most two thirds full (a few probes a test), and at
 * least one more than n, so that an empty slot always ends a probe.
 * 0 when that many would not fit in size_t bytes.
 */
uint64_t
ax_subject_probe_slots(uint64_t n)
{
	uint64_t	slots = n + n / 2 + 1;

	if (n > (UINT64_MAX / 2) / sizeof(uint64_t) || slots > SIZE_MAX / sizeof(uint64_t))
		return 0;
	return slots;
}

/*
 * An empty probe table over slots (nslots of them, from
 * ax_subject_probe_slots).
 */
void
ax_subject_probe_init(AxSubjectProbe *t, uint64_t *slots, uint64_t nslots)
{
	t->slots = slots;
	t->nslots = nslots;
	t->n = 0;
	t->has_zero = false;
	if (nslots > 0)
		memset(slots, 0, nslots * sizeof(uint64_t));
}

/*
 * Add x to the probe table (nothing if it is there).  False, and nothing
 * added, when the table already holds as many members as it was sized for
 * (it must keep an empty slot).
 */
bool
ax_subject_probe_add(AxSubjectProbe *t, uint64_t x)
{
	uint64_t	k;

	if (x == 0)
	{
		t->has_zero = true;
		return true;
	}
	if (t->nslots == 0)
		return false;
	k = ax_subject_probe_find(t, x);
	if (t->slots[k] == x)
		return true;
	if (t->n + 1 >= t->nslots)
		return false;
	t->slots[k] = x;
	t->n++;
	return true;
}

/*
 * Add every member of the indexed set ix (a valid set: the index was built
 * over it) to the probe table.  False when the table fills up first, or
 * the set's words turn out corrupt.
 */
bool
ax_subject_probe_add_set(AxSubjectProbe *t, const AxSubjectIndex *ix)
{
	AxSubjectCursor c;
	uint64_t	x;

	if (ix->n == 0)
		return true;
	ax_cursor_encoded(&c, ix->lower - AX_SUBJECT_HEADER_SIZE, ix->n);
	while (ax_cursor_next(&c, &x))
		if (!ax_subject_probe_add(t, x))
			return false;
	return !c.corrupt;
}

/*
 * Merge sorted unique b into sorted unique a in place, from the back: a
 * has room for nout words, nout being na plus the members of b not in a,
 * so no write overtakes an unread member of a.
 */
void
ax_subject_merge_into(uint64_t *a, size_t na, const uint64_t *b, size_t nb, size_t nout)
{
	size_t		i = na,
				j = nb,
				k = nout;

	while (j > 0 && k > i)
	{
		uint64_t	y = b[j - 1];

		if (i > 0 && a[i - 1] > y)
		{
			a[--k] = a[--i];
		}
		else
		{
			if (i > 0 && a[i - 1] == y)
				i--;
			a[--k] = y;
			j--;
		}
	}
}

/*
 * Insert sorted b[0..nb), none of them in a, into sorted a[0..na), which
 * has room for na + nb words.  From the back: each member of b finds its
 * place by exponential search, and the run of a above it moves up in one
 * memmove, so few new members cost little more than the moves.
 */
void
ax_subject_insert_disjoint(uint64_t *a, size_t na, const uint64_t *b, size_t nb)
{
	size_t		i = na;
	size_t		j = nb;

	while (j > 0)
	{
		uint64_t	y = b[j - 1];
		size_t		lo,
					hi,
					step = 1;

		/* find pos in [0, i]: a[pos - 1] < y < a[pos] */
		hi = i;
		while (step <= i && a[i - step] > y)
		{
			hi = i - step;
			step *= 2;
		}
		lo = step <= i ? i - step : 0;
		while (lo < hi)
		{
			size_t		mid = lo + (hi - lo) / 2;

			if (a[mid] > y)
				hi = mid;
			else
				lo = mid + 1;
		}
		memmove(a + lo + j, a + lo, (i - lo) * sizeof(uint64_t));
		a[lo + j - 1] = y;
		i = lo;
		j--;
	}
}

/* A cursor over sorted array a[0..n). */
void
ax_cursor_array(AxSubjectCursor *c, const uint64_t *a, size_t n)
{
	memset(c, 0, sizeof(*c));
	c->arr = a;
	c->n = n;
}

/* Shape of an encoded cursor of n members, no words yet. */
static void
cursor_shape(AxSubjectCursor *c, uint64_t n)
{
	memset(c, 0, sizeof(*c));
	c->n = n;
	if (n == 0)
		return;
	c->L = low_bits(n);
	word_counts(n, c->L, &c->nl, &c->nu);
	c->mask = ((uint64_t) 1 << c->L) - 1;
}

/*
 * A cursor over the encoded set at p with n members (header already read
 * and the length checked against n), every word in memory.
 */
void
ax_cursor_encoded(AxSubjectCursor *c, const uint8_t *p, uint64_t n)
{
	cursor_shape(c, n);
	if (n == 0)
		return;
	c->lower = p + AX_SUBJECT_HEADER_SIZE;
	c->upper = c->lower + 8 * c->nl;
	c->lend = c->nl;
	c->uend = c->nu;
	ax_cursor_rewind(c);
}

/*
 * A cursor over an encoded set of n members whose words are loaded by
 * refill, a window at a time (refill calls ax_cursor_window).
 */
void
ax_cursor_streamed(AxSubjectCursor *c, uint64_t n, AxSubjectRefill refill, void *arg)
{
	cursor_shape(c, n);
	c->refill = refill;
	c->arg = arg;
	ax_cursor_rewind(c);
}

/* Called by a refill callback: words first .. first+count-1 are at words. */
void
ax_cursor_window(AxSubjectCursor *c, bool upper, uint64_t first, uint64_t count,
				 const uint8_t *words)
{
	if (upper)
	{
		c->upper = words;
		c->ubase = first;
		c->uend = first + count;
	}
	else
	{
		c->lower = words;
		c->lbase = first;
		c->lend = first + count;
	}
}

/*
 * Word idx of the upper or lower part, loading its window when needed
 * (inlined with a constant part, so the choice costs nothing).
 */
static inline uint64_t
cursor_word(AxSubjectCursor *c, bool upper, uint64_t idx)
{
	uint64_t   *base = upper ? &c->ubase : &c->lbase;
	uint64_t   *end = upper ? &c->uend : &c->lend;

	if (idx < *base || idx >= *end)
	{
		if (c->refill == NULL || idx >= (upper ? c->nu : c->nl))
		{
			c->corrupt = true;
			return 0;
		}
		c->refill(c, upper, idx);
		if (idx < *base || idx >= *end)
		{
			c->corrupt = true;
			return 0;
		}
	}
	return load64((upper ? c->upper : c->lower) + 8 * (idx - *base));
}

#define lower_word(c, idx)	cursor_word((c), false, (idx))
#define upper_word(c, idx)	cursor_word((c), true, (idx))

/* Back to the first member. */
void
ax_cursor_rewind(AxSubjectCursor *c)
{
	c->i = 0;
	c->w = 0;
	c->word = 0;
	if (c->arr == NULL && c->n > 0)
		c->word = upper_word(c, 0);
}

/*
 * Next member of an encoded cursor (called by ax_cursor_next).
 */
bool
ax_cursor_next_encoded(AxSubjectCursor *c, uint64_t *x)
{
	uint64_t	pos,
				bo,
				low;
	int			sh;

	while (c->word == 0)
	{
		if (++c->w >= c->nu || c->corrupt)
		{
			c->corrupt = true;
			c->i = c->n;
			return false;
		}
		c->word = upper_word(c, c->w);
	}
	pos = c->w * 64 + __builtin_ctzll(c->word);
	c->word &= c->word - 1;
	bo = c->i * (uint64_t) c->L;
	sh = (int) (bo & 63);
	low = lower_word(c, bo >> 6) >> sh;
	if (sh + c->L > 64)
		low |= lower_word(c, (bo >> 6) + 1) << (64 - sh);
	*x = ((pos - c->i) << c->L) | (low & c->mask);
	c->i++;
	return true;
}

/*
 * Advance an encoded cursor past every member whose high part (x >> L) is
 * below th, reading only the upper bits: whole words are skipped by
 * popcount, so members are passed over at a few bits' cost each.
 */
static void
cursor_skip_high(AxSubjectCursor *c, uint64_t th)
{
	for (;;)
	{
		uint64_t	ones_end = c->i + (uint64_t) __builtin_popcountll(c->word);

		/* zeros up to the end of this word: bucket th starts here or later? */
		if (64 * (c->w + 1) - ones_end >= th || ones_end >= c->n)
			break;
		c->i = ones_end;
		if (++c->w >= c->nu || c->corrupt)
		{
			c->corrupt = true;
			c->i = c->n;
			return;
		}
		c->word = upper_word(c, c->w);
	}
	while (c->word && c->i < c->n)
	{
		uint64_t	pos = c->w * 64 + __builtin_ctzll(c->word);

		if (pos - c->i >= th)
			break;
		c->word &= c->word - 1;
		c->i++;
	}
}

/*
 * |a - b| over two cursors, rewound first.  When b is encoded and much
 * larger than a (a transfer against the year's ledger), b is skipped bucket
 * by bucket instead of decoded member by member.
 */
uint64_t
ax_cursor_count_not_in(AxSubjectCursor *a, AxSubjectCursor *b)
{
	uint64_t	x,
				y,
				k = 0;
	bool		hx,
				hy;

	ax_cursor_rewind(a);
	ax_cursor_rewind(b);
	hx = ax_cursor_next(a, &x);
	hy = ax_cursor_next(b, &y);
	if (b->arr == NULL && b->n > 0 && a->n < b->n / 4)
	{
		while (hx)
		{
			if (hy && y < x)
			{
				if ((y >> b->L) < (x >> b->L))
					cursor_skip_high(b, x >> b->L);
				do
					hy = ax_cursor_next(b, &y);
				while (hy && y < x);
			}
			k += (!hy || y != x);
			hx = ax_cursor_next(a, &x);
		}
		return k;
	}
	while (hx && hy)
	{
		if (x < y)
		{
			k++;
			hx = ax_cursor_next(a, &x);
		}
		else
		{
			if (x == y)
				hx = ax_cursor_next(a, &x);
			hy = ax_cursor_next(b, &y);
		}
	}
	while (hx)
	{
		k++;
		hx = ax_cursor_next(a, &x);
	}
	return k;
}

/*
 * Size of the result of a set operation, from one merge pass.
 */
uint64_t
ax_cursor_op_count(AxSetOp op, AxSubjectCursor *a, AxSubjectCursor *b)
{
	switch (op)
	{
		case AX_OP_UNION:
			return a->n + ax_cursor_count_not_in(b, a);
		case AX_OP_INTERSECT:
			return b->n - ax_cursor_count_not_in(b, a);
		case AX_OP_DIFFERENCE:
			return ax_cursor_count_not_in(a, b);
	}
	return 0;
}

/*
 * Encode the result of a set operation (n members, from
 * ax_cursor_op_count) into out, merging the two cursors a second time.
 * False when an input turned out corrupt (out is then not a valid set).
 */
bool
ax_cursor_op_encode(AxSetOp op, AxSubjectCursor *a, AxSubjectCursor *b,
					uint64_t n, uint64_t fingerprint, uint8_t *out)
{
	AxSubjectWriter w;
	uint64_t	x,
				y;
	bool		hx,
				hy;

	ax_writer_init(&w, out, n, fingerprint);
	ax_cursor_rewind(a);
	ax_cursor_rewind(b);
	hx = ax_cursor_next(a, &x);
	hy = ax_cursor_next(b, &y);
	while (hx && hy && w.i < n)
	{
		if (x < y)
		{
			if (op != AX_OP_INTERSECT)
				ax_writer_put(&w, x);
			hx = ax_cursor_next(a, &x);
		}
		else if (y < x)
		{
			if (op == AX_OP_UNION)
				ax_writer_put(&w, y);
			else if (b->arr == NULL && (y >> b->L) < (x >> b->L))
				cursor_skip_high(b, x >> b->L);	/* b's members below x are not needed */
			hy = ax_cursor_next(b, &y);
		}
		else
		{
			if (op != AX_OP_DIFFERENCE)
				ax_writer_put(&w, x);
			hx = ax_cursor_next(a, &x);
			hy = ax_cursor_next(b, &y);
		}
	}
	while (hx && op != AX_OP_INTERSECT && w.i < n)
	{
		ax_writer_put(&w, x);
		hx = ax_cursor_next(a, &x);
	}
	while (hy && op == AX_OP_UNION && w.i < n)
	{
		ax_writer_put(&w, y);
		hy = ax_cursor_next(b, &y);
	}
	ax_writer_finish(&w);
	return !w.bad && w.i == n && !a->corrupt && !b->corrupt;
}

/*
 * The result of an intersection or a difference (not a union) of two
 * cursors, rewound first, in one merge pass: its members go to out, which
 * has room for a->n words; returns how many, or -1 when an input turned
 * out corrupt (members out of order included).  b is skipped bucket by
 * bucket where it runs ahead, as in ax_cursor_op_encode; with the members
 * in an array, the encoding needs no second pass over b (which may be a
 * year's ledger streamed from storage).
 */
int64_t
ax_cursor_op_collect(AxSetOp op, AxSubjectCursor *a, AxSubjectCursor *b, uint64_t *out)
{
	uint64_t	x,
				y,
				k = 0;
	bool		hx,
				hy,
				first = true;
	uint64_t	last = 0;

	if (op == AX_OP_UNION)
		return -1;
	ax_cursor_rewind(a);
	ax_cursor_rewind(b);
	hx = ax_cursor_next(a, &x);
	hy = ax_cursor_next(b, &y);
	while (hx)
	{
		if (!first && x <= last)
			return -1;
		first = false;
		last = x;
		if (hy && y < x)
		{
			if (b->arr == NULL && (y >> b->L) < (x >> b->L))
				cursor_skip_high(b, x >> b->L);	/* b's members below x are not needed */
			do
				hy = ax_cursor_next(b, &y);
			while (hy && y < x);
		}
		if ((op == AX_OP_INTERSECT) == (hy && y == x))
		{
			if (k >= a->n)
				return -1;
			out[k++] = x;
		}
		hx = ax_cursor_next(a, &x);
	}
	if (a->corrupt || b->corrupt)
		return -1;
	return (int64_t) k;
}

/*
 * Do two cursors hold the same members?
 */
bool
ax_cursor_equal(AxSubjectCursor *a, AxSubjectCursor *b)
{
	uint64_t	x,
				y;

	if (a->n != b->n)
		return false;
	ax_cursor_rewind(a);
	ax_cursor_rewind(b);
	while (ax_cursor_next(a, &x))
	{
		if (!ax_cursor_next(b, &y) || x != y)
			return false;
	}
	return !a->corrupt && !b->corrupt;
}

/*
 * Human-readable text of a decoder status, for error messages.
 */
const char *
ax_subject_status_message(AxSubjectStatus st)
{
	switch (st)
	{
		case AX_SUBJECT_OK:
			return "valid";
		case AX_SUBJECT_TRUNCATED:
			return "data shorter than its header or member count requires";
		case AX_SUBJECT_TRAILING:
			return "trailing bytes after the last member";
		case AX_SUBJECT_BAD_VERSION:
			return "unknown format version";
		case AX_SUBJECT_BAD_RESERVED:
			return "reserved header bytes are not zero";
		case AX_SUBJECT_BAD_COUNT:
			return "member count out of range";
		case AX_SUBJECT_BAD_UPPER:
			return "member index bits do not match the member count";
		case AX_SUBJECT_NOT_ASCENDING:
			return "members repeated or not in ascending order";
		case AX_SUBJECT_BAD_PADDING:
			return "non-zero padding bits";
	}
	return "unknown error";
}
