// RFC 6376 3.6.1 key records (with RFC 8463 4.2 for k=ed25519).
#include <mailverdict/auth/dkim.hpp>

#include "auth/dkim/dkim_detail.hpp"
#include "auth/dkim/openssl_wrap.hpp"

namespace mailverdict::dkim {

bool DkimKey::allows(HashAlgorithm hash) const noexcept {
    if (hashes.empty()) {
        return true;  // RFC 6376 3.6.1: h= defaults to allowing all algorithms
    }
    const std::string_view wanted = hash == HashAlgorithm::sha1 ? "sha1" : "sha256";
    for (const auto& h : hashes) {
        if (iequals(h, wanted)) {
            return true;
        }
    }
    return false;
}

bool DkimKey::allows_email() const noexcept {
    // RFC 6376 3.6.1: s= defaults to "*"; "email" or "*" make the key usable for mail.
    if (services.empty()) {
        return true;
    }
    for (const auto& s : services) {
        if (s == "*" || iequals(s, "email")) {
            return true;
        }
    }
    return false;
}

Parsed<DkimKey> DkimKey::parse(std::string_view record) {
    auto tags = parse_tag_list(record);
    if (!tags) {
        ParseError e = tags.error();
        e.code = DkimReason::key_syntax;
        return e;
    }
    const TagList& list = *tags;
    auto fail = [](std::string reason, std::size_t offset) {
        return ParseError{std::move(reason), offset, DkimReason::key_syntax};
    };
    DkimKey key;
    if (const Tag* v = list.find("v")) {
        // RFC 6376 3.6.1: if v= is present it MUST be the first tag and be "DKIM1".
        if (&list.tags.front() != v) {
            return fail("v= is not the first tag", v->offset);
        }
        if (v->value != "DKIM1") {
            return fail("v=" + std::string(v->value) + " is not DKIM1", v->offset);
        }
    }
    if (const Tag* k = list.find("k")) {
        if (iequals(k->value, "rsa")) {
            key.type = KeyType::rsa;
        } else if (iequals(k->value, "ed25519")) {
            key.type = KeyType::ed25519;  // RFC 8463 4
        } else {
            return fail("unknown key type k=" + std::string(k->value), k->offset);
        }
    }
    const Tag* p = list.find("p");
    if (p == nullptr) {
        return fail("missing required tag 'p'", record.size());
    }
    const std::string p_text = strip_fws(p->value);
    if (p_text.empty()) {
        key.revoked =
            true;  // RFC 6376 3.6.1: "An empty value means that this public key has been revoked."
    } else if (!detail::base64_decode(p_text, key.public_key)) {
        return fail("p= is not base64", p->offset);
    }
    if (const Tag* h = list.find("h")) {
        for (const auto item : detail::split_list(h->value, ':')) {
            if (!item.empty()) {
                key.hashes.emplace_back(item);
            }
        }
    }
    if (const Tag* s = list.find("s")) {
        for (const auto item : detail::split_list(s->value, ':')) {
            if (!item.empty()) {
                key.services.emplace_back(item);
            }
        }
    }
    if (const Tag* t = list.find("t")) {
        // RFC 6376 3.6.1: unrecognized flags MUST be ignored.
        for (const auto flag : detail::split_list(t->value, ':')) {
            key.testing = key.testing || flag == "y";
            key.strict_identity = key.strict_identity || flag == "s";
        }
    }
    if (const Tag* n = list.find("n")) {
        key.notes = std::string(n->value);
    }
    return key;
}

}  // namespace mailverdict::dkim
