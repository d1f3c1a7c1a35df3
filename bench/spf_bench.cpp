// SPF check_host() throughput with a warm cache (dns::caching over a zone), and the
// record parser alone. Build with -DCMAKE_BUILD_TYPE=Release -DMAILVERDICT_BENCH=ON
// (see docs/spf.md), then run ./build-spfbench/bench/bench_spf.
#include <mailverdict/auth/spf.hpp>
#include <mailverdict/dns/resolver.hpp>

#include <benchmark/benchmark.h>

using namespace mailverdict;

namespace {

// Realistic shapes: a, mx, an include chain three records deep, ip4/ip6, ~all/-all.
constexpr const char* zone = R"(
$TTL 3600
example.com.            SOA ns.example.com. hostmaster.example.com. 1 3600 600 86400 60
example.com.            TXT "v=spf1 a mx include:_spf.example.com ~all"
example.com.            A   192.0.2.10
example.com.            MX  10 mx1.example.com.
example.com.            MX  20 mx2.example.com.
mx1.example.com.        A   192.0.2.20
mx2.example.com.        A   192.0.2.21
mx1.example.com.        AAAA 2001:db8::20
_spf.example.com.       TXT "v=spf1 ip4:198.51.100.0/24 ip6:2001:db8:10::/48 include:_netblocks.example.net -all"
example.net.            SOA ns.example.net. hostmaster.example.net. 1 3600 600 86400 60
_netblocks.example.net. TXT "v=spf1 ip4:203.0.113.0/25 ip4:203.0.113.128/26 ip6:2001:db8:20::/48 ~all"
simple.example.com.     TXT "v=spf1 ip4:192.0.2.0/24 ip4:198.51.100.0/24 -all"
)";

struct Fixture {
    std::shared_ptr<dns::Resolver> resolver = dns::caching(dns::zone_text(zone, "."));
};

Fixture& fixture() {
    static Fixture f;  // benchmark-program state, not library state
    return f;
}

void run(benchmark::State& state, const char* ip_text, const char* mail_from, bool trace,
         spf::Result expected) {
    auto& resolver = *fixture().resolver;
    const auto ip = boost::asio::ip::make_address(ip_text);
    spf::SpfOptions options;
    options.trace = trace;
    options.receiver = "mx.receiver.example";
    if (spf::check_mail_from(resolver, ip, mail_from, "h.example.com", options).result !=
        expected) {
        state.SkipWithError("unexpected SPF result");
        return;
    }
    for (auto _ : state) {
        auto result = spf::check_mail_from(resolver, ip, mail_from, "h.example.com", options);
        benchmark::DoNotOptimize(result);
    }
    state.SetItemsProcessed(state.iterations());
}

// Pass found three records deep (a, mx, include, include, ip4 x2): 5 DNS terms.
void BM_CheckHost_IncludeChainPass(benchmark::State& state) {
    run(state, "203.0.113.130", "user@example.com", state.range(0) != 0, spf::Result::pass);
}
// Nothing matches: every term of the three records, then ~all: softfail.
void BM_CheckHost_SoftfailAllTerms(benchmark::State& state) {
    run(state, "192.0.2.99", "user@example.com", state.range(0) != 0, spf::Result::softfail);
}
// Match on the mx hosts (first record).
void BM_CheckHost_MxPass(benchmark::State& state) {
    run(state, "192.0.2.21", "user@example.com", state.range(0) != 0, spf::Result::pass);
}
// IPv6 client through the chain.
void BM_CheckHost_Ipv6Pass(benchmark::State& state) {
    run(state, "2001:db8:20::5", "user@example.com", state.range(0) != 0, spf::Result::pass);
}
// ip4-only record, fail with the default explanation.
void BM_CheckHost_SimpleFail(benchmark::State& state) {
    run(state, "203.0.113.1", "user@simple.example.com", state.range(0) != 0, spf::Result::fail);
}

void BM_ParseRecord(benchmark::State& state) {
    const std::string record =
        "v=spf1 a mx include:_spf.example.com ip4:198.51.100.0/24 ip6:2001:db8:10::/48 "
        "exists:%{ir}.%{l1r+-}._spf.%{d} redirect=_spf.example.net";
    for (auto _ : state) {
        auto parsed = spf::SpfRecord::parse(record);
        benchmark::DoNotOptimize(parsed);
    }
    state.SetItemsProcessed(state.iterations());
}

}  // namespace

BENCHMARK(BM_CheckHost_IncludeChainPass)->Arg(1)->Arg(0)->ArgName("trace");
BENCHMARK(BM_CheckHost_SoftfailAllTerms)->Arg(1)->Arg(0)->ArgName("trace");
BENCHMARK(BM_CheckHost_MxPass)->Arg(1)->Arg(0)->ArgName("trace");
BENCHMARK(BM_CheckHost_Ipv6Pass)->Arg(1)->Arg(0)->ArgName("trace");
BENCHMARK(BM_CheckHost_SimpleFail)->Arg(1)->Arg(0)->ArgName("trace");
BENCHMARK(BM_ParseRecord);

BENCHMARK_MAIN();
