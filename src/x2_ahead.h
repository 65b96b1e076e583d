/*
 * x2_ahead.h
 *		Read-ahead of a heap page's subjects for the policy of roles abroad
 *		(see x2_ahead.c).
 */
#ifndef AUTOXFER_X2_AHEAD_H
#define AUTOXFER_X2_AHEAD_H

#include "fmgr.h"
#include "storage/itemptr.h"
#include "storage/off.h"

typedef struct X2Ahead X2Ahead;

/*
 * Asked once for each page read ahead: test the hashes hash[offs[i]] for
 * i < n on the tallies (at most 8) it can answer from memory, setting bit
 * t of found[offs[i]] when tally t holds the hash (found is zeroed for
 * those offsets); returns the mask of the tallies it tested.
 */
typedef uint8 (*AxTestBatch) (const uint64 *hash, const OffsetNumber *offs, int n,
							  uint8 *found, void *arg);

extern X2Ahead *ax_x2_ahead_make(FmgrInfo *flinfo, int rel_arg, int tid_arg, int subject_arg);
extern uint64 ax_x2_ahead_hash(X2Ahead *a, uint64 owner, bool read_ahead, Oid relid, ItemPointer tid,
							   const char *data, size_t len, AxTestBatch test, void *arg,
							   uint8 *tested, uint8 *found);

#endif							/* AUTOXFER_X2_AHEAD_H */
