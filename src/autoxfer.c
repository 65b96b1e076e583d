/*
 * autoxfer.c
 *		Module entry point: the magic block and the one-time set-up of the
 *		backend-wide caches.
 */
#include "postgres.h"
#include "fmgr.h"

#include "areas.h"
#include "rules.h"
#include "seclabel.h"
#include "subject_set.h"
#include "vocab.h"

PG_MODULE_MAGIC;

void		_PG_init(void);

/*
 * Called once when the library is loaded into a backend: registers the
 * cache invalidation callbacks every module relies on.
 */
void
_PG_init(void)
{
	ax_vocab_register_callbacks();
	ax_subject_init();
	ax_cache_register_callbacks();
	ax_areas_register_callbacks();
	ax_seclabel_register();
}
