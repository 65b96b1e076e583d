/*
 * areas.h
 *		Sensitive areas (rule I1): backend set-up of the area cache.
 */
#ifndef AUTOXFER_AREAS_H
#define AUTOXFER_AREAS_H

extern void ax_areas_register_callbacks(void);

#endif							/* AUTOXFER_AREAS_H */
