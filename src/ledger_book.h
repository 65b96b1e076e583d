/*
 * ledger_book.h
 *		Booking individuals into the yearly ledger and writing the transfer
 *		log (see ledger_book.c).
 */
#ifndef AUTOXFER_LEDGER_BOOK_H
#define AUTOXFER_LEDGER_BOOK_H

#include "postgres.h"

/* Who asked for a booking, captured before switching to the owner. */
typedef struct AxCaller
{
	Oid			role;			/* GetUserId() of the caller */
	char	   *role_name;
	char	   *session_role;
} AxCaller;

/* The counts of one tally after a booking. */
typedef struct AxTallyBooking
{
	int64		fresh;			/* new this year */
	int64		total;			/* the year's tally after the booking */
	int64		recipient_fresh;
	int64		recipient_total;
} AxTallyBooking;

/* What a transfer-log row says, filled by the caller. */
typedef struct AxLogRow
{
	const char *kind;			/* export, manual, correction, purge */
	TimestampTz booked_at;
	int			year;
	const char *recipient;		/* or NULL */
	const char *purpose;
	const char *tbl;
	const char *filter;
	int64		rows_returned;
	int64		rows_withheld;
	const char *withheld_json;	/* or NULL for {} */
	int64		new_personal;
	int64		new_sensitive;
	int64		total_personal;
	int64		total_sensitive;
	Datum		measures;		/* autoxfer.measure[] or 0 for {} */
	Datum		exemptions;		/* autoxfer.exemption[] or 0 */
	Datum		filings;		/* bigint[] or 0 */
	Datum		evidence;		/* bigint[] or 0 */
	Datum		rules;			/* text[] or 0 */
	Datum		subjects_personal;	/* subject_set, or 0 for empty */
	Datum		subjects_sensitive;
	const char *note;
} AxLogRow;

extern void ax_caller_capture(AxCaller *caller);
extern void ax_ledger_lock_year(int year);
extern void ax_ledger_book(int year, int tally, Datum subjects, const char *recipient,
						   AxTallyBooking *out);
extern int64 ax_ledger_total(int year, int tally);
extern int64 ax_transfer_log_write(const AxCaller *caller, const AxLogRow *row,
								   char **decision_id);
extern Oid	ax_subject_set_type(void);

#endif							/* AUTOXFER_LEDGER_BOOK_H */
