/*
 * scan.cpp — finds the events that match a filter after a position, in seq order.
 *
 * Each filter item becomes index probes (core/filter.hpp, item_probe):
 *   items with tags    the tag indexes                 per distinct primary tag, one probe of each
 *                                                     tag index, skipping entries of other types
 *   types-only items   dcb.events (type, seq)          one probe per listed type
 *   payload-only items dcb.events (seq)                one probe for the whole filter
 * The tag indexes: an event's first two tags are indexed in the event row, events_tag1_idx and
 * events_tag2_idx on (tag_key(tags, n), seq, type_key(type)); further tags have a dcb.event_tags row,
 * indexed by event_tags_tag_idx on (tag_key, seq) INCLUDE (type_key, event_tid). So a tag is found
 * through three probes (the third is skipped while dcb.event_tags is empty; a default store still at
 * 0.1.0 has only event_tags, holding every tag).
 * Every probe returns positions in seq order (or reverse), starting right after the position, so
 * a k-way merge yields candidates in order and the cost of a condition check or a boundary read is
 * a few index descents plus the events it returns: it does not grow with the log. Each candidate is
 * re-checked against the event row (types, all tags, payload containment, time bounds), so hash
 * collisions and the primary-tag shortcut only cost time.
 *
 * Tag probes read only the index (seq, type_key, and where the event row is: the index entry's own
 * heap pointer for the slot indexes, event_tid for event_tags) and fetch the event row there: one
 * heap page per candidate instead of an events_pkey descent plus the page. The event row decides
 * visibility (an event and its tag rows are written by one transaction and never updated, so they
 * are visible together; entries of in-flight or aborted appends are candidates whose row the
 * snapshot does not show). event_tid is only a hint: unless the row there is visible and carries
 * the candidate's seq, the seq is looked up in events_pkey.
 *
 * A scan is open (plan the probes, open them) / next position (the k-way merge) / fetch row / close.
 */
#include "pg/scan.hpp"

#include "core/keys.hpp"
#include "pg/catalog.hpp"

namespace dcb::pg {
namespace {

enum class ProbeKind : uint8
{
	Tag,     /* one tag index for one tag (items with tags), skipping entries of other types */
	Type,    /* the type index of one type (types-only items) */
	TypeSet, /* the type index of many types at once, its positions sorted (see max_open_probes) */
	All,     /* every event after the position (payload-only items) */
};

/*
 * One probe. Tag probes cover every item whose primary tag is the same: they skip index entries
 * whose type is not among the items' types (unless one of those items has no types).
 */
struct ProbeSpec
{
	ProbeKind kind;
	int64 tag_key;
	int tag_index;                 /* Tag probes: a slot index (0, 1) or, at ntag_slots, event_tags */
	std::string_view type;         /* Type probes */
	const int64 *type_keys;        /* Tag probes: sorted, nullptr = any type */
	int ntype_keys;                /* ... and their number; TypeSet probes: the number of types */
	const std::string_view *types; /* TypeSet probes */
};

struct ProbeScan
{
	ProbeSpec spec;
	IndexScanDesc scan;        /* Tag, Type and All probes */
	Tuplesortstate *sorted;    /* TypeSet probes: their positions, in scan order */
	TupleTableSlot *slot;      /* events slot for Type/All probes, else nullptr */
	ItemPointerData event_tid; /* Tag probes: where the current candidate's row is (was, if !exact) */
	bool exact;                /* event_tid is the slot index's heap pointer, not an event_tags hint */
	int64 seq;
	bool done;
};
DCB_PG_FRAME_TYPE(ProbeScan);

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

/*
 * An open probe holds an index scan with its page buffers (some 30 kB). A filter that would need
 * more than this many (say, 100 items of 100 types each) reads the positions of all its types in one
 * scan of the type index and sorts them (in work_mem, spilling to disk beyond it); only if its tags
 * alone need more (possible when dcb.max_filter_items is raised) does it scan every position after
 * the read's instead. Memory per read stays bounded whatever the filter.
 */
constexpr int max_open_probes = 256;

/* Probes for a filter: one per tag index and distinct primary tag, one per type of types-only
 * items, or one All. tag_indexes: how many tag indexes a tag is probed in. */
ProbeSpec *
plan_probes(const Filter *filter, int tag_indexes, int *nspecs)
{
	int nneeds_cap = 0;
	for (int i = 0; i < filter->nitems; i++)
		nneeds_cap += filter->items[i].view.ntypes + 1;
	TagNeed *needs = static_cast<TagNeed *>(palloc(sizeof(TagNeed) * (nneeds_cap + 1)));
	ProbeSpec *specs = static_cast<ProbeSpec *>(palloc(sizeof(ProbeSpec) * (nneeds_cap * (tag_indexes + 1) + 1)));
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
				const int64 tag_key = static_cast<int64>(hash_tag(item.primary_tag()));
				if (item.ntypes == 0)
					needs[nneeds++] = {tag_key, true, 0};
				for (size_t t = 0; t < item.ntypes; t++)
					needs[nneeds++] = {tag_key, false, static_cast<int64>(hash_type(item.types[t]))};
				break;
			}
			case Probe::Type:
				for (size_t t = 0; t < item.ntypes; t++)
					specs[n++] = {ProbeKind::Type, 0, 0, item.types[t], nullptr, 0, nullptr};
				break;
			case Probe::All:
				all = true;
				break;
		}
	}
	if (all)
	{
		specs[0] = {ProbeKind::All, 0, 0, {}, nullptr, 0, nullptr};
		*nspecs = 1;
		return specs;
	}

	/* types-only probes: one per distinct type */
	std::sort(specs, specs + n, [](const ProbeSpec &a, const ProbeSpec &b) { return a.type < b.type; });
	n = static_cast<int>(
		std::unique(specs, specs + n, [](const ProbeSpec &a, const ProbeSpec &b) { return a.type == b.type; }) - specs);

	/* tag probes: group the needs by tag; "any type" sorts first within a tag */
	std::sort(needs, needs + nneeds, need_less);
	int ntags = 0;
	for (int i = 0; i < nneeds; i++)
		ntags += i == 0 || needs[i].tag_key != needs[i - 1].tag_key;
	if (n + ntags * tag_indexes > max_open_probes && n > 1)
	{
		/* the types in one probe, sorted by the position of their events */
		std::string_view *types = static_cast<std::string_view *>(palloc(sizeof(std::string_view) * n));
		for (int i = 0; i < n; i++)
			types[i] = specs[i].type;
		specs[0] = {ProbeKind::TypeSet, 0, 0, {}, nullptr, n, types};
		n = 1;
	}
	for (int i = 0; i < nneeds;)
	{
		int j = i;
		while (j < nneeds && needs[j].tag_key == needs[i].tag_key)
			j++;
		ProbeSpec spec{ProbeKind::Tag, needs[i].tag_key, 0, {}, nullptr, 0, nullptr};
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
		for (int t = 0; t < tag_indexes; t++)
		{
			spec.tag_index = t;
			specs[n++] = spec;
		}
		i = j;
	}
	pfree(needs);
	if (n > max_open_probes)
	{
		specs[0] = {ProbeKind::All, 0, 0, {}, nullptr, 0, nullptr};
		n = 1;
	}
	*nspecs = n;
	return specs;
}

bool
wanted_type(const ProbeSpec &spec, int64 type_key)
{
	return spec.type_keys == nullptr || std::binary_search(spec.type_keys, spec.type_keys + spec.ntype_keys, type_key);
}

/*
 * The next entry of a tag probe, read from the index tuple alone (TagIndexAttr). No visibility
 * check: the event row fetched for the candidate decides.
 */
bool
next_tag_entry(ProbeScan *p, ScanDirection dir, int64 *seq, int64 *type_key)
{
	bool isnull;
	if (index_getnext_tid(p->scan, dir) == nullptr)
		return false;
	IndexTuple itup = p->scan->xs_itup;
	TupleDesc desc = p->scan->xs_itupdesc;
	*seq = DatumGetInt64(index_getattr(itup, tag_idx_seq, desc, &isnull));
	*type_key = DatumGetInt64(index_getattr(itup, tag_idx_type_key, desc, &isnull));
	if (p->exact)
		p->event_tid = p->scan->xs_heaptid;
	else
		p->event_tid =
			*reinterpret_cast<ItemPointer>(DatumGetPointer(index_getattr(itup, tag_idx_event_tid, desc, &isnull)));
	return true;
}

/*
 * Ends an exhausted probe at once. An open B-tree scan holds some 45 kB (its position arrays and the
 * copies of index tuples), allocated outside the memory context's blocks; most probes of a condition
 * check find nothing, so ending each before the next is opened lets them reuse the same memory instead
 * of growing (and, at the end of the call, shrinking) the backend's heap: that churn of brk() and page
 * faults cost a two-item append at 16 clients half its throughput.
 */
void
finish_probe(ProbeScan *p)
{
	p->done = true;
	if (p->scan)
		index_endscan(p->scan);
	if (p->sorted)
		tuplesort_end(p->sorted);
	if (p->slot)
		ExecDropSingleTupleTableSlot(p->slot);
	p->scan = nullptr;
	p->sorted = nullptr;
	p->slot = nullptr;
}

/* Moves a probe to its next distinct position (of a wanted type, for tag probes). */
void
advance(ProbeScan *p, ScanDirection dir)
{
	for (;;)
	{
		int64 seq, type_key = 0;
		bool isnull;
		if (p->spec.kind == ProbeKind::Tag)
		{
			if (!next_tag_entry(p, dir, &seq, &type_key))
			{
				finish_probe(p);
				return;
			}
		}
		else if (p->spec.kind == ProbeKind::TypeSet)
		{
			Datum value;
			if (!tuplesort_getdatum(p->sorted, true, &value, &isnull, nullptr))
			{
				finish_probe(p);
				return;
			}
			seq = DatumGetInt64(value);
		}
		else
		{
			if (!index_getnext_slot(p->scan, dir, p->slot))
			{
				finish_probe(p);
				return;
			}
			seq = DatumGetInt64(slot_getattr(p->slot, attr_seq, &isnull));
		}
		if (seq != p->seq && (p->spec.kind != ProbeKind::Tag || wanted_type(p->spec, type_key)))
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

/* The state of one scan. */
struct EventScan
{
	const ScanRequest *req;
	Snapshot snapshot;
	ScanDirection dir;
	bool need_tags; /* some item has tags: the row's tags are needed to re-check */
	bool need_data; /* some item has a payload predicate */
	Relation events;
	Relation event_tags; /* opened when some item has tags */
	int tag_indexes;     /* tag indexes a tag is probed in: the slot indexes, and event_tags unless empty */
	Relation idx_pkey;
	Relation idx_type;                   /* opened by the first type probe */
	Relation idx_tag[max_tag_slots + 1]; /* opened by the first tag probe: slot indexes, then event_tags' */
	ProbeScan *probes;
	int nprobes;
	/*
	 * Events found through a tag index are fetched at their event_tid, or else by seq through a
	 * lookup scan of events_pkey (begun on first use). Hints (from dcb.event_tags) at or beyond nblocks
	 * (counted after the snapshot was taken, so every row it can see lies below) are stale.
	 */
	IndexScanDesc fetch;
	TupleTableSlot *fetch_slot;
	BlockNumber nblocks;
	MemoryContext row_cxt; /* for re-checking one row */
};
DCB_PG_FRAME_TYPE(EventScan);

/*
 * Reads the positions of all of a TypeSet probe's types in one scan of the type index (type = ANY,
 * in the index's collation), from the index tuples alone, and sorts them in scan order.
 */
void
open_type_set(EventScan *s, ProbeScan *p)
{
	const ScanRequest &req = *s->req;
	Datum *elems = static_cast<Datum *>(palloc(sizeof(Datum) * p->spec.ntype_keys));
	for (int i = 0; i < p->spec.ntype_keys; i++)
		elems[i] = PointerGetDatum(cstring_to_text_with_len(p->spec.types[i].data(), (int) p->spec.types[i].size()));
	ArrayType *types = construct_array(elems, p->spec.ntype_keys, TEXTOID, -1, false, TYPALIGN_INT);

	ScanKeyData keys[3];
	ScanKeyEntryInitialize(&keys[0], SK_SEARCHARRAY, 1, BTEqualStrategyNumber, InvalidOid,
						   s->idx_type->rd_indcollation[0], F_TEXTEQ, PointerGetDatum(types));
	ScanKeyInit(&keys[1], 2, BTGreaterStrategyNumber, F_INT8GT, Int64GetDatum(req.after));
	ScanKeyInit(&keys[2], 2, BTLessEqualStrategyNumber, F_INT8LE, Int64GetDatum(req.upto));
	IndexScanDesc scan = index_beginscan(s->events, s->idx_type, s->snapshot, 3, 0);
	scan->xs_want_itup = true;
	index_rescan(scan, keys, 3, nullptr, 0);

	p->sorted = tuplesort_begin_datum(INT8OID, req.backwards ? get_commutator(Int8LessOperator) : Int8LessOperator,
									  InvalidOid, false, work_mem, nullptr, TUPLESORT_NONE);
	while (index_getnext_tid(scan, ForwardScanDirection) != nullptr)
	{
		CHECK_FOR_INTERRUPTS();
		bool isnull;
		tuplesort_putdatum(p->sorted, index_getattr(scan->xs_itup, 2, scan->xs_itupdesc, &isnull), false);
	}
	index_endscan(scan);
	tuplesort_performsort(p->sorted);
}

/* Begins one probe, positioned on its first entry after the position. */
void
open_probe(EventScan *s, ProbeScan *p, const ProbeSpec &spec)
{
	const Store &cat = *s->req->store;
	const ScanRequest &req = *s->req;
	ScanKeyData keys[3];
	int nkeys = 0;
	Relation heap, index;
	p->spec = spec;
	if ((spec.kind == ProbeKind::Type || spec.kind == ProbeKind::TypeSet) && !s->idx_type)
		s->idx_type = index_open(cat.events_type_idx, AccessShareLock);
	p->seq = -1;
	if (spec.kind == ProbeKind::TypeSet)
	{
		open_type_set(s, p);
		advance(p, s->dir);
		return;
	}
	switch (spec.kind)
	{
		case ProbeKind::Tag:
			p->exact = spec.tag_index < cat.ntag_slots;
			if (!s->idx_tag[spec.tag_index])
				s->idx_tag[spec.tag_index] = index_open(tag_index(cat, spec.tag_index), AccessShareLock);
			heap = p->exact ? s->events : s->event_tags;
			index = s->idx_tag[spec.tag_index];
			ScanKeyInit(&keys[nkeys++], 1, BTEqualStrategyNumber, F_INT8EQ, Int64GetDatum(spec.tag_key));
			ScanKeyInit(&keys[nkeys++], 2, BTGreaterStrategyNumber, F_INT8GT, Int64GetDatum(req.after));
			ScanKeyInit(&keys[nkeys++], 2, BTLessEqualStrategyNumber, F_INT8LE, Int64GetDatum(req.upto));
			break;
		case ProbeKind::Type:
			heap = s->events;
			index = s->idx_type;
			ScanKeyInit(&keys[nkeys++], 1, BTEqualStrategyNumber, F_TEXTEQ,
						PointerGetDatum(cstring_to_text_with_len(spec.type.data(), (int) spec.type.size())));
			ScanKeyInit(&keys[nkeys++], 2, BTGreaterStrategyNumber, F_INT8GT, Int64GetDatum(req.after));
			ScanKeyInit(&keys[nkeys++], 2, BTLessEqualStrategyNumber, F_INT8LE, Int64GetDatum(req.upto));
			break;
		default: /* ProbeKind::All */
			heap = s->events;
			index = s->idx_pkey;
			ScanKeyInit(&keys[nkeys++], 1, BTGreaterStrategyNumber, F_INT8GT, Int64GetDatum(req.after));
			ScanKeyInit(&keys[nkeys++], 1, BTLessEqualStrategyNumber, F_INT8LE, Int64GetDatum(req.upto));
			break;
	}
	p->slot = spec.kind == ProbeKind::Tag ? nullptr : table_slot_create(heap, nullptr);
	p->scan = index_beginscan(heap, index, s->snapshot, nkeys, 0);
	p->scan->xs_want_itup = spec.kind == ProbeKind::Tag;
	index_rescan(p->scan, keys, nkeys, nullptr, 0);
	advance(p, s->dir);
}

/* Plans the probes of the request's filter and opens them. */
void
scan_open(EventScan *s, const ScanRequest &req, Snapshot snapshot)
{
	const Store &cat = *req.store;
	*s = EventScan{};
	s->req = &req;
	s->snapshot = snapshot;
	s->dir = req.backwards ? BackwardScanDirection : ForwardScanDirection;
	for (int i = 0; i < req.filter->nitems; i++)
	{
		s->need_tags |= req.filter->items[i].view.ntags > 0;
		s->need_data |= req.filter->items[i].payload != nullptr;
	}
	s->events = table_open(cat.events, AccessShareLock);
	s->idx_pkey = index_open(cat.events_pkey, AccessShareLock);
	if (s->need_tags)
	{
		s->event_tags = table_open(cat.event_tags, AccessShareLock);
		s->tag_indexes = cat.ntag_slots + (RelationGetNumberOfBlocks(s->event_tags) > 0 ? 1 : 0);
	}

	ProbeSpec *specs = plan_probes(req.filter, s->tag_indexes, &s->nprobes);
	s->probes = static_cast<ProbeScan *>(palloc0(sizeof(ProbeScan) * s->nprobes));
	for (int i = 0; i < s->nprobes; i++)
		open_probe(s, &s->probes[i], specs[i]);
	s->fetch_slot = table_slot_create(s->events, nullptr);
	if (s->tag_indexes > cat.ntag_slots) /* event_tags probes, whose hints are checked against it */
		s->nblocks = RelationGetNumberOfBlocks(s->events);
	s->row_cxt = AllocSetContextCreate(CurrentMemoryContext, "dcb scan row", ALLOCSET_SMALL_SIZES);
}

/* The next candidate position in scan order among all probes; false when they are exhausted. */
bool
scan_next_position(const EventScan *s, int64 *seq)
{
	const ProbeScan *best = nullptr;
	for (int i = 0; i < s->nprobes; i++)
	{
		const ProbeScan *p = &s->probes[i];
		if (!p->done && (!best || (s->req->backwards ? p->seq > best->seq : p->seq < best->seq)))
			best = p;
	}
	if (best)
		*seq = best->seq;
	return best != nullptr;
}

/* The event row at a candidate position, if the snapshot shows it: in hand for events probes, else
 * at a tag probe's event_tid, else looked up by seq. */
TupleTableSlot *
scan_fetch_row(EventScan *s, int64 seq)
{
	const ProbeScan *tag = nullptr;
	for (int i = 0; i < s->nprobes; i++)
	{
		ProbeScan *p = &s->probes[i];
		if (p->done || p->seq != seq)
			continue;
		if (p->slot)
			return p->slot;
		if (p->spec.kind == ProbeKind::Tag && (!tag || p->exact))
			tag = p;
	}
	const ItemPointerData *hint = tag ? &tag->event_tid : nullptr;
	if (hint && ItemPointerIsValid(hint) && (tag->exact || ItemPointerGetBlockNumber(hint) < s->nblocks))
	{
		ItemPointerData tid = *hint;
		bool isnull;
		if (table_tuple_fetch_row_version(s->events, &tid, s->snapshot, s->fetch_slot) &&
			DatumGetInt64(slot_getattr(s->fetch_slot, attr_seq, &isnull)) == seq)
			return s->fetch_slot;
	}
	if (!s->fetch)
		s->fetch = index_beginscan(s->events, s->idx_pkey, s->snapshot, 1, 0);
	ScanKeyData key;
	ScanKeyInit(&key, 1, BTEqualStrategyNumber, F_INT8EQ, Int64GetDatum(seq));
	index_rescan(s->fetch, &key, 1, nullptr, 0);
	return index_getnext_slot(s->fetch, ForwardScanDirection, s->fetch_slot) ? s->fetch_slot : nullptr;
}

/* Does the event row match the filter? (Re-checks everything: the probes only narrow candidates.) */
bool
scan_row_matches(EventScan *s, TupleTableSlot *ev)
{
	const Filter *filter = s->req->filter;
	bool isnull;
	if (!within_bounds(filter->bounds, DatumGetTimestampTz(slot_getattr(ev, attr_occurred_at, &isnull))))
		return false;
	if (filter->nitems == 0)
		return true;

	MemoryContext old = MemoryContextSwitchTo(s->row_cxt);
	text *type_text = DatumGetTextPP(slot_getattr(ev, attr_type, &isnull));
	EventView view{std::string_view(VARDATA_ANY(type_text), VARSIZE_ANY_EXHDR(type_text)), nullptr, 0};
	if (s->need_tags)
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
	Jsonb *data = s->need_data ? DatumGetJsonbP(slot_getattr(ev, attr_data, &isnull)) : nullptr;
	bool match = false;
	for (int i = 0; i < filter->nitems && !match; i++)
	{
		const Item &item = filter->items[i];
		match = item_matches(item.view, view) && (item.payload == nullptr || data_contains(data, item.payload));
	}
	MemoryContextSwitchTo(old);
	MemoryContextReset(s->row_cxt);
	return match;
}

/* Moves the probes positioned at seq to their next position. */
void
scan_advance_past(EventScan *s, int64 seq)
{
	for (int i = 0; i < s->nprobes; i++)
		if (!s->probes[i].done && s->probes[i].seq == seq)
			advance(&s->probes[i], s->dir);
}

/* Ends the probe scans and closes what scan_open opened. */
void
scan_close(EventScan *s)
{
	MemoryContextDelete(s->row_cxt);
	for (int i = 0; i < s->nprobes; i++)
		finish_probe(&s->probes[i]);
	if (s->fetch)
		index_endscan(s->fetch);
	if (s->fetch_slot)
		ExecDropSingleTupleTableSlot(s->fetch_slot);
	for (Relation idx : s->idx_tag)
		if (idx)
			index_close(idx, AccessShareLock);
	if (s->idx_type)
		index_close(s->idx_type, AccessShareLock);
	index_close(s->idx_pkey, AccessShareLock);
	if (s->event_tags)
		table_close(s->event_tags, AccessShareLock);
	table_close(s->events, AccessShareLock);
}

} // namespace

TransactionId
inserter_of(TupleTableSlot *event)
{
	bool isnull;
	return DatumGetTransactionId(slot_getsysattr(event, MinTransactionIdAttributeNumber, &isnull));
}

bool
running_elsewhere(TransactionId xid)
{
	return !TransactionIdIsCurrentTransactionId(xid) && TransactionIdIsInProgress(xid);
}

int64
scan_events(const ScanRequest &req, Snapshot snapshot)
{
	EventScan s;
	scan_open(&s, req, snapshot);
	int64 emitted = 0, seq;
	while (scan_next_position(&s, &seq))
	{
		CHECK_FOR_INTERRUPTS();
		TupleTableSlot *ev = scan_fetch_row(&s, seq);
		if (ev && scan_row_matches(&s, ev))
		{
			emitted++;
			if (!req.emit(req.arg, ev) || (req.limit > 0 && emitted >= req.limit))
				break;
		}
		scan_advance_past(&s, seq);
	}
	scan_close(&s);
	return emitted;
}

} // namespace dcb::pg
