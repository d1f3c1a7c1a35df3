// Live stub resolver on ldns.
//
// Thread safety without a global lock: the resolver object is immutable after
// construction and every query uses its own sockets, so workers of the parallel pipeline
// can share one LiveResolver.
//
// UDP: ldns builds and parses the packets and opens and sends on one socket per question
// (ldns_udp_bgsend2); we poll the sockets, so every question of a batch (query_many) is in
// flight at once and each wait is cut to the caller's deadline. ldns's own resolver loop
// (ldns_resolver_send_pkt) asks one question at a time and only knows a per-try timeout.
// TCP (the fallback for truncated answers) still goes through an ldns_resolver, one per
// server because ldns keeps a single port per resolver.
#include "dns/ldns_util.hpp"

#include <boost/asio/ip/address.hpp>

#include <poll.h>
#include <sys/random.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <limits>
#include <random>
#include <set>
#include <sstream>
#include <system_error>

namespace mailverdict::dns {

namespace {

using detail::make_answer;
using detail::RdfPtr;

// Longest CNAME chain followed inside one answer. Resolvers stop long before the 255
// octet name limit would; 16 matches common recursive servers' limits.
constexpr int max_cname_hops = 16;

struct Target {
    Server server;
    RdfPtr address;     // LDNS_RDF_TYPE_A or _AAAA, cloned into each ldns_resolver
    std::string label;  // "127.0.0.1:5353", for details
};

bool is_transport_error(ldns_status status) {
    switch (status) {
        case LDNS_STATUS_NETWORK_ERR:
        case LDNS_STATUS_SOCKET_ERROR:
        case LDNS_STATUS_ADDRESS_ERR:
        case LDNS_STATUS_RES_NO_NS:
        case LDNS_STATUS_ERR:
        case LDNS_STATUS_MEM_ERR:
            return true;
        default:
            return false;
    }
}

std::string ms_text(std::chrono::milliseconds ms) {
    return std::to_string(ms.count()) + " ms";
}

class LiveResolver final : public Resolver {
public:
    explicit LiveResolver(const LiveOptions& options) : options_(options) {
        if (options_.timeout.count() <= 0) {
            throw DnsConfigError("DNS timeout must be positive");
        }
        // RFC 6891 6.2.5: a payload size below 512 is treated as 512.
        if (options_.edns_buffer != 0 && options_.edns_buffer < 512)
            options_.edns_buffer = 512;
        auto servers = options_.servers;
        if (servers.empty()) {
            std::ifstream in("/etc/resolv.conf");
            std::stringstream text;
            text << in.rdbuf();
            servers = detail::parse_resolv_conf(text.str());
            // resolv.conf(5): with no nameserver line, the local machine is used.
            if (servers.empty())
                servers.push_back(Server{"127.0.0.1", 53});
        }
        for (auto& server : servers) {
            boost::system::error_code ec;
            const auto ip = boost::asio::ip::make_address(server.host, ec);
            if (ec)
                throw DnsConfigError("invalid DNS server address '" + server.host + "'");
            Target target;
            target.label = ip.is_v6() ? "[" + server.host + "]:" + std::to_string(server.port)
                                      : server.host + ":" + std::to_string(server.port);
            target.address.reset(ldns_rdf_new_frm_str(
                ip.is_v6() ? LDNS_RDF_TYPE_AAAA : LDNS_RDF_TYPE_A, server.host.c_str()));
            if (!target.address)
                throw DnsConfigError("unusable DNS server " + target.label);
            target.server = std::move(server);
            targets_.push_back(std::move(target));
        }
    }

    Answer query(std::string_view name, RecordType type) override {
        return query_within(name, type, Deadline::max());
    }

    Answer query_within(std::string_view name, RecordType type, Deadline deadline) override {
        const Question q{std::string(name), type};
        return std::move(query_many(std::span<const Question>(&q, 1), deadline).front());
    }

    std::vector<Answer> query_many(std::span<const Question> questions,
                                   Deadline deadline) override {
        std::vector<Answer> answers(questions.size());
        if (deadline != Deadline::max() && Clock::now() >= deadline) {
            for (std::size_t i = 0; i < questions.size(); ++i) {
                answers[i] = deadline_answer(questions[i].name, questions[i].type, "DNS deadline");
            }
            return answers;
        }
        std::vector<Item> items;
        for (std::size_t i = 0; i < questions.size(); ++i) {
            const auto& q = questions[i];
            auto normalized = detail::normalize_name(q.name);
            RdfPtr qname{normalized ? ldns_dname_new_frm_str(normalized->c_str()) : nullptr};
            if (!qname) {
                answers[i] = make_answer(normalized ? *normalized : q.name, q.type,
                                         DnsStatus::formerr, "not a valid domain name; not sent");
                continue;
            }
            Item item;
            item.index = i;
            item.name = std::move(*normalized);
            item.type = q.type;
            item.qname = std::move(qname);
            items.push_back(std::move(item));
        }
        // Servers are tried in order; a server that fails (no answer, SERVFAIL, REFUSED,
        // an unusable answer) passes the question to the next, as glibc's stub does. The
        // total time is bounded by timeout x tries x servers (x2 with TCP fallback), and
        // by the deadline.
        std::vector<Item*> pending;
        pending.reserve(items.size());
        for (auto& item : items) {
            pending.push_back(&item);
        }
        for (const auto& target : targets_) {
            if (pending.empty()) {
                break;
            }
            ask_all(target, pending, deadline);
            std::vector<Item*> next;
            for (Item* item : pending) {
                const auto status = item->last.status;
                if (status == DnsStatus::ok || status == DnsStatus::nodata ||
                    status == DnsStatus::nxdomain) {
                    item->result = std::move(item->last);
                    item->have_result = true;
                    continue;
                }
                // Report a server's own failure rather than another server's silence.
                if (!item->have_result || item->result.status == DnsStatus::timeout) {
                    item->result = std::move(item->last);
                    item->have_result = true;
                }
                next.push_back(item);
            }
            pending = std::move(next);
        }
        for (auto& item : items) {
            answers[item.index] = item.have_result
                                      ? std::move(item.result)
                                      : make_answer(item.name, item.type, DnsStatus::timeout,
                                                    "no DNS server configured");
        }
        return answers;
    }

private:
    using Clock = std::chrono::steady_clock;

    struct Item {
        std::size_t index = 0;
        std::string name;
        RecordType type = RecordType::A;
        RdfPtr qname;
        Answer last;    // from the server being asked
        Answer result;  // the one to report
        bool have_result = false;
    };

    // One question in flight to one server over UDP.
    struct Flight {
        Item* item = nullptr;
        detail::LdnsPtr<ldns_buffer> wire;
        std::uint16_t id = 0;
        int fd = -1;
        unsigned tries = 0;
        Clock::time_point expires{};
        bool tcp = false;  // truncated: ask again over TCP
        bool done = false;
    };

    std::chrono::milliseconds per_try(Clock::time_point now, Deadline deadline) const {
        if (deadline == Deadline::max()) {
            return options_.timeout;
        }
        const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - now);
        return std::min(options_.timeout, std::max(left, std::chrono::milliseconds{1}));
    }

    static bool same_address(const sockaddr_storage& a, const sockaddr_storage& b) {
        if (a.ss_family != b.ss_family) {
            return false;
        }
        if (a.ss_family == AF_INET) {
            const auto& x = reinterpret_cast<const sockaddr_in&>(a);
            const auto& y = reinterpret_cast<const sockaddr_in&>(b);
            return x.sin_port == y.sin_port && x.sin_addr.s_addr == y.sin_addr.s_addr;
        }
        const auto& x = reinterpret_cast<const sockaddr_in6&>(a);
        const auto& y = reinterpret_cast<const sockaddr_in6&>(b);
        return x.sin6_port == y.sin6_port &&
               std::memcmp(&x.sin6_addr, &y.sin6_addr, sizeof x.sin6_addr) == 0;
    }

    // Every pending question to `target` over UDP at once (one socket each, so each has
    // its own random source port, RFC 5452 9.2), then the truncated ones over TCP. Sets
    // each item's `last`.
    void ask_all(const Target& target, const std::vector<Item*>& pending, Deadline deadline) const {
        const auto ids = random_ids(pending.size());
        const unsigned tries = std::max(1U, std::min<unsigned>(options_.retries + 1, 255));
        std::size_t to_size = 0;
        std::unique_ptr<sockaddr_storage, decltype(&std::free)> to(
            ldns_rdf2native_sockaddr_storage(target.address.get(), target.server.port, &to_size),
            &std::free);
        if (!to) {
            throw std::bad_alloc();
        }
        std::vector<Flight> flights(pending.size());
        for (std::size_t i = 0; i < pending.size(); ++i) {
            Flight& f = flights[i];
            f.item = pending[i];
            f.id = ids[i];
            detail::PktPtr query{ldns_pkt_query_new(ldns_rdf_clone(f.item->qname.get()),
                                                    static_cast<ldns_rr_type>(f.item->type),
                                                    LDNS_RR_CLASS_IN, 0)};
            if (!query) {
                throw std::bad_alloc();
            }
            ldns_pkt_set_id(query.get(), f.id);
            ldns_pkt_set_rd(query.get(), options_.recursion_desired);
            if (options_.edns_buffer != 0) {
                // RFC 6891: advertise our UDP payload size; 0 sends no OPT record at all.
                ldns_pkt_set_edns_udp_size(query.get(), options_.edns_buffer);
            }
            f.wire.reset(ldns_buffer_new(LDNS_MIN_BUFLEN));
            if (!f.wire || ldns_pkt2buffer_wire(f.wire.get(), query.get()) != LDNS_STATUS_OK) {
                f.item->last = make_answer(f.item->name, f.item->type, DnsStatus::formerr,
                                           "could not build the query");
                f.done = true;
            }
        }
        auto finish_timeout = [&](Flight& f, bool deadline_hit) {
            f.done = true;
            f.item->last = make_answer(
                f.item->name, f.item->type, DnsStatus::timeout,
                "no answer from " + target.label + " after " + std::to_string(f.tries) +
                    (f.tries == 1 ? " try" : " tries") + " of " + ms_text(options_.timeout) +
                    (deadline_hit ? " (DNS deadline reached)" : ""));
        };
        auto close_flight = [](Flight& f) {
            if (f.fd >= 0) {
                ::close(f.fd);
                f.fd = -1;
            }
        };
        struct Closer {
            std::vector<Flight>& flights;
            ~Closer() {
                for (auto& f : flights) {
                    if (f.fd >= 0) {
                        ::close(f.fd);
                    }
                }
            }
        } closer{flights};

        std::vector<pollfd> polled;
        std::vector<Flight*> polled_flights;
        for (;;) {
            const auto now = Clock::now();
            // (Re)send every question without a try in flight.
            bool active = false;
            auto earliest = Clock::time_point::max();
            for (auto& f : flights) {
                if (f.done) {
                    continue;
                }
                if (f.fd >= 0 && now >= f.expires) {
                    close_flight(f);  // this try timed out
                }
                if (f.fd < 0) {
                    if (f.tries >= tries || now >= deadline) {
                        finish_timeout(f, now >= deadline);
                        continue;
                    }
                    const auto wait = per_try(now, deadline);
                    const timeval tv{static_cast<time_t>(wait.count() / 1000),
                                     static_cast<suseconds_t>((wait.count() % 1000) * 1000)};
                    ++f.tries;
                    f.expires = now + wait;
                    const int fd = ldns_udp_bgsend2(f.wire.get(), to.get(),
                                                    static_cast<socklen_t>(to_size), tv);
                    if (fd <= 0) {
                        // No socket or the send failed: count the try, wait it out as a
                        // silent server (glibc's stub does the same), then retry.
                        f.fd = -1;
                        earliest = std::min(earliest, f.expires);
                        active = true;
                        continue;
                    }
                    f.fd = fd;
                }
                earliest = std::min(earliest, f.expires);
                active = true;
            }
            if (!active) {
                break;
            }
            polled.clear();
            polled_flights.clear();
            for (auto& f : flights) {
                if (!f.done && f.fd >= 0) {
                    polled.push_back(pollfd{f.fd, POLLIN, 0});
                    polled_flights.push_back(&f);
                }
            }
            const auto wait = std::chrono::ceil<std::chrono::milliseconds>(earliest - now);
            const int ready =
                ::poll(polled.data(), polled.size(),
                       static_cast<int>(std::clamp<std::int64_t>(wait.count(), 0, 60000)));
            if (ready < 0 && errno != EINTR) {
                throw std::system_error(errno, std::generic_category(), "poll");
            }
            for (std::size_t i = 0; ready > 0 && i < polled.size(); ++i) {
                if ((polled[i].revents & (POLLIN | POLLERR | POLLHUP)) == 0) {
                    continue;
                }
                Flight& f = *polled_flights[i];
                receive(target, *to, f);
                if (f.done) {
                    close_flight(f);
                }
            }
        }
        // RFC 7766 / RFC 1035 4.2.2: a truncated UDP answer is asked again over TCP.
        for (auto& f : flights) {
            if (!f.tcp) {
                continue;
            }
            const auto now = Clock::now();
            if (now >= deadline) {
                f.item->last = make_answer(f.item->name, f.item->type, DnsStatus::timeout,
                                           "truncated UDP answer from " + target.label +
                                               " and no time left for TCP (DNS deadline)");
                continue;
            }
            f.item->last = ask_tcp(target, f.item->qname.get(), f.item->name, f.item->type,
                                   per_try(now, deadline));
        }
    }

    // Reads one datagram for `f`: an answer from elsewhere or with another ID is ignored
    // (RFC 5452 9.1) and the try goes on waiting.
    void receive(const Target& target, const sockaddr_storage& to, Flight& f) const {
        std::size_t size = 0;
        sockaddr_storage from{};
        socklen_t from_size = sizeof from;
        std::unique_ptr<std::uint8_t, decltype(&std::free)> wire(
            ldns_udp_read_wire(f.fd, &size, &from, &from_size), &std::free);
        if (!wire || !same_address(from, to)) {
            return;
        }
        if (size > options_.max_answer_bytes) {
            f.done = true;
            f.item->last = too_large(f.item->name, f.item->type, target.label, size);
            return;
        }
        ldns_pkt* raw = nullptr;
        const auto status = ldns_wire2pkt(&raw, wire.get(), size);
        detail::PktPtr reply{raw};
        if (status != LDNS_STATUS_OK || !reply) {
            // ldns could not parse what came back (RFC 1035 4.1 format)
            f.done = true;
            f.item->last = make_answer(
                f.item->name, f.item->type, DnsStatus::formerr,
                "unparsable answer from " + target.label + ": " + ldns_get_errorstr_by_id(status));
            return;
        }
        if (ldns_pkt_id(reply.get()) != f.id) {
            return;
        }
        if (ldns_pkt_tc(reply.get()) && options_.tcp_fallback) {
            f.tcp = true;  // done with UDP
            f.done = true;
            return;
        }
        f.done = true;
        f.item->last = interpret(*reply, f.id, f.item->name, f.item->type, target.label);
    }

    Answer ask_tcp(const Target& target, const ldns_rdf* qname, const std::string& name,
                   RecordType type, std::chrono::milliseconds timeout) const {
        detail::ResolverPtr res{ldns_resolver_new()};
        if (!res)
            throw std::bad_alloc();
        if (ldns_resolver_push_nameserver(res.get(), target.address.get()) != LDNS_STATUS_OK) {
            throw std::bad_alloc();
        }
        ldns_resolver_set_port(res.get(), target.server.port);
        ldns_resolver_set_recursive(res.get(), options_.recursion_desired);
        ldns_resolver_set_dnssec(res.get(), false);
        ldns_resolver_set_random(res.get(), false);
        ldns_resolver_set_defnames(res.get(), false);
        ldns_resolver_set_dnsrch(res.get(), false);
        ldns_resolver_set_usevc(res.get(), true);
        ldns_resolver_set_fail(res.get(), false);
        ldns_resolver_set_edns_udp_size(res.get(), options_.edns_buffer);
        const auto ms = timeout.count();
        ldns_resolver_set_timeout(res.get(), timeval{static_cast<time_t>(ms / 1000),
                                                     static_cast<suseconds_t>((ms % 1000) * 1000)});
        ldns_resolver_set_retry(res.get(), 1);

        ldns_pkt* raw_query = nullptr;
        auto status = ldns_resolver_prepare_query_pkt(
            &raw_query, res.get(), qname, static_cast<ldns_rr_type>(type), LDNS_RR_CLASS_IN, 0);
        detail::PktPtr query{raw_query};
        if (status != LDNS_STATUS_OK || !query) {
            return make_answer(
                name, type, DnsStatus::formerr,
                std::string("could not build the query: ") + ldns_get_errorstr_by_id(status));
        }
        ldns_pkt_set_rd(query.get(), options_.recursion_desired);

        ldns_pkt* raw_reply = nullptr;
        status = ldns_resolver_send_pkt(&raw_reply, res.get(), query.get());
        detail::PktPtr reply{raw_reply};
        if (status != LDNS_STATUS_OK || !reply) {
            if (is_transport_error(status)) {
                return make_answer(
                    name, type, DnsStatus::timeout,
                    "no answer over TCP from " + target.label + " within " + ms_text(timeout));
            }
            return make_answer(
                name, type, DnsStatus::formerr,
                "unparsable answer from " + target.label + ": " + ldns_get_errorstr_by_id(status));
        }
        if (ldns_pkt_size(reply.get()) > options_.max_answer_bytes) {
            return too_large(name, type, target.label, ldns_pkt_size(reply.get()));
        }
        return interpret(*reply, ldns_pkt_id(query.get()), name, type, target.label);
    }

    Answer too_large(const std::string& name, RecordType type, const std::string& from,
                     std::size_t size) const {
        return make_answer(name, type, DnsStatus::formerr,
                           "answer of " + std::to_string(size) + " bytes from " + from +
                               " is over the limit of " +
                               std::to_string(options_.max_answer_bytes) + " (not read)");
    }

    static Answer interpret(const ldns_pkt& reply, std::uint16_t id, const std::string& name,
                            RecordType type, const std::string& from) {
        // An answer must be for the question asked (RFC 5452 9.1: ID and question must
        // match); anything else is ignored as unusable.
        const ldns_rr_list* question = ldns_pkt_question(&reply);
        if (ldns_pkt_id(&reply) != id || !question || ldns_rr_list_rr_count(question) != 1 ||
            detail::rdf_name(ldns_rr_owner(ldns_rr_list_rr(question, 0))) != name ||
            ldns_rr_get_type(ldns_rr_list_rr(question, 0)) != static_cast<ldns_rr_type>(type) ||
            ldns_rr_get_class(ldns_rr_list_rr(question, 0)) != LDNS_RR_CLASS_IN) {
            return make_answer(name, type, DnsStatus::formerr,
                               "answer from " + from + " is not for the question asked");
        }
        switch (ldns_pkt_get_rcode(&reply)) {
            case LDNS_RCODE_NOERROR:
            case LDNS_RCODE_NXDOMAIN:
                break;
            case LDNS_RCODE_SERVFAIL:
                return make_answer(name, type, DnsStatus::servfail, "SERVFAIL from " + from);
            case LDNS_RCODE_REFUSED:
                return make_answer(name, type, DnsStatus::refused, "REFUSED by " + from);
            case LDNS_RCODE_FORMERR:
                return make_answer(name, type, DnsStatus::formerr, "FORMERR from " + from);
            default:
                return make_answer(
                    name, type, DnsStatus::servfail,
                    "RCODE " + std::to_string(ldns_pkt_get_rcode(&reply)) + " from " + from);
        }
        if (ldns_pkt_tc(&reply)) {
            // Only reached with TCP fallback off: RFC 2181 9 says a truncated answer's
            // records must not be used.
            return make_answer(name, type, DnsStatus::servfail,
                               "truncated UDP answer from " + from + " and TCP fallback is off");
        }

        Answer answer = make_answer(name, type, DnsStatus::ok);
        const ldns_rr_list* records = ldns_pkt_answer(&reply);
        const std::size_t count = records ? ldns_rr_list_rr_count(records) : 0;
        std::uint32_t ttl = std::numeric_limits<std::uint32_t>::max();
        std::string current = name;
        std::set<std::string> seen{current};
        for (int hop = 0;; ++hop) {
            bool found = false;
            for (std::size_t i = 0; i < count; ++i) {
                const ldns_rr* rr = ldns_rr_list_rr(records, i);
                if (ldns_rr_get_type(rr) != static_cast<ldns_rr_type>(type) ||
                    ldns_rr_get_class(rr) != LDNS_RR_CLASS_IN ||
                    detail::rdf_name(ldns_rr_owner(rr)) != current) {
                    continue;
                }
                if (detail::append_rdata(rr, answer)) {
                    found = true;
                    ttl = std::min(ttl, ldns_rr_ttl(rr));
                }
            }
            if (found || type == RecordType::CNAME)
                break;
            // RFC 1034 3.6.2 / RFC 2181 10.1: follow the CNAME the server included.
            const ldns_rr* cname = nullptr;
            for (std::size_t i = 0; i < count && !cname; ++i) {
                const ldns_rr* rr = ldns_rr_list_rr(records, i);
                if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_CNAME &&
                    detail::rdf_name(ldns_rr_owner(rr)) == current && ldns_rr_rd_count(rr) > 0) {
                    cname = rr;
                }
            }
            if (!cname)
                break;
            if (hop >= max_cname_hops) {
                answer = make_answer(name, type, DnsStatus::servfail,
                                     "CNAME chain longer than " + std::to_string(max_cname_hops));
                return answer;
            }
            current = detail::rdf_name(ldns_rr_rdf(cname, 0));
            if (!seen.insert(current).second) {
                std::string detail = "CNAME loop at " + current;
                detail += " in answer from ";
                detail += from;
                return make_answer(name, type, DnsStatus::servfail, detail);
            }
            ttl = std::min(ttl, ldns_rr_ttl(cname));
        }
        answer.canonical_name = current;
        if (!answer.empty()) {
            answer.ttl = ttl;
            return answer;
        }
        // RFC 2308 2.1/2.2: NXDOMAIN, or NOERROR without the type (NODATA); RFC 6604:
        // after a CNAME the RCODE speaks of the last name in the chain.
        answer.status = ldns_pkt_get_rcode(&reply) == LDNS_RCODE_NXDOMAIN ? DnsStatus::nxdomain
                                                                          : DnsStatus::nodata;
        const ldns_rr_list* authority = ldns_pkt_authority(&reply);
        for (std::size_t i = 0; authority && i < ldns_rr_list_rr_count(authority); ++i) {
            const ldns_rr* rr = ldns_rr_list_rr(authority, i);
            if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_SOA) {
                answer.ttl = detail::negative_ttl(rr);
                break;
            }
        }
        return answer;
    }

    // RFC 5452 9.2: query IDs must be unpredictable. One getrandom(2) per batch (the
    // kernel's CSPRNG; std::random_device costs a file open on some libraries).
    static std::vector<std::uint16_t> random_ids(std::size_t n) {
        std::vector<std::uint16_t> ids(n);
        auto* bytes = reinterpret_cast<char*>(ids.data());
        std::size_t got = 0;
        while (got < n * sizeof(std::uint16_t)) {
            const auto r = ::getrandom(bytes + got, n * sizeof(std::uint16_t) - got, 0);
            if (r < 0) {
                if (errno == EINTR) {
                    continue;
                }
                std::random_device device;  // no getrandom: the library's own source
                for (auto& id : ids) {
                    id = static_cast<std::uint16_t>(device() & 0xffff);
                }
                return ids;
            }
            got += static_cast<std::size_t>(r);
        }
        return ids;
    }

    LiveOptions options_;
    std::vector<Target> targets_;
};

}  // namespace

std::shared_ptr<Resolver> live(const LiveOptions& options) {
    return std::make_shared<LiveResolver>(options);
}

}  // namespace mailverdict::dns
