// Reverse DNS of a client address, forward-confirmed (FCrDNS): the PTR name that
// Microsoft shows in X-Forefront-Antispam-Report (PTR:) and uses as the sending
// infrastructure of a spoofed-sender pair.
#pragma once

#include <mailverdict/dns/resolver.hpp>

#include <boost/asio/ip/address.hpp>

#include <optional>
#include <string>
#include <vector>

namespace mailverdict::dns {

// "4.3.2.1.in-addr.arpa" for 1.2.3.4; 32 nibbles + "ip6.arpa" for IPv6 (RFC 3596 2.5).
// IPv4-mapped IPv6 addresses are named as IPv4.
std::string reverse_name(const boost::asio::ip::address& ip);

struct ReverseDns {
    DnsStatus status = DnsStatus::ok;     // of the PTR query
    std::vector<std::string> names;       // PTR targets, as answered (at most max_names)
    std::optional<std::string> verified;  // first name whose A/AAAA includes the address
    std::string detail;                   // why nothing was verified, when nothing was
};

// PTR names checked by default (RFC 7208 4.6.4 bounds the same walk at 10).
inline constexpr std::size_t max_reverse_names = 10;

// RFC 7208 5.5 / RFC 8601 2.7.3 (iprev): a PTR name counts only when one of its
// addresses is the client again. At most `max_names` PTR names are checked.
ReverseDns forward_confirmed_reverse(Resolver& resolver, const boost::asio::ip::address& ip,
                                     std::size_t max_names = max_reverse_names);

}  // namespace mailverdict::dns
