// The caching decorator: TTLs, negative caching, bounds, concurrency.
#include "mailverdict/dns/resolver.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <mutex>
#include <thread>

using namespace mailverdict::dns;
using namespace std::chrono_literals;

namespace {

// Answers from a scripted status/ttl and counts the questions that reach it.
class Scripted final : public Resolver {
public:
    Answer query(std::string_view name, RecordType type) override {
        ++calls;
        if (delay.count() > 0)
            std::this_thread::sleep_for(delay);
        Answer a;
        a.name = a.canonical_name = std::string(name);
        a.type = type;
        a.status = status;
        a.ttl = ttl;
        if (status == DnsStatus::ok) {
            a.addresses.push_back(boost::asio::ip::make_address("192.0.2.1"));
        }
        return a;
    }
    std::atomic<int> calls{0};
    DnsStatus status = DnsStatus::ok;
    std::uint32_t ttl = 300;
    std::chrono::milliseconds delay{0};
};

struct FakeClock {
    std::chrono::steady_clock::time_point now{};
    std::function<std::chrono::steady_clock::time_point()> fn() {
        return [this] { return now; };
    }
};

}  // namespace

TEST_CASE("answers are cached for their TTL and report the TTL left") {
    auto inner = std::make_shared<Scripted>();
    FakeClock clock;
    auto cache = caching(inner, {.clock = clock.fn()});
    CHECK(cache->query("example.com", RecordType::A).ttl == 300);
    clock.now += 100s;
    auto again = cache->query("Example.COM.", RecordType::A);
    CHECK(inner->calls == 1);
    CHECK(again.ok());
    CHECK(again.ttl == 200);
    // another type is another question
    cache->query("example.com", RecordType::AAAA);
    CHECK(inner->calls == 2);
    clock.now += 201s;
    cache->query("example.com", RecordType::A);
    CHECK(inner->calls == 3);
}

TEST_CASE("TTL floor and ceiling") {
    auto inner = std::make_shared<Scripted>();
    FakeClock clock;
    inner->ttl = 0;
    auto cache = caching(inner, {.min_ttl = 10s, .max_ttl = 60s, .clock = clock.fn()});
    cache->query("a.example", RecordType::A);
    clock.now += 9s;
    cache->query("a.example", RecordType::A);
    CHECK(inner->calls == 1);
    clock.now += 2s;
    cache->query("a.example", RecordType::A);
    CHECK(inner->calls == 2);

    inner->ttl = 86400;
    cache->query("b.example", RecordType::A);
    clock.now += 61s;
    cache->query("b.example", RecordType::A);
    CHECK(inner->calls == 4);
    CHECK_THROWS_AS(caching(inner, {.min_ttl = 10s, .max_ttl = 5s}), DnsConfigError);
}

TEST_CASE("negative answers are cached for the SOA TTL, or negative_ttl without one") {
    auto inner = std::make_shared<Scripted>();
    FakeClock clock;
    auto cache = caching(inner, {.negative_ttl = 30s, .clock = clock.fn()});
    inner->status = DnsStatus::nxdomain;
    inner->ttl = 60;
    CHECK(cache->query("nx.example", RecordType::A).status == DnsStatus::nxdomain);
    clock.now += 59s;
    CHECK(cache->query("nx.example", RecordType::A).status == DnsStatus::nxdomain);
    CHECK(inner->calls == 1);
    clock.now += 2s;
    cache->query("nx.example", RecordType::A);
    CHECK(inner->calls == 2);

    inner->status = DnsStatus::nodata;
    inner->ttl = 0;  // no SOA in the answer
    cache->query("nodata.example", RecordType::MX);
    clock.now += 29s;
    CHECK(cache->query("nodata.example", RecordType::MX).ttl == 1);
    CHECK(inner->calls == 3);
    clock.now += 2s;
    cache->query("nodata.example", RecordType::MX);
    CHECK(inner->calls == 4);
}

TEST_CASE("failures are cached briefly (failure_ttl), budget answers never") {
    auto inner = std::make_shared<Scripted>();
    FakeClock clock;
    auto cache = caching(inner, {.failure_ttl = 5s, .clock = clock.fn()});
    inner->status = DnsStatus::timeout;
    auto t = cache->query("dead.example", RecordType::TXT);
    CHECK(t.status == DnsStatus::timeout);
    clock.now += 4s;
    auto again = cache->query("dead.example", RecordType::TXT);
    CHECK(again.status == DnsStatus::timeout);
    CHECK(inner->calls == 1);
    clock.now += 2s;
    cache->query("dead.example", RecordType::TXT);
    CHECK(inner->calls == 2);

    auto nocache = caching(inner, {.failure_ttl = 0s, .clock = clock.fn()});
    inner->status = DnsStatus::servfail;
    nocache->query("x.example", RecordType::A);
    nocache->query("x.example", RecordType::A);
    CHECK(inner->calls == 4);

    inner->status = DnsStatus::budget_exceeded;
    nocache->query("y.example", RecordType::A);
    nocache->query("y.example", RecordType::A);
    CHECK(inner->calls == 6);
}

TEST_CASE("the cache is bounded and evicts the least recently used entry") {
    auto inner = std::make_shared<Scripted>();
    FakeClock clock;
    auto cache = caching(inner, {.max_entries = 2, .clock = clock.fn()});
    cache->query("a.example", RecordType::A);
    cache->query("b.example", RecordType::A);
    cache->query("a.example", RecordType::A);  // a is now the most recent
    cache->query("c.example", RecordType::A);  // evicts b
    CHECK(inner->calls == 3);
    cache->query("a.example", RecordType::A);
    CHECK(inner->calls == 3);
    cache->query("b.example", RecordType::A);
    CHECK(inner->calls == 4);
}

TEST_CASE("concurrent questions for the same name reach the inner resolver once") {
    auto inner = std::make_shared<Scripted>();
    inner->delay = 50ms;
    auto cache = caching(inner);
    std::vector<std::thread> threads;
    std::atomic<int> ok{0};
    for (int i = 0; i < 8; ++i) {
        threads.emplace_back([&, i] {
            if (cache->query("same.example", RecordType::A).ok())
                ++ok;
            if (cache->query("other" + std::to_string(i % 2) + ".example", RecordType::A).ok()) {
                ++ok;
            }
        });
    }
    for (auto& t : threads)
        t.join();
    CHECK(ok == 16);
    CHECK(inner->calls.load() == 3);
}

TEST_CASE("prefetch asks the missing questions together and keeps the answers") {
    // Counts the batches that reach it.
    class Batches final : public Resolver {
    public:
        Answer query(std::string_view name, RecordType type) override {
            ++singles;
            Answer a;
            a.name = a.canonical_name = std::string(name);
            a.type = type;
            a.ttl = 300;
            a.addresses.push_back(boost::asio::ip::make_address("192.0.2.7"));
            return a;
        }
        std::vector<Answer> query_many(std::span<const Question> questions,
                                       Deadline deadline) override {
            ++batches;
            asked += questions.size();
            return Resolver::query_many(questions, deadline);
        }
        int singles = 0;
        int batches = 0;
        std::size_t asked = 0;
    };
    auto inner = std::make_shared<Batches>();
    auto cache = caching(inner);
    cache->query("held.example", RecordType::A);
    const std::vector<Question> batch = {{"held.example", RecordType::A},
                                         {"New.Example.", RecordType::A},
                                         {"new.example", RecordType::A},
                                         {"other.example", RecordType::TXT}};
    CHECK(cache->prefetch(batch, Deadline::max()) == 2);  // the held and duplicate are not
    CHECK(inner->batches == 1);
    CHECK(inner->asked == 2);
    const int before = inner->singles;
    CHECK(cache->query("new.example", RecordType::A).ok());
    CHECK(cache->query("other.example", RecordType::TXT).ok());
    CHECK(inner->singles == before);  // answered from the prefetch
    CHECK(cache->prefetch(batch, Deadline::max()) == 0);
}

TEST_CASE("a large cache is sharded and still bounded") {
    auto inner = std::make_shared<Scripted>();
    auto cache = caching(inner, {.max_entries = 2048});
    for (int i = 0; i < 5000; ++i) {
        cache->query("n" + std::to_string(i) + ".example", RecordType::A);
    }
    CHECK(inner->calls == 5000);
    // The most recent names are held; the first ones were evicted (2048 < 5000).
    cache->query("n4999.example", RecordType::A);
    CHECK(inner->calls == 5000);
    cache->query("n0.example", RecordType::A);
    CHECK(inner->calls == 5001);
}

TEST_CASE("a waiter gives up at its deadline, a failure at the deadline is not cached") {
    auto inner = std::make_shared<Scripted>();
    inner->delay = 300ms;
    inner->status = DnsStatus::timeout;
    auto cache = caching(inner);
    std::thread first([&] { cache->query("slow.example", RecordType::A); });
    std::this_thread::sleep_for(50ms);
    const auto start = std::chrono::steady_clock::now();
    const auto waited = cache->query_within("slow.example", RecordType::A, start + 50ms);
    CHECK(waited.status == DnsStatus::timeout);
    CHECK(waited.detail.find("deadline") != std::string::npos);
    CHECK(std::chrono::steady_clock::now() - start < 250ms);
    first.join();
    CHECK(inner->calls == 1);
    // The owner had no deadline: its timeout answer is cached (failure_ttl).
    cache->query("slow.example", RecordType::A);
    CHECK(inner->calls == 1);
    // An answer that comes back after the asker's deadline is not kept.
    inner->delay = 100ms;
    const auto cut =
        cache->query_within("cut.example", RecordType::A, std::chrono::steady_clock::now() + 20ms);
    CHECK(cut.status == DnsStatus::timeout);
    cache->query("cut.example", RecordType::A);
    CHECK(inner->calls == 3);
}
