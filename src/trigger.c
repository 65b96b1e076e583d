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
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "commands/trigger.h"
#include "executor/executor.h"
#include "fmgr.h"
#include "utils/rel.h"

#include "label.h"
#include "rules.h"

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
	ts = ax_table_state(RelationGetRelid(trigdata->tg_relation));
	if (ts->natts != desc->natts)
	{
		/* the definition changed under a stale state: rebuild it */
		ts->valid = false;
		ts = ax_table_state(RelationGetRelid(trigdata->tg_relation));
	}
	label = ax_classify_slot(ts, slot, NULL, NULL);

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
