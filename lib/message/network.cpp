// IP networks (CIDR ranges): parsing, membership and prefix comparison.
#include <mailverdict/message/network.hpp>

#include <boost/asio/ip/address_v4.hpp>
#include <boost/asio/ip/address_v6.hpp>

#include <array>
#include <cstdint>
#include <cstring>

namespace mailverdict {

namespace {

namespace ip = boost::asio::ip;

// Longest textual address inet_pton accepts: a full IPv6 address with an embedded IPv4
// tail is 45 characters (RFC 4291 2.2); anything longer is not an address.
constexpr std::size_t max_address_text = 45;

// Parses a numeric address without scope id. Boost hands the text to inet_pton, which
// is strict: IPv4 needs four decimal parts and rejects leading zeros ("010" could mean
// octal to inet_aton, so it is ambiguous and refused), IPv6 follows RFC 4291 2.2.
// A scope id ("%eth0") is refused here: Boost would resolve interface names through
// if_nametoindex, a system call, and scopes mean nothing in mail or SPF.
std::optional<ip::address> parse_numeric(std::string_view text) {
    if (text.empty() || text.size() > max_address_text) {
        return std::nullopt;
    }
    std::array<char, max_address_text + 1> buffer{};
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        const bool allowed = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
                             (c >= 'A' && c <= 'F') || c == '.' || c == ':';
        if (!allowed) {
            return std::nullopt;
        }
        buffer[i] = c;
    }
    boost::system::error_code ec;
    if (text.find(':') == std::string_view::npos) {
        auto v4 = ip::make_address_v4(buffer.data(), ec);
        if (ec) {
            return std::nullopt;
        }
        return ip::address{v4};
    }
    auto v6 = ip::make_address_v6(buffer.data(), ec);
    if (ec) {
        return std::nullopt;
    }
    return ip::address{v6};
}

// Prefix length: decimal without sign or leading zeros ("/024" is refused as ambiguous).
std::optional<unsigned> parse_prefix(std::string_view text) {
    if (text.empty() || text.size() > 3 || (text.size() > 1 && text[0] == '0')) {
        return std::nullopt;
    }
    unsigned value = 0;
    for (const char c : text) {
        if (c < '0' || c > '9') {
            return std::nullopt;
        }
        value = value * 10 + static_cast<unsigned>(c - '0');
    }
    return value;
}

template <std::size_t N>
bool bytes_prefix_equal(const std::array<unsigned char, N>& a,
                        const std::array<unsigned char, N>& b, unsigned prefix) noexcept {
    const std::size_t full = prefix / 8;
    for (std::size_t i = 0; i < full; ++i) {
        if (a[i] != b[i]) {
            return false;
        }
    }
    const unsigned rest = prefix % 8;
    if (rest == 0) {
        return true;
    }
    const auto mask = static_cast<unsigned char>(0xFFU << (8 - rest));
    return (a[full] & mask) == (b[full] & mask);
}

template <std::size_t N>
std::array<unsigned char, N> clear_host_bits(std::array<unsigned char, N> bytes,
                                             unsigned prefix) noexcept {
    for (std::size_t i = 0; i < N; ++i) {
        const std::size_t bit = i * 8;
        if (bit >= prefix) {
            bytes[i] = 0;
        } else if (bit + 8 > prefix) {
            const auto keep = static_cast<unsigned>(prefix - bit);
            bytes[i] = static_cast<unsigned char>(bytes[i] & (0xFFU << (8 - keep)));
        }
    }
    return bytes;
}

}  // namespace

std::optional<ip::address> parse_address(std::string_view text) {
    return parse_numeric(text);
}

ip::address unmap(const ip::address& address) noexcept {
    if (address.is_v6() && address.to_v6().is_v4_mapped()) {
        return ip::make_address_v4(ip::v4_mapped, address.to_v6());
    }
    return address;
}

bool prefix_equal(const ip::address& a, const ip::address& b, unsigned prefix) noexcept {
    const ip::address x = unmap(a);
    const ip::address y = unmap(b);
    if (x.is_v4() && y.is_v4()) {
        return prefix <= 32 &&
               bytes_prefix_equal(x.to_v4().to_bytes(), y.to_v4().to_bytes(), prefix);
    }
    if (x.is_v6() && y.is_v6()) {
        return prefix <= 128 &&
               bytes_prefix_equal(x.to_v6().to_bytes(), y.to_v6().to_bytes(), prefix);
    }
    return false;
}

std::optional<IpNetwork> IpNetwork::parse(std::string_view text) {
    const auto slash = text.find('/');
    const auto address = parse_numeric(text.substr(0, slash));
    if (!address) {
        return std::nullopt;
    }
    const unsigned width = address->is_v4() ? 32U : 128U;
    unsigned prefix = width;
    if (slash != std::string_view::npos) {
        const auto parsed = parse_prefix(text.substr(slash + 1));
        if (!parsed || *parsed > width) {
            return std::nullopt;
        }
        prefix = *parsed;
    }
    IpNetwork network;
    if (address->is_v4()) {
        network.address = ip::address_v4{clear_host_bits(address->to_v4().to_bytes(), prefix)};
    } else {
        const auto v6 = address->to_v6();
        if (v6.is_v4_mapped() && prefix >= 96) {
            // ::ffff:192.0.2.0/120 is the IPv4 network 192.0.2.0/24 (RFC 4291 2.5.5.2);
            // stored as IPv4 so it prints and compares like one.
            const auto v4 = ip::make_address_v4(ip::v4_mapped, v6);
            network.address = ip::address_v4{clear_host_bits(v4.to_bytes(), prefix - 96)};
            network.prefix = prefix - 96;
            return network;
        }
        network.address = ip::address_v6{clear_host_bits(v6.to_bytes(), prefix)};
    }
    network.prefix = prefix;
    return network;
}

bool IpNetwork::contains(const ip::address& candidate) const noexcept {
    const ip::address theirs = unmap(candidate);
    if (address.is_v6() && address.to_v6().is_v4_mapped() && prefix >= 96) {
        // A hand-built mapped network (parse() never makes one) is an IPv4 network.
        return theirs.is_v4() && prefix_equal(address, theirs, prefix - 96);
    }
    if (address.is_v4() != theirs.is_v4()) {
        return false;
    }
    return prefix_equal(address, theirs, prefix);
}

std::string IpNetwork::to_string() const {
    return address.to_string() + "/" + std::to_string(prefix);
}

}  // namespace mailverdict
