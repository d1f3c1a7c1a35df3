// Small ASCII text helpers shared by the Received parser and the envelope derivation.
// Private to lib/message.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace mailverdict::received_text {

inline bool is_space(char c) noexcept {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

inline char lower(char c) noexcept {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

inline bool iequal(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) {
        return false;
    }
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (lower(a[i]) != lower(b[i])) {
            return false;
        }
    }
    return true;
}

inline bool istarts_with(std::string_view text, std::string_view prefix) noexcept {
    return text.size() >= prefix.size() && iequal(text.substr(0, prefix.size()), prefix);
}

inline bool iends_with(std::string_view text, std::string_view suffix) noexcept {
    return text.size() >= suffix.size() && iequal(text.substr(text.size() - suffix.size()), suffix);
}

inline std::string_view trim(std::string_view text) noexcept {
    while (!text.empty() && is_space(text.front())) {
        text.remove_prefix(1);
    }
    while (!text.empty() && is_space(text.back())) {
        text.remove_suffix(1);
    }
    return text;
}

// An envelope address as MTAs write it in "for" clauses, Delivered-To or Return-Path:
// "<u@example.net>", "u@example.net", "<u@example.net>," -> u@example.net. The angle
// brackets of RFC 5321 4.1.2 Path are removed; what is inside is kept as written.
inline std::string clean_address(std::string_view text) {
    text = trim(text);
    const auto open = text.find('<');
    if (open != std::string_view::npos) {
        text.remove_prefix(open + 1);
        text = text.substr(0, text.find('>'));
    } else {
        // No brackets: the address is the first word (a comment may follow).
        std::size_t end = 0;
        while (end < text.size() && !is_space(text[end]) && text[end] != '(') {
            ++end;
        }
        text = text.substr(0, end);
    }
    while (!text.empty() && (text.back() == ',' || text.back() == ';')) {
        text.remove_suffix(1);
    }
    // An obsolete source route ("<@relay.example:u@example.net>", RFC 5321 4.1.2 and C)
    // is dropped: the mailbox is what follows the colon.
    if (!text.empty() && text.front() == '@') {
        const auto colon = text.find(':');
        text = colon == std::string_view::npos ? std::string_view{} : text.substr(colon + 1);
    }
    return std::string{trim(text)};
}

}  // namespace mailverdict::received_text
