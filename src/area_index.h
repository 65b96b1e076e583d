/*
 * area_index.h
 *		A static, bulk-loaded R-tree over bounding boxes and an exact
 *		point-in-polygon test: the in-memory index behind
 *		autoxfer.in_sensitive_area.
 *
 * Pure C (no PostgreSQL headers) so that it builds and is fuzzed without a
 * server.  Coordinates are plain doubles in a flat plane: x is the
 * longitude, y the latitude; nothing wraps around the antimeridian.
 *
 * The tree is packed by Sort-Tile-Recursive: one array of nodes, the items
 * (one per indexed box) first, then each level of inner nodes, the root
 * last.  An item has count 0 and holds the caller's id in "first"; an inner
 * node covers the "count" nodes that start at index "first".  Building is
 * O(n log n), a point query visits O(log n) nodes for disjoint boxes.
 */
#ifndef AUTOXFER_AREA_INDEX_H
#define AUTOXFER_AREA_INDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* children per inner node */
#define AX_RTREE_FANOUT 16

/* The largest number of boxes one tree holds. */
#define AX_RTREE_MAX_ITEMS (1 << 26)

typedef struct AxPoint
{
	double		x;
	double		y;
} AxPoint;

typedef struct AxBox
{
	double		xmin;
	double		ymin;
	double		xmax;
	double		ymax;
} AxBox;

typedef struct AxRtreeNode
{
	AxBox		box;
	int32_t		first;			/* item: caller's id; inner: first child */
	int32_t		count;			/* 0 for an item */
} AxRtreeNode;

/*
 * Called for each item whose box contains the query point; returning true
 * stops the search (the query then returns true).
 */
typedef bool (*AxRtreeVisit) (void *arg, int32_t id);

extern size_t ax_rtree_max_nodes(size_t nitems);
extern int32_t ax_rtree_build(AxRtreeNode *nodes, size_t nitems);
extern bool ax_rtree_search(const AxRtreeNode *nodes, int32_t root,
							double x, double y,
							AxRtreeVisit visit, void *arg);

extern bool ax_box_contains(const AxBox *box, double x, double y);
extern AxBox ax_polygon_box(const AxPoint *pts, int npts);
extern bool ax_polygon_contains(const AxPoint *pts, int npts,
								double x, double y);

#endif							/* AUTOXFER_AREA_INDEX_H */
