// Caching decorator. The table is split in shards by the hash of the question, each with
// its own mutex, LRU list and in-flight table, so workers answering from the cache do
// not queue behind one lock. The inner resolver is always called without a lock held,
// so a slow query never blocks hits on other names.
#include "dns/detail.hpp"

#include <algorithm>
#include <future>
#include <list>
#include <mutex>
#include <optional>
#include <unordered_map>

namespace mailverdict::dns {

namespace {

using Clock = std::chrono::steady_clock;

struct Key {
    std::string name;
    RecordType type;
    bool operator==(const Key&) const = default;
};

struct KeyHash {
    std::size_t operator()(const Key& k) const noexcept {
        return std::hash<std::string>{}(k.name) * 31u + static_cast<std::size_t>(k.type);
    }
};

// 16 shards: with a handful of workers, two rarely want the same shard at once. A small
// cache (under 16 x 64 entries) keeps one shard, so its bound is one exact global LRU.
constexpr std::size_t max_shards = 16;
constexpr std::size_t min_entries_per_shard = 64;

class CachingResolver final : public Resolver {
public:
    CachingResolver(std::shared_ptr<Resolver> inner, const CacheOptions& options)
        : inner_(std::move(inner)), options_(options) {
        if (!inner_)
            throw DnsConfigError("caching resolver needs an inner resolver");
        if (!options_.clock)
            options_.clock = [] { return Clock::now(); };
        if (options_.min_ttl > options_.max_ttl) {
            throw DnsConfigError("cache min_ttl is larger than max_ttl");
        }
        shard_count_ = options_.max_entries >= max_shards * min_entries_per_shard ? max_shards : 1;
        shards_ = std::make_unique<Shard[]>(shard_count_);
        // Each shard holds its share of the bound.
        shard_max_ = (options_.max_entries + shard_count_ - 1) / shard_count_;
    }

    Answer query(std::string_view name, RecordType type) override {
        return query_within(name, type, Deadline::max());
    }

    Answer query_within(std::string_view name, RecordType type, Deadline deadline) override {
        auto normalized = detail::normalize_name(name);
        if (!normalized)
            return inner_->query_within(name, type, deadline);  // the inner resolver explains
        Key key{std::move(*normalized), type};
        Shard& shard = shard_of(key);

        std::promise<Answer> promise;
        {
            std::unique_lock lock(shard.mutex);
            if (auto hit = lookup(shard, key)) {
                return std::move(*hit);
            }
            if (auto it = shard.in_flight.find(key); it != shard.in_flight.end()) {
                auto future = it->second;
                lock.unlock();
                // Another worker is asking: wait for its answer, but not past our deadline.
                if (deadline != Deadline::max() &&
                    future.wait_until(deadline) != std::future_status::ready) {
                    return deadline_answer(key.name, type, "DNS deadline");
                }
                return future.get();
            }
            shard.in_flight.emplace(key, promise.get_future().share());
        }

        Answer answer;
        try {
            answer = deadline == Deadline::max() ? inner_->query(name, type)
                                                 : inner_->query_within(name, type, deadline);
        } catch (...) {
            std::lock_guard lock(shard.mutex);
            shard.in_flight.erase(key);
            promise.set_exception(std::current_exception());
            throw;
        }
        finish(shard, key, answer, deadline);
        promise.set_value(answer);
        return answer;
    }

    std::size_t prefetch(std::span<const Question> questions, Deadline deadline) override {
        // The questions nobody holds or is asking yet are ours to ask, together.
        std::vector<Key> keys;
        std::vector<Question> ask;
        std::vector<std::promise<Answer>> promises;
        for (const auto& q : questions) {
            auto normalized = detail::normalize_name(q.name);
            if (!normalized) {
                continue;  // query() will explain when the evaluation asks it
            }
            Key key{std::move(*normalized), q.type};
            if (std::find(keys.begin(), keys.end(), key) != keys.end()) {
                continue;
            }
            Shard& shard = shard_of(key);
            std::lock_guard lock(shard.mutex);
            if (auto it = shard.entries.find(key);
                it != shard.entries.end() && it->second.expires > options_.clock()) {
                continue;
            }
            if (shard.in_flight.count(key) != 0) {
                continue;
            }
            promises.emplace_back();
            shard.in_flight.emplace(key, promises.back().get_future().share());
            ask.push_back(Question{key.name, key.type});
            keys.push_back(std::move(key));
        }
        if (ask.empty()) {
            return 0;
        }
        std::vector<Answer> answers;
        try {
            answers = inner_->query_many(ask, deadline);
        } catch (...) {
            for (std::size_t i = 0; i < keys.size(); ++i) {
                Shard& shard = shard_of(keys[i]);
                {
                    std::lock_guard lock(shard.mutex);
                    shard.in_flight.erase(keys[i]);
                }
                promises[i].set_exception(std::current_exception());
            }
            throw;
        }
        for (std::size_t i = 0; i < keys.size(); ++i) {
            Answer answer = i < answers.size()
                                ? std::move(answers[i])
                                : detail::make_answer(keys[i].name, keys[i].type,
                                                      DnsStatus::formerr, "no answer returned");
            finish(shard_of(keys[i]), keys[i], answer, deadline);
            promises[i].set_value(std::move(answer));
        }
        return keys.size();
    }

private:
    struct Entry {
        Answer answer;
        Clock::time_point expires;
        std::list<Key>::iterator position;
    };

    struct Shard {
        std::mutex mutex;
        std::list<Key> lru;  // most recently used first
        std::unordered_map<Key, Entry, KeyHash> entries;
        std::unordered_map<Key, std::shared_future<Answer>, KeyHash> in_flight;
    };

    Shard& shard_of(const Key& key) { return shards_[KeyHash{}(key) % shard_count_]; }

    // A fresh entry, with the TTL left; the shard's lock is held.
    std::optional<Answer> lookup(Shard& shard, const Key& key) {
        const auto it = shard.entries.find(key);
        if (it == shard.entries.end()) {
            return std::nullopt;
        }
        const auto now = options_.clock();
        if (it->second.expires <= now) {
            shard.lru.erase(it->second.position);
            shard.entries.erase(it);
            return std::nullopt;
        }
        shard.lru.splice(shard.lru.begin(), shard.lru, it->second.position);
        Answer answer = it->second.answer;
        // The TTL left, as a caching server reports it (RFC 1035 4.1.3); failures carry
        // no TTL.
        if (!is_temporary_failure(answer.status)) {
            answer.ttl = static_cast<std::uint32_t>(
                std::chrono::ceil<std::chrono::seconds>(it->second.expires - now).count());
        }
        return answer;
    }

    void finish(Shard& shard, const Key& key, const Answer& answer, Deadline deadline) {
        // A failure that came back at or after the asker's deadline may have been cut
        // short by it: another message with time left must ask again.
        const bool cut = deadline != Deadline::max() && is_temporary_failure(answer.status) &&
                         Clock::now() >= deadline;
        std::lock_guard lock(shard.mutex);
        shard.in_flight.erase(key);
        if (!cut) {
            store(shard, key, answer);
        }
    }

    std::chrono::seconds lifetime(const Answer& answer) const {
        const std::chrono::seconds ttl{answer.ttl};
        switch (answer.status) {
            case DnsStatus::ok:
                return std::clamp(ttl, options_.min_ttl, options_.max_ttl);
            case DnsStatus::nodata:
            case DnsStatus::nxdomain:
                // RFC 2308 5: negative answers live min(SOA TTL, MINIMUM), carried in ttl.
                if (answer.ttl == 0)
                    return options_.negative_ttl;
                return std::clamp(ttl, options_.min_ttl, options_.max_ttl);
            case DnsStatus::servfail:
            case DnsStatus::refused:
            case DnsStatus::formerr:
            case DnsStatus::timeout:
                // RFC 2308 7.1/7.2: at most five minutes.
                return std::min(options_.failure_ttl, std::chrono::seconds{300});
            case DnsStatus::budget_exceeded:
                return std::chrono::seconds{0};
        }
        return std::chrono::seconds{0};
    }

    void store(Shard& shard, const Key& key, const Answer& answer) {
        const auto life = lifetime(answer);
        if (life.count() <= 0 || shard_max_ == 0)
            return;
        const auto expires = options_.clock() + life;
        if (auto it = shard.entries.find(key); it != shard.entries.end()) {
            it->second.answer = answer;
            it->second.expires = expires;
            shard.lru.splice(shard.lru.begin(), shard.lru, it->second.position);
            return;
        }
        while (shard.entries.size() >= shard_max_ && !shard.lru.empty()) {
            shard.entries.erase(shard.lru.back());
            shard.lru.pop_back();
        }
        shard.lru.push_front(key);
        shard.entries.emplace(key, Entry{answer, expires, shard.lru.begin()});
    }

    std::shared_ptr<Resolver> inner_;
    CacheOptions options_;
    std::size_t shard_count_ = 1;
    std::size_t shard_max_ = 0;
    std::unique_ptr<Shard[]> shards_;
};

}  // namespace

std::shared_ptr<Resolver> caching(std::shared_ptr<Resolver> inner, const CacheOptions& options) {
    return std::make_shared<CachingResolver>(std::move(inner), options);
}

}  // namespace mailverdict::dns
