/*
 * input.cpp — validates the jsonb arguments and turns them into the model of pg.hpp.
 *
 * Every rejection is SQLSTATE 22023 (invalid_parameter_value) with a message that names the JSON
 * path, e.g. "events[3].tags[1] must be a non-empty string"; limits that a GUC controls are 54000
 * (program_limit_exceeded) with a hint naming the setting. Validation happens before any lock is
 * taken or anything is written. Strings in the result point into the argument datums, which live
 * as long as the function call.
 */
#include "pg/pg.hpp"

namespace dcb::pg {
namespace {

/* Raises the standard bad-input error: "<path> <predicate>". */
pg_attribute_noreturn() void bad_input(const char *path, const char *predicate, const char *hint = nullptr)
{
	ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("%s %s", path, predicate),
					hint ? errhint("%s", hint) : 0));
}

pg_attribute_noreturn() void too_many(const char *path, int count, const char *guc, int limit)
{
	ereport(ERROR, (errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					errmsg("%s has %d elements, more than the limit of %d", path, count, limit),
					errhint("The limit is set by %s.", guc)));
}

pg_attribute_noreturn() void payload_too_large(const char *path, Size size)
{
	ereport(ERROR, (errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					errmsg("%s is %zu bytes, more than the limit of %d bytes", path, (size_t) size, max_payload_bytes),
					errhint("The limit is set by dcb.max_payload_bytes.")));
}

const char *
elem_path(const char *base, int i)
{
	return psprintf("%s[%d]", base, i);
}

const char *
field_path(const char *base, const char *field)
{
	return psprintf("%s.%s", base, field);
}

bool
is_object(const JsonbValue &v)
{
	return v.type == jbvBinary && JsonContainerIsObject(v.val.binary.data);
}

bool
is_array(const JsonbValue &v)
{
	return v.type == jbvBinary && JsonContainerIsArray(v.val.binary.data) &&
		   !JsonContainerIsScalar(v.val.binary.data);
}

std::string_view
key_of(const JsonbValue &k)
{
	return std::string_view(k.val.string.val, k.val.string.len);
}

/* Calls fn(key, value) for each pair of an object container (one level, nested values binary). */
template <typename Fn>
void
for_each_pair(JsonbContainer *obj, Fn fn)
{
	JsonbIterator *it = JsonbIteratorInit(obj);
	JsonbValue k, v;
	JsonbIteratorToken tok;
	while ((tok = JsonbIteratorNext(&it, &k, true)) != WJB_DONE)
	{
		if (tok != WJB_KEY)
			continue;
		tok = JsonbIteratorNext(&it, &v, true);
		Assert(tok == WJB_VALUE);
		fn(key_of(k), v);
	}
}

/* Calls fn(index, element) for each element of an array container. */
template <typename Fn>
void
for_each_elem(JsonbContainer *arr, Fn fn)
{
	JsonbIterator *it = JsonbIteratorInit(arr);
	JsonbValue v;
	JsonbIteratorToken tok;
	int i = 0;
	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
		if (tok == WJB_ELEM)
			fn(i++, v);
}

/* An array of valid names (types or tags), non-empty unless allowed; returns a palloc'd array of views. */
std::string_view *
parse_names(const JsonbValue &v, const char *path, bool allow_empty, int limit, const char *guc, int *count)
{
	if (!is_array(v))
		bad_input(path, allow_empty ? "must be an array of strings" : "must be a non-empty array of strings");
	int n = JsonContainerSize(v.val.binary.data);
	if (n == 0 && !allow_empty)
		bad_input(path, "must be a non-empty array of strings");
	if (n > limit)
		too_many(path, n, guc, limit);
	std::string_view *names = static_cast<std::string_view *>(palloc(sizeof(std::string_view) * (n + 1)));
	for_each_elem(v.val.binary.data, [&](int i, const JsonbValue &e) {
		if (e.type != jbvString)
			bad_input(elem_path(path, i), "must be a non-empty string");
		std::string_view s(e.val.string.val, e.val.string.len);
		if (const char *problem = check_name(s))
			bad_input(elem_path(path, i), problem);
		names[i] = s;
	});
	*count = n;
	return names;
}

/*
 * DecodeDateTime returns error codes, except for an unknown time zone name, which PostgreSQL 15
 * reports with ereport. The call only parses (it holds no locks, buffers or files when it raises), so
 * catching that one error without a subtransaction is safe; anything else is re-thrown.
 */
bool
decode_date_time(char **field, int *ftype, int nf, int *dtype, struct pg_tm *tm, fsec_t *fsec, int *tz)
{
	MemoryContext cxt = CurrentMemoryContext;
	volatile bool ok = false;
	PG_TRY();
	{
		ok = DecodeDateTime(field, ftype, nf, dtype, tm, fsec, tz) == 0;
	}
	PG_CATCH();
	{
		MemoryContextSwitchTo(cxt);
		ErrorData *err = CopyErrorData();
		if (err->sqlerrcode != ERRCODE_INVALID_PARAMETER_VALUE)
			PG_RE_THROW();
		FlushErrorState();
		FreeErrorData(err);
		ok = false;
	}
	PG_END_TRY();
	return ok;
}

/*
 * Parses an ISO 8601 / PostgreSQL timestamp with the server's own datetime parser, without the
 * ereport of timestamptz_in, so that the error can name the JSON path.
 */
bool
parse_timestamptz(std::string_view s, TimestampTz *out)
{
	char text[MAXDATELEN + 1];
	char workbuf[MAXDATELEN + MAXDATEFIELDS];
	char *field[MAXDATEFIELDS];
	int ftype[MAXDATEFIELDS];
	int nf, dtype, tz = 0;
	struct pg_tm tm;
	fsec_t fsec;

	if (s.empty() || s.size() > MAXDATELEN)
		return false;
	memcpy(text, s.data(), s.size());
	text[s.size()] = '\0';
	if (ParseDateTime(text, workbuf, sizeof(workbuf), field, ftype, MAXDATEFIELDS, &nf) != 0)
		return false;
	if (!decode_date_time(field, ftype, nf, &dtype, &tm, &fsec, &tz) || dtype != DTK_DATE)
		return false;
	return tm2timestamp(&tm, fsec, &tz, out) == 0 && IS_VALID_TIMESTAMP(*out);
}

TimestampTz
timestamp_value(const JsonbValue &v, const char *path)
{
	TimestampTz ts;
	if (v.type != jbvString)
		bad_input(path, "must be a timestamp string", "Use ISO 8601, e.g. \"2025-01-31T12:00:00Z\".");
	if (!parse_timestamptz(std::string_view(v.val.string.val, v.val.string.len), &ts))
		bad_input(path, "is not a valid timestamp", "Use ISO 8601, e.g. \"2025-01-31T12:00:00Z\".");
	return ts;
}

void
parse_item(const JsonbValue &v, const char *path, Item *item)
{
	if (!is_object(v))
		bad_input(path, "must be a JSON object");
	*item = Item{};
	int ntypes = 0, ntags = 0;
	std::string_view *types = nullptr, *tags = nullptr;
	for_each_pair(v.val.binary.data, [&](std::string_view key, const JsonbValue &val) {
		if (key == "types")
			types = parse_names(val, field_path(path, "types"), false, max_filter_items, "dcb.max_filter_items",
								&ntypes);
		else if (key == "tags")
			tags = parse_names(val, field_path(path, "tags"), false, max_filter_items, "dcb.max_filter_items", &ntags);
		else if (key == "payload")
		{
			if (!is_object(val) || JsonContainerSize(val.val.binary.data) == 0)
				bad_input(field_path(path, "payload"), "must be a non-empty JSON object");
			item->payload = val.val.binary.data;
		}
		else
			bad_input(field_path(path, pnstrdup(key.data(), key.size())), "is not a valid filter item key",
					  "A filter item has the keys types, tags and payload.");
	});
	/* duplicates change nothing but would make a tag pair of one tag (core/filter.hpp) */
	item->view.types = types;
	item->view.ntypes = sort_unique_names(types, ntypes);
	item->view.tags = tags;
	item->view.ntags = sort_unique_names(tags, ntags);
	item->view.has_payload = item->payload != nullptr;
	if (ntypes == 0 && ntags == 0 && item->payload == nullptr)
		bad_input(path, "must have at least one of types, tags or payload");
}

} // namespace

void
match_all_filter(Filter *out)
{
	*out = Filter{};
}

void
parse_filter(Jsonb *filter, Filter *out)
{
	*out = Filter{};
	if (!JB_ROOT_IS_OBJECT(filter))
		bad_input("filter", "must be a JSON object");
	bool has_items = false;
	for_each_pair(&filter->root, [&](std::string_view key, const JsonbValue &val) {
		if (key == "items")
		{
			if (!is_array(val) || JsonContainerSize(val.val.binary.data) == 0)
				bad_input("filter.items", "must be a non-empty array",
						  "Omit \"items\" (or pass NULL) to match every event.");
			int n = JsonContainerSize(val.val.binary.data);
			if (n > max_filter_items)
				too_many("filter.items", n, "dcb.max_filter_items", max_filter_items);
			out->items = static_cast<Item *>(palloc(sizeof(Item) * n));
			out->nitems = n;
			for_each_elem(val.val.binary.data,
						  [&](int i, const JsonbValue &e) { parse_item(e, elem_path("filter.items", i), &out->items[i]); });
			has_items = true;
		}
		else if (key == "occurred_from")
		{
			out->from = timestamp_value(val, "filter.occurred_from");
			out->has_from = true;
		}
		else if (key == "occurred_until")
		{
			out->until = timestamp_value(val, "filter.occurred_until");
			out->has_until = true;
		}
		else
			bad_input(psprintf("filter.%.*s", (int) key.size(), key.data()), "is not a valid filter key",
					  "A filter has the keys items, occurred_from and occurred_until.");
	});
	(void) has_items;
}

static void
parse_event(const JsonbValue &v, const char *path, Event *ev)
{
	if (!is_object(v))
		bad_input(path, "must be a JSON object");
	*ev = Event{};
	bool has_type = false, has_data = false;
	for_each_pair(v.val.binary.data, [&](std::string_view key, const JsonbValue &val) {
		if (key == "type")
		{
			const char *p = field_path(path, "type");
			if (val.type != jbvString)
				bad_input(p, "must be a non-empty string");
			ev->type = std::string_view(val.val.string.val, val.val.string.len);
			if (const char *problem = check_name(ev->type))
				bad_input(p, problem);
			has_type = true;
		}
		else if (key == "data")
		{
			Size size = val.type == jbvBinary ? val.val.binary.len : val.type == jbvString ? val.val.string.len : 0;
			if (size > static_cast<Size>(max_payload_bytes))
				payload_too_large(field_path(path, "data"), size);
			ev->data = val;
			has_data = true;
		}
		else if (key == "tags")
		{
			int n;
			ev->tags = parse_names(val, field_path(path, "tags"), true, max_tags_per_event, "dcb.max_tags_per_event", &n);
			ev->ntags = static_cast<int>(sort_unique_names(ev->tags, n));
		}
		else if (key == "metadata")
		{
			if (!is_object(val))
				bad_input(field_path(path, "metadata"), "must be a JSON object");
			if (static_cast<Size>(val.val.binary.len) > static_cast<Size>(max_payload_bytes))
				payload_too_large(field_path(path, "metadata"), val.val.binary.len);
			ev->metadata = val;
			ev->has_metadata = true;
		}
		else if (key == "occurred_at")
		{
			ev->occurred_at = timestamp_value(val, field_path(path, "occurred_at"));
			ev->has_occurred_at = true;
		}
		else if (key == "id")
		{
			std::uint8_t bytes[16];
			if (val.type != jbvString || !parse_uuid(std::string_view(val.val.string.val, val.val.string.len), bytes))
				bad_input(field_path(path, "id"), "must be a UUID string");
			memcpy(ev->id.data, bytes, UUID_LEN);
			ev->has_id = true;
		}
		else
			bad_input(field_path(path, pnstrdup(key.data(), key.size())), "is not a valid event key",
					  "An event has the keys type, data, tags, metadata, occurred_at and id.");
	});
	if (!has_type)
		bad_input(field_path(path, "type"), "is required");
	if (!has_data)
		bad_input(field_path(path, "data"), "is required");
}

/* Two events of one call may not share an id (sorted, so a 100k-event batch stays cheap). */
static void
reject_duplicate_ids(const Event *evs, int n)
{
	int *order = static_cast<int *>(palloc(sizeof(int) * n));
	int m = 0;
	for (int i = 0; i < n; i++)
		if (evs[i].has_id)
			order[m++] = i;
	std::sort(order, order + m, [evs](int a, int b) {
		int c = memcmp(evs[a].id.data, evs[b].id.data, UUID_LEN);
		return c != 0 ? c < 0 : a < b;
	});
	for (int k = 1; k < m; k++)
		if (memcmp(evs[order[k - 1]].id.data, evs[order[k]].id.data, UUID_LEN) == 0)
			bad_input(psprintf("events[%d].id", order[k]), psprintf("duplicates events[%d].id", order[k - 1]));
	pfree(order);
}

Event *
parse_events(Jsonb *events, int *nevents)
{
	if (JB_ROOT_IS_OBJECT(events))
	{
		Event *ev = static_cast<Event *>(palloc(sizeof(Event)));
		JsonbValue root;
		root.type = jbvBinary;
		root.val.binary.data = &events->root;
		root.val.binary.len = VARSIZE(events) - VARHDRSZ;
		parse_event(root, "events", ev);
		*nevents = 1;
		return ev;
	}
	if (!JB_ROOT_IS_ARRAY(events) || JB_ROOT_IS_SCALAR(events) || JB_ROOT_COUNT(events) == 0)
		bad_input("events", "must be a JSON object or a non-empty array of objects");
	int n = JB_ROOT_COUNT(events);
	if (n > max_events_per_call)
		too_many("events", n, "dcb.max_events_per_call", max_events_per_call);
	Event *evs = static_cast<Event *>(palloc(sizeof(Event) * n));
	for_each_elem(&events->root, [&](int i, const JsonbValue &e) { parse_event(e, elem_path("events", i), &evs[i]); });

	reject_duplicate_ids(evs, n);
	*nevents = n;
	return evs;
}

} // namespace dcb::pg
