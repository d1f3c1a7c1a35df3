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

    // "192.0.2.0/24", "2001:db8::/32", or a bare address (a /32 or /128).
    static std::optional<IpNetwork> parse(std::string_view text);

    // IPv4-mapped IPv6 addresses (::ffff:a.b.c.d) are matched as IPv4.
    [[nodiscard]] bool contains(const boost::asio::ip::address& ip) const noexcept;
    [[nodiscard]] std::string to_string() const;
};

// Address with IPv4-mapped IPv6 turned into IPv4 (RFC 7208 5: treat as IPv4).
boost::asio::ip::address unmap(const boost::asio::ip::address& ip) noexcept;

// True when the first `prefix` bits of a and b are equal (same family required).
bool prefix_equal(const boost::asio::ip::address& a, const boost::asio::ip::address& b,
                  unsigned prefix) noexcept;

}  // namespace mailverdict
