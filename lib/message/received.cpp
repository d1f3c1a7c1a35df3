// Received field parsing (RFC 5321 4.4, RFC 5322 3.6.7) and RFC 5322 3.3 dates.
//
// RFC 5321 4.4 defines
// clang-format off
//   Stamp           = From-domain By-domain Opt-info [CFWS] ";" FWS date-time
//   From-domain     = "FROM" FWS Extended-Domain
//   Extended-Domain = Domain / ( Domain FWS "(" TCP-info ")" )
//                     / ( address-literal FWS "(" TCP-info ")" )
//   TCP-info        = address-literal / ( Domain FWS address-literal )
//   Opt-info        = [Via] [With] [ID] [For] [Additional-Registered-Clauses]
// clang-format on
// but MTAs bend it freely: qmail writes two comments after the from name, Exim puts
// "helo=" in the comment, Exchange writes a bare address in parentheses and a
// three-word protocol, Gmail leaves a trailing dot on the reverse name. So the value is
// read as a sequence of words, comments and semicolons at nesting depth 0, and each
// word is assigned to the clause whose keyword came last.
#include <mailverdict/message/received.hpp>

#include "message/received_text.hpp"

#include <algorithm>
#include <array>
#include <vector>

namespace mailverdict {

namespace {

namespace ip = boost::asio::ip;

using received_text::iequal;
using received_text::is_space;
using received_text::istarts_with;
using received_text::trim;

bool is_alpha(char c) noexcept {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

bool is_digit(char c) noexcept {
    return c >= '0' && c <= '9';
}

// ---------------------------------------------------------------------------------------
// Tokenizer. Comments (RFC 5322 3.2.2) nest; the depth is a counter, never recursion, and
// an unclosed comment runs to the end of the text. Quoted pairs ("\)") are skipped.

enum class TokenKind { word, comment, semicolon };

struct Token {
    TokenKind kind;
    std::string_view text;  // a comment's text is what lies between its outer parentheses
    std::size_t end = 0;    // offset just past the token
};

// Cursor over a text that yields one depth-0 token at a time.
class Lexer {
public:
    explicit Lexer(std::string_view text) noexcept : text_(text) {}

    bool next(Token& token) noexcept {
        while (pos_ < text_.size() && (is_space(text_[pos_]) || text_[pos_] == ')')) {
            ++pos_;  // a stray ')' at depth 0 closes nothing and is dropped
        }
        if (pos_ >= text_.size()) {
            return false;
        }
        const std::size_t start = pos_;
        if (text_[pos_] == ';') {
            ++pos_;
            token = {TokenKind::semicolon, text_.substr(start, 1), pos_};
            return true;
        }
        if (text_[pos_] == '(') {
            std::size_t depth = 0;
            std::size_t inner_end = text_.size();
            for (; pos_ < text_.size(); ++pos_) {
                const char c = text_[pos_];
                if (c == '\\') {
                    ++pos_;
                } else if (c == '(') {
                    ++depth;
                } else if (c == ')' && --depth == 0) {
                    inner_end = pos_;
                    ++pos_;
                    break;
                }
            }
            pos_ = std::min(pos_, text_.size());
            token = {TokenKind::comment, text_.substr(start + 1, inner_end - start - 1), pos_};
            return true;
        }
        // A word runs to whitespace, a parenthesis or ';'. A quoted string inside it (a
        // quoted local part in the "for" clause) may contain any of those.
        while (pos_ < text_.size()) {
            const char c = text_[pos_];
            if (is_space(c) || c == '(' || c == ')' || c == ';') {
                break;
            }
            if (c == '"') {
                for (++pos_; pos_ < text_.size() && text_[pos_] != '"'; ++pos_) {
                    if (text_[pos_] == '\\') {
                        ++pos_;
                    }
                }
                pos_ = std::min(pos_, text_.size());
            }
            if (pos_ < text_.size()) {
                ++pos_;
            }
        }
        token = {TokenKind::word, text_.substr(start, pos_ - start), pos_};
        return true;
    }

private:
    std::string_view text_;
    std::size_t pos_ = 0;
};

// ---------------------------------------------------------------------------------------
// Addresses as MTAs write them.

// "[192.0.2.1]", "[IPv6:2001:db8::1]" (RFC 5321 4.1.3), "[192.0.2.4]:54321" (Exim with
// ports logged), "[fe80::1%5]" (Exchange internal hops; the scope is dropped).
std::optional<ip::address> parse_literal(std::string_view word) {
    if (word.empty() || word.front() != '[') {
        return std::nullopt;
    }
    const auto close = word.find(']');
    if (close == std::string_view::npos) {
        return std::nullopt;
    }
    std::string_view inside = word.substr(1, close - 1);
    if (istarts_with(inside, "IPv6:")) {
        inside.remove_prefix(5);
    }
    inside = inside.substr(0, inside.find('%'));
    return parse_address(inside);
}

// A bare address: Exchange "(198.51.100.7)", "(2603:10b6:5:1a2::3)", qmail "(192.0.2.9)".
std::optional<ip::address> parse_bare(std::string_view word) {
    return parse_address(word.substr(0, word.find('%')));
}

bool looks_like_host(std::string_view word) noexcept {
    if (word.empty()) {
        return false;
    }
    for (const char c : word) {
        if (!is_alpha(c) && !is_digit(c) && c != '.' && c != '-' && c != '_') {
            return false;
        }
    }
    return true;
}

std::string host_name(std::string_view word) {
    if (!word.empty() && word.back() == '.') {
        word.remove_suffix(1);  // Gmail writes the reverse name as an FQDN with its root dot
    }
    return std::string{word};
}

// The "for" clause holds a Path or Mailbox (RFC 5321 4.4); a word without '@' other than
// the postmaster mailbox (4.1.1.3) is prose such as "for multiple recipients".
std::string recipient(std::string_view word) {
    std::string address = received_text::clean_address(word);
    if (address.find('@') == std::string::npos && !iequal(address, "postmaster")) {
        address.clear();
    }
    return address;
}

// What the comments after the from name say about the client.
struct ClientInfo {
    std::optional<ip::address> ip;
    std::string reverse_name;
    std::string helo;
    bool helo_shown = false;
};

// Reads one comment of the from clause (TCP-info in RFC 5321 terms). Only depth-1 words
// count: nested comments ("(may be forged)" of Sendmail, TLS details of Postfix) are
// skipped by the lexer. The first comment that shows an address gives the address, and
// the host name written just before that address is the reverse name.
void read_tcp_info(std::string_view comment, ClientInfo& info) {
    Lexer lexer{comment};
    Token token{};
    std::string_view previous_host;  // the word just before, if it looked like a host
    bool expect_helo = false;
    const bool had_ip = info.ip.has_value();
    while (lexer.next(token)) {
        if (token.kind != TokenKind::word) {
            previous_host = {};
            expect_helo = false;
            continue;
        }
        std::string_view word = token.text;
        while (!word.empty() && word.back() == ',') {
            word.remove_suffix(1);
        }
        if (word.empty()) {
            previous_host = {};
            continue;
        }
        if (expect_helo) {
            info.helo = std::string{word};  // qmail "(HELO name)"
            info.helo_shown = true;
            expect_helo = false;
            previous_host = {};
            continue;
        }
        if (iequal(word, "HELO") || iequal(word, "EHLO")) {
            expect_helo = true;
            continue;
        }
        if (istarts_with(word, "helo=")) {
            info.helo = std::string{word.substr(5)};  // Exim "(helo=name)"
            info.helo_shown = true;
            previous_host = {};
            continue;
        }
        std::optional<ip::address> address;
        std::string_view ident_host;
        if (word.front() == '[') {
            address = parse_literal(word);
        } else if (const auto at = word.rfind('@'); at != std::string_view::npos) {
            // qmail "(remoteinfo@192.0.2.9)" carries the address after the ident; Sendmail
            // "(user@host.example [192.0.2.3])" carries an ident before the host name.
            address = parse_bare(word.substr(at + 1));
            ident_host = word.substr(at + 1);
        } else {
            address = parse_bare(word);
        }
        if (address) {
            if (!had_ip && !info.ip) {
                info.ip = unmap(*address);
                if (!previous_host.empty() && !iequal(previous_host, "unknown")) {
                    info.reverse_name = host_name(previous_host);
                }
            }
            previous_host = {};
            continue;
        }
        if (!ident_host.empty()) {
            word = ident_host;
        }
        previous_host = looks_like_host(word) ? word : std::string_view{};
    }
}

enum class Clause {
    none,
    from,
    by,
    via,
    with,
    id,
    for_,
};

Clause keyword(std::string_view word) noexcept {
    if (iequal(word, "from")) {
        return Clause::from;
    }
    if (iequal(word, "by")) {
        return Clause::by;
    }
    if (iequal(word, "via")) {
        return Clause::via;
    }
    if (iequal(word, "with")) {
        return Clause::with;
    }
    if (iequal(word, "id")) {
        return Clause::id;
    }
    if (iequal(word, "for")) {
        return Clause::for_;
    }
    return Clause::none;
}

// ---------------------------------------------------------------------------------------
// RFC 5322 3.3 date-time with the obsolete syntax of 4.3.

// Skips whitespace and comments; returns false at the end of the text.
bool skip_cfws(std::string_view text, std::size_t& pos) noexcept {
    while (pos < text.size()) {
        if (is_space(text[pos])) {
            ++pos;
        } else if (text[pos] == '(') {
            std::size_t depth = 0;
            for (; pos < text.size(); ++pos) {
                if (text[pos] == '\\') {
                    ++pos;
                } else if (text[pos] == '(') {
                    ++depth;
                } else if (text[pos] == ')' && --depth == 0) {
                    ++pos;
                    break;
                }
            }
            pos = std::min(pos, text.size());
        } else {
            return true;
        }
    }
    return false;
}

std::string_view take_alpha(std::string_view text, std::size_t& pos) noexcept {
    const std::size_t start = pos;
    while (pos < text.size() && is_alpha(text[pos])) {
        ++pos;
    }
    return text.substr(start, pos - start);
}

// Reads 1..max_digits digits; the count read is returned through `count`.
std::optional<int> take_number(std::string_view text, std::size_t& pos, std::size_t max_digits,
                               std::size_t* count = nullptr) noexcept {
    std::size_t n = 0;
    int value = 0;
    while (pos < text.size() && is_digit(text[pos])) {
        if (++n > max_digits) {
            return std::nullopt;
        }
        value = value * 10 + (text[pos] - '0');
        ++pos;
    }
    if (n == 0) {
        return std::nullopt;
    }
    if (count != nullptr) {
        *count = n;
    }
    return value;
}

constexpr std::array<std::string_view, 12> month_names = {"jan", "feb", "mar", "apr", "may", "jun",
                                                          "jul", "aug", "sep", "oct", "nov", "dec"};
constexpr std::array<std::string_view, 12> month_full = {
    "january", "february", "march",     "april",   "may",      "june",
    "july",    "august",   "september", "october", "november", "december"};
constexpr std::array<std::string_view, 7> day_names = {"mon", "tue", "wed", "thu",
                                                       "fri", "sat", "sun"};
constexpr std::array<std::string_view, 7> day_full = {"monday", "tuesday",  "wednesday", "thursday",
                                                      "friday", "saturday", "sunday"};

std::optional<unsigned> month_number(std::string_view word) noexcept {
    for (std::size_t i = 0; i < month_names.size(); ++i) {
        if (iequal(word, month_names[i]) || iequal(word, month_full[i])) {
            return static_cast<unsigned>(i + 1);
        }
    }
    return std::nullopt;
}

bool is_day_name(std::string_view word) noexcept {
    for (std::size_t i = 0; i < day_names.size(); ++i) {
        if (iequal(word, day_names[i]) || iequal(word, day_full[i])) {
            return true;
        }
    }
    return false;
}

// Offset east of UTC in minutes for an obs-zone (RFC 5322 4.3). Military one-letter zones
// and unknown names count as -0000: 4.3 says RFC 822 got the military signs backwards and
// an unknown zone SHOULD be taken as -0000.
int obsolete_zone_minutes(std::string_view zone) noexcept {
    struct Named {
        std::string_view name;
        int hours;
    };
    constexpr std::array<Named, 10> zones = {{{"UT", 0},
                                              {"GMT", 0},
                                              {"EST", -5},
                                              {"EDT", -4},
                                              {"CST", -6},
                                              {"CDT", -5},
                                              {"MST", -7},
                                              {"MDT", -6},
                                              {"PST", -8},
                                              {"PDT", -7}}};
    for (const auto& named : zones) {
        if (iequal(zone, named.name)) {
            return named.hours * 60;
        }
    }
    return 0;
}

}  // namespace

std::optional<std::chrono::sys_seconds> parse_date_time(std::string_view text) {
    std::size_t pos = 0;
    if (!skip_cfws(text, pos)) {
        return std::nullopt;
    }
    // [ day-of-week "," ]: the name is not checked against the date (a wrong weekday is
    // common and harmless); the comma may be missing.
    if (is_alpha(text[pos])) {
        const auto name = take_alpha(text, pos);
        if (!is_day_name(name)) {
            return std::nullopt;
        }
        if (!skip_cfws(text, pos)) {
            return std::nullopt;
        }
        if (text[pos] == ',') {
            ++pos;
        }
        if (!skip_cfws(text, pos)) {
            return std::nullopt;
        }
    }
    const auto day = take_number(text, pos, 2);
    if (!day || !skip_cfws(text, pos)) {
        return std::nullopt;
    }
    const auto month = month_number(take_alpha(text, pos));
    if (!month || !skip_cfws(text, pos)) {
        return std::nullopt;
    }
    std::size_t year_digits = 0;
    auto year = take_number(text, pos, 4, &year_digits);
    if (!year || !skip_cfws(text, pos)) {
        return std::nullopt;
    }
    // RFC 5322 4.3: a 2-digit year 00-49 is 2000-2049, 50-99 is 1950-1999; a 3-digit
    // year has 1900 added. 3.3: four digits are a year of 1900 or later.
    if (year_digits == 2) {
        *year += *year < 50 ? 2000 : 1900;
    } else if (year_digits == 3) {
        *year += 1900;
    } else if (year_digits != 4 || *year < 1900) {
        return std::nullopt;
    }
    const auto hour = take_number(text, pos, 2);
    if (!hour || pos >= text.size() || text[pos] != ':') {
        return std::nullopt;
    }
    ++pos;
    const auto minute = take_number(text, pos, 2);
    if (!minute) {
        return std::nullopt;
    }
    int second = 0;
    if (pos < text.size() && text[pos] == ':') {
        ++pos;
        const auto s = take_number(text, pos, 2);
        if (!s) {
            return std::nullopt;
        }
        second = *s;
        // Fractions of a second are not RFC 5322 but appear in Exchange stamps; dropped.
        if (pos < text.size() && text[pos] == '.') {
            ++pos;
            while (pos < text.size() && is_digit(text[pos])) {
                ++pos;
            }
        }
    }
    // A leap second (60) is allowed by 3.3 and lands on the next minute.
    if (*hour > 23 || *minute > 59 || second > 60) {
        return std::nullopt;
    }
    int offset_minutes = 0;  // a missing zone is taken as -0000, like an unknown one
    if (skip_cfws(text, pos)) {
        const char sign = text[pos];
        if (sign == '+' || sign == '-') {
            ++pos;
            std::size_t digits = 0;
            const auto zone = take_number(text, pos, 4, &digits);
            if (!zone || digits != 4 || *zone % 100 > 59) {
                return std::nullopt;
            }
            offset_minutes = (*zone / 100) * 60 + *zone % 100;
            if (sign == '-') {
                offset_minutes = -offset_minutes;
            }
        } else if (is_alpha(sign)) {
            offset_minutes = obsolete_zone_minutes(take_alpha(text, pos));
        }
        // Anything after the zone (a zone comment without parentheses, garbage) is ignored.
    }
    const std::chrono::year_month_day date{std::chrono::year{*year}, std::chrono::month{*month},
                                           std::chrono::day{static_cast<unsigned>(*day)}};
    if (!date.ok()) {
        return std::nullopt;
    }
    const auto local = std::chrono::sys_days{date} + std::chrono::hours{*hour} +
                       std::chrono::minutes{*minute} + std::chrono::seconds{second};
    return std::chrono::sys_seconds{local - std::chrono::minutes{offset_minutes}};
}

Hop parse_received(std::string_view value) {
    Hop hop;
    hop.raw = std::string{value};

    // The field is read once into depth-0 tokens.
    std::vector<Token> tokens;
    tokens.reserve(48);
    {
        Lexer lexer{value};
        Token token{};
        while (lexer.next(token)) {
            tokens.push_back(token);
        }
    }
    // RFC 5322 3.6.7: the date-time follows the last ';' (a date never contains one).
    // Only a ';' at depth 0 counts: comments may hold anything. The clauses are the
    // tokens before it.
    std::size_t stamp_end = value.size();
    std::size_t clause_tokens = tokens.size();
    for (std::size_t i = tokens.size(); i-- > 0;) {
        if (tokens[i].kind == TokenKind::semicolon) {
            stamp_end = tokens[i].end - 1;
            clause_tokens = i;
            break;
        }
    }
    if (stamp_end < value.size()) {
        hop.date_text = std::string{trim(value.substr(stamp_end + 1))};
        hop.date = parse_date_time(hop.date_text);
    }

    ClientInfo client;
    Clause clause = Clause::none;
    bool have_value = false;
    bool with_open = false;  // "Microsoft SMTP Server": contiguous words form the protocol
    bool exim = false;
    for (std::size_t t = 0; t < clause_tokens; ++t) {
        const Token& token = tokens[t];
        if (token.kind == TokenKind::comment) {
            with_open = false;
            if (clause == Clause::from) {
                read_tcp_info(token.text, client);
            }
            if (istarts_with(token.text, "Exim ")) {
                exim = true;
            }
            continue;
        }
        if (token.kind == TokenKind::semicolon) {
            with_open = false;
            continue;
        }
        if (const auto next = keyword(token.text); next != Clause::none) {
            clause = next;
            have_value = false;
            with_open = false;
            continue;
        }
        const std::string_view word = token.text;
        if (clause == Clause::with && with_open) {
            hop.with += ' ';
            hop.with += word;
            continue;
        }
        if (have_value) {
            continue;  // extra words (Exim "tls CIPHER") are not part of any field
        }
        have_value = true;
        switch (clause) {
            case Clause::from:
                hop.from_name = std::string{word};
                break;
            case Clause::by:
                hop.by_name = host_name(word);
                break;
            case Clause::with:
                hop.with = std::string{word};
                with_open = true;
                break;
            case Clause::id:
                hop.id = std::string{word};
                break;
            case Clause::for_:
                hop.for_address = recipient(word);
                break;
            case Clause::none:
            case Clause::via:
                break;
        }
    }

    // Exim with an unknown reverse name writes the address as the from name.
    if (!client.ip && !hop.from_name.empty() && hop.from_name.front() == '[') {
        if (const auto literal = parse_literal(hop.from_name)) {
            client.ip = unmap(*literal);
        }
    }
    hop.ip = client.ip;
    hop.helo = client.helo_shown ? client.helo : hop.from_name;
    hop.reverse_name = client.reverse_name;
    // qmail ("from rdns (HELO helo) (ip)") and Exim ("from rdns ([ip] helo=helo)") put the
    // looked-up name after "from" and the HELO name, when different, in a comment.
    const bool from_is_name = !hop.from_name.empty() && hop.from_name.front() != '[' &&
                              !iequal(hop.from_name, "unknown") && looks_like_host(hop.from_name) &&
                              !parse_address(hop.from_name);
    if (hop.reverse_name.empty() && from_is_name && (client.helo_shown || exim)) {
        hop.reverse_name = host_name(hop.from_name);
    }
    return hop;
}

std::vector<Hop> received_chain(const Message& message, std::size_t max_hops,
                                std::vector<Defect>* defects) {
    std::vector<Hop> chain;
    const auto fields = message.find_all("Received");
    const std::size_t count = std::min(fields.size(), max_hops);
    chain.reserve(count);
    for (std::size_t i = 0; i < count; ++i) {
        Hop hop = parse_received(fields[i]->value());
        hop.index = i;
        if (defects != nullptr && hop.from_name.empty() && hop.by_name.empty() && !hop.ip) {
            defects->push_back({DefectKind::received_unparsable,
                                "Received field #" + std::to_string(i) +
                                    " names no sending host, receiving host or address",
                                fields[i]->offset});
        }
        chain.push_back(std::move(hop));
    }
    if (defects != nullptr && fields.size() > max_hops) {
        // RFC 5321 6.3: more hops than a loop limit; the rest is not parsed.
        defects->push_back({DefectKind::received_unparsable,
                            std::to_string(fields.size()) + " Received fields; only the first " +
                                std::to_string(max_hops) + " were parsed",
                            fields[max_hops]->offset});
    }
    return chain;
}

}  // namespace mailverdict
