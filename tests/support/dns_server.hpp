// DNS servers for tests: a real NSD on loopback, and an in-process fault-injecting server.
//
// Both listen on 127.0.0.1 on a free port (UDP and TCP) and stop in their destructor.
// They know nothing of the mailverdict dns layer (this file links into every test
// executable), so point a resolver at them through address():
//
//   #include "support/dns_server.hpp"
//   using mailverdict::test::NsdServer;
//   NsdServer nsd({{"example.com", R"(
//   $TTL 300
//   @    SOA ns1 hostmaster 1 3600 600 86400 60
//        NS  ns1
//   ns1  A   192.0.2.53
//   @    TXT "v=spf1 ip4:192.0.2.0/24 -all"
//   )"}});
//   auto dns = mailverdict::dns::live({.servers = {mailverdict::dns::Server::parse(nsd.address())},
//                                      .timeout = std::chrono::milliseconds{200}});
//
//   FaultServer dead({.fault = Fault::timeout});   // never answers
//   FaultServer slow({.fault = Fault::slow, .delay = std::chrono::milliseconds{100}});
//   FaultServer ok({.txt = {"v=spf1 ", "-all"}});  // answers every TXT question with this
//
// NsdServer::available() is false when /usr/sbin/nsd is missing; tests may skip then.
// Zones given to NsdServer need an SOA (NSD refuses a zone without one).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include <sys/types.h>

namespace mailverdict::test {

// A zone: its name and its master-file (RFC 1035 5) text; relative names and "@" are
// relative to `origin`.
struct TestZone {
    std::string origin;  // "example.com" (a trailing dot is optional)
    std::string text;
};

// The zone files of a directory, sorted by name, each zone named after its file:
// "example.com.zone", "example.com.db" or "example.com" -> "example.com". Hidden files
// and *.md / *.txt are skipped (the same rule as dns::zone_files on a directory).
std::vector<TestZone> zones_from_directory(const std::filesystem::path& dir);

// NSD (Debian's nsd 4.x) serving `zones` authoritatively on 127.0.0.1:port(), run as a
// child process from a private temporary directory (config, zone files, pid, log); never
// touches /etc/nsd. The constructor returns once NSD answers queries and throws
// std::runtime_error (with NSD's log) if it does not start within a few seconds.
class NsdServer {
public:
    explicit NsdServer(const std::vector<TestZone>& zones);
    ~NsdServer();
    NsdServer(const NsdServer&) = delete;
    NsdServer& operator=(const NsdServer&) = delete;

    [[nodiscard]] std::uint16_t port() const noexcept { return port_; }
    [[nodiscard]] std::string address() const;  // "127.0.0.1:PORT"
    [[nodiscard]] static bool available();

private:
    bool start(const std::vector<TestZone>& zones, std::string& log);
    void stop() noexcept;

    std::filesystem::path dir_;
    std::uint16_t port_ = 0;
    pid_t pid_ = -1;
};

enum class Fault {
    none,        // answer normally
    timeout,     // never answer (UDP); close TCP connections without answering
    servfail,    // RCODE 2
    refused,     // RCODE 5
    formerr,     // RCODE 1
    truncated,   // UDP: empty answer with TC set; TCP: the normal answer (RFC 7766)
    slow,        // answer normally after `delay`
    wrong_name,  // answer for "wrong.<qname>" instead of the question asked
    garbage,     // reply with bytes that are not a DNS message
    oversized,   // UDP answer of ~4 KB (16 TXT strings of 250 bytes) without TC,
                 // whatever EDNS payload size the query advertised
};

// What the fault server answers (for Fault::none, truncated over TCP, slow, wrong_name):
// an A question gets one A record `a`, a TXT question one TXT record made of the strings
// `txt`, any other type an empty NOERROR answer. Every record has TTL `ttl`.
struct FaultOptions {
    Fault fault = Fault::none;
    std::chrono::milliseconds delay{0};
    std::string a = "192.0.2.1";
    std::vector<std::string> txt = {"v=spf1 -all"};
    std::uint32_t ttl = 300;
};

// A small authoritative-looking DNS server on a thread of the test process.
class FaultServer {
public:
    explicit FaultServer(FaultOptions options = {});
    ~FaultServer();
    FaultServer(const FaultServer&) = delete;
    FaultServer& operator=(const FaultServer&) = delete;

    [[nodiscard]] std::uint16_t port() const noexcept { return port_; }
    [[nodiscard]] std::string address() const;  // "127.0.0.1:PORT"
    // Queries received so far (a query the server ignores still counts).
    [[nodiscard]] std::size_t udp_queries() const noexcept { return udp_queries_; }
    [[nodiscard]] std::size_t tcp_queries() const noexcept { return tcp_queries_; }

private:
    void run();
    void handle_udp();
    void handle_tcp();
    std::string respond(const std::string& query, bool over_tcp) const;
    bool wait_or_stop(std::chrono::milliseconds delay) const;

    FaultOptions options_;
    int udp_ = -1;
    int tcp_ = -1;
    int stop_pipe_[2] = {-1, -1};
    std::uint16_t port_ = 0;
    std::atomic<std::size_t> udp_queries_{0};
    std::atomic<std::size_t> tcp_queries_{0};
    std::thread thread_;
};

}  // namespace mailverdict::test
