// ARC field grammars (RFC 8617 4.1) on top of the DKIM tag-list parser (RFC 6376 3.2),
// and the hash inputs of RFC 8617 5.1.
#include "auth/arc/arc_detail.hpp"

#include "auth/dkim/dkim_detail.hpp"
#include "auth/dkim/openssl_wrap.hpp"

#include <algorithm>

namespace mailverdict::arc::detail {

namespace {

bool is_digit(char c) noexcept {
    return c >= '0' && c <= '9';
}

std::optional<unsigned> parse_instance(std::string_view v) noexcept {
    if (v.empty() || v.size() > 3 || !std::all_of(v.begin(), v.end(), is_digit)) {
        return std::nullopt;
    }
    unsigned n = 0;
    for (char c : v) {
        n = n * 10 + static_cast<unsigned>(c - '0');
    }
    if (n == 0) {
        return std::nullopt;
    }
    return n;
}

std::optional<std::int64_t> parse_time(std::string_view v) noexcept {
    const auto n = dkim::detail::parse_decimal(v, 12);
    if (!n) {
        return std::nullopt;
    }
    return static_cast<std::int64_t>(*n);
}

// a= for ARC: rsa-sha256 (RFC 8617 4.1.3 refers to DKIM's algorithms; rsa-sha1 is
// obsolete, RFC 8301) or ed25519-sha256 (RFC 8463).
bool parse_arc_algorithm(std::string_view text, dkim::Algorithm& out, std::string& error) {
    const auto a = dkim::parse_algorithm(text);
    if (!a) {
        error = "unknown algorithm '" + std::string(text) + "'";
        return false;
    }
    if (*a == dkim::Algorithm::rsa_sha1) {
        error = "rsa-sha1 is not allowed (RFC 8301)";
        return false;
    }
    out = *a;
    return true;
}

bool decode_b64(std::string_view text, std::vector<unsigned char>& out) {
    return dkim::detail::base64_decode(text, out) && !out.empty();
}

}  // namespace

bool is_arc_field(std::string_view name) noexcept {
    return iequals(name, "ARC-Seal") || iequals(name, "ARC-Message-Signature") ||
           iequals(name, "ARC-Authentication-Results");
}

std::optional<unsigned> instance_of(std::string_view name, std::string_view value) {
    if (iequals(name, "ARC-Authentication-Results")) {
        // "i" [CFWS] "=" [CFWS] 1*DIGIT [CFWS] ";" (RFC 8617 4.1.1)
        std::size_t i = 0;
        const auto skip = [&] {
            while (i < value.size() && dkim::detail::is_fws(value[i])) {
                ++i;
            }
        };
        skip();
        if (i >= value.size() || value[i] != 'i') {
            return std::nullopt;
        }
        ++i;
        skip();
        if (i >= value.size() || value[i] != '=') {
            return std::nullopt;
        }
        ++i;
        skip();
        const std::size_t start = i;
        while (i < value.size() && is_digit(value[i])) {
            ++i;
        }
        const auto n = parse_instance(value.substr(start, i - start));
        skip();
        if (!n || i >= value.size() || value[i] != ';') {
            return std::nullopt;
        }
        return n;
    }
    auto tags = dkim::parse_tag_list(value);
    if (!tags) {
        return std::nullopt;
    }
    const dkim::Tag* t = tags->find("i");
    return t == nullptr ? std::nullopt : parse_instance(t->value);
}

std::string_view aar_payload(std::string_view value) {
    const auto semi = value.find(';');
    return semi == std::string_view::npos ? std::string_view() : value.substr(semi + 1);
}

Parse<SealFields> parse_seal(std::string_view value) {
    Parse<SealFields> out;
    auto tags = dkim::parse_tag_list(value);
    if (!tags) {
        out.error = "tag list: " + tags.error().reason;
        return out;
    }
    SealFields s;
    for (const char* required : {"i", "a", "b", "d", "s", "cv"}) {
        if (tags->find(required) == nullptr) {
            out.error = std::string("missing ") + required + "= tag";
            return out;
        }
    }
    // RFC 8617 4.1.3: "The ARC-Seal does not use the h= tag"; its presence is an error
    // (5.2: such a seal is invalid).
    if (tags->find("h") != nullptr) {
        out.error = "h= tag in an ARC-Seal";
        return out;
    }
    const auto i = parse_instance(tags->find("i")->value);
    if (!i) {
        out.error = "invalid i= value";
        return out;
    }
    s.instance = *i;
    s.algorithm_text = std::string(tags->find("a")->value);
    if (!parse_arc_algorithm(s.algorithm_text, s.algorithm, out.error)) {
        return out;
    }
    if (!decode_b64(tags->find("b")->value, s.signature)) {
        out.error = "invalid b= value";
        return out;
    }
    s.domain = std::string(tags->find("d")->value);
    s.selector = std::string(tags->find("s")->value);
    if (!dkim::detail::is_domain_text(s.domain) || !dkim::detail::is_domain_text(s.selector)) {
        out.error = "invalid d= or s= value";
        return out;
    }
    const std::string_view cv = tags->find("cv")->value;
    if (iequals(cv, "none")) {
        s.cv = ChainStatus::none;
    } else if (iequals(cv, "pass")) {
        s.cv = ChainStatus::pass;
    } else if (iequals(cv, "fail")) {
        s.cv = ChainStatus::fail;
    } else {
        out.error = "invalid cv= value '" + std::string(cv) + "'";
        return out;
    }
    if (const dkim::Tag* t = tags->find("t")) {
        s.timestamp = parse_time(t->value);
        if (!s.timestamp) {
            out.error = "invalid t= value";
            return out;
        }
    }
    out.value = std::move(s);
    return out;
}

Parse<AmsFields> parse_ams(std::string_view value) {
    Parse<AmsFields> out;
    auto tags = dkim::parse_tag_list(value);
    if (!tags) {
        out.error = "tag list: " + tags.error().reason;
        return out;
    }
    for (const char* required : {"i", "a", "b", "bh", "d", "h", "s"}) {
        if (tags->find(required) == nullptr) {
            out.error = std::string("missing ") + required + "= tag";
            return out;
        }
    }
    AmsFields a;
    const auto i = parse_instance(tags->find("i")->value);
    if (!i) {
        out.error = "invalid i= value";
        return out;
    }
    a.instance = *i;
    a.algorithm_text = std::string(tags->find("a")->value);
    if (!parse_arc_algorithm(a.algorithm_text, a.algorithm, out.error)) {
        return out;
    }
    if (!decode_b64(tags->find("b")->value, a.signature) ||
        !decode_b64(tags->find("bh")->value, a.body_hash)) {
        out.error = "invalid b= or bh= value";
        return out;
    }
    if (const dkim::Tag* c = tags->find("c")) {
        const std::string v = dkim::strip_fws(c->value);
        const auto slash = v.find('/');
        const auto h = dkim::parse_canon(v.substr(0, slash));
        const auto b = slash == std::string::npos ? std::optional<dkim::Canon>(dkim::Canon::simple)
                                                  : dkim::parse_canon(v.substr(slash + 1));
        if (!h || !b) {
            out.error = "invalid c= value '" + v + "'";
            return out;
        }
        a.header_canon = *h;
        a.body_canon = *b;
    }
    a.domain = std::string(tags->find("d")->value);
    a.selector = std::string(tags->find("s")->value);
    if (!dkim::detail::is_domain_text(a.domain) || !dkim::detail::is_domain_text(a.selector)) {
        out.error = "invalid d= or s= value";
        return out;
    }
    for (auto name : dkim::detail::split_list(tags->find("h")->value, ':')) {
        if (name.empty()) {
            out.error = "empty name in h=";
            return out;
        }
        // RFC 8617 4.1.2: ARC-related fields "MUST NOT be included" in the AMS h=. An
        // AMS covering an ARC-Seal is refused; ARC-Authentication-Results and
        // ARC-Message-Signature are tolerated because pre-RFC sealers (the IETF drafts)
        // signed the AAR and 5.2 gives validators no step that rejects them.
        if (iequals(name, "ARC-Seal")) {
            out.error = "h= lists ARC-Seal (RFC 8617 4.1.2)";
            return out;
        }
        a.signed_headers.emplace_back(name);
    }
    if (const dkim::Tag* l = tags->find("l")) {
        a.body_length = dkim::detail::parse_decimal(l->value, 76);
        if (!a.body_length) {
            out.error = "invalid l= value";
            return out;
        }
    }
    if (const dkim::Tag* t = tags->find("t")) {
        a.timestamp = parse_time(t->value);
        if (!a.timestamp) {
            out.error = "invalid t= value";
            return out;
        }
    }
    out.value = std::move(a);
    return out;
}

bool seal_hash_input(const std::vector<RawSet>& raw_sets, unsigned upto, std::string& out) {
    out.clear();
    if (upto == 0 || upto > raw_sets.size()) {
        return false;
    }
    for (unsigned k = 0; k < upto; ++k) {
        const RawSet& set = raw_sets[k];
        dkim::canonicalize_header(set.aar, dkim::Canon::relaxed, out);
        dkim::canonicalize_header(set.ams, dkim::Canon::relaxed, out);
        if (k + 1 < upto) {
            dkim::canonicalize_header(set.seal, dkim::Canon::relaxed, out);
        }
    }
    return dkim::canonicalize_signature_field(raw_sets[upto - 1].seal, dkim::Canon::relaxed, out);
}

bool ams_hash_input(const std::vector<HeaderField>& fields, const std::vector<std::string>& names,
                    const HeaderField* skip, std::string_view ams_raw, dkim::Canon canon,
                    std::string& out) {
    out.clear();
    for (const HeaderField* f : dkim::select_signed_fields(fields, names, skip)) {
        if (f != nullptr) {
            dkim::canonicalize_header(f->raw, canon, out);
        }
    }
    return dkim::canonicalize_signature_field(ams_raw, canon, out);
}

std::vector<unsigned char> sha256(std::string_view data) {
    dkim::detail::Digest d(false);
    d.update(data);
    return d.finish();
}

}  // namespace mailverdict::arc::detail
