// The one place evaluation does I/O: a DNS Resolver interface and its implementations.
//
// Evaluators (SPF, DKIM, DMARC, ARC...) receive a Resolver& and nothing else that
// talks to the network. Implementations: a live stub resolver on ldns, a zone-file
// resolver (BIND master files), a caching decorator, record/replay decorators and a
// per-evaluation query budget.
#pragma once

#include <boost/asio/ip/address.hpp>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace mailverdict::dns {

enum class RecordType : std::uint16_t {
    A = 1,
    NS = 2,
    CNAME = 5,
    SOA = 6,
    PTR = 12,
    MX = 15,
    TXT = 16,
    AAAA = 28,
    SPF = 99,
};
std::string_view to_string(RecordType type) noexcept;

enum class DnsStatus {
    ok,              // NOERROR with at least one record of the asked type
    nodata,          // NOERROR, name exists, no record of that type
    nxdomain,        // RCODE 3: the name does not exist
    servfail,        // RCODE 2
    refused,         // RCODE 5
    formerr,         // RCODE 1, or an answer that could not be parsed
    timeout,         // no answer from any server within the timeouts and retries
    budget_exceeded, // the per-evaluation query budget was used up; nothing was sent
};
std::string_view to_string(DnsStatus status) noexcept;

// Temporary vs permanent is decided here, once: servfail, refused, timeout and formerr
// are temporary failures (RFC 7208 5, RFC 6376 6.1.2 treat them as temperror).
bool is_temporary_failure(DnsStatus status) noexcept;

struct MxRecord {
    std::uint16_t preference = 0;
    std::string exchange;  // lower-case, no trailing dot
    bool operator==(const MxRecord&) const = default;
};

struct TxtRecord {
    std::vector<std::string> strings;  // character-strings as sent, kept separate
    [[nodiscard]] std::string joined() const;  // concatenated without separators
    bool operator==(const TxtRecord&) const = default;
};

struct Answer {
    DnsStatus status = DnsStatus::ok;
    std::string name;            // the name asked, lower-case, no trailing dot
    std::string canonical_name;  // after following CNAMEs (== name if none)
    RecordType type = RecordType::A;
    std::uint32_t ttl = 0;       // min TTL of the records; for negative answers, the SOA minimum
    // Exactly one of these is filled, by `type`:
    std::vector<boost::asio::ip::address> addresses;  // A, AAAA
    std::vector<MxRecord> mx;                          // MX
    std::vector<TxtRecord> txt;                        // TXT, SPF
    std::vector<std::string> names;                    // PTR, CNAME, NS targets
    std::string detail;          // why it failed, for traces ("timeout after 2 tries to ...")

    [[nodiscard]] bool ok() const noexcept { return status == DnsStatus::ok; }
    [[nodiscard]] bool empty() const noexcept;  // no records of the asked type
};

class Resolver {
public:
    virtual ~Resolver() = default;
    // Names are absolute; a trailing dot is optional. Implementations are thread-safe.
    virtual Answer query(std::string_view name, RecordType type) = 0;
};

// Configuration errors (unreadable zone file, bad server address) are exceptions.
class DnsConfigError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct Server {
    std::string host;        // IPv4 or IPv6 literal
    std::uint16_t port = 53;
    // "127.0.0.1", "127.0.0.1:5353", "[::1]:5353", "::1"
    static Server parse(std::string_view text);  // throws DnsConfigError
};

struct LiveOptions {
    std::vector<Server> servers;  // empty: the nameservers of /etc/resolv.conf
    std::chrono::milliseconds timeout{2000};  // per try
    unsigned retries = 2;                     // tries per server after the first
    bool recursion_desired = true;
    std::uint16_t edns_buffer = 1232;  // EDNS0 UDP payload size (0: no EDNS0)
    bool tcp_fallback = true;          // retry over TCP when the UDP answer is truncated
};

// Live stub resolver on ldns.
std::shared_ptr<Resolver> live(const LiveOptions& options = {});

// Offline resolver answering from BIND master files (a file, or every file in a
// directory). CNAMEs are followed within the loaded data. Throws DnsConfigError.
std::shared_ptr<Resolver> zone_files(const std::vector<std::filesystem::path>& paths);
// The same from zone text (tests and tools); `origin` is the default $ORIGIN.
std::shared_ptr<Resolver> zone_text(std::string_view text, std::string_view origin = ".");

// Thread-safe cache honouring TTLs (with a floor and a ceiling) and negative caching.
struct CacheOptions {
    std::chrono::seconds min_ttl{0};
    std::chrono::seconds max_ttl{86400};
    std::chrono::seconds negative_ttl{300};  // when the answer carries no SOA minimum
    std::size_t max_entries = 100000;
};
std::shared_ptr<Resolver> caching(std::shared_ptr<Resolver> inner, const CacheOptions& options = {});

// Records every question and answer (failures included) to a file as the run goes;
// replay answers from such a file (a question not recorded gets a timeout answer with
// a detail saying so).
std::shared_ptr<Resolver> recording(std::shared_ptr<Resolver> inner, const std::filesystem::path& file);
std::shared_ptr<Resolver> replay(const std::filesystem::path& file);

// Per-evaluation budget: counts the queries made through it and, once `limit` is
// reached, answers budget_exceeded without asking `inner`. Not shared across threads.
class QueryBudget final : public Resolver {
public:
    QueryBudget(Resolver& inner, std::size_t limit) : inner_(inner), limit_(limit) {}
    Answer query(std::string_view name, RecordType type) override;
    [[nodiscard]] std::size_t used() const noexcept { return used_; }
    [[nodiscard]] std::size_t limit() const noexcept { return limit_; }

private:
    Resolver& inner_;
    std::size_t limit_;
    std::size_t used_ = 0;
};

}  // namespace mailverdict::dns
