/*
 * filter_key.cpp — see filter_key.hpp.
 */
#include "pg/filter_key.hpp"

#include "pg/json_input.hpp"

namespace dcb::pg {
namespace {

/* Sorts texts bytewise and removes duplicates in place; returns the new count. */
int
sort_unique_texts(const char **texts, int n)
{
	std::sort(texts, texts + n, [](const char *a, const char *b) { return strcmp(a, b) < 0; });
	return static_cast<int>(
		std::unique(texts, texts + n, [](const char *a, const char *b) { return strcmp(a, b) == 0; }) - texts);
}

void append_json_value(StringInfo out, const JsonbValue &v);

/* A payload container: objects in jsonb's key order, arrays as sorted sets of their elements. */
void
append_json_container(StringInfo out, JsonbContainer *c)
{
	check_stack_depth();
	if (JsonContainerIsObject(c))
	{
		appendStringInfoChar(out, '{');
		bool first = true;
		for_each_pair(c, [&](std::string_view key, const JsonbValue &val) {
			if (!first)
				appendStringInfoChar(out, ',');
			first = false;
			escape_json(out, pnstrdup(key.data(), key.size()));
			appendStringInfoChar(out, ':');
			append_json_value(out, val);
		});
		appendStringInfoChar(out, '}');
		return;
	}
	const int n = JsonContainerSize(c);
	const char **elems = static_cast<const char **>(palloc(sizeof(char *) * (n + 1)));
	for_each_elem(c, [&](int i, const JsonbValue &e) {
		StringInfoData elem;
		initStringInfo(&elem);
		append_json_value(&elem, e);
		elems[i] = elem.data;
	});
	const int unique = sort_unique_texts(elems, n);
	appendStringInfoChar(out, '[');
	for (int i = 0; i < unique; i++)
	{
		if (i > 0)
			appendStringInfoChar(out, ',');
		appendStringInfoString(out, elems[i]);
	}
	appendStringInfoChar(out, ']');
}

void
append_json_value(StringInfo out, const JsonbValue &v)
{
	switch (v.type)
	{
		case jbvNull:
			appendStringInfoString(out, "null");
			break;
		case jbvBool:
			appendStringInfoString(out, v.val.boolean ? "true" : "false");
			break;
		case jbvString:
			escape_json(out, pnstrdup(v.val.string.val, v.val.string.len));
			break;
		case jbvNumeric:
			/* equal numbers give equal text: no trailing zeroes after the decimal point */
			appendStringInfoString(out, numeric_normalize(v.val.numeric));
			break;
		case jbvBinary:
			append_json_container(out, v.val.binary.data);
			break;
		default:
			elog(ERROR, "unexpected jsonb value type %d in a filter payload", static_cast<int>(v.type));
	}
}

void
append_names(StringInfo out, const char *key, const std::string_view *names, size_t n)
{
	appendStringInfo(out, "\"%s\":[", key);
	for (size_t i = 0; i < n; i++)
	{
		if (i > 0)
			appendStringInfoChar(out, ',');
		escape_json(out, pnstrdup(names[i].data(), names[i].size()));
	}
	appendStringInfoChar(out, ']');
}

/* One item, its keys in bytewise order (payload, tags, types). Its lists are sorted and unique
 * (parse_names). */
const char *
item_text(const Item &item)
{
	StringInfoData out;
	initStringInfo(&out);
	appendStringInfoChar(&out, '{');
	bool first = true;
	if (item.payload != nullptr)
	{
		appendStringInfoString(&out, "\"payload\":");
		append_json_container(&out, item.payload);
		first = false;
	}
	if (item.view.ntags > 0)
	{
		if (!first)
			appendStringInfoChar(&out, ',');
		append_names(&out, "tags", item.view.tags, item.view.ntags);
		first = false;
	}
	if (item.view.ntypes > 0)
	{
		if (!first)
			appendStringInfoChar(&out, ',');
		append_names(&out, "types", item.view.types, item.view.ntypes);
	}
	appendStringInfoChar(&out, '}');
	return out.data;
}

/* A time bound as the instant in UTC, ISO 8601 ("2025-01-31T12:00:00+00:00"). */
void
append_bound(StringInfo out, const char *key, TimestampTz ts)
{
	const int utc = 0;
	char buf[MAXDATELEN + 1];
	JsonEncodeDateTime(buf, TimestampTzGetDatum(ts), TIMESTAMPTZOID, &utc);
	appendStringInfo(out, "\"%s\":\"%s\"", key, buf);
}

} // namespace

FilterKey
filter_key(Jsonb *filter)
{
	const Filter parsed = filter == nullptr ? match_all_filter() : parse_filter(filter);

	const char **items = static_cast<const char **>(palloc(sizeof(char *) * (parsed.nitems + 1)));
	for (int i = 0; i < parsed.nitems; i++)
		items[i] = item_text(parsed.items[i]);
	const int nitems = sort_unique_texts(items, parsed.nitems);

	StringInfoData out;
	initStringInfo(&out);
	appendStringInfoChar(&out, '{');
	bool first = true;
	if (nitems > 0)
	{
		appendStringInfoString(&out, "\"items\":[");
		for (int i = 0; i < nitems; i++)
		{
			if (i > 0)
				appendStringInfoChar(&out, ',');
			appendStringInfoString(&out, items[i]);
		}
		appendStringInfoChar(&out, ']');
		first = false;
	}
	if (parsed.bounds.has_from)
	{
		if (!first)
			appendStringInfoChar(&out, ',');
		append_bound(&out, "occurred_from", parsed.bounds.from);
		first = false;
	}
	if (parsed.bounds.has_until)
	{
		if (!first)
			appendStringInfoChar(&out, ',');
		append_bound(&out, "occurred_until", parsed.bounds.until);
	}
	appendStringInfoChar(&out, '}');

	FilterKey key;
	key.canonical = out.data;
	key.filter = DatumGetJsonbP(DirectFunctionCall1(jsonb_in, CStringGetDatum(out.data)));
	key.digest = DatumGetByteaPP(
		DirectFunctionCall1(sha256_bytea, PointerGetDatum(cstring_to_text_with_len(out.data, out.len))));
	return key;
}

} // namespace dcb::pg
