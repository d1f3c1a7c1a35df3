// Live stub resolver on ldns.
//
// Thread safety without a global lock: the resolver object is immutable after
// construction and every query builds its own ldns_resolver (one per server tried), so
// workers of the parallel pipeline can share one LiveResolver. An ldns_resolver is a small
// heap object; creating one costs far less than the network round trip it serves.
//
// One ldns_resolver per server, rather than one holding every server, because ldns keeps a
// single port per resolver (ldns_resolver_set_port) and servers may differ in port.
#include "dns/ldns_util.hpp"

#include <boost/asio/ip/address.hpp>

#include <algorithm>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>

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
        auto normalized = detail::normalize_name(name);
        if (!normalized) {
            return make_answer(std::string(name), type, DnsStatus::formerr,
                               "not a valid domain name; not sent");
        }
        RdfPtr qname{ldns_dname_new_frm_str(normalized->c_str())};
        if (!qname) {
            return make_answer(*normalized, type, DnsStatus::formerr,
                               "not a valid domain name; not sent");
        }
        // Servers are tried in order; a server that fails (no answer, SERVFAIL, REFUSED,
        // an unusable answer) passes the question to the next, as glibc's stub does. The
        // total time is bounded by timeout x tries x servers (x2 with TCP fallback).
        Answer result;
        bool have_result = false;
        for (const auto& target : targets_) {
            auto answer = ask(target, qname.get(), *normalized, type);
            if (answer.status == DnsStatus::ok || answer.status == DnsStatus::nodata ||
                answer.status == DnsStatus::nxdomain) {
                return answer;
            }
            // Report a server's own failure rather than another server's silence.
            if (!have_result || result.status == DnsStatus::timeout) {
                result = std::move(answer);
                have_result = true;
            }
        }
        if (!have_result) {
            return make_answer(*normalized, type, DnsStatus::timeout, "no DNS server configured");
        }
        return result;
    }

private:
    Answer ask(const Target& target, const ldns_rdf* qname, const std::string& name,
               RecordType type) const {
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
        ldns_resolver_set_usevc(res.get(), false);
        ldns_resolver_set_fail(res.get(), false);
        // RFC 6891: advertise our UDP payload size; 0 sends no OPT record at all.
        ldns_resolver_set_edns_udp_size(res.get(), options_.edns_buffer);
        // RFC 7766 / RFC 1035 4.2.2: a truncated UDP answer is retried over TCP.
        ldns_resolver_set_fallback(res.get(), options_.tcp_fallback);
        const auto ms = options_.timeout.count();
        ldns_resolver_set_timeout(res.get(), timeval{static_cast<time_t>(ms / 1000),
                                                     static_cast<suseconds_t>((ms % 1000) * 1000)});
        const unsigned tries = std::min<unsigned>(options_.retries + 1, 255);
        ldns_resolver_set_retry(res.get(), static_cast<std::uint8_t>(tries));

        ldns_pkt* raw_query = nullptr;
        auto status = ldns_resolver_prepare_query_pkt(
            &raw_query, res.get(), qname, static_cast<ldns_rr_type>(type), LDNS_RR_CLASS_IN, 0);
        detail::PktPtr query{raw_query};
        if (status != LDNS_STATUS_OK || !query) {
            return make_answer(
                name, type, DnsStatus::formerr,
                std::string("could not build the query: ") + ldns_get_errorstr_by_id(status));
        }
        // prepare_query_pkt sets RD only when asked through flags; set it from the option.
        ldns_pkt_set_rd(query.get(), options_.recursion_desired);

        ldns_pkt* raw_reply = nullptr;
        status = ldns_resolver_send_pkt(&raw_reply, res.get(), query.get());
        detail::PktPtr reply{raw_reply};
        if (status != LDNS_STATUS_OK || !reply) {
            if (is_transport_error(status)) {
                return make_answer(name, type, DnsStatus::timeout,
                                   "no answer from " + target.label + " after " +
                                       std::to_string(tries) + " tries of " +
                                       ms_text(options_.timeout));
            }
            // ldns could not parse what came back (RFC 1035 4.1 format)
            return make_answer(
                name, type, DnsStatus::formerr,
                "unparsable answer from " + target.label + ": " + ldns_get_errorstr_by_id(status));
        }
        return interpret(*reply, ldns_pkt_id(query.get()), name, type, target.label);
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

    LiveOptions options_;
    std::vector<Target> targets_;
};

}  // namespace

std::shared_ptr<Resolver> live(const LiveOptions& options) {
    return std::make_shared<LiveResolver>(options);
}

}  // namespace mailverdict::dns
