/*
 * guard.h
 *		What keeps a protected table protected: the internal operations that
 *		alone may write autoxfer.protected_table (generation.c) and the DDL
 *		guard that keeps the enforcing trigger and the label column as
 *		protect() made them (guard.c).
 */
#ifndef AUTOXFER_GUARD_H
#define AUTOXFER_GUARD_H

#include "postgres.h"

#include "nodes/pg_list.h"
#include "utils/rel.h"

#include "rules.h"

/* The name of the enforcing trigger, on a protected table and its partitions. */
#define AX_ENFORCE_TRIGGER	"zz_autoxfer_enforce"

/*
 * An operation of autoxfer's own C code that writes autoxfer.protected_table
 * or changes the enforcing trigger, during which the row guard of the
 * catalogue (generation.c) and the DDL guard (guard.c) let it through.  Only
 * the C functions below set it, for the fixed statements they run.
 */
typedef enum AxInternalOp
{
	AX_OP_NONE = 0,
	AX_OP_ATTACH,				/* _attach: default and trigger of op_rel */
	AX_OP_REGISTER,				/* _register: the INSERT of op_rel's row */
	AX_OP_UNREGISTER,			/* _unregister: the DELETE of op_rel's row */
	AX_OP_BUMP,					/* a generation advanced by one */
	AX_OP_RESET					/* reset_generation: op_rel back to 1 */
} AxInternalOp;

/* generation.c */
extern bool ax_restoring(void);
extern AxInternalOp ax_internal_op(Oid *rel);
extern void ax_set_internal_op(AxInternalOp op, Oid rel);
extern int	ax_pin_search_path(void);
extern void ax_unpin_search_path(int nestlevel);
extern void ax_invalidate_tree(Oid relid);
extern AxTableState *ax_table_state_live(Relation rel);

/* guard.c */
extern Oid	ax_enforce_oid(void);
extern void ax_check_tree(Oid root, const char *label_column, bool require_not_null,
						  bool protecting);
extern uint64 ax_relabel_leaf(Oid leafid);

#endif							/* AUTOXFER_GUARD_H */
