// IP networks (CIDR ranges) used for trusted hosts, connectors and SPF.
#pragma once

#include <boost/asio/ip/address.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace mailverdict {

struct IpNetwork {
    boost::asio::ip::address address;  // network address (host bits cleared)
    unsigned prefix = 0;               // 0..32 for IPv4, 0..128 for IPv6

    // "192.0.2.0/24", "2001:db8::/32", or a bare address (a /32 or /128). Host bits are
    // cleared ("192.0.2.1/24" is 192.0.2.0/24); a prefix has no sign and no leading zero;
    // an IPv4-mapped network of prefix >= 96 becomes the IPv4 network. nullopt if invalid.
    static std::optional<IpNetwork> parse(std::string_view text);

    // IPv4-mapped IPv6 addresses (::ffff:a.b.c.d) are matched as IPv4: an IPv6 network
    // other than ::ffff:0:0/96 and its sub-networks never contains them (RFC 7208 5).
    [[nodiscard]] bool contains(const boost::asio::ip::address& ip) const noexcept;
    [[nodiscard]] std::string to_string() const;
};

// A numeric IPv4 or IPv6 address as inet_pton reads it: IPv4 needs four decimal parts
// without leading zeros, IPv6 per RFC 4291 2.2; no scope id ("%eth0"), no brackets.
std::optional<boost::asio::ip::address> parse_address(std::string_view text);

// Address with IPv4-mapped IPv6 turned into IPv4 (RFC 7208 5: treat as IPv4).
boost::asio::ip::address unmap(const boost::asio::ip::address& ip) noexcept;

// True when the first `prefix` bits of a and b are equal. IPv4-mapped addresses are
// compared as IPv4; different families, or a prefix longer than the family's width, are
// never equal.
bool prefix_equal(const boost::asio::ip::address& a, const boost::asio::ip::address& b,
                  unsigned prefix) noexcept;

}  // namespace mailverdict
