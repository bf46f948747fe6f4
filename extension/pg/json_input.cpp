/*
 * json_input.cpp — see json_input.hpp.
 */
#include "pg/json_input.hpp"

#include "core/filter.hpp"

namespace dcb::pg {
namespace {

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

} // namespace

void
bad_input(const char *path, const char *predicate, const char *hint)
{
	ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("%s %s", path, predicate),
					hint ? errhint("%s", hint) : 0));
	pg_unreachable();
}

void
too_many(const char *path, int count, const char *setting, int limit)
{
	ereport(ERROR, (errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					errmsg("%s has %d elements, more than the limit of %d", path, count, limit),
					errhint("The limit is set by %s.", setting)));
	pg_unreachable();
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

const char *
field_path(const char *base, std::string_view field)
{
	return psprintf("%s.%.*s", base, (int) field.size(), field.data());
}

bool
is_object(const JsonbValue &v)
{
	return v.type == jbvBinary && JsonContainerIsObject(v.val.binary.data);
}

bool
is_array(const JsonbValue &v)
{
	return v.type == jbvBinary && JsonContainerIsArray(v.val.binary.data) && !JsonContainerIsScalar(v.val.binary.data);
}

std::string_view *
parse_names(const JsonbValue &v, const char *path, bool allow_empty, int limit, const char *setting, size_t *count)
{
	if (!is_array(v))
		bad_input(path, allow_empty ? "must be an array of strings" : "must be a non-empty array of strings");
	int n = JsonContainerSize(v.val.binary.data);
	if (n == 0 && !allow_empty)
		bad_input(path, "must be a non-empty array of strings");
	if (n > limit)
		too_many(path, n, setting, limit);
	std::string_view *names = static_cast<std::string_view *>(palloc(sizeof(std::string_view) * (n + 1)));
	for_each_elem(v.val.binary.data, [&](int i, const JsonbValue &e) {
		if (e.type != jbvString)
			bad_input(elem_path(path, i), "must be a non-empty string");
		std::string_view s(e.val.string.val, e.val.string.len);
		if (const char *problem = check_name(s))
			bad_input(elem_path(path, i), problem);
		names[i] = s;
	});
	*count = sort_unique_names(names, n);
	return names;
}

TimestampTz
parse_timestamp(const JsonbValue &v, const char *path)
{
	TimestampTz ts;
	if (v.type != jbvString)
		bad_input(path, "must be a timestamp string", "Use ISO 8601, e.g. \"2025-01-31T12:00:00Z\".");
	if (!parse_timestamptz(std::string_view(v.val.string.val, v.val.string.len), &ts))
		bad_input(path, "is not a valid timestamp", "Use ISO 8601, e.g. \"2025-01-31T12:00:00Z\".");
	return ts;
}

} // namespace dcb::pg
