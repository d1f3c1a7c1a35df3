// ARC (RFC 8617): chains of 1, 2 and 3 instances sealed by the tests with their own keys,
// and each way of breaking one.
#include <mailverdict/auth/arc.hpp>
#include <mailverdict/auth/authenticate.hpp>

#include <doctest/doctest.h>

#include <map>

using namespace mailverdict;
using namespace mailverdict::arc;

namespace {

const std::string data_dir = std::string(MV_SOURCE_DIR) + "/tests/auth/data/arc/";
const auto when = std::chrono::sys_seconds{std::chrono::seconds{1700000000}};

SealingKey load(const std::string& file) {
    auto k = SealingKey::from_pem_file(data_dir + file);
    REQUIRE_MESSAGE(k, k.error);
    return *k.key;
}

// A TXT record in zone-file syntax, cut into 255-byte character-strings (RFC 1035 3.3.14).
std::string txt(std::string_view record) {
    std::string out;
    for (std::size_t i = 0; i < record.size(); i += 255) {
        out += " \"" + std::string(record.substr(i, 255)) + "\"";
    }
    return out;
}

struct Sealer {
    SealingKey key;
    std::string domain;
    std::string selector;
};

struct World {
    Sealer rsa{load("sealer-rsa2048.pem"), "sealer.example", "arc"};
    Sealer ed{load("sealer-ed25519.pem"), "list.example", "ed"};
    Sealer small{load("forwarder-rsa1024.pem"), "fwd.example", "k1024"};
    std::shared_ptr<dns::Resolver> dns;

    World() {
        std::string zone = "$TTL 300\n";
        for (const Sealer* s : {&rsa, &ed, &small}) {
            zone += s->selector + "._domainkey." + s->domain + ". TXT" +
                    txt(s->key.public_record()) + "\n";
        }
        dns = dns::zone_text(zone, ".");
    }

    // Validates `m` as received, then adds the next ARC set sealed by `s`.
    std::string seal_with(const std::string& bytes, const Sealer& s, ArcOptions options = {}) {
        const Message m = Message::parse(bytes);
        const ArcResult chain = validate(m, *dns, options);
        authres::AuthenticationResults local;
        local.results.push_back({"spf",
                                 std::nullopt,
                                 "pass",
                                 std::nullopt,
                                 {{"smtp", "mailfrom", "origin.example"}},
                                 {},
                                 {}});
        local.results.push_back({"dmarc",
                                 std::nullopt,
                                 "pass",
                                 std::nullopt,
                                 {{"header", "from", "origin.example"}},
                                 {},
                                 {}});
        SealOptions o;
        o.domain = s.domain;
        o.selector = s.selector;
        o.authserv_id = "mx." + s.domain;
        const SealResult sealed = seal(m, chain, local, s.key, o, when);
        REQUIRE_MESSAGE(sealed, sealed.error);
        return sealed.fields + bytes;
    }

    ArcResult check(const std::string& bytes, ArcOptions options = {}) {
        return validate(Message::parse(bytes), *dns, options);
    }
};

const std::string original =
    "From: Alice <alice@origin.example>\r\n"
    "To: list@list.example\r\n"
    "Subject: Hello\r\n"
    "Date: Tue, 14 Nov 2023 22:13:20 +0000\r\n"
    "Message-ID: <1@origin.example>\r\n"
    "\r\n"
    "Hello, world.\r\n";

std::string replace(std::string s, std::string_view from, std::string_view to) {
    const auto pos = s.find(from);
    REQUIRE(pos != std::string::npos);
    return s.replace(pos, from.size(), to);
}

// Removes every line of the header that starts a field named `name` with i=`instance`
// (with its continuation lines).
std::string remove_field(const std::string& bytes, std::string_view name, unsigned instance) {
    const Message m = Message::parse(bytes);
    for (const auto& f : m.fields()) {
        if (iequals(f.name, name) &&
            f.value().find("i=" + std::to_string(instance) + ";") != std::string_view::npos) {
            std::string out = bytes;
            return out.erase(f.offset, f.raw.size());
        }
    }
    FAIL("field not found");
    return bytes;
}

std::string field_text(const std::string& bytes, std::string_view name, unsigned instance) {
    const Message m = Message::parse(bytes);
    for (const auto& f : m.fields()) {
        if (iequals(f.name, name) &&
            f.value().find("i=" + std::to_string(instance) + ";") != std::string_view::npos) {
            return std::string(f.raw);
        }
    }
    return {};
}

}  // namespace

TEST_CASE("arc: no ARC fields -> none") {
    World w;
    const ArcResult r = w.check(original);
    CHECK(r.cv == ChainStatus::none);
    CHECK(r.reason == Reason::no_arc_sets);
    CHECK(r.instances == 0);
    CHECK(r.newest() == nullptr);
}

TEST_CASE("arc: chains of 1, 2 and 3 instances validate") {
    World w;
    const std::string one = w.seal_with(original, w.rsa);
    ArcResult r = w.check(one);
    CHECK(r.cv == ChainStatus::pass);
    CHECK(r.reason == Reason::verified);
    CHECK(r.instances == 1);
    REQUIRE(r.sets.size() == 1);
    CHECK(r.sets[0].cv == ChainStatus::none);  // RFC 8617 4.1.3: i=1 has cv=none
    CHECK(r.sets[0].seal_domain == "sealer.example");
    CHECK(r.sets[0].ams_valid == true);
    CHECK(r.sets[0].seal_valid == true);
    REQUIRE(r.sets[0].results);
    CHECK(r.sets[0].results->authserv_id == "mx.sealer.example");
    CHECK(r.sets[0].results->find("spf")->result == "pass");
    CHECK(r.sets[0].results->find("arc")->result == "none");  // nothing before it
    // the recorded payload, unfolded, one space per whitespace run
    CHECK(r.sets[0].results_text ==
          "mx.sealer.example; spf=pass smtp.mailfrom=origin.example; dmarc=pass "
          "header.from=origin.example; arc=none");

    const std::string two = w.seal_with(one, w.ed);
    r = w.check(two);
    CHECK(r.cv == ChainStatus::pass);
    CHECK(r.instances == 2);
    CHECK(r.sets[1].cv == ChainStatus::pass);
    CHECK(r.sets[1].algorithm == "ed25519-sha256");
    CHECK(r.sets[1].results->find("arc")->result == "pass");
    CHECK(r.oldest_pass == 0);

    const std::string three = w.seal_with(two, w.small);
    r = w.check(three);
    CHECK(r.cv == ChainStatus::pass);
    CHECK(r.instances == 3);
    CHECK(r.newest()->seal_domain == "fwd.example");
    CHECK(r.oldest_pass == 0);
    // the sets are on top, newest first: ARC-Seal i=3 is the first field
    CHECK(three.rfind("ARC-Seal: i=3;", 0) == 0);
}

TEST_CASE("arc: a modified body breaks the newest AMS") {
    World w;
    const std::string two = w.seal_with(w.seal_with(original, w.rsa), w.ed);
    const ArcResult r = w.check(replace(two, "Hello, world.", "Hello, w0rld."));
    CHECK(r.cv == ChainStatus::fail);
    CHECK(r.reason == Reason::body_hash_mismatch);
    CHECK(r.failed_instance == 2U);
}

TEST_CASE("arc: a header changed after validation moves oldest-pass, the chain passes") {
    World w;
    const std::string one = w.seal_with(original, w.rsa);
    // the list validates the chain as received (pass), then tags the subject and seals
    const ArcResult received = w.check(one);
    REQUIRE(received.cv == ChainStatus::pass);
    const std::string changed = replace(one, "Subject: Hello", "Subject: [list] Hello");
    SealOptions o;
    o.domain = w.ed.domain;
    o.selector = w.ed.selector;
    o.authserv_id = "mx.list.example";
    const SealResult sealed = seal(Message::parse(changed), received, {}, w.ed.key, o, when);
    REQUIRE_MESSAGE(sealed, sealed.error);
    CHECK(sealed.cv == ChainStatus::pass);
    const std::string two = sealed.fields + changed;
    const ArcResult r = w.check(two);
    CHECK(r.cv == ChainStatus::pass);
    CHECK(r.oldest_pass == 2);
    CHECK(r.sets[0].ams_valid == false);
    CHECK(r.sets[1].ams_valid == true);
}

TEST_CASE("arc: structural failures") {
    World w;
    const std::string three = w.seal_with(w.seal_with(w.seal_with(original, w.rsa), w.ed), w.rsa);
    REQUIRE(w.check(three).cv == ChainStatus::pass);

    SUBCASE("a gap in the instances") {
        std::string gap = remove_field(three, "ARC-Seal", 2);
        gap = remove_field(gap, "ARC-Message-Signature", 2);
        gap = remove_field(gap, "ARC-Authentication-Results", 2);
        const ArcResult r = w.check(gap);
        CHECK(r.cv == ChainStatus::fail);
        CHECK(r.reason == Reason::missing_set);
        CHECK(r.failed_instance == 2U);
        CHECK(r.instances == 3);
    }
    SUBCASE("an incomplete set") {
        const ArcResult r = w.check(remove_field(three, "ARC-Message-Signature", 2));
        CHECK(r.reason == Reason::incomplete_set);
        CHECK(r.failed_instance == 2U);
        CHECK(r.detail == "instance 2 has no ARC-Message-Signature");
    }
    SUBCASE("a duplicate instance") {
        const std::string aar1 = field_text(three, "ARC-Authentication-Results", 1);
        REQUIRE_FALSE(aar1.empty());
        const ArcResult r = w.check(aar1 + three);
        CHECK(r.reason == Reason::duplicate_field);
        CHECK(r.failed_instance == 1U);
    }
    SUBCASE("the wrong instance count: an AMS renumbered") {
        const std::string ams2 = field_text(three, "ARC-Message-Signature", 2);
        const std::string moved = replace(three, ams2, replace(ams2, "i=2;", "i=4;"));
        const ArcResult r = w.check(moved);
        CHECK(r.cv == ChainStatus::fail);
        CHECK(r.instances == 4);
        CHECK(r.reason == Reason::incomplete_set);
        CHECK(r.failed_instance == 2U);
    }
    SUBCASE("more instances than the limit") {
        ArcOptions o;
        o.max_instances = 2;
        const ArcResult r = w.check(three, o);
        CHECK(r.reason == Reason::too_many_instances);
        CHECK(r.failed_instance == 3U);
    }
    SUBCASE("a field without a usable instance") {
        const ArcResult r = w.check("ARC-Seal: i=x; a=rsa-sha256; b=AA==\r\n" + three);
        CHECK(r.reason == Reason::invalid_instance);
    }
    SUBCASE("instance 1 must say cv=none") {
        const std::string as1 = field_text(three, "ARC-Seal", 1);
        const ArcResult r = w.check(replace(three, as1, replace(as1, "cv=none", "cv=pass")));
        CHECK(r.reason == Reason::first_cv_not_none);
        CHECK(r.failed_instance == 1U);
    }
    SUBCASE("a later instance must say cv=pass") {
        const std::string as2 = field_text(three, "ARC-Seal", 2);
        const ArcResult r = w.check(replace(three, as2, replace(as2, "cv=pass", "cv=none")));
        CHECK(r.reason == Reason::later_cv_not_pass);
        CHECK(r.failed_instance == 2U);
    }
    SUBCASE("an altered ARC-Authentication-Results breaks the seals that cover it") {
        const ArcResult r = w.check(replace(three, "mx.sealer.example;", "mx.sealer.examp1e;"));
        CHECK(r.cv == ChainStatus::fail);
        CHECK(r.reason == Reason::seal_signature_mismatch);
        CHECK(r.failed_instance == 3U);  // seals are checked newest first; AS 3 covers AAR 1
    }
}

TEST_CASE("arc: cv=fail is carried forward and ends the chain") {
    World w;
    const std::string two = w.seal_with(w.seal_with(original, w.rsa), w.ed);
    const std::string broken = replace(two, "Hello, world.", "Hello, w0rld.");
    REQUIRE(w.check(broken).cv == ChainStatus::fail);
    const Message m = Message::parse(broken);
    const ArcResult chain = w.check(broken);
    SealOptions o;
    o.domain = w.rsa.domain;
    o.selector = w.rsa.selector;
    o.authserv_id = "mx.sealer.example";
    const SealResult sealed = seal(m, chain, {}, w.rsa.key, o, when);
    REQUIRE_MESSAGE(sealed, sealed.error);
    CHECK(sealed.cv == ChainStatus::fail);
    CHECK(sealed.instance == 3);
    CHECK(sealed.fields.find("cv=fail;") != std::string::npos);
    CHECK(sealed.fields.find("arc=fail") != std::string::npos);
    const ArcResult r = w.check(sealed.fields + broken);
    CHECK(r.cv == ChainStatus::fail);
    CHECK(r.reason == Reason::cv_fail_recorded);
    CHECK(r.failed_instance == 3U);
}

TEST_CASE("arc: sealing refuses past the instance limit") {
    World w;
    const std::string two = w.seal_with(w.seal_with(original, w.rsa), w.ed);
    const Message m = Message::parse(two);
    SealOptions o;
    o.domain = w.rsa.domain;
    o.selector = w.rsa.selector;
    o.authserv_id = "mx.sealer.example";
    o.max_instances = 2;
    const SealResult sealed = seal(m, w.check(two), {}, w.rsa.key, o, when);
    CHECK_FALSE(sealed);
    CHECK(sealed.fields.empty());
    CHECK(sealed.error.find("limit 2") != std::string::npos);
}

TEST_CASE("arc: key problems") {
    World w;
    const std::string one = w.seal_with(original, w.rsa);
    SUBCASE("no key record") {
        auto empty = dns::zone_text("$TTL 300\n", ".");
        const ArcResult r = validate(Message::parse(one), *empty);
        CHECK(r.cv == ChainStatus::fail);
        CHECK(r.reason == Reason::key_error);
        CHECK_FALSE(r.temporary);
    }
    SUBCASE("a key lookup that fails temporarily") {
        class Failing final : public dns::Resolver {
        public:
            dns::Answer query(std::string_view name, dns::RecordType type) override {
                dns::Answer a;
                a.status = dns::DnsStatus::servfail;
                a.name = std::string(name);
                a.type = type;
                return a;
            }
        } failing;
        const ArcResult r = validate(Message::parse(one), failing);
        CHECK(r.reason == Reason::key_unavailable);
        CHECK(r.temporary);
    }
    SUBCASE("a key shorter than required") {
        ArcOptions o;
        o.min_rsa_bits = 2048;
        const std::string two = w.seal_with(one, w.small);
        const ArcResult r = w.check(two, o);
        CHECK(r.reason == Reason::key_error);
        CHECK(r.failed_instance == 2U);
    }
}

TEST_CASE("arc: decoded keys are shared through a dkim::KeyCache, checks still apply") {
    World w;
    const std::string three = w.seal_with(w.seal_with(w.seal_with(original, w.rsa), w.ed), w.small);
    ArcOptions o;
    o.key_cache = std::make_shared<dkim::KeyCache>();
    for (int pass = 0; pass < 2; ++pass) {
        const ArcResult r = w.check(three, o);
        CHECK(r.cv == ChainStatus::pass);
        CHECK(r.instances == 3);
        CHECK(o.key_cache->size() == 3);  // three sealers, one decoded key each
    }
    // A cached key is still held to the options of the call: the 1024-bit sealer of i=3.
    o.min_rsa_bits = 2048;
    const ArcResult strict = w.check(three, o);
    CHECK(strict.cv == ChainStatus::fail);
    CHECK(strict.reason == Reason::key_error);
    CHECK(strict.failed_instance == 3U);
}

TEST_CASE("arc: auth::authenticate decodes ARC keys into the DKIM key cache") {
    World w;
    const std::string two = w.seal_with(w.seal_with(original, w.rsa), w.ed);
    auth::AuthenticateOptions options;
    options.now = when;
    options.dkim.key_cache = std::make_shared<dkim::KeyCache>();
    const auto list = psl::PublicSuffixList::system();
    REQUIRE(list);
    const auth::Authentication a =
        auth::authenticate(Message::parse(two), Envelope{}, *w.dns, *list.list, options);
    CHECK(a.arc.cv == ChainStatus::pass);
    // The message has no DKIM-Signature: both keys came from the ARC sets.
    CHECK(a.dkim.signatures.empty());
    CHECK(options.dkim.key_cache->size() == 2);
}

TEST_CASE("arc: a trusted sealer's recorded results") {
    World w;
    const std::string two = w.seal_with(w.seal_with(original, w.rsa), w.ed);
    const ArcResult r = w.check(two);
    const ArcSetInfo* t = trusted_sealer(r, {"LIST.example."});
    REQUIRE(t != nullptr);
    CHECK(t->instance == 2);
    REQUIRE(t->results);
    CHECK(t->results->find("dmarc")->result == "pass");
    CHECK(t->results->find("dmarc")->value("header", "from") == "origin.example");
    CHECK(trusted_sealer(r, {"sealer.example"}) == nullptr);  // not the newest sealer
    const ArcResult broken = w.check(replace(two, "Hello, world.", "Hello!"));
    CHECK(trusted_sealer(broken, {"list.example"}) == nullptr);
    const auto info = auth_results_arc(r);
    CHECK(authres::format_result(info) == "arc=pass (i=2) header.oldest-pass=0");
}
