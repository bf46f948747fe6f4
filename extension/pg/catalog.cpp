/*
 * catalog.cpp — finds the extension's tables, indexes and sequence, and caches their OIDs.
 *
 * The cache is reset by any relcache invalidation of one of those relations (or a full reset), so
 * DROP EXTENSION / CREATE EXTENSION in the same session is safe.
 */
#include "pg/catalog.hpp"

namespace dcb::pg {
namespace {

Catalog cached;
bool cache_valid = false;

Oid
lookup(const char *name, Oid nsp)
{
	Oid oid = get_relname_relid(name, nsp);
	if (!OidIsValid(oid))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT), errmsg("dcb storage relation \"dcb.%s\" does not exist", name),
				 errhint("The dcb extension is damaged; recreate it with DROP EXTENSION dcb; CREATE EXTENSION dcb.")));
	return oid;
}

void
invalidate(Datum, Oid relid)
{
	if (!cache_valid)
		return;
	if (!OidIsValid(relid) || relid == cached.events || relid == cached.event_tags || relid == cached.events_seq ||
		relid == cached.events_pkey || relid == cached.events_type_idx || relid == cached.events_id_idx ||
		relid == cached.event_tags_tag_idx)
		cache_valid = false;
}

/*
 * The C code writes rows positionally, so a database whose storage was created by another build of
 * the install script must be refused rather than written with columns in the wrong places.
 */
void
check_layout(Oid relid, const char *const *names, int natts)
{
	Relation rel = table_open(relid, AccessShareLock);
	TupleDesc desc = RelationGetDescr(rel);
	bool ok = desc->natts == natts;
	for (int i = 0; ok && i < natts; i++)
		ok = strcmp(NameStr(TupleDescAttr(desc, i)->attname), names[i]) == 0 && !TupleDescAttr(desc, i)->attisdropped;
	const char *relname = pstrdup(RelationGetRelationName(rel));
	table_close(rel, AccessShareLock);
	if (!ok)
		ereport(ERROR, (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
						errmsg("dcb storage table \"dcb.%s\" does not have the layout this library expects", relname),
						errhint("Update the extension with ALTER EXTENSION dcb UPDATE, or recreate it.")));
}

} // namespace

const Catalog &
catalog()
{
	if (cache_valid)
		return cached;
	Oid nsp = get_namespace_oid("dcb", true);
	if (!OidIsValid(nsp))
		ereport(ERROR, (errcode(ERRCODE_UNDEFINED_OBJECT), errmsg("dcb storage schema \"dcb\" does not exist"),
						errhint("Run CREATE EXTENSION dcb in this database.")));
	cached.events = lookup("events", nsp);
	cached.events_pkey = lookup("events_pkey", nsp);
	cached.events_type_idx = lookup("events_type_idx", nsp);
	cached.events_id_idx = lookup("events_id_idx", nsp);
	cached.event_tags = lookup("event_tags", nsp);
	cached.event_tags_tag_idx = lookup("event_tags_tag_idx", nsp);
	cached.events_seq = lookup("events_seq", nsp);

	static const char *const events_columns[] = {"seq", "type", "tags", "data", "metadata", "occurred_at", "id"};
	static const char *const event_tags_columns[] = {"tag_key", "seq", "type_key", "event_tid"};
	static_assert(lengthof(events_columns) == events_natts && lengthof(event_tags_columns) == event_tags_natts);
	check_layout(cached.events, events_columns, lengthof(events_columns));
	check_layout(cached.event_tags, event_tags_columns, lengthof(event_tags_columns));
	cache_valid = true;
	return cached;
}

void
register_catalog_invalidation()
{
	CacheRegisterRelcacheCallback(invalidate, (Datum) 0);
}

} // namespace dcb::pg
