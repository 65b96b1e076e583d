/*
 * x2_ahead.h
 *		Read-ahead of a heap page's subjects for the policy of roles abroad
 *		(see x2_ahead.c).
 */
#ifndef AUTOXFER_X2_AHEAD_H
#define AUTOXFER_X2_AHEAD_H

#include "fmgr.h"
#include "storage/itemptr.h"

typedef struct X2Ahead X2Ahead;

/* Asked for each hash read ahead: start fetching what testing it reads. */
typedef void (*AxPrefetch) (uint64 hash, void *arg);

extern X2Ahead *ax_x2_ahead_make(FmgrInfo *flinfo, int rel_arg, int tid_arg, int subject_arg);
extern uint64 ax_x2_ahead_hash(X2Ahead *a, uint64 owner, bool read_ahead, Oid relid, ItemPointer tid,
							   const char *data, size_t len, AxPrefetch prefetch, void *arg);

#endif							/* AUTOXFER_X2_AHEAD_H */
