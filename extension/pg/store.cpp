/*
 * store.cpp — writes events: a row in dcb.events and one row per distinct tag in dcb.event_tags.
 *
 * Rows go through the executor's ExecSimpleRelationInsert (as logical replication's apply does):
 * every index of the tables is maintained, constraints are checked and row triggers a user may add
 * fire, without planning an INSERT per call. Positions come from dcb.events_seq, and only here:
 * the caller must already hold the append's locks (see append in functions.cpp).
 */
#include "pg/pg.hpp"

namespace dcb::pg {

struct Inserter
{
	EState *estate;
	Relation events;
	Relation event_tags;
	ResultRelInfo *events_rri;
	ResultRelInfo *tags_rri;
	TupleTableSlot *events_slot;
	TupleTableSlot *tags_slot;
	Oid seq_oid;
	Jsonb *empty_object;
	MemoryContext row_cxt;
};

namespace {

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
store_row(Inserter *ins, ResultRelInfo *rri, TupleTableSlot *slot)
{
	ExecStoreVirtualTuple(slot);
	ExecSimpleRelationInsert(rri, ins->estate, slot);
	ResetPerTupleExprContext(ins->estate);
}

} // namespace

Inserter *
inserter_begin()
{
	const Catalog &cat = catalog();
	Inserter *ins = static_cast<Inserter *>(palloc0(sizeof(Inserter)));
	ins->seq_oid = cat.events_seq;
	ins->events = table_open(cat.events, RowExclusiveLock);
	ins->event_tags = table_open(cat.event_tags, RowExclusiveLock);

	EState *estate = ins->estate = CreateExecutorState();
	ExecInitRangeTable(estate, list_make2(make_rte(ins->events), make_rte(ins->event_tags)));
	ins->events_rri = makeNode(ResultRelInfo);
	ins->tags_rri = makeNode(ResultRelInfo);
	InitResultRelInfo(ins->events_rri, ins->events, 1, nullptr, 0);
	InitResultRelInfo(ins->tags_rri, ins->event_tags, 2, nullptr, 0);
	estate->es_opened_result_relations = list_make2(ins->events_rri, ins->tags_rri);
	estate->es_output_cid = GetCurrentCommandId(true);
	ExecOpenIndices(ins->events_rri, false);
	ExecOpenIndices(ins->tags_rri, false);
	ins->events_slot = ExecInitExtraTupleSlot(estate, RelationGetDescr(ins->events), &TTSOpsVirtual);
	ins->tags_slot = ExecInitExtraTupleSlot(estate, RelationGetDescr(ins->event_tags), &TTSOpsVirtual);
	AfterTriggerBeginQuery();

	JsonbValue empty;
	empty.type = jbvObject;
	empty.val.object.nPairs = 0;
	empty.val.object.pairs = nullptr;
	ins->empty_object = JsonbValueToJsonb(&empty);
	ins->row_cxt = AllocSetContextCreate(CurrentMemoryContext, "dcb insert row", ALLOCSET_DEFAULT_SIZES);
	return ins;
}

int64
insert_event(Inserter *ins, const Event &ev)
{
	const int64 seq = nextval_internal(ins->seq_oid, false);
	MemoryContext old = MemoryContextSwitchTo(ins->row_cxt);

	Datum *tag_datums = static_cast<Datum *>(palloc(sizeof(Datum) * (ev.ntags + 1)));
	for (int i = 0; i < ev.ntags; i++)
		tag_datums[i] = PointerGetDatum(cstring_to_text_with_len(ev.tags[i].data(), (int) ev.tags[i].size()));

	TupleTableSlot *slot = ins->events_slot;
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
	store_row(ins, ins->events_rri, slot);

	const int64 type_key = static_cast<int64>(hash_type(ev.type));
	for (int i = 0; i < ev.ntags; i++)
	{
		TupleTableSlot *ts = ins->tags_slot;
		ExecClearTuple(ts);
		ts->tts_values[0] = Int64GetDatum(static_cast<int64>(hash_tag(ev.tags[i])));
		ts->tts_values[1] = Int64GetDatum(seq);
		ts->tts_values[2] = Int64GetDatum(type_key);
		ts->tts_isnull[0] = ts->tts_isnull[1] = ts->tts_isnull[2] = false;
		store_row(ins, ins->tags_rri, ts);
	}

	MemoryContextSwitchTo(old);
	MemoryContextReset(ins->row_cxt);
	return seq;
}

void
inserter_end(Inserter *ins)
{
	AfterTriggerEndQuery(ins->estate);
	ExecCloseIndices(ins->events_rri);
	ExecCloseIndices(ins->tags_rri);
	ExecResetTupleTable(ins->estate->es_tupleTable, false);
	FreeExecutorState(ins->estate);
	MemoryContextDelete(ins->row_cxt);
	table_close(ins->event_tags, RowExclusiveLock);
	table_close(ins->events, RowExclusiveLock);
	pfree(ins);
}

} // namespace dcb::pg
