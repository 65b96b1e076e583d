/*
 * seclabel.h
 *		The security label provider "autoxfer" (see seclabel.c).
 */
#ifndef AUTOXFER_SECLABEL_H
#define AUTOXFER_SECLABEL_H

extern void ax_seclabel_register(void);

#endif							/* AUTOXFER_SECLABEL_H */
