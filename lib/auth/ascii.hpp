// ASCII character classes of the record grammars (RFC 5234 ALPHA, DIGIT): locale-free,
// unlike <cctype>, and shared by the SPF, DKIM and DMARC parsers.
#pragma once

namespace mailverdict::ascii {

constexpr char to_lower(char c) noexcept {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + ('a' - 'A')) : c;
}
constexpr bool is_alpha(char c) noexcept {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
constexpr bool is_digit(char c) noexcept {
    return c >= '0' && c <= '9';
}

}  // namespace mailverdict::ascii
