/*
 * area_fuzzer.c
 *		libFuzzer harness for the packed R-tree and the polygon test.
 *
 * The input is read as a list of small polygons (coordinates on a coarse
 * grid so that points often fall on edges and vertices) and probe points.
 * Properties: the R-tree finds exactly the items a linear scan of the boxes
 * finds, for every probe; a point inside a polygon (by the even-odd rule)
 * is inside its bounding box; every vertex of a polygon is inside it (the
 * border belongs to the area).
 */
// sources: src/area_index.c
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "area_index.h"

#define MAX_POLYS 300
#define MAX_PTS 8

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct Probe
{
	double		x;
	double		y;
	int			hits;
	const AxRtreeNode *items;
} Probe;

/* Visitor counting the items whose box holds the probe; never stops. */
static bool
count_hit(void *arg, int32_t id)
{
	Probe	   *p = arg;

	p->hits++;
	(void) id;
	return false;
}

/* A coordinate from one byte: a coarse grid of 64 steps over -16..15.5. */
static double
coord(uint8_t b)
{
	return (double) (b % 64) / 2.0 - 16.0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static AxPoint pts[MAX_POLYS][MAX_PTS];
	static int	npts[MAX_POLYS];
	static AxRtreeNode nodes[MAX_POLYS * 2 + 16];
	static AxBox boxes[MAX_POLYS];
	size_t		pos = 0;
	int			npolys = 0;

	/* polygons: a count byte (3..8 points) then two bytes per point */
	while (npolys < MAX_POLYS && pos < size && data[pos] != 0xFF)
	{
		int			n = 3 + data[pos++] % (MAX_PTS - 2);

		if (pos + 2 * (size_t) n > size)
			break;
		for (int i = 0; i < n; i++)
		{
			pts[npolys][i].x = coord(data[pos++]);
			pts[npolys][i].y = coord(data[pos++]);
		}
		npts[npolys] = n;
		boxes[npolys] = ax_polygon_box(pts[npolys], n);
		nodes[npolys].box = boxes[npolys];
		nodes[npolys].first = npolys;
		nodes[npolys].count = 0;
		npolys++;
	}
	if (ax_rtree_max_nodes(npolys) > sizeof(nodes) / sizeof(nodes[0]))
		abort();
	{
		int32_t		root = ax_rtree_build(nodes, npolys);

		if ((npolys == 0) != (root < 0))
			abort();

		/* probes: the remaining bytes in pairs, plus every vertex */
		for (size_t k = pos; k + 1 < size; k += 2)
		{
			Probe		p = {coord(data[k]), coord(data[k + 1]), 0, nodes};
			int			expected = 0;

			for (int i = 0; i < npolys; i++)
			{
				bool		in_box = ax_box_contains(&boxes[i], p.x, p.y);

				expected += in_box;
				if (ax_polygon_contains(pts[i], npts[i], p.x, p.y) && !in_box)
					abort();
			}
			ax_rtree_search(nodes, root, p.x, p.y, count_hit, &p);
			if (p.hits != expected)
				abort();
		}
		for (int i = 0; i < npolys; i++)
			for (int j = 0; j < npts[i]; j++)
				if (!ax_polygon_contains(pts[i], npts[i], pts[i][j].x, pts[i][j].y))
					abort();
	}
	return 0;
}
