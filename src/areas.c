/*
 * areas.c
 *		Sensitive areas (rule I1): the containment test
 *		autoxfer.in_sensitive_area(latitude, longitude) and its helpers.
 *
 * The rows of autoxfer.sensitive_area are loaded once per backend into a
 * compact cache (all polygon points in one array, a packed R-tree over their
 * bounding boxes, see area_index.c), so a per-row trigger can call the test
 * for millions of rows without touching the table.  The cache is dropped by
 * a relcache invalidation of the area table: a statement-level trigger on
 * the table sends one (CacheInvalidateRelcacheByRelid) after every INSERT,
 * UPDATE, DELETE or TRUNCATE, and every backend reloads at its first call in
 * a statement that starts after the change committed (the first call of
 * each statement reads pending invalidations).  The table is read with the latest snapshot, so a
 * reload always sees the change whose invalidation caused it.
 *
 * Geometry convention: x = longitude, y = latitude, decimal degrees, no
 * wrap-around at the antimeridian.
 */
#include "postgres.h"

#include <math.h>

#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/tuptable.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "parser/parse_relation.h"
#include "storage/proc.h"
#include "utils/builtins.h"
#include "utils/float.h"
#include "utils/geo_decls.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"

#include "area_index.h"
#include "areas.h"
#include "vocab.h"

#define LOCATION_HINT "A location is (latitude, longitude) in decimal degrees: latitude from -90 to 90, longitude from -180 to 180."

PG_FUNCTION_INFO_V1(ax_in_sensitive_area);
PG_FUNCTION_INFO_V1(ax_area_contains);
PG_FUNCTION_INFO_V1(ax_check_location);
PG_FUNCTION_INFO_V1(ax_sensitive_area_changed);
PG_FUNCTION_INFO_V1(ax_sensitive_area_cache);

/* One cached area: its points in the shared array and its validity. */
typedef struct AreaEntry
{
	int64		id;
	int32		first_pt;
	int32		npts;
	TimestampTz valid_from;		/* DT_NOBEGIN when unbounded */
	TimestampTz valid_to;		/* DT_NOEND when unbounded */
} AreaEntry;

/* The backend's cache of the area table. */
typedef struct AreaCache
{
	MemoryContext cxt;			/* holds the arrays below; NULL if none */
	int32		nareas;
	int32		npoints;
	int32		nnodes;
	int32		root;			/* -1 when there is no area */
	AreaEntry  *areas;
	AxPoint    *points;
	AxRtreeNode *nodes;
} AreaCache;

static AreaCache area_cache = {NULL, 0, 0, 0, -1, NULL, NULL, NULL};

/* whether area_cache reflects the table */
static bool area_cache_valid = false;

/*
 * A cache built from the query's snapshot (in parallel mode, where no newer
 * snapshot may be taken) is trusted only inside the transaction that built
 * it; InvalidLocalTransactionId otherwise.
 */
static LocalTransactionId area_cache_lxid = InvalidLocalTransactionId;

/* OID of autoxfer.sensitive_area once looked up, for the callback */
static Oid	area_relid = InvalidOid;

/* start time of the last statement that read pending invalidations */
static TimestampTz area_checked_stmt = 0;

/* invalidations received, and cache builds done, by this backend */
static uint64 area_invals = 0;
static uint64 area_loads = 0;

/* What a query looks for: a point at an instant. */
typedef struct AreaProbe
{
	double		x;
	double		y;
	TimestampTz at;
} AreaProbe;

/*
 * Relcache callback: drop the cache when the area table (or every relation,
 * relid InvalidOid, after a cache reset) is invalidated.
 */
static void
areas_relcache_callback(Datum arg, Oid relid)
{
	if (relid == InvalidOid || relid == area_relid)
	{
		area_cache_valid = false;
		area_invals++;
	}
}

/* Register the invalidation callback; called once from _PG_init. */
void
ax_areas_register_callbacks(void)
{
	CacheRegisterRelcacheCallback(areas_relcache_callback, (Datum) 0);
}

/* Raise 22003 if a coordinate is NaN or outside its range. */
static void
check_coordinate(const char *what, double value, double limit, double other)
{
	if (isnan(value))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("%s is NaN", what),
				 errhint(LOCATION_HINT)));
	if (value < -limit || value > limit)
	{
		/* a latitude beyond 90 with a longitude within 90: likely swapped */
		bool		swapped = limit == 90.0 && fabs(value) <= 180.0 && fabs(other) <= 90.0;

		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("%s %s is out of range", what, float8out_internal(value)),
				 swapped ?
				 errhint("Latitude is from -90 to 90; the arguments are (latitude, longitude): were they swapped?") :
				 errhint(LOCATION_HINT)));
	}
}

/* Validate a location given as (latitude, longitude). */
static void
check_location(double latitude, double longitude)
{
	check_coordinate("latitude", latitude, 90.0, longitude);
	check_coordinate("longitude", longitude, 180.0, latitude);
}

/* Refuse a stored point that is not a valid (longitude, latitude). */
static void
check_stored_point(int64 id, const Point *p)
{
	if (isnan(p->x) || isnan(p->y) || p->x < -180.0 || p->x > 180.0 ||
		p->y < -90.0 || p->y > 90.0)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("sensitive area %lld has the point (%s,%s), out of range",
						(long long) id, float8out_internal(p->x),
						float8out_internal(p->y)),
				 errhint("Points are (longitude, latitude) with longitude from -180 to 180 and latitude from -90 to 90: correct the row in autoxfer.sensitive_area.")));
}

/* Attribute number of a column of the area table, checking its type. */
static AttrNumber
area_column(Relation rel, const char *name, Oid typid)
{
	int			attnum = attnameAttNum(rel, name, false);

	if (attnum <= 0 || TupleDescAttr(RelationGetDescr(rel), attnum - 1)->atttypid != typid)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("table autoxfer.sensitive_area has no column \"%s\" of type %s",
						name, format_type_be(typid)),
				 errhint("The extension's objects were altered: reinstall the extension.")));
	return (AttrNumber) attnum;
}

/*
 * Read the whole area table and replace the cache with a new one.  The new
 * cache is built in a context under the caller's, so an error leaves no
 * leak and the old cache untouched; it moves under CacheMemoryContext once
 * complete.
 */
static void
areas_load(void)
{
	Oid			relid;
	Relation	rel;
	Snapshot	snapshot;
	TableScanDesc scan;
	TupleTableSlot *slot;
	AttrNumber	att_id,
				att_area,
				att_from,
				att_to;
	MemoryContext cxt,
				scratch,
				old;
	AreaCache	c = {NULL, 0, 0, 0, -1, NULL, NULL, NULL};
	int32		areas_cap = 64;
	int32		points_cap = 1024;
	uint64		invals_before;
	bool		parallel = IsInParallelMode();

	relid = get_relname_relid("sensitive_area", ax_schema_oid());
	if (!OidIsValid(relid))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("table autoxfer.sensitive_area does not exist"),
				 errhint("The extension's objects are incomplete: reinstall the extension.")));
	area_relid = relid;

	/* opening the table processes pending invalidations: count after it */
	rel = table_open(relid, AccessShareLock);
	invals_before = area_invals;

	att_id = area_column(rel, "id", INT8OID);
	att_area = area_column(rel, "area", POLYGONOID);
	att_from = area_column(rel, "valid_from", TIMESTAMPTZOID);
	att_to = area_column(rel, "valid_to", TIMESTAMPTZOID);

	cxt = AllocSetContextCreate(CurrentMemoryContext, "autoxfer sensitive areas",
								ALLOCSET_DEFAULT_SIZES);
	scratch = AllocSetContextCreate(CurrentMemoryContext, "autoxfer area scan",
									ALLOCSET_DEFAULT_SIZES);
	c.cxt = cxt;
	c.areas = MemoryContextAlloc(cxt, areas_cap * sizeof(AreaEntry));
	c.points = MemoryContextAlloc(cxt, points_cap * sizeof(AxPoint));

	snapshot = RegisterSnapshot(parallel ? GetActiveSnapshot() : GetLatestSnapshot());
	scan = table_beginscan(rel, snapshot, 0, NULL);
	slot = table_slot_create(rel, NULL);
	while (table_scan_getnextslot(scan, ForwardScanDirection, slot))
	{
		bool		isnull;
		Datum		d;
		POLYGON    *poly;
		AreaEntry  *e;

		CHECK_FOR_INTERRUPTS();
		old = MemoryContextSwitchTo(scratch);

		if (c.nareas == areas_cap)
		{
			if (areas_cap >= AX_RTREE_MAX_ITEMS)
				ereport(ERROR,
						(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
						 errmsg("autoxfer.sensitive_area has more than %d rows", AX_RTREE_MAX_ITEMS),
						 errhint("Merge neighbouring areas.")));
			areas_cap *= 2;
			c.areas = repalloc(c.areas, areas_cap * sizeof(AreaEntry));
		}
		e = &c.areas[c.nareas];

		d = slot_getattr(slot, att_id, &isnull);
		e->id = isnull ? 0 : DatumGetInt64(d);
		d = slot_getattr(slot, att_from, &isnull);
		e->valid_from = isnull ? DT_NOBEGIN : DatumGetTimestampTz(d);
		d = slot_getattr(slot, att_to, &isnull);
		e->valid_to = isnull ? DT_NOEND : DatumGetTimestampTz(d);
		d = slot_getattr(slot, att_area, &isnull);
		if (isnull)
		{
			/* the column is NOT NULL; an area without a shape matches nothing */
			MemoryContextSwitchTo(old);
			MemoryContextReset(scratch);
			continue;
		}
		poly = DatumGetPolygonP(d);
		if (poly->npts > PG_INT32_MAX / 2 - c.npoints)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("autoxfer.sensitive_area has more than %d polygon points in all",
							PG_INT32_MAX / 2),
					 errhint("Simplify the polygons.")));
		if (c.npoints + poly->npts > points_cap)
		{
			while (c.npoints + poly->npts > points_cap)
				points_cap *= 2;
			c.points = repalloc_huge(c.points, (Size) points_cap * sizeof(AxPoint));
		}
		e->first_pt = c.npoints;
		e->npts = poly->npts;
		for (int i = 0; i < poly->npts; i++)
		{
			check_stored_point(e->id, &poly->p[i]);
			c.points[c.npoints + i].x = poly->p[i].x;
			c.points[c.npoints + i].y = poly->p[i].y;
		}
		c.npoints += poly->npts;
		c.nareas++;

		MemoryContextSwitchTo(old);
		MemoryContextReset(scratch);
	}
	ExecDropSingleTupleTableSlot(slot);
	table_endscan(scan);
	UnregisterSnapshot(snapshot);
	table_close(rel, AccessShareLock);
	MemoryContextDelete(scratch);

	/* the R-tree: one item per area, then the inner levels */
	c.nnodes = (int32) ax_rtree_max_nodes(c.nareas);
	c.nodes = MemoryContextAllocHuge(cxt, Max(c.nnodes, 1) * sizeof(AxRtreeNode));
	for (int32 i = 0; i < c.nareas; i++)
	{
		c.nodes[i].box = ax_polygon_box(&c.points[c.areas[i].first_pt], c.areas[i].npts);
		c.nodes[i].first = i;
		c.nodes[i].count = 0;
	}
	c.root = ax_rtree_build(c.nodes, c.nareas);

	/* install: nothing below can fail */
	MemoryContextSetParent(cxt, CacheMemoryContext);
	if (area_cache.cxt != NULL)
		MemoryContextDelete(area_cache.cxt);
	area_cache = c;
	/* an invalidation during the scan leaves the new cache usable once */
	area_cache_valid = (area_invals == invals_before);
	area_cache_lxid = parallel ? MyProc->lxid : InvalidLocalTransactionId;
	area_loads++;
}

/*
 * Make sure the cache reflects the table.  Once per statement (a cheap
 * comparison of its start time per call) pending invalidations are read, so
 * a change another session committed is seen from this backend's next
 * statement, even inside an open transaction that takes no new lock.
 */
static inline void
areas_ensure(void)
{
	TimestampTz stmt = GetCurrentStatementStartTimestamp();

	if (stmt != area_checked_stmt)
	{
		AcceptInvalidationMessages();
		area_checked_stmt = stmt;
	}
	if (!area_cache_valid ||
		(area_cache_lxid != InvalidLocalTransactionId && area_cache_lxid != MyProc->lxid))
		areas_load();
}

/* R-tree visitor: whether the area is in force at the instant and holds the point. */
static bool
area_visit(void *arg, int32_t id)
{
	const AreaProbe *probe = arg;
	const AreaEntry *e = &area_cache.areas[id];

	if (probe->at < e->valid_from || probe->at >= e->valid_to)
		return false;
	return ax_polygon_contains(&area_cache.points[e->first_pt], e->npts,
							   probe->x, probe->y);
}

/*
 * in_sensitive_area(latitude, longitude [, at timestamptz]): whether the
 * location lies in (or on the border of) an area in force at "at", by
 * default the start of the current transaction.
 */
Datum
ax_in_sensitive_area(PG_FUNCTION_ARGS)
{
	AreaProbe	probe;

	probe.y = PG_GETARG_FLOAT8(0);
	probe.x = PG_GETARG_FLOAT8(1);
	probe.at = PG_NARGS() > 2 ? PG_GETARG_TIMESTAMPTZ(2) : GetCurrentTransactionStartTimestamp();
	check_location(probe.y, probe.x);
	areas_ensure();
	PG_RETURN_BOOL(ax_rtree_search(area_cache.nodes, area_cache.root,
								   probe.x, probe.y, area_visit, &probe));
}

/*
 * area_contains(area polygon, latitude, longitude): the exact containment
 * rule of in_sensitive_area for one polygon (border inside, even-odd).
 */
Datum
ax_area_contains(PG_FUNCTION_ARGS)
{
	POLYGON    *poly = PG_GETARG_POLYGON_P(0);
	double		latitude = PG_GETARG_FLOAT8(1);
	double		longitude = PG_GETARG_FLOAT8(2);
	AxPoint    *pts;
	bool		result;

	check_location(latitude, longitude);
	/* Point and AxPoint are both two doubles, but copy rather than alias */
	pts = palloc(poly->npts * sizeof(AxPoint));
	for (int i = 0; i < poly->npts; i++)
	{
		pts[i].x = poly->p[i].x;
		pts[i].y = poly->p[i].y;
	}
	result = ax_polygon_contains(pts, poly->npts, longitude, latitude);
	pfree(pts);
	PG_FREE_IF_COPY(poly, 0);
	PG_RETURN_BOOL(result);
}

/* check_location(latitude, longitude): true, or the 22003 error. */
Datum
ax_check_location(PG_FUNCTION_ARGS)
{
	check_location(PG_GETARG_FLOAT8(0), PG_GETARG_FLOAT8(1));
	PG_RETURN_BOOL(true);
}

/*
 * Statement-level trigger on autoxfer.sensitive_area: tell every backend
 * (this one at its next command, the others at commit) to drop its cache.
 */
Datum
ax_sensitive_area_changed(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;

	if (!CALLED_AS_TRIGGER(fcinfo) ||
		!TRIGGER_FIRED_FOR_STATEMENT(trigdata->tg_event) ||
		!TRIGGER_FIRED_AFTER(trigdata->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("autoxfer.sensitive_area_changed() must be called as an AFTER ... FOR EACH STATEMENT trigger")));
	CacheInvalidateRelcacheByRelid(RelationGetRelid(trigdata->tg_relation));
	PG_RETURN_POINTER(NULL);
}

/*
 * sensitive_area_cache(): this backend's cache, for monitoring and tests:
 * areas, points and R-tree nodes held, whether it is current, how many
 * times it was built and how many invalidations arrived.
 */
Datum
ax_sensitive_area_cache(PG_FUNCTION_ARGS)
{
	TupleDesc	tupdesc;
	Datum		values[6];
	bool		nulls[6] = {false, false, false, false, false, false};

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	tupdesc = BlessTupleDesc(tupdesc);
	values[0] = Int32GetDatum(area_cache.nareas);
	values[1] = Int32GetDatum(area_cache.npoints);
	values[2] = Int32GetDatum(area_cache.nnodes);
	values[3] = BoolGetDatum(area_cache_valid &&
							 (area_cache_lxid == InvalidLocalTransactionId ||
							  area_cache_lxid == MyProc->lxid));
	values[4] = Int64GetDatum((int64) area_loads);
	values[5] = Int64GetDatum((int64) area_invals);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}
