// Caching decorator. One mutex guards the table; the inner resolver is always called
// without it held, so a slow query never blocks hits on other names.
#include "dns/detail.hpp"

#include <future>
#include <list>
#include <mutex>
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
    }

    Answer query(std::string_view name, RecordType type) override {
        auto normalized = detail::normalize_name(name);
        if (!normalized)
            return inner_->query(name, type);  // the inner resolver explains
        Key key{*normalized, type};

        std::promise<Answer> promise;
        {
            std::unique_lock lock(mutex_);
            const auto now = options_.clock();
            if (auto it = entries_.find(key); it != entries_.end()) {
                if (it->second.expires > now) {
                    lru_.splice(lru_.begin(), lru_, it->second.position);
                    Answer answer = it->second.answer;
                    // The TTL left, as a caching server reports it (RFC 1035 4.1.3);
                    // failures carry no TTL.
                    if (!is_temporary_failure(answer.status)) {
                        answer.ttl = static_cast<std::uint32_t>(
                            std::chrono::ceil<std::chrono::seconds>(it->second.expires - now)
                                .count());
                    }
                    return answer;
                }
                lru_.erase(it->second.position);
                entries_.erase(it);
            }
            if (auto it = in_flight_.find(key); it != in_flight_.end()) {
                auto future = it->second;
                lock.unlock();
                return future.get();
            }
            in_flight_.emplace(key, promise.get_future().share());
        }

        Answer answer;
        try {
            answer = inner_->query(name, type);
        } catch (...) {
            std::lock_guard lock(mutex_);
            in_flight_.erase(key);
            promise.set_exception(std::current_exception());
            throw;
        }
        {
            std::lock_guard lock(mutex_);
            in_flight_.erase(key);
            store(key, answer);
        }
        promise.set_value(answer);
        return answer;
    }

private:
    struct Entry {
        Answer answer;
        Clock::time_point expires;
        std::list<Key>::iterator position;
    };

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

    void store(const Key& key, const Answer& answer) {
        const auto life = lifetime(answer);
        if (life.count() <= 0 || options_.max_entries == 0)
            return;
        const auto expires = options_.clock() + life;
        if (auto it = entries_.find(key); it != entries_.end()) {
            it->second.answer = answer;
            it->second.expires = expires;
            lru_.splice(lru_.begin(), lru_, it->second.position);
            return;
        }
        while (entries_.size() >= options_.max_entries && !lru_.empty()) {
            entries_.erase(lru_.back());
            lru_.pop_back();
        }
        lru_.push_front(key);
        entries_.emplace(key, Entry{answer, expires, lru_.begin()});
    }

    std::shared_ptr<Resolver> inner_;
    CacheOptions options_;
    std::mutex mutex_;
    std::list<Key> lru_;  // most recently used first
    std::unordered_map<Key, Entry, KeyHash> entries_;
    std::unordered_map<Key, std::shared_future<Answer>, KeyHash> in_flight_;
};

}  // namespace

std::shared_ptr<Resolver> caching(std::shared_ptr<Resolver> inner, const CacheOptions& options) {
    return std::make_shared<CachingResolver>(std::move(inner), options);
}

}  // namespace mailverdict::dns
