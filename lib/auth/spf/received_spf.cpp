// RFC 7208 9.1 Received-SPF and RFC 8601 2.7.2 Authentication-Results renderings.
#include <mailverdict/auth/spf.hpp>

namespace mailverdict::spf {

namespace {

// RFC 5322 3.2.3 atext
bool is_atext(char c) noexcept {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
        return true;
    }
    constexpr std::string_view specials = "!#$%&'*+-/=?^_`{|}~";
    return specials.find(c) != std::string_view::npos;
}

bool is_dot_atom(std::string_view s) noexcept {
    if (s.empty() || s.front() == '.' || s.back() == '.') {
        return false;
    }
    char previous = 0;
    for (char c : s) {
        if (c == '.' ? previous == '.' : !is_atext(c)) {
            return false;
        }
        previous = c;
    }
    return true;
}

// RFC 5322 3.2.4 quoted-string; characters that cannot appear (CR, LF, NUL) are dropped.
void append_quoted(std::string_view s, std::string& out) {
    out.push_back('"');
    for (char c : s) {
        if (c == '\r' || c == '\n' || c == '\0') {
            continue;
        }
        if (c == '"' || c == '\\') {
            out.push_back('\\');
        }
        out.push_back(c);
    }
    out.push_back('"');
}

// RFC 7208 9.1: key-value-pair = key [CFWS] "=" ( dot-atom / quoted-string )
void append_pair(std::string& out, std::string_view key, std::string_view value, bool quote) {
    out += ' ';
    out += key;
    out += '=';
    if (!quote && is_dot_atom(value)) {
        out += value;
    } else {
        append_quoted(value, out);
    }
    out += ';';
}

// RFC 5322 3.2.2 comment text: parentheses and backslashes are quoted-pairs.
void append_comment_text(std::string_view s, std::string& out) {
    for (char c : s) {
        if (c == '\r' || c == '\n' || c == '\0') {
            continue;
        }
        if (c == '(' || c == ')' || c == '\\') {
            out.push_back('\\');
        }
        out.push_back(c);
    }
}

}  // namespace

std::string received_spf(const SpfResult& r) {
    const std::string ip = r.client_ip.to_string();
    const std::string& who = r.identity == Identity::helo ? r.helo : r.sender;
    std::string comment;
    comment += r.receiver;
    comment += ": ";
    switch (r.result) {
        case Result::pass:
            comment += "domain of " + who + " designates " + ip + " as permitted sender";
            break;
        case Result::fail:
            comment += "domain of " + who + " does not designate " + ip + " as permitted sender";
            break;
        case Result::softfail:
            comment += "domain of transitioning " + who + " does not designate " + ip +
                       " as permitted sender";
            break;
        case Result::neutral:
            comment += ip + " is neither permitted nor denied by domain of " + who;
            break;
        case Result::none:
            comment += "domain of " + who + " does not designate permitted sender hosts";
            break;
        case Result::temperror:
            comment += "error in processing during lookup of " + who + ": " + r.problem;
            break;
        case Result::permerror:
            comment += "permanent error in processing domain of " + who + ": " + r.problem;
            break;
    }
    std::string out = "Received-SPF: ";
    out += to_string(r.result);
    out += " (";
    append_comment_text(comment, out);
    out += ')';
    // RFC 7208 9.1: client-ip, envelope-from, helo, problem, receiver, identity,
    // mechanism.
    append_pair(out, "client-ip", ip, false);
    append_pair(out, "envelope-from", r.mail_from.empty() ? "<>" : r.mail_from, true);
    if (!r.helo.empty()) {
        append_pair(out, "helo", r.helo, false);
    }
    if (!r.problem.empty() && (r.result == Result::temperror || r.result == Result::permerror)) {
        append_pair(out, "problem", r.problem, true);
    }
    append_pair(out, "receiver", r.receiver, false);
    append_pair(out, "identity", to_string(r.identity), false);
    if (!r.mechanism.empty()) {
        // RFC 7208 9.1: "mechanism: the mechanism that matched (if no mechanisms
        // matched, substitute the word "default")".
        append_pair(out, "mechanism", r.mechanism, false);
    }
    out.pop_back();  // the last ';'
    return out;
}

AuthResultsProperty auth_results_property(const SpfResult& r) {
    AuthResultsProperty p;
    if (r.identity == Identity::helo) {
        p.property = "helo";
        p.value = r.helo;
    } else {
        // RFC 8601 2.7.2: smtp.mailfrom; the domain checked, as Microsoft reports it.
        p.property = "mailfrom";
        p.value = r.domain;
    }
    return p;
}

std::string auth_results_spf(const SpfResult& r) {
    const AuthResultsProperty p = auth_results_property(r);
    std::string out = "spf=";
    out += to_string(r.result);
    out += ' ';
    out += p.ptype;
    out += '.';
    out += p.property;
    out += '=';
    out += p.value;
    return out;
}

}  // namespace mailverdict::spf
