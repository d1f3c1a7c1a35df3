// RFC 6376 6 verification of every DKIM-Signature of a message.
#include <mailverdict/auth/dkim.hpp>

#include "auth/dkim/dkim_detail.hpp"
#include "auth/dkim/openssl_wrap.hpp"

#include <algorithm>
#include <functional>
#include <mutex>
#include <unordered_map>

namespace mailverdict::dkim {

struct KeyCache::Impl {
    std::mutex mutex;
    std::unordered_map<std::string, std::shared_ptr<const detail::PublicKey>> keys;
    std::size_t max_entries = 0;
};

KeyCache::KeyCache(std::size_t max_entries) : impl_(std::make_unique<Impl>()) {
    impl_->max_entries = max_entries == 0 ? 1 : max_entries;
}

KeyCache::~KeyCache() = default;

std::size_t KeyCache::size() const {
    const std::lock_guard lock(impl_->mutex);
    return impl_->keys.size();
}

std::shared_ptr<const detail::PublicKey> detail::load_public_key(
    bool rsa, const std::vector<unsigned char>& der, KeyCache* cache, std::string& error) {
    using KeyPtr = std::shared_ptr<const PublicKey>;
    auto load = [&]() -> KeyPtr {
        auto loaded = std::make_shared<PublicKey>(load_public_key(rsa, der, error));
        return loaded->pkey ? KeyPtr(std::move(loaded)) : nullptr;
    };
    if (cache == nullptr) {
        return load();
    }
    std::string id(rsa ? "r" : "e");
    id.append(der.begin(), der.end());
    KeyCache::Impl& impl = cache->impl();
    {
        const std::lock_guard lock(impl.mutex);
        const auto it = impl.keys.find(id);
        if (it != impl.keys.end()) {
            return it->second;
        }
    }
    KeyPtr loaded = load();
    if (loaded) {
        const std::lock_guard lock(impl.mutex);
        if (impl.keys.size() >= impl.max_entries) {
            impl.keys.clear();  // simple bound: start again rather than grow without end
        }
        impl.keys.emplace(std::move(id), loaded);
    }
    return loaded;
}

const detail::BodyHashes::Entry& detail::BodyHashes::get(Canon canon,
                                                         std::optional<std::uint64_t> limit,
                                                         bool sha1) {
    for (const auto& e : entries_) {
        if (e.canon == canon && e.limit == limit && e.sha1 == sha1) {
            return e;
        }
    }
    Digest digest(sha1);
    // The canonical body goes to the digest in chunks: the body is never copied whole.
    const std::uint64_t length = canonicalize_body(
        body_, canon, [&digest](std::string_view chunk) { digest.update(chunk); }, limit);
    entries_.push_back(Entry{canon, limit, sha1, digest.finish(), length});
    return entries_.back();
}

namespace {

using detail::BodyHashes;
using KeyPtr = std::shared_ptr<const detail::PublicKey>;

using KeySource = std::function<KeyLookup(std::string_view domain, std::string_view selector)>;

std::string format_error(const ParseError& e) {
    return e.reason + " (offset " + std::to_string(e.offset) + ")";
}

// What the signature claims, as far as its tag list can be read (even when the
// signature is invalid, the report should still name its domain and selector).
void fill_claims(std::string_view value, SignatureResult& r, std::string& b_out) {
    const auto tags = parse_tag_list(value);
    if (!tags) {
        return;
    }
    if (const Tag* t = tags->find("d")) {
        r.domain = std::string(t->value);
    }
    if (const Tag* t = tags->find("s")) {
        r.selector = std::string(t->value);
    }
    if (const Tag* t = tags->find("a")) {
        r.algorithm = std::string(t->value);
    }
    if (const Tag* t = tags->find("i")) {
        r.identity = std::string(t->value);
    } else if (!r.domain.empty()) {
        r.identity = "@" + r.domain;
    }
    if (const Tag* t = tags->find("b")) {
        b_out = strip_fws(t->value);
    }
}

SignatureResult evaluate(const Message& message, const HeaderField& field, std::size_t index,
                         std::chrono::sys_seconds now, const VerifyOptions& options,
                         const KeySource& keys, BodyHashes& bodies, std::size_t& budget,
                         std::string& b_out) {
    SignatureResult r;
    r.field_index = index;
    auto finish = [&r](DkimStatus status, DkimReason reason, std::string detail = {}) {
        r.result = status;
        r.reason = reason;
        r.detail = std::move(detail);
        return r;
    };
    const auto parsed = DkimSignature::parse(field.raw_value);
    if (!parsed) {
        fill_claims(field.raw_value, r, b_out);
        // RFC 6376 6.1.1: a malformed signature is PERMFAIL (RFC 8601: permerror).
        return finish(DkimStatus::permerror, parsed.error().code, format_error(parsed.error()));
    }
    const DkimSignature& sig = *parsed;
    r.domain = sig.domain;
    r.selector = sig.selector;
    r.identity = sig.identity;
    b_out = sig.b;
    r.algorithm = std::string(to_string(sig.algorithm));
    r.canonicalization =
        std::string(to_string(sig.header_canon)) + "/" + std::string(to_string(sig.body_canon));
    r.body_length = sig.body_length;
    r.timestamp = sig.timestamp;
    r.expiration = sig.expiration;

    const std::int64_t now_s = now.time_since_epoch().count();
    const std::int64_t skew = options.clock_skew.count();
    if (sig.expiration && now_s > *sig.expiration + skew) {
        // RFC 6376 6.1.1: "Verifiers MUST NOT accept a signature that has expired"
        // (PERMFAIL "signature expired").
        return finish(DkimStatus::permerror, DkimReason::signature_expired,
                      "x=" + std::to_string(*sig.expiration) + " is before now (" +
                          std::to_string(now_s) + ")");
    }
    if (sig.timestamp && *sig.timestamp > now_s + skew) {
        // RFC 6376 3.5 t=: verifiers MAY ignore signatures with a timestamp in the future.
        return finish(DkimStatus::permerror, DkimReason::timestamp_in_future,
                      "t=" + std::to_string(*sig.timestamp) + " is after now (" +
                          std::to_string(now_s) + ") plus " + std::to_string(skew) + " s");
    }
    // RFC 6376 8.4: a message must not be able to force unbounded DNS and crypto work.
    if (budget == 0) {
        return finish(DkimStatus::neutral, DkimReason::not_checked,
                      "only " + std::to_string(options.max_signatures) +
                          " signatures are verified per message");
    }
    --budget;

    KeyLookup lookup = keys(sig.domain, sig.selector);
    if (!lookup.key) {
        return finish(lookup.status, lookup.reason, lookup.detail);
    }
    const DkimKey& key = *lookup.key;
    r.key_testing = key.testing;
    if (key.revoked) {
        return finish(DkimStatus::permerror, DkimReason::key_revoked, "p= is empty");
    }
    if (key.type != key_type_of(sig.algorithm)) {
        return finish(DkimStatus::permerror, DkimReason::key_type_mismatch,
                      "k=" + std::string(to_string(key.type)) + " but a=" + r.algorithm);
    }
    const bool sha1 = hash_of(sig.algorithm) == HashAlgorithm::sha1;
    if (!key.allows(hash_of(sig.algorithm))) {
        return finish(DkimStatus::permerror, DkimReason::key_hash_not_allowed,
                      std::string("key h= excludes ") + (sha1 ? "sha1" : "sha256"));
    }
    if (!key.allows_email()) {
        return finish(DkimStatus::permerror, DkimReason::key_service_not_email);
    }
    if (key.strict_identity) {
        // RFC 6376 3.6.1 t=s: the i= domain must not be a subdomain of d=.
        const std::string_view i_domain =
            std::string_view(sig.identity).substr(sig.identity.rfind('@') + 1);
        if (!iequals(i_domain, sig.domain)) {
            return finish(DkimStatus::permerror, DkimReason::key_identity_strict,
                          "i= domain " + std::string(i_domain));
        }
    }
    std::string load_error;
    const KeyPtr loaded = detail::load_public_key(key.type == KeyType::rsa, key.public_key,
                                                  options.key_cache.get(), load_error);
    if (!loaded) {
        return finish(DkimStatus::permerror, DkimReason::key_syntax, load_error);
    }
    const detail::PublicKey& public_key = *loaded;
    r.key_bits = public_key.bits;
    if (public_key.is_rsa && public_key.bits < options.min_rsa_bits) {
        // RFC 8301 3.2: verifiers MUST NOT consider signatures using RSA keys of less
        // than 1024 bits as valid signatures.
        return finish(DkimStatus::permerror, DkimReason::key_too_short,
                      std::to_string(public_key.bits) + " bits");
    }

    // RFC 6376 6.1.3: the body hash first; a mismatch needs no signature check.
    const auto& body = bodies.get(sig.body_canon, sig.body_length, sha1);
    if (sig.body_length) {
        // RFC 6376 8.2: l= lets anyone append content after the signed part.
        r.warnings.push_back("l=" + std::to_string(*sig.body_length) +
                             ": content appended after the signed length would not break "
                             "the signature");
        if (*sig.body_length < body.canonical_length) {
            r.warnings.push_back(std::to_string(body.canonical_length - *sig.body_length) +
                                 " canonical body bytes are not covered by l=");
        }
        if (*sig.body_length > body.canonical_length) {
            r.body_hash = BodyHashStatus::fail;
            return finish(DkimStatus::fail, DkimReason::body_length_exceeds_body,
                          "l=" + std::to_string(*sig.body_length) + " but the canonical body has " +
                              std::to_string(body.canonical_length) + " bytes");
        }
    }
    if (body.digest.empty() || body.digest != sig.body_hash) {
        r.body_hash = BodyHashStatus::fail;
        return finish(
            DkimStatus::fail, DkimReason::body_hash_mismatch,
            "computed bh=" + detail::base64_encode(body.digest.data(), body.digest.size()));
    }
    r.body_hash = BodyHashStatus::pass;

    std::string input;
    input.reserve(1024);
    if (!detail::header_hash_input(message.fields(), sig.signed_headers, field, sig.header_canon,
                                   input)) {
        return finish(DkimStatus::permerror, DkimReason::signature_syntax, "no b= tag");
    }
    detail::Digest header_digest(sha1);
    header_digest.update(input);
    const auto digest = header_digest.finish();
    if (!detail::verify_digest(public_key, sha1, digest, sig.signature)) {
        return finish(DkimStatus::fail, DkimReason::signature_mismatch);
    }
    if (sha1 && !options.accept_rsa_sha1) {
        // RFC 8301 3.1: signers MUST NOT use rsa-sha1; verifiers MUST NOT consider it valid.
        return finish(DkimStatus::policy, DkimReason::sha1_rejected, "RFC 8301");
    }
    return finish(DkimStatus::pass, DkimReason::verified);
}

// RFC 6008 2: header.b is the shortest prefix of b=, at least 8 characters, that no
// other signature of the message shares.
void assign_header_b(std::vector<SignatureResult>& results, const std::vector<std::string>& bs) {
    for (std::size_t i = 0; i < results.size(); ++i) {
        const std::string& b = bs[i];
        std::size_t len = std::min<std::size_t>(8, b.size());
        for (std::size_t j = 0; j < bs.size(); ++j) {
            if (j == i) {
                continue;
            }
            while (len < b.size() && bs[j].compare(0, len, b, 0, len) == 0 && bs[j] != b) {
                ++len;
            }
        }
        results[i].header_b = b.substr(0, len);
    }
}

bool is_dkim_signature(const HeaderField& f) {
    return iequals(f.name, "DKIM-Signature");
}

}  // namespace

DkimStatus best_status(const std::vector<SignatureResult>& signatures) noexcept {
    auto rank = [](DkimStatus s) {
        switch (s) {
            case DkimStatus::pass:
                return 6;
            case DkimStatus::policy:
                return 5;
            case DkimStatus::temperror:
                return 4;
            case DkimStatus::neutral:
                return 3;
            case DkimStatus::fail:
                return 2;
            case DkimStatus::permerror:
                return 1;
            case DkimStatus::none:
                return 0;
        }
        return 0;
    };
    DkimStatus best = DkimStatus::none;
    for (const auto& s : signatures) {
        if (rank(s.result) > rank(best)) {
            best = s.result;
        }
    }
    return best;
}

KeyLookup fetch_key(dns::Resolver& resolver, std::string_view domain, std::string_view selector) {
    KeyLookup out;
    // RFC 6376 3.6.2.1: the key is at <selector>._domainkey.<domain>.
    const std::string name = std::string(selector) + "._domainkey." + std::string(domain);
    const dns::Answer answer = resolver.query(name, dns::RecordType::TXT);
    if (answer.status == dns::DnsStatus::nxdomain || answer.status == dns::DnsStatus::nodata ||
        (answer.ok() && answer.txt.empty())) {
        // RFC 6376 6.1.2: no key record -> PERMFAIL (no key for signature).
        out.status = DkimStatus::permerror;
        out.reason = DkimReason::no_key;
        out.detail = std::string(dns::to_string(answer.status)) + " for " + name;
        return out;
    }
    if (!answer.ok()) {
        // RFC 6376 6.1.2: a lookup that fails to answer -> TEMPFAIL (key unavailable).
        // Whether a DNS status is temporary is decided once, in dns::is_temporary_failure;
        // anything else that is not an answer is treated as temporary too.
        out.status = DkimStatus::temperror;
        out.reason = DkimReason::dns_error;
        out.detail = std::string(dns::to_string(answer.status)) + " for " + name +
                     (answer.detail.empty() ? "" : ": " + answer.detail);
        return out;
    }
    // RFC 6376 3.6.2.2: several TXT records at one selector give undefined results. The
    // first record (in answer order) that parses as a key is used (docs/dkim.md).
    std::optional<ParseError> first_error;
    for (const auto& record : answer.txt) {
        auto key = DkimKey::parse(record.joined());
        if (key) {
            out.key = std::move(key).value();
            return out;
        }
        if (!first_error) {
            first_error = key.error();
        }
    }
    out.status = DkimStatus::permerror;
    out.reason = DkimReason::key_syntax;
    out.detail = format_error(*first_error) + " in the record at " + name;
    return out;
}

DkimResult verify(const Message& message, dns::Resolver& resolver, std::chrono::sys_seconds now,
                  const VerifyOptions& options) {
    BodyHashes bodies(message.body());
    return detail::verify(message, resolver, now, options, bodies);
}

DkimResult detail::verify(const Message& message, dns::Resolver& resolver,
                          std::chrono::sys_seconds now, const VerifyOptions& options,
                          BodyHashes& bodies) {
    DkimResult result;
    std::size_t budget = options.max_signatures;
    std::vector<std::string> bs;
    const KeySource keys = [&resolver](std::string_view d, std::string_view s) {
        return fetch_key(resolver, d, s);
    };
    const auto& fields = message.fields();
    for (std::size_t i = 0; i < fields.size(); ++i) {
        if (!is_dkim_signature(fields[i])) {
            continue;
        }
        bs.emplace_back();
        result.signatures.push_back(
            evaluate(message, fields[i], i, now, options, keys, bodies, budget, bs.back()));
    }
    assign_header_b(result.signatures, bs);
    result.result = best_status(result.signatures);
    return result;
}

SignatureResult verify_with_key(const Message& message, const HeaderField& signature_field,
                                const DkimKey& key, std::chrono::sys_seconds now,
                                const VerifyOptions& options) {
    BodyHashes bodies(message.body());
    std::size_t budget = 1;
    std::string b;
    const KeySource keys = [&key](std::string_view, std::string_view) {
        KeyLookup lookup;
        lookup.key = key;
        return lookup;
    };
    const auto& fields = message.fields();
    std::size_t index = 0;
    for (std::size_t i = 0; i < fields.size(); ++i) {
        if (&fields[i] == &signature_field) {
            index = i;
        }
    }
    SignatureResult r =
        evaluate(message, signature_field, index, now, options, keys, bodies, budget, b);
    r.header_b = b.substr(0, std::min<std::size_t>(8, b.size()));
    return r;
}

}  // namespace mailverdict::dkim
