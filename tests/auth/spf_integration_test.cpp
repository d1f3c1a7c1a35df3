// check_host() over the live ldns resolver: NSD on loopback serving real zones, and the
// fault-injecting server for timeouts and SERVFAIL (RFC 7208 5: temperror).
#include <mailverdict/auth/spf.hpp>
#include <mailverdict/dns/resolver.hpp>

#include "support/dns_server.hpp"

#include <doctest/doctest.h>

#include <chrono>

using namespace mailverdict;
using namespace mailverdict::spf;
using boost::asio::ip::make_address;
using mailverdict::test::Fault;
using mailverdict::test::FaultOptions;
using mailverdict::test::FaultServer;
using mailverdict::test::NsdServer;

namespace {

std::shared_ptr<dns::Resolver> live_at(const std::string& address, unsigned retries = 1) {
    dns::LiveOptions options;
    options.servers = {dns::Server::parse(address)};
    options.timeout = std::chrono::milliseconds{150};
    options.retries = retries;
    return dns::live(options);
}

}  // namespace

TEST_CASE("spf integration: NSD on loopback") {
    if (!NsdServer::available()) {
        MESSAGE("nsd not installed: skipped");
        return;
    }
    NsdServer nsd({{"example.com", R"(
$TTL 300
@        SOA ns1 hostmaster 1 3600 600 86400 60
         NS  ns1
ns1      A   192.0.2.53
@        MX  10 mail-a
@        MX  20 mail-b
mail-a   A   192.0.2.129
mail-b   A   192.0.2.130
mail-b   AAAA 2001:db8::130
@        TXT "v=spf1 mx include:_spf.example.net exp=why.%{d} -all"
why      TXT "%{i} may not send for %{d}"
two      TXT "v=spf1 +all"
two      TXT "v=spf1 -all"
split    TXT "v=spf1 ip4:198.51.100.0/24" " ip6:2001:db8:5::/48 -all"
)"},
                   {"example.net", R"(
$TTL 300
@        SOA ns1.example.com. hostmaster.example.com. 1 3600 600 86400 60
         NS  ns1.example.com.
_spf     TXT "v=spf1 ip4:203.0.113.0/24 ~all"
)"}});
    auto dns = live_at(nsd.address());
    const auto from = [&](const char* ip, const char* sender) {
        return check_mail_from(*dns, make_address(ip), sender, "h.example.com");
    };
    const SpfResult mx = from("192.0.2.130", "user@example.com");
    CHECK(mx.result == Result::pass);
    CHECK(mx.mechanism == "mx");
    CHECK(from("2001:db8::130", "user@example.com").result == Result::pass);
    const SpfResult inc = from("203.0.113.77", "user@example.com");
    CHECK(inc.result == Result::pass);
    CHECK(inc.mechanism == "include:_spf.example.net");
    CHECK(inc.lookups == 2);
    const SpfResult fail = from("198.51.100.1", "user@example.com");
    CHECK(fail.result == Result::fail);
    CHECK(fail.explanation == "198.51.100.1 may not send for example.com");
    CHECK(from("198.51.100.1", "user@two.example.com").result == Result::permerror);
    CHECK(from("198.51.100.1", "user@split.example.com").result == Result::pass);
    CHECK(from("2001:db8:5::1", "user@split.example.com").result == Result::pass);
    CHECK(from("198.51.100.1", "user@nothere.example.com").result == Result::none);
}

TEST_CASE("spf integration: a DNS timeout is a temperror (RFC 7208 4.4, 5)") {
    FaultServer dead({.fault = Fault::timeout});
    auto dns = live_at(dead.address(), 0);
    const SpfResult r = check_mail_from(*dns, make_address("192.0.2.1"), "user@example.com", "h");
    CHECK(r.result == Result::temperror);
    CHECK(r.reason == "dns_temporary_failure");
    CHECK(r.problem.find("timeout") != std::string::npos);
    CHECK(dead.udp_queries() >= 1);
}

TEST_CASE("spf integration: SERVFAIL and REFUSED are temperrors") {
    for (Fault fault : {Fault::servfail, Fault::refused}) {
        FaultServer server({.fault = fault});
        auto dns = live_at(server.address());
        const SpfResult r =
            check_mail_from(*dns, make_address("192.0.2.1"), "user@example.com", "h");
        CHECK(r.result == Result::temperror);
        CHECK(r.reason == "dns_temporary_failure");
    }
}

TEST_CASE("spf integration: split TXT strings over the wire, and a slow server") {
    // The fault server answers every TXT question with the strings "v=spf1 a " and
    // "-all" (joined: "v=spf1 a -all") and every A question with 192.0.2.1.
    FaultServer ok({.a = "192.0.2.1", .txt = {"v=spf1 a ", "-all"}});
    auto dns = live_at(ok.address());
    CHECK(check_mail_from(*dns, make_address("192.0.2.1"), "user@example.com", "h").result ==
          Result::pass);
    CHECK(check_mail_from(*dns, make_address("192.0.2.2"), "user@example.com", "h").result ==
          Result::fail);
    // A slow server past the timeout: temperror, not fail.
    FaultServer slow({.fault = Fault::slow, .delay = std::chrono::milliseconds{400}});
    auto slow_dns = live_at(slow.address(), 0);
    CHECK(check_mail_from(*slow_dns, make_address("192.0.2.1"), "user@example.com", "h").result ==
          Result::temperror);
}
