// ARC (RFC 8617): chain validation and sealing.
//
// Validation checks the structure of every ARC set (ARC-Seal, ARC-Message-Signature,
// ARC-Authentication-Results per instance), the newest AMS and every AS, finds the
// oldest instance whose AMS still verifies, and exposes each instance's parsed
// ARC-Authentication-Results so a trusted sealer's recorded SPF/DKIM/DMARC can be used
// downstream. Sealing adds the next instance for users who forward mail.
//
// The DKIM pieces (tag lists, canonicalization, key records) come from the DKIM module;
// OpenSSL stays inside lib/. Nothing here throws for bad input or reads a clock.
#pragma once

#include <mailverdict/auth/auth_results.hpp>
#include <mailverdict/auth/dkim.hpp>
#include <mailverdict/dns/resolver.hpp>
#include <mailverdict/message/message.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mailverdict::arc {

// RFC 8617 4.2.1: instance values are 1..50.
inline constexpr std::size_t max_instances = 50;

// RFC 8617 4.4 chain validation status (cv= and the arc= result).
enum class ChainStatus : std::uint8_t { none, pass, fail };
std::string_view to_string(ChainStatus status) noexcept;

// Why a chain got its status (stable identifiers).
enum class Reason : std::uint8_t {
    no_arc_sets,              // none: the message has no ARC header field
    verified,                 // pass
    invalid_instance,         // a field has no usable i= (1..50)
    too_many_instances,       // more sets than ArcOptions::max_instances
    missing_set,              // an instance below the highest has no set (gap)
    incomplete_set,           // an instance lacks one of the three fields
    duplicate_field,          // an instance has a field twice
    cv_fail_recorded,         // the newest ARC-Seal says cv=fail (RFC 8617 5.2 step 2)
    first_cv_not_none,        // instance 1 must have cv=none
    later_cv_not_pass,        // instances > 1 must have cv=pass
    seal_syntax,              // an ARC-Seal does not parse (or carries h=)
    ams_syntax,               // an ARC-Message-Signature does not parse
    aar_syntax,               // an ARC-Authentication-Results has no "i=N;" prefix
    key_unavailable,          // the key lookup failed temporarily (see `temporary`)
    key_error,                // no key, a bad key, a revoked key, a key too short...
    body_hash_mismatch,       // the newest AMS's body hash does not match
    ams_signature_mismatch,   // the newest AMS does not verify
    seal_signature_mismatch,  // an ARC-Seal does not verify
};
std::string_view to_string(Reason reason) noexcept;

// What one instance says and what checking it gave.
struct ArcSetInfo {
    unsigned instance = 0;
    ChainStatus cv = ChainStatus::none;  // cv= of its ARC-Seal
    std::string seal_domain;             // ARC-Seal d=
    std::string seal_selector;           // ARC-Seal s=
    std::string ams_domain;              // ARC-Message-Signature d=
    std::string ams_selector;
    std::string algorithm;                  // ARC-Seal a=
    std::optional<std::int64_t> timestamp;  // ARC-Seal t=
    // Checks done on this instance (nullopt: not checked).
    std::optional<bool> ams_valid;
    std::optional<bool> seal_valid;
    std::string problem;  // why a check failed
    // The ARC-Authentication-Results payload, parsed leniently (the sealer, not the
    // grammar, is what a receiver trusts); nullopt when it does not parse.
    std::optional<authres::AuthenticationResults> results;
    std::string results_text;                                  // the payload after "i=N;", unfolded
    std::size_t seal_field = 0, ams_field = 0, aar_field = 0;  // indexes in Message::fields()
};

struct ArcResult {
    ChainStatus cv = ChainStatus::none;
    Reason reason = Reason::no_arc_sets;
    std::string detail;
    std::size_t instances = 0;                // the highest instance (0: no chain)
    std::optional<unsigned> failed_instance;  // where it failed, when known
    bool temporary = false;                   // failed only because a key lookup failed temporarily
    // RFC 8617 5.2 step 5 (optional there): the oldest instance whose AMS verifies with
    // every newer one; 0 when all do (also when the chain did not validate that far).
    unsigned oldest_pass = 0;
    std::vector<ArcSetInfo> sets;  // by instance, 1 first (empty when the structure is bad)

    // The newest set (nullptr when none).
    [[nodiscard]] const ArcSetInfo* newest() const noexcept;
};

struct ArcOptions {
    std::size_t max_instances = arc::max_instances;  // named limit (RFC 8617 4.2.1)
    unsigned min_rsa_bits = 1024;                    // RFC 8301 3.2
    bool compute_oldest_pass = true;
    // Decoded public keys, optional; auth::authenticate passes the DKIM one when this is
    // empty, so a verifier decodes each key once for both (dkim::KeyCache).
    std::shared_ptr<dkim::KeyCache> key_cache;
};

// RFC 8617 5.2: validates the chain. Key lookups go through `resolver` (at most one per
// distinct d=/s= pair).
ArcResult validate(const Message& message, dns::Resolver& resolver, const ArcOptions& options = {});

// The newest set of a passing chain sealed by one of `trusted_domains` (compared with the
// ARC-Seal's and the AMS's d=, case-insensitively; Microsoft requires both to match,
// mdo-behaviour 2.4), whose recorded results may replace local checks. nullptr otherwise.
const ArcSetInfo* trusted_sealer(const ArcResult& result,
                                 const std::vector<std::string>& trusted_domains);

// ---------------------------------------------------------------------------------------
// Sealing (RFC 8617 5.1)

// A private key for ARC signatures (RSA or Ed25519), loaded from PEM. Copies share it.
class SealingKey {
public:
    struct Loaded;
    static Loaded from_pem(std::string_view pem);
    static Loaded from_pem_file(const std::filesystem::path& path);
    [[nodiscard]] dkim::KeyType type() const noexcept;
    [[nodiscard]] unsigned bits() const noexcept;
    // The TXT record publishing the public half: "v=DKIM1; k=rsa; p=...".
    [[nodiscard]] std::string public_record() const;

    struct Impl;
    explicit SealingKey(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}
    [[nodiscard]] const Impl& impl() const noexcept { return *impl_; }

private:
    std::shared_ptr<const Impl> impl_;
};

struct SealingKey::Loaded {
    std::optional<SealingKey> key;
    std::string error;
    explicit operator bool() const noexcept { return key.has_value(); }
};

struct SealOptions {
    std::string domain;                               // d= of the AMS and the AS
    std::string selector;                             // s=
    std::string authserv_id;                          // of the new ARC-Authentication-Results
    dkim::Canon header_canon = dkim::Canon::relaxed;  // AMS c=
    dkim::Canon body_canon = dkim::Canon::relaxed;
    // AMS h=; empty: the usual fields the message has (From, To, Cc, Subject, Date,
    // Message-ID, Reply-To, References, In-Reply-To, MIME-Version, Content-Type,
    // Content-Transfer-Encoding, DKIM-Signature). ARC fields are never signed by the AMS.
    std::vector<std::string> headers;
    std::size_t max_instances = arc::max_instances;
    std::string line_end = "\r\n";
};

struct SealResult {
    // "ARC-Seal: ...", "ARC-Message-Signature: ...", "ARC-Authentication-Results: ..."
    // each ending in line_end, to prepend to the message in this order. Empty on error.
    std::string fields;
    unsigned instance = 0;
    ChainStatus cv = ChainStatus::none;  // the cv= written
    std::string error;
    explicit operator bool() const noexcept { return error.empty(); }
};

// RFC 8617 5.1: adds instance N+1 with cv= from `chain` (the validation of the message
// as received) and an ARC-Authentication-Results holding `local` (this host's results;
// an arc= result is added from `chain` if `local` has none). Refuses past max_instances,
// and when the newest ARC-Seal already reports cv=fail (RFC 8617 5.1: the chain is over).
// A chain that fails here is sealed cv=fail, the seal covering the new set alone (5.1.2).
SealResult seal(const Message& message, const ArcResult& chain,
                const authres::AuthenticationResults& local, const SealingKey& key,
                const SealOptions& options, std::chrono::sys_seconds now);

// "arc=pass (i=2 oldest-pass=0)" style result for Authentication-Results, with
// smtp.remote-ip-free properties: header.oldest-pass when known (RFC 8617 10.1 registers
// arc with header.oldest-pass and smtp.remote-ip).
authres::ResultInfo auth_results_arc(const ArcResult& result);

}  // namespace mailverdict::arc
