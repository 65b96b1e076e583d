/*
 * vocab.c
 *		Resolve the vocabulary enums (category, mark, scenario, element,
 *		exemption, measure) to their OIDs once per backend, and keep the C
 *		ordinals and the SQL enum values in step.
 *
 * The maps are cached in static memory and dropped whenever pg_type or
 * pg_enum changes (DROP/CREATE EXTENSION, ALTER TYPE ... ADD VALUE), so a
 * long-lived backend never uses OIDs of a dropped extension.  Loading checks
 * that each enum has exactly the values, in the order, that the C code
 * knows: a mismatch means the SQL objects and the library are of different
 * versions, which is reported instead of silently mislabelling rows.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/namespace.h"
#include "catalog/pg_enum.h"
#include "catalog/pg_type.h"
#include "utils/catcache.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"

#include "label_core.h"
#include "vocab.h"

const char *const ax_measure_names[] = {
	"none", "exempt", "standard_contract", "certification",
	"security_assessment", "prohibited"
};

typedef struct VocabSpec
{
	const char *typname;
	const char *const *names;
	int			nvalues;
} VocabSpec;

static const VocabSpec vocab_specs[AX_VOCAB_COUNT] = {
	{"category", ax_category_names, AX_N_CATEGORIES},
	{"mark", ax_mark_names, AX_N_MARKS},
	{"scenario", ax_scenario_names, AX_N_SCENARIOS},
	{"element", ax_element_names, AX_N_ELEMENTS},
	{"exemption", ax_exemption_names, AX_N_EXEMPTIONS},
	{"measure", ax_measure_names, 6},
};

static AxEnumMap vocab_maps[AX_VOCAB_COUNT];
static bool vocab_loaded[AX_VOCAB_COUNT];
static Oid	schema_oid = InvalidOid;

/* Forget every cached OID; called on any pg_type or pg_enum change. */
static void
vocab_invalidate(Datum arg, int cacheid, uint32 hashvalue)
{
	memset(vocab_loaded, 0, sizeof(vocab_loaded));
	schema_oid = InvalidOid;
}

/* Register the invalidation callbacks; called once from _PG_init. */
void
ax_vocab_register_callbacks(void)
{
	CacheRegisterSyscacheCallback(TYPEOID, vocab_invalidate, (Datum) 0);
	CacheRegisterSyscacheCallback(ENUMOID, vocab_invalidate, (Datum) 0);
	CacheRegisterSyscacheCallback(NAMESPACEOID, vocab_invalidate, (Datum) 0);
}

/* The OID of schema autoxfer; errors if the extension is not installed. */
Oid
ax_schema_oid(void)
{
	if (!OidIsValid(schema_oid))
	{
		Oid			nsp = get_namespace_oid("autoxfer", true);

		if (!OidIsValid(nsp))
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("schema \"autoxfer\" does not exist"),
					 errhint("Run CREATE EXTENSION autoxfer in this database.")));
		schema_oid = nsp;
	}
	return schema_oid;
}

/* Load one vocabulary's enum values, ordered by their sort order. */
static void
vocab_load(AxVocab which)
{
	const VocabSpec *spec = &vocab_specs[which];
	AxEnumMap  *map = &vocab_maps[which];
	Oid			typid;
	CatCList   *list;
	float4		orders[AX_VOCAB_MAX_VALUES];

	typid = GetSysCacheOid2(TYPENAMENSP, Anum_pg_type_oid,
							CStringGetDatum(spec->typname),
							ObjectIdGetDatum(ax_schema_oid()));
	if (!OidIsValid(typid))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("type autoxfer.%s does not exist", spec->typname),
				 errhint("The autoxfer extension objects are incomplete; reinstall the extension.")));

	map->typid = typid;
	map->arraytypid = get_array_type(typid);
	map->nvalues = 0;

	list = SearchSysCacheList1(ENUMTYPOIDNAME, ObjectIdGetDatum(typid));
	if (list->n_members != spec->nvalues)
	{
		int			n = list->n_members;

		ReleaseSysCacheList(list);
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("type autoxfer.%s has %d values, the autoxfer library expects %d",
						spec->typname, n, spec->nvalues),
				 errhint("The SQL objects and the shared library are of different versions: run ALTER EXTENSION autoxfer UPDATE.")));
	}
	for (int i = 0; i < list->n_members; i++)
	{
		Form_pg_enum en = (Form_pg_enum) GETSTRUCT(&list->members[i]->tuple);
		int			pos = 0;

		/* insertion sort by enumsortorder: at most 16 values */
		while (pos < map->nvalues && orders[pos] < en->enumsortorder)
			pos++;
		memmove(&orders[pos + 1], &orders[pos], (map->nvalues - pos) * sizeof(float4));
		memmove(&map->values[pos + 1], &map->values[pos], (map->nvalues - pos) * sizeof(Oid));
		orders[pos] = en->enumsortorder;
		map->values[pos] = en->oid;
		map->nvalues++;
	}
	/* check names, so that a reordered or renamed value is caught */
	for (int i = 0; i < map->nvalues; i++)
	{
		HeapTuple	tup = SearchSysCache1(ENUMOID, ObjectIdGetDatum(map->values[i]));
		bool		same;

		if (!HeapTupleIsValid(tup))
			elog(ERROR, "cache lookup failed for enum value %u", map->values[i]);
		same = strcmp(NameStr(((Form_pg_enum) GETSTRUCT(tup))->enumlabel),
					  spec->names[i]) == 0;
		ReleaseSysCache(tup);
		if (!same)
		{
			ReleaseSysCacheList(list);
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("value %d of type autoxfer.%s is not \"%s\"",
							i + 1, spec->typname, spec->names[i]),
					 errhint("The SQL objects and the shared library are of different versions: run ALTER EXTENSION autoxfer UPDATE.")));
		}
	}
	ReleaseSysCacheList(list);
	vocab_loaded[which] = true;
}

/* The enum map of a vocabulary, loading it on first use. */
const AxEnumMap *
ax_vocab(AxVocab which)
{
	if (!vocab_loaded[which])
		vocab_load(which);
	return &vocab_maps[which];
}

/* Ordinal of an enum value OID in a vocabulary; errors if it is foreign. */
int
ax_vocab_ordinal(AxVocab which, Oid value)
{
	const AxEnumMap *map = ax_vocab(which);

	for (int i = 0; i < map->nvalues; i++)
	{
		if (map->values[i] == value)
			return i;
	}
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("enum value %u is not a value of type autoxfer.%s",
					value, vocab_specs[which].typname)));
	pg_unreachable();
}

/* The enum value OID of an ordinal in a vocabulary. */
Oid
ax_vocab_value(AxVocab which, int ordinal)
{
	const AxEnumMap *map = ax_vocab(which);

	if (ordinal < 0 || ordinal >= map->nvalues)
		elog(ERROR, "ordinal %d out of range for type autoxfer.%s",
			 ordinal, vocab_specs[which].typname);
	return map->values[ordinal];
}
