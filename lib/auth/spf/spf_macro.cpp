// RFC 7208 7: macro-string grammar, expansion and the domain-spec rules.
#include "auth/spf/spf_macro.hpp"

#include "auth/ascii.hpp"

#include <algorithm>
#include <cstdint>

namespace mailverdict::spf::detail {

namespace {

using ascii::is_alpha;
using ascii::is_digit;
using ascii::to_lower;

// RFC 7208 7.1: macro-literal = %x21-24 / %x26-7E (visible characters except "%").
bool is_macro_literal(unsigned char c) noexcept {
    return (c >= 0x21 && c <= 0x24) || (c >= 0x26 && c <= 0x7e);
}

// RFC 7208 7.1: delimiter = "." / "-" / "+" / "," / "/" / "_" / "="
bool is_delimiter(char c) noexcept {
    return c == '.' || c == '-' || c == '+' || c == ',' || c == '/' || c == '_' || c == '=';
}

// RFC 7208 7.2: s l o d i p v h everywhere; c r t only in explanation text.
bool letter_allowed(char lower, MacroContext context) noexcept {
    switch (lower) {
        case 's':
        case 'l':
        case 'o':
        case 'd':
        case 'i':
        case 'p':
        case 'v':
        case 'h':
            return true;
        case 'c':
        case 'r':
        case 't':
            return context != MacroContext::domain_spec;
        default:
            return false;
    }
}

enum class TokenKind { literal, expand, percent, space, url_space };

struct Token {
    TokenKind kind = TokenKind::literal;
    std::string_view literal;  // TokenKind::literal
    char letter = 0;           // lower-case
    bool upper = false;        // RFC 7208 7.3: URL-escape the expansion
    std::size_t keep = 0;      // DIGIT transformer; 0 = all parts
    bool reverse = false;      // "r" transformer
    std::string_view delimiters;
};

// More labels than any domain can have (RFC 7208 7.3 asks for at least 127): larger
// transformer values behave the same, and saturating keeps the arithmetic safe.
constexpr std::size_t max_keep = 1000;

// Reads one token at `pos`; on success advances `pos`.
std::optional<MacroError> next_token(std::string_view text, std::size_t& pos, MacroContext context,
                                     Token& token) {
    const std::size_t start = pos;
    if (text[pos] != '%') {
        std::size_t end = pos;
        while (end < text.size() && text[end] != '%' &&
               (is_macro_literal(static_cast<unsigned char>(text[end])) ||
                (text[end] == ' ' && context == MacroContext::explain_string))) {
            ++end;
        }
        if (end == pos) {
            return MacroError{pos, "character not allowed in a macro string"};
        }
        token = Token{};
        token.kind = TokenKind::literal;
        token.literal = text.substr(pos, end - pos);
        pos = end;
        return std::nullopt;
    }
    if (pos + 1 >= text.size()) {
        return MacroError{start, "'%' at the end of a macro string"};
    }
    const char next = text[pos + 1];
    token = Token{};
    // RFC 7208 7.1: "%%" is a literal "%", "%_" a space, "%-" a URL-encoded space.
    if (next == '%' || next == '_' || next == '-') {
        token.kind = next == '%' ? TokenKind::percent
                                 : (next == '_' ? TokenKind::space : TokenKind::url_space);
        pos += 2;
        return std::nullopt;
    }
    if (next != '{') {
        return MacroError{start, "'%' must be followed by '{', '%', '_' or '-'"};
    }
    std::size_t p = pos + 2;
    if (p >= text.size() || !is_alpha(text[p])) {
        return MacroError{start, "macro without a letter"};
    }
    token.kind = TokenKind::expand;
    token.upper = text[p] >= 'A' && text[p] <= 'Z';
    token.letter = to_lower(text[p]);
    if (!letter_allowed(token.letter, context)) {
        return MacroError{start, token.letter == 'c' || token.letter == 'r' || token.letter == 't'
                                     ? "macro letter allowed only in explanation text"
                                     : "unknown macro letter"};
    }
    ++p;
    // RFC 7208 7.1: transformers = *DIGIT [ "r" ]
    bool digits = false;
    std::size_t keep = 0;
    while (p < text.size() && is_digit(text[p])) {
        digits = true;
        keep = std::min(max_keep, keep * 10 + static_cast<std::size_t>(text[p] - '0'));
        ++p;
    }
    if (digits && keep == 0) {
        // RFC 7208 7.3: "If a DIGIT is specified, the value MUST be nonzero."
        return MacroError{start, "macro transformer of zero parts"};
    }
    token.keep = keep;
    if (p < text.size() && (text[p] == 'r' || text[p] == 'R')) {
        token.reverse = true;
        ++p;
    }
    const std::size_t delimiters = p;
    while (p < text.size() && is_delimiter(text[p])) {
        ++p;
    }
    token.delimiters = text.substr(delimiters, p - delimiters);
    if (p >= text.size() || text[p] != '}') {
        return MacroError{start, "malformed macro (expected '}')"};
    }
    pos = p + 1;
    return std::nullopt;
}

// RFC 7208 7.1: toplabel = ( *alphanum ALPHA *alphanum ) /
//                          ( 1*alphanum "-" *( alphanum / "-" ) alphanum )
bool is_toplabel(std::string_view label) noexcept {
    if (label.empty()) {
        return false;
    }
    bool alpha = false;
    bool hyphen = false;
    for (char c : label) {
        if (is_alpha(c)) {
            alpha = true;
        } else if (c == '-') {
            hyphen = true;
        } else if (!is_digit(c)) {
            return false;
        }
    }
    if (label.front() == '-' || label.back() == '-') {
        return false;
    }
    return alpha || hyphen;
}

bool is_delimiter_in(char c, std::string_view delimiters) noexcept {
    return delimiters.empty() ? c == '.' : delimiters.find(c) != std::string_view::npos;
}

// RFC 7208 7.3: split on the delimiters, optionally reverse, keep the rightmost `keep`
// parts, and join with "." (not with the original delimiters).
void append_transformed(std::string_view value, const Token& token, std::string& out) {
    std::size_t parts = 1;
    for (char c : value) {
        if (is_delimiter_in(c, token.delimiters)) {
            ++parts;
        }
    }
    const std::size_t keep = (token.keep == 0 || token.keep > parts) ? parts : token.keep;
    if (!token.reverse) {
        // The last `keep` parts, in order: skip the first parts - keep.
        std::size_t skip = parts - keep;
        std::size_t i = 0;
        while (skip > 0) {
            if (is_delimiter_in(value[i], token.delimiters)) {
                --skip;
            }
            ++i;
        }
        for (; i < value.size(); ++i) {
            out.push_back(is_delimiter_in(value[i], token.delimiters) ? '.' : value[i]);
        }
        return;
    }
    // Reversed, the rightmost `keep` parts are the first `keep` parts of the value, last
    // one first.
    std::size_t end = 0;
    std::size_t seen = 0;
    while (end < value.size()) {
        if (is_delimiter_in(value[end], token.delimiters) && ++seen == keep) {
            break;
        }
        ++end;
    }
    std::string_view head = value.substr(0, end);
    bool first = true;
    while (true) {
        std::size_t cut = head.size();
        while (cut > 0 && !is_delimiter_in(head[cut - 1], token.delimiters)) {
            --cut;
        }
        if (!first) {
            out.push_back('.');
        }
        first = false;
        out.append(head.substr(cut));
        if (cut == 0) {
            break;
        }
        head = head.substr(0, cut - 1);
    }
}

}  // namespace

std::optional<MacroError> check_macro_string(std::string_view text, MacroContext context) {
    std::size_t pos = 0;
    Token token;
    bool ends_with_expand = false;
    std::string_view last_literal;
    while (pos < text.size()) {
        if (auto error = next_token(text, pos, context, token)) {
            return error;
        }
        ends_with_expand = token.kind != TokenKind::literal;
        if (token.kind == TokenKind::literal) {
            last_literal = token.literal;
        }
    }
    if (context != MacroContext::domain_spec) {
        return std::nullopt;
    }
    if (text.empty()) {
        return MacroError{0, "empty domain-spec"};
    }
    // RFC 7208 7.1: domain-end = ( "." toplabel [ "." ] ) / macro-expand
    if (ends_with_expand) {
        return std::nullopt;
    }
    std::string_view tail = last_literal;
    if (!tail.empty() && tail.back() == '.') {
        tail.remove_suffix(1);
    }
    const std::size_t dot = tail.rfind('.');
    if (dot == std::string_view::npos) {
        return MacroError{text.size() - last_literal.size(),
                          "domain-spec must end in '.' and a top label, or a macro"};
    }
    if (!is_toplabel(tail.substr(dot + 1))) {
        return MacroError{text.size() - last_literal.size() + dot + 1,
                          "domain-spec ends in an invalid top label"};
    }
    return std::nullopt;
}

void append_url_escaped(std::string_view text, std::string& out) {
    static constexpr char hex[] = "0123456789ABCDEF";
    for (char ch : text) {
        const auto c = static_cast<unsigned char>(ch);
        // RFC 3986 2.3: unreserved = ALPHA / DIGIT / "-" / "." / "_" / "~"
        if (is_alpha(ch) || is_digit(ch) || ch == '-' || ch == '.' || ch == '_' || ch == '~') {
            out.push_back(ch);
        } else {
            out.push_back('%');
            out.push_back(hex[c >> 4U]);
            out.push_back(hex[c & 0x0FU]);
        }
    }
}

bool expand_macro_string(std::string_view text, MacroContext context, MacroValues& values,
                         std::string& out) {
    std::size_t pos = 0;
    Token token;
    std::string scratch;
    std::string escaped;
    while (pos < text.size()) {
        if (next_token(text, pos, context, token)) {
            return false;
        }
        switch (token.kind) {
            case TokenKind::literal:
                out.append(token.literal);
                break;
            case TokenKind::percent:
                out.push_back('%');
                break;
            case TokenKind::space:
                out.push_back(' ');
                break;
            case TokenKind::url_space:
                out.append("%20");
                break;
            case TokenKind::expand: {
                const std::string_view value = values.value(token.letter, scratch);
                const bool plain = token.keep == 0 && !token.reverse && token.delimiters.empty();
                if (!token.upper) {
                    if (plain) {
                        out.append(value);
                    } else {
                        append_transformed(value, token, out);
                    }
                    break;
                }
                escaped.clear();
                if (plain) {
                    escaped.append(value);
                } else {
                    append_transformed(value, token, escaped);
                }
                append_url_escaped(escaped, out);
                break;
            }
        }
    }
    return true;
}

void truncate_domain(std::string& name, std::size_t max_length) {
    if (!name.empty() && name.back() == '.') {
        name.pop_back();
    }
    // RFC 7208 7.3: "the left side is truncated to fit, by removing successive domain
    // labels (and their following dots)".
    std::size_t cut = 0;
    while (name.size() - cut > max_length) {
        const std::size_t dot = name.find('.', cut);
        if (dot == std::string::npos) {
            cut = name.size();
            break;
        }
        cut = dot + 1;
    }
    if (cut > 0) {
        name.erase(0, cut);
    }
}

}  // namespace mailverdict::spf::detail
