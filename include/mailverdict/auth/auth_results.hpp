// Authentication-Results (RFC 8601): parser (strict by default, lenient on demand),
// formatter, and the choice of a trusted upstream header.
//
// Lenient mode reads what real receivers write beyond the grammar: Microsoft's header
// without an authserv-id, with or without spaces around ';', with bare tokens between
// results ("; contoso.com;") and "action=" after dmarc. Such deviations are listed in
// AuthenticationResults::deviations. Nothing here throws for bad input.
#pragma once

#include <mailverdict/message/message.hpp>

#include <boost/assert/source_location.hpp>
#include <boost/system/result.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mailverdict::authres {

// RFC 8601 2.2 propspec: ptype.property=value ("smtp.mailfrom=example.com").
struct Property {
    std::string ptype;     // lower-cased: smtp, header, body, policy
    std::string property;  // lower-cased: mailfrom, helo, from, d, s, i, b, ...
    std::string value;     // unquoted
    bool operator==(const Property&) const = default;
};

// A key=value outside the grammar (lenient mode): Microsoft's "action=oreject".
struct Extra {
    std::string key;  // lower-cased
    std::string value;
    bool operator==(const Extra&) const = default;
};

// RFC 8601 2.2 resinfo: one method's result.
struct ResultInfo {
    std::string method;  // lower-cased: spf, dkim, dmarc, arc, iprev, auth, compauth, ...
    std::optional<unsigned> method_version;  // "dkim/1"
    std::string result;                      // lower-cased: pass, fail, none, ...
    std::optional<std::string> reason;       // reason= (RFC 8601 2.2 reasonspec), unquoted
    std::vector<Property> properties;
    std::vector<std::string> comments;  // CFWS comments inside this resinfo, in order
    std::vector<Extra> extras;          // lenient only

    [[nodiscard]] const Property* find(std::string_view ptype, std::string_view property) const;
    // The value of ptype.property, or "" if absent.
    [[nodiscard]] std::string_view value(std::string_view ptype, std::string_view property) const;
    [[nodiscard]] std::string_view extra(std::string_view key) const;  // "" if absent
    bool operator==(const ResultInfo&) const = default;
};

struct AuthenticationResults {
    std::string authserv_id;          // "" when absent (lenient: Microsoft)
    std::optional<unsigned> version;  // authres-version
    bool no_result = false;           // "; none" (RFC 8601 2.2 no-result)
    std::vector<ResultInfo> results;
    std::vector<std::string> comments;    // comments outside any resinfo (after the id...)
    std::vector<std::string> deviations;  // lenient: what was accepted beyond the grammar

    [[nodiscard]] const ResultInfo* find(std::string_view method) const;  // first
    [[nodiscard]] std::vector<const ResultInfo*> find_all(std::string_view method) const;
    bool operator==(const AuthenticationResults&) const = default;
};

struct ParseError {
    std::size_t offset = 0;
    std::string message;
    [[nodiscard]] std::string to_string() const;  // "expected '=' at offset 12"
};

[[noreturn]] void throw_exception_from_error(const ParseError& error,
                                             const boost::source_location& location);

enum class Mode : std::uint8_t { strict, lenient };

// Named limit: results kept per header (more are a parse error in both modes).
inline constexpr std::size_t max_results_per_header = 256;

// Parses a field value (after "Authentication-Results:"; folded or not; with or without
// the final CRLF). Also the payload of ARC-Authentication-Results after "i=N;".
boost::system::result<AuthenticationResults, ParseError> parse(std::string_view value,
                                                               Mode mode = Mode::strict);

// ---------------------------------------------------------------------------------------
// Formatting

struct FormatOptions {
    bool fold = true;               // one resinfo per line
    std::string line_end = "\r\n";  // between folded lines
    std::string indent = "\t";      // start of continuation lines
};

// RFC 8601 2.2: the field value ("authserv-id; method=result ... "), values quoted when
// they are not tokens (RFC 2045 5.1), comments escaped. `results` empty -> "; none".
std::string format(const AuthenticationResults& results, const FormatOptions& options = {});
// "Authentication-Results: " + format(...) (no final line end).
std::string format_field(const AuthenticationResults& results, const FormatOptions& options = {});
// One resinfo alone: "dkim=pass (comment) header.d=example.com".
std::string format_result(const ResultInfo& result);

// ---------------------------------------------------------------------------------------
// Trusted upstream headers (RFC 8601 5: only headers from trusted authserv-ids may be used)

struct TrustOptions {
    std::vector<std::string> authserv_ids;  // compared case-insensitively
    // Microsoft writes no authserv-id: trust a header that has none and parses leniently.
    bool trust_microsoft = false;
};

struct TrustedResults {
    std::size_t field_index = 0;  // in Message::fields()
    AuthenticationResults results;
    bool microsoft = false;  // matched through trust_microsoft
};

// The topmost (most recent) Authentication-Results field whose authserv-id is trusted.
// Headers that do not parse are skipped (a trusted id's header is parsed leniently, since
// the receiver that wrote it is trusted, not its grammar).
std::optional<TrustedResults> find_trusted(const Message& message, const TrustOptions& options);

// True when a value is an RFC 2045 token (may be written without quotes).
bool is_token(std::string_view value) noexcept;

}  // namespace mailverdict::authres
