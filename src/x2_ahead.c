/*
 * x2_ahead.c
 *		Read-ahead of the subjects of a heap page, for the policy of roles
 *		abroad (x2.c) in a sequential scan.
 *
 * For each personal row a role abroad reads, the policy hashes the row's
 * subject and looks the hash up in the recipient's part of the ledger: a
 * table of megabytes read at a random place, one cache miss a row, which
 * nothing overlaps when the rows are tested one by one, since the next
 * row is not known until this one is decided.  When the policy's call sees
 * a scan step onto the next page of a table, it reads that page once: it
 * hashes the subject of every tuple on it, keeps each hash with a copy of
 * the subject's bytes by line pointer, and has the caller test all the
 * page's hashes in one pass (where the caller's tables allow it), whose
 * reads of the tables overlap; each row's call then takes its answer from
 * what was kept.
 *
 * The answer never depends on what is read ahead: a row's kept hash and
 * kept answer are used only when the row's own subject (the policy's
 * argument) is byte for byte the subject kept for its line pointer, so
 * they are the hash the row's bytes give and the answer that hash gets;
 * anything else is hashed and tested as before.  The read-ahead happens
 * only where the call's arguments are the scanned row's own columns
 * (tableoid, ctid, the label and a text column of the same scan tuple), so
 * that no caller can have it read or compare a row of its choosing, and
 * only on heap tables.
 */
#include "postgres.h"

#include "access/heapam.h"
#include "access/htup_details.h"
#include "access/tableam.h"
#include "catalog/pg_type.h"
#include "nodes/nodeFuncs.h"
#include "nodes/primnodes.h"
#include "storage/bufmgr.h"
#include "utils/rel.h"

#include "subject_set.h"
#include "x2_ahead.h"

/* Subjects longer than this are not kept (hashed row by row). */
#define X2_AHEAD_BYTES		40
#define X2_AHEAD_NONE		0xFFFF

struct X2Ahead
{
	bool		usable;			/* the arguments are the scan tuple's own */
	AttrNumber	attno;			/* of the subject column */
	Oid			rel;			/* the relation of the pages below */
	bool		rel_ok;			/* a heap table whose attno is a text column */
	BlockNumber nblocks;		/* rel's size when last looked at */
	BlockNumber last_block;		/* the page of the previous row */
	BlockNumber block;			/* the page kept below (InvalidBlockNumber: none) */
	OffsetNumber maxoff;
	uint64		owner;			/* the caller's cache the hashes were made for */
	uint8		tested;			/* the caller's tallies the page's hashes were tested on */
	uint16		len[MaxHeapTuplesPerPage + 1];
	uint8		found[MaxHeapTuplesPerPage + 1];	/* bit t: in tally t */
	uint64		hash[MaxHeapTuplesPerPage + 1];
	char		bytes[MaxHeapTuplesPerPage + 1][X2_AHEAD_BYTES];
};

/*
 * The column a Var of the scan tuple reads, or 0: varno must be a range
 * table entry (not a join's inner or outer side) of the query level.
 */
static AttrNumber
scan_attno(Node *node, Index *varno)
{
	Var		   *var;

	if (node != NULL && IsA(node, RelabelType))
		node = (Node *) ((RelabelType *) node)->arg;
	if (node == NULL || !IsA(node, Var))
		return 0;
	var = (Var *) node;
	if (var->varlevelsup != 0 || IS_SPECIAL_VARNO(var->varno) || var->varno <= 0)
		return 0;
	if (*varno != 0 && *varno != (Index) var->varno)
		return 0;
	*varno = var->varno;
	return var->varattno;
}

/*
 * The read-ahead state of a call site of the policy's function (flinfo:
 * allocated in its fn_mcxt, kept by the caller): usable only when the
 * call's arguments rel_arg, tid_arg and subject_arg are the tableoid, ctid
 * and a text column of one scan tuple.
 */
X2Ahead *
ax_x2_ahead_make(FmgrInfo *flinfo, int rel_arg, int tid_arg, int subject_arg)
{
	Node	   *expr = flinfo->fn_expr;
	Index		varno = 0;
	X2Ahead    *a = MemoryContextAllocZero(flinfo->fn_mcxt, sizeof(X2Ahead));

	a->rel = InvalidOid;
	a->last_block = InvalidBlockNumber;
	a->block = InvalidBlockNumber;
	if (expr != NULL && IsA(expr, FuncExpr) &&
		list_length(((FuncExpr *) expr)->args) > Max(rel_arg, Max(tid_arg, subject_arg)))
	{
		List	   *args = ((FuncExpr *) expr)->args;
		Node	   *subject = list_nth(args, subject_arg);

		a->usable = scan_attno(list_nth(args, rel_arg), &varno) == TableOidAttributeNumber &&
			scan_attno(list_nth(args, tid_arg), &varno) == SelfItemPointerAttributeNumber &&
			exprType(subject) == TEXTOID;
		if (a->usable)
			a->attno = scan_attno(subject, &varno);
		a->usable = a->usable && a->attno > 0;
	}
	return a;
}

/*
 * Whether rel (open) is a heap table whose column attno holds text (or
 * varchar, which the policy reads as text without a conversion).
 */
static bool
rel_readable(Relation rel, AttrNumber attno)
{
	Form_pg_attribute att;

	if (rel->rd_rel->relkind != RELKIND_RELATION ||
		rel->rd_tableam != GetHeapamTableAmRoutine() ||
		RELATION_IS_OTHER_TEMP(rel) ||
		attno > RelationGetDescr(rel)->natts)
		return false;
	att = TupleDescAttr(RelationGetDescr(rel), attno - 1);
	return !att->attisdropped && att->attlen == -1 &&
		(att->atttypid == TEXTOID || att->atttypid == VARCHAROID);
}

/*
 * Read page block of rel: keep every tuple's subject and its hash, then
 * have test test the hashes all at once.
 */
static void
read_page(X2Ahead *a, Relation rel, BlockNumber block, AxTestBatch test, void *arg)
{
	TupleDesc	desc = RelationGetDescr(rel);
	Buffer		buf;
	Page		page;
	OffsetNumber maxoff;
	OffsetNumber kept[MaxHeapTuplesPerPage];
	int			nkept = 0;

	buf = ReadBufferExtended(rel, MAIN_FORKNUM, block, RBM_NORMAL, NULL);
	LockBuffer(buf, BUFFER_LOCK_SHARE);
	page = BufferGetPage(buf);
	maxoff = PageIsNew(page) ? InvalidOffsetNumber : PageGetMaxOffsetNumber(page);
	for (OffsetNumber off = FirstOffsetNumber; off <= maxoff; off++)
	{
		ItemId		lp = PageGetItemId(page, off);
		HeapTupleData tuple;
		Datum		d;
		bool		isnull;
		struct varlena *v;
		size_t		len;

		a->len[off] = X2_AHEAD_NONE;
		if (!ItemIdIsNormal(lp))
			continue;
		tuple.t_data = (HeapTupleHeader) PageGetItem(page, lp);
		tuple.t_len = ItemIdGetLength(lp);
		tuple.t_tableOid = RelationGetRelid(rel);
		ItemPointerSet(&tuple.t_self, block, off);
		d = heap_getattr(&tuple, a->attno, desc, &isnull);
		if (isnull)
			continue;
		v = (struct varlena *) DatumGetPointer(d);
		if (VARATT_IS_EXTERNAL(v) || VARATT_IS_COMPRESSED(v))
			continue;
		len = VARSIZE_ANY_EXHDR(v);
		if (len > X2_AHEAD_BYTES)
			continue;
		memcpy(a->bytes[off], VARDATA_ANY(v), len);
		a->len[off] = (uint16) len;
		a->hash[off] = ax_subject_hash(a->bytes[off], len);
		a->found[off] = 0;
		kept[nkept++] = off;
	}
	UnlockReleaseBuffer(buf);
	a->tested = test(a->hash, kept, nkept, a->found, arg);
	a->maxoff = maxoff;
	a->block = block;
}

/*
 * The hash of the subject (data, len) of the row tid of table relid, as
 * ax_subject_hash gives it, and in *tested the mask of the caller's
 * tallies that *found answers for it (bit t set in *found: the hash is in
 * tally t): from the page read ahead when the row's bytes are the ones
 * kept for it; hashed here, with *tested 0, otherwise.  When tid is on the
 * page after the previous row's (a scan going forward), that page is read
 * ahead first (when read_ahead: the caller has tables worth testing a page
 * at a time), and test called on its hashes.  owner names the caller's
 * cache the answers are from: when it changes, nothing kept is used.
 */
uint64
ax_x2_ahead_hash(X2Ahead *a, uint64 owner, bool read_ahead, Oid relid, ItemPointer tid,
				 const char *data, size_t len, AxTestBatch test, void *arg,
				 uint8 *tested, uint8 *found)
{
	BlockNumber block;
	OffsetNumber off;

	*tested = 0;
	*found = 0;
	if (!a->usable || tid == NULL || !ItemPointerIsValid(tid))
		return ax_subject_hash(data, len);
	block = ItemPointerGetBlockNumber(tid);
	off = ItemPointerGetOffsetNumber(tid);
	if (relid != a->rel || owner != a->owner)
	{
		Relation	rel = RelationIdGetRelation(relid);

		a->rel = relid;
		a->owner = owner;
		a->rel_ok = RelationIsValid(rel) && rel_readable(rel, a->attno);
		a->nblocks = 0;
		a->last_block = InvalidBlockNumber;
		a->block = InvalidBlockNumber;
		if (RelationIsValid(rel))
			RelationClose(rel);
	}
	if (block != a->last_block)
	{
		bool		forward = a->last_block != InvalidBlockNumber && block == a->last_block + 1;

		a->last_block = block;
		a->block = InvalidBlockNumber;
		if (forward && read_ahead && a->rel_ok)
		{
			Relation	rel = RelationIdGetRelation(relid);

			if (RelationIsValid(rel))
			{
				/* a page past the size known: look again, once */
				if (block >= a->nblocks)
					a->nblocks = RelationGetNumberOfBlocks(rel);
				if (block < a->nblocks)
					read_page(a, rel, block, test, arg);
				RelationClose(rel);
			}
		}
	}
	if (a->block != block || off > a->maxoff)
		return ax_subject_hash(data, len);
	if (a->len[off] == len && memcmp(a->bytes[off], data, len) == 0)
	{
		*tested = a->tested;
		*found = a->found[off];
		return a->hash[off];
	}
	return ax_subject_hash(data, len);
}
