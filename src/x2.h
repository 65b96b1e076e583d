/*
 * x2.h
 *		Roles abroad: the row-level security of rule X2 (see x2.c).
 */
#ifndef AUTOXFER_X2_H
#define AUTOXFER_X2_H

#include "nodes/nodes.h"
#include "utils/relcache.h"

extern void ax_x2_register_callbacks(void);
extern bool ax_x2_acting_abroad(void);
extern bool ax_x2_is_visible_call(const Node *node);
extern bool ax_x2_has_policy(Relation rel);
extern void ax_x2_plan_register(void);
extern void ax_x2_visible_rows(Oid rel, int n, const Datum *labels, const bool *label_nulls,
							   const Datum *subjects, const bool *subject_nulls, bool *visible);
extern void ax_x2_scan_register(void);

#endif							/* AUTOXFER_X2_H */
