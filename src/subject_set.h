/*
 * subject_set.h
 *		The autoxfer.subject_set SQL type: exact sets of individuals, kept as
 *		salted 64-bit hashes (see subject_core.h for the encoding).
 */
#ifndef AUTOXFER_SUBJECT_SET_H
#define AUTOXFER_SUBJECT_SET_H

#include "postgres.h"
#include "fmgr.h"

#include "subject_core.h"

/* Backend set-up: the salt cache callback and the GUCs (ledger.c). */
extern void ax_subject_init(void);
extern void ax_ledger_init(void);

/* The per-database salt and its fingerprint, cached per backend. */
extern const uint8_t *ax_subject_salt(uint64_t *fingerprint);

/* Members of a set value, and the hash of one identifier. */
extern uint64_t *ax_subject_set_members(Datum d, size_t *n);
extern uint64_t ax_subject_hash(const char *data, size_t len);
extern void ax_subject_hash_many(const char *const *data, const size_t *len, size_t n, uint64_t *out);
extern Datum ax_subject_set_from_words(const uint64_t *m, size_t n);
extern void ax_subject_set_index(Datum d, MemoryContext cxt, AxSubjectIndex *ix);

#endif							/* AUTOXFER_SUBJECT_SET_H */
