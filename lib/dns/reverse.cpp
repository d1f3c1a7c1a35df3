#include <mailverdict/dns/reverse.hpp>

#include <algorithm>

namespace mailverdict::dns {

namespace {

boost::asio::ip::address unmapped(const boost::asio::ip::address& ip) {
    if (ip.is_v6() && ip.to_v6().is_v4_mapped()) {
        return boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, ip.to_v6());
    }
    return ip;
}

}  // namespace

std::string reverse_name(const boost::asio::ip::address& address) {
    const auto ip = unmapped(address);
    std::string out;
    if (ip.is_v4()) {
        const auto b = ip.to_v4().to_bytes();
        for (auto it = b.rbegin(); it != b.rend(); ++it) {
            out += std::to_string(*it);
            out += '.';
        }
        return out + "in-addr.arpa";
    }
    static constexpr char hex[] = "0123456789abcdef";
    const auto b = ip.to_v6().to_bytes();
    out.reserve(72);
    for (auto it = b.rbegin(); it != b.rend(); ++it) {
        out += hex[*it & 0x0f];
        out += '.';
        out += hex[(*it >> 4) & 0x0f];
        out += '.';
    }
    return out + "ip6.arpa";
}

ReverseDns forward_confirmed_reverse(Resolver& resolver, const boost::asio::ip::address& address,
                                     std::size_t max_names) {
    const auto ip = unmapped(address);
    ReverseDns r;
    const Answer ptr = resolver.query(reverse_name(ip), RecordType::PTR);
    r.status = ptr.status;
    if (!ptr.ok()) {
        r.detail = "PTR lookup for " + ip.to_string() + ": " + std::string(to_string(ptr.status));
        if (!ptr.detail.empty()) {
            r.detail += " (" + ptr.detail + ")";
        }
        return r;
    }
    const std::size_t n = std::min(ptr.names.size(), max_names);
    r.names.assign(ptr.names.begin(), ptr.names.begin() + static_cast<std::ptrdiff_t>(n));
    const RecordType forward = ip.is_v4() ? RecordType::A : RecordType::AAAA;
    for (const auto& name : r.names) {
        const Answer a = resolver.query(name, forward);
        if (a.ok() && std::find(a.addresses.begin(), a.addresses.end(), ip) != a.addresses.end()) {
            r.verified = name;
            return r;
        }
    }
    r.detail = "no PTR name of " + ip.to_string() + " resolves back to it";
    return r;
}

}  // namespace mailverdict::dns
