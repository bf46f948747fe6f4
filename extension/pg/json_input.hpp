/*
 * json_input.hpp — walking jsonb arguments and rejecting bad input, shared by the filter and event
 * parsers.
 *
 * Every rejection is SQLSTATE 22023 (invalid_parameter_value) with a message that names the JSON
 * path, e.g. "events[3].tags[1] must be a non-empty string"; limits that a setting controls are
 * 54000 (program_limit_exceeded) with a hint naming the setting. Strings in the results point into
 * the argument datums, which live as long as the function call.
 */
#pragma once

#include "pg/postgres.hpp"

namespace dcb::pg {

/* Raises the standard bad-input error: "<path> <predicate>". */
pg_attribute_noreturn() void bad_input(const char *path, const char *predicate, const char *hint = nullptr);
/* Raises 54000 for a list longer than the limit a setting gives. */
pg_attribute_noreturn() void too_many(const char *path, int count, const char *setting, int limit);

const char *elem_path(const char *base, int i);
const char *field_path(const char *base, const char *field);
const char *field_path(const char *base, std::string_view field);

bool is_object(const JsonbValue &v);
bool is_array(const JsonbValue &v);

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
		fn(std::string_view(k.val.string.val, k.val.string.len), v);
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

/*
 * An array of valid names (types or tags), non-empty unless allowed, at most limit long (setting
 * names the GUC). Returns a palloc'd array of views, sorted and without duplicates, and its length.
 */
std::string_view *parse_names(const JsonbValue &v, const char *path, bool allow_empty, int limit, const char *setting,
							  size_t *count);

/* A timestamp string (ISO 8601 or any form timestamptz accepts). */
TimestampTz parse_timestamp(const JsonbValue &v, const char *path);

} // namespace dcb::pg
