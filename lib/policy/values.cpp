// Value checks for tenant files (see values.hpp).
#include "policy/values.hpp"

#include <mailverdict/message/message.hpp>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>

namespace mailverdict::policy::detail {

namespace {

bool is_ascii(std::string_view text) {
    for (const char c : text) {
        if (static_cast<unsigned char>(c) >= 0x80) {
            return false;
        }
    }
    return true;
}

bool valid_ascii_domain(std::string_view domain) {
    if (domain.empty() || domain.size() > 253) {
        return false;
    }
    std::size_t labels = 0;
    std::size_t start = 0;
    while (start <= domain.size()) {
        const std::size_t dot = domain.find('.', start);
        const std::size_t end = dot == std::string_view::npos ? domain.size() : dot;
        const std::string_view label = domain.substr(start, end - start);
        if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') {
            return false;
        }
        for (const char c : label) {
            const bool ok =
                (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
            if (!ok) {
                return false;
            }
        }
        ++labels;
        if (dot == std::string_view::npos) {
            break;
        }
        start = dot + 1;
    }
    return labels >= 2;
}

// 128-bit arithmetic on addresses as two 64-bit halves (IPv4 uses the low 32 bits).
struct Wide {
    std::uint64_t hi = 0;
    std::uint64_t lo = 0;
    friend bool operator<(const Wide& a, const Wide& b) {
        return a.hi != b.hi ? a.hi < b.hi : a.lo < b.lo;
    }
    friend bool operator==(const Wide& a, const Wide& b) = default;
};

Wide to_wide(const boost::asio::ip::address& ip) {
    Wide w;
    if (ip.is_v4()) {
        w.lo = ip.to_v4().to_uint();
        return w;
    }
    const auto bytes = ip.to_v6().to_bytes();
    for (std::size_t i = 0; i < 8; ++i) {
        w.hi = (w.hi << 8U) | bytes[i];
        w.lo = (w.lo << 8U) | bytes[8 + i];
    }
    return w;
}

boost::asio::ip::address from_wide(const Wide& w, bool v4) {
    if (v4) {
        return boost::asio::ip::address_v4{static_cast<std::uint32_t>(w.lo)};
    }
    boost::asio::ip::address_v6::bytes_type bytes{};
    for (std::size_t i = 0; i < 8; ++i) {
        bytes[7 - i] = static_cast<unsigned char>(w.hi >> (8U * i));
        bytes[15 - i] = static_cast<unsigned char>(w.lo >> (8U * i));
    }
    return boost::asio::ip::address_v6{bytes};
}

// Number of trailing zero bits of w (128 when w is zero).
unsigned trailing_zeros(const Wide& w) {
    if (w.lo != 0) {
        return static_cast<unsigned>(__builtin_ctzll(w.lo));
    }
    if (w.hi != 0) {
        return 64U + static_cast<unsigned>(__builtin_ctzll(w.hi));
    }
    return 128U;
}

// w + 2^bits - 1 (the last address of an aligned block of 2^bits), saturating.
Wide block_end(const Wide& w, unsigned bits) {
    Wide size_minus_one;
    if (bits >= 128) {
        return Wide{~0ULL, ~0ULL};
    }
    if (bits >= 64) {
        size_minus_one.lo = ~0ULL;
        size_minus_one.hi = bits == 64 ? 0 : ((1ULL << (bits - 64)) - 1);
    } else {
        size_minus_one.lo = bits == 0 ? 0 : ((1ULL << bits) - 1);
    }
    // Aligned block: no carries, a bitwise or is the sum.
    return Wide{w.hi | size_minus_one.hi, w.lo | size_minus_one.lo};
}

Wide increment(const Wide& w) {
    Wide r = w;
    if (++r.lo == 0) {
        ++r.hi;
    }
    return r;
}

}  // namespace

std::string lower(std::string_view text) {
    std::string out{text};
    for (char& c : out) {
        if (c >= 'A' && c <= 'Z') {
            c = static_cast<char>(c - 'A' + 'a');
        }
    }
    return out;
}

std::optional<std::string> normalize_domain(std::string_view text) {
    if (text.empty() || text.size() > 1024) {
        return std::nullopt;
    }
    for (const char c : text) {
        const auto u = static_cast<unsigned char>(c);
        if (u <= 0x20 || u == 0x7f || c == '@' || c == '*' || c == '/' || c == ':' || c == ';' ||
            c == ',' || c == '[' || c == ']') {
            return std::nullopt;
        }
    }
    std::string ascii;
    if (is_ascii(text)) {
        ascii = lower(text);
        if (ascii.back() == '.') {
            ascii.pop_back();
        }
    } else {
        auto forms = idna_forms(text);
        if (!forms) {
            return std::nullopt;
        }
        ascii = lower(forms->ascii);
    }
    if (!valid_ascii_domain(ascii)) {
        return std::nullopt;
    }
    return ascii;
}

std::optional<std::string> normalize_address(std::string_view text) {
    const std::size_t at = text.rfind('@');
    if (at == std::string_view::npos || at == 0 || at > 64) {
        return std::nullopt;
    }
    const std::string_view local = text.substr(0, at);
    for (const char c : local) {
        const auto u = static_cast<unsigned char>(c);
        if (u <= 0x20 || u == 0x7f || c == '@' || c == '<' || c == '>' || c == ',' || c == ';' ||
            c == '"' || c == '(' || c == ')' || c == '[' || c == ']' || c == '\\') {
            return std::nullopt;
        }
    }
    if (local.front() == '.' || local.back() == '.' || local.find("..") != std::string_view::npos) {
        return std::nullopt;
    }
    auto domain = normalize_domain(text.substr(at + 1));
    if (!domain) {
        return std::nullopt;
    }
    return lower(local) + "@" + *domain;
}

std::optional<std::string> normalize_host_pattern(std::string_view text) {
    if (text == "*") {
        return std::string{"*"};
    }
    if (text.starts_with("*.")) {
        auto domain = normalize_domain(text.substr(2));
        if (!domain) {
            return std::nullopt;
        }
        return "*." + *domain;
    }
    return normalize_domain(text);
}

IpEntry parse_ip_entry(std::string_view text) {
    IpEntry entry;
    const std::size_t dash = text.find('-');
    if (dash == std::string_view::npos) {
        auto network = IpNetwork::parse(text);
        if (!network) {
            entry.error = "'" + std::string{text} +
                          "' is not an IP address, CIDR range (a/n) or address range (a-b)";
            return entry;
        }
        entry.networks.push_back(*network);
        return entry;
    }
    const auto first = parse_address(text.substr(0, dash));
    const auto last = parse_address(text.substr(dash + 1));
    if (!first || !last) {
        entry.error = "'" + std::string{text} + "' is not a valid address range (a-b)";
        return entry;
    }
    const auto a = unmap(*first);
    const auto b = unmap(*last);
    if (a.is_v4() != b.is_v4()) {
        entry.error = "'" + std::string{text} + "' mixes IPv4 and IPv6";
        return entry;
    }
    const bool v4 = a.is_v4();
    const unsigned width = v4 ? 32U : 128U;
    Wide lo = to_wide(a);
    const Wide hi = to_wide(b);
    if (hi < lo) {
        entry.error = "'" + std::string{text} + "': the first address is after the last";
        return entry;
    }
    // Greedy split into aligned CIDR blocks (at most 2 * width blocks).
    for (;;) {
        unsigned bits = std::min(trailing_zeros(lo), width);
        while (bits > 0 && hi < block_end(lo, bits)) {
            --bits;
        }
        entry.networks.push_back(IpNetwork{from_wide(lo, v4), width - bits});
        const Wide end = block_end(lo, bits);
        if (end == hi) {
            break;
        }
        lo = increment(end);
    }
    return entry;
}

std::optional<std::chrono::sys_days> parse_date(std::string_view text) {
    if (text.size() != 10 || text[4] != '-' || text[7] != '-') {
        return std::nullopt;
    }
    auto number = [&](std::size_t pos, std::size_t len) -> std::optional<int> {
        int value = 0;
        const char* begin = text.data() + pos;
        const char* end = begin + len;
        for (const char* p = begin; p != end; ++p) {
            if (*p < '0' || *p > '9') {
                return std::nullopt;
            }
        }
        std::from_chars(begin, end, value);
        return value;
    };
    const auto y = number(0, 4);
    const auto m = number(5, 2);
    const auto d = number(8, 2);
    if (!y || !m || !d) {
        return std::nullopt;
    }
    const std::chrono::year_month_day ymd{std::chrono::year{*y},
                                          std::chrono::month{static_cast<unsigned>(*m)},
                                          std::chrono::day{static_cast<unsigned>(*d)}};
    if (!ymd.ok()) {
        return std::nullopt;
    }
    return std::chrono::sys_days{ymd};
}

bool valid_header_name(std::string_view name) {
    if (name.empty() || name.size() > 998) {
        return false;
    }
    for (const char c : name) {
        const auto u = static_cast<unsigned char>(c);
        if (u < 33 || u > 126 || c == ':') {
            return false;
        }
    }
    return true;
}

}  // namespace mailverdict::policy::detail
