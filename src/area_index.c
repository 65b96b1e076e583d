/*
 * area_index.c
 *		Packed R-tree over boxes and the exact point-in-polygon rule used by
 *		autoxfer.in_sensitive_area (see area_index.h and docs/areas.md).
 *
 * Pure C: no allocation here.  The caller sizes the node array with
 * ax_rtree_max_nodes(), fills the first nitems nodes with its boxes, and
 * ax_rtree_build() adds the inner levels after them.
 */
#include <math.h>
#include <stdlib.h>

#include "area_index.h"

/* Deepest possible tree: AX_RTREE_FANOUT^8 > AX_RTREE_MAX_ITEMS. */
#define AX_RTREE_MAX_DEPTH 9
#define AX_RTREE_STACK ((AX_RTREE_FANOUT - 1) * AX_RTREE_MAX_DEPTH + 2)

/* Number of nodes a tree over nitems boxes needs, items included. */
size_t
ax_rtree_max_nodes(size_t nitems)
{
	size_t		total = nitems;
	size_t		level = nitems;

	while (level > 1)
	{
		level = (level + AX_RTREE_FANOUT - 1) / AX_RTREE_FANOUT;
		total += level;
	}
	return total;
}

/* qsort order: by the box's centre on x (sum of the bounds, no rounding). */
static int
cmp_center_x(const void *a, const void *b)
{
	const AxRtreeNode *na = a;
	const AxRtreeNode *nb = b;
	double		ca = na->box.xmin + na->box.xmax;
	double		cb = nb->box.xmin + nb->box.xmax;

	return (ca > cb) - (ca < cb);
}

/* qsort order: by the box's centre on y. */
static int
cmp_center_y(const void *a, const void *b)
{
	const AxRtreeNode *na = a;
	const AxRtreeNode *nb = b;
	double		ca = na->box.ymin + na->box.ymax;
	double		cb = nb->box.ymin + nb->box.ymax;

	return (ca > cb) - (ca < cb);
}

/*
 * One Sort-Tile-Recursive pass: reorder the cnt nodes starting at index lo
 * into vertical slices sorted by y, and write their parents (groups of
 * AX_RTREE_FANOUT consecutive nodes) from index lo + cnt.  Returns the number
 * of parents.
 */
static size_t
str_pack_level(AxRtreeNode *nodes, size_t lo, size_t cnt)
{
	AxRtreeNode *level = nodes + lo;
	AxRtreeNode *parents = nodes + lo + cnt;
	size_t		nparents = (cnt + AX_RTREE_FANOUT - 1) / AX_RTREE_FANOUT;
	size_t		nslices = (size_t) ceil(sqrt((double) nparents));
	size_t		slice = nslices * AX_RTREE_FANOUT;
	size_t		p = 0;

	qsort(level, cnt, sizeof(AxRtreeNode), cmp_center_x);
	for (size_t s = 0; s < cnt; s += slice)
	{
		size_t		len = (cnt - s < slice) ? cnt - s : slice;

		qsort(level + s, len, sizeof(AxRtreeNode), cmp_center_y);
	}

	/* slices are multiples of the fan-out, so no group spans two slices */
	for (size_t g = 0; g < cnt; g += AX_RTREE_FANOUT)
	{
		size_t		len = (cnt - g < AX_RTREE_FANOUT) ? cnt - g : AX_RTREE_FANOUT;
		AxBox		box = level[g].box;

		for (size_t i = 1; i < len; i++)
		{
			const AxBox *c = &level[g + i].box;

			if (c->xmin < box.xmin)
				box.xmin = c->xmin;
			if (c->ymin < box.ymin)
				box.ymin = c->ymin;
			if (c->xmax > box.xmax)
				box.xmax = c->xmax;
			if (c->ymax > box.ymax)
				box.ymax = c->ymax;
		}
		parents[p].box = box;
		parents[p].first = (int32_t) (lo + g);
		parents[p].count = (int32_t) len;
		p++;
	}
	return p;
}

/*
 * Build the inner levels over the nitems items in nodes[0..nitems) (each
 * with count 0 and the caller's id in first; boxes free of NaN).  The items
 * are reordered.  Returns the index of the root, or -1 for an empty tree.
 */
int32_t
ax_rtree_build(AxRtreeNode *nodes, size_t nitems)
{
	size_t		lo = 0;
	size_t		cnt = nitems;

	if (nitems == 0 || nitems > AX_RTREE_MAX_ITEMS)
		return -1;
	while (cnt > 1)
	{
		size_t		parents = str_pack_level(nodes, lo, cnt);

		lo += cnt;
		cnt = parents;
	}
	return (int32_t) lo;
}

/* Whether the closed box contains the point (bounds included). */
bool
ax_box_contains(const AxBox *box, double x, double y)
{
	return x >= box->xmin && x <= box->xmax &&
		y >= box->ymin && y <= box->ymax;
}

/*
 * Visit every item whose box contains (x, y), depth first, until visit()
 * returns true.  Returns whether some visit returned true.
 */
bool
ax_rtree_search(const AxRtreeNode *nodes, int32_t root, double x, double y,
				AxRtreeVisit visit, void *arg)
{
	int32_t		stack[AX_RTREE_STACK];
	int			top = 0;

	if (root < 0 || !ax_box_contains(&nodes[root].box, x, y))
		return false;
	stack[top++] = root;
	while (top > 0)
	{
		const AxRtreeNode *n = &nodes[stack[--top]];

		if (n->count == 0)
		{
			if (visit(arg, n->first))
				return true;
			continue;
		}
		for (int32_t i = n->first + n->count - 1; i >= n->first; i--)
		{
			/* at most (fan-out - 1) siblings wait per level: never overflows */
			if (ax_box_contains(&nodes[i].box, x, y))
				stack[top++] = i;
		}
	}
	return false;
}

/* The bounding box of a polygon of npts >= 1 points. */
AxBox
ax_polygon_box(const AxPoint *pts, int npts)
{
	AxBox		b = {pts[0].x, pts[0].y, pts[0].x, pts[0].y};

	for (int i = 1; i < npts; i++)
	{
		if (pts[i].x < b.xmin)
			b.xmin = pts[i].x;
		if (pts[i].x > b.xmax)
			b.xmax = pts[i].x;
		if (pts[i].y < b.ymin)
			b.ymin = pts[i].y;
		if (pts[i].y > b.ymax)
			b.ymax = pts[i].y;
	}
	return b;
}

/*
 * Whether the closed polygon (the last point joins the first) contains the
 * point, by the even-odd rule, a point on an edge or a vertex counting as
 * inside.  Computed exactly as far as doubles allow, with no tolerance: the
 * on-edge test is a zero cross product within the edge's extent, the
 * crossing test a cross product sign, so a point is never both on an edge
 * and judged by a rounded intersection abscissa.
 */
bool
ax_polygon_contains(const AxPoint *pts, int npts, double x, double y)
{
	bool		inside = false;

	for (int i = 0, j = npts - 1; i < npts; j = i++)
	{
		const AxPoint *a = &pts[j];
		const AxPoint *b = &pts[i];
		double		cross = (b->x - a->x) * (y - a->y) - (x - a->x) * (b->y - a->y);

		/* on the edge a-b (or on a degenerate edge's single point) */
		if (cross == 0.0 &&
			x >= fmin(a->x, b->x) && x <= fmax(a->x, b->x) &&
			y >= fmin(a->y, b->y) && y <= fmax(a->y, b->y))
			return true;

		/*
		 * The edge crosses the horizontal line through the point (half-open
		 * in y, so a vertex on the line is counted once): toggle if the
		 * crossing lies to the right of the point, i.e. the point is left of
		 * an upward edge or right of a downward one.
		 */
		if ((a->y > y) != (b->y > y))
		{
			if (b->y > a->y ? cross > 0.0 : cross < 0.0)
				inside = !inside;
		}
	}
	return inside;
}
