/*
 * utility.h
 *		autoxfer's one ProcessUtility hook (see utility.c).
 */
#ifndef AUTOXFER_UTILITY_H
#define AUTOXFER_UTILITY_H

#include "tcop/utility.h"

extern void ax_utility_register(void);
extern bool ax_utility_innermost(void);
extern void ax_next_utility(PlannedStmt *pstmt, const char *queryString,
							bool readOnlyTree, ProcessUtilityContext context,
							ParamListInfo params, QueryEnvironment *queryEnv,
							DestReceiver *dest, QueryCompletion *qc);

/* the statements it hands on */
extern void ax_seclabel_utility(PlannedStmt *pstmt, const char *queryString,
								bool readOnlyTree, ProcessUtilityContext context,
								ParamListInfo params, QueryEnvironment *queryEnv,
								DestReceiver *dest, QueryCompletion *qc);
extern bool ax_copy_utility(PlannedStmt *pstmt, const char *queryString,
							bool readOnlyTree, QueryEnvironment *queryEnv,
							QueryCompletion *qc);

#endif							/* AUTOXFER_UTILITY_H */
