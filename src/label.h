/*
 * label.h
 *		The autoxfer.label SQL type: Datum conversion for other modules.
 */
#ifndef AUTOXFER_LABEL_H
#define AUTOXFER_LABEL_H

#include "postgres.h"
#include "fmgr.h"

#include "label_core.h"

#define DatumGetAxLabel(X)		((ax_label) DatumGetInt64(X))
#define AxLabelGetDatum(X)		Int64GetDatum((int64) (X))
#define PG_GETARG_AXLABEL(n)	DatumGetAxLabel(PG_GETARG_DATUM(n))
#define PG_RETURN_AXLABEL(x)	return AxLabelGetDatum(x)

#endif							/* AUTOXFER_LABEL_H */
