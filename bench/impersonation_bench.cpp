// Impersonation detection against a full policy (brief 4.2 limits): 350 protected users and
// 50 protected domains, one message per iteration. Target: under 50 us on one core, with
// everything that depends only on the policy precomputed by ImpersonationProfile::build.
//
//   cmake -S . -B build-bench -DMAILVERDICT_BENCH=ON -DCMAKE_BUILD_TYPE=Release
//   cmake --build build-bench --target bench_impersonation -j2
//   build-bench/bench/bench_impersonation
#include <mailverdict/detect/impersonation.hpp>

#include <benchmark/benchmark.h>

#include <array>
#include <memory>
#include <string>

using namespace mailverdict;
using namespace mailverdict::detect;

namespace {

// Deterministic, varied names: first x last combinations (350 distinct).
constexpr std::array<const char*, 25> first_names = {
    "James",  "Mary",    "Robert",    "Patricia", "John",    "Jennifer", "Michael",
    "Linda",  "David",   "Elizabeth", "William",  "Barbara", "Richard",  "Susan",
    "Joseph", "Jessica", "Thomas",    "Sarah",    "Charles", "Karen",    "Christopher",
    "Nancy",  "Daniel",  "Lisa",      "Matthew"};
constexpr std::array<const char*, 14> last_names = {
    "Smith", "Johnson",   "Williams", "Brown",     "Jones", "Garcia",   "Miller",
    "Davis", "Rodriguez", "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson"};

struct Fixture {
    std::shared_ptr<const LookalikeModel> model;
    ImpersonationProfile profile;
    ContactGraph graph;
};

Fixture& fixture() {
    static Fixture f = [] {
        auto model = std::make_shared<const LookalikeModel>(*psl::PublicSuffixList::system().list);
        policy::AntiPhishSettings s;
        s.phish_threshold_level = 4;  // the most work: the widest distances
        s.enable_targeted_user_protection = true;
        for (const char* last : last_names) {
            for (const char* first : first_names) {
                const std::string name = std::string(first) + " " + last;
                std::string address = std::string(first) + "." + last + "@contoso.com";
                for (char& c : address) {
                    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
                }
                s.targeted_users_to_protect.push_back({name, address});
            }
        }
        s.enable_organization_domains_protection = true;
        s.enable_targeted_domains_protection = true;
        for (int i = 0; i < 50; ++i) {
            s.targeted_domains_to_protect.push_back("partner" + std::to_string(i) + "-example.com");
        }
        std::vector<policy::AcceptedDomain> accepted = {{"contoso.com", {}}};
        auto profile = ImpersonationProfile::build(s, accepted, model, "bench");
        ContactGraph graph;
        for (int i = 0; i < 40; ++i) {
            graph.record("alice@contoso.com", "contact" + std::to_string(i) + "@vendor.example",
                         std::string(first_names[static_cast<std::size_t>(i) % 25]) + " Vendor",
                         ContactDirection::sent, std::nullopt);
        }
        graph.index(*model);
        return Fixture{model, std::move(profile), std::move(graph)};
    }();
    return f;
}

Mailbox sender(const char* text) {
    return parse_address_list(text).front();
}

// A legitimate sender resembling nobody: every comparison runs to the end.
void BM_CleanSender(benchmark::State& state) {
    auto& f = fixture();
    const Mailbox from = sender("Olivia Newsletter <news@mailer.example.org>");
    for (auto _ : state) {
        auto findings = detect_impersonation(f.profile, from, "bounce.mailer.example.org",
                                             "alice@contoso.com", nullptr);
        benchmark::DoNotOptimize(findings);
    }
}
BENCHMARK(BM_CleanSender);

// A homoglyph display name and a lookalike domain: findings with evidence are built.
void BM_LookalikeSender(benchmark::State& state) {
    auto& f = fixture();
    const Mailbox from = sender("=?UTF-8?B?0IhvaG4gU21pdGg=?= <ceo@c0ntoso.com>");
    for (auto _ : state) {
        auto findings =
            detect_impersonation(f.profile, from, "c0ntoso.com", "alice@contoso.com", nullptr);
        benchmark::DoNotOptimize(findings);
    }
}
BENCHMARK(BM_LookalikeSender);

// With mailbox intelligence: 40 indexed frequent contacts for the recipient.
void BM_WithContactGraph(benchmark::State& state) {
    auto& f = fixture();
    const Mailbox from = sender("Olivia Newsletter <news@mailer.example.org>");
    for (auto _ : state) {
        auto findings = detect_impersonation(f.profile, from, "bounce.mailer.example.org",
                                             "alice@contoso.com", &f.graph);
        benchmark::DoNotOptimize(findings);
    }
}
BENCHMARK(BM_WithContactGraph);

// The per-recipient part alone, the sender prepared once per message.
void BM_PreparedSender(benchmark::State& state) {
    auto& f = fixture();
    const SenderForms prepared =
        prepare_sender(*f.model, sender("Olivia Newsletter <news@mailer.example.org>"),
                       "bounce.mailer.example.org");
    for (auto _ : state) {
        auto findings = detect_impersonation(f.profile, prepared, "alice@contoso.com", nullptr);
        benchmark::DoNotOptimize(findings);
    }
}
BENCHMARK(BM_PreparedSender);

}  // namespace

BENCHMARK_MAIN();
