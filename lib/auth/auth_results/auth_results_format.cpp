// Authentication-Results formatter: RFC 8601 2.2, values quoted as RFC 2045 5.1 requires.
#include <mailverdict/auth/auth_results.hpp>

#include <algorithm>

namespace mailverdict::authres {

namespace {

std::string quoted(std::string_view v) {
    std::string out = "\"";
    for (char c : v) {
        if (c == '"' || c == '\\') {
            out.push_back('\\');
        }
        if (c != '\r' && c != '\n') {
            out.push_back(c);
        }
    }
    out.push_back('"');
    return out;
}

std::string value_text(std::string_view v) {
    return is_token(v) ? std::string(v) : quoted(v);
}

bool is_atext_dot(std::string_view s) noexcept {
    // dot-atom-text (RFC 5322 3.2.3): atext and inner dots.
    if (s.empty() || s.front() == '.' || s.back() == '.') {
        return false;
    }
    return std::all_of(s.begin(), s.end(), [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return (u > 0x20 && u < 0x7f &&
                std::string_view("()<>[]:;@\\,\"").find(c) == std::string_view::npos);
    });
}

// pvalue = value / [ [ local-part ] "@" ] domain-name: addresses and "@domain" may stay
// unquoted (RFC 8601 2.2).
std::string pvalue_text(std::string_view v) {
    if (is_token(v)) {
        return std::string(v);
    }
    const auto at = v.rfind('@');
    if (at != std::string_view::npos) {
        const auto local = v.substr(0, at);
        const auto domain = v.substr(at + 1);
        if ((local.empty() || is_atext_dot(local)) && is_atext_dot(domain) &&
            domain.find('@') == std::string_view::npos) {
            return std::string(v);
        }
    }
    return quoted(v);
}

std::string comment_text(std::string_view c) {
    std::string out = "(";
    for (char ch : c) {
        if (ch == '(' || ch == ')' || ch == '\\') {
            out.push_back('\\');
        }
        if (ch != '\r' && ch != '\n') {
            out.push_back(ch);
        }
    }
    out.push_back(')');
    return out;
}

}  // namespace

std::string format_result(const ResultInfo& r) {
    std::string s = r.method;
    if (r.method_version) {
        s += "/" + std::to_string(*r.method_version);
    }
    s += "=" + r.result;
    for (const auto& c : r.comments) {
        s += " " + comment_text(c);
    }
    if (r.reason) {
        s += " reason=" + value_text(*r.reason);
    }
    for (const auto& e : r.extras) {
        s += " " + e.key + "=" + pvalue_text(e.value);
    }
    for (const auto& p : r.properties) {
        s += " " + p.ptype + "." + p.property + "=" + pvalue_text(p.value);
    }
    return s;
}

std::string format(const AuthenticationResults& results, const FormatOptions& options) {
    std::string s = results.authserv_id.empty() ? std::string() : value_text(results.authserv_id);
    if (results.version) {
        s += " " + std::to_string(*results.version);
    }
    const std::string sep = options.fold ? ";" + options.line_end + options.indent : "; ";
    if (results.results.empty()) {
        return s + "; none";
    }
    for (std::size_t i = 0; i < results.results.size(); ++i) {
        if (i == 0 && results.authserv_id.empty()) {
            s += format_result(results.results[i]);  // Microsoft's id-less layout
            continue;
        }
        s += sep + format_result(results.results[i]);
    }
    return s;
}

std::string format_field(const AuthenticationResults& results, const FormatOptions& options) {
    return "Authentication-Results: " + format(results, options);
}

}  // namespace mailverdict::authres
