// RFC 7208 appendices A-D as tests. The Appendix A zone is tests/auth/data/spf/
// rfc7208-appendix-a.zone; each example adds its TXT records. Expected results are
// the RFC's sentences ("hosts 192.0.2.10 and 192.0.2.11 pass") made precise.
#include <mailverdict/auth/spf.hpp>
#include <mailverdict/dns/resolver.hpp>

#include <doctest/doctest.h>

#include <fstream>
#include <sstream>
#include <string>

using namespace mailverdict;
using namespace mailverdict::spf;
using boost::asio::ip::make_address;

namespace {

std::string appendix_a_zone() {
    std::ifstream in(std::string(MV_SOURCE_DIR) + "/tests/auth/data/spf/rfc7208-appendix-a.zone");
    REQUIRE(in);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

// The Appendix A data plus `extra` records (absolute names).
std::shared_ptr<dns::Resolver> with_records(const std::string& extra) {
    return dns::zone_text(appendix_a_zone() + "\n$ORIGIN .\n" + extra, ".");
}

// example.com publishing `record`; <domain> is example.com (RFC 7208 A.1).
Result check(dns::Resolver& resolver, std::string_view ip,
             std::string_view sender = "user@example.com") {
    return check_mail_from(resolver, make_address(std::string(ip)), sender, "h.example.net").result;
}

std::shared_ptr<dns::Resolver> example_com(std::string_view record) {
    return with_records("example.com. TXT \"" + std::string(record) + "\"\n");
}

}  // namespace

TEST_CASE("RFC 7208 A.1: v=spf1 +all -- any <ip> passes") {
    auto dns = example_com("v=spf1 +all");
    for (const char* ip : {"192.0.2.10", "198.51.100.1", "10.0.0.4", "2001:db8::1"}) {
        CHECK(check(*dns, ip) == Result::pass);
    }
}

TEST_CASE("RFC 7208 A.1: v=spf1 a -all -- hosts 192.0.2.10 and 192.0.2.11 pass") {
    auto dns = example_com("v=spf1 a -all");
    CHECK(check(*dns, "192.0.2.10") == Result::pass);
    CHECK(check(*dns, "192.0.2.11") == Result::pass);
    CHECK(check(*dns, "192.0.2.12") == Result::fail);
    CHECK(check(*dns, "192.0.2.65") == Result::fail);
}

TEST_CASE("RFC 7208 A.1: v=spf1 a:example.org -all -- no sending hosts pass") {
    auto dns = example_com("v=spf1 a:example.org -all");
    for (const char* ip : {"192.0.2.10", "192.0.2.140", "192.0.2.129"}) {
        CHECK(check(*dns, ip) == Result::fail);
    }
}

TEST_CASE("RFC 7208 A.1: v=spf1 mx -all -- 192.0.2.129 and 192.0.2.130 pass") {
    auto dns = example_com("v=spf1 mx -all");
    CHECK(check(*dns, "192.0.2.129") == Result::pass);
    CHECK(check(*dns, "192.0.2.130") == Result::pass);
    CHECK(check(*dns, "192.0.2.10") == Result::fail);
    CHECK(check(*dns, "192.0.2.140") == Result::fail);
}

TEST_CASE("RFC 7208 A.1: v=spf1 mx:example.org -all -- 192.0.2.140 passes") {
    auto dns = example_com("v=spf1 mx:example.org -all");
    CHECK(check(*dns, "192.0.2.140") == Result::pass);
    CHECK(check(*dns, "192.0.2.129") == Result::fail);
}

TEST_CASE("RFC 7208 A.1: v=spf1 mx mx:example.org -all -- .129, .130 and .140 pass") {
    auto dns = example_com("v=spf1 mx mx:example.org -all");
    CHECK(check(*dns, "192.0.2.129") == Result::pass);
    CHECK(check(*dns, "192.0.2.130") == Result::pass);
    CHECK(check(*dns, "192.0.2.140") == Result::pass);
    CHECK(check(*dns, "192.0.2.131") == Result::fail);
}

TEST_CASE(
    "RFC 7208 A.1: v=spf1 mx/30 mx:example.org/30 -all -- 192.0.2.128/30 and 192.0.2.140/30") {
    auto dns = example_com("v=spf1 mx/30 mx:example.org/30 -all");
    for (const char* ip : {"192.0.2.128", "192.0.2.131", "192.0.2.140", "192.0.2.143"}) {
        CAPTURE(ip);
        CHECK(check(*dns, ip) == Result::pass);
    }
    for (const char* ip : {"192.0.2.127", "192.0.2.132", "192.0.2.139", "192.0.2.144"}) {
        CAPTURE(ip);
        CHECK(check(*dns, ip) == Result::fail);
    }
}

TEST_CASE("RFC 7208 A.1: v=spf1 ptr -all") {
    auto dns = example_com("v=spf1 ptr -all");
    // reverse DNS is valid and is in example.com
    CHECK(check(*dns, "192.0.2.65") == Result::pass);
    // reverse DNS is valid, but not in example.com
    CHECK(check(*dns, "192.0.2.140") == Result::fail);
    // reverse IP is not valid (bob.example.com is 192.0.2.66, not 10.0.0.4)
    CHECK(check(*dns, "10.0.0.4") == Result::fail);
}

TEST_CASE("RFC 7208 A.1: v=spf1 ip4:192.0.2.128/28 -all") {
    auto dns = example_com("v=spf1 ip4:192.0.2.128/28 -all");
    CHECK(check(*dns, "192.0.2.65") == Result::fail);
    CHECK(check(*dns, "192.0.2.129") == Result::pass);
}

TEST_CASE("RFC 7208 A.2: multiple domains, include and redirect") {
    // example.net's record is not in the RFC; here it designates 198.51.100.0/24.
    auto dns = with_records(
        "example.com. TXT \"v=spf1 mx -all\"\n"
        "example.net. TXT \"v=spf1 ip4:198.51.100.0/24 -all\"\n"
        "example.org. TXT \"v=spf1 include:example.com include:example.net -all\"\n"
        "la.example.org. TXT \"v=spf1 redirect=example.org\"\n"
        "ny.example.org. TXT \"v=spf1 redirect=example.org\"\n"
        "sf.example.org. TXT \"v=spf1 redirect=example.org\"\n");
    // example.org's servers are the union of example.com's and example.net's.
    for (const char* domain :
         {"example.org", "la.example.org", "ny.example.org", "sf.example.org"}) {
        CAPTURE(domain);
        const std::string sender = std::string("user@") + domain;
        CHECK(check(*dns, "192.0.2.129", sender) == Result::pass);
        CHECK(check(*dns, "198.51.100.7", sender) == Result::pass);
        CHECK(check(*dns, "192.0.2.65", sender) == Result::fail);
    }
    const SpfResult via_redirect =
        check_mail_from(*dns, make_address("198.51.100.7"), "user@la.example.org", "h");
    CHECK(via_redirect.mechanism == "include:example.net");
    CHECK(via_redirect.lookups == 4);  // redirect, two includes, and the mx in example.com
    // Without example.net's record, the second include is a permerror (RFC 7208 5.2),
    // reached only when example.com's servers did not match.
    auto partial = with_records(
        "example.com. TXT \"v=spf1 mx -all\"\n"
        "example.org. TXT \"v=spf1 include:example.com include:example.net -all\"\n");
    CHECK(check(*partial, "192.0.2.129", "user@example.org") == Result::pass);
    CHECK(check(*partial, "192.0.2.65", "user@example.org") == Result::permerror);
}

TEST_CASE("RFC 7208 A.3: DNSBL-style example") {
    auto dns = with_records(
        "example.com. TXT \"v=spf1 mx include:mobile-users._spf.%{d} "
        "include:remote-users._spf.%{d} -all\"\n"
        "mobile-users._spf.example.com. TXT \"v=spf1 exists:%{l1r+}.%{d}\"\n"
        "remote-users._spf.example.com. TXT \"v=spf1 exists:%{ir}.%{l1r+}.%{d}\"\n"
        "mary.mobile-users._spf.example.com. A 127.0.0.2\n"
        "fred.mobile-users._spf.example.com. A 127.0.0.2\n"
        "15.15.168.192.joel.remote-users._spf.example.com. A 127.0.0.2\n"
        "16.15.168.192.joel.remote-users._spf.example.com. A 127.0.0.2\n");
    // Mobile users mail from arbitrary servers.
    CHECK(check(*dns, "198.51.100.99", "mary@example.com") == Result::pass);
    CHECK(check(*dns, "203.0.113.5", "fred@example.com") == Result::pass);
    // %{l1r+}: "fred+news" split on "+" and reversed is news, fred: the last part is fred.
    CHECK(check(*dns, "203.0.113.5", "fred+news@example.com") == Result::pass);
    // Remote users only from their own servers.
    CHECK(check(*dns, "192.168.15.15", "joel@example.com") == Result::pass);
    CHECK(check(*dns, "192.168.15.16", "joel@example.com") == Result::pass);
    CHECK(check(*dns, "192.168.15.17", "joel@example.com") == Result::fail);
    CHECK(check(*dns, "198.51.100.99", "joel@example.com") == Result::fail);
    // Others only from the MX hosts.
    CHECK(check(*dns, "198.51.100.99", "bob@example.com") == Result::fail);
    CHECK(check(*dns, "192.0.2.129", "bob@example.com") == Result::pass);
}

TEST_CASE("RFC 7208 A.4: multiple requirements, De Morgan with -include") {
    auto dns = with_records(
        "example.com. TXT \"v=spf1 -include:ip4._spf.%{d} -include:ptr._spf.%{d} +all\"\n"
        "ip4._spf.example.com. TXT \"v=spf1 -ip4:192.0.2.0/24 +all\"\n"
        "ptr._spf.example.com. TXT \"v=spf1 -ptr +all\"\n");
    // Outside 192.0.2.0/24: ip4._spf gives pass, so -include matches: fail.
    const SpfResult outside =
        check_mail_from(*dns, make_address("10.0.0.4"), "user@example.com", "h");
    CHECK(outside.result == Result::fail);
    CHECK(outside.mechanism == "-include:ip4._spf.%{d}");
    // Inside: ip4._spf gives fail (no match); then, as printed, "ptr" in
    // ptr._spf.example.com defaults to <domain> = ptr._spf.example.com (RFC 7208 5.5),
    // which no reverse name is under: ptr._spf gives pass and -include matches.
    const SpfResult inside =
        check_mail_from(*dns, make_address("192.0.2.65"), "user@example.com", "h");
    CHECK(inside.result == Result::fail);
    CHECK(inside.mechanism == "-include:ptr._spf.%{d}");
    // With the ptr pointed at example.com, the intended policy appears: hosts inside
    // the network with reverse names in example.com pass.
    auto intended = with_records(
        "example.com. TXT \"v=spf1 -include:ip4._spf.%{d} -include:ptr._spf.%{d} +all\"\n"
        "ip4._spf.example.com. TXT \"v=spf1 -ip4:192.0.2.0/24 +all\"\n"
        "ptr._spf.example.com. TXT \"v=spf1 -ptr:example.com +all\"\n");
    CHECK(check(*intended, "192.0.2.65") == Result::pass);   // amy.example.com
    CHECK(check(*intended, "192.0.2.140") == Result::fail);  // mail-c.example.org
    CHECK(check(*intended, "10.0.0.4") == Result::fail);     // outside the network
}

TEST_CASE("RFC 7208 B: changes from RFC 4408") {
    // SPF (type 99) records are not used; TXT only.
    auto spf99 = with_records("example.com. SPF \"v=spf1 +all\"\n");
    CHECK(check(*spf99, "192.0.2.10") == Result::none);
    // Void lookups limited (default two).
    auto voids = with_records(
        "example.com. TXT \"v=spf1 a:nx1.example.com a:nx2.example.com a:nx3.example.com +all\"\n");
    CHECK(check(*voids, "192.0.2.10") == Result::permerror);
    // An mx with more than 10 names is a permerror.
    std::string mx = "many.example.com. TXT \"v=spf1 mx -all\"\n";
    for (int i = 1; i <= 11; ++i) {
        mx += "many.example.com. MX " + std::to_string(i) + " mail-a.example.com.\n";
        mx += "many.example.com. MX " + std::to_string(i) + " h" + std::to_string(i) +
              ".example.com.\n";
    }
    auto many = with_records(mx);
    CHECK(check(*many, "192.0.2.129", "user@many.example.com") == Result::permerror);
    // A ptr with more than 10 names uses the first 10 and ignores the rest.
    std::string ptr = "example.com. TXT \"v=spf1 ptr -all\"\n";
    for (int i = 1; i <= 10; ++i) {
        ptr += "9.113.0.203.in-addr.arpa. PTR decoy" + std::to_string(i) + ".example.net.\n";
    }
    auto ptrs = with_records(ptr +
                             "9.113.0.203.in-addr.arpa. PTR real.example.com.\n"
                             "real.example.com. A 203.0.113.9\n");
    CHECK(check(*ptrs, "203.0.113.9") == Result::fail);
    SpfOptions options;
    options.limits.ptr_names = 11;
    CHECK(check_mail_from(*ptrs, make_address("203.0.113.9"), "user@example.com", "h", options)
              .result == Result::pass);
}

TEST_CASE("RFC 7208 D: a mediator (mailing list) and MAIL FROM rewriting") {
    // A list at example.org (relay mail-c.example.org, 192.0.2.140) resends mail of
    // example.com users. Keeping the author's MAIL FROM fails example.com's policy;
    // using the list's own bounce address passes example.org's.
    auto dns = with_records(
        "example.com. TXT \"v=spf1 mx -all\"\n"
        "example.org. TXT \"v=spf1 mx -all\"\n");
    CHECK(check(*dns, "192.0.2.129", "amy@example.com") == Result::pass);  // first hop
    CHECK(check(*dns, "192.0.2.140", "amy@example.com") == Result::fail);  // resent as is
    CHECK(check(*dns, "192.0.2.140", "list-bounces@example.org") == Result::pass);
}
