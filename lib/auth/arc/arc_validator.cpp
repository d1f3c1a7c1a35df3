// ARC chain validation: RFC 8617 5.2.
#include <mailverdict/auth/arc.hpp>

#include "auth/arc/arc_detail.hpp"
#include "auth/dkim/dkim_detail.hpp"
#include "auth/dkim/openssl_wrap.hpp"

#include <algorithm>
#include <map>

namespace mailverdict::arc {

namespace {

struct Fields {
    std::vector<std::size_t> aar, ams, seal;  // field indexes, per instance
};

struct KeyCheck {
    bool ok = false;
    bool temporary = false;
    std::string problem;
    std::shared_ptr<const dkim::detail::PublicKey> key;  // set when ok
};

class KeyCache {
public:
    KeyCache(dns::Resolver& resolver, const ArcOptions& options)
        : resolver_(resolver), options_(options) {}

    // The key at s._domainkey.d, checked for use with `algorithm` (RFC 6376 3.6.1 tags).
    const KeyCheck& get(const std::string& domain, const std::string& selector,
                        dkim::Algorithm algorithm) {
        const std::string id =
            selector + "._domainkey." + domain + "/" + std::string(dkim::to_string(algorithm));
        if (auto it = cache_.find(id); it != cache_.end()) {
            return it->second;
        }
        KeyCheck& k = cache_[id];
        const dkim::KeyLookup lookup = dkim::fetch_key(resolver_, domain, selector);
        if (!lookup.key) {
            k.temporary = lookup.status == dkim::DkimStatus::temperror;
            k.problem = std::string(dkim::reason_text(lookup.reason)) + ": " + lookup.detail;
            return k;
        }
        const dkim::DkimKey& key = *lookup.key;
        if (key.revoked) {
            k.problem = "key revoked (empty p=) at " + selector + "._domainkey." + domain;
        } else if (key.type != dkim::key_type_of(algorithm)) {
            k.problem = "key type " + std::string(dkim::to_string(key.type)) + " does not match " +
                        std::string(dkim::to_string(algorithm));
        } else if (!key.allows(dkim::HashAlgorithm::sha256) || !key.allows_email()) {
            k.problem = "key h= or s= excludes this use";
        } else {
            std::string error;
            // Decoded keys are shared with DKIM and across messages (options_.key_cache).
            k.key = dkim::detail::load_public_key(key.type == dkim::KeyType::rsa, key.public_key,
                                                  options_.key_cache.get(), error);
            if (!k.key) {
                k.problem = "unusable key: " + error;
            } else if (k.key->is_rsa && k.key->bits < options_.min_rsa_bits) {
                k.problem = "RSA key of " + std::to_string(k.key->bits) + " bits (RFC 8301 3.2)";
            } else {
                k.ok = true;
            }
        }
        return k;
    }

private:
    dns::Resolver& resolver_;
    const ArcOptions& options_;
    std::map<std::string, KeyCheck> cache_;
};

ArcResult failed(ArcResult r, Reason reason, std::string detail,
                 std::optional<unsigned> instance = std::nullopt) {
    r.cv = ChainStatus::fail;
    r.reason = reason;
    r.detail = std::move(detail);
    r.failed_instance = instance;
    r.oldest_pass = 0;
    return r;
}

}  // namespace

std::string_view to_string(ChainStatus status) noexcept {
    switch (status) {
        case ChainStatus::none:
            return "none";
        case ChainStatus::pass:
            return "pass";
        case ChainStatus::fail:
            return "fail";
    }
    return "none";
}

std::string_view to_string(Reason reason) noexcept {
    switch (reason) {
        case Reason::no_arc_sets:
            return "no_arc_sets";
        case Reason::verified:
            return "verified";
        case Reason::invalid_instance:
            return "invalid_instance";
        case Reason::too_many_instances:
            return "too_many_instances";
        case Reason::missing_set:
            return "missing_set";
        case Reason::incomplete_set:
            return "incomplete_set";
        case Reason::duplicate_field:
            return "duplicate_field";
        case Reason::cv_fail_recorded:
            return "cv_fail_recorded";
        case Reason::first_cv_not_none:
            return "first_cv_not_none";
        case Reason::later_cv_not_pass:
            return "later_cv_not_pass";
        case Reason::seal_syntax:
            return "seal_syntax";
        case Reason::ams_syntax:
            return "ams_syntax";
        case Reason::aar_syntax:
            return "aar_syntax";
        case Reason::key_unavailable:
            return "key_unavailable";
        case Reason::key_error:
            return "key_error";
        case Reason::body_hash_mismatch:
            return "body_hash_mismatch";
        case Reason::ams_signature_mismatch:
            return "ams_signature_mismatch";
        case Reason::seal_signature_mismatch:
            return "seal_signature_mismatch";
    }
    return "no_arc_sets";
}

const ArcSetInfo* ArcResult::newest() const noexcept {
    return sets.empty() ? nullptr : &sets.back();
}

ArcResult validate(const Message& message, dns::Resolver& resolver, const ArcOptions& options) {
    dkim::detail::BodyHashes bodies(message.body());
    return detail::validate(message, resolver, options, bodies);
}

ArcResult detail::validate(const Message& message, dns::Resolver& resolver,
                           const ArcOptions& options, dkim::detail::BodyHashes& bodies) {
    ArcResult r;
    const auto& fields = message.fields();
    // Step 1 (RFC 8617 5.2): collect the ARC sets by instance.
    std::map<unsigned, Fields> by_instance;
    bool any = false;
    for (std::size_t k = 0; k < fields.size(); ++k) {
        const HeaderField& f = fields[k];
        if (!detail::is_arc_field(f.name)) {
            continue;
        }
        any = true;
        const auto instance = detail::instance_of(f.name, f.value());
        if (!instance) {
            return failed(std::move(r), Reason::invalid_instance,
                          std::string(f.name) + " at field " + std::to_string(k) +
                              " has no valid i= instance");
        }
        Fields& set = by_instance[*instance];
        if (iequals(f.name, "ARC-Seal")) {
            set.seal.push_back(k);
        } else if (iequals(f.name, "ARC-Message-Signature")) {
            set.ams.push_back(k);
        } else {
            set.aar.push_back(k);
        }
    }
    if (!any) {
        r.detail = "no ARC header fields";
        return r;
    }
    const unsigned highest = by_instance.rbegin()->first;
    r.instances = highest;
    // RFC 8617 4.2.1: at most 50 sets (a named limit, lower on demand).
    if (highest > options.max_instances) {
        return failed(std::move(r), Reason::too_many_instances,
                      "instance " + std::to_string(highest) + " exceeds the limit of " +
                          std::to_string(options.max_instances),
                      highest);
    }
    // Step 3 (structure): every instance 1..N present, each with exactly one of each field.
    for (unsigned i = 1; i <= highest; ++i) {
        auto it = by_instance.find(i);
        if (it == by_instance.end()) {
            return failed(
                std::move(r), Reason::missing_set,
                "no ARC set for instance " + std::to_string(i) + " of " + std::to_string(highest),
                i);
        }
        const Fields& set = it->second;
        if (set.aar.size() > 1 || set.ams.size() > 1 || set.seal.size() > 1) {
            return failed(std::move(r), Reason::duplicate_field,
                          "instance " + std::to_string(i) + " has a duplicated ARC field", i);
        }
        if (set.aar.empty() || set.ams.empty() || set.seal.empty()) {
            const char* missing = set.seal.empty()  ? "ARC-Seal"
                                  : set.ams.empty() ? "ARC-Message-Signature"
                                                    : "ARC-Authentication-Results";
            return failed(std::move(r), Reason::incomplete_set,
                          "instance " + std::to_string(i) + " has no " + missing, i);
        }
    }
    // Parse every set.
    std::vector<detail::SealFields> seals;
    std::vector<detail::AmsFields> amss;
    std::vector<detail::RawSet> raw;
    for (unsigned i = 1; i <= highest; ++i) {
        const Fields& set = by_instance[i];
        const HeaderField& aar = fields[set.aar[0]];
        const HeaderField& ams = fields[set.ams[0]];
        const HeaderField& seal = fields[set.seal[0]];
        ArcSetInfo info;
        info.instance = i;
        info.aar_field = set.aar[0];
        info.ams_field = set.ams[0];
        info.seal_field = set.seal[0];
        // The payload with whitespace runs (folds, tabs) shown as one space.
        for (const char c : detail::aar_payload(aar.value())) {
            const bool space = c == ' ' || c == '\t' || c == '\r' || c == '\n';
            if (!space) {
                info.results_text.push_back(c);
            } else if (!info.results_text.empty() && info.results_text.back() != ' ') {
                info.results_text.push_back(' ');
            }
        }
        while (!info.results_text.empty() && info.results_text.back() == ' ') {
            info.results_text.pop_back();
        }
        if (auto parsed = authres::parse(info.results_text, authres::Mode::lenient)) {
            info.results = std::move(*parsed);
        }
        auto s = detail::parse_seal(seal.value());
        if (!s.value) {
            r.sets.push_back(std::move(info));
            return failed(std::move(r), Reason::seal_syntax,
                          "ARC-Seal i=" + std::to_string(i) + ": " + s.error, i);
        }
        auto a = detail::parse_ams(ams.value());
        if (!a.value) {
            r.sets.push_back(std::move(info));
            return failed(std::move(r), Reason::ams_syntax,
                          "ARC-Message-Signature i=" + std::to_string(i) + ": " + a.error, i);
        }
        info.cv = s.value->cv;
        info.seal_domain = s.value->domain;
        info.seal_selector = s.value->selector;
        info.algorithm = s.value->algorithm_text;
        info.timestamp = s.value->timestamp;
        info.ams_domain = a.value->domain;
        info.ams_selector = a.value->selector;
        r.sets.push_back(std::move(info));
        seals.push_back(std::move(*s.value));
        amss.push_back(std::move(*a.value));
        raw.push_back(detail::RawSet{aar.raw, ams.raw, seal.raw});
    }
    // Step 2: the newest seal's own verdict.
    if (seals.back().cv == ChainStatus::fail) {
        return failed(std::move(r), Reason::cv_fail_recorded,
                      "ARC-Seal i=" + std::to_string(highest) + " records cv=fail", highest);
    }
    // Step 3 (cv rules, RFC 8617 4.1.3 / 5.1.1): i=1 says none, later ones pass.
    for (unsigned i = 1; i <= highest; ++i) {
        const ChainStatus cv = seals[i - 1].cv;
        if (i == 1 && cv != ChainStatus::none) {
            return failed(std::move(r), Reason::first_cv_not_none,
                          "ARC-Seal i=1 has cv=" + std::string(to_string(cv)) + ", not none", 1U);
        }
        if (i > 1 && cv != ChainStatus::pass) {
            return failed(std::move(r), Reason::later_cv_not_pass,
                          "ARC-Seal i=" + std::to_string(i) +
                              " has cv=" + std::string(to_string(cv)) + ", not pass",
                          i);
        }
    }

    KeyCache keys(resolver, options);
    // One AMS: 0 = valid, otherwise the failure recorded in the set.
    const auto check_ams = [&](unsigned i, Reason& reason, bool& temporary) {
        const detail::AmsFields& a = amss[i - 1];
        ArcSetInfo& info = r.sets[i - 1];
        const KeyCheck& key = keys.get(a.domain, a.selector, a.algorithm);
        if (!key.ok) {
            temporary = key.temporary;
            reason = key.temporary ? Reason::key_unavailable : Reason::key_error;
            info.problem = "AMS key: " + key.problem;
            info.ams_valid = false;
            return false;
        }
        // RFC 8617 4.1.2: the AMS body hash is a DKIM body hash (SHA-256 for every ARC
        // algorithm), shared with the message's DKIM signatures.
        if (bodies.get(a.body_canon, a.body_length, false).digest != a.body_hash) {
            reason = Reason::body_hash_mismatch;
            info.problem = "AMS body hash mismatch";
            info.ams_valid = false;
            return false;
        }
        std::string input;
        const HeaderField& field = fields[info.ams_field];
        detail::ams_hash_input(fields, a.signed_headers, &field, field.raw, a.header_canon, input);
        if (!dkim::detail::verify_digest(*key.key, false, detail::sha256(input), a.signature)) {
            reason = Reason::ams_signature_mismatch;
            info.problem = "AMS signature does not verify";
            info.ams_valid = false;
            return false;
        }
        info.ams_valid = true;
        return true;
    };

    // Step 4: the newest AMS.
    {
        Reason reason = Reason::verified;
        bool temporary = false;
        if (!check_ams(highest, reason, temporary)) {
            std::string detail = "ARC-Message-Signature i=" + std::to_string(highest) + ": " +
                                 r.sets[highest - 1].problem;
            ArcResult out = failed(std::move(r), reason, std::move(detail), highest);
            out.temporary = temporary;
            return out;
        }
    }
    // Step 5 (optional): the oldest instance whose AMS still verifies.
    unsigned oldest_pass = 0;
    if (options.compute_oldest_pass) {
        for (unsigned i = highest - 1; i >= 1; --i) {
            Reason reason = Reason::verified;
            bool temporary = false;
            if (!check_ams(i, reason, temporary)) {
                oldest_pass = i + 1;
                break;
            }
        }
    }
    // Step 6: every ARC-Seal, newest first.
    for (unsigned i = highest; i >= 1; --i) {
        const detail::SealFields& s = seals[i - 1];
        ArcSetInfo& info = r.sets[i - 1];
        const KeyCheck& key = keys.get(s.domain, s.selector, s.algorithm);
        if (!key.ok) {
            info.seal_valid = false;
            info.problem = "AS key: " + key.problem;
            ArcResult out =
                failed(std::move(r), key.temporary ? Reason::key_unavailable : Reason::key_error,
                       "ARC-Seal i=" + std::to_string(i) + ": " + key.problem, i);
            out.temporary = key.temporary;
            return out;
        }
        std::string input;
        detail::seal_hash_input(raw, i, input);
        if (!dkim::detail::verify_digest(*key.key, false, detail::sha256(input), s.signature)) {
            info.seal_valid = false;
            info.problem = "ARC-Seal signature does not verify";
            return failed(std::move(r), Reason::seal_signature_mismatch,
                          "ARC-Seal i=" + std::to_string(i) + " does not verify", i);
        }
        info.seal_valid = true;
    }
    r.cv = ChainStatus::pass;
    r.reason = Reason::verified;
    r.oldest_pass = oldest_pass;
    r.detail = std::to_string(highest) + " ARC set(s) verified";
    return r;
}

const ArcSetInfo* trusted_sealer(const ArcResult& result,
                                 const std::vector<std::string>& trusted_domains) {
    if (result.cv != ChainStatus::pass || result.sets.empty()) {
        return nullptr;
    }
    const ArcSetInfo& newest = result.sets.back();
    const auto trusted = [&](const std::string& d) {
        return std::any_of(trusted_domains.begin(), trusted_domains.end(),
                           [&](const std::string& t) {
                               std::string a = t;
                               while (!a.empty() && a.back() == '.') {
                                   a.pop_back();
                               }
                               return iequals(a, d);
                           });
    };
    return trusted(newest.seal_domain) && trusted(newest.ams_domain) ? &newest : nullptr;
}

authres::ResultInfo auth_results_arc(const ArcResult& result) {
    authres::ResultInfo info;
    info.method = "arc";
    info.result = std::string(to_string(result.cv));
    if (result.cv == ChainStatus::fail) {
        info.comments.push_back(std::string(to_string(result.reason)) +
                                (result.failed_instance
                                     ? " at i=" + std::to_string(*result.failed_instance)
                                     : std::string()));
    } else if (result.cv == ChainStatus::pass) {
        info.comments.push_back("i=" + std::to_string(result.instances));
        // RFC 8617 10.1: header.oldest-pass
        info.properties.push_back({"header", "oldest-pass", std::to_string(result.oldest_pass)});
    }
    return info;
}

}  // namespace mailverdict::arc
