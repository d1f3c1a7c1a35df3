// Name normalization and rdata conversion shared by the live and zone-file resolvers, so
// both produce byte-identical Answers for the same data.
#include "dns/ldns_util.hpp"

#include <algorithm>
#include <array>
#include <cstring>

namespace mailverdict::dns::detail {

namespace {

void ascii_lower(std::string& s) {
    for (auto& c : s) {
        if (c >= 'A' && c <= 'Z')
            c = static_cast<char>(c - 'A' + 'a');
    }
}

std::string strip_dot(std::string s) {
    if (s.size() > 1 && s.back() == '.') {
        // an escaped final dot ("a\.") is part of the label, not the root
        std::size_t backslashes = 0;
        for (auto i = s.size() - 1; i-- > 0 && s[i] == '\\';)
            ++backslashes;
        if (backslashes % 2 == 0)
            s.pop_back();
    }
    return s;
}

}  // namespace

std::string rdf_name(const ldns_rdf* rdf) {
    CStringPtr text{ldns_rdf2str(rdf)};
    if (!text)
        return {};
    std::string s = strip_dot(text.get());
    ascii_lower(s);
    return s;
}

namespace {

// The common case without ldns: letters, digits, '-' and '_' in labels of 1..63 octets,
// at most 253 characters (255 octets on the wire). ldns would print such a name back
// unchanged apart from case, so lower-casing it is the same normalization, without the
// two allocations and the parse that every cache hit would otherwise pay.
std::optional<std::string> normalize_plain(std::string_view text) {
    if (!text.empty() && text.back() == '.')
        text.remove_suffix(1);
    if (text.empty() || text.size() > 253)
        return std::nullopt;
    std::size_t label = 0;
    for (const char c : text) {
        if (c == '.') {
            if (label == 0)
                return std::nullopt;
            label = 0;
            continue;
        }
        const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                           (c >= '0' && c <= '9') || c == '-' || c == '_';
        if (!plain || ++label > 63)
            return std::nullopt;
    }
    if (label == 0)
        return std::nullopt;
    std::string out(text);
    for (char& c : out) {
        if (c >= 'A' && c <= 'Z')
            c = static_cast<char>(c - 'A' + 'a');
    }
    return out;
}

}  // namespace

std::optional<std::string> normalize_name(std::string_view text) {
    if (text.empty())
        return std::nullopt;
    if (text == ".")
        return std::string(".");
    if (auto plain = normalize_plain(text))
        return plain;
    // ldns_dname_new_frm_str enforces the RFC 1035 2.3.4 limits and parses escapes, and
    // printing the result back gives one canonical spelling of the escapes.
    const std::string copy(text);
    if (copy.find("..") != std::string::npos || copy.front() == '.')
        return std::nullopt;
    RdfPtr rdf{ldns_dname_new_frm_str(copy.c_str())};
    if (!rdf)
        return std::nullopt;
    return rdf_name(rdf.get());
}

std::optional<std::string> parent_name(std::string_view name) {
    if (name.empty() || name == ".")
        return std::nullopt;
    for (std::size_t i = 0; i < name.size(); ++i) {
        if (name[i] == '\\') {
            ++i;  // skip the escaped character (\DDD digits never contain a dot)
            continue;
        }
        if (name[i] == '.')
            return std::string(name.substr(i + 1));
    }
    return std::string(".");
}

bool append_rdata(const ldns_rr* rr, Answer& answer) {
    const auto count = ldns_rr_rd_count(rr);
    switch (ldns_rr_get_type(rr)) {
        case LDNS_RR_TYPE_A: {
            const ldns_rdf* rdf = ldns_rr_rdf(rr, 0);
            if (!rdf || ldns_rdf_size(rdf) != 4)
                return false;
            boost::asio::ip::address_v4::bytes_type bytes;
            std::memcpy(bytes.data(), ldns_rdf_data(rdf), 4);
            answer.addresses.emplace_back(boost::asio::ip::address_v4(bytes));
            return true;
        }
        case LDNS_RR_TYPE_AAAA: {
            const ldns_rdf* rdf = ldns_rr_rdf(rr, 0);
            if (!rdf || ldns_rdf_size(rdf) != 16)
                return false;
            boost::asio::ip::address_v6::bytes_type bytes;
            std::memcpy(bytes.data(), ldns_rdf_data(rdf), 16);
            answer.addresses.emplace_back(boost::asio::ip::address_v6(bytes));
            return true;
        }
        case LDNS_RR_TYPE_MX: {
            if (count < 2)
                return false;
            answer.mx.push_back(
                MxRecord{ldns_rdf2native_int16(ldns_rr_rdf(rr, 0)), rdf_name(ldns_rr_rdf(rr, 1))});
            return true;
        }
        case LDNS_RR_TYPE_TXT:
        case LDNS_RR_TYPE_SPF: {
            // RFC 1035 3.3.14: one or more <character-string>s, each a length octet then
            // that many octets. Kept apart: RFC 7208 3.3 joins them, DKIM (RFC 6376
            // 3.6.2.2) too, but other users may need the boundaries.
            TxtRecord txt;
            for (std::size_t i = 0; i < count; ++i) {
                const ldns_rdf* rdf = ldns_rr_rdf(rr, i);
                const auto size = ldns_rdf_size(rdf);
                const auto* data = ldns_rdf_data(rdf);
                if (size == 0 || static_cast<std::size_t>(data[0]) + 1 != size)
                    return false;
                txt.strings.emplace_back(reinterpret_cast<const char*>(data) + 1, data[0]);
            }
            answer.txt.push_back(std::move(txt));
            return true;
        }
        case LDNS_RR_TYPE_NS:
        case LDNS_RR_TYPE_CNAME:
        case LDNS_RR_TYPE_PTR:
        case LDNS_RR_TYPE_SOA: {
            // SOA: the primary server name (MNAME) stands for the record.
            if (count < 1)
                return false;
            answer.names.push_back(rdf_name(ldns_rr_rdf(rr, 0)));
            return true;
        }
        default:
            return false;
    }
}

std::uint32_t negative_ttl(const ldns_rr* soa) {
    // SOA rdata: MNAME RNAME SERIAL REFRESH RETRY EXPIRE MINIMUM
    if (!soa || ldns_rr_rd_count(soa) < 7)
        return 0;
    return std::min(ldns_rr_ttl(soa), ldns_rdf2native_int32(ldns_rr_rdf(soa, 6)));
}

Answer make_answer(std::string name, RecordType type, DnsStatus status, std::string detail) {
    Answer answer;
    answer.status = status;
    answer.canonical_name = name;
    answer.name = std::move(name);
    answer.type = type;
    answer.detail = std::move(detail);
    return answer;
}

std::vector<Server> parse_resolv_conf(std::string_view text) {
    std::vector<Server> servers;
    while (!text.empty()) {
        const auto eol = text.find('\n');
        auto line = text.substr(0, eol);
        text = eol == std::string_view::npos ? std::string_view{} : text.substr(eol + 1);
        constexpr std::string_view keyword = "nameserver";
        if (!line.starts_with(keyword))
            continue;
        line.remove_prefix(keyword.size());
        if (line.empty() || (line.front() != ' ' && line.front() != '\t'))
            continue;
        while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) {
            line.remove_prefix(1);
        }
        auto end = line.find_first_of(" \t\r#;");
        auto address = line.substr(0, end);
        // resolv.conf carries bare addresses; an IPv6 zone index ("fe80::1%eth0") is
        // not usable by ldns and is dropped.
        if (const auto pct = address.find('%'); pct != std::string_view::npos)
            continue;
        try {
            auto server = Server::parse(address);
            if (server.port == 53)
                servers.push_back(std::move(server));
        } catch (const DnsConfigError&) {
            // glibc ignores lines it cannot parse; so do we
        }
    }
    return servers;
}

std::string type_name(RecordType type) {
    const auto name = to_string(type);
    if (name != "unknown")
        return std::string(name);
    return std::to_string(static_cast<unsigned>(type));
}

std::optional<RecordType> parse_type_name(std::string_view text) {
    static constexpr std::array all{RecordType::A,   RecordType::NS,   RecordType::CNAME,
                                    RecordType::SOA, RecordType::PTR,  RecordType::MX,
                                    RecordType::TXT, RecordType::AAAA, RecordType::SPF};
    for (auto t : all) {
        if (to_string(t) == text)
            return t;
    }
    unsigned value = 0;
    if (text.empty())
        return std::nullopt;
    for (char c : text) {
        if (c < '0' || c > '9')
            return std::nullopt;
        value = value * 10 + static_cast<unsigned>(c - '0');
        if (value > 65535)
            return std::nullopt;
    }
    return static_cast<RecordType>(value);
}

}  // namespace mailverdict::dns::detail
