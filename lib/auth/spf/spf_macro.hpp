// RFC 7208 7: macro strings. Private to the SPF evaluator (and its tests and fuzzer).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace mailverdict::spf::detail {

// Where a macro string appears decides which letters it may use (RFC 7208 7.2: c, r
// and t only in explanation text) and whether spaces are literals (RFC 7208 7.1:
// explain-string = *( macro-string / SP )).
enum class MacroContext { domain_spec, explain_string, unknown_modifier };

struct MacroError {
    std::size_t offset = 0;    // in the macro string
    std::string_view message;  // static text
};

// Checks the macro-string grammar of RFC 7208 7.1 (and, for a domain-spec, the
// domain-end rule: "." toplabel ["."] or a macro-expand at the end).
std::optional<MacroError> check_macro_string(std::string_view text, MacroContext context);

// True when `text` holds no macro at all (the common case: used as is).
inline bool is_literal(std::string_view text) noexcept {
    return text.find('%') == std::string_view::npos;
}

// The values of the macro letters, asked for lazily: %{p} costs DNS lookups and is only
// computed when a record uses it.
class MacroValues {
public:
    virtual ~MacroValues() = default;
    // `letter` is lower-case (one of s l o d i p v h c r t). The returned view may point
    // into `scratch`.
    virtual std::string_view value(char letter, std::string& scratch) = 0;

protected:
    MacroValues() = default;
    MacroValues(const MacroValues&) = default;
    MacroValues& operator=(const MacroValues&) = default;
};

// Expands `text` (checked or not) onto `out`. Returns false, leaving `out` with a
// partial expansion, when the text does not follow the grammar for `context`.
bool expand_macro_string(std::string_view text, MacroContext context, MacroValues& values,
                         std::string& out);

// RFC 7208 7.3: a name longer than `max_length` loses labels from the left until it
// fits. A trailing dot is removed first.
void truncate_domain(std::string& name, std::size_t max_length);

// RFC 7208 7.3: upper-case macro letters are URL-escaped: every octet outside the
// RFC 3986 "unreserved" set becomes %XX.
void append_url_escaped(std::string_view text, std::string& out);

}  // namespace mailverdict::spf::detail
