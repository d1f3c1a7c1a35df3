// Value types of the dns interface: names of enums, Server parsing, the query budget.
#include "dns/detail.hpp"

#include <boost/asio/ip/address.hpp>

#include <charconv>

namespace mailverdict::dns {

std::string_view to_string(RecordType type) noexcept {
    switch (type) {
        case RecordType::A:
            return "A";
        case RecordType::NS:
            return "NS";
        case RecordType::CNAME:
            return "CNAME";
        case RecordType::SOA:
            return "SOA";
        case RecordType::PTR:
            return "PTR";
        case RecordType::MX:
            return "MX";
        case RecordType::TXT:
            return "TXT";
        case RecordType::AAAA:
            return "AAAA";
        case RecordType::SPF:
            return "SPF";
    }
    return "unknown";
}

std::string_view to_string(DnsStatus status) noexcept {
    switch (status) {
        case DnsStatus::ok:
            return "ok";
        case DnsStatus::nodata:
            return "nodata";
        case DnsStatus::nxdomain:
            return "nxdomain";
        case DnsStatus::servfail:
            return "servfail";
        case DnsStatus::refused:
            return "refused";
        case DnsStatus::formerr:
            return "formerr";
        case DnsStatus::timeout:
            return "timeout";
        case DnsStatus::budget_exceeded:
            return "budget_exceeded";
    }
    return "unknown";
}

bool is_temporary_failure(DnsStatus status) noexcept {
    switch (status) {
        case DnsStatus::servfail:
        case DnsStatus::refused:
        case DnsStatus::formerr:
        case DnsStatus::timeout:
            return true;
        case DnsStatus::ok:
        case DnsStatus::nodata:
        case DnsStatus::nxdomain:
        // The budget is a processing limit (RFC 7208 4.6.4 makes it a permerror), not a
        // DNS failure; callers decide what it means for them.
        case DnsStatus::budget_exceeded:
            return false;
    }
    return false;
}

std::string TxtRecord::joined() const {
    std::string out;
    std::size_t size = 0;
    for (const auto& s : strings)
        size += s.size();
    out.reserve(size);
    for (const auto& s : strings)
        out += s;
    return out;
}

bool Answer::empty() const noexcept {
    switch (type) {
        case RecordType::A:
        case RecordType::AAAA:
            return addresses.empty();
        case RecordType::MX:
            return mx.empty();
        case RecordType::TXT:
        case RecordType::SPF:
            return txt.empty();
        case RecordType::NS:
        case RecordType::CNAME:
        case RecordType::SOA:
        case RecordType::PTR:
            return names.empty();
    }
    return true;
}

namespace {

std::uint16_t parse_port(std::string_view digits, std::string_view text) {
    unsigned value = 0;
    const auto* end = digits.data() + digits.size();
    auto [ptr, ec] = std::from_chars(digits.data(), end, value);
    if (digits.empty() || ec != std::errc{} || ptr != end || value == 0 || value > 65535) {
        throw DnsConfigError("invalid DNS server port in '" + std::string(text) + "'");
    }
    return static_cast<std::uint16_t>(value);
}

void check_address(const std::string& host, std::string_view text) {
    boost::system::error_code ec;
    (void)boost::asio::ip::make_address(host, ec);
    if (ec) {
        throw DnsConfigError("invalid DNS server address '" + std::string(text) +
                             "' (an IPv4 or IPv6 literal, optionally with :port)");
    }
}

}  // namespace

Server Server::parse(std::string_view text) {
    Server server;
    if (!text.empty() && text.front() == '[') {
        // "[::1]:5353" or "[::1]"
        const auto close = text.find(']');
        if (close == std::string_view::npos) {
            throw DnsConfigError("invalid DNS server address '" + std::string(text) + "'");
        }
        server.host = std::string(text.substr(1, close - 1));
        const auto rest = text.substr(close + 1);
        if (!rest.empty()) {
            if (rest.front() != ':') {
                throw DnsConfigError("invalid DNS server address '" + std::string(text) + "'");
            }
            server.port = parse_port(rest.substr(1), text);
        }
    } else if (const auto colon = text.find(':');
               colon != std::string_view::npos && text.find(':', colon + 1) == text.npos) {
        // exactly one colon: IPv4 with a port
        server.host = std::string(text.substr(0, colon));
        server.port = parse_port(text.substr(colon + 1), text);
    } else {
        server.host = std::string(text);  // IPv4, or IPv6 without a port
    }
    check_address(server.host, text);
    return server;
}

Answer QueryBudget::query(std::string_view name, RecordType type) {
    if (used_ >= limit_) {
        auto normalized = detail::normalize_name(name);
        return detail::make_answer(
            normalized ? *normalized : std::string(name), type, DnsStatus::budget_exceeded,
            "DNS query budget of " + std::to_string(limit_) + " queries used up; not sent");
    }
    ++used_;
    return inner_.query(name, type);
}

}  // namespace mailverdict::dns
