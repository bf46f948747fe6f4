/*
 * catalog.cpp — finds a store's tables, indexes and sequence, and caches their OIDs per backend.
 *
 * Entries are marked stale by any relcache invalidation of one of their relations (or a full
 * reset), so DROP/CREATE EXTENSION and dropping or recreating a store in the same session are safe.
 * Callers get a copy of the entry, so an invalidation in the middle of a call cannot pull it away.
 */
#include "pg/catalog.hpp"

namespace dcb::pg {
namespace {

constexpr const char *default_store_name = "default";
constexpr const char *default_schema = "dcb";
constexpr int max_cached_stores = 64;

struct CachedStore
{
	Store store;
	bool valid;
};
CachedStore cache[max_cached_stores];
int ncached = 0;

/* The statement that recreates a storage object, for the hint when it is missing. */
const char *
rebuild_hint(const char *object, const char *schema)
{
	if (strcmp(object, "events_pkey") == 0)
		return psprintf("Recreate it: ALTER TABLE %s.events ADD CONSTRAINT events_pkey PRIMARY KEY (seq);", schema);
	if (strcmp(object, "events_type_idx") == 0)
		return psprintf("Recreate it: CREATE INDEX events_type_idx ON %s.events (type, seq);", schema);
	if (strcmp(object, "events_id_idx") == 0)
		return psprintf("Recreate it: CREATE UNIQUE INDEX events_id_idx ON %s.events (id) WHERE id IS NOT NULL;",
						schema);
	if (strcmp(object, "events_tag1_idx") == 0 || strcmp(object, "events_tag2_idx") == 0)
	{
		const char n = object[strlen("events_tag")];
		return psprintf("Recreate it: CREATE INDEX events_tag%c_idx ON %s.events (dcb.tag_key(tags, %c), seq, "
						"dcb.type_key(type)) WHERE cardinality(tags) >= %c;",
						n, schema, n, n);
	}
	if (strcmp(object, "event_tags_tag_idx") == 0)
		return psprintf("Recreate it: CREATE INDEX event_tags_tag_idx ON %s.event_tags (tag_key, seq) INCLUDE "
						"(type_key, event_tid);",
						schema);
	if (strcmp(object, "events_seq") == 0)
		return psprintf("Recreate it: CREATE SEQUENCE %s.events_seq AS bigint MINVALUE 1 CACHE 1 NO CYCLE; SELECT "
						"setval('%s.events_seq', (SELECT max(seq) FROM %s.events));",
						schema, schema, schema);
	return "The store's data is lost with it: restore the schema from a backup (pg_dump).";
}

Oid
lookup(const char *name, Oid nsp, const char *schema)
{
	Oid oid = get_relname_relid(name, nsp);
	if (!OidIsValid(oid))
		ereport(ERROR, (errcode(ERRCODE_UNDEFINED_OBJECT),
						errmsg("dcb storage relation \"%s.%s\" does not exist", schema, name),
						errhint("%s", rebuild_hint(name, schema))));
	return oid;
}

/*
 * The C code writes rows positionally, so a database whose storage was created by another build of
 * the install script must be refused rather than written with columns in the wrong places.
 */
void
check_layout(Oid relid, const char *const *names, int natts, const char *schema)
{
	Relation rel = table_open(relid, AccessShareLock);
	TupleDesc desc = RelationGetDescr(rel);
	bool ok = desc->natts == natts;
	for (int i = 0; ok && i < natts; i++)
		ok = strcmp(NameStr(TupleDescAttr(desc, i)->attname), names[i]) == 0 && !TupleDescAttr(desc, i)->attisdropped;
	const char *relname = pstrdup(RelationGetRelationName(rel));
	table_close(rel, AccessShareLock);
	if (!ok)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("dcb storage table \"%s.%s\" does not have the layout this library expects", schema, relname),
				 errhint("Update the extension with ALTER EXTENSION dcb UPDATE.")));
}

/*
 * Is the default store still in 0.1.0's storage, every tag in dcb.event_tags? Until ALTER EXTENSION
 * dcb UPDATE has run, this library serves it that way (the update rewrites it, see
 * sql/dcb--0.1.0--0.2.0.sql). Named stores exist only from 0.2.0 on.
 */
bool
default_store_at_0_1_0()
{
	Oid ext = get_extension_oid("dcb", true);
	if (!OidIsValid(ext))
		return false;
	Relation rel = table_open(ExtensionRelationId, AccessShareLock);
	ScanKeyData key;
	ScanKeyInit(&key, Anum_pg_extension_oid, BTEqualStrategyNumber, F_OIDEQ, ObjectIdGetDatum(ext));
	SysScanDesc scan = systable_beginscan(rel, ExtensionOidIndexId, true, nullptr, 1, &key);
	HeapTuple tup = systable_getnext(scan);
	bool old = false;
	if (HeapTupleIsValid(tup))
	{
		bool isnull;
		Datum version = heap_getattr(tup, Anum_pg_extension_extversion, RelationGetDescr(rel), &isnull);
		old = !isnull && strcmp(TextDatumGetCString(version), "0.1.0") == 0;
	}
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	return old;
}

/* Looks a store up in the system catalogs. */
Store
load_store(const char *name, bool is_default)
{
	Store s{};
	namestrcpy(&s.name, name);
	const char *schema = is_default ? default_schema : psprintf("dcb_%s", name);
	s.schema = get_namespace_oid(schema, true);
	if (!OidIsValid(s.schema) && is_default)
		ereport(ERROR, (errcode(ERRCODE_UNDEFINED_OBJECT), errmsg("dcb storage schema \"dcb\" does not exist"),
						errhint("Run CREATE EXTENSION dcb in this database.")));
	if (!OidIsValid(s.schema) || !OidIsValid(get_relname_relid("events", s.schema)))
		ereport(ERROR, (errcode(ERRCODE_UNDEFINED_OBJECT), errmsg("dcb store \"%s\" does not exist", name),
						errhint("Create it with SELECT dcb_create_store('%s').", name)));
	s.key_space = is_default ? 0 : s.schema;
	s.events = lookup("events", s.schema, schema);
	LockRelationOid(s.events, AccessShareLock); /* before the layout is read: see find_store */
	s.events_pkey = lookup("events_pkey", s.schema, schema);
	s.events_type_idx = lookup("events_type_idx", s.schema, schema);
	s.events_id_idx = lookup("events_id_idx", s.schema, schema);
	s.event_tags = lookup("event_tags", s.schema, schema);
	s.event_tags_tag_idx = lookup("event_tags_tag_idx", s.schema, schema);
	s.events_seq = lookup("events_seq", s.schema, schema);
	s.ntag_slots = is_default && default_store_at_0_1_0() ? 0 : max_tag_slots;
	static const char *const slot_indexes[] = {"events_tag1_idx", "events_tag2_idx"};
	static_assert(lengthof(slot_indexes) == max_tag_slots);
	for (int i = 0; i < s.ntag_slots; i++)
		s.tag_slot_idx[i] = lookup(slot_indexes[i], s.schema, schema);

	static const char *const events_columns[] = {"seq", "type", "tags", "data", "metadata", "occurred_at", "id"};
	static const char *const event_tags_columns[] = {"tag_key", "seq", "type_key", "event_tid"};
	static_assert(lengthof(events_columns) == events_natts && lengthof(event_tags_columns) == event_tags_natts);
	check_layout(s.events, events_columns, lengthof(events_columns), schema);
	check_layout(s.event_tags, event_tags_columns, lengthof(event_tags_columns), schema);
	return s;
}

bool
valid_store_name(const char *name)
{
	size_t n = strlen(name);
	if (n == 0 || n > 58 || !(name[0] >= 'a' && name[0] <= 'z'))
		return false;
	for (size_t i = 1; i < n; i++)
		if (!((name[i] >= 'a' && name[i] <= 'z') || (name[i] >= '0' && name[i] <= '9') || name[i] == '_'))
			return false;
	return true;
}

bool
mentions(const Store &s, Oid relid)
{
	for (int i = 0; i < s.ntag_slots; i++)
		if (relid == s.tag_slot_idx[i])
			return true;
	return relid == s.events || relid == s.event_tags || relid == s.events_seq || relid == s.events_pkey ||
		   relid == s.events_type_idx || relid == s.events_id_idx || relid == s.event_tags_tag_idx;
}

void
invalidate(Datum, Oid relid)
{
	for (int i = 0; i < ncached; i++)
		if (!OidIsValid(relid) || mentions(cache[i].store, relid))
			cache[i].valid = false;
}

} // namespace

Store
find_store(const char *name)
{
	if (name != nullptr && !valid_store_name(name))
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("store name \"%s\" is not valid", name),
						errdetail("A store name is 1 to 58 lower-case letters, digits and underscores, starting "
								  "with a letter.")));
	const bool is_default = name == nullptr || strcmp(name, default_store_name) == 0;
	if (is_default)
		name = default_store_name;
	int slot = -1;
	for (int i = 0; i < ncached && slot < 0; i++)
		if (strcmp(NameStr(cache[i].store.name), name) == 0)
			slot = i;
	/*
	 * The store's events table is locked (AccessShareLock, which every use of the store takes anyway)
	 * before the cached entry is trusted: taking the lock processes pending invalidations, and ALTER
	 * EXTENSION dcb UPDATE, which rewrites the storage, holds an exclusive lock on it to its commit.
	 * So a transaction sees one layout from its first use of the store to its end.
	 */
	if (slot >= 0 && cache[slot].valid)
	{
		LockRelationOid(cache[slot].store.events, AccessShareLock);
		if (cache[slot].valid)
			return cache[slot].store;
	}

	Store s = load_store(name, is_default);
	if (slot < 0)
	{
		/* a full cache starts over: stores are few, and a lookup is a few syscache probes */
		if (ncached == max_cached_stores)
			ncached = 0;
		slot = ncached++;
	}
	cache[slot] = CachedStore{s, true};
	return s;
}

void
register_catalog_invalidation()
{
	CacheRegisterRelcacheCallback(invalidate, (Datum) 0);
}

} // namespace dcb::pg
