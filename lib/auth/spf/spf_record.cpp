// RFC 7208 4.5, 4.6, 5, 6, 12: SPF record syntax.
#include <mailverdict/auth/spf.hpp>
#include <mailverdict/message/message.hpp>

#include "auth/ascii.hpp"

#include "auth/spf/spf_macro.hpp"

#include <boost/asio/ip/address_v6.hpp>
#include <boost/throw_exception.hpp>

#include <array>
#include <limits>
#include <stdexcept>

namespace mailverdict::spf {

namespace {

using ascii::is_alpha;
using ascii::is_digit;
using mailverdict::iequals;

// RFC 7208 12: ip4-cidr-length = "/" ("0" / %x31-39 0*1DIGIT), value 0-32, and
// ip6-cidr-length = "/" ("0" / %x31-39 0*2DIGIT), value 0-128. No leading zeros.
std::optional<unsigned> parse_cidr(std::string_view digits, unsigned max) noexcept {
    if (digits.empty() || digits.size() > 3 || (digits.size() > 1 && digits[0] == '0')) {
        return std::nullopt;
    }
    unsigned value = 0;
    for (char c : digits) {
        if (!is_digit(c)) {
            return std::nullopt;
        }
        value = value * 10 + static_cast<unsigned>(c - '0');
    }
    if (value > max) {
        return std::nullopt;
    }
    return value;
}

// RFC 7208 12: ip4-network = qnum "." qnum "." qnum "." qnum, qnum 0-255 without
// leading zeros.
std::optional<boost::asio::ip::address> parse_ip4(std::string_view text) noexcept {
    boost::asio::ip::address_v4::bytes_type bytes{};
    std::size_t part = 0;
    std::size_t i = 0;
    while (true) {
        const std::size_t start = i;
        unsigned value = 0;
        while (i < text.size() && is_digit(text[i]) && i - start < 3) {
            value = value * 10 + static_cast<unsigned>(text[i] - '0');
            ++i;
        }
        const std::size_t len = i - start;
        if (len == 0 || value > 255 || (len > 1 && text[start] == '0')) {
            return std::nullopt;
        }
        bytes[part++] = static_cast<unsigned char>(value);
        if (part == 4) {
            break;
        }
        if (i >= text.size() || text[i] != '.') {
            return std::nullopt;
        }
        ++i;
    }
    if (i != text.size()) {
        return std::nullopt;
    }
    return boost::asio::ip::address(boost::asio::ip::address_v4(bytes));
}

// RFC 7208 12: ip6-network = <as per RFC 4291 2.2>. inet_pton's grammar, minus the
// scope ids Boost would accept.
std::optional<boost::asio::ip::address> parse_ip6(std::string_view text) noexcept {
    if (text.empty() || text.size() > 45) {
        return std::nullopt;
    }
    for (char c : text) {
        if (!(is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == ':' ||
              c == '.')) {
            return std::nullopt;
        }
    }
    boost::system::error_code ec;
    const auto v6 = boost::asio::ip::make_address_v6(std::string(text), ec);
    if (ec) {
        return std::nullopt;
    }
    return boost::asio::ip::address(v6);
}

struct MechanismName {
    std::string_view name;
    MechanismKind kind;
};
constexpr std::array<MechanismName, 8> mechanism_names{{
    {"all", MechanismKind::all},
    {"include", MechanismKind::include},
    {"a", MechanismKind::a},
    {"mx", MechanismKind::mx},
    {"ptr", MechanismKind::ptr},
    {"ip4", MechanismKind::ip4},
    {"ip6", MechanismKind::ip6},
    {"exists", MechanismKind::exists},
}};

}  // namespace

// Builds an SpfRecord term by term; friend of SpfRecord.
class SpfRecordParser {
public:
    explicit SpfRecordParser(std::string_view text) { record_.text_.assign(text); }

    SpfParseResult run() {
        const std::string_view text = record_.text_;
        if (text.size() > std::numeric_limits<std::uint32_t>::max()) {
            return fail(0, "", "record too long");
        }
        if (!SpfRecord::is_spf1(text)) {
            return fail(0, text.substr(0, text.find(' ')), "not an SPF version 1 record");
        }
        // RFC 7208 12: record = version terms *SP; terms = *( 1*SP ( directive / modifier ) )
        std::size_t pos = 6;
        while (pos < text.size()) {
            if (text[pos] == ' ') {
                ++pos;
                continue;
            }
            std::size_t end = text.find(' ', pos);
            if (end == std::string_view::npos) {
                end = text.size();
            }
            if (auto error = parse_term(pos, end)) {
                return *error;
            }
            pos = end;
        }
        return std::move(record_);
    }

private:
    SpfRecord record_;

    static SpfParseError fail(std::size_t offset, std::string_view term, std::string_view message) {
        return SpfParseError{offset, std::string(term), std::string(message)};
    }

    TextSpan span(std::size_t offset, std::size_t length) const noexcept {
        return TextSpan{static_cast<std::uint32_t>(offset), static_cast<std::uint32_t>(length)};
    }

    std::optional<SpfParseError> check_domain_spec(std::size_t term_offset, std::string_view term,
                                                   std::string_view spec) const {
        if (auto error = detail::check_macro_string(spec, detail::MacroContext::domain_spec)) {
            std::string message = "invalid domain-spec: ";
            message += error->message;
            return fail(term_offset, term, message);
        }
        return std::nullopt;
    }

    std::optional<SpfParseError> parse_term(std::size_t begin, std::size_t end) {
        const std::string_view text = record_.text_;
        const std::string_view term = text.substr(begin, end - begin);
        // RFC 7208 12: modifier = redirect / explanation / unknown-modifier, where
        // name = ALPHA *( ALPHA / DIGIT / "-" / "_" / "." ) followed by "=".
        if (is_alpha(term[0])) {
            std::size_t n = 1;
            while (n < term.size() && (is_alpha(term[n]) || is_digit(term[n]) || term[n] == '-' ||
                                       term[n] == '_' || term[n] == '.')) {
                ++n;
            }
            if (n < term.size() && term[n] == '=') {
                return parse_modifier(begin, term, term.substr(0, n), n + 1);
            }
        }
        return parse_directive(begin, term);
    }

    std::optional<SpfParseError> parse_modifier(std::size_t begin, std::string_view term,
                                                std::string_view name, std::size_t value_at) {
        const std::string_view value = term.substr(value_at);
        const TextSpan value_span = span(begin + value_at, value.size());
        if (iequals(name, "redirect") || iequals(name, "exp")) {
            const bool redirect = iequals(name, "redirect");
            // RFC 7208 6: "redirect" and "exp" MUST NOT appear more than once each.
            if (redirect ? record_.has_redirect_ : record_.has_explanation_) {
                return fail(
                    begin, term,
                    redirect ? "redirect= appears more than once" : "exp= appears more than once");
            }
            if (auto error = check_domain_spec(begin, term, value)) {
                return error;
            }
            if (redirect) {
                record_.has_redirect_ = true;
                record_.redirect_ = value_span;
                record_.redirect_term_ = span(begin, term.size());
            } else {
                record_.has_explanation_ = true;
                record_.explanation_ = value_span;
            }
            return std::nullopt;
        }
        // RFC 7208 6: unknown modifiers are ignored, but their value must still be a
        // macro-string (RFC 7208 12: unknown-modifier = name "=" macro-string).
        if (auto error =
                detail::check_macro_string(value, detail::MacroContext::unknown_modifier)) {
            std::string message = "invalid modifier value: ";
            message += error->message;
            return fail(begin, term, message);
        }
        record_.unknown_modifiers_.push_back(span(begin, term.size()));
        return std::nullopt;
    }

    std::optional<SpfParseError> parse_directive(std::size_t begin, std::string_view term) {
        Mechanism m;
        m.term = span(begin, term.size());
        std::size_t i = 0;
        // RFC 7208 4.6.2: qualifier = "+" / "-" / "?" / "~"
        switch (term[0]) {
            case '+':
                m.qualifier = Qualifier::pass;
                ++i;
                break;
            case '-':
                m.qualifier = Qualifier::fail;
                ++i;
                break;
            case '~':
                m.qualifier = Qualifier::softfail;
                ++i;
                break;
            case '?':
                m.qualifier = Qualifier::neutral;
                ++i;
                break;
            default:
                break;
        }
        std::size_t name_end = i;
        while (name_end < term.size() && term[name_end] != ':' && term[name_end] != '/') {
            ++name_end;
        }
        const std::string_view name = term.substr(i, name_end - i);
        bool known = false;
        for (const auto& candidate : mechanism_names) {
            if (iequals(name, candidate.name)) {
                m.kind = candidate.kind;
                known = true;
                break;
            }
        }
        if (!known) {
            return fail(begin, term, "unknown mechanism");
        }
        std::string_view rest = term.substr(name_end);
        const std::size_t rest_offset = begin + name_end;
        switch (m.kind) {
            case MechanismKind::all:
                if (!rest.empty()) {
                    return fail(begin, term, "'all' takes no argument");
                }
                record_.has_all_ = true;
                break;
            case MechanismKind::include:
            case MechanismKind::exists:
                // RFC 7208 5.2, 5.7: include and exists need ":" domain-spec, no CIDR.
                if (rest.size() < 2 || rest[0] != ':') {
                    return fail(begin, term, "mechanism needs ':' and a domain-spec");
                }
                if (auto error = check_domain_spec(begin, term, rest.substr(1))) {
                    return error;
                }
                m.domain_spec = span(rest_offset + 1, rest.size() - 1);
                break;
            case MechanismKind::ptr:
                // RFC 7208 5.5: ptr [ ":" domain-spec ], no CIDR.
                if (!rest.empty()) {
                    if (rest[0] != ':') {
                        return fail(begin, term, "'ptr' takes no CIDR length");
                    }
                    if (auto error = check_domain_spec(begin, term, rest.substr(1))) {
                        return error;
                    }
                    m.domain_spec = span(rest_offset + 1, rest.size() - 1);
                }
                break;
            case MechanismKind::a:
            case MechanismKind::mx: {
                // RFC 7208 5.3, 5.4: [ ":" domain-spec ] [ dual-cidr-length ], where
                // dual-cidr-length = [ ip4-cidr-length ] [ "/" ip6-cidr-length ].
                // A domain-spec cannot end in "/digits" (domain-end), so the CIDR part
                // is what trails the last such suffix.
                if (auto error = take_dual_cidr(begin, term, rest, m)) {
                    return error;
                }
                if (!rest.empty()) {
                    if (rest[0] != ':' || rest.size() < 2) {
                        return fail(begin, term,
                                    rest[0] == ':' ? "empty domain-spec" : "unknown mechanism");
                    }
                    if (auto error = check_domain_spec(begin, term, rest.substr(1))) {
                        return error;
                    }
                    m.domain_spec = span(rest_offset + 1, rest.size() - 1);
                }
                break;
            }
            case MechanismKind::ip4:
            case MechanismKind::ip6: {
                const bool v4 = m.kind == MechanismKind::ip4;
                if (rest.size() < 2 || rest[0] != ':') {
                    return fail(begin, term, "mechanism needs ':' and a network");
                }
                std::string_view network = rest.substr(1);
                std::optional<unsigned> prefix = v4 ? 32U : 128U;
                if (const std::size_t slash = network.find('/'); slash != std::string_view::npos) {
                    prefix = parse_cidr(network.substr(slash + 1), v4 ? 32 : 128);
                    if (!prefix) {
                        return fail(begin, term, "bad CIDR length");
                    }
                    network = network.substr(0, slash);
                }
                const auto address = v4 ? parse_ip4(network) : parse_ip6(network);
                if (!address) {
                    return fail(begin, term, v4 ? "bad IPv4 address" : "bad IPv6 address");
                }
                m.network = *address;
                (v4 ? m.cidr4 : m.cidr6) = static_cast<std::uint8_t>(*prefix);
                break;
            }
        }
        m.domain_has_macros = !detail::is_literal(record_.view(m.domain_spec));
        record_.mechanisms_.push_back(m);
        return std::nullopt;
    }

    // Removes a trailing dual-cidr-length from `rest`, storing the prefixes in `m`.
    std::optional<SpfParseError> take_dual_cidr(std::size_t begin, std::string_view term,
                                                std::string_view& rest, Mechanism& m) const {
        auto trailing_digits = [](std::string_view s) {
            std::size_t n = 0;
            while (n < s.size() && is_digit(s[s.size() - 1 - n])) {
                ++n;
            }
            return n;
        };
        std::size_t n = trailing_digits(rest);
        if (n > 0 && rest.size() >= n + 2 && rest[rest.size() - n - 1] == '/' &&
            rest[rest.size() - n - 2] == '/') {
            const auto v6 = parse_cidr(rest.substr(rest.size() - n), 128);
            if (!v6) {
                return fail(begin, term, "bad IPv6 CIDR length");
            }
            m.cidr6 = static_cast<std::uint8_t>(*v6);
            rest.remove_suffix(n + 2);
            n = trailing_digits(rest);
        }
        if (n > 0 && rest.size() >= n + 1 && rest[rest.size() - n - 1] == '/') {
            const auto v4 = parse_cidr(rest.substr(rest.size() - n), 32);
            if (!v4) {
                return fail(begin, term, "bad IPv4 CIDR length");
            }
            m.cidr4 = static_cast<std::uint8_t>(*v4);
            rest.remove_suffix(n + 1);
        }
        // Anything else ending in "/" ("a/", "a//", "a/x") is not a CIDR length.
        if (!rest.empty() && rest.back() == '/') {
            return fail(begin, term, "bad CIDR length");
        }
        if (!rest.empty() && rest[0] == '/') {
            return fail(begin, term, "bad CIDR length");
        }
        return std::nullopt;
    }
};

std::string SpfParseError::to_string() const {
    std::string out = message;
    if (!term.empty()) {
        out += " '";
        out += term;
        out += "'";
    }
    out += " at offset ";
    out += std::to_string(offset);
    return out;
}

void throw_exception_from_error(const SpfParseError& error,
                                const boost::source_location& location) {
    boost::throw_exception(std::invalid_argument("SPF record: " + error.to_string()), location);
}

bool SpfRecord::is_spf1(std::string_view text) noexcept {
    // RFC 7208 4.5: "the version section is terminated by either an SP character or the
    // end of the record".
    return text.size() >= 6 && iequals(text.substr(0, 6), "v=spf1") &&
           (text.size() == 6 || text[6] == ' ');
}

SpfParseResult SpfRecord::parse(std::string_view text) {
    return SpfRecordParser(text).run();
}

std::optional<std::string_view> SpfRecord::redirect() const noexcept {
    if (!has_redirect_) {
        return std::nullopt;
    }
    return view(redirect_);
}

std::optional<std::string_view> SpfRecord::explanation() const noexcept {
    if (!has_explanation_) {
        return std::nullopt;
    }
    return view(explanation_);
}

std::vector<std::string_view> SpfRecord::unknown_modifiers() const {
    std::vector<std::string_view> out;
    out.reserve(unknown_modifiers_.size());
    for (const auto& s : unknown_modifiers_) {
        out.push_back(view(s));
    }
    return out;
}

std::string_view to_string(Result result) noexcept {
    switch (result) {
        case Result::none:
            return "none";
        case Result::neutral:
            return "neutral";
        case Result::pass:
            return "pass";
        case Result::fail:
            return "fail";
        case Result::softfail:
            return "softfail";
        case Result::temperror:
            return "temperror";
        case Result::permerror:
            return "permerror";
    }
    return "none";
}

Result to_result(Qualifier qualifier) noexcept {
    switch (qualifier) {
        case Qualifier::pass:
            return Result::pass;
        case Qualifier::fail:
            return Result::fail;
        case Qualifier::softfail:
            return Result::softfail;
        case Qualifier::neutral:
            return Result::neutral;
    }
    return Result::neutral;
}

std::string_view to_string(MechanismKind kind) noexcept {
    for (const auto& candidate : mechanism_names) {
        if (candidate.kind == kind) {
            return candidate.name;
        }
    }
    return "";
}

bool queries_dns(MechanismKind kind) noexcept {
    return kind == MechanismKind::include || kind == MechanismKind::a ||
           kind == MechanismKind::mx || kind == MechanismKind::ptr || kind == MechanismKind::exists;
}

std::string_view to_string(Identity identity) noexcept {
    return identity == Identity::helo ? "helo" : "mailfrom";
}

}  // namespace mailverdict::spf
