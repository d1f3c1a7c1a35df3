// Issue 9 item 5: every DNS fault the fault-injecting server (and NSD) can produce, seen
// through auth::authenticate over the live resolver, maps to the protocol result the RFCs
// give: a failure to get an answer is temperror for SPF (RFC 7208 5, 4.4), DKIM (RFC 6376
// 6.1.2 TEMPFAIL) and DMARC (RFC 7489 6.6.3 "temporary error"); a usable answer is used.
// And the per-message DNS deadline bounds the time of all of a message's questions.
#include <mailverdict/auth/authenticate.hpp>
#include <mailverdict/dns/resolver.hpp>

#include "support/dns_server.hpp"

#include <doctest/doctest.h>

#include <chrono>

using namespace mailverdict;
using namespace std::chrono_literals;
using mailverdict::test::Fault;
using mailverdict::test::FaultServer;
using mailverdict::test::NsdServer;

namespace {

// From example.com, signed by example.com (the signature need not verify: the key lookup
// comes first and decides the result when it fails).
constexpr const char* message_text =
    "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.com; s=sel;\r\n"
    "\th=from:subject; bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=; b=AAAA\r\n"
    "From: Alice <alice@example.com>\r\n"
    "Subject: hello\r\n"
    "\r\n"
    "body\r\n";

const psl::PublicSuffixList& list() {
    static const psl::PublicSuffixList l = [] {
        auto loaded = psl::PublicSuffixList::system();
        REQUIRE_MESSAGE(loaded, loaded.error);
        return *loaded.list;
    }();
    return l;
}

Envelope envelope() {
    Envelope e;
    e.client_ip = boost::asio::ip::make_address("192.0.2.1");
    e.helo = "mail.example.com";
    e.mail_from = "bounce@example.com";
    e.recipients = {"bob@contoso.com"};
    return e;
}

std::shared_ptr<dns::Resolver> live_at(const std::string& address,
                                       std::chrono::milliseconds timeout = 150ms,
                                       unsigned retries = 0) {
    dns::LiveOptions options;
    options.servers = {dns::Server::parse(address)};
    options.timeout = timeout;
    options.retries = retries;
    return dns::live(options);
}

auth::Authentication run(dns::Resolver& resolver, std::chrono::milliseconds deadline = 0ms) {
    const auto message = Message::parse(message_text);
    auth::AuthenticateOptions options;
    options.with_arc = false;
    options.dns_deadline = deadline;
    options.now = std::chrono::sys_seconds{std::chrono::seconds{1772409600}};
    return auth::authenticate(message, envelope(), resolver, list(), options);
}

void check_all_temperror(const auth::Authentication& a) {
    REQUIRE(a.spf.has_value());
    CHECK(a.spf->result == spf::Result::temperror);
    REQUIRE(a.dkim.signatures.size() == 1);
    CHECK(a.dkim.signatures.front().result == dkim::DkimStatus::temperror);
    CHECK(a.dkim.signatures.front().reason == dkim::DkimReason::dns_error);
    CHECK(a.dmarc.result == dmarc::Result::temperror);
}

}  // namespace

TEST_CASE("dns faults: no answer, SERVFAIL, REFUSED, FORMERR -> temperror everywhere") {
    for (const Fault fault : {Fault::timeout, Fault::servfail, Fault::refused, Fault::formerr}) {
        CAPTURE(static_cast<int>(fault));
        FaultServer server({.fault = fault});
        auto dns = live_at(server.address());
        check_all_temperror(run(*dns));
    }
}

TEST_CASE("dns faults: a malformed answer and an answer for another name -> temperror") {
    // RFC 5452 9.1: an answer whose question is not ours is not used; garbage cannot be
    // parsed (RFC 1035 4.1). Neither is an answer, so the lookup failed temporarily.
    for (const Fault fault : {Fault::garbage, Fault::wrong_name}) {
        CAPTURE(static_cast<int>(fault));
        FaultServer server({.fault = fault});
        auto dns = live_at(server.address());
        check_all_temperror(run(*dns));
    }
}

TEST_CASE("dns faults: a truncated UDP answer is read over TCP and used") {
    // The server publishes "v=spf1 -all" for every name: once TCP gives the whole answer
    // SPF is a real fail, not an error (RFC 7766 / RFC 1035 4.2.2).
    FaultServer server({.fault = Fault::truncated});
    auto dns = live_at(server.address());
    const auto a = run(*dns);
    REQUIRE(a.spf.has_value());
    CHECK(a.spf->result == spf::Result::fail);
    CHECK(server.tcp_queries() >= 1);
    // "v=spf1 -all" is no DMARC record: the domain has none.
    CHECK(a.dmarc.result == dmarc::Result::none);
}

TEST_CASE("dns faults: an oversized UDP answer is still an answer") {
    // 16 strings of 'x': a TXT record that is neither SPF nor DMARC nor a key.
    FaultServer server({.fault = Fault::oversized});
    auto dns = live_at(server.address());
    const auto a = run(*dns);
    REQUIRE(a.spf.has_value());
    CHECK(a.spf->result == spf::Result::none);  // RFC 7208 4.5: no SPF record
    REQUIRE(a.dkim.signatures.size() == 1);
    // RFC 6376 3.6.1: a record that does not parse as a key -> PERMFAIL
    CHECK(a.dkim.signatures.front().result == dkim::DkimStatus::permerror);
    CHECK(a.dmarc.result == dmarc::Result::none);
}

TEST_CASE("dns faults: a CNAME loop from the server is temperror") {
    if (!NsdServer::available()) {
        MESSAGE("nsd not installed: skipped");
        return;
    }
    // The SPF record's name loops; the DKIM key and DMARC names do not exist.
    NsdServer nsd(std::vector<mailverdict::test::TestZone>{{"example.com", R"(
$TTL 300
@        SOA ns1 hostmaster 1 3600 600 86400 60
         NS  ns1
ns1      A   192.0.2.53
@        TXT "not spf"
loop1    CNAME loop2
loop2    CNAME loop1
)"}});
    auto dns = live_at(nsd.address(), 1000ms);
    const auto answer = dns->query("loop1.example.com", dns::RecordType::TXT);
    CHECK(answer.status == dns::DnsStatus::servfail);  // NSD's chain, or its own SERVFAIL
    CHECK(dns::is_temporary_failure(answer.status));

    const auto message = Message::parse(message_text);
    auth::AuthenticateOptions options;
    options.with_arc = false;
    Envelope e = envelope();
    e.mail_from = "bounce@loop1.example.com";
    const auto a = auth::authenticate(message, e, *dns, list(), options);
    REQUIRE(a.spf.has_value());
    CHECK(a.spf->result == spf::Result::temperror);
}

TEST_CASE("dns faults: a slow server within the per-message deadline is answered") {
    FaultServer slow({.fault = Fault::slow, .delay = 50ms});
    auto dns = dns::caching(live_at(slow.address(), 1000ms));
    const auto a = run(*dns, 5000ms);
    REQUIRE(a.spf.has_value());
    CHECK(a.spf->result == spf::Result::fail);  // "v=spf1 -all"
}

TEST_CASE("dns faults: a slow server past the per-message deadline -> temperror, bounded") {
    // Each answer takes 400 ms; the message may spend 250 ms on DNS in total. Without the
    // deadline the SPF, DKIM and DMARC questions would take 3 x 400 ms one after the
    // other (or more: each waits up to the 2 s timeout).
    FaultServer slow({.fault = Fault::slow, .delay = 400ms});
    auto dns = dns::caching(live_at(slow.address(), 2000ms));
    const auto start = std::chrono::steady_clock::now();
    const auto a = run(*dns, 250ms);
    const auto took = std::chrono::steady_clock::now() - start;
    check_all_temperror(a);
    CHECK(a.spf->problem.find("deadline") != std::string::npos);
    CHECK(took < 1000ms);  // 250 ms plus scheduling; far below 3 x 400 ms
    // Answers cut by one message's deadline are not cached: a message with time enough
    // gets the real answer.
    const auto b = run(*dns, 5000ms);
    REQUIRE(b.spf.has_value());
    CHECK(b.spf->result == spf::Result::fail);
}
