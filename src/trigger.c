/*
 * trigger.c
 *		autoxfer.enforce: the BEFORE INSERT OR UPDATE row trigger that writes
 *		the label of every row of a protected table, under INSERT, UPDATE and
 *		COPY alike.
 *
 * The trigger computes the label from the compiled state of its relation
 * (cache.c) and replaces whatever value the row carries in the label
 * column, so that a user cannot forge a label.  On a partitioned table the
 * trigger is cloned onto every partition, present and future, and each
 * partition gets its own compiled state (attribute numbers may differ).
 * When the table's generation has expired (a sensitive area came into or
 * went out of force since it began), the state lookup renews it first
 * (generation.c).  The DDL guard (guard.c) keeps the trigger as protect()
 * made it.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "commands/trigger.h"
#include "executor/executor.h"
#include "executor/tuptable.h"
#include "fmgr.h"
#include "utils/rel.h"

#include "guard.h"
#include "label.h"
#include "rules.h"

/*
 * Write the label into the label attribute of tuple in place, when the tuple
 * already stores a value there (the column's default, or the row's own
 * label): the attribute is fixed-width, so its bytes are overwritten and no
 * new tuple is formed.  Returns false when the attribute is NULL or missing
 * from the tuple (a row older than the column), when a new tuple is needed.
 * The offset is found as heap tuple deforming finds it: walking the
 * attributes before it, skipping NULLs, aligning each.
 */
static bool
store_label_in_place(HeapTuple tuple, TupleDesc desc, AttrNumber attnum, ax_label label)
{
	HeapTupleHeader tup = tuple->t_data;
	bool		hasnulls = HeapTupleHasNulls(tuple);
	bits8	   *bp = tup->t_bits;
	char	   *tp = (char *) tup + tup->t_hoff;
	Size		off = 0;

	if (HeapTupleHeaderGetNatts(tup) < attnum)
		return false;
	if (hasnulls && att_isnull(attnum - 1, bp))
		return false;
	for (int i = 0; i < attnum - 1; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);

		if (hasnulls && att_isnull(i, bp))
			continue;
		off = att_align_pointer(off, att->attalign, att->attlen, tp + off);
		off = att_addlength_pointer(off, att->attlen, tp + off);
	}
	off = att_align_nominal(off, TupleDescAttr(desc, attnum - 1)->attalign);
	store_att_byval(tp + off, AxLabelGetDatum(label), sizeof(ax_label));
	return true;
}

PG_FUNCTION_INFO_V1(ax_enforce);

/* The trigger function: label the new row. */
Datum
ax_enforce(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	TupleDesc	desc;
	TupleTableSlot *slot;
	HeapTuple	tuple;
	HeapTuple	newtuple;
	AxTableState *ts;
	ax_label	label;
	int			natts;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("autoxfer.enforce() must be called as a trigger")));
	if (!TRIGGER_FIRED_BEFORE(trigdata->tg_event) || !TRIGGER_FIRED_FOR_ROW(trigdata->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("autoxfer.enforce() must be fired BEFORE, FOR EACH ROW"),
				 errhint("Attach it with autoxfer.protect().")));
	if (TRIGGER_FIRED_BY_INSERT(trigdata->tg_event))
	{
		tuple = trigdata->tg_trigtuple;
		slot = trigdata->tg_trigslot;
	}
	else if (TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event))
	{
		tuple = trigdata->tg_newtuple;
		slot = trigdata->tg_newslot;
	}
	else
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("autoxfer.enforce() must be fired on INSERT or UPDATE")));

	desc = RelationGetDescr(trigdata->tg_relation);
	ts = ax_table_state_live(trigdata->tg_relation);
	label = ax_classify_slot(ts, slot, NULL, NULL);

	/*
	 * When the tuple is the slot's own materialized copy (the executor
	 * fetched it from the slot it inserts or updates from), overwrite the
	 * label in place and keep the slot's deformed values in step: the
	 * executor then stores the slot as it is.  This spares forming a new
	 * tuple and the executor's copy of it on every row of a COPY.
	 */
	if ((TTS_IS_HEAPTUPLE(slot) || TTS_IS_BUFFERTUPLE(slot)) && TTS_SHOULDFREE(slot) &&
		((HeapTupleTableSlot *) slot)->tuple == tuple &&
		store_label_in_place(tuple, desc, ts->label_attno, label))
	{
		if (slot->tts_nvalid >= ts->label_attno)
		{
			slot->tts_values[ts->label_attno - 1] = AxLabelGetDatum(label);
			slot->tts_isnull[ts->label_attno - 1] = false;
		}
		return PointerGetDatum(tuple);
	}

	natts = desc->natts;
	slot_getallattrs(slot);
	if (!slot->tts_isnull[ts->label_attno - 1] &&
		DatumGetAxLabel(slot->tts_values[ts->label_attno - 1]) == label)
		return PointerGetDatum(tuple);	/* already right: keep the tuple */

	memcpy(ts->values, slot->tts_values, sizeof(Datum) * natts);
	memcpy(ts->nulls, slot->tts_isnull, sizeof(bool) * natts);
	ts->values[ts->label_attno - 1] = AxLabelGetDatum(label);
	ts->nulls[ts->label_attno - 1] = false;
	newtuple = heap_form_tuple(desc, ts->values, ts->nulls);
	newtuple->t_data->t_ctid = tuple->t_data->t_ctid;
	newtuple->t_self = tuple->t_self;
	newtuple->t_tableOid = tuple->t_tableOid;
	return PointerGetDatum(newtuple);
}
