// DmarcRecord::parse: RFC 7489 6.3 (tags), 6.4 (ABNF), 6.6.3 step 6 (invalid policies),
// RFC 9091 4.1 (np).
#include <mailverdict/auth/dmarc.hpp>

#include <boost/throw_exception.hpp>

#include <algorithm>
#include <stdexcept>

namespace mailverdict::dmarc {

namespace {

bool is_wsp(char c) noexcept {
    return c == ' ' || c == '\t';
}

std::string_view trim_wsp(std::string_view s) noexcept {
    while (!s.empty() && is_wsp(s.front())) {
        s.remove_prefix(1);
    }
    while (!s.empty() && is_wsp(s.back())) {
        s.remove_suffix(1);
    }
    return s;
}

char lower(char c) noexcept {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool iequal(std::string_view a, std::string_view b) noexcept {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(),
                                              [](char x, char y) { return lower(x) == lower(y); });
}

bool is_alpha(char c) noexcept {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool is_digit(char c) noexcept {
    return c >= '0' && c <= '9';
}

// RFC 7489 6.4: dmarc-request = "none" / "quarantine" / "reject" (ABNF strings are
// case-insensitive).
std::optional<Policy> parse_policy(std::string_view v) noexcept {
    if (iequal(v, "none")) {
        return Policy::none;
    }
    if (iequal(v, "quarantine")) {
        return Policy::quarantine;
    }
    if (iequal(v, "reject")) {
        return Policy::reject;
    }
    return std::nullopt;
}

std::optional<std::uint64_t> parse_number(std::string_view v, std::size_t max_digits) noexcept {
    if (v.empty() || v.size() > max_digits) {
        return std::nullopt;
    }
    std::uint64_t n = 0;
    for (char c : v) {
        if (!is_digit(c)) {
            return std::nullopt;
        }
        n = n * 10 + static_cast<std::uint64_t>(c - '0');
    }
    return n;
}

// RFC 3986 3.1: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ), then ":" and at
// least one character; no whitespace. Enough to tell a URI from "dmarc@example.com".
bool is_uri(std::string_view u) noexcept {
    const auto colon = u.find(':');
    if (colon == std::string_view::npos || colon == 0 || colon + 1 >= u.size() || !is_alpha(u[0])) {
        return false;
    }
    for (std::size_t i = 1; i < colon; ++i) {
        const char c = u[i];
        if (!is_alpha(c) && !is_digit(c) && c != '+' && c != '-' && c != '.') {
            return false;
        }
    }
    return std::none_of(u.begin(), u.end(), [](char c) {
        return static_cast<unsigned char>(c) <= 0x20 || static_cast<unsigned char>(c) >= 0x7f;
    });
}

// RFC 7489 6.4: dmarc-uri = URI [ "!" 1*DIGIT [ "k" / "m" / "g" / "t" ] ], comma-separated
// (commas and "!" inside the URI itself must be percent-encoded, 6.2). Invalid URIs are
// dropped with a warning: 6.6.3 step 6 speaks of "at least one syntactically valid
// reporting URI", so a record may carry invalid ones and still be used.
std::vector<ReportUri> parse_uris(std::string_view value, std::string_view tag,
                                  std::vector<std::string>& warnings) {
    std::vector<ReportUri> out;
    std::size_t start = 0;
    while (start <= value.size()) {
        auto comma = value.find(',', start);
        if (comma == std::string_view::npos) {
            comma = value.size();
        }
        std::string_view item = trim_wsp(value.substr(start, comma - start));
        start = comma + 1;
        if (item.empty()) {
            warnings.push_back("empty URI in " + std::string(tag));
            continue;
        }
        ReportUri uri;
        std::string_view body = item;
        bool ok = true;
        if (const auto bang = item.rfind('!'); bang != std::string_view::npos) {
            body = item.substr(0, bang);
            std::string_view size = item.substr(bang + 1);
            std::uint64_t unit = 1;
            if (!size.empty() && !is_digit(size.back())) {
                switch (lower(size.back())) {
                    case 'k':
                        unit = 1ULL << 10U;
                        break;
                    case 'm':
                        unit = 1ULL << 20U;
                        break;
                    case 'g':
                        unit = 1ULL << 30U;
                        break;
                    case 't':
                        unit = 1ULL << 40U;
                        break;
                    default:
                        ok = false;
                        break;
                }
                size.remove_suffix(1);
            }
            const auto n = parse_number(size, 12);
            if (!n) {
                ok = false;
            } else {
                uri.max_bytes = *n * unit;
            }
        }
        if (ok && is_uri(body)) {
            uri.uri = std::string(body);
            out.push_back(std::move(uri));
        } else {
            warnings.push_back("invalid URI '" + std::string(item) + "' in " + std::string(tag) +
                               " ignored");
        }
        if (comma == value.size()) {
            break;
        }
    }
    return out;
}

struct RawTag {
    std::string_view name;
    std::string_view value;
    std::size_t offset = 0;
};

}  // namespace

std::string DmarcParseError::to_string() const {
    std::string s = message;
    if (!tag.empty()) {
        s += " (tag '" + tag + "' at offset " + std::to_string(offset) + ")";
    }
    return s;
}

void throw_exception_from_error(const DmarcParseError& error,
                                const boost::source_location& location) {
    boost::throw_exception(std::invalid_argument("DMARC record: " + error.to_string()), location);
}

bool DmarcRecord::is_dmarc1(std::string_view text) noexcept {
    // dmarc-version = "v" *WSP "=" *WSP %x44 %x4d %x41 %x52 %x43 %x31, then dmarc-sep
    // (*WSP ";") or the end.
    if (text.empty() || lower(text[0]) != 'v') {
        return false;
    }
    std::size_t i = 1;
    while (i < text.size() && is_wsp(text[i])) {
        ++i;
    }
    if (i >= text.size() || text[i] != '=') {
        return false;
    }
    ++i;
    while (i < text.size() && is_wsp(text[i])) {
        ++i;
    }
    if (text.substr(i, 6) != "DMARC1") {
        return false;
    }
    i += 6;
    while (i < text.size() && is_wsp(text[i])) {
        ++i;
    }
    return i == text.size() || text[i] == ';';
}

boost::system::result<DmarcRecord, DmarcParseError> DmarcRecord::parse(std::string_view text) {
    if (!is_dmarc1(text)) {
        return DmarcParseError{0, "", "not a DMARC1 record (must start with v=DMARC1)"};
    }
    // Split into tags at ";" (RFC 7489 6.4: dmarc-sep = *WSP %x3b *WSP). Values cannot
    // contain ";" (URIs must percent-encode it).
    std::vector<RawTag> tags;
    std::size_t start = 0;
    while (start <= text.size()) {
        auto semi = text.find(';', start);
        if (semi == std::string_view::npos) {
            semi = text.size();
        }
        const std::string_view part = text.substr(start, semi - start);
        const std::string_view item = trim_wsp(part);
        const std::size_t offset = start + static_cast<std::size_t>(item.data() - part.data());
        if (!item.empty()) {
            const auto eq = item.find('=');
            if (eq == std::string_view::npos) {
                return DmarcParseError{offset, std::string(item), "tag without '='"};
            }
            const std::string_view name = trim_wsp(item.substr(0, eq));
            const bool name_ok = !name.empty() && is_alpha(name[0]) &&
                                 std::all_of(name.begin(), name.end(), [](char c) {
                                     return is_alpha(c) || is_digit(c) || c == '_';
                                 });
            if (!name_ok) {
                return DmarcParseError{offset, std::string(name), "malformed tag name"};
            }
            tags.push_back(RawTag{name, trim_wsp(item.substr(eq + 1)), offset});
        }
        if (semi == text.size()) {
            break;
        }
        start = semi + 1;
    }

    DmarcRecord r;
    r.text = std::string(text);
    std::vector<std::string> seen;
    bool have_p = false;
    std::string policy_problem;
    for (std::size_t k = 0; k < tags.size(); ++k) {
        const RawTag& t = tags[k];
        // Tag names: the ABNF spells them as quoted strings, so case does not matter.
        std::string name;
        for (char c : t.name) {
            name.push_back(lower(c));
        }
        if (std::find(seen.begin(), seen.end(), name) != seen.end()) {
            return DmarcParseError{t.offset, name, "duplicate tag"};
        }
        seen.push_back(name);
        const auto bad = [&](std::string_view what) {
            return DmarcParseError{t.offset, name,
                                   "invalid " + name + " value '" + std::string(t.value) + "'" +
                                       (what.empty() ? "" : ": " + std::string(what))};
        };
        if (name == "v") {
            continue;  // checked by is_dmarc1; always the first tag
        }
        if (name == "p") {
            have_p = true;
            if (k != 1) {
                // RFC 7489 6.4: dmarc-request comes right after the version. Receivers
                // accept it elsewhere; so do we, with a warning.
                r.warnings.push_back("p= is not the second tag");
            }
            if (auto p = parse_policy(t.value)) {
                r.policy = *p;
            } else {
                policy_problem = "invalid p value '" + std::string(t.value) + "'";
            }
        } else if (name == "sp" || name == "np") {
            auto p = parse_policy(t.value);
            if (!p) {
                // RFC 7489 6.6.3 step 6 names sp=; an invalid np= (RFC 9091) is handled
                // the same way, the tags being alike.
                if (policy_problem.empty()) {
                    policy_problem = "invalid " + name + " value '" + std::string(t.value) + "'";
                }
            } else if (name == "sp") {
                r.subdomain_policy = *p;
            } else {
                r.nonexistent_policy = *p;
            }
        } else if (name == "adkim" || name == "aspf") {
            AlignmentMode mode{};
            if (iequal(t.value, "r")) {
                mode = AlignmentMode::relaxed;
            } else if (iequal(t.value, "s")) {
                mode = AlignmentMode::strict;
            } else {
                return bad("must be r or s");
            }
            (name == "adkim" ? r.dkim_alignment : r.spf_alignment) = mode;
        } else if (name == "pct") {
            // dmarc-percent = "pct" *WSP "=" *WSP 1*3DIGIT, 0..100 (RFC 7489 6.3).
            const auto n = parse_number(t.value, 3);
            if (!n || *n > 100) {
                return bad("must be an integer from 0 to 100");
            }
            r.percent = static_cast<unsigned>(*n);
        } else if (name == "rua") {
            r.aggregate_uris = parse_uris(t.value, "rua", r.warnings);
        } else if (name == "ruf") {
            r.failure_uris = parse_uris(t.value, "ruf", r.warnings);
        } else if (name == "fo") {
            // dmarc-fo = "fo" *WSP "=" *WSP ( "0" / "1" / "d" / "s" ) *(*WSP ":" *WSP (...))
            std::string_view v = t.value;
            bool ok = !v.empty();
            std::size_t i = 0;
            bool want_option = true;
            while (ok && i < v.size()) {
                const char c = lower(v[i]);
                if (is_wsp(c)) {
                    ++i;
                } else if (want_option && (c == '0' || c == '1' || c == 'd' || c == 's')) {
                    want_option = false;
                    ++i;
                } else if (!want_option && c == ':') {
                    want_option = true;
                    ++i;
                } else {
                    ok = false;
                }
            }
            if (!ok || want_option) {
                return bad("options are 0, 1, d, s separated by ':'");
            }
            r.failure_options = std::string(v);
        } else if (name == "rf") {
            // dmarc-rfmt = "rf" *WSP "=" *WSP Keyword *(*WSP ":" Keyword)
            std::vector<std::string> formats;
            std::size_t s = 0;
            while (true) {
                const auto colon = t.value.find(':', s);
                const std::string_view kw = trim_wsp(t.value.substr(
                    s, colon == std::string_view::npos ? std::string_view::npos : colon - s));
                const bool ok = !kw.empty() && std::all_of(kw.begin(), kw.end(), [](char c) {
                    return is_alpha(c) || is_digit(c) || c == '-';
                });
                if (!ok) {
                    return bad("report formats are keywords separated by ':'");
                }
                formats.emplace_back(kw);
                if (colon == std::string_view::npos) {
                    break;
                }
                s = colon + 1;
            }
            r.report_formats = std::move(formats);
        } else if (name == "ri") {
            const auto n = parse_number(t.value, 10);
            if (!n || *n > 0xFFFFFFFFULL) {
                return bad("must be a 32-bit unsigned integer");
            }
            r.report_interval = static_cast<std::uint32_t>(*n);
        } else {
            r.unknown_tags.push_back(name);  // RFC 7489 6.3: "Unknown tags MUST be ignored"
        }
    }
    if (!have_p && policy_problem.empty()) {
        policy_problem = "no p tag";
    }
    if (!policy_problem.empty()) {
        // RFC 7489 6.6.3 step 6: with a valid rua, act as if "v=DMARC1; p=none" was
        // retrieved; otherwise no DMARC processing (reported as permerror, RFC 8601 2.7.4
        // "syntactically incorrect DMARC record").
        if (r.aggregate_uris.empty()) {
            return DmarcParseError{0, "", policy_problem + " and no valid rua URI"};
        }
        DmarcRecord none;
        none.text = r.text;
        none.policy = Policy::none;
        none.aggregate_uris = std::move(r.aggregate_uris);
        none.treated_as_none = true;
        none.policy_problem = policy_problem;
        none.warnings = std::move(r.warnings);
        none.warnings.push_back(policy_problem + ": treated as p=none (RFC 7489 6.6.3)");
        return none;
    }
    return r;
}

}  // namespace mailverdict::dmarc
