// ARC rules found by running an independent ARC test suite against the validator and the
// sealer: each vector here is built by the test itself, with its own keys and our sealer.
//  - an AMS whose h= lists ARC-Seal is refused (RFC 8617 4.1.2);
//  - a chain whose newest ARC-Seal already says cv=fail is not extended (RFC 8617 5.1);
//  - the ARC-Seal of a cv=fail set covers that set alone (RFC 8617 5.1.2);
//  - simple/simple and simple/relaxed AMS canonicalization, unfolded fields and bare-LF
//    messages validate (RFC 6376 3.4 through RFC 8617 4.1.2).
#include <mailverdict/auth/arc.hpp>

#include "auth/arc/arc_detail.hpp"
#include "auth/dkim/openssl_wrap.hpp"

#include <doctest/doctest.h>

using namespace mailverdict;
using namespace mailverdict::arc;

namespace {

const std::string keys_dir = std::string(MV_SOURCE_DIR) + "/tests/auth/data/arc/";
const auto sealed_at = std::chrono::sys_seconds{std::chrono::seconds{1710000000}};

SealingKey key_from(const std::string& file) {
    auto k = SealingKey::from_pem_file(keys_dir + file);
    REQUIRE_MESSAGE(k, k.error);
    return *k.key;
}

std::string quoted_txt(std::string_view record) {
    std::string out;
    for (std::size_t i = 0; i < record.size(); i += 255) {
        out += " \"" + std::string(record.substr(i, 255)) + "\"";
    }
    return out;
}

struct Hop {
    SealingKey key;
    std::string domain;
    std::string selector;
};

struct Net {
    Hop first{key_from("sealer-rsa2048.pem"), "relay.example", "s1"};
    Hop second{key_from("sealer-ed25519.pem"), "lists.example", "s2"};
    std::shared_ptr<dns::Resolver> dns;

    Net() {
        std::string zone = "$TTL 60\n";
        for (const Hop* h : {&first, &second}) {
            zone += h->selector + "._domainkey." + h->domain + ". TXT" +
                    quoted_txt(h->key.public_record()) + "\n";
        }
        dns = dns::zone_text(zone, ".");
    }

    ArcResult validate_text(const std::string& bytes) const {
        return validate(Message::parse(bytes), *dns);
    }

    SealResult seal_text(const std::string& bytes, const Hop& hop, dkim::Canon header_canon,
                         dkim::Canon body_canon, const std::string& line_end) const {
        const Message m = Message::parse(bytes);
        SealOptions o;
        o.domain = hop.domain;
        o.selector = hop.selector;
        o.authserv_id = "mx." + hop.domain;
        o.header_canon = header_canon;
        o.body_canon = body_canon;
        o.line_end = line_end;
        return seal(m, validate(m, *dns), {}, hop.key, o, sealed_at);
    }

    std::string add_hop(const std::string& bytes, const Hop& hop,
                        dkim::Canon header_canon = dkim::Canon::relaxed,
                        dkim::Canon body_canon = dkim::Canon::relaxed,
                        const std::string& line_end = "\r\n") const {
        const SealResult s = seal_text(bytes, hop, header_canon, body_canon, line_end);
        REQUIRE_MESSAGE(s, s.error);
        return s.fields + bytes;
    }
};

const std::string letter =
    "From: Bob <bob@sender.example>\r\n"
    "To: team@lists.example\r\n"
    "Subject: Minutes\r\n"
    "Date: Wed, 13 Mar 2024 10:00:00 +0000\r\n"
    "Message-ID: <minutes-1@sender.example>\r\n"
    "\r\n"
    "Notes attached.  \r\n"
    "\r\n";

std::string edit(std::string s, std::string_view from, std::string_view to) {
    const auto at = s.find(from);
    REQUIRE(at != std::string::npos);
    return s.replace(at, from.size(), to);
}

}  // namespace

TEST_CASE("arc conformance: an AMS whose h= lists ARC-Seal is refused (RFC 8617 4.1.2)") {
    const auto parsed = detail::parse_ams(
        "i=2; a=rsa-sha256; d=relay.example; s=s1; c=relaxed/relaxed; "
        "h=from:to:ARC-Seal:subject; bh=AAAA; b=AAAA");
    CHECK_FALSE(parsed.value);
    CHECK(parsed.error.find("ARC-Seal") != std::string::npos);

    // The AAR may still be listed: pre-RFC sealers signed it and 5.2 does not reject it.
    const auto with_aar = detail::parse_ams(
        "i=1; a=rsa-sha256; d=relay.example; s=s1; "
        "h=from:arc-authentication-results; bh=AAAA; b=AAAA");
    CHECK(with_aar.value);

    // In a real chain the rule is reported as a syntax problem of the newest AMS.
    Net net;
    const std::string one = net.add_hop(letter, net.first);
    REQUIRE(net.validate_text(one).cv == ChainStatus::pass);
    const std::string listed = edit(one, "h=From:", "h=From:arc-seal:");
    const ArcResult r = net.validate_text(listed);
    CHECK(r.cv == ChainStatus::fail);
    CHECK(r.reason == Reason::ams_syntax);
    CHECK(r.failed_instance == 1U);
}

TEST_CASE("arc conformance: a chain already marked cv=fail is not extended (RFC 8617 5.1)") {
    Net net;
    const std::string two = net.add_hop(net.add_hop(letter, net.first), net.second);
    const std::string changed = edit(two, "Notes attached.", "Notes changed.");
    const ArcResult broken = net.validate_text(changed);
    REQUIRE(broken.cv == ChainStatus::fail);
    REQUIRE(broken.reason == Reason::body_hash_mismatch);

    // The hop that detects the break still seals, with cv=fail...
    const SealResult marked =
        net.seal_text(changed, net.first, dkim::Canon::relaxed, dkim::Canon::relaxed, "\r\n");
    REQUIRE_MESSAGE(marked, marked.error);
    CHECK(marked.cv == ChainStatus::fail);
    CHECK(marked.instance == 3);
    const std::string three = marked.fields + changed;
    CHECK(net.validate_text(three).reason == Reason::cv_fail_recorded);

    // ...and the next hop adds nothing.
    const SealResult next =
        net.seal_text(three, net.second, dkim::Canon::relaxed, dkim::Canon::relaxed, "\r\n");
    CHECK_FALSE(next);
    CHECK(next.fields.empty());
    CHECK(next.error.find("cv=fail") != std::string::npos);
}

TEST_CASE("arc conformance: a cv=fail seal signs only its own set (RFC 8617 5.1.2)") {
    Net net;
    const std::string two = net.add_hop(net.add_hop(letter, net.first), net.second);
    const std::string changed = edit(two, "Notes attached.", "Notes changed!");
    const SealResult marked =
        net.seal_text(changed, net.first, dkim::Canon::relaxed, dkim::Canon::relaxed, "\r\n");
    REQUIRE_MESSAGE(marked, marked.error);
    REQUIRE(marked.cv == ChainStatus::fail);

    // Pick the three new fields out of the sealed message and recompute the seal's input
    // as if they were the only set.
    const Message m = Message::parse(marked.fields + changed);
    detail::RawSet own;
    for (const auto& f : m.fields()) {
        if (detail::instance_of(f.name, f.value()) != 3U) {
            continue;
        }
        if (iequals(f.name, "ARC-Seal")) {
            own.seal = f.raw;
        } else if (iequals(f.name, "ARC-Message-Signature")) {
            own.ams = f.raw;
        } else if (iequals(f.name, "ARC-Authentication-Results")) {
            own.aar = f.raw;
        }
    }
    REQUIRE_FALSE(own.seal.empty());
    const auto seal = detail::parse_seal(own.seal.substr(own.seal.find(':') + 1));
    REQUIRE(seal.value);
    std::string input;
    REQUIRE(detail::seal_hash_input({own}, 1, input));

    const auto record = dkim::DkimKey::parse(net.first.key.public_record());
    REQUIRE(record);
    std::string error;
    const auto pub = dkim::detail::load_public_key(true, record->public_key, error);
    REQUIRE_MESSAGE(pub.pkey, error);
    CHECK(dkim::detail::verify_digest(pub, false, detail::sha256(input), seal.value->signature));
}

TEST_CASE("arc conformance: simple header canonicalization and bare LF validate") {
    Net net;
    SUBCASE("simple/simple over CRLF") {
        const std::string one =
            net.add_hop(letter, net.first, dkim::Canon::simple, dkim::Canon::simple);
        CHECK(net.validate_text(one).cv == ChainStatus::pass);
        // simple keeps trailing whitespace significant: adding some breaks the body hash.
        CHECK(net.validate_text(edit(one, "attached.  ", "attached.   ")).reason ==
              Reason::body_hash_mismatch);
        // simple keeps header spacing significant too.
        CHECK(net.validate_text(edit(one, "Subject: Minutes", "Subject:  Minutes")).reason ==
              Reason::ams_signature_mismatch);
    }
    SUBCASE("simple/relaxed then relaxed/relaxed, a two-hop chain") {
        const std::string two = net.add_hop(
            net.add_hop(letter, net.first, dkim::Canon::simple, dkim::Canon::relaxed), net.second);
        const ArcResult r = net.validate_text(two);
        CHECK(r.cv == ChainStatus::pass);
        CHECK(r.oldest_pass == 0);
    }
    SUBCASE("a message stored with bare LF line ends") {
        std::string lf = letter;
        for (auto at = lf.find("\r\n"); at != std::string::npos; at = lf.find("\r\n", at)) {
            lf.erase(at, 1);
        }
        const std::string one =
            net.add_hop(lf, net.first, dkim::Canon::simple, dkim::Canon::simple, "\n");
        CHECK(net.validate_text(one).cv == ChainStatus::pass);
        const std::string two =
            net.add_hop(one, net.second, dkim::Canon::relaxed, dkim::Canon::relaxed, "\n");
        CHECK(net.validate_text(two).cv == ChainStatus::pass);
    }
}
