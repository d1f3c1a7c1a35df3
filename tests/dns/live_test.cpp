// The live stub resolver against NSD (a real authoritative server) and against the
// fault-injecting server.
#include "mailverdict/dns/resolver.hpp"
#include "support/dns_server.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <thread>

using namespace mailverdict::dns;
using mailverdict::test::Fault;
using mailverdict::test::FaultOptions;
using mailverdict::test::FaultServer;
using mailverdict::test::NsdServer;
using namespace std::chrono_literals;

namespace {

const auto data_dir = std::filesystem::path(MV_SOURCE_DIR) / "tests/dns/data";

LiveOptions options_for(const std::string& address) {
    LiveOptions o;
    o.servers = {Server::parse(address)};
    o.timeout = 200ms;
    o.retries = 1;
    return o;
}

// NSD serving tests/dns/data, and a live resolver pointed at it (~50 ms to start).
struct WithNsd {
    NsdServer nsd{mailverdict::test::zones_from_directory(data_dir)};
    std::shared_ptr<Resolver> dns = live(options_for(nsd.address()));
};

}  // namespace

TEST_CASE_FIXTURE(WithNsd, "live: A, AAAA, MX and TXT from NSD") {
    auto a = dns->query("example.com", RecordType::A);
    CHECK(a.status == DnsStatus::ok);
    CHECK(a.ttl == 300);
    REQUIRE(a.addresses.size() == 1);
    CHECK(a.addresses[0].to_string() == "192.0.2.1");

    auto aaaa = dns->query("mail.example.com", RecordType::AAAA);
    REQUIRE(aaaa.addresses.size() == 1);
    CHECK(aaaa.addresses[0].to_string() == "2001:db8::25");

    auto mx = dns->query("Example.COM.", RecordType::MX);
    CHECK(mx.name == "example.com");
    REQUIRE(mx.mx.size() == 2);
    std::sort(mx.mx.begin(), mx.mx.end(),
              [](const auto& x, const auto& y) { return x.preference < y.preference; });
    CHECK(mx.mx[0] == MxRecord{10, "mail.example.com"});
    CHECK(mx.mx[1] == MxRecord{20, "backup.example.net"});

    auto txt = dns->query("example.com", RecordType::TXT);
    REQUIRE(txt.txt.size() == 1);
    CHECK(txt.txt[0].strings ==
          std::vector<std::string>{"v=spf1 ip4:192.0.2.0/24 ", "include:_spf.example.net -all"});

    auto ptr = dns->query("25.2.0.192.in-addr.arpa", RecordType::PTR);
    CHECK(ptr.names == std::vector<std::string>{"mail.example.com"});
}

TEST_CASE_FIXTURE(WithNsd, "live: NXDOMAIN versus NODATA with the SOA negative TTL") {
    auto nodata = dns->query("mail.example.com", RecordType::TXT);
    CHECK(nodata.status == DnsStatus::nodata);
    CHECK(nodata.ttl == 60);
    auto nx = dns->query("nope.example.com", RecordType::A);
    CHECK(nx.status == DnsStatus::nxdomain);
    CHECK(nx.ttl == 60);
    CHECK(dns->query("sub.example.com", RecordType::A).status == DnsStatus::nodata);
    // NSD is not authoritative for example.org: REFUSED, a temporary failure
    auto refused = dns->query("example.org", RecordType::A);
    CHECK(refused.status == DnsStatus::refused);
}

TEST_CASE_FIXTURE(WithNsd, "live: CNAME chains are followed") {
    auto a = dns->query("alias.example.com", RecordType::A);
    CHECK(a.ok());
    CHECK(a.canonical_name == "web.example.com");
    REQUIRE(a.addresses.size() == 1);
    CHECK(a.addresses[0].to_string() == "192.0.2.80");
    auto dangling = dns->query("dangling.example.com", RecordType::A);
    CHECK(dangling.status == DnsStatus::nxdomain);
    CHECK(dangling.canonical_name == "nothing.example.com");
}

TEST_CASE_FIXTURE(WithNsd, "live: a TXT answer over 1232 bytes falls back to TCP (RFC 7766)") {
    auto big = dns->query("big.example.com", RecordType::TXT);
    CHECK(big.ok());
    REQUIRE(big.txt.size() == 1);
    CHECK(big.txt[0].strings.size() == 6);
    CHECK(big.txt[0].joined().size() == 1500);

    auto o = options_for(nsd.address());
    o.tcp_fallback = false;
    auto no_tcp = live(o)->query("big.example.com", RecordType::TXT);
    CHECK(no_tcp.status == DnsStatus::servfail);
    CHECK(no_tcp.detail.find("truncated") != std::string::npos);

    // without EDNS0 the UDP limit is 512 octets (RFC 1035 4.2.1); TCP still gets it
    o.tcp_fallback = true;
    o.edns_buffer = 0;
    CHECK(live(o)->query("big.example.com", RecordType::TXT).ok());
}

TEST_CASE("live: a server that never answers times out after every try") {
    FaultServer dead({.fault = Fault::timeout});
    auto o = options_for(dead.address());
    o.timeout = 100ms;
    o.retries = 1;
    const auto start = std::chrono::steady_clock::now();
    auto answer = live(o)->query("example.com", RecordType::A);
    const auto elapsed = std::chrono::steady_clock::now() - start;
    CHECK(answer.status == DnsStatus::timeout);
    CHECK(is_temporary_failure(answer.status));
    CHECK(answer.detail.find(dead.address()) != std::string::npos);
    CHECK(dead.udp_queries() == 2);
    CHECK(elapsed >= 180ms);
    CHECK(elapsed < 1000ms);
}

TEST_CASE("live: RCODEs map to statuses") {
    for (auto [fault, status] : {std::pair{Fault::servfail, DnsStatus::servfail},
                                 std::pair{Fault::refused, DnsStatus::refused},
                                 std::pair{Fault::formerr, DnsStatus::formerr}}) {
        FaultServer server({.fault = fault});
        auto answer = live(options_for(server.address()))->query("example.com", RecordType::TXT);
        CHECK(answer.status == status);
        CHECK(server.udp_queries() == 1);
    }
}

TEST_CASE("live: truncated UDP answers are asked again over TCP") {
    FaultServer server({.fault = Fault::truncated, .txt = {"v=spf1 ", "-all"}});
    auto answer = live(options_for(server.address()))->query("example.com", RecordType::TXT);
    CHECK(answer.ok());
    REQUIRE(answer.txt.size() == 1);
    CHECK(answer.txt[0].joined() == "v=spf1 -all");
    CHECK(server.udp_queries() == 1);
    CHECK(server.tcp_queries() == 1);
}

TEST_CASE("live: slow servers within and beyond the timeout") {
    FaultServer slow({.fault = Fault::slow, .delay = 60ms});
    auto o = options_for(slow.address());
    o.timeout = 300ms;
    CHECK(live(o)->query("example.com", RecordType::A).ok());

    FaultServer slower({.fault = Fault::slow, .delay = 250ms});
    o = options_for(slower.address());
    o.timeout = 100ms;
    o.retries = 0;
    CHECK(live(o)->query("example.com", RecordType::A).status == DnsStatus::timeout);
}

TEST_CASE("live: an answer for another question is unusable (formerr)") {
    FaultServer server({.fault = Fault::wrong_name});
    auto answer = live(options_for(server.address()))->query("example.com", RecordType::A);
    CHECK(answer.status == DnsStatus::formerr);
    CHECK(answer.detail.find("not for the question") != std::string::npos);
}

TEST_CASE("live: garbage is formerr, an oversized UDP answer is still read") {
    FaultServer garbage({.fault = Fault::garbage});
    auto g = live(options_for(garbage.address()))->query("example.com", RecordType::TXT);
    CHECK(g.status == DnsStatus::formerr);
    CHECK_FALSE(g.detail.empty());

    FaultServer big({.fault = Fault::oversized});
    auto b = live(options_for(big.address()))->query("example.com", RecordType::TXT);
    CHECK(b.ok());
    REQUIRE(b.txt.size() == 1);
    CHECK(b.txt[0].joined().size() == 4000);
}

TEST_CASE("live: the next server answers when the first fails") {
    FaultServer dead({.fault = Fault::timeout});
    FaultServer failing({.fault = Fault::servfail});
    FaultServer good({.a = "192.0.2.42"});
    LiveOptions o;
    o.servers = {Server::parse(dead.address()), Server::parse(failing.address()),
                 Server::parse(good.address())};
    o.timeout = 100ms;
    o.retries = 0;
    auto dns = live(o);
    auto a = dns->query("example.com", RecordType::A);
    CHECK(a.ok());
    CHECK(a.addresses.at(0).to_string() == "192.0.2.42");
    CHECK(dead.udp_queries() == 1);
    CHECK(failing.udp_queries() == 1);

    // when every server fails, a server's own failure beats silence
    o.servers.pop_back();
    CHECK(live(o)->query("example.com", RecordType::A).status == DnsStatus::servfail);
}

TEST_CASE("live: without EDNS0 and without recursion desired") {
    FaultServer server;
    auto o = options_for(server.address());
    o.edns_buffer = 0;
    o.recursion_desired = false;
    CHECK(live(o)->query("example.com", RecordType::A).ok());
    CHECK(live(o)->query("a..b", RecordType::A).status == DnsStatus::formerr);
    o.timeout = 0ms;
    CHECK_THROWS_AS(live(o), DnsConfigError);
}

TEST_CASE_FIXTURE(WithNsd, "live: one resolver shared by many threads") {
    std::vector<std::thread> threads;
    std::atomic<int> ok{0};
    for (int t = 0; t < 6; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < 20; ++i) {
                const auto a =
                    dns->query((i + t) % 2 ? "mail.example.com" : "web.example.com", RecordType::A);
                if (a.ok() && a.addresses.size() == 1)
                    ++ok;
            }
        });
    }
    for (auto& th : threads)
        th.join();
    CHECK(ok == 120);
}

TEST_CASE("live: query_many has every question in flight at once") {
    // A server that never answers: five questions asked one after the other would take
    // 5 x 300 ms; in flight together they all time out after one 300 ms try.
    FaultServer dead({.fault = Fault::timeout});
    LiveOptions o = options_for(dead.address());
    o.timeout = 300ms;
    o.retries = 0;
    auto dns = live(o);
    std::vector<Question> questions;
    for (int i = 0; i < 5; ++i) {
        questions.push_back({"q" + std::to_string(i) + ".example.com", RecordType::TXT});
    }
    const auto start = std::chrono::steady_clock::now();
    const auto answers = dns->query_many(questions, Deadline::max());
    const auto elapsed = std::chrono::steady_clock::now() - start;
    REQUIRE(answers.size() == 5);
    for (const auto& a : answers) {
        CHECK(a.status == DnsStatus::timeout);
    }
    CHECK(answers[3].name == "q3.example.com");
    CHECK(dead.udp_queries() == 5);
    CHECK(elapsed >= 280ms);
    CHECK(elapsed < 1200ms);
}

TEST_CASE_FIXTURE(WithNsd, "live: query_many answers each question in order, invalid ones too") {
    const std::vector<Question> questions = {{"example.com", RecordType::MX},
                                             {"a..b", RecordType::A},
                                             {"nothing.example.com", RecordType::A},
                                             {"mail.example.com", RecordType::AAAA}};
    const auto answers = dns->query_many(questions, Deadline::max());
    REQUIRE(answers.size() == 4);
    CHECK(answers[0].status == DnsStatus::ok);
    CHECK(answers[0].mx.size() == 2);
    CHECK(answers[1].status == DnsStatus::formerr);  // not sent
    CHECK(answers[2].status == DnsStatus::nxdomain);
    CHECK(answers[3].ok());
    CHECK(answers[3].addresses.at(0).to_string() == "2001:db8::25");
}

TEST_CASE("live: a deadline shortens the wait and a passed one sends nothing") {
    FaultServer dead({.fault = Fault::timeout});
    LiveOptions o = options_for(dead.address());
    o.timeout = 2000ms;
    o.retries = 2;
    auto dns = live(o);
    const auto start = std::chrono::steady_clock::now();
    const auto a = dns->query_within("example.com", RecordType::A, start + 150ms);
    const auto elapsed = std::chrono::steady_clock::now() - start;
    CHECK(a.status == DnsStatus::timeout);
    CHECK(a.detail.find("deadline") != std::string::npos);
    CHECK(elapsed >= 140ms);
    CHECK(elapsed < 1000ms);  // not 3 x 2000 ms
    const auto sent = dead.udp_queries();
    const auto late =
        dns->query_within("example.com", RecordType::A, std::chrono::steady_clock::now());
    CHECK(late.status == DnsStatus::timeout);
    CHECK(late.detail.find("not sent") != std::string::npos);
    CHECK(dead.udp_queries() == sent);
}

TEST_CASE("MessageDeadline: one budget of time for every question of a message") {
    FaultServer slow({.fault = Fault::slow, .delay = 300ms});
    LiveOptions o = options_for(slow.address());
    o.timeout = 1000ms;
    o.retries = 0;
    auto dns = live(o);
    MessageDeadline message(*dns, 200ms);
    const auto first = message.query("a.example.com", RecordType::A);
    CHECK(first.status == DnsStatus::timeout);
    CHECK(first.detail.find("per-message DNS deadline of 200 ms") != std::string::npos);
    const auto queries = slow.udp_queries();
    const auto second = message.query("b.example.com", RecordType::A);
    CHECK(second.status == DnsStatus::timeout);
    CHECK(second.detail.find("not sent") != std::string::npos);
    CHECK(slow.udp_queries() == queries);
    CHECK(message.cut() == 2);
    // Zero: no deadline at all.
    MessageDeadline unbounded(*dns, 0ms);
    CHECK_FALSE(unbounded.has_deadline());
    CHECK(unbounded.query("c.example.com", RecordType::A).ok());
    CHECK(unbounded.cut() == 0);
}

TEST_CASE("live: an answer over max_answer_bytes is formerr and not parsed") {
    FaultServer big({.fault = Fault::oversized});  // ~4 KB over UDP
    LiveOptions o = options_for(big.address());
    o.max_answer_bytes = 1024;
    const auto a = live(o)->query("example.com", RecordType::TXT);
    CHECK(a.status == DnsStatus::formerr);
    CHECK(is_temporary_failure(a.status));
    CHECK(a.detail.find("over the limit of 1024") != std::string::npos);
    CHECK(a.txt.empty());
    // The default limit (16 KiB) reads it.
    CHECK(live(options_for(big.address()))->query("example.com", RecordType::TXT).ok());
}
