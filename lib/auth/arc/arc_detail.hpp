// ARC field grammars and hash inputs shared by the validator and the sealer.
#pragma once

#include "auth/dkim/dkim_detail.hpp"

#include <mailverdict/auth/arc.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mailverdict::arc::detail {

// RFC 8617 4.1.3: ARC-Seal tags.
struct SealFields {
    unsigned instance = 0;
    dkim::Algorithm algorithm = dkim::Algorithm::rsa_sha256;
    std::string algorithm_text;
    std::vector<unsigned char> signature;
    std::string domain;
    std::string selector;
    ChainStatus cv = ChainStatus::none;
    std::optional<std::int64_t> timestamp;
};

// RFC 8617 4.1.2: ARC-Message-Signature tags (DKIM-Signature's, with i= the instance and
// no v=).
struct AmsFields {
    unsigned instance = 0;
    dkim::Algorithm algorithm = dkim::Algorithm::rsa_sha256;
    std::string algorithm_text;
    std::vector<unsigned char> signature;
    std::vector<unsigned char> body_hash;
    dkim::Canon header_canon = dkim::Canon::simple;
    dkim::Canon body_canon = dkim::Canon::simple;
    std::string domain;
    std::string selector;
    std::vector<std::string> signed_headers;
    std::optional<std::uint64_t> body_length;
    std::optional<std::int64_t> timestamp;
};

// Either the value or the reason it is unusable.
template <class T>
struct Parse {
    std::optional<T> value;
    std::string error;
};

// The instance of any ARC field: i= of ARC-Seal / AMS (a tag), or the "i=N;" prefix of
// ARC-Authentication-Results. nullopt when missing or outside 1..999 (range checked later).
std::optional<unsigned> instance_of(std::string_view name, std::string_view value);

Parse<SealFields> parse_seal(std::string_view value);
Parse<AmsFields> parse_ams(std::string_view value);

// The ARC-Authentication-Results payload after "i=N;" (unfolded by the caller).
std::string_view aar_payload(std::string_view value);

// RFC 8617 5.1.1: the ARC-Seal hash input for instance `upto` (1-based): for each instance
// 1..upto, its AAR, AMS and AS canonicalized "relaxed", in that order; the AS of `upto`
// with b= emptied and without the final CRLF. `raw_sets[k]` holds the raw fields of
// instance k+1 as {aar, ams, as}.
struct RawSet {
    std::string_view aar;
    std::string_view ams;
    std::string_view seal;
};
bool seal_hash_input(const std::vector<RawSet>& raw_sets, unsigned upto, std::string& out);

// RFC 8617 4.1.2 / RFC 6376 3.7: the AMS header hash input: the fields h= names,
// selected bottom-up among `fields` (`skip`, the AMS itself, never), then the AMS field
// with b= emptied. `ams_raw` is the whole AMS field.
bool ams_hash_input(const std::vector<HeaderField>& fields, const std::vector<std::string>& names,
                    const HeaderField* skip, std::string_view ams_raw, dkim::Canon canon,
                    std::string& out);

// Hex-free helpers around the DKIM crypto wrapper.
std::vector<unsigned char> sha256(std::string_view data);

bool is_arc_field(std::string_view name) noexcept;

// arc::validate with the message's body hashes kept in `bodies` (auth::authenticate shares
// them with DKIM: an AMS over the body a DKIM signature covers needs no second hash).
ArcResult validate(const Message& message, dns::Resolver& resolver, const ArcOptions& options,
                   dkim::detail::BodyHashes& bodies);

}  // namespace mailverdict::arc::detail
