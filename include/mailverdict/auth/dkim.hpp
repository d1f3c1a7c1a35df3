// DKIM verification and signing (RFC 6376, with RFC 8301 and RFC 8463).
//
// Layers, each usable alone:
//   parse_tag_list        the tag=value grammar of RFC 6376 3.2 (reused by ARC, RFC 8617)
//   DkimSignature::parse  a DKIM-Signature value -> checked signature or positioned error
//   DkimKey::parse        a key TXT record (RFC 6376 3.6.1) -> key or error
//   canonicalize_*        simple/relaxed header and body canonicalization (RFC 6376 3.4)
//   select_signed_fields  the h= header selection, bottom-up (RFC 6376 5.4.2)
//   verify / DkimVerifier every signature of a message, given a Resolver and "now"
//   SigningKey / sign     a DKIM-Signature for a message (rsa-sha256, ed25519-sha256)
//
// Nothing here throws for bad input, reads a clock or keeps global state; OpenSSL stays
// inside lib/. Bare LF line ends in the message are read as CRLF (see docs/dkim.md).
#pragma once

#include <mailverdict/dns/resolver.hpp>
#include <mailverdict/message/message.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mailverdict::dkim {

// ---------------------------------------------------------------------------------------
// Parse results

// Stable reason codes; reason_text() gives the sentence used in JSON and traces.
enum class DkimReason {
    verified,                      // pass
    no_signature,                  // none: the message carries no DKIM-Signature
    signature_syntax,              // permerror: tag list or tag value malformed
    unsupported_version,           // permerror: v= is not 1
    unsupported_algorithm,         // permerror: a= unknown
    unsupported_canonicalization,  // permerror: c= unknown
    unsupported_query_method,      // permerror: q= lacks dns/txt
    from_not_signed,               // permerror: h= lacks From (RFC 6376 5.4)
    identity_outside_domain,       // permerror: i= not within d= (RFC 6376 3.5)
    expiry_before_timestamp,       // permerror: x= not after t= (RFC 6376 3.5)
    signature_expired,             // permerror: now > x= + tolerance (RFC 6376 6.1.1)
    timestamp_in_future,           // permerror: t= > now + tolerance (RFC 6376 3.5)
    not_checked,                   // neutral: beyond VerifyOptions::max_signatures
    no_key,                        // permerror: NXDOMAIN / no TXT at the selector
    dns_error,                     // temperror: the key lookup failed temporarily
    key_syntax,                    // permerror: the key record or key material is bad
    key_revoked,                   // permerror: empty p=
    key_type_mismatch,             // permerror: k= does not match a=
    key_hash_not_allowed,          // permerror: key h= excludes the hash of a=
    key_service_not_email,         // permerror: key s= excludes email
    key_identity_strict,           // permerror: key t=s and i= domain != d=
    key_too_short,                 // permerror: RSA key < 1024 bits (RFC 8301 3.2)
    body_length_exceeds_body,      // fail: l= is longer than the canonical body
    body_hash_mismatch,            // fail
    signature_mismatch,            // fail: the signature did not verify
    sha1_rejected,                 // policy: rsa-sha1 verified but refused (RFC 8301 3.1)
};
std::string_view to_string(DkimReason reason) noexcept;    // "body_hash_mismatch"...
std::string_view reason_text(DkimReason reason) noexcept;  // "body hash mismatch"...

// Why a grammar did not parse, and where (byte offset in the parsed text).
struct ParseError {
    std::string reason;
    std::size_t offset = 0;
    DkimReason code = DkimReason::signature_syntax;  // the result code it maps to
};

// A parsed value or the error that prevented it.
template <class T>
class Parsed {
public:
    Parsed(T value) : value_(std::move(value)) {}  // NOLINT: implicit on purpose
    Parsed(ParseError error) : error_(std::move(error)) {}

    [[nodiscard]] bool ok() const noexcept { return value_.has_value(); }
    explicit operator bool() const noexcept { return ok(); }
    [[nodiscard]] const T& value() const& { return *value_; }
    [[nodiscard]] T&& value() && { return std::move(*value_); }
    const T& operator*() const& { return *value_; }
    const T* operator->() const { return &*value_; }
    [[nodiscard]] const ParseError& error() const noexcept { return error_; }

private:
    std::optional<T> value_;
    ParseError error_;
};

// ---------------------------------------------------------------------------------------
// Tag lists (RFC 6376 3.2)

struct Tag {
    std::string_view name;   // case-sensitive (RFC 6376 3.2)
    std::string_view value;  // leading and trailing FWS removed; inner FWS kept
    std::size_t offset = 0;  // of the tag name in the parsed text
};

struct TagList {
    std::vector<Tag> tags;  // in order; views into the parsed text
    [[nodiscard]] const Tag* find(std::string_view name) const noexcept;
};

// Parses "name=value; name=value[;]". FWS (SP, HTAB, CR, LF) is allowed around names,
// "=", values and ";". Errors: an empty tag-spec before the last ";", a bad tag name,
// a missing "=", a character outside VALCHAR, and a duplicate tag name (RFC 6376 3.2:
// "Tags with duplicate names MUST NOT occur").
Parsed<TagList> parse_tag_list(std::string_view text);

// The value with every FWS character removed (base64 values, h= lists...).
std::string strip_fws(std::string_view value);

// ---------------------------------------------------------------------------------------
// Algorithms and canonicalization

enum class Algorithm { rsa_sha1, rsa_sha256, ed25519_sha256 };
enum class KeyType { rsa, ed25519 };
enum class HashAlgorithm { sha1, sha256 };
enum class Canon { simple, relaxed };

std::string_view to_string(Algorithm algorithm) noexcept;  // "rsa-sha256"...
std::string_view to_string(KeyType type) noexcept;         // "rsa", "ed25519"
std::string_view to_string(Canon canon) noexcept;          // "simple", "relaxed"
KeyType key_type_of(Algorithm algorithm) noexcept;
HashAlgorithm hash_of(Algorithm algorithm) noexcept;
std::optional<Algorithm> parse_algorithm(std::string_view text) noexcept;  // case-insensitive
std::optional<Canon> parse_canon(std::string_view text) noexcept;

// RFC 6376 3.4.1 / 3.4.2: one header field canonicalized, appended to `out`, ending in
// CRLF. `raw` is the whole field as in HeaderField::raw (bare LF is read as CRLF).
void canonicalize_header(std::string_view raw, Canon canon, std::string& out);

// RFC 6376 3.4.3 / 3.4.4: the canonical body, handed to `sink` in chunks (never the
// whole body at once unless it is one span of the input), cut at `limit` bytes (l=).
// Returns the length of the whole canonical body (before the cut).
using ChunkSink = std::function<void(std::string_view)>;
std::uint64_t canonicalize_body(std::string_view body, Canon canon, const ChunkSink& sink,
                                std::optional<std::uint64_t> limit = std::nullopt);
// The same into a string (tests, tools).
std::string canonical_body(std::string_view body, Canon canon,
                           std::optional<std::uint64_t> limit = std::nullopt);

// RFC 6376 5.4.2: the fields that h= names, each name taking the last unused instance
// (bottom-up); a name with no instance left (over-signing) gives nullptr, which signs
// as the empty string. `skip` (the signature's own field) is never selected.
std::vector<const HeaderField*> select_signed_fields(const std::vector<HeaderField>& fields,
                                                     const std::vector<std::string>& names,
                                                     const HeaderField* skip = nullptr);

// RFC 6376 3.7: the signature field with the value of its b= tag deleted, canonicalized,
// without the trailing CRLF, appended to `out`. False if the field has no b= tag.
bool canonicalize_signature_field(std::string_view raw, Canon canon, std::string& out);

// ---------------------------------------------------------------------------------------
// DKIM-Signature (RFC 6376 3.5)

struct DkimSignature {
    Algorithm algorithm = Algorithm::rsa_sha256;
    std::string algorithm_text;            // a= as written
    std::vector<unsigned char> signature;  // b= decoded
    std::string b;                         // b= without FWS (header.b comes from it)
    std::vector<unsigned char> body_hash;  // bh= decoded
    Canon header_canon = Canon::simple;    // c=, default simple/simple
    Canon body_canon = Canon::simple;
    std::string domain;                       // d= as written
    std::vector<std::string> signed_headers;  // h= names as written
    std::string identity;                     // i=, or "@" + d= when absent
    bool identity_given = false;
    std::optional<std::uint64_t> body_length;  // l=
    std::string selector;                      // s=
    std::optional<std::int64_t> timestamp;     // t=
    std::optional<std::int64_t> expiration;    // x=
    std::string copied_headers;                // z=, as written (diagnostics only)

    // The checks of RFC 6376 3.5 and 6.1.1 that need no clock and no DNS: required tags,
    // v=1, a known a= and c=, q= includes dns/txt, h= includes From, i= within d=,
    // x= after t=. `value` is the field value (HeaderField::raw_value).
    static Parsed<DkimSignature> parse(std::string_view value);
};

// ---------------------------------------------------------------------------------------
// Key records (RFC 6376 3.6.1)

struct DkimKey {
    KeyType type = KeyType::rsa;            // k=, default rsa
    std::vector<unsigned char> public_key;  // p= decoded (SPKI or PKCS#1 DER; Ed25519 raw 32)
    bool revoked = false;                   // p= empty (RFC 6376 3.6.1)
    std::vector<std::string> hashes;        // h=, empty = every hash
    std::vector<std::string> services;      // s=, default "*"
    bool testing = false;                   // t=y
    bool strict_identity = false;           // t=s: i= domain must equal d=
    std::string notes;                      // n=

    [[nodiscard]] bool allows(HashAlgorithm hash) const noexcept;
    [[nodiscard]] bool allows_email() const noexcept;

    // `record` is the TXT record's strings joined. v=, if present, must be first and be
    // DKIM1; k= must be rsa or ed25519; p= is required.
    static Parsed<DkimKey> parse(std::string_view record);
};

// ---------------------------------------------------------------------------------------
// Results

// RFC 8601 2.7.1 result values.
enum class DkimStatus { none, pass, fail, neutral, policy, temperror, permerror };
std::string_view to_string(DkimStatus status) noexcept;

enum class BodyHashStatus { not_checked, pass, fail };
std::string_view to_string(BodyHashStatus status) noexcept;  // "none", "pass", "fail"

struct SignatureResult {
    DkimStatus result = DkimStatus::none;
    DkimReason reason = DkimReason::no_signature;
    std::string detail;  // specifics: the parse error, the DNS status, the key size...

    // What the signature claims (empty when it could not be parsed that far).
    std::string domain;            // d=      -> header.d
    std::string selector;          // s=      -> header.s
    std::string identity;          // i=      -> header.i
    std::string algorithm;         // a=      -> header.a
    std::string header_b;          // first 8+ characters of b=, unique in the message (RFC 6008)
    std::string canonicalization;  // "relaxed/simple"
    std::optional<std::uint64_t> body_length;
    std::optional<std::int64_t> timestamp;
    std::optional<std::int64_t> expiration;

    unsigned key_bits = 0;     // of the key used (0 when no key was loaded)
    bool key_testing = false;  // the key has t=y
    BodyHashStatus body_hash = BodyHashStatus::not_checked;
    std::size_t field_index = 0;        // index in Message::fields()
    std::vector<std::string> warnings;  // e.g. the l= warning
};

struct DkimResult {
    std::vector<SignatureResult> signatures;  // in header order, top first
    DkimStatus result = DkimStatus::none;     // the best one (see best_status)
};

// The most favourable of the results, in the order pass > policy > temperror > neutral
// > fail > permerror > none (docs/dkim.md).
DkimStatus best_status(const std::vector<SignatureResult>& signatures) noexcept;

// ---------------------------------------------------------------------------------------
// Verification

// Keys already decoded for OpenSSL, by key material, shared by verifications and
// threads (thread-safe). Decoding an RSA key costs several times more than verifying
// with it, so a long-running verifier keeps one KeyCache next to its DNS cache.
// Without one, each verification decodes its key again.
class KeyCache {
public:
    explicit KeyCache(std::size_t max_entries = 10000);
    ~KeyCache();
    KeyCache(const KeyCache&) = delete;
    KeyCache& operator=(const KeyCache&) = delete;
    [[nodiscard]] std::size_t size() const;

    struct Impl;
    [[nodiscard]] Impl& impl() const noexcept { return *impl_; }

private:
    std::unique_ptr<Impl> impl_;
};

struct VerifyOptions {
    std::size_t max_signatures = 5;        // signatures given DNS and crypto work per message
    bool accept_rsa_sha1 = false;          // RFC 8301 3.1: rsa-sha1 -> policy unless true
    unsigned min_rsa_bits = 1024;          // RFC 8301 3.2
    std::chrono::seconds clock_skew{300};  // tolerance for t= and x=
    std::shared_ptr<KeyCache> key_cache;   // optional; see KeyCache
};

// The key at <selector>._domainkey.<domain>.
struct KeyLookup {
    DkimStatus status = DkimStatus::none;  // none = found; temperror/permerror otherwise
    DkimReason reason = DkimReason::no_key;
    std::string detail;
    std::optional<DkimKey> key;
};
KeyLookup fetch_key(dns::Resolver& resolver, std::string_view domain, std::string_view selector);

// Verifies every DKIM-Signature field of `message` (RFC 6376 6), independently; body
// hashes are computed once per (canonicalization, l=, hash). `now` judges t= and x=.
DkimResult verify(const Message& message, dns::Resolver& resolver, std::chrono::sys_seconds now,
                  const VerifyOptions& options = {});

// One signature against a key already in hand (tests, tools, ARC-Message-Signature).
SignatureResult verify_with_key(const Message& message, const HeaderField& signature_field,
                                const DkimKey& key, std::chrono::sys_seconds now,
                                const VerifyOptions& options = {});

// ---------------------------------------------------------------------------------------
// Signing

// A private key (RSA or Ed25519). Copies share the key; usable from several threads.
class SigningKey {
public:
    struct Loaded;  // a key or the reason it could not be loaded
    static Loaded from_pem(std::string_view pem);
    static Loaded from_pem_file(const std::filesystem::path& path);
    // RFC 8032 seed (32 bytes), as RFC 8463 appendix A publishes its example key.
    static Loaded from_ed25519_seed(const std::vector<unsigned char>& seed);

    [[nodiscard]] KeyType type() const noexcept;
    [[nodiscard]] unsigned bits() const noexcept;
    // The TXT record that publishes the public half: "v=DKIM1; k=...; p=...".
    [[nodiscard]] std::string public_record() const;
    // The base64 p= value alone.
    [[nodiscard]] std::string public_key_base64() const;

    struct Impl;
    explicit SigningKey(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}
    [[nodiscard]] const Impl& impl() const noexcept { return *impl_; }

private:
    std::shared_ptr<const Impl> impl_;
};

struct SigningKey::Loaded {
    std::optional<SigningKey> key;
    std::string error;
    explicit operator bool() const noexcept { return key.has_value(); }
};

struct SignOptions {
    std::string domain;                  // d=
    std::string selector;                // s=
    std::optional<Algorithm> algorithm;  // default: rsa-sha256 or ed25519-sha256 by key
    Canon header_canon = Canon::relaxed;
    Canon body_canon = Canon::relaxed;
    // h= names in order; a name may repeat, and a name listed more often than present
    // over-signs. Empty: the usual set (From, To, Cc, Subject, Date, Message-ID, ...)
    // that the message has.
    std::vector<std::string> headers;
    bool oversign = false;     // list each name once more than it is present
    bool body_length = false;  // add l= (the whole canonical body); see docs/dkim.md
    std::string identity;      // i= (optional)
    bool timestamp = true;     // add t=now
    std::optional<std::chrono::seconds> expire_after;  // add x= now + this
};

struct SignResult {
    std::string field;  // "DKIM-Signature: ...<CRLF>" ready to prepend; empty on error
    std::string error;
    explicit operator bool() const noexcept { return error.empty(); }
};

SignResult sign(const Message& message, const SigningKey& key, const SignOptions& options,
                std::chrono::sys_seconds now);

}  // namespace mailverdict::dkim
