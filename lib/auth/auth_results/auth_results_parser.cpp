// Authentication-Results parser: RFC 8601 2.2 ABNF, CFWS of RFC 5322 3.2.2, value of
// RFC 2045 5.1; lenient mode for what real receivers write (see auth_results.hpp).
#include <mailverdict/auth/auth_results.hpp>

#include <boost/throw_exception.hpp>

#include <algorithm>
#include <stdexcept>

namespace mailverdict::authres {

namespace {

bool is_wsp(char c) noexcept {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}
bool is_alnum(char c) noexcept {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}
bool is_digit(char c) noexcept {
    return c >= '0' && c <= '9';
}
// RFC 2045 5.1 tspecials.
bool is_tspecial(char c) noexcept {
    return std::string_view("()<>@,;:\\\"/[]?=").find(c) != std::string_view::npos;
}
bool is_token_char(char c) noexcept {
    const auto u = static_cast<unsigned char>(c);
    return u > 0x20 && u < 0x7f && !is_tspecial(c);
}
std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) {
        if (c >= 'A' && c <= 'Z') {
            c = static_cast<char>(c - 'A' + 'a');
        }
    }
    return out;
}

class Parser {
public:
    Parser(std::string_view text, Mode mode) : s_(text), mode_(mode) {}

    boost::system::result<AuthenticationResults, ParseError> run();

private:
    [[nodiscard]] bool at_end() const noexcept { return i_ >= s_.size(); }
    [[nodiscard]] char peek() const noexcept { return at_end() ? '\0' : s_[i_]; }
    [[nodiscard]] bool lenient() const noexcept { return mode_ == Mode::lenient; }

    ParseError error(std::string message) const { return ParseError{i_, std::move(message)}; }

    // CFWS: whitespace (folds included) and nested comments; comments go to `sink`.
    bool skip_cfws(std::vector<std::string>* sink) {
        while (!at_end()) {
            if (is_wsp(peek())) {
                ++i_;
            } else if (peek() == '(') {
                std::string comment;
                if (!read_comment(comment)) {
                    return false;
                }
                if (sink != nullptr) {
                    sink->push_back(std::move(comment));
                }
            } else {
                break;
            }
        }
        return true;
    }

    // RFC 5322 3.2.2 comment, with nesting and quoted-pairs; the text without the outer
    // parentheses, inner whitespace runs kept as written (folds become one space).
    bool read_comment(std::string& out) {
        const std::size_t start = i_;
        int depth = 0;
        while (!at_end()) {
            char c = s_[i_];
            if (c == '\\' && i_ + 1 < s_.size()) {
                const char quoted = s_[i_ + 1];
                i_ += 2;
                if (quoted != '\r' && quoted != '\n') {
                    if (depth > 0) {
                        out.push_back(quoted);
                    }
                    continue;
                }
                c = quoted;  // a quoted CR or LF is folding whitespace like any other
            } else {
                ++i_;
            }
            if (c == '(') {
                if (depth > 0) {
                    out.push_back(c);
                }
                ++depth;
            } else if (c == ')') {
                --depth;
                if (depth == 0) {
                    return true;
                }
                out.push_back(c);
            } else if (c == '\r' || c == '\n') {
                if (out.empty() || out.back() != ' ') {
                    out.push_back(' ');
                }
            } else {
                out.push_back(c);
            }
        }
        i_ = start;
        return false;
    }

    // RFC 5322 quoted-string; the content unquoted.
    bool read_quoted(std::string& out) {
        const std::size_t start = i_;
        ++i_;  // opening quote
        while (!at_end()) {
            const char c = s_[i_];
            if (c == '\\' && i_ + 1 < s_.size()) {
                // CR and LF are never kept (folds), quoted or not.
                if (s_[i_ + 1] != '\r' && s_[i_ + 1] != '\n') {
                    out.push_back(s_[i_ + 1]);
                }
                i_ += 2;
                continue;
            }
            ++i_;
            if (c == '"') {
                return true;
            }
            if (c != '\r' && c != '\n') {
                out.push_back(c);
            }
        }
        i_ = start;
        return false;
    }

    // RFC 5321 Keyword (Ldh-str); '_' too, which some receivers use in method names.
    std::string_view read_keyword() {
        const std::size_t start = i_;
        while (!at_end() && (is_alnum(peek()) || peek() == '-' || peek() == '_')) {
            ++i_;
        }
        return s_.substr(start, i_ - start);
    }

    std::string_view read_token() {
        const std::size_t start = i_;
        while (!at_end() && is_token_char(peek())) {
            ++i_;
        }
        return s_.substr(start, i_ - start);
    }

    // value = token / quoted-string
    bool read_value(std::string& out) {
        if (peek() == '"') {
            return read_quoted(out);
        }
        const auto t = read_token();
        out = std::string(t);
        return !t.empty();
    }

    // pvalue = [CFWS] ( value / [ [ local-part ] "@" ] domain-name ) [CFWS]: here a
    // quoted-string, or a run of characters up to whitespace, ';' or '(' (covers tokens,
    // addresses, domains, base64 header.b values and IPv6 literals).
    bool read_pvalue(std::string& out) {
        if (peek() == '"') {
            return read_quoted(out);
        }
        const std::size_t start = i_;
        while (!at_end() && !is_wsp(peek()) && peek() != ';' && peek() != '(' && peek() != '"') {
            ++i_;
        }
        out = std::string(s_.substr(start, i_ - start));
        return !out.empty();
    }

    // Does a methodspec start here? keyword [CFWS] ["/" ...] [CFWS] "=".
    bool looks_like_methodspec() {
        const std::size_t save = i_;
        const auto kw = read_keyword();
        bool yes = false;
        if (!kw.empty() && skip_cfws(nullptr)) {
            if (peek() == '/') {
                yes = true;
            } else {
                yes = peek() == '=';
            }
        }
        i_ = save;
        return yes;
    }

    bool parse_resinfo(ResultInfo& r, AuthenticationResults& out);

    std::string_view s_;
    Mode mode_;
    std::size_t i_ = 0;
    ParseError last_error_;
};

bool Parser::parse_resinfo(ResultInfo& r, AuthenticationResults& out) {
    // methodspec = [CFWS] method [CFWS] "=" [CFWS] result
    const auto method = read_keyword();
    if (method.empty()) {
        last_error_ = error("expected a method name");
        return false;
    }
    r.method = lower(method);
    if (!skip_cfws(&r.comments)) {
        last_error_ = error("unterminated comment");
        return false;
    }
    if (peek() == '/') {
        ++i_;
        if (!skip_cfws(&r.comments)) {
            last_error_ = error("unterminated comment");
            return false;
        }
        const std::size_t start = i_;
        while (!at_end() && is_digit(peek())) {
            ++i_;
        }
        if (i_ == start || i_ - start > 9) {
            last_error_ = error("expected a method version");
            return false;
        }
        r.method_version =
            static_cast<unsigned>(std::stoul(std::string(s_.substr(start, i_ - start))));
        if (!skip_cfws(&r.comments)) {
            last_error_ = error("unterminated comment");
            return false;
        }
    }
    if (peek() != '=') {
        last_error_ = error("expected '=' after method '" + r.method + "'");
        return false;
    }
    ++i_;
    if (!skip_cfws(&r.comments)) {
        last_error_ = error("unterminated comment");
        return false;
    }
    const auto result = read_keyword();
    if (result.empty()) {
        last_error_ = error("expected a result for method '" + r.method + "'");
        return false;
    }
    r.result = lower(result);
    // [CFWS reasonspec] [CFWS 1*propspec]; in lenient mode also key=value extras.
    while (true) {
        if (!skip_cfws(&r.comments)) {
            last_error_ = error("unterminated comment");
            return false;
        }
        if (at_end() || peek() == ';') {
            return true;
        }
        const std::size_t word_start = i_;
        const auto word = read_keyword();
        if (word.empty()) {
            last_error_ = error("unexpected character '" + std::string(1, peek()) + "'");
            return false;
        }
        if (!skip_cfws(&r.comments)) {
            last_error_ = error("unterminated comment");
            return false;
        }
        const std::string key = lower(word);
        if (peek() == '=' && key == "reason" && !r.reason && r.properties.empty()) {
            ++i_;
            if (!skip_cfws(&r.comments)) {
                last_error_ = error("unterminated comment");
                return false;
            }
            std::string v;
            if (!read_value(v)) {
                last_error_ = error("expected a reason value");
                return false;
            }
            r.reason = std::move(v);
            continue;
        }
        if (peek() == '.') {
            ++i_;
            if (!skip_cfws(&r.comments)) {
                last_error_ = error("unterminated comment");
                return false;
            }
            const auto prop = read_keyword();
            if (prop.empty()) {
                last_error_ = error("expected a property name after '" + key + ".'");
                return false;
            }
            if (!skip_cfws(&r.comments)) {
                last_error_ = error("unterminated comment");
                return false;
            }
            if (peek() != '=') {
                last_error_ = error("expected '=' after '" + key + "." + lower(prop) + "'");
                return false;
            }
            ++i_;
            if (!skip_cfws(&r.comments)) {
                last_error_ = error("unterminated comment");
                return false;
            }
            std::string v;
            if (!read_pvalue(v)) {
                last_error_ = error("expected a value for '" + key + "." + lower(prop) + "'");
                return false;
            }
            r.properties.push_back(Property{key, lower(prop), std::move(v)});
            continue;
        }
        if (peek() == '=' && lenient()) {
            // Microsoft: "action=none", a second "reason=" and other key=value words.
            ++i_;
            if (!skip_cfws(&r.comments)) {
                last_error_ = error("unterminated comment");
                return false;
            }
            std::string v;
            if (!read_pvalue(v)) {
                last_error_ = error("expected a value for '" + key + "'");
                return false;
            }
            if (key == "reason" && !r.reason) {
                r.reason = std::move(v);
            } else {
                r.extras.push_back(Extra{key, std::move(v)});
            }
            out.deviations.push_back("'" + key + "=' outside the RFC 8601 grammar in " + r.method);
            continue;
        }
        i_ = word_start;
        last_error_ = error(lenient() ? "expected ptype.property=value"
                                      : "expected reason= or ptype.property=value");
        return false;
    }
}

boost::system::result<AuthenticationResults, ParseError> Parser::run() {
    AuthenticationResults out;
    if (!skip_cfws(&out.comments)) {
        return error("unterminated comment");
    }
    bool first_without_semicolon = false;
    // authserv-id = value; lenient mode accepts a header that starts with a methodspec
    // (Microsoft's) or with ';'.
    if (lenient() && looks_like_methodspec()) {
        first_without_semicolon = true;
        out.deviations.push_back("no authserv-id");
    } else if (lenient() && peek() == ';') {
        out.deviations.push_back("empty authserv-id");
    } else {
        std::string id;
        if (!read_value(id) || id.empty()) {
            return error("expected an authserv-id");
        }
        if (lenient() && peek() == '/') {
            // OpenDKIM's AuthservIDWithJobID writes "host/jobid".
            const std::size_t start = i_;
            while (!at_end() && !is_wsp(peek()) && peek() != ';' && peek() != '(') {
                ++i_;
            }
            id += std::string(s_.substr(start, i_ - start));
            out.deviations.push_back("'/' in the authserv-id");
        }
        out.authserv_id = std::move(id);
        if (!skip_cfws(&out.comments)) {
            return error("unterminated comment");
        }
        // [ CFWS authres-version ]
        if (is_digit(peek())) {
            const std::size_t start = i_;
            while (!at_end() && is_digit(peek())) {
                ++i_;
            }
            if (i_ - start > 9) {
                return ParseError{start, "authres-version too long"};
            }
            out.version =
                static_cast<unsigned>(std::stoul(std::string(s_.substr(start, i_ - start))));
            if (!skip_cfws(&out.comments)) {
                return error("unterminated comment");
            }
        }
    }
    while (true) {
        if (!skip_cfws(&out.comments)) {
            return error("unterminated comment");
        }
        if (at_end()) {
            break;
        }
        if (first_without_semicolon) {
            first_without_semicolon = false;
        } else {
            if (peek() != ';') {
                return error("expected ';'");
            }
            ++i_;
            if (!skip_cfws(&out.comments)) {
                return error("unterminated comment");
            }
            if (at_end()) {
                if (lenient()) {
                    out.deviations.push_back("trailing ';'");
                    break;
                }
                return error("expected a result after ';'");
            }
            if (peek() == ';') {
                if (lenient()) {
                    out.deviations.push_back("empty result between ';'");
                    continue;
                }
                return error("empty result between ';'");
            }
        }
        // no-result = [CFWS] ";" [CFWS] "none": only as the whole payload.
        {
            const std::size_t save = i_;
            const auto kw = read_keyword();
            const std::size_t after = i_;
            if (lower(kw) == "none" && out.results.empty() && skip_cfws(&out.comments) &&
                at_end()) {
                out.no_result = true;
                break;
            }
            i_ = save;
            (void)after;
        }
        if (lenient() && !looks_like_methodspec()) {
            // Microsoft repeats the recipient organisation's domain between results
            // ("...; contoso.com; dkim=..."): skip the bare word up to the next ';'.
            const std::size_t start = i_;
            while (!at_end() && peek() != ';') {
                if (peek() == '(') {
                    std::string ignored;
                    if (!read_comment(ignored)) {
                        return error("unterminated comment");
                    }
                    continue;
                }
                if (peek() == '"') {
                    std::string ignored;
                    if (!read_quoted(ignored)) {
                        return error("unterminated quoted string");
                    }
                    continue;
                }
                ++i_;
            }
            std::string_view skipped = s_.substr(start, i_ - start);
            while (!skipped.empty() && is_wsp(skipped.back())) {
                skipped.remove_suffix(1);
            }
            out.deviations.push_back("skipped '" + std::string(skipped) + "'");
            continue;
        }
        if (out.results.size() >= max_results_per_header) {
            return error("more than " + std::to_string(max_results_per_header) + " results");
        }
        ResultInfo r;
        if (!parse_resinfo(r, out)) {
            return last_error_;
        }
        out.results.push_back(std::move(r));
    }
    if (out.results.empty() && !out.no_result) {
        if (!lenient()) {
            return error("no result (expected '; none' or at least one method)");
        }
        out.deviations.push_back("no result");
    }
    return out;
}

}  // namespace

std::string ParseError::to_string() const {
    return message + " at offset " + std::to_string(offset);
}

void throw_exception_from_error(const ParseError& error, const boost::source_location& location) {
    boost::throw_exception(std::invalid_argument("Authentication-Results: " + error.to_string()),
                           location);
}

bool is_token(std::string_view value) noexcept {
    return !value.empty() && std::all_of(value.begin(), value.end(), is_token_char);
}

boost::system::result<AuthenticationResults, ParseError> parse(std::string_view value, Mode mode) {
    return Parser(value, mode).run();
}

const Property* ResultInfo::find(std::string_view ptype, std::string_view property) const {
    for (const auto& p : properties) {
        if (iequals(p.ptype, ptype) && iequals(p.property, property)) {
            return &p;
        }
    }
    return nullptr;
}

std::string_view ResultInfo::value(std::string_view ptype, std::string_view property) const {
    const Property* p = find(ptype, property);
    return p == nullptr ? std::string_view() : std::string_view(p->value);
}

std::string_view ResultInfo::extra(std::string_view key) const {
    for (const auto& e : extras) {
        if (iequals(e.key, key)) {
            return e.value;
        }
    }
    return {};
}

const ResultInfo* AuthenticationResults::find(std::string_view method) const {
    for (const auto& r : results) {
        if (iequals(r.method, method)) {
            return &r;
        }
    }
    return nullptr;
}

std::vector<const ResultInfo*> AuthenticationResults::find_all(std::string_view method) const {
    std::vector<const ResultInfo*> out;
    for (const auto& r : results) {
        if (iequals(r.method, method)) {
            out.push_back(&r);
        }
    }
    return out;
}

std::optional<TrustedResults> find_trusted(const Message& message, const TrustOptions& options) {
    const auto& fields = message.fields();
    for (std::size_t i = 0; i < fields.size(); ++i) {
        if (!iequals(fields[i].name, "Authentication-Results")) {
            continue;
        }
        auto parsed = parse(fields[i].value(), Mode::lenient);
        if (!parsed) {
            continue;
        }
        const std::string& id = parsed->authserv_id;
        const bool by_id =
            !id.empty() && std::any_of(options.authserv_ids.begin(), options.authserv_ids.end(),
                                       [&](const std::string& t) { return iequals(t, id); });
        const bool by_microsoft = id.empty() && options.trust_microsoft;
        if (by_id || by_microsoft) {
            return TrustedResults{i, std::move(*parsed), by_microsoft};
        }
    }
    return std::nullopt;
}

}  // namespace mailverdict::authres
