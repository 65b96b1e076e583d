/*
 * subject_set.c
 *		SQL type autoxfer.subject_set: exact sets of individuals as salted
 *		64-bit hashes, with text and binary I/O, an expanded in-memory form
 *		that aggregate transition functions change in place, the aggregates'
 *		support functions, set algebra and the per-database salt cache.
 *
 * On disk a set is the compact encoding of subject_core.h behind a varlena
 * header.  In memory, while an aggregate runs, it is an expanded object
 * (utils/expandeddatum.h): a sorted unique array of members plus a small
 * unsorted buffer of new hashes, sorted and merged in when it fills.
 */
#include "postgres.h"

#include "access/detoast.h"
#include "access/table.h"
#include "access/tableam.h"
#include "catalog/namespace.h"
#include "commands/trigger.h"
#include "common/base64.h"
#include "executor/tuptable.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "libpq/pqformat.h"
#include "utils/builtins.h"
#include "utils/expandeddatum.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"

#include "subject_set.h"
#include "vocab.h"

#define AX_SUBJECT_TEXT_PREFIX	"axs1:"
#define AX_BUF_MIN				16
#define AX_BUF_SMALL			256

/* ---------------------------------------------------------------- salt */

static bool salt_valid = false;
static Oid	salt_relid = InvalidOid;
static uint8_t salt_key[AX_SALT_SIZE];
static uint64_t salt_fp;

/*
 * Relcache callback: a change to the salt table (signalled by its trigger,
 * or the table being dropped) or a full reset forgets the cached salt.
 */
static void
salt_relcache_callback(Datum arg, Oid relid)
{
	if (relid == InvalidOid || relid == salt_relid)
		salt_valid = false;
}

/*
 * Load the salt from autoxfer.subject_salt.  The table is read directly
 * (no privilege check), so every role can hash with a salt that only
 * autoxfer_admin can read.
 */
static void
load_salt(void)
{
	Oid			relid;
	Relation	rel;
	TableScanDesc scan;
	TupleTableSlot *slot;
	bool		pushed = false;
	int			rows = 0;

	relid = get_relname_relid("subject_salt", ax_schema_oid());
	if (!OidIsValid(relid))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("table autoxfer.subject_salt does not exist"),
				 errhint("Reinstall the extension autoxfer.")));
	if (!ActiveSnapshotSet())
	{
		PushActiveSnapshot(GetTransactionSnapshot());
		pushed = true;
	}
	rel = table_open(relid, AccessShareLock);
	slot = table_slot_create(rel, NULL);
	scan = table_beginscan(rel, GetActiveSnapshot(), 0, NULL);
	while (table_scan_getnextslot(scan, ForwardScanDirection, slot))
	{
		bool		isnull;
		Datum		d = slot_getattr(slot, 2, &isnull);
		bytea	   *b;

		if (isnull)
			continue;
		b = DatumGetByteaPP(d);
		if (VARSIZE_ANY_EXHDR(b) != AX_SALT_SIZE)
			ereport(ERROR,
					(errcode(ERRCODE_DATA_CORRUPTED),
					 errmsg("autoxfer subject salt has %d bytes, expected %d",
							(int) VARSIZE_ANY_EXHDR(b), AX_SALT_SIZE)));
		memcpy(salt_key, VARDATA_ANY(b), AX_SALT_SIZE);
		rows++;
	}
	table_endscan(scan);
	ExecDropSingleTupleTableSlot(slot);
	table_close(rel, AccessShareLock);
	if (pushed)
		PopActiveSnapshot();
	if (rows != 1)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("autoxfer.subject_salt holds %d salts, expected exactly one", rows),
				 errhint("Restore the salt from a dump of this database, or set one with autoxfer.set_subject_salt().")));
	salt_fp = ax_salt_fingerprint(salt_key);
	salt_relid = relid;
	salt_valid = true;
}

/*
 * The database's salt and its fingerprint, loaded once per backend and
 * reloaded after the salt table changes.
 */
const uint8_t *
ax_subject_salt(uint64_t *fingerprint)
{
	if (!salt_valid)
		load_salt();
	if (fingerprint)
		*fingerprint = salt_fp;
	return salt_key;
}

/*
 * Register the salt cache's invalidation callback and the GUCs.
 */
void
ax_subject_init(void)
{
	CacheRegisterRelcacheCallback(salt_relcache_callback, (Datum) 0);
	ax_ledger_init();
}

PG_FUNCTION_INFO_V1(subject_salt_changed);
/*
 * Statement trigger on autoxfer.subject_salt: table DML sends no cache
 * invalidation by itself, so send a relcache one; every backend then drops
 * its cached salt at its next command.
 */
Datum
subject_salt_changed(PG_FUNCTION_ARGS)
{
	TriggerData *td = (TriggerData *) fcinfo->context;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("subject_salt_changed() must be called as a trigger")));
	CacheInvalidateRelcache(td->tg_relation);
	return PointerGetDatum(NULL);
}

PG_FUNCTION_INFO_V1(subject_new_salt);
/*
 * 16 bytes from the operating system's strong random source: a new salt.
 */
Datum
subject_new_salt(PG_FUNCTION_ARGS)
{
	bytea	   *b = palloc(VARHDRSZ + AX_SALT_SIZE);

	SET_VARSIZE(b, VARHDRSZ + AX_SALT_SIZE);
	if (!pg_strong_random(VARDATA(b), AX_SALT_SIZE))
		ereport(ERROR,
				(errcode(ERRCODE_INTERNAL_ERROR),
				 errmsg("could not generate a random salt")));
	PG_RETURN_BYTEA_P(b);
}

/* ---------------------------------------------------------------- errors */

/*
 * Refuse to combine sets made under different salts: their hashes name
 * different people, so any union or count would be wrong.
 */
static void
check_same_salt(uint64_t a, uint64_t b)
{
	if (a != b)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("subject sets were made under different salts"),
				 errdetail("Salt fingerprints %016llx and %016llx differ.",
						   (unsigned long long) a, (unsigned long long) b),
				 errhint("Sets from another database can be combined only when both databases share one salt (autoxfer.set_subject_salt).")));
}

/*
 * Report a corrupt stored set (one that passed input validation cannot be:
 * this means damaged storage).
 */
static void
report_corrupt(AxSubjectStatus st)
{
	ereport(ERROR,
			(errcode(ERRCODE_DATA_CORRUPTED),
			 errmsg("corrupt autoxfer.subject_set: %s", ax_subject_status_message(st))));
}

/* ---------------------------------------------------------------- expanded */

typedef struct AxSubjectSet
{
	ExpandedObjectHeader hdr;
	uint64_t	fingerprint;
	uint64_t   *members;		/* sorted unique */
	size_t		n;
	size_t		cap;			/* words allocated for members */
	uint64_t   *buf;			/* unsorted new hashes */
	uint64_t   *tmp;			/* sort scratch, AX_SORT_SCRATCH(bufcap) words */
	size_t		nbuf;
	size_t		bufcap;
	uint64_t	last;			/* the hash added last (0: none) */
	Size		bytes;			/* bytes of the three arrays now */
	Size		peak;			/* most bytes at any moment */
} AxSubjectSet;

static Size ss_get_flat_size(ExpandedObjectHeader *eohptr);
static void ss_flatten_into(ExpandedObjectHeader *eohptr, void *result, Size allocated_size);

static const ExpandedObjectMethods ss_methods = {
	ss_get_flat_size,
	ss_flatten_into
};

/*
 * Allocate words for a set's arrays in its own context, keeping the byte
 * count and its peak.
 */
static uint64_t *
ss_alloc(AxSubjectSet *s, size_t words)
{
	uint64_t   *p;

	p = MemoryContextAllocHuge(s->hdr.eoh_context, Max(words, 1) * sizeof(uint64_t));
	s->bytes += Max(words, 1) * sizeof(uint64_t);
	s->peak = Max(s->peak, s->bytes);
	return p;
}

/* Free words allocated by ss_alloc. */
static void
ss_free(AxSubjectSet *s, uint64_t *p, size_t words)
{
	if (p == NULL)
		return;
	pfree(p);
	s->bytes -= Max(words, 1) * sizeof(uint64_t);
}

/*
 * A new empty expanded set in a child context of parent.
 */
static AxSubjectSet *
ss_new(MemoryContext parent, uint64_t fingerprint)
{
	MemoryContext cxt = AllocSetContextCreate(parent, "autoxfer subject_set",
											  ALLOCSET_SMALL_SIZES);
	AxSubjectSet *s = MemoryContextAllocZero(cxt, sizeof(AxSubjectSet));

	EOH_init_header(&s->hdr, &ss_methods, cxt);
	s->fingerprint = fingerprint;
	return s;
}

/*
 * Make room for at least want members, growing by a quarter: repalloc of a
 * large block is a realloc(), which moves pages rather than copying on
 * Linux, and fresh pages are what is expensive to touch.
 */
static void
ss_reserve(AxSubjectSet *s, size_t want)
{
	size_t		cap;

	if (want <= s->cap)
		return;
	cap = Max(want, s->cap + s->cap / 4);
	cap = Max(cap, 64);
	if (s->members == NULL)
		s->members = MemoryContextAllocHuge(s->hdr.eoh_context, cap * sizeof(uint64_t));
	else
		s->members = repalloc_huge(s->members, cap * sizeof(uint64_t));
	/* count old and new while both may exist, then the new only */
	s->peak = Max(s->peak, s->bytes + cap * sizeof(uint64_t));
	s->bytes += (cap - s->cap) * sizeof(uint64_t);
	s->cap = cap;
}

/*
 * Merge sorted unique b[0..nb) into the members, in place from the back
 * after counting how many are new.
 */
static void
ss_merge_sorted(AxSubjectSet *s, const uint64_t *b, size_t nb)
{
	size_t		fresh = ax_subject_count_not_in(b, nb, s->members, s->n);

	if (fresh == 0)
		return;
	ss_reserve(s, s->n + fresh);
	ax_subject_merge_into(s->members, s->n, b, nb, s->n + fresh);
	s->n += fresh;
}

/*
 * Sort and dedupe the buffer and add its new hashes to the members.
 */
static void
ss_flush(AxSubjectSet *s)
{
	size_t		m,
				fresh;

	if (s->nbuf == 0)
		return;
	m = ax_subject_sort_unique(s->buf, s->nbuf, s->tmp);
	/* keep only the hashes not yet members, then insert those */
	fresh = ax_subject_difference(s->buf, m, s->members, s->n, s->buf);
	if (fresh > 0)
	{
		ss_reserve(s, s->n + fresh);
		ax_subject_insert_disjoint(s->members, s->n, s->buf, fresh);
		s->n += fresh;
	}
	s->nbuf = 0;
}

/*
 * Add one hash, skipping an immediate repeat.  The buffer starts at 16
 * words and doubles, up to a quarter of the members (at least 256), so
 * merging costs a few word moves per row and the buffer never dominates
 * memory.
 */
static inline void
ss_add(AxSubjectSet *s, uint64_t h)
{
	/* rows of one individual often come together: skip a repeat at once */
	if (h == s->last && h != 0)
		return;
	s->last = h;
	if (unlikely(s->nbuf == s->bufcap))
	{
		size_t		target;

		ss_flush(s);
		target = Max(AX_BUF_SMALL, s->n / 4);
		if (s->bufcap < target || s->bufcap == 0)
		{
			size_t		cap = s->bufcap ? s->bufcap * 2 : AX_BUF_MIN;

			ss_free(s, s->buf, s->bufcap);
			ss_free(s, s->tmp, AX_SORT_SCRATCH(s->bufcap));
			s->buf = ss_alloc(s, cap);
			s->tmp = ss_alloc(s, AX_SORT_SCRATCH(cap));
			s->bufcap = cap;
		}
	}
	s->buf[s->nbuf++] = h;
}

/* Encoded payload size of a normalised set, refusing sets above 1 GB. */
static Size
flat_size_for(size_t n)
{
	uint64_t	size = VARHDRSZ + ax_subject_encoded_size(n);

	if (size > MaxAllocSize)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("autoxfer.subject_set of %zu members exceeds the 1 GB value limit", n)));
	return (Size) size;
}

/* EOH method: flat size (normalising the set first). */
static Size
ss_get_flat_size(ExpandedObjectHeader *eohptr)
{
	AxSubjectSet *s = (AxSubjectSet *) eohptr;

	ss_flush(s);
	return flat_size_for(s->n);
}

/* EOH method: write the flat encoding. */
static void
ss_flatten_into(ExpandedObjectHeader *eohptr, void *result, Size allocated_size)
{
	AxSubjectSet *s = (AxSubjectSet *) eohptr;

	Assert(s->nbuf == 0);
	Assert(allocated_size == flat_size_for(s->n));
	SET_VARSIZE(result, allocated_size);
	ax_subject_encode(s->members, s->n, s->fingerprint, (uint8_t *) VARDATA(result));
}

/* Is d one of our expanded sets? */
static inline bool
is_expanded(Datum d)
{
	return VARATT_IS_EXTERNAL_EXPANDED(DatumGetPointer(d)) &&
		DatumGetEOHP(d)->eoh_methods == &ss_methods;
}

/*
 * Decode a flat set value into a new palloc'd word array (NULL when
 * empty); corrupt data raises an error.
 */
static uint64_t *
decode_flat(struct varlena *v, size_t *n, uint64_t *fingerprint)
{
	const uint8_t *p = (const uint8_t *) VARDATA_ANY(v);
	size_t		len = VARSIZE_ANY_EXHDR(v);
	AxSubjectHeader h;
	AxSubjectStatus st;
	uint64_t   *words;

	st = ax_subject_read_header(p, len, &h);
	if (st != AX_SUBJECT_OK)
		report_corrupt(st);
	words = h.count ? palloc_extended(h.count * sizeof(uint64_t), MCXT_ALLOC_HUGE) : NULL;
	st = ax_subject_decode(p, len, words);
	if (st != AX_SUBJECT_OK)
		report_corrupt(st);
	*n = h.count;
	*fingerprint = h.fingerprint;
	return words;
}

/*
 * A R/W expanded set for d, in a child context of cxt: d itself when it is
 * already one of ours and writable, else a new expanded copy.
 */
static AxSubjectSet *
expand_rw(Datum d, MemoryContext cxt)
{
	AxSubjectSet *s;

	if (VARATT_IS_EXTERNAL_EXPANDED_RW(DatumGetPointer(d)) && is_expanded(d))
		return (AxSubjectSet *) DatumGetEOHP(d);
	if (is_expanded(d))
	{
		AxSubjectSet *src = (AxSubjectSet *) DatumGetEOHP(d);

		ss_flush(src);
		s = ss_new(cxt, src->fingerprint);
		ss_reserve(s, src->n);
		memcpy(s->members, src->members, src->n * sizeof(uint64_t));
		s->n = src->n;
	}
	else
	{
		struct varlena *v = PG_DETOAST_DATUM(d);
		AxSubjectHeader h;
		AxSubjectStatus st;

		st = ax_subject_read_header((uint8_t *) VARDATA_ANY(v), VARSIZE_ANY_EXHDR(v), &h);
		if (st != AX_SUBJECT_OK)
			report_corrupt(st);
		s = ss_new(cxt, h.fingerprint);
		ss_reserve(s, h.count);
		st = ax_subject_decode((uint8_t *) VARDATA_ANY(v), VARSIZE_ANY_EXHDR(v), s->members);
		if (st != AX_SUBJECT_OK)
			report_corrupt(st);
		s->n = h.count;
	}
	return s;
}

/*
 * A read-only view of a set argument: the members of an expanded set in
 * place, or those of a flat set decoded into a temporary array.
 */
typedef struct SetView
{
	const uint64_t *m;
	size_t		n;
	uint64_t	fingerprint;
	uint64_t   *owned;
} SetView;

/* Fill a SetView for a set argument (used by the combine function). */
static void
view_set(Datum d, SetView *v)
{
	if (is_expanded(d))
	{
		AxSubjectSet *s = (AxSubjectSet *) DatumGetEOHP(d);

		ss_flush(s);
		v->m = s->members;
		v->n = s->n;
		v->fingerprint = s->fingerprint;
		v->owned = NULL;
	}
	else
	{
		v->owned = decode_flat(PG_DETOAST_DATUM(d), &v->n, &v->fingerprint);
		v->m = v->owned;
	}
}

/* Release a SetView's temporary array. */
static void
view_release(SetView *v)
{
	if (v->owned)
		pfree(v->owned);
}

/*
 * A flat set value from sorted unique words.
 */
static Datum
flat_from_words(const uint64_t *m, size_t n, uint64_t fingerprint)
{
	Size		size = flat_size_for(n);
	struct varlena *v = palloc(size);

	SET_VARSIZE(v, size);
	ax_subject_encode(m, n, fingerprint, (uint8_t *) VARDATA(v));
	return PointerGetDatum(v);
}

/* The keyed hash of a text identifier under the database's salt. */
static inline uint64_t
hash_text(const uint8_t *key, text *t)
{
	return ax_siphash24(key, VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
}

/*
 * The members of a set value as a sorted array in the current memory
 * context (NULL when empty), for code that tests membership of many
 * identifiers; errors if the set was made under another salt.
 */
uint64_t *
ax_subject_set_members(Datum d, size_t *n)
{
	SetView		v;
	uint64_t	fp;
	uint64_t   *out;

	(void) ax_subject_salt(&fp);
	view_set(d, &v);
	check_same_salt(v.fingerprint, fp);
	if (v.owned)
		out = v.owned;
	else
	{
		out = v.n ? palloc_extended(v.n * sizeof(uint64_t), MCXT_ALLOC_HUGE) : NULL;
		if (v.n)
			memcpy(out, v.m, v.n * sizeof(uint64_t));
	}
	*n = v.n;
	return out;
}

/*
 * An index over a set value for many membership tests
 * (ax_subject_index_contains), without decoding it: the value is copied,
 * detoasted, into cxt, fully validated and indexed there.  Errors if the
 * set is corrupt or was made under another salt, as
 * ax_subject_set_members does.
 */
void
ax_subject_set_index(Datum d, MemoryContext cxt, AxSubjectIndex *ix)
{
	MemoryContext old = MemoryContextSwitchTo(cxt);
	struct varlena *v = PG_DETOAST_DATUM_COPY(d);
	const uint8_t *p = (const uint8_t *) VARDATA_ANY(v);
	size_t		len = VARSIZE_ANY_EXHDR(v);
	AxSubjectHeader h;
	AxSubjectStatus st;
	uint64_t	fp;

	MemoryContextSwitchTo(old);
	(void) ax_subject_salt(&fp);
	st = ax_subject_read_header(p, len, &h);
	if (st != AX_SUBJECT_OK)
		report_corrupt(st);
	check_same_salt(h.fingerprint, fp);
	st = ax_subject_validate(p, len);
	if (st != AX_SUBJECT_OK)
		report_corrupt(st);
	if (!ax_subject_index_build(ix, p, &h,
								MemoryContextAllocHuge(cxt, sizeof(uint32_t) * ax_subject_index_space(&h))))
		report_corrupt(AX_SUBJECT_BAD_UPPER);
}

/* A set value (flat) of sorted unique hashes made under this database's salt. */
Datum
ax_subject_set_from_words(const uint64_t *m, size_t n)
{
	uint64_t	fp;

	(void) ax_subject_salt(&fp);
	return flat_from_words(m, n, fp);
}

/* The hash of an identifier under the database's salt, as subjects() makes it. */
uint64_t
ax_subject_hash(const char *data, size_t len)
{
	return ax_siphash24(ax_subject_salt(NULL), data, len);
}

/* out[i] = ax_subject_hash(data[i], len[i]) for i < n, several at a time. */
void
ax_subject_hash_many(const char *const *data, const size_t *len, size_t n, uint64_t *out)
{
	ax_siphash24_many(ax_subject_salt(NULL), (const uint8_t *const *) data, len, n, out);
}

/* ---------------------------------------------------------------- I/O */

/*
 * Validate an untrusted encoded set, raising an error that names the fault.
 */
static void
validate_input(const uint8_t *p, size_t len, int sqlstate, const char *form)
{
	AxSubjectStatus st = ax_subject_validate(p, len);

	if (st != AX_SUBJECT_OK)
		ereport(ERROR,
				(errcode(sqlstate),
				 errmsg("invalid %s autoxfer.subject_set: %s", form,
						ax_subject_status_message(st)),
				 errdetail("%zu bytes of encoded set.", len),
				 errhint("A subject_set comes only from autoxfer's own output functions; it cannot be written by hand.")));
}

PG_FUNCTION_INFO_V1(subject_set_in);
/*
 * Text input: "axs1:" followed by the base64 of the encoded set, checked
 * in full.
 */
Datum
subject_set_in(PG_FUNCTION_ARGS)
{
	char	   *str = PG_GETARG_CSTRING(0);
	size_t		plen = strlen(AX_SUBJECT_TEXT_PREFIX);
	size_t		len = strlen(str);
	int			b64len,
				maxlen,
				got;
	struct varlena *v;

	if (len < plen || strncmp(str, AX_SUBJECT_TEXT_PREFIX, plen) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("invalid input syntax for type autoxfer.subject_set: \"%.40s%s\"",
						str, len > 40 ? "..." : ""),
				 errdetail("The text form starts with \"%s\".", AX_SUBJECT_TEXT_PREFIX),
				 errhint("Use the output of autoxfer.subjects() or of a subject_set cast to text.")));
	if (len - plen > (size_t) (MaxAllocSize / 4 * 3))
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("autoxfer.subject_set text of %zu bytes is too long", len)));
	b64len = (int) (len - plen);
	maxlen = pg_b64_dec_len(b64len);
	v = palloc(VARHDRSZ + maxlen + 1);
	got = pg_b64_decode(str + plen, b64len, VARDATA(v), maxlen);
	if (got < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("invalid input syntax for type autoxfer.subject_set: bad base64 after \"%s\"",
						AX_SUBJECT_TEXT_PREFIX),
				 errhint("Use the output of autoxfer.subjects() or of a subject_set cast to text.")));
	validate_input((uint8_t *) VARDATA(v), got, ERRCODE_INVALID_TEXT_REPRESENTATION, "text");
	SET_VARSIZE(v, VARHDRSZ + got);
	PG_RETURN_POINTER(v);
}

PG_FUNCTION_INFO_V1(subject_set_out);
/*
 * Text output: "axs1:" and the base64 of the encoded set.
 */
Datum
subject_set_out(PG_FUNCTION_ARGS)
{
	struct varlena *v = PG_GETARG_VARLENA_P(0);
	int			len = VARSIZE_ANY_EXHDR(v);
	size_t		plen = strlen(AX_SUBJECT_TEXT_PREFIX);
	int			enc = pg_b64_enc_len(len);
	char	   *out = palloc(plen + enc + 1);
	int			got;

	memcpy(out, AX_SUBJECT_TEXT_PREFIX, plen);
	got = pg_b64_encode(VARDATA_ANY(v), len, out + plen, enc);
	if (got < 0)
		elog(ERROR, "could not encode autoxfer.subject_set as base64");
	out[plen + got] = '\0';
	PG_RETURN_CSTRING(out);
}

PG_FUNCTION_INFO_V1(subject_set_recv);
/*
 * Binary input: the encoded set, every byte checked.
 */
Datum
subject_set_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	int			len = buf->len - buf->cursor;
	struct varlena *v;

	validate_input((uint8_t *) buf->data + buf->cursor, len,
				   ERRCODE_INVALID_BINARY_REPRESENTATION, "binary");
	v = palloc(VARHDRSZ + len);
	SET_VARSIZE(v, VARHDRSZ + len);
	pq_copymsgbytes(buf, VARDATA(v), len);
	PG_RETURN_POINTER(v);
}

PG_FUNCTION_INFO_V1(subject_set_send);
/*
 * Binary output: the encoded set as is.
 */
Datum
subject_set_send(PG_FUNCTION_ARGS)
{
	struct varlena *v = PG_GETARG_VARLENA_P(0);
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendbytes(&buf, VARDATA_ANY(v), VARSIZE_ANY_EXHDR(v));
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/* ---------------------------------------------------------------- aggregates */

/*
 * The memory context a transition function keeps its state in: the
 * aggregate's, or the caller's when called as a plain function.
 */
static MemoryContext
state_context(FunctionCallInfo fcinfo)
{
	MemoryContext aggcxt;

	if (AggCheckCallContext(fcinfo, &aggcxt))
		return aggcxt;
	return CurrentMemoryContext;
}

PG_FUNCTION_INFO_V1(subjects_trans);
/*
 * Transition of autoxfer.subjects(text) and subject_count(text): hash the
 * identifier into the state, in place (the state is a R/W expanded object,
 * never copied per row).  NULL identifiers are skipped.
 */
Datum
subjects_trans(PG_FUNCTION_ARGS)
{
	AxSubjectSet *s;
	uint64_t	fp;
	const uint8_t *key;

	if (PG_ARGISNULL(0))
	{
		if (PG_ARGISNULL(1))
			PG_RETURN_NULL();
		key = ax_subject_salt(&fp);
		s = ss_new(state_context(fcinfo), fp);
	}
	else
	{
		s = expand_rw(PG_GETARG_DATUM(0), state_context(fcinfo));
		if (PG_ARGISNULL(1))
			PG_RETURN_DATUM(EOHPGetRWDatum(&s->hdr));
		key = ax_subject_salt(&fp);
		check_same_salt(s->fingerprint, fp);
	}
	if (!PG_ARGISNULL(1))
		ss_add(s, hash_text(key, PG_GETARG_TEXT_PP(1)));
	PG_RETURN_DATUM(EOHPGetRWDatum(&s->hdr));
}

PG_FUNCTION_INFO_V1(subject_set_combine);
/*
 * Combine function of the three aggregates and transition of
 * subject_union: the union of two sets, kept in the first (expanded, in
 * place).  Sets under different salts are refused.
 */
Datum
subject_set_combine(PG_FUNCTION_ARGS)
{
	AxSubjectSet *s;
	SetView		v;

	if (PG_ARGISNULL(1))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		s = expand_rw(PG_GETARG_DATUM(0), state_context(fcinfo));
		PG_RETURN_DATUM(EOHPGetRWDatum(&s->hdr));
	}
	if (PG_ARGISNULL(0))
	{
		s = expand_rw(PG_GETARG_DATUM(1), state_context(fcinfo));
		/* expand_rw returns the argument itself only when it is R/W */
		if (VARATT_IS_EXTERNAL_EXPANDED_RW(DatumGetPointer(PG_GETARG_DATUM(1))))
		{
			AxSubjectSet *copy = ss_new(state_context(fcinfo), s->fingerprint);

			ss_merge_sorted(copy, s->members, s->n);
			s = copy;
		}
		PG_RETURN_DATUM(EOHPGetRWDatum(&s->hdr));
	}
	s = expand_rw(PG_GETARG_DATUM(0), state_context(fcinfo));
	view_set(PG_GETARG_DATUM(1), &v);
	check_same_salt(s->fingerprint, v.fingerprint);
	ss_merge_sorted(s, v.m, v.n);
	view_release(&v);
	PG_RETURN_DATUM(EOHPGetRWDatum(&s->hdr));
}

/*
 * The empty set under this database's salt.
 */
static Datum
empty_set(void)
{
	uint64_t	fp;

	ax_subject_salt(&fp);
	return flat_from_words(NULL, 0, fp);
}

PG_FUNCTION_INFO_V1(subjects_final);
/*
 * Final function of subjects() and subject_union(): the state, or the
 * empty set when no row had a value.
 */
Datum
subjects_final(PG_FUNCTION_ARGS)
{
	if (PG_ARGISNULL(0))
		PG_RETURN_DATUM(empty_set());
	if (is_expanded(PG_GETARG_DATUM(0)))
	{
		AxSubjectSet *s = (AxSubjectSet *) DatumGetEOHP(PG_GETARG_DATUM(0));

		ss_flush(s);
		elog(DEBUG1, "autoxfer.subjects: %zu members, peak %zu bytes of arrays (%.1f per member)",
			 s->n, s->peak, s->n ? (double) s->peak / s->n : 0.0);
	}
	PG_RETURN_DATUM(PG_GETARG_DATUM(0));
}

/* Number of members of a set value (expanded or flat, header only). */
static int64
set_cardinality(Datum d)
{
	struct varlena *v;
	AxSubjectHeader h;
	AxSubjectStatus st;

	if (is_expanded(d))
	{
		AxSubjectSet *s = (AxSubjectSet *) DatumGetEOHP(d);

		ss_flush(s);
		return (int64) s->n;
	}
	v = PG_DETOAST_DATUM_SLICE(d, 0, AX_SUBJECT_HEADER_SIZE);
	st = ax_subject_read_header((uint8_t *) VARDATA_ANY(v), VARSIZE_ANY_EXHDR(v), &h);
	/* a slice is shorter than the whole: only the header fields matter */
	if (st != AX_SUBJECT_OK && st != AX_SUBJECT_TRUNCATED)
		report_corrupt(st);
	if (VARSIZE_ANY_EXHDR(v) < AX_SUBJECT_HEADER_SIZE)
		report_corrupt(AX_SUBJECT_TRUNCATED);
	return (int64) h.count;
}

PG_FUNCTION_INFO_V1(subject_count_final);
/*
 * Final function of subject_count(text): the number of distinct
 * identifiers (0 when there were none).
 */
Datum
subject_count_final(PG_FUNCTION_ARGS)
{
	if (PG_ARGISNULL(0))
		PG_RETURN_INT64(0);
	if (is_expanded(PG_GETARG_DATUM(0)))
	{
		AxSubjectSet *s = (AxSubjectSet *) DatumGetEOHP(PG_GETARG_DATUM(0));

		ss_flush(s);
		elog(DEBUG1, "autoxfer.subject_count: %zu members, peak %zu bytes of arrays (%.1f per member)",
			 s->n, s->peak, s->n ? (double) s->peak / s->n : 0.0);
	}
	PG_RETURN_INT64(set_cardinality(PG_GETARG_DATUM(0)));
}

/* ---------------------------------------------------------------- functions */

PG_FUNCTION_INFO_V1(subject_set_cardinality);
/* autoxfer.cardinality(subject_set): number of members. */
Datum
subject_set_cardinality(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64(set_cardinality(PG_GETARG_DATUM(0)));
}

PG_FUNCTION_INFO_V1(subject_set_empty);
/* autoxfer.empty_subject_set(): the empty set under this database's salt. */
Datum
subject_set_empty(PG_FUNCTION_ARGS)
{
	PG_RETURN_DATUM(empty_set());
}

PG_FUNCTION_INFO_V1(subject_set_of);
/* autoxfer.subject_of(text): the one-member set of an identifier. */
Datum
subject_set_of(PG_FUNCTION_ARGS)
{
	uint64_t	fp;
	const uint8_t *key = ax_subject_salt(&fp);
	uint64_t	h = hash_text(key, PG_GETARG_TEXT_PP(0));

	PG_RETURN_DATUM(flat_from_words(&h, 1, fp));
}

PG_FUNCTION_INFO_V1(subject_set_contains);
/*
 * autoxfer.contains(subject_set, text): is the identifier a member?  The
 * set must be under this database's salt (the identifier is hashed here).
 */
Datum
subject_set_contains(PG_FUNCTION_ARGS)
{
	Datum		d = PG_GETARG_DATUM(0);
	uint64_t	fp;
	const uint8_t *key = ax_subject_salt(&fp);
	uint64_t	h = hash_text(key, PG_GETARG_TEXT_PP(1));
	struct varlena *v;
	AxSubjectHeader hd;
	AxSubjectStatus st;

	if (is_expanded(d))
	{
		AxSubjectSet *s = (AxSubjectSet *) DatumGetEOHP(d);

		check_same_salt(s->fingerprint, fp);
		ss_flush(s);
		PG_RETURN_BOOL(ax_subject_search(s->members, s->n, h));
	}
	v = PG_DETOAST_DATUM(d);
	st = ax_subject_read_header((uint8_t *) VARDATA_ANY(v), VARSIZE_ANY_EXHDR(v), &hd);
	if (st != AX_SUBJECT_OK)
		report_corrupt(st);
	check_same_salt(hd.fingerprint, fp);
	PG_RETURN_BOOL(ax_subject_encoded_contains((uint8_t *) VARDATA_ANY(v),
											   VARSIZE_ANY_EXHDR(v), h));
}

/*
 * Streaming of a large stored set: its TOAST chunks are read a window at a
 * time (detoast_attr_slice), so a 50 MB set is never copied whole into
 * memory and the same few windows' memory is reused.
 */
#define AX_STREAM_MIN_BYTES		(4 * 1024 * 1024)
#define AX_STREAM_WINDOW_WORDS	((uint64_t) 65536)	/* 512 kB */

typedef struct StreamSource
{
	struct varlena *attr;		/* the TOAST pointer */
	struct varlena *win[2];		/* current lower and upper windows */
} StreamSource;

/* Refill callback: load the window of words from word on, lower or upper. */
static void
stream_refill(AxSubjectCursor *c, bool upper, uint64_t word)
{
	StreamSource *src = (StreamSource *) c->arg;
	uint64_t	total = upper ? c->nu : c->nl;
	uint64_t	count = Min(AX_STREAM_WINDOW_WORDS, total - word);
	uint64_t	offset = AX_SUBJECT_HEADER_SIZE + (upper ? 8 * c->nl : 0) + 8 * word;
	struct varlena *slice;

	if (word >= total)
		return;					/* the cursor reports corruption */
	if (src->win[upper])
		pfree(src->win[upper]);
	src->win[upper] = NULL;
	slice = detoast_attr_slice(src->attr, (int32) offset, (int32) (8 * count));
	if (VARSIZE_ANY_EXHDR(slice) != 8 * count)
		report_corrupt(AX_SUBJECT_TRUNCATED);
	src->win[upper] = slice;
	ax_cursor_window(c, upper, word, count, (const uint8_t *) VARDATA_ANY(slice));
}

/*
 * A cursor over a set argument: the members of an expanded set in place,
 * the encoded members of a flat one decoded as they are read, and for a
 * large uncompressed TOASTed one, its chunks streamed.
 */
static void
open_cursor(Datum d, AxSubjectCursor *c, uint64_t *fingerprint)
{
	struct varlena *attr = (struct varlena *) DatumGetPointer(d);
	struct varlena *v;
	AxSubjectHeader h;
	AxSubjectStatus st;

	if (is_expanded(d))
	{
		AxSubjectSet *s = (AxSubjectSet *) DatumGetEOHP(d);

		ss_flush(s);
		ax_cursor_array(c, s->members, s->n);
		*fingerprint = s->fingerprint;
		return;
	}
	if (VARATT_IS_EXTERNAL_ONDISK(attr))
	{
		struct varatt_external toast_pointer;
		uint32		extsize;

		VARATT_EXTERNAL_GET_POINTER(toast_pointer, attr);
		extsize = VARATT_EXTERNAL_GET_EXTSIZE(toast_pointer);

		/* stored uncompressed (STORAGE external): slices are cheap */
		if (extsize == (uint32) (toast_pointer.va_rawsize - VARHDRSZ) &&
			extsize >= AX_STREAM_MIN_BYTES)
		{
			StreamSource *src = palloc0(sizeof(StreamSource));
			struct varlena *head = detoast_attr_slice(attr, 0, AX_SUBJECT_HEADER_SIZE);

			st = ax_subject_read_header((uint8_t *) VARDATA_ANY(head), VARSIZE_ANY_EXHDR(head), &h);
			if (st != AX_SUBJECT_OK && st != AX_SUBJECT_TRUNCATED)
				report_corrupt(st);
			if (VARSIZE_ANY_EXHDR(head) < AX_SUBJECT_HEADER_SIZE ||
				ax_subject_encoded_size(h.count) != extsize)
				report_corrupt(AX_SUBJECT_TRUNCATED);
			src->attr = attr;
			ax_cursor_streamed(c, h.count, stream_refill, src);
			*fingerprint = h.fingerprint;
			return;
		}
	}
	v = PG_DETOAST_DATUM(d);
	st = ax_subject_read_header((uint8_t *) VARDATA_ANY(v), VARSIZE_ANY_EXHDR(v), &h);
	if (st != AX_SUBJECT_OK)
		report_corrupt(st);
	ax_cursor_encoded(c, (uint8_t *) VARDATA_ANY(v), h.count);
	*fingerprint = h.fingerprint;
}

/* Open cursors on both set arguments, checking they share a salt. */
static void
open_pair(FunctionCallInfo fcinfo, AxSubjectCursor *a, AxSubjectCursor *b)
{
	uint64_t	fa,
				fb;

	open_cursor(PG_GETARG_DATUM(0), a, &fa);
	open_cursor(PG_GETARG_DATUM(1), b, &fb);
	check_same_salt(fa, fb);
}

/*
 * Apply a binary set operation to two set arguments: one merge pass counts
 * the result, a second writes its encoding, with no decoded copy of either
 * input.  An intersection or difference whose first input is no larger
 * than the second (a batch against a year's ledger) takes one pass
 * instead: its result, at most the first input, is gathered in an array
 * (no larger than a decoded copy of the smaller input) and encoded from
 * there, so the larger input is read once.
 */
static Datum
set_op(FunctionCallInfo fcinfo, AxSetOp op)
{
	AxSubjectCursor a,
				b;
	uint64_t	fa,
				fb,
				n;
	Size		size;
	struct varlena *v;

	open_cursor(PG_GETARG_DATUM(0), &a, &fa);
	open_cursor(PG_GETARG_DATUM(1), &b, &fb);
	check_same_salt(fa, fb);
	if (op != AX_OP_UNION && a.n <= b.n)
	{
		uint64_t   *m = palloc_extended(sizeof(uint64_t) * Max(a.n, 1), MCXT_ALLOC_HUGE);
		int64_t		k = ax_cursor_op_collect(op, &a, &b, m);
		AxSubjectWriter w;

		if (k < 0)
			report_corrupt(AX_SUBJECT_BAD_UPPER);
		size = flat_size_for((uint64_t) k);
		v = palloc_extended(size, MCXT_ALLOC_HUGE);
		SET_VARSIZE(v, size);
		ax_writer_init(&w, (uint8_t *) VARDATA(v), (uint64_t) k, fa);
		for (int64_t i = 0; i < k; i++)
			ax_writer_put(&w, m[i]);
		ax_writer_finish(&w);
		if (w.bad)
			report_corrupt(AX_SUBJECT_BAD_UPPER);
		pfree(m);
		PG_RETURN_POINTER(v);
	}
	n = ax_cursor_op_count(op, &a, &b);
	size = flat_size_for(n);
	v = palloc_extended(size, MCXT_ALLOC_HUGE);
	SET_VARSIZE(v, size);
	if (!ax_cursor_op_encode(op, &a, &b, n, fa, (uint8_t *) VARDATA(v)))
		report_corrupt(AX_SUBJECT_BAD_UPPER);
	PG_RETURN_POINTER(v);
}

PG_FUNCTION_INFO_V1(subject_set_union);
/* autoxfer.set_union(a, b), operator |. */
Datum
subject_set_union(PG_FUNCTION_ARGS)
{
	return set_op(fcinfo, AX_OP_UNION);
}

PG_FUNCTION_INFO_V1(subject_set_intersect);
/* autoxfer.set_intersect(a, b), operator &. */
Datum
subject_set_intersect(PG_FUNCTION_ARGS)
{
	return set_op(fcinfo, AX_OP_INTERSECT);
}

PG_FUNCTION_INFO_V1(subject_set_difference);
/* autoxfer.set_difference(a, b), operator -. */
Datum
subject_set_difference(PG_FUNCTION_ARGS)
{
	return set_op(fcinfo, AX_OP_DIFFERENCE);
}

PG_FUNCTION_INFO_V1(subject_set_count_new);
/*
 * autoxfer.count_new(candidate, already): members of candidate not in
 * already, without building the difference.
 */
Datum
subject_set_count_new(PG_FUNCTION_ARGS)
{
	AxSubjectCursor a,
				b;

	open_pair(fcinfo, &a, &b);
	PG_RETURN_INT64((int64) ax_cursor_count_not_in(&a, &b));
}

PG_FUNCTION_INFO_V1(subject_set_superset);
/* autoxfer.contains(a, b), operator @>: every member of b is in a. */
Datum
subject_set_superset(PG_FUNCTION_ARGS)
{
	AxSubjectCursor a,
				b;

	open_pair(fcinfo, &a, &b);
	PG_RETURN_BOOL(ax_cursor_count_not_in(&b, &a) == 0);
}

/*
 * Equality of two sets.  The encoding is canonical, so two flat sets of
 * the same size compare as bytes; otherwise their members are compared.
 */
static bool
set_equal(FunctionCallInfo fcinfo)
{
	AxSubjectCursor a,
				b;

	open_pair(fcinfo, &a, &b);
	if (a.n != b.n)
		return false;
	if (a.arr == NULL && b.arr == NULL && a.refill == NULL && b.refill == NULL && a.n > 0)
		return memcmp(a.lower, b.lower,
					  ax_subject_encoded_size(a.n) - AX_SUBJECT_HEADER_SIZE) == 0;
	return ax_cursor_equal(&a, &b);
}

PG_FUNCTION_INFO_V1(subject_set_eq);
/* Operator = on subject_set. */
Datum
subject_set_eq(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(set_equal(fcinfo));
}

PG_FUNCTION_INFO_V1(subject_set_ne);
/* Operator <> on subject_set. */
Datum
subject_set_ne(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(!set_equal(fcinfo));
}

PG_FUNCTION_INFO_V1(subject_set_fingerprint);
/*
 * autoxfer.salt_fingerprint(subject_set): the fingerprint of the salt the
 * set was made under, as 16 hex digits.
 */
Datum
subject_set_fingerprint(PG_FUNCTION_ARGS)
{
	Datum		d = PG_GETARG_DATUM(0);
	uint64_t	fp;

	if (is_expanded(d))
		fp = ((AxSubjectSet *) DatumGetEOHP(d))->fingerprint;
	else
	{
		struct varlena *v = PG_DETOAST_DATUM_SLICE(d, 0, AX_SUBJECT_HEADER_SIZE);
		AxSubjectHeader h;
		AxSubjectStatus st;

		if (VARSIZE_ANY_EXHDR(v) < AX_SUBJECT_HEADER_SIZE)
			report_corrupt(AX_SUBJECT_TRUNCATED);
		st = ax_subject_read_header((uint8_t *) VARDATA_ANY(v), VARSIZE_ANY_EXHDR(v), &h);
		if (st != AX_SUBJECT_OK && st != AX_SUBJECT_TRUNCATED)
			report_corrupt(st);
		fp = h.fingerprint;
	}
	PG_RETURN_TEXT_P(cstring_to_text(psprintf("%016llx", (unsigned long long) fp)));
}

PG_FUNCTION_INFO_V1(subject_salt_fingerprint);
/*
 * autoxfer.salt_fingerprint(): the fingerprint of this database's salt.
 */
Datum
subject_salt_fingerprint(PG_FUNCTION_ARGS)
{
	uint64_t	fp;

	ax_subject_salt(&fp);
	PG_RETURN_TEXT_P(cstring_to_text(psprintf("%016llx", (unsigned long long) fp)));
}
