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

// The body hashes of one message, each computed once per (canonicalization, l=, hash):
// several DKIM signatures, and the ARC sets (RFC 8617 4.1.2: an AMS hashes the body as a
// DKIM signature does), usually share one. A reference from get() is valid until the next
// get().
class BodyHashes {
public:
    explicit BodyHashes(std::string_view body) : body_(body) {}

    struct Entry {
        Canon canon;
        std::optional<std::uint64_t> limit;
        bool sha1;
        std::vector<unsigned char> digest;  // empty if the digest failed
        std::uint64_t canonical_length;     // of the whole canonical body (before l=)
    };
    const Entry& get(Canon canon, std::optional<std::uint64_t> limit, bool sha1);

private:
    std::string_view body_;
    std::vector<Entry> entries_;
};

// dkim::verify with the message's body hashes kept in `bodies` (auth::authenticate shares
// them with ARC).
DkimResult verify(const Message& message, dns::Resolver& resolver, std::chrono::sys_seconds now,
                  const VerifyOptions& options, BodyHashes& bodies);

}  // namespace mailverdict::dkim::detail
