// RFC 6376 3.2 tag lists and 3.5 DKIM-Signature values; names of enums.
#include <mailverdict/auth/dkim.hpp>

#include "auth/dkim/dkim_detail.hpp"
#include "auth/dkim/openssl_wrap.hpp"

#include <algorithm>
#include <charconv>
#include <cstring>

namespace mailverdict::dkim {

using detail::is_fws;

const Tag* TagList::find(std::string_view name) const noexcept {
    for (const auto& tag : tags) {
        if (tag.name == name) {
            return &tag;
        }
    }
    return nullptr;
}

namespace {

bool is_alpha(char c) noexcept {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool is_digit(char c) noexcept {
    return c >= '0' && c <= '9';
}
// RFC 6376 3.2: VALCHAR = %x21-3A / %x3C-7E
bool is_valchar(char c) noexcept {
    const auto u = static_cast<unsigned char>(c);
    return u >= 0x21 && u <= 0x7E && c != ';';
}

std::string hex_byte(char c) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    const auto u = static_cast<unsigned char>(c);
    return std::string("0x") + kHex[u >> 4] + kHex[u & 15];
}

}  // namespace

Parsed<TagList> parse_tag_list(std::string_view text) {
    TagList list;
    list.tags.reserve(16);  // a DKIM-Signature has about ten tags: one allocation, not five
    std::size_t pos = 0;
    const std::size_t n = text.size();
    auto skip_fws = [&] {
        while (pos < n && is_fws(text[pos])) {
            ++pos;
        }
    };
    while (true) {
        skip_fws();
        if (pos == n) {
            break;  // end, possibly after a trailing ";" (allowed by the grammar)
        }
        const std::size_t name_start = pos;
        if (text[pos] == ';') {
            return ParseError{"empty tag-spec", pos};
        }
        // RFC 6376 3.2: tag-name = ALPHA *ALNUMPUNC
        if (!is_alpha(text[pos])) {
            return ParseError{"tag name starts with " + hex_byte(text[pos]), pos};
        }
        while (pos < n && (is_alpha(text[pos]) || is_digit(text[pos]) || text[pos] == '_')) {
            ++pos;
        }
        const std::string_view name = text.substr(name_start, pos - name_start);
        skip_fws();
        if (pos == n || text[pos] != '=') {
            return ParseError{"tag '" + std::string(name) + "' has no '='", pos};
        }
        ++pos;
        skip_fws();
        const std::size_t value_start = pos;
        // The value runs to the next ';'. Values are long (b=, bh=, p=): they are checked
        // in one pass without a branch per byte, and searched only when a byte is wrong.
        const void* semicolon = std::memchr(text.data() + pos, ';', n - pos);
        const std::size_t stop =
            semicolon == nullptr
                ? n
                : static_cast<std::size_t>(static_cast<const char*>(semicolon) - text.data());
        unsigned char wrong = 0;
        for (std::size_t i = pos; i < stop; ++i) {
            // VALCHAR without the ';' test (there is none before `stop`), or FWS.
            const auto u = static_cast<unsigned char>(text[i]);
            const bool valchar = static_cast<unsigned>(u - 0x21) <= 0x7Eu - 0x21u;
            const bool fws = (u == ' ') | (u == '\t') | (u == '\r') | (u == '\n');
            wrong |= static_cast<unsigned char>(!(valchar | fws));
        }
        if (wrong != 0) {
            while (is_valchar(text[pos]) || is_fws(text[pos])) {
                ++pos;
            }
            return ParseError{"character " + hex_byte(text[pos]) + " in the value of tag '" +
                                  std::string(name) + "'",
                              pos};
        }
        std::size_t value_end = stop;
        while (value_end > value_start && is_fws(text[value_end - 1])) {
            --value_end;
        }
        pos = stop;
        // RFC 6376 3.2: "Tags with duplicate names MUST NOT occur within a single
        // tag-list; if a tag name does occur more than once, the entire tag-list is invalid."
        if (list.find(name) != nullptr) {
            return ParseError{"duplicate tag '" + std::string(name) + "'", name_start};
        }
        list.tags.push_back(
            Tag{name, text.substr(value_start, value_end - value_start), name_start});
        if (pos == n) {
            break;
        }
        ++pos;  // ';'
    }
    return list;
}

std::string strip_fws(std::string_view value) {
    std::string out;
    out.reserve(value.size());
    for (const char c : value) {
        if (!is_fws(c)) {
            out += c;
        }
    }
    return out;
}

std::string_view to_string(Algorithm algorithm) noexcept {
    switch (algorithm) {
        case Algorithm::rsa_sha1:
            return "rsa-sha1";
        case Algorithm::rsa_sha256:
            return "rsa-sha256";
        case Algorithm::ed25519_sha256:
            return "ed25519-sha256";
    }
    return "?";
}

std::string_view to_string(KeyType type) noexcept {
    return type == KeyType::rsa ? "rsa" : "ed25519";
}

std::string_view to_string(Canon canon) noexcept {
    return canon == Canon::simple ? "simple" : "relaxed";
}

KeyType key_type_of(Algorithm algorithm) noexcept {
    return algorithm == Algorithm::ed25519_sha256 ? KeyType::ed25519 : KeyType::rsa;
}

HashAlgorithm hash_of(Algorithm algorithm) noexcept {
    return algorithm == Algorithm::rsa_sha1 ? HashAlgorithm::sha1 : HashAlgorithm::sha256;
}

std::optional<Algorithm> parse_algorithm(std::string_view text) noexcept {
    if (iequals(text, "rsa-sha256")) {
        return Algorithm::rsa_sha256;
    }
    if (iequals(text, "ed25519-sha256")) {
        return Algorithm::ed25519_sha256;  // RFC 8463 3
    }
    if (iequals(text, "rsa-sha1")) {
        return Algorithm::rsa_sha1;
    }
    return std::nullopt;
}

std::optional<Canon> parse_canon(std::string_view text) noexcept {
    if (iequals(text, "simple")) {
        return Canon::simple;
    }
    if (iequals(text, "relaxed")) {
        return Canon::relaxed;
    }
    return std::nullopt;
}

std::string_view to_string(DkimStatus status) noexcept {
    switch (status) {
        case DkimStatus::none:
            return "none";
        case DkimStatus::pass:
            return "pass";
        case DkimStatus::fail:
            return "fail";
        case DkimStatus::neutral:
            return "neutral";
        case DkimStatus::policy:
            return "policy";
        case DkimStatus::temperror:
            return "temperror";
        case DkimStatus::permerror:
            return "permerror";
    }
    return "?";
}

std::string_view to_string(BodyHashStatus status) noexcept {
    switch (status) {
        case BodyHashStatus::not_checked:
            return "none";
        case BodyHashStatus::pass:
            return "pass";
        case BodyHashStatus::fail:
            return "fail";
    }
    return "?";
}

namespace {
struct ReasonName {
    DkimReason reason;
    std::string_view code;
    std::string_view text;
};
constexpr ReasonName kReasons[] = {
    {DkimReason::verified, "verified", "signature verified"},
    {DkimReason::no_signature, "no_signature", "no DKIM signature"},
    {DkimReason::signature_syntax, "signature_syntax", "signature syntax error"},
    {DkimReason::unsupported_version, "unsupported_version", "unsupported version"},
    {DkimReason::unsupported_algorithm, "unsupported_algorithm", "unsupported algorithm"},
    {DkimReason::unsupported_canonicalization, "unsupported_canonicalization",
     "unsupported canonicalization"},
    {DkimReason::unsupported_query_method, "unsupported_query_method", "unsupported query method"},
    {DkimReason::from_not_signed, "from_not_signed", "From not signed"},
    {DkimReason::identity_outside_domain, "identity_outside_domain", "i= not within d="},
    {DkimReason::expiry_before_timestamp, "expiry_before_timestamp", "x= not after t="},
    {DkimReason::signature_expired, "signature_expired", "signature expired"},
    {DkimReason::timestamp_in_future, "timestamp_in_future", "signature timestamp in the future"},
    {DkimReason::not_checked, "not_checked", "not checked: signature limit reached"},
    {DkimReason::no_key, "no_key", "no key"},
    {DkimReason::dns_error, "dns_error", "key lookup failed"},
    {DkimReason::key_syntax, "key_syntax", "key syntax error"},
    {DkimReason::key_revoked, "key_revoked", "key revoked"},
    {DkimReason::key_type_mismatch, "key_type_mismatch", "key type does not match algorithm"},
    {DkimReason::key_hash_not_allowed, "key_hash_not_allowed", "hash not allowed by key"},
    {DkimReason::key_service_not_email, "key_service_not_email", "key not for email"},
    {DkimReason::key_identity_strict, "key_identity_strict", "key requires i= domain equal to d="},
    {DkimReason::key_too_short, "key_too_short", "key too short"},
    {DkimReason::body_length_exceeds_body, "body_length_exceeds_body", "l= exceeds body length"},
    {DkimReason::body_hash_mismatch, "body_hash_mismatch", "body hash mismatch"},
    {DkimReason::signature_mismatch, "signature_mismatch", "signature did not verify"},
    {DkimReason::sha1_rejected, "sha1_rejected", "rsa-sha1 not accepted"},
};
}  // namespace

std::string_view to_string(DkimReason reason) noexcept {
    for (const auto& r : kReasons) {
        if (r.reason == reason) {
            return r.code;
        }
    }
    return "?";
}

std::string_view reason_text(DkimReason reason) noexcept {
    for (const auto& r : kReasons) {
        if (r.reason == reason) {
            return r.text;
        }
    }
    return "?";
}

namespace detail {

bool is_domain_text(std::string_view s) noexcept {
    if (s.empty() || s.front() == '.' || s.back() == '.' || s.size() > 253) {
        return false;
    }
    char prev = 0;
    for (const char c : s) {
        const bool ok = is_alpha(c) || is_digit(c) || c == '-' || c == '_' || c == '.';
        if (!ok || (c == '.' && prev == '.')) {
            return false;
        }
        prev = c;
    }
    return true;
}

bool domain_within(std::string_view sub, std::string_view domain) noexcept {
    if (iequals(sub, domain)) {
        return true;
    }
    return sub.size() > domain.size() + 1 && sub[sub.size() - domain.size() - 1] == '.' &&
           iequals(sub.substr(sub.size() - domain.size()), domain);
}

std::vector<std::string_view> split_list(std::string_view value, char sep) {
    std::vector<std::string_view> out;
    std::size_t start = 0;
    while (true) {
        const std::size_t end = value.find(sep, start);
        std::string_view item = value.substr(
            start, end == std::string_view::npos ? std::string_view::npos : end - start);
        while (!item.empty() && is_fws(item.front())) {
            item.remove_prefix(1);
        }
        while (!item.empty() && is_fws(item.back())) {
            item.remove_suffix(1);
        }
        out.push_back(item);
        if (end == std::string_view::npos) {
            break;
        }
        start = end + 1;
    }
    return out;
}

std::optional<std::uint64_t> parse_decimal(std::string_view s, std::size_t max_digits) noexcept {
    if (s.empty() || s.size() > max_digits) {
        return std::nullopt;
    }
    std::uint64_t v = 0;
    for (const char c : s) {
        if (!is_digit(c)) {
            return std::nullopt;
        }
        const auto d = static_cast<std::uint64_t>(c - '0');
        if (v > (UINT64_MAX - d) / 10) {
            v = UINT64_MAX;  // RFC 6376 3.5 allows 76 digits for l=: saturate
        } else {
            v = v * 10 + d;
        }
    }
    return v;
}

}  // namespace detail

Parsed<DkimSignature> DkimSignature::parse(std::string_view value) {
    auto tags = parse_tag_list(value);
    if (!tags) {
        return tags.error();
    }
    const TagList& list = *tags;
    DkimSignature sig;
    auto fail = [](std::string reason, std::size_t offset,
                   DkimReason code = DkimReason::signature_syntax) {
        return ParseError{std::move(reason), offset, code};
    };
    // RFC 6376 6.1.1: the required tags v a b bh d h s.
    for (const std::string_view required : {"v", "a", "b", "bh", "d", "h", "s"}) {
        if (list.find(required) == nullptr) {
            return fail("missing required tag '" + std::string(required) + "'", value.size());
        }
    }
    const Tag& v = *list.find("v");
    if (v.value != "1") {
        // RFC 6376 3.5: v= MUST be "1"; other versions are not this specification.
        return fail("v=" + std::string(v.value) + " is not 1", v.offset,
                    DkimReason::unsupported_version);
    }
    const Tag& a = *list.find("a");
    const auto algorithm = parse_algorithm(a.value);
    if (!algorithm) {
        return fail("a=" + std::string(a.value), a.offset, DkimReason::unsupported_algorithm);
    }
    sig.algorithm = *algorithm;
    sig.algorithm_text = std::string(a.value);

    const Tag& b = *list.find("b");
    sig.b = strip_fws(b.value);
    if (sig.b.empty() || !detail::base64_decode(sig.b, sig.signature)) {
        return fail("b= is not base64", b.offset);
    }
    const Tag& bh = *list.find("bh");
    if (!detail::base64_decode(bh.value, sig.body_hash) || sig.body_hash.empty()) {
        return fail("bh= is not base64", bh.offset);
    }
    if (const Tag* c = list.find("c")) {
        // RFC 6376 3.5: c= header[/body]; a missing body part means simple.
        const std::string text = strip_fws(c->value);
        const auto slash = text.find('/');
        const auto header = parse_canon(std::string_view(text).substr(0, slash));
        std::optional<Canon> body = Canon::simple;
        if (slash != std::string::npos) {
            body = parse_canon(std::string_view(text).substr(slash + 1));
        }
        if (!header || !body) {
            return fail("c=" + std::string(c->value), c->offset,
                        DkimReason::unsupported_canonicalization);
        }
        sig.header_canon = *header;
        sig.body_canon = *body;
    }
    const Tag& d = *list.find("d");
    if (!detail::is_domain_text(d.value)) {
        return fail("d= is not a domain name", d.offset);
    }
    sig.domain = std::string(d.value);
    const Tag& s = *list.find("s");
    if (!detail::is_domain_text(s.value)) {
        return fail("s= is not a selector", s.offset);
    }
    sig.selector = std::string(s.value);

    const Tag& h = *list.find("h");
    bool from_signed = false;
    for (const auto name : detail::split_list(h.value, ':')) {
        // RFC 5322 2.2: field-name = 1*ftext (printable US-ASCII except ':').
        const bool valid = !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
            const auto u = static_cast<unsigned char>(c);
            return u >= 33 && u <= 126;
        });
        if (!valid) {
            return fail("h= has an empty or malformed field name", h.offset);
        }
        from_signed = from_signed || iequals(name, "from");
        sig.signed_headers.emplace_back(name);
    }
    if (!from_signed) {
        // RFC 6376 5.4 / 6.1.1: the From field MUST be signed.
        return fail("h= does not include From", h.offset, DkimReason::from_not_signed);
    }

    if (const Tag* i = list.find("i")) {
        const auto at = i->value.rfind('@');
        if (at == std::string_view::npos) {
            return fail("i= has no '@'", i->offset);
        }
        const std::string_view i_domain = i->value.substr(at + 1);
        // RFC 6376 3.5 / 6.1.1: the i= domain must be d= or a subdomain of it.
        if (!detail::domain_within(i_domain, sig.domain)) {
            return fail("i= domain '" + std::string(i_domain) + "' is not within d=", i->offset,
                        DkimReason::identity_outside_domain);
        }
        sig.identity = std::string(i->value);
        sig.identity_given = true;
    } else {
        sig.identity = "@" + sig.domain;  // RFC 6376 3.5: default i= is "@" d=
    }
    if (const Tag* l = list.find("l")) {
        sig.body_length = detail::parse_decimal(l->value, 76);  // RFC 6376 3.5: 1*76DIGIT
        if (!sig.body_length) {
            return fail("l= is not a decimal number", l->offset);
        }
    }
    if (const Tag* q = list.find("q")) {
        // RFC 6376 3.5: q= is a colon-separated list; dns/txt is the only method defined.
        bool dns_txt = false;
        for (const auto method : detail::split_list(q->value, ':')) {
            dns_txt = dns_txt || iequals(method, "dns/txt") || iequals(method, "dns");
        }
        if (!dns_txt) {
            return fail("q=" + std::string(q->value), q->offset,
                        DkimReason::unsupported_query_method);
        }
    }
    if (const Tag* t = list.find("t")) {
        const auto n = detail::parse_decimal(t->value, 12);  // RFC 6376 3.5: 1*12DIGIT
        if (!n) {
            return fail("t= is not a decimal number", t->offset);
        }
        sig.timestamp = static_cast<std::int64_t>(*n);
    }
    if (const Tag* x = list.find("x")) {
        const auto n = detail::parse_decimal(x->value, 12);
        if (!n) {
            return fail("x= is not a decimal number", x->offset);
        }
        sig.expiration = static_cast<std::int64_t>(*n);
        // RFC 6376 3.5: "the value of the "x=" tag MUST be greater than the value of the
        // "t=" tag if both are present."
        if (sig.timestamp && *sig.expiration <= *sig.timestamp) {
            return fail("x= is not after t=", x->offset, DkimReason::expiry_before_timestamp);
        }
    }
    if (const Tag* z = list.find("z")) {
        sig.copied_headers = std::string(z->value);
    }
    return sig;
}

}  // namespace mailverdict::dkim
