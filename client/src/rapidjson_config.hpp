// rapidjson_config.hpp — include RapidJSON through this header only.
//
// RAPIDJSON_ASSERT is redefined to throw, so a misuse (e.g. reading a member of a non-object) becomes a
// dcb::InvalidArgument instead of an abort(). Code that walks parsed input still checks types first.
#pragma once

#include "dcb/errors.hpp"

#ifdef RAPIDJSON_ASSERT
#error "include rapidjson_config.hpp before any RapidJSON header"
#endif
#define RAPIDJSON_HAS_STDSTRING 1
#define RAPIDJSON_ASSERT(x)                                                                        \
	do {                                                                                           \
		if (!(x)) throw ::dcb::InvalidArgument("22023", "dcb: invalid JSON access: " #x);           \
	} while (false)

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <string>
#include <string_view>

namespace dcb::json {

/// Parses `text` into `doc`; throws dcb::InvalidArgument("<what> is not valid JSON: ...") on failure.
inline void parse(rapidjson::Document& doc, std::string_view text, std::string_view what) {
	doc.Parse(text.data(), text.size());
	if (doc.HasParseError())
		throw InvalidArgument("22023", std::string(what) + " is not valid JSON: " +
		                                   rapidjson::GetParseError_En(doc.GetParseError()) + " at offset " +
		                                   std::to_string(doc.GetErrorOffset()));
}

/// Compact JSON text of a value.
inline std::string dump(const rapidjson::Value& v) {
	rapidjson::StringBuffer buf;
	rapidjson::Writer<rapidjson::StringBuffer> w(buf);
	v.Accept(w);
	return std::string(buf.GetString(), buf.GetSize());
}

inline rapidjson::Value str(std::string_view s, rapidjson::Document::AllocatorType& a) {
	return rapidjson::Value(s.data(), static_cast<rapidjson::SizeType>(s.size()), a);
}

}  // namespace dcb::json
