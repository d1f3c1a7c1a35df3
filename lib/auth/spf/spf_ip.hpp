// Address helpers of the SPF evaluator: prefix matching, the "i" macro's dotted forms
// and reverse-lookup names.
#pragma once

#include <mailverdict/dns/reverse.hpp>
#include <mailverdict/message/network.hpp>

#include <boost/asio/ip/address.hpp>

#include <string>

namespace mailverdict::spf::detail {

// RFC 7208 5: "IPv4-mapped IPv6 addresses ... MUST be treated as IPv4".
inline boost::asio::ip::address unmapped(const boost::asio::ip::address& ip) noexcept {
    return mailverdict::unmap(ip);
}

// RFC 7208 5.6: same family, and equal up to the CIDR prefix length (already checked
// against the family's width by the record parser).
inline bool in_network(const boost::asio::ip::address& ip, const boost::asio::ip::address& network,
                       unsigned prefix) noexcept {
    return mailverdict::prefix_equal(ip, network, prefix);
}

// RFC 7208 7.3: "i" is the dotted quad for IPv4 and dot-separated nibbles for IPv6
// ("2.0.0.1.0.d.b.8...."), most significant first.
inline void append_dotted(const boost::asio::ip::address& ip, std::string& out) {
    if (ip.is_v4()) {
        out += ip.to_v4().to_string();
        return;
    }
    static constexpr char hex[] = "0123456789abcdef";
    const auto bytes = ip.to_v6().to_bytes();
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        if (i != 0) {
            out.push_back('.');
        }
        out.push_back(hex[bytes[i] >> 4U]);
        out.push_back('.');
        out.push_back(hex[bytes[i] & 0x0FU]);
    }
}

// in-addr.arpa / ip6.arpa name for the PTR lookups of "ptr" and %{p} (RFC 7208 5.5).
inline std::string reverse_name(const boost::asio::ip::address& ip) {
    return dns::reverse_name(ip);
}

}  // namespace mailverdict::spf::detail
