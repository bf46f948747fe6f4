/*
 * scan.cpp — finds the events that match a filter after a position, in seq order.
 *
 * Each filter item becomes index probes (core/filter.hpp, item_probe):
 *   items with tags    dcb.event_tags (tag_key, seq)   one probe per distinct primary tag, skipping
 *                                                     entries of other types (type_key)
 *   types-only items   dcb.events (type, seq)          one probe per listed type
 *   payload-only items dcb.events (seq)                one probe for the whole filter
 * Every probe returns positions in seq order (or reverse), starting right after the position, so
 * a k-way merge yields candidates in order and the cost of a condition check or a boundary read is
 * a few index descents plus the events it returns: it does not grow with the log. Each candidate is
 * re-checked against the event row (types, all tags, payload containment, time bounds), so hash
 * collisions and the primary-tag shortcut only cost time.
 *
 * Tag probes read only the index (seq, type_key and the event row's ctid, event_tid) and fetch the
 * event row at that ctid: one heap page per candidate instead of an events_pkey descent plus the
 * page. The event row decides visibility (an event and its tag rows are written by one transaction
 * and never updated, so they are visible together; entries of in-flight or aborted appends are
 * candidates whose row the snapshot does not show). event_tid is only a hint: unless the row there
 * is visible and carries the candidate's seq, the seq is looked up in events_pkey.
 *
 * The caller provides the snapshot (taken after its locks) and keeps it active.
 */
#include "pg/pg.hpp"

namespace dcb::pg {
namespace {

/*
 * One probe. Tag probes cover every item whose primary tag is the same: they skip index entries
 * whose type is not among the items' types (unless one of those items has no types).
 */
struct ProbeSpec
{
	Probe kind; /* Tag, Type or All (TagType items become Tag probes with a type set) */
	int64 tag_key;
	std::string_view type; /* Type probes */
	const int64 *type_keys; /* Tag probes: sorted, nullptr = any type */
	int ntype_keys;
};

struct ProbeScan
{
	ProbeSpec spec;
	IndexScanDesc scan;
	TupleTableSlot *slot; /* events slot for Type/All probes, nullptr for Tag probes */
	ItemPointerData event_tid; /* Tag probes: where the current candidate's row was stored */
	int64 seq;
	bool done;
};

/* A (tag, type) requirement of one item, before grouping by tag. */
struct TagNeed
{
	int64 tag_key;
	bool any_type;
	int64 type_key;
};

bool
need_less(const TagNeed &a, const TagNeed &b)
{
	if (a.tag_key != b.tag_key)
		return a.tag_key < b.tag_key;
	if (a.any_type != b.any_type)
		return a.any_type;
	return a.type_key < b.type_key;
}

/* Probes for a filter: one per distinct primary tag, one per type of types-only items, or one All. */
ProbeSpec *
plan_probes(const Filter *filter, int *nspecs)
{
	int nneeds_cap = 0;
	for (int i = 0; i < filter->nitems; i++)
		nneeds_cap += filter->items[i].view.ntypes + 1;
	TagNeed *needs = static_cast<TagNeed *>(palloc(sizeof(TagNeed) * (nneeds_cap + 1)));
	ProbeSpec *specs = static_cast<ProbeSpec *>(palloc(sizeof(ProbeSpec) * (nneeds_cap + 1)));
	int nneeds = 0, n = 0;
	bool all = filter->nitems == 0;

	for (int i = 0; i < filter->nitems && !all; i++)
	{
		const ItemView &item = filter->items[i].view;
		switch (item_probe(item))
		{
			case Probe::TagType:
			case Probe::Tag:
			{
				const int64 tag_key = static_cast<int64>(hash_tag(item.tags[primary_tag]));
				if (item.ntypes == 0)
					needs[nneeds++] = {tag_key, true, 0};
				for (size_t t = 0; t < item.ntypes; t++)
					needs[nneeds++] = {tag_key, false, static_cast<int64>(hash_type(item.types[t]))};
				break;
			}
			case Probe::Type:
				for (size_t t = 0; t < item.ntypes; t++)
					specs[n++] = {Probe::Type, 0, item.types[t], nullptr, 0};
				break;
			case Probe::All:
				all = true;
				break;
		}
	}
	if (all)
	{
		specs[0] = {Probe::All, 0, {}, nullptr, 0};
		*nspecs = 1;
		return specs;
	}

	/* types-only probes: one per distinct type */
	std::sort(specs, specs + n, [](const ProbeSpec &a, const ProbeSpec &b) { return a.type < b.type; });
	n = static_cast<int>(
		std::unique(specs, specs + n, [](const ProbeSpec &a, const ProbeSpec &b) { return a.type == b.type; }) -
		specs);

	/* tag probes: group the needs by tag; "any type" sorts first within a tag */
	std::sort(needs, needs + nneeds, need_less);
	for (int i = 0; i < nneeds;)
	{
		int j = i;
		while (j < nneeds && needs[j].tag_key == needs[i].tag_key)
			j++;
		ProbeSpec spec{Probe::Tag, needs[i].tag_key, {}, nullptr, 0};
		if (!needs[i].any_type)
		{
			int64 *keys = static_cast<int64 *>(palloc(sizeof(int64) * (j - i)));
			int m = 0;
			for (int k = i; k < j; k++)
				if (m == 0 || keys[m - 1] != needs[k].type_key)
					keys[m++] = needs[k].type_key;
			spec.type_keys = keys;
			spec.ntype_keys = m;
		}
		specs[n++] = spec;
		i = j;
	}
	pfree(needs);
	*nspecs = n;
	return specs;
}

bool
wanted_type(const ProbeSpec &spec, int64 type_key)
{
	return spec.type_keys == nullptr || std::binary_search(spec.type_keys, spec.type_keys + spec.ntype_keys, type_key);
}

/*
 * The next entry of a tag probe, read from the index tuple alone (event_tags (tag_key, seq) INCLUDE
 * (type_key, event_tid)). No visibility check: the event row fetched for the candidate decides.
 */
bool
next_tag_entry(ProbeScan *p, ScanDirection dir, int64 *seq, int64 *type_key)
{
	bool isnull;
	if (index_getnext_tid(p->scan, dir) == nullptr)
		return false;
	IndexTuple itup = p->scan->xs_itup;
	TupleDesc desc = p->scan->xs_itupdesc;
	*seq = DatumGetInt64(index_getattr(itup, 2, desc, &isnull));
	*type_key = DatumGetInt64(index_getattr(itup, 3, desc, &isnull));
	p->event_tid = *reinterpret_cast<ItemPointer>(DatumGetPointer(index_getattr(itup, 4, desc, &isnull)));
	return true;
}

/* Moves a probe to its next distinct position (of a wanted type, for tag probes). */
void
advance(ProbeScan *p, ScanDirection dir)
{
	for (;;)
	{
		int64 seq, type_key = 0;
		bool isnull;
		if (p->spec.kind == Probe::Tag)
		{
			if (!next_tag_entry(p, dir, &seq, &type_key))
			{
				p->done = true;
				return;
			}
		}
		else
		{
			if (!index_getnext_slot(p->scan, dir, p->slot))
			{
				p->done = true;
				return;
			}
			seq = DatumGetInt64(slot_getattr(p->slot, attr_seq, &isnull));
		}
		if (seq != p->seq && (p->spec.kind != Probe::Tag || wanted_type(p->spec, type_key)))
		{
			p->seq = seq;
			return;
		}
	}
}

/* Is the container's jsonb a superset of the template object (jsonb @>)? */
bool
data_contains(Jsonb *data, JsonbContainer *tmpl)
{
	if (!JB_ROOT_IS_OBJECT(data))
		return false;
	JsonbIterator *it1 = JsonbIteratorInit(&data->root);
	JsonbIterator *it2 = JsonbIteratorInit(tmpl);
	return JsonbDeepContains(&it1, &it2);
}

/* Does the event row match the filter? Runs in a short-lived memory context. */
bool
event_matches(const Filter *filter, TupleTableSlot *ev, bool need_tags, bool need_data)
{
	bool isnull;
	if (filter->has_from || filter->has_until)
	{
		TimestampTz at = DatumGetTimestampTz(slot_getattr(ev, attr_occurred_at, &isnull));
		if ((filter->has_from && at < filter->from) || (filter->has_until && at > filter->until))
			return false;
	}
	if (filter->nitems == 0)
		return true;

	text *type_text = DatumGetTextPP(slot_getattr(ev, attr_type, &isnull));
	EventView view{std::string_view(VARDATA_ANY(type_text), VARSIZE_ANY_EXHDR(type_text)), nullptr, 0};
	if (need_tags)
	{
		ArrayType *arr = DatumGetArrayTypeP(slot_getattr(ev, attr_tags, &isnull));
		Datum *elems;
		int n;
		deconstruct_array(arr, TEXTOID, -1, false, TYPALIGN_INT, &elems, nullptr, &n);
		std::string_view *tags = static_cast<std::string_view *>(palloc(sizeof(std::string_view) * (n + 1)));
		for (int i = 0; i < n; i++)
		{
			text *t = DatumGetTextPP(elems[i]);
			tags[i] = std::string_view(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
		}
		view.tags = tags;
		view.ntags = n; /* stored sorted and unique by the append path */
	}
	Jsonb *data = need_data ? DatumGetJsonbP(slot_getattr(ev, attr_data, &isnull)) : nullptr;

	for (int i = 0; i < filter->nitems; i++)
	{
		const Item &item = filter->items[i];
		if (item_matches(item.view, view) && (item.payload == nullptr || data_contains(data, item.payload)))
			return true;
	}
	return false;
}

/* How many entries the tag index holds for a tag, counting at most limit. */
int
count_tag_entries(IndexScanDesc scan, int64 tag_key, int limit)
{
	ScanKeyData key;
	ScanKeyInit(&key, 1, BTEqualStrategyNumber, F_INT8EQ, Int64GetDatum(tag_key));
	index_rescan(scan, &key, 1, nullptr, 0);
	int n = 0;
	while (n < limit && index_getnext_tid(scan, ForwardScanDirection) != nullptr)
		n++;
	return n;
}

} // namespace

void
choose_primary_tags(Filter *filter)
{
	constexpr int sample = 64;
	bool multi = false;
	for (int i = 0; i < filter->nitems && !multi; i++)
		multi = filter->items[i].view.ntags > 1;
	if (!multi)
		return;

	const Catalog &cat = catalog();
	Relation event_tags = table_open(cat.event_tags, AccessShareLock);
	Relation idx = index_open(cat.event_tags_tag_idx, AccessShareLock);
	/* an estimate: dead and in-flight entries count too, which is fine for choosing */
	IndexScanDesc scan = index_beginscan(event_tags, idx, SnapshotAny, 1, 0);
	for (int i = 0; i < filter->nitems; i++)
	{
		ItemView &view = filter->items[i].view;
		if (view.ntags < 2)
			continue;
		std::string_view *tags = const_cast<std::string_view *>(view.tags);
		/* the two rarest tags: the primary (probed, and half of the checked pair) and the secondary */
		size_t best = 0, second = 1;
		int best_count = -1, second_count = -1; /* -1: not counted yet */
		for (size_t t = 0; t < view.ntags && second_count != 0; t++)
		{
			/* counting up to the second-best count tells whether this tag is among the two rarest */
			int n = count_tag_entries(scan, static_cast<int64>(hash_tag(tags[t])),
									  second_count < 0 ? sample : second_count);
			if (best_count < 0 || n < best_count)
			{
				second = best, second_count = best_count;
				best = t, best_count = n;
			}
			else if (second_count < 0 || n < second_count)
				second = t, second_count = n;
		}
		std::swap(tags[primary_tag], tags[best]);
		if (second == primary_tag)
			second = best; /* it moved */
		std::swap(tags[secondary_tag], tags[second]);
	}
	index_endscan(scan);
	index_close(idx, AccessShareLock);
	table_close(event_tags, AccessShareLock);
}

int64
scan_events(const ScanRequest &req, Snapshot snapshot)
{
	const Catalog &cat = catalog();
	const ScanDirection dir = req.backwards ? BackwardScanDirection : ForwardScanDirection;
	const Filter *filter = req.filter;

	int nspecs;
	ProbeSpec *specs = plan_probes(filter, &nspecs);

	bool need_tags = false, need_data = false;
	for (int i = 0; i < filter->nitems; i++)
	{
		need_tags |= filter->items[i].view.ntags > 0;
		need_data |= filter->items[i].payload != nullptr;
	}

	Relation events = table_open(cat.events, AccessShareLock);
	Relation event_tags = nullptr;
	Relation idx_pkey = index_open(cat.events_pkey, AccessShareLock);
	Relation idx_type = nullptr, idx_tag = nullptr;

	/*
	 * Events found through dcb.event_tags are fetched at their event_tid, or else by seq through a
	 * lookup scan of events_pkey (begun on first use). Blocks at or beyond nblocks (counted after the
	 * snapshot was taken, so every row it can see lies below) are stale hints.
	 */
	IndexScanDesc fetch = nullptr;
	TupleTableSlot *fetch_slot = nullptr;
	BlockNumber nblocks = InvalidBlockNumber;

	ProbeScan *probes = static_cast<ProbeScan *>(palloc0(sizeof(ProbeScan) * nspecs));
	for (int i = 0; i < nspecs; i++)
	{
		ProbeScan *p = &probes[i];
		ScanKeyData keys[4];
		int nkeys = 0;
		Relation heap, index;
		p->spec = specs[i];
		switch (p->spec.kind)
		{
			case Probe::TagType:
			case Probe::Tag:
				if (!event_tags)
					event_tags = table_open(cat.event_tags, AccessShareLock);
				if (!idx_tag)
					idx_tag = index_open(cat.event_tags_tag_idx, AccessShareLock);
				heap = event_tags;
				index = idx_tag;
				ScanKeyInit(&keys[nkeys++], 1, BTEqualStrategyNumber, F_INT8EQ, Int64GetDatum(p->spec.tag_key));
				ScanKeyInit(&keys[nkeys++], 2, BTGreaterStrategyNumber, F_INT8GT, Int64GetDatum(req.after));
				ScanKeyInit(&keys[nkeys++], 2, BTLessEqualStrategyNumber, F_INT8LE, Int64GetDatum(req.upto));
				break;
			case Probe::Type:
				heap = events;
				if (!idx_type)
					idx_type = index_open(cat.events_type_idx, AccessShareLock);
				index = idx_type;
				ScanKeyInit(&keys[nkeys++], 1, BTEqualStrategyNumber, F_TEXTEQ,
							PointerGetDatum(cstring_to_text_with_len(p->spec.type.data(), (int) p->spec.type.size())));
				ScanKeyInit(&keys[nkeys++], 2, BTGreaterStrategyNumber, F_INT8GT, Int64GetDatum(req.after));
				ScanKeyInit(&keys[nkeys++], 2, BTLessEqualStrategyNumber, F_INT8LE, Int64GetDatum(req.upto));
				break;
			case Probe::All:
			default:
				heap = events;
				index = idx_pkey;
				ScanKeyInit(&keys[nkeys++], 1, BTGreaterStrategyNumber, F_INT8GT, Int64GetDatum(req.after));
				ScanKeyInit(&keys[nkeys++], 1, BTLessEqualStrategyNumber, F_INT8LE, Int64GetDatum(req.upto));
				break;
		}
		p->slot = p->spec.kind == Probe::Tag ? nullptr : table_slot_create(heap, nullptr);
		p->scan = index_beginscan(heap, index, snapshot, nkeys, 0);
		p->scan->xs_want_itup = p->spec.kind == Probe::Tag;
		index_rescan(p->scan, keys, nkeys, nullptr, 0);
		p->seq = -1;
		advance(p, dir);
	}
	if (event_tags)
	{
		fetch_slot = table_slot_create(events, nullptr);
		nblocks = RelationGetNumberOfBlocks(events);
	}

	MemoryContext row_cxt = AllocSetContextCreate(CurrentMemoryContext, "dcb scan row", ALLOCSET_SMALL_SIZES);
	int64 emitted = 0;
	for (;;)
	{
		CHECK_FOR_INTERRUPTS();

		/* the next position in scan order among all probes */
		ProbeScan *best = nullptr;
		for (int i = 0; i < nspecs; i++)
		{
			ProbeScan *p = &probes[i];
			if (p->done)
				continue;
			if (!best || (req.backwards ? p->seq > best->seq : p->seq < best->seq))
				best = p;
		}
		if (!best)
			break;
		const int64 seq = best->seq;

		/* the event row: in hand for events probes, else at a tag probe's event_tid, else looked up by seq */
		TupleTableSlot *ev = nullptr;
		const ItemPointerData *hint = nullptr;
		for (int i = 0; i < nspecs && !ev; i++)
		{
			ProbeScan *p = &probes[i];
			if (p->done || p->seq != seq)
				continue;
			if (p->spec.kind == Probe::Tag)
				hint = &p->event_tid;
			else
				ev = p->slot;
		}
		if (!ev && hint && ItemPointerIsValid(hint) && ItemPointerGetBlockNumber(hint) < nblocks)
		{
			ItemPointerData tid = *hint;
			bool isnull;
			if (table_tuple_fetch_row_version(events, &tid, snapshot, fetch_slot) &&
				DatumGetInt64(slot_getattr(fetch_slot, attr_seq, &isnull)) == seq)
				ev = fetch_slot;
		}
		if (!ev)
		{
			if (!fetch)
				fetch = index_beginscan(events, idx_pkey, snapshot, 1, 0);
			ScanKeyData key;
			ScanKeyInit(&key, 1, BTEqualStrategyNumber, F_INT8EQ, Int64GetDatum(seq));
			index_rescan(fetch, &key, 1, nullptr, 0);
			if (index_getnext_slot(fetch, ForwardScanDirection, fetch_slot))
				ev = fetch_slot;
		}

		bool stop = false;
		if (ev)
		{
			MemoryContext old = MemoryContextSwitchTo(row_cxt);
			bool match = event_matches(filter, ev, need_tags, need_data);
			MemoryContextSwitchTo(old);
			MemoryContextReset(row_cxt);
			if (match)
			{
				emitted++;
				stop = !req.emit(req.arg, ev) || (req.limit > 0 && emitted >= req.limit);
			}
		}
		if (stop)
			break;
		for (int i = 0; i < nspecs; i++)
			if (!probes[i].done && probes[i].seq == seq)
				advance(&probes[i], dir);
	}

	MemoryContextDelete(row_cxt);
	for (int i = 0; i < nspecs; i++)
	{
		index_endscan(probes[i].scan);
		if (probes[i].slot)
			ExecDropSingleTupleTableSlot(probes[i].slot);
	}
	if (fetch)
		index_endscan(fetch);
	if (fetch_slot)
		ExecDropSingleTupleTableSlot(fetch_slot);
	if (idx_tag)
		index_close(idx_tag, AccessShareLock);
	if (idx_type)
		index_close(idx_type, AccessShareLock);
	index_close(idx_pkey, AccessShareLock);
	if (event_tags)
		table_close(event_tags, AccessShareLock);
	table_close(events, AccessShareLock);
	return emitted;
}

} // namespace dcb::pg
