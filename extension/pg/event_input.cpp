/*
 * event_input.cpp — see event_input.hpp.
 */
#include "pg/event_input.hpp"

#include "core/filter.hpp"
#include "pg/json_input.hpp"
#include "pg/settings.hpp"

namespace dcb::pg {
namespace {

pg_attribute_noreturn() void payload_too_large(const char *path, Size size)
{
	ereport(ERROR, (errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					errmsg("%s is %zu bytes, more than the limit of %d bytes", path, (size_t) size, max_payload_bytes),
					errhint("The limit is set by dcb.max_payload_bytes.")));
	pg_unreachable();
}

int
hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Parses a UUID in the forms uuid_in accepts (hex with optional hyphens after groups of four
 * digits, optionally in braces) without its ereport, so that the error can name the JSON path.
 */
bool
parse_uuid(std::string_view s, pg_uuid_t *out)
{
	if (s.size() >= 2 && s.front() == '{' && s.back() == '}')
		s = s.substr(1, s.size() - 2);
	size_t digits = 0;
	for (size_t i = 0; i < s.size(); i++)
	{
		/* a hyphen may follow any group of four digits, as uuid_in accepts */
		if (s[i] == '-' && digits > 0 && digits % 4 == 0 && digits < 32 && i + 1 < s.size() && s[i + 1] != '-')
			continue;
		const int v = hex_value(s[i]);
		if (v < 0 || digits >= 32)
			return false;
		if (digits % 2 == 0)
			out->data[digits / 2] = static_cast<unsigned char>(v << 4);
		else
			out->data[digits / 2] |= static_cast<unsigned char>(v);
		digits++;
	}
	return digits == 32;
}

Event
parse_event(const JsonbValue &v, const char *path)
{
	if (!is_object(v))
		bad_input(path, "must be a JSON object");
	Event ev{};
	bool has_type = false, has_data = false;
	for_each_pair(v.val.binary.data, [&](std::string_view key, const JsonbValue &val) {
		if (key == "type")
		{
			const char *p = field_path(path, "type");
			if (val.type != jbvString)
				bad_input(p, "must be a non-empty string");
			ev.type = std::string_view(val.val.string.val, val.val.string.len);
			if (const char *problem = check_name(ev.type))
				bad_input(p, problem);
			has_type = true;
		}
		else if (key == "data")
		{
			Size size = val.type == jbvBinary ? val.val.binary.len : val.type == jbvString ? val.val.string.len : 0;
			if (size > static_cast<Size>(max_payload_bytes))
				payload_too_large(field_path(path, "data"), size);
			ev.data = val;
			has_data = true;
		}
		else if (key == "tags")
		{
			size_t n;
			ev.tags =
				parse_names(val, field_path(path, "tags"), true, max_tags_per_event, "dcb.max_tags_per_event", &n);
			ev.ntags = static_cast<int>(n);
		}
		else if (key == "metadata")
		{
			if (!is_object(val))
				bad_input(field_path(path, "metadata"), "must be a JSON object");
			if (static_cast<Size>(val.val.binary.len) > static_cast<Size>(max_payload_bytes))
				payload_too_large(field_path(path, "metadata"), val.val.binary.len);
			ev.metadata = val;
			ev.has_metadata = true;
		}
		else if (key == "occurred_at")
		{
			ev.occurred_at = parse_timestamp(val, field_path(path, "occurred_at"));
			ev.has_occurred_at = true;
		}
		else if (key == "id")
		{
			if (val.type != jbvString || !parse_uuid(std::string_view(val.val.string.val, val.val.string.len), &ev.id))
				bad_input(field_path(path, "id"), "must be a UUID string");
			ev.has_id = true;
		}
		else
			bad_input(field_path(path, key), "is not a valid event key",
					  "An event has the keys type, data, tags, metadata, occurred_at and id.");
	});
	if (!has_type)
		bad_input(field_path(path, "type"), "is required");
	if (!has_data)
		bad_input(field_path(path, "data"), "is required");
	return ev;
}

/* Two events of one call may not share an id (sorted, so a 100k-event batch stays cheap). */
void
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

} // namespace

Event *
parse_events(Jsonb *events, int *nevents)
{
	if (JB_ROOT_IS_OBJECT(events))
	{
		JsonbValue root;
		root.type = jbvBinary;
		root.val.binary.data = &events->root;
		root.val.binary.len = VARSIZE(events) - VARHDRSZ;
		Event *ev = static_cast<Event *>(palloc(sizeof(Event)));
		*ev = parse_event(root, "events");
		*nevents = 1;
		return ev;
	}
	if (!JB_ROOT_IS_ARRAY(events) || JB_ROOT_IS_SCALAR(events) || JB_ROOT_COUNT(events) == 0)
		bad_input("events", "must be a JSON object or a non-empty array of objects");
	int n = JB_ROOT_COUNT(events);
	if (n > max_events_per_call)
		too_many("events", n, "dcb.max_events_per_call", max_events_per_call);
	Event *evs = static_cast<Event *>(palloc(sizeof(Event) * n));
	for_each_elem(&events->root, [&](int i, const JsonbValue &e) { evs[i] = parse_event(e, elem_path("events", i)); });

	reject_duplicate_ids(evs, n);
	*nevents = n;
	return evs;
}

} // namespace dcb::pg
