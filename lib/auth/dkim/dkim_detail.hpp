// Helpers shared by the DKIM sources (and ARC next): small grammar pieces and the
// header-hash input builder.
#pragma once

#include <mailverdict/auth/dkim.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mailverdict::dkim::detail {

// FWS characters as the DKIM grammars accept them (CR and LF included: folds).
inline bool is_fws(char c) noexcept {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

bool is_domain_text(std::string_view s) noexcept;
bool domain_within(std::string_view sub, std::string_view domain) noexcept;
// Split at `sep`, each item with surrounding FWS removed (empty items kept).
std::vector<std::string_view> split_list(std::string_view value, char sep);
// 1..max_digits decimal digits; saturates at UINT64_MAX.
std::optional<std::uint64_t> parse_decimal(std::string_view s, std::size_t max_digits) noexcept;

// RFC 6376 3.7: the header-hash input: the selected fields canonicalized, then the
// signature field with b= emptied and without its final CRLF.
bool header_hash_input(const std::vector<HeaderField>& fields,
                       const std::vector<std::string>& names, const HeaderField& signature_field,
                       Canon canon, std::string& out);

}  // namespace mailverdict::dkim::detail
