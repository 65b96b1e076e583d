/*
 * autoxfer.c
 *		Module entry point: the magic block and the one-time set-up of the
 *		backend-wide caches.
 */
#include "postgres.h"
#include "fmgr.h"
#include "utils/guc.h"

#include "areas.h"
#include "copy.h"
#include "owner.h"
#include "rules.h"
#include "seclabel.h"
#include "subject_set.h"
#include "utility.h"
#include "verdict.h"
#include "vocab.h"
#include "x2.h"

PG_MODULE_MAGIC;

void		_PG_init(void);

/* autoxfer.defer_labelling: protect() leaves existing rows to reclassify_batches */
static bool defer_labelling = false;

/*
 * Called once when the library is loaded into a backend: installs the
 * guard that keeps user-defined functions out of what autoxfer runs as the
 * extension's owner (owner.c), registers the
 * cache invalidation callbacks every module relies on, the security label
 * provider, the bulk COPY path and the settings, and installs autoxfer's
 * one utility hook and the planner hooks of roles abroad (x2_plan.c).  Once
 * the settings are defined the autoxfer.* prefix
 * is reserved: no placeholder setting of that prefix can be made, so none
 * can look like a switch of autoxfer's (nothing of autoxfer reads one; what
 * its own code must know while it runs, it keeps in backend-local
 * variables, generation.c).
 */
void
_PG_init(void)
{
	ax_owner_register();
	ax_vocab_register_callbacks();
	ax_subject_init();
	ax_cache_register_callbacks();
	ax_areas_register_callbacks();
	ax_verdict_register_callbacks();
	ax_x2_register_callbacks();
	ax_x2_plan_register();
	ax_x2_scan_register();
	ax_seclabel_register();
	ax_copy_register();
	ax_utility_register();

	DefineCustomBoolVariable("autoxfer.defer_labelling",
							 "Makes autoxfer.protect() leave the existing rows core/blocked for CALL autoxfer.reclassify_batches() to label.",
							 "For tables too large to label in one transaction.",
							 &defer_labelling, false, PGC_USERSET, 0,
							 NULL, NULL, NULL);
	MarkGUCPrefixReserved("autoxfer");
}
