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
#include <functional>
#include <memory>
#include <span>
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
    ok,               // NOERROR with at least one record of the asked type
    nodata,           // NOERROR, name exists, no record of that type
    nxdomain,         // RCODE 3: the name does not exist
    servfail,         // RCODE 2
    refused,          // RCODE 5
    formerr,          // RCODE 1, or an answer that could not be parsed
    timeout,          // no answer from any server within the timeouts and retries
    budget_exceeded,  // the per-evaluation query budget was used up; nothing was sent
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
    std::vector<std::string> strings;          // character-strings as sent, kept separate
    [[nodiscard]] std::string joined() const;  // concatenated without separators
    bool operator==(const TxtRecord&) const = default;
};

struct Answer {
    DnsStatus status = DnsStatus::ok;
    std::string name;            // the name asked, lower-case, no trailing dot
    std::string canonical_name;  // after following CNAMEs (== name if none)
    RecordType type = RecordType::A;
    std::uint32_t ttl = 0;  // min TTL of the records; for negative answers, the SOA minimum
    // Exactly one of these is filled, by `type`:
    std::vector<boost::asio::ip::address> addresses;  // A, AAAA
    std::vector<MxRecord> mx;                         // MX
    std::vector<TxtRecord> txt;                       // TXT, SPF
    std::vector<std::string> names;                   // PTR, CNAME, NS targets
    std::string detail;  // why it failed, for traces ("timeout after 2 tries to ...")

    [[nodiscard]] bool ok() const noexcept { return status == DnsStatus::ok; }
    [[nodiscard]] bool empty() const noexcept;  // no records of the asked type
};

// Deadlines are points on the steady clock (a per-message DNS deadline, docs/limits.md).
using Deadline = std::chrono::steady_clock::time_point;

struct Question {
    std::string name;
    RecordType type = RecordType::A;
    bool operator==(const Question&) const = default;
};

class Resolver {
public:
    virtual ~Resolver() = default;
    // Names are absolute; a trailing dot is optional. Implementations are thread-safe.
    virtual Answer query(std::string_view name, RecordType type) = 0;

    // The same question, answered by `deadline`: once it has passed nothing is sent and
    // the answer is `timeout` (a temporary failure, so the check that asked ends in
    // temperror). Resolvers that wait on the network shorten their waits to the deadline.
    // Default: query() if the deadline has not passed.
    virtual Answer query_within(std::string_view name, RecordType type, Deadline deadline);

    // Several questions at once, answers in the same order. The live resolver has them in
    // flight together (one round trip for all instead of one each); the default asks
    // them one after the other with query_within().
    virtual std::vector<Answer> query_many(std::span<const Question> questions, Deadline deadline);

    // A hint that these questions are about to be asked. A caching resolver asks the ones
    // it does not hold together (query_many of the resolver it wraps) and keeps the
    // answers, so the evaluation that follows finds them. Returns how many questions it
    // asked (0: all were held or in flight). Default: nothing (a resolver that keeps
    // nothing would only ask twice).
    virtual std::size_t prefetch(std::span<const Question> questions, Deadline deadline);
};

// The answer given for a question not sent because `deadline_text` ran out.
Answer deadline_answer(std::string_view name, RecordType type, std::string_view deadline_text);

// Configuration errors (unreadable zone file, bad server address) are exceptions.
class DnsConfigError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct Server {
    std::string host;  // IPv4 or IPv6 literal
    std::uint16_t port = 53;
    // "127.0.0.1", "127.0.0.1:5353", "[::1]:5353", "::1"
    static Server parse(std::string_view text);  // throws DnsConfigError
};

inline constexpr std::size_t default_max_answer_bytes = 16384;

struct LiveOptions {
    std::vector<Server> servers{};            // empty: the nameservers of /etc/resolv.conf
    std::chrono::milliseconds timeout{2000};  // per try
    unsigned retries = 2;                     // tries per server after the first
    bool recursion_desired = true;
    std::uint16_t edns_buffer = 1232;  // EDNS0 UDP payload size (0: no EDNS0)
    bool tcp_fallback = true;          // retry over TCP when the UDP answer is truncated
    // Largest answer read (UDP or TCP), in bytes; a larger one is formerr (a temporary
    // failure) and is not parsed. 16 KiB holds a TXT RRset of 60 strings of 255 bytes,
    // far more than any SPF, DKIM or DMARC record (docs/limits.md).
    std::size_t max_answer_bytes = default_max_answer_bytes;
};

// Live stub resolver on ldns. Servers are tried in order; the next one is asked when a
// server times out or answers SERVFAIL, REFUSED, FORMERR or something unusable (an answer
// for another question is formerr). A query takes at most timeout x (retries + 1) x
// servers, twice that with a TCP fallback. A truncated answer with tcp_fallback off is
// servfail (RFC 2181 9: its records must not be used). With a deadline (query_within,
// query_many) every wait is shortened so the whole question ends by it. query_many sends
// every question over UDP at once (one socket each, as a stub resolver does: source port
// and ID random per question, RFC 5452) and reads the answers as they come; truncated
// ones are asked again over TCP. Thread-safe without a lock: each query uses its own
// sockets, so one resolver can serve every worker. Throws
// DnsConfigError for an unusable server address or a non-positive timeout.
std::shared_ptr<Resolver> live(const LiveOptions& options = {});

// Offline resolver answering from BIND master files (a file, or every file in a
// directory, skipping hidden files and *.md / *.txt) the way an authoritative server
// does: NXDOMAIN vs NODATA (empty non-terminals are NODATA), CNAMEs followed within the
// loaded data (16 hops; a loop is servfail), RFC 4592 wildcards, negative TTL from the
// enclosing SOA (RFC 2308 5). A file's initial $ORIGIN is its name without ".zone" or
// ".db" ("example.com.zone" -> example.com.), as NSD is told in its configuration; a
// $ORIGIN line overrides it. A name under no loaded data is NXDOMAIN (ttl 0). Zone cuts
// are not referrals: all loaded data is answered as authoritative. An SOA is optional.
// Throws DnsConfigError naming file:line for a file that does not parse.
std::shared_ptr<Resolver> zone_files(const std::vector<std::filesystem::path>& paths);
// The same from zone text (tests and tools); `origin` is the default $ORIGIN; errors
// name "<zone text>:line".
std::shared_ptr<Resolver> zone_text(std::string_view text, std::string_view origin = ".");

// Thread-safe cache honouring TTLs (with a floor and a ceiling) and negative caching
// (RFC 2308). Answers come back with the TTL remaining. Concurrent queries for the same
// question wait for one inner query instead of each sending their own (a waiter gives up
// at its own deadline). The table is split in shards, each with its own lock, so workers
// hitting the cache do not queue on one mutex; within a shard the least recently used
// entry goes first when the shard's share of `max_entries` is reached (a cache of fewer
// than 1024 entries is one shard: an exact LRU). prefetch() asks
// every missing question of a batch together (Resolver::query_many of `inner`). A failure
// that came back at or after the asker's deadline is not cached: it may say more about
// that message's deadline than about the server.
struct CacheOptions {
    std::chrono::seconds min_ttl{0};
    std::chrono::seconds max_ttl{86400};
    std::chrono::seconds negative_ttl{300};  // nodata/nxdomain without an SOA (ttl 0)
    // servfail, refused, formerr, timeout: RFC 2308 7 allows up to 5 minutes. Keeps a
    // batch from waiting on the same dead server once per message. 0: never cached.
    std::chrono::seconds failure_ttl{30};
    std::size_t max_entries = 100000;
    // Time source; empty means std::chrono::steady_clock::now (tests inject a fake).
    std::function<std::chrono::steady_clock::time_point()> clock{};
};
std::shared_ptr<Resolver> caching(std::shared_ptr<Resolver> inner,
                                  const CacheOptions& options = {});

// Records every question and answer (failures included) to a file as the run goes;
// replay answers from such a file (a question not recorded gets a timeout answer with
// a detail saying so). Both are thread-safe.
//
// File format: JSON Lines (one JSON object per line, UTF-8). The first line is
//   {"format":"mailverdict-dns-record","version":1}
// then one line per query, in the order the answers arrived:
//   {"name":"example.com","type":"TXT","status":"ok","canonical_name":"example.com",
//    "ttl":300,"txt":[["v=spf1 ","-all"]],"detail":""}
// "type" is the mnemonic (a number for other types); "addresses" (A, AAAA), "mx"
// ([{"preference":10,"exchange":"mx.example.com"}]), "txt" (one array of strings per
// record) and "names" appear when not empty. A TXT string that is not valid UTF-8 is
// written as {"hex":"..."}. Replay answers a question with its recorded answers in order
// and repeats the last one once they run out; names are matched case-insensitively.
std::shared_ptr<Resolver> recording(std::shared_ptr<Resolver> inner,
                                    const std::filesystem::path& file);
std::shared_ptr<Resolver> replay(const std::filesystem::path& file);

// Per-evaluation budget: counts the queries made through it and, once `limit` is
// reached, answers budget_exceeded without asking `inner`. Not shared across threads.
class QueryBudget final : public Resolver {
public:
    QueryBudget(Resolver& inner, std::size_t limit) : inner_(inner), limit_(limit) {}
    Answer query(std::string_view name, RecordType type) override;
    Answer query_within(std::string_view name, RecordType type, Deadline deadline) override;
    [[nodiscard]] std::size_t used() const noexcept { return used_; }
    [[nodiscard]] std::size_t limit() const noexcept { return limit_; }

private:
    Resolver& inner_;
    std::size_t limit_;
    std::size_t used_ = 0;
};

// Per-message total DNS time (docs/limits.md "total DNS time per message"): every
// question asked through it shares one deadline, `total` after construction. Questions
// asked after it are answered `timeout` with a detail naming the deadline, without being
// sent; a question in flight when it passes is cut short (the live resolver shortens its
// waits). Answers cut short are never cached. Not shared across threads: make one per
// message. A zero `total` means no deadline (every question goes to `inner` as it is).
class MessageDeadline final : public Resolver {
public:
    MessageDeadline(Resolver& inner, std::chrono::milliseconds total);
    Answer query(std::string_view name, RecordType type) override;
    Answer query_within(std::string_view name, RecordType type, Deadline deadline) override;
    std::vector<Answer> query_many(std::span<const Question> questions, Deadline deadline) override;
    std::size_t prefetch(std::span<const Question> questions, Deadline deadline) override;
    [[nodiscard]] bool has_deadline() const noexcept { return total_.count() > 0; }
    [[nodiscard]] Deadline deadline() const noexcept { return deadline_; }
    // Questions answered `timeout` because the deadline had passed (not sent, or cut).
    [[nodiscard]] std::size_t cut() const noexcept { return cut_; }

private:
    Deadline effective(Deadline other) const noexcept;
    Resolver& inner_;
    std::chrono::milliseconds total_;
    Deadline deadline_;
    std::size_t cut_ = 0;
};

}  // namespace mailverdict::dns
