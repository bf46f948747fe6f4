/*
 * store.cpp — writes events: a row in dcb.events (whose tag slot indexes cover its first two tags)
 * and a row in dcb.event_tags for each further distinct tag.
 *
 * Positions come from dcb.events_seq, and only here: the caller must already hold the append's
 * locks (append.cpp). Two paths, both maintaining every index of the tables (including ones a user
 * adds) and checking their constraints:
 *
 *   - one event, or tables with row triggers: the executor's ExecSimpleRelationInsert per row (as
 *     logical replication's apply does), which also fires the triggers;
 *   - batches: like COPY, rows of up to batch_rows events at a time go through table_multi_insert
 *     with a bulk-insert state (one WAL record per heap page instead of per row), then their index
 *     entries; tag rows are inserted in key order so the B-tree descents walk neighbouring pages.
 *
 * Memory is bounded by one chunk: every chunk's rows live in a context reset after it. The caller's
 * hooks run around each chunk (a row, on the first path): before its positions are taken, and once
 * its rows are in every index.
 */
#include "pg/store.hpp"

#include "core/keys.hpp"
#include "pg/catalog.hpp"

namespace dcb::pg {
namespace {

constexpr int batch_rows = 1000;

struct Target
{
	Relation rel;
	ResultRelInfo *rri;
};

struct Inserter
{
	EState *estate;
	Target events;
	Target tags;
	Oid seq_oid;
	int ntag_slots; /* tags the event row's indexes cover: the rest get event_tags rows */
	Jsonb *empty_object;
	MemoryContext chunk_cxt;
	const ChunkHooks *hooks; /* nullptr: none */
};
DCB_PG_FRAME_TYPE(Inserter);

RangeTblEntry *
make_rte(Relation rel)
{
	RangeTblEntry *rte = makeNode(RangeTblEntry);
	rte->rtekind = RTE_RELATION;
	rte->relid = RelationGetRelid(rel);
	rte->relkind = rel->rd_rel->relkind;
	rte->rellockmode = RowExclusiveLock;
	rte->requiredPerms = ACL_INSERT;
	return rte;
}

void
inserter_begin(Inserter *ins, const Store &store)
{
	ins->seq_oid = store.events_seq;
	ins->ntag_slots = store.ntag_slots;
	ins->events.rel = table_open(store.events, RowExclusiveLock);
	ins->tags.rel = table_open(store.event_tags, RowExclusiveLock);

	EState *estate = ins->estate = CreateExecutorState();
	ExecInitRangeTable(estate, list_make2(make_rte(ins->events.rel), make_rte(ins->tags.rel)));
	ins->events.rri = makeNode(ResultRelInfo);
	ins->tags.rri = makeNode(ResultRelInfo);
	InitResultRelInfo(ins->events.rri, ins->events.rel, 1, nullptr, 0);
	InitResultRelInfo(ins->tags.rri, ins->tags.rel, 2, nullptr, 0);
	estate->es_opened_result_relations = list_make2(ins->events.rri, ins->tags.rri);
	estate->es_output_cid = GetCurrentCommandId(true);
	ExecOpenIndices(ins->events.rri, false);
	ExecOpenIndices(ins->tags.rri, false);
	AfterTriggerBeginQuery();

	JsonbValue empty;
	empty.type = jbvObject;
	empty.val.object.nPairs = 0;
	empty.val.object.pairs = nullptr;
	ins->empty_object = JsonbValueToJsonb(&empty);
	ins->chunk_cxt = AllocSetContextCreate(CurrentMemoryContext, "dcb insert chunk", ALLOCSET_DEFAULT_SIZES);
}

void
inserter_end(Inserter *ins)
{
	AfterTriggerEndQuery(ins->estate);
	ExecCloseIndices(ins->events.rri);
	ExecCloseIndices(ins->tags.rri);
	ExecResetTupleTable(ins->estate->es_tupleTable, false);
	FreeExecutorState(ins->estate);
	MemoryContextDelete(ins->chunk_cxt);
	table_close(ins->tags.rel, RowExclusiveLock);
	table_close(ins->events.rel, RowExclusiveLock);
}

/* Fills an events slot (values allocated in the current memory context). */
void
fill_event_slot(const Inserter *ins, TupleTableSlot *slot, const Event &ev, int64 seq)
{
	Datum *tag_datums = static_cast<Datum *>(palloc(sizeof(Datum) * (ev.ntags + 1)));
	for (int i = 0; i < ev.ntags; i++)
		tag_datums[i] = PointerGetDatum(cstring_to_text_with_len(ev.tags[i].data(), (int) ev.tags[i].size()));

	ExecClearTuple(slot);
	Datum *v = slot->tts_values;
	bool *isnull = slot->tts_isnull;
	memset(isnull, 0, sizeof(bool) * events_natts);
	v[attr_seq - 1] = Int64GetDatum(seq);
	v[attr_type - 1] = PointerGetDatum(cstring_to_text_with_len(ev.type.data(), (int) ev.type.size()));
	v[attr_tags - 1] = PointerGetDatum(construct_array(tag_datums, ev.ntags, TEXTOID, -1, false, TYPALIGN_INT));
	v[attr_data - 1] = JsonbPGetDatum(JsonbValueToJsonb(const_cast<JsonbValue *>(&ev.data)));
	v[attr_metadata - 1] = ev.has_metadata ? JsonbPGetDatum(JsonbValueToJsonb(const_cast<JsonbValue *>(&ev.metadata)))
										   : JsonbPGetDatum(ins->empty_object);
	v[attr_occurred_at - 1] =
		TimestampTzGetDatum(ev.has_occurred_at ? ev.occurred_at : GetCurrentTransactionStartTimestamp());
	if (ev.has_id)
		v[attr_id - 1] = UUIDPGetDatum(&ev.id);
	else
		isnull[attr_id - 1] = true;
	ExecStoreVirtualTuple(slot);
}

/* A dcb.event_tags row. event_tid is the event row's ctid (invalid if no row was stored). */
struct TagRow
{
	int64 tag_key;
	int64 seq;
	int64 type_key;
	ItemPointerData event_tid;
};

void
fill_tag_slot(TupleTableSlot *slot, const TagRow &row)
{
	ExecClearTuple(slot);
	slot->tts_values[tag_attr_tag_key - 1] = Int64GetDatum(row.tag_key);
	slot->tts_values[tag_attr_seq - 1] = Int64GetDatum(row.seq);
	slot->tts_values[tag_attr_type_key - 1] = Int64GetDatum(row.type_key);
	slot->tts_values[tag_attr_event_tid - 1] = PointerGetDatum(&row.event_tid);
	memset(slot->tts_isnull, 0, sizeof(bool) * event_tags_natts);
	ExecStoreVirtualTuple(slot);
}

/* The event_tags rows of an event: its tags beyond the first ntag_slots. */
int
tag_rows(const Event &ev, int ntag_slots, int64 seq, const ItemPointerData &event_tid, TagRow *out)
{
	if (ev.ntags <= ntag_slots)
		return 0;
	const int64 type_key = static_cast<int64>(hash_type(ev.type));
	for (int i = ntag_slots; i < ev.ntags; i++)
		out[i - ntag_slots] = {static_cast<int64>(hash_tag(ev.tags[i])), seq, type_key, event_tid};
	return ev.ntags - ntag_slots;
}

/* Is the stored value the given one? (Varlenas compare by content: forming the trigger's tuple may
 * shorten their headers.) */
bool
same_value(Datum given, Datum stored, Form_pg_attribute att)
{
	if (att->attlen != -1)
		return datumIsEqual(given, stored, att->attbyval, att->attlen);
	struct varlena *a = pg_detoast_datum_packed(reinterpret_cast<struct varlena *>(DatumGetPointer(given)));
	struct varlena *b = pg_detoast_datum_packed(reinterpret_cast<struct varlena *>(DatumGetPointer(stored)));
	return VARSIZE_ANY_EXHDR(a) == VARSIZE_ANY_EXHDR(b) &&
		   memcmp(VARDATA_ANY(a), VARDATA_ANY(b), VARSIZE_ANY_EXHDR(a)) == 0;
}

/*
 * Inserts one row through the executor, which fires the table's row triggers. A BEFORE ROW trigger
 * may skip the row or change it; either would make the log differ from what the call reports, so
 * both are refused (27000) and the call writes nothing.
 */
void
insert_row_as_given(Inserter *ins, Target &target, TupleTableSlot *slot, bool tag_row, int index)
{
	const bool before_triggers = target.rri->ri_TrigDesc && target.rri->ri_TrigDesc->trig_insert_before_row;
	const int natts = slot->tts_tupleDescriptor->natts;
	Datum *given = nullptr;
	bool *given_null = nullptr;
	if (before_triggers)
	{
		given = static_cast<Datum *>(palloc(sizeof(Datum) * natts));
		given_null = static_cast<bool *>(palloc(sizeof(bool) * natts));
		memcpy(given, slot->tts_values, sizeof(Datum) * natts);
		memcpy(given_null, slot->tts_isnull, sizeof(bool) * natts);
	}
	ItemPointerSetInvalid(&slot->tts_tid); /* stays invalid if a trigger skips the row */

	ExecSimpleRelationInsert(target.rri, ins->estate, slot);
	ResetPerTupleExprContext(ins->estate);

	bool same = ItemPointerIsValid(&slot->tts_tid);
	if (same && before_triggers)
	{
		slot_getallattrs(slot);
		for (int a = 0; same && a < natts; a++)
			same = given_null[a] == slot->tts_isnull[a] &&
				   (given_null[a] ||
					same_value(given[a], slot->tts_values[a], TupleDescAttr(slot->tts_tupleDescriptor, a)));
	}
	if (!same)
		ereport(ERROR,
				(errcode(ERRCODE_TRIGGERED_DATA_CHANGE_VIOLATION),
				 errmsg("a trigger on %s.%s %s %sevents[%d]", get_namespace_name(RelationGetNamespace(target.rel)),
						RelationGetRelationName(target.rel), ItemPointerIsValid(&slot->tts_tid) ? "changed" : "skipped",
						tag_row ? "a tag row of " : "", index),
				 errdetail("dcb stores events exactly as appended; nothing of this call was written."),
				 errhint("A BEFORE ROW trigger on dcb's tables must return NEW unchanged; react to appends "
						 "with an AFTER trigger.")));
}

/* Row by row, through the executor (fires row triggers). */
int64
insert_rowwise(Inserter *ins, const Event *evs, int n)
{
	TupleTableSlot *ev_slot = ExecInitExtraTupleSlot(ins->estate, RelationGetDescr(ins->events.rel), &TTSOpsVirtual);
	TupleTableSlot *tag_slot = ExecInitExtraTupleSlot(ins->estate, RelationGetDescr(ins->tags.rel), &TTSOpsVirtual);
	int64 seq = 0;
	for (int i = 0; i < n; i++)
	{
		CHECK_FOR_INTERRUPTS();
		if (ins->hooks)
			ins->hooks->before_chunk(ins->hooks->arg);
		seq = nextval_internal(ins->seq_oid, false);
		MemoryContext old = MemoryContextSwitchTo(ins->chunk_cxt);
		fill_event_slot(ins, ev_slot, evs[i], seq);
		insert_row_as_given(ins, ins->events, ev_slot, false, i);
		TagRow *rows = static_cast<TagRow *>(palloc(sizeof(TagRow) * (evs[i].ntags + 1)));
		int nrows = tag_rows(evs[i], ins->ntag_slots, seq, ev_slot->tts_tid, rows);
		for (int r = 0; r < nrows; r++)
		{
			fill_tag_slot(tag_slot, rows[r]);
			insert_row_as_given(ins, ins->tags, tag_slot, true, i);
		}
		if (ins->hooks)
			ins->hooks->after_chunk(ins->hooks->arg);
		MemoryContextSwitchTo(old);
		MemoryContextReset(ins->chunk_cxt);
	}
	return seq;
}

/* Heap rows of a chunk in one table_multi_insert, then their index entries. */
void
flush_chunk(Inserter *ins, Target &target, TupleTableSlot **slots, int n, BulkInsertState bistate)
{
	if (n == 0)
		return;
	if (target.rel->rd_att->constr)
		for (int i = 0; i < n; i++)
			ExecConstraints(target.rri, slots[i], ins->estate);
	table_multi_insert(target.rel, slots, n, ins->estate->es_output_cid, 0, bistate);
	for (int i = 0; i < n; i++)
	{
		if (target.rri->ri_NumIndices > 0)
			ExecInsertIndexTuples(target.rri, slots[i], ins->estate, false, false, nullptr, NIL);
		ResetPerTupleExprContext(ins->estate);
	}
}

/* Chunks of batch_rows events through table_multi_insert. */
int64
insert_batched(Inserter *ins, const Event *evs, int n)
{
	/* unpinned copies: a slot over the relation's own descriptor pins it in the resource owner, and
	 * thousands of pins make releasing them quadratic */
	TupleDesc ev_desc = CreateTupleDescCopy(RelationGetDescr(ins->events.rel));
	TupleDesc tag_desc = CreateTupleDescCopy(RelationGetDescr(ins->tags.rel));
	int max_tags = 0; /* event_tags rows of one event */
	for (int i = 0; i < n; i++)
		max_tags = std::max(max_tags, evs[i].ntags - ins->ntag_slots);

	/* slots are created once, in the call's context, and reused by every chunk; tag rows go in slices
	 * of batch_rows, so that events with many tags do not multiply the slots */
	const int chunk = std::min(n, batch_rows);
	const int tag_cap = chunk * max_tags;
	const int tag_slice = std::min(tag_cap, batch_rows);
	TupleTableSlot **ev_slots = static_cast<TupleTableSlot **>(palloc(sizeof(TupleTableSlot *) * chunk));
	TupleTableSlot **tag_slots = static_cast<TupleTableSlot **>(palloc(sizeof(TupleTableSlot *) * (tag_slice + 1)));
	for (int i = 0; i < chunk; i++)
		ev_slots[i] = ExecInitExtraTupleSlot(ins->estate, ev_desc, &TTSOpsVirtual);
	for (int i = 0; i < tag_slice; i++)
		tag_slots[i] = ExecInitExtraTupleSlot(ins->estate, tag_desc, &TTSOpsVirtual);
	TagRow *rows = static_cast<TagRow *>(palloc(sizeof(TagRow) * (tag_cap + 1)));
	int64 *seqs = static_cast<int64 *>(palloc(sizeof(int64) * chunk));
	BulkInsertState ev_bistate = GetBulkInsertState();
	BulkInsertState tag_bistate = GetBulkInsertState();

	int64 seq = 0;
	for (int start = 0; start < n; start += chunk)
	{
		const int end = std::min(n, start + chunk);
		MemoryContext old = MemoryContextSwitchTo(ins->chunk_cxt);
		if (ins->hooks)
			ins->hooks->before_chunk(ins->hooks->arg);
		for (int i = start; i < end; i++)
		{
			CHECK_FOR_INTERRUPTS();
			seq = nextval_internal(ins->seq_oid, false);
			fill_event_slot(ins, ev_slots[i - start], evs[i], seq);
			seqs[i - start] = seq;
		}
		flush_chunk(ins, ins->events, ev_slots, end - start, ev_bistate);

		/* tag rows after the heap rows: they carry the rows' ctids (set by table_multi_insert) */
		int nrows = 0;
		for (int i = start; i < end; i++)
			nrows += tag_rows(evs[i], ins->ntag_slots, seqs[i - start], ev_slots[i - start]->tts_tid, rows + nrows);

		std::sort(rows, rows + nrows, [](const TagRow &a, const TagRow &b) {
			return a.tag_key != b.tag_key ? a.tag_key < b.tag_key : a.seq < b.seq;
		});
		for (int from = 0; from < nrows; from += tag_slice)
		{
			const int m = std::min(tag_slice, nrows - from);
			for (int r = 0; r < m; r++)
				fill_tag_slot(tag_slots[r], rows[from + r]);
			flush_chunk(ins, ins->tags, tag_slots, m, tag_bistate);
			for (int r = 0; r < m; r++)
				ExecClearTuple(tag_slots[r]);
		}
		if (ins->hooks)
			ins->hooks->after_chunk(ins->hooks->arg); /* the chunk's rows are in every index now */

		for (int i = 0; i < end - start; i++)
			ExecClearTuple(ev_slots[i]);
		MemoryContextSwitchTo(old);
		MemoryContextReset(ins->chunk_cxt);
	}
	FreeBulkInsertState(ev_bistate);
	FreeBulkInsertState(tag_bistate);
	return seq;
}

} // namespace

int64
insert_events(const Store &store, const Event *evs, int n, const ChunkHooks *hooks)
{
	Inserter ins;
	inserter_begin(&ins, store);
	ins.hooks = hooks;
	const bool triggers = ins.events.rri->ri_TrigDesc != nullptr || ins.tags.rri->ri_TrigDesc != nullptr;
	const int64 last = (n == 1 || triggers) ? insert_rowwise(&ins, evs, n) : insert_batched(&ins, evs, n);
	inserter_end(&ins);
	return last;
}

} // namespace dcb::pg
