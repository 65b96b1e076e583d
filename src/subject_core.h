/*
 * subject_core.h
 *		Pure C core of autoxfer.subject_set: keyed hashing of identifiers,
 *		sorted unique sets of 64-bit hashes, their set algebra, and the
 *		compact (Elias-Fano) encoding with full validation.
 *
 * Nothing here includes PostgreSQL headers, so the decoder builds and is
 * fuzzed on its own (test/fuzz/subject_fuzzer.c).
 *
 * Encoded form (all integers little-endian, no alignment assumed):
 *
 *	 offset  size  field
 *	 0       1     version (AX_SUBJECT_VERSION)
 *	 1       3     reserved, zero
 *	 4       8     salt fingerprint
 *	 12      8     n, the number of members (at most AX_SUBJECT_MAX_COUNT)
 *	 20      ...   lower bits: ceil(n * L / 64) 64-bit words
 *	 ...     ...   upper bits: ceil((n + 2^(64 - L)) / 64) 64-bit words
 *
 * with L = 64 - ceil(log2(n)), capped at 63 (n = 0: no words).  Member i
 * (strictly ascending x_i) keeps its low L bits at bit i * L of the lower
 * words and sets bit (x_i >> L) + i of the upper words.  L and both word
 * counts follow from n, padding bits are zero, so every set has exactly one
 * encoding: equal sets are equal bytes.
 */
#ifndef AUTOXFER_SUBJECT_CORE_H
#define AUTOXFER_SUBJECT_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define AX_SUBJECT_VERSION		1
#define AX_SUBJECT_HEADER_SIZE	20
/* 2^31 members: far above what a 1 GB value can hold, and overflow-safe */
#define AX_SUBJECT_MAX_COUNT	((uint64_t) 1 << 31)
#define AX_SALT_SIZE			16

typedef enum AxSubjectStatus
{
	AX_SUBJECT_OK = 0,
	AX_SUBJECT_TRUNCATED,		/* shorter than its header or its count says */
	AX_SUBJECT_TRAILING,		/* longer than its count says */
	AX_SUBJECT_BAD_VERSION,		/* unknown version byte */
	AX_SUBJECT_BAD_RESERVED,	/* reserved header bytes not zero */
	AX_SUBJECT_BAD_COUNT,		/* count above AX_SUBJECT_MAX_COUNT */
	AX_SUBJECT_BAD_UPPER,		/* upper bits do not hold exactly n members */
	AX_SUBJECT_NOT_ASCENDING,	/* members repeated or out of order */
	AX_SUBJECT_BAD_PADDING		/* non-zero padding bits */
} AxSubjectStatus;

typedef struct AxSubjectHeader
{
	uint8_t		version;
	uint64_t	fingerprint;
	uint64_t	count;
} AxSubjectHeader;

/* keyed hashing */
extern uint64_t ax_siphash24(const uint8_t key[AX_SALT_SIZE], const void *data, size_t len);
extern void ax_siphash24_many(const uint8_t key[AX_SALT_SIZE], const uint8_t *const *data,
							  const size_t *len, size_t n, uint64_t *out);
extern bool ax_siphash_one_by_one;
extern uint64_t ax_salt_fingerprint(const uint8_t key[AX_SALT_SIZE]);

/* sorted unique arrays; the sort's scratch holds AX_SORT_SCRATCH(n) words */
#define AX_SORT_SCRATCH(n)		(n)
extern void ax_subject_insert_disjoint(uint64_t *a, size_t na, const uint64_t *b, size_t nb);
extern size_t ax_subject_sort_unique(uint64_t *a, size_t n, uint64_t *tmp);
extern size_t ax_subject_union(const uint64_t *a, size_t na, const uint64_t *b, size_t nb, uint64_t *out);
extern size_t ax_subject_intersect(const uint64_t *a, size_t na, const uint64_t *b, size_t nb, uint64_t *out);
extern size_t ax_subject_difference(const uint64_t *a, size_t na, const uint64_t *b, size_t nb, uint64_t *out);
extern size_t ax_subject_count_not_in(const uint64_t *a, size_t na, const uint64_t *b, size_t nb);
extern bool ax_subject_search(const uint64_t *a, size_t n, uint64_t x);

/* in-place merge: a has room for nout = na + |b - a| words */
extern void ax_subject_merge_into(uint64_t *a, size_t na, const uint64_t *b, size_t nb, size_t nout);

/*
 * A cursor walks the members of a sorted array or of an encoded set in
 * ascending order without materialising them.  An encoded cursor expects a
 * set whose header was checked (ax_subject_read_header); should the body be
 * corrupt it never reads out of bounds and sets corrupt instead.  Its words
 * are either all in memory or streamed: a refill callback then loads a
 * window of words starting at the one asked for (forward reading only), so
 * a large stored set need not be copied whole into memory.
 */
typedef struct AxSubjectCursor AxSubjectCursor;
typedef void (*AxSubjectRefill) (AxSubjectCursor *c, bool upper, uint64_t word);

struct AxSubjectCursor
{
	const uint64_t *arr;		/* array source, or NULL */
	const uint8_t *lower;		/* lower words lbase .. lend-1 */
	const uint8_t *upper;		/* upper words ubase .. uend-1 */
	uint64_t	lbase;
	uint64_t	lend;
	uint64_t	ubase;
	uint64_t	uend;
	uint64_t	nl;
	uint64_t	nu;
	uint64_t	n;
	uint64_t	i;
	uint64_t	mask;
	uint64_t	w;				/* current upper word */
	uint64_t	word;			/* its bits not yet consumed */
	int			L;
	bool		corrupt;
	AxSubjectRefill refill;		/* NULL: every word in memory */
	void	   *arg;			/* for the refill callback */
};

/* The incremental encoder behind ax_subject_encode. */
typedef struct AxSubjectWriter
{
	uint8_t    *lower;
	uint8_t    *upper;
	uint64_t	n;
	uint64_t	i;
	uint64_t	mask;
	uint64_t	acc;
	uint64_t	lw;
	uint64_t	nu;
	uint64_t	curidx;
	uint64_t	curword;
	uint64_t	lastpos;
	int			L;
	int			accbits;
	bool		bad;			/* members out of order: nothing written past the end */
} AxSubjectWriter;

typedef enum AxSetOp
{
	AX_OP_UNION,
	AX_OP_INTERSECT,
	AX_OP_DIFFERENCE
} AxSetOp;

extern void ax_cursor_array(AxSubjectCursor *c, const uint64_t *a, size_t n);
extern void ax_cursor_encoded(AxSubjectCursor *c, const uint8_t *p, uint64_t n);
extern void ax_cursor_streamed(AxSubjectCursor *c, uint64_t n, AxSubjectRefill refill, void *arg);
extern void ax_cursor_window(AxSubjectCursor *c, bool upper, uint64_t first, uint64_t count,
							 const uint8_t *words);
extern void ax_cursor_rewind(AxSubjectCursor *c);
extern bool ax_cursor_next_encoded(AxSubjectCursor *c, uint64_t *x);

/* Next member of a cursor into *x; false at the end. */
static inline bool
ax_cursor_next(AxSubjectCursor *c, uint64_t *x)
{
	if (c->i >= c->n)
		return false;
	if (c->arr)
	{
		*x = c->arr[c->i++];
		return true;
	}
	return ax_cursor_next_encoded(c, x);
}

/* These rewind both cursors first, so one pair serves several passes. */
extern uint64_t ax_cursor_count_not_in(AxSubjectCursor *a, AxSubjectCursor *b);
extern uint64_t ax_cursor_op_count(AxSetOp op, AxSubjectCursor *a, AxSubjectCursor *b);
extern bool ax_cursor_op_encode(AxSetOp op, AxSubjectCursor *a, AxSubjectCursor *b,
								uint64_t n, uint64_t fingerprint, uint8_t *out);
extern bool ax_cursor_equal(AxSubjectCursor *a, AxSubjectCursor *b);
extern int64_t ax_cursor_op_collect(AxSetOp op, AxSubjectCursor *a, AxSubjectCursor *b,
									 uint64_t *out);

extern void ax_writer_init(AxSubjectWriter *w, uint8_t *out, uint64_t n, uint64_t fingerprint);
extern void ax_writer_put(AxSubjectWriter *w, uint64_t x);
extern void ax_writer_finish(AxSubjectWriter *w);

/* encoding */
extern uint64_t ax_subject_encoded_size(uint64_t n);
extern void ax_subject_encode(const uint64_t *a, size_t n, uint64_t fingerprint, uint8_t *out);
extern AxSubjectStatus ax_subject_read_header(const uint8_t *p, size_t len, AxSubjectHeader *h);
extern AxSubjectStatus ax_subject_decode(const uint8_t *p, size_t len, uint64_t *out);
extern AxSubjectStatus ax_subject_validate(const uint8_t *p, size_t len);
extern bool ax_subject_encoded_contains(const uint8_t *p, size_t len, uint64_t x);

/*
 * An index over an encoded set, for many membership tests against it
 * without decoding it: for every AX_INDEX_STEP-th bucket (a bucket: the
 * members sharing their upper bits), the index of its first member.  A
 * test starts from the sample below its bucket, skips fewer than
 * AX_INDEX_STEP zeros of the upper bits (a word or two) and compares the
 * low bits of its bucket's members.  The samples and the upper bits take
 * under a byte a member, small enough to stay in cache, so that a test
 * makes one read of the large part of the set (the low bits), where a
 * binary search of a decoded array makes log2(n) scattered reads.  The
 * encoded set must outlive the index.
 */
#define AX_INDEX_SHIFT			3
#define AX_INDEX_STEP			(1 << AX_INDEX_SHIFT)

typedef struct AxSubjectIndex
{
	const uint8_t *lower;
	const uint8_t *upper;
	uint64_t	n;
	uint64_t	nu;				/* upper words */
	uint64_t	mask;			/* of the low bits */
	int			L;
	const uint32_t *first;		/* first member of bucket j * AX_INDEX_STEP */
	uint64_t	nfirst;
} AxSubjectIndex;

extern size_t ax_subject_index_space(const AxSubjectHeader *h);
extern bool ax_subject_index_build(AxSubjectIndex *ix, const uint8_t *p, const AxSubjectHeader *h,
								   uint32_t *space);
extern bool ax_subject_index_contains(const AxSubjectIndex *ix, uint64_t x);
extern const char *ax_subject_status_message(AxSubjectStatus st);

/*
 * A probe table: an open-addressing hash table of members, for the
 * membership tests of a long scan (the policy of a role abroad tests the
 * subject of every personal row).  The members are keyed hashes, uniform
 * over 64 bits, so a member's home slot is its own value scaled to the
 * table (which keeps the order of the members: a sorted set fills the
 * table in one sweep); collisions probe onwards, wrapping at the end.  A
 * test reads one slot, rarely a few in the same cache line, where an index
 * over the encoded set (above) makes three dependent reads.  Zero marks
 * an empty slot; the member 0 is kept aside.  The table is at most two
 * thirds full.
 */
typedef struct AxSubjectProbe
{
	uint64_t   *slots;
	uint64_t	nslots;
	uint64_t	n;				/* members added */
	bool		has_zero;
} AxSubjectProbe;

extern uint64_t ax_subject_probe_slots(uint64_t n);
extern void ax_subject_probe_init(AxSubjectProbe *t, uint64_t *slots, uint64_t nslots);
extern bool ax_subject_probe_add(AxSubjectProbe *t, uint64_t x);
extern bool ax_subject_probe_add_set(AxSubjectProbe *t, const AxSubjectIndex *ix);

/*
 * The home slot of x in a table of n slots: x scaled to [0, n), the high
 * word of the 128-bit product (in 64-bit halves where the compiler has no
 * 128-bit integer).
 */
static inline uint64_t
ax_subject_probe_home(uint64_t x, uint64_t n)
{
#if defined(__SIZEOF_INT128__)
	return (uint64_t) (((unsigned __int128) x * n) >> 64);
#else
	uint64_t	xl = x & 0xFFFFFFFFu,
				xh = x >> 32,
				nl = n & 0xFFFFFFFFu,
				nh = n >> 32;
	uint64_t	ll = xl * nl,
				lh = xl * nh,
				hl = xh * nl,
				hh = xh * nh;
	uint64_t	mid = (ll >> 32) + (lh & 0xFFFFFFFFu) + (hl & 0xFFFFFFFFu);

	return hh + (lh >> 32) + (hl >> 32) + (mid >> 32);
#endif
}

/* Start fetching the slot a test of x in t reads first. */
static inline void
ax_subject_probe_prefetch(const AxSubjectProbe *t, uint64_t x)
{
	if (t->nslots > 0)
		__builtin_prefetch(&t->slots[ax_subject_probe_home(x, t->nslots)]);
}

/*
 * The slot of x (not 0) in the probe table t (nslots > 0): where it is, or
 * the empty slot its probe ends at.
 */
static inline uint64_t
ax_subject_probe_find(const AxSubjectProbe *t, uint64_t x)
{
	uint64_t	k = ax_subject_probe_home(x, t->nslots);

	while (t->slots[k] != x && t->slots[k] != 0)
		if (++k == t->nslots)
			k = 0;
	return k;
}

/* Whether x was added to the probe table t. */
static inline bool
ax_subject_probe_contains(const AxSubjectProbe *t, uint64_t x)
{
	if (x == 0)
		return t->has_zero;
	return t->nslots > 0 && t->slots[ax_subject_probe_find(t, x)] == x;
}


#endif							/* AUTOXFER_SUBJECT_CORE_H */
