/*
 * owner.h
 *		Code that runs as the extension's owner: switching to it, the guard
 *		that keeps user-defined functions out while autoxfer compiles or
 *		classifies, and the one way the C code runs an SPI query.
 */
#ifndef AUTOXFER_OWNER_H
#define AUTOXFER_OWNER_H

#include "postgres.h"

extern void ax_owner_register(void);

extern void ax_become_owner(Oid *save_user, int *save_sec);
extern void ax_restore_user(Oid save_user, int save_sec);

extern void ax_guard_enter(void);
extern void ax_guard_leave(void);

extern int	ax_spi_execute(const char *sql, int nargs, Oid *argtypes,
						   Datum *values, const char *nulls, bool read_only, long count);
extern void ax_owner_spi_begin(Oid *save_user, int *save_sec);
extern void ax_owner_spi_end(Oid save_user, int save_sec);

#endif							/* AUTOXFER_OWNER_H */
