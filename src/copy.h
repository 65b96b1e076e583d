/*
 * copy.h
 *		The bulk path of COPY FROM into a protected table (see copy.c).
 */
#ifndef AUTOXFER_COPY_H
#define AUTOXFER_COPY_H

extern void ax_copy_register(void);

#endif							/* AUTOXFER_COPY_H */
