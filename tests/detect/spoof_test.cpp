// Spoof detector: signals with evidence, never dispositions (brief 3).
#include <mailverdict/detect/spoof.hpp>

#include <doctest/doctest.h>

using namespace mailverdict;
using namespace mailverdict::detect;

namespace {

const psl::PublicSuffixList& list() {
    static const psl::PublicSuffixList l = *psl::PublicSuffixList::system().list;
    return l;
}

struct Facts {
    dmarc::DmarcResult d;
    dmarc::DmarcInput in;
    SpoofInput s;
    Facts() {
        s.from_address = "ceo@contoso.com";
        s.from_domain = "contoso.com";
        s.dmarc = &d;
        s.dmarc_input = &in;
        s.list = &list();
    }
    bool has(SignalKind k) {
        for (const auto& x : detect_spoof(s)) {
            if (x.kind == k) {
                return true;
            }
        }
        return false;
    }
};

}  // namespace

TEST_CASE("intra-org vs cross-domain spoof follows the accepted-domain fact (brief 3.1)") {
    Facts f;
    f.s.compauth_failed = true;
    f.s.from_accepted_domain = true;
    CHECK(f.has(SignalKind::spoof_intra_org));
    CHECK_FALSE(f.has(SignalKind::spoof_cross_domain));
    f.s.from_accepted_domain = false;
    CHECK(f.has(SignalKind::spoof_cross_domain));
    f.s.compauth_failed = false;
    CHECK_FALSE(f.has(SignalKind::spoof_cross_domain));
}

TEST_CASE("sending infrastructure: PTR organizational domain, else the /24 (brief 3.2)") {
    const auto ip = parse_address("198.51.100.77");
    auto s = sending_infrastructure(ip, std::string("smtp.inbound.contoso.com"), list());
    CHECK(s.value == "contoso.com");
    CHECK(s.from_ptr);
    s = sending_infrastructure(ip, std::nullopt, list());
    CHECK(s.value == "198.51.100.0/24");
    CHECK_FALSE(s.from_ptr);
}

TEST_CASE("unauthenticated sender: neither SPF nor DKIM passed and DMARC or compauth failed") {
    Facts f;
    f.in.spf = {"softfail", "contoso.com", false};
    f.s.compauth_failed = true;
    CHECK(f.has(SignalKind::unauthenticated_sender));
    f.in.dkim.push_back({"pass", "mailer.example.org", "s1"});
    CHECK_FALSE(f.has(SignalKind::unauthenticated_sender));
}

TEST_CASE("via tag: DKIM d= of another domain, a subdomain of the From domain matches") {
    Facts f;
    f.in.dkim.push_back({"pass", "mailer.example.org", "s1"});
    const auto sigs = detect_spoof(f.s);
    REQUIRE(sigs.size() == 1);
    CHECK(sigs[0].kind == SignalKind::via_tag);
    CHECK(sigs[0].find("via") == "mailer.example.org");
    f.in.dkim[0].domain = "news.contoso.com";
    CHECK_FALSE(f.has(SignalKind::via_tag));
}

TEST_CASE("spoof pairs: TABL block beats allow, spoof type must match") {
    const auto t = policy::Tenant::parse(R"(
tenant: {name: C}
accepted_domains: [contoso.com]
tenant_allow_block_list:
  spoofed_senders:
    - {spoofed_user: contoso.com, sending_infrastructure: 198.51.100.0/24, spoof_type: Internal, action: Allow}
    - {spoofed_user: contoso.com, sending_infrastructure: 198.51.100.0/24, spoof_type: Internal, action: Block}
spoof_intelligence:
  - {spoofed_user: contoso.com, sending_infrastructure: example.org, spoof_type: Internal, action: Allow}
)");
    const auto ip = parse_address("198.51.100.9");
    const auto infra = sending_infrastructure(ip, std::nullopt, list());
    auto m = match_spoof_pair(t, "ceo@contoso.com", infra, ip, true);
    REQUIRE(m);
    CHECK(m->action == policy::ListAction::block);
    CHECK_FALSE(match_spoof_pair(t, "ceo@contoso.com", infra, ip, false));
    const auto ptr_infra = sending_infrastructure(ip, std::string("mail.example.org"), list());
    m = match_spoof_pair(t, "ceo@contoso.com", ptr_infra, parse_address("192.0.2.1"), true);
    REQUIRE(m);
    CHECK(m->source == "spoof intelligence");
    CHECK(m->action == policy::ListAction::allow);
}
