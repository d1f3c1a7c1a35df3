// RFC 2047 encoded-word decoding to UTF-8, charsets converted through ICU.
#include <mailverdict/message/message.hpp>

#include "message/base64.hpp"
#include "message/icu_wrap.hpp"

#include <unicode/ustring.h>

#include <algorithm>
#include <optional>

namespace mailverdict {

namespace {

constexpr char ascii_lower(char c) noexcept {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool equals_lower(std::string_view text, std::string_view lower) noexcept {
    if (text.size() != lower.size()) {
        return false;
    }
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (ascii_lower(text[i]) != lower[i]) {
            return false;
        }
    }
    return true;
}

constexpr bool is_linear_whitespace(char c) noexcept {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

// RFC 2047 2: charset and encoding are tokens: no SPACE, CTLs or especials.
constexpr bool is_token_char(char c) noexcept {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 32 || u >= 127) {
        return false;
    }
    constexpr std::string_view especials = "()<>@,;:\"/[]?.=";
    // '.' is an especial, but charset names such as "ISO_8859-1:1987" never need it and
    // a few real senders write "utf.8"; we accept '.' and ':' is still refused.
    return c == '.' || especials.find(c) == std::string_view::npos;
}

bool is_valid_utf8(std::string_view bytes) noexcept {
    std::size_t i = 0;
    while (i < bytes.size()) {
        const auto c = static_cast<unsigned char>(bytes[i]);
        std::size_t extra = 0;
        unsigned min = 0;
        unsigned code = 0;
        if (c < 0x80) {
            ++i;
            continue;
        }
        if ((c & 0xE0) == 0xC0) {
            extra = 1;
            min = 0x80;
            code = c & 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            extra = 2;
            min = 0x800;
            code = c & 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            extra = 3;
            min = 0x10000;
            code = c & 0x07;
        } else {
            return false;
        }
        if (extra >= bytes.size() - i) {
            return false;
        }
        for (std::size_t k = 1; k <= extra; ++k) {
            const auto cc = static_cast<unsigned char>(bytes[i + k]);
            if ((cc & 0xC0) != 0x80) {
                return false;
            }
            code = (code << 6) | (cc & 0x3F);
        }
        if (code < min || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) {
            return false;
        }
        i += extra + 1;
    }
    return true;
}

// Charset bytes to UTF-8 through ICU; nullopt when ICU does not know the charset.
// Malformed byte sequences become U+FFFD (ICU's default substitution).
std::optional<std::string> charset_to_utf8(std::string_view charset, std::string_view bytes) {
    const bool ascii_only = std::all_of(
        bytes.begin(), bytes.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
    const bool is_utf8 = equals_lower(charset, "utf-8") || equals_lower(charset, "utf8");
    if ((is_utf8 || equals_lower(charset, "us-ascii")) && (ascii_only || is_valid_utf8(bytes))) {
        return std::string{bytes};
    }
    // Mail labelled ISO-8859-1 or US-ASCII is in practice Windows-1252, as browsers
    // (WHATWG Encoding) and mail clients decode it: 0x80-0x9F are printable there.
    std::string name{charset};
    if (equals_lower(charset, "iso-8859-1") || equals_lower(charset, "latin1") ||
        equals_lower(charset, "us-ascii")) {
        name = "windows-1252";
    }
    UErrorCode status = U_ZERO_ERROR;
    icu::Converter converter{ucnv_open(name.c_str(), &status)};
    if (U_FAILURE(status) || !converter) {
        return std::nullopt;
    }
    if (bytes.empty()) {
        return std::string{};
    }
    // One input byte gives at most two UTF-16 units.
    std::u16string utf16(bytes.size() * 2 + 2, u'\0');
    status = U_ZERO_ERROR;
    const int32_t units =
        ucnv_toUChars(converter.get(), utf16.data(), static_cast<int32_t>(utf16.size()),
                      bytes.data(), static_cast<int32_t>(bytes.size()), &status);
    if (U_FAILURE(status)) {
        return std::nullopt;
    }
    std::string utf8(static_cast<std::size_t>(units) * 3 + 1, '\0');
    int32_t length = 0;
    status = U_ZERO_ERROR;
    u_strToUTF8WithSub(utf8.data(), static_cast<int32_t>(utf8.size()), &length, utf16.data(), units,
                       0xFFFD, nullptr, &status);
    if (U_FAILURE(status)) {
        return std::nullopt;
    }
    utf8.resize(static_cast<std::size_t>(length));
    return utf8;
}

// RFC 2047 4.1 (RFC 4648 base64). Missing padding is tolerated, as every MUA does.
std::optional<std::string> decode_b(std::string_view text) {
    std::string out;
    if (!base64::decode(text, out, base64::Padding::tolerated)) {
        return std::nullopt;
    }
    return out;
}

int hex_value(char c) noexcept {
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    const char lower = ascii_lower(c);
    if (lower >= 'a' && lower <= 'f') {
        return lower - 'a' + 10;
    }
    return -1;
}

// RFC 2047 4.2: "_" is SPACE, "=XX" an octet in hex (lower-case hex tolerated).
std::optional<std::string> decode_q(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '_') {
            out.push_back(' ');
        } else if (c == '=') {
            if (i + 2 >= text.size()) {
                return std::nullopt;
            }
            const int high = hex_value(text[i + 1]);
            const int low = hex_value(text[i + 2]);
            if (high < 0 || low < 0) {
                return std::nullopt;
            }
            out.push_back(static_cast<char>(high * 16 + low));
            i += 2;
        } else {
            out.push_back(c);
        }
    }
    return out;
}

struct EncodedWord {
    std::size_t begin = 0;  // of "=?"
    std::size_t end = 0;    // after "?="
    std::string_view charset;
    char encoding = 0;  // 'b' or 'q'
    std::string_view encoded_text;
};

// Recognises "=?charset[*lang]?B|Q?text?=" at `pos` (RFC 2047 2, RFC 2231 5).
std::optional<EncodedWord> match_encoded_word(std::string_view text, std::size_t pos) {
    if (text.substr(pos, 2) != "=?") {
        return std::nullopt;
    }
    std::size_t i = pos + 2;
    const std::size_t charset_begin = i;
    while (i < text.size() && (is_token_char(text[i]) || text[i] == '*')) {
        ++i;
    }
    if (i == charset_begin || i >= text.size() || text[i] != '?') {
        return std::nullopt;
    }
    std::string_view charset = text.substr(charset_begin, i - charset_begin);
    // RFC 2231 5: "charset*language"; the language is ignored.
    charset = charset.substr(0, charset.find('*'));
    if (charset.empty()) {
        return std::nullopt;
    }
    ++i;
    if (i + 1 >= text.size() || text[i + 1] != '?') {
        return std::nullopt;
    }
    const char encoding = ascii_lower(text[i]);
    if (encoding != 'b' && encoding != 'q') {
        return std::nullopt;
    }
    i += 2;
    const std::size_t text_begin = i;
    // encoded-text: printable ASCII except "?" and SPACE (RFC 2047 2).
    while (i < text.size() && text[i] != '?') {
        const auto u = static_cast<unsigned char>(text[i]);
        if (u <= 32 || u >= 127) {
            return std::nullopt;
        }
        ++i;
    }
    if (i + 1 >= text.size() || text[i + 1] != '=') {
        return std::nullopt;
    }
    return EncodedWord{pos, i + 2, charset, encoding, text.substr(text_begin, i - text_begin)};
}

// Collects the decoded octets of adjacent words in one charset before converting them,
// because senders split a multi-byte character across two words (forbidden by
// RFC 2047 5, common in practice).
class Decoder {
public:
    Decoder(std::string_view text, std::vector<Defect>* defects) : text_(text), defects_(defects) {}

    std::string run() {
        out_.reserve(text_.size());
        std::size_t pos = 0;
        std::size_t literal_begin = 0;
        bool previous_was_word = false;
        while (pos < text_.size()) {
            const std::size_t next = text_.find("=?", pos);
            if (next == std::string_view::npos) {
                break;
            }
            const auto word = match_encoded_word(text_, next);
            if (!word) {
                pos = next + 1;
                continue;
            }
            const std::string_view between = text_.substr(literal_begin, next - literal_begin);
            // RFC 2047 6.2: linear whitespace between two encoded words is dropped.
            const bool only_space =
                std::all_of(between.begin(), between.end(), is_linear_whitespace);
            if (!(previous_was_word && only_space)) {
                flush();
                out_.append(between);
            }
            previous_was_word = add_word(*word);
            pos = word->end;
            literal_begin = pos;
        }
        flush();
        out_.append(text_.substr(literal_begin));
        return std::move(out_);
    }

private:
    // Returns whether the word decoded (so whitespace after it may be dropped).
    bool add_word(const EncodedWord& word) {
        auto octets =
            word.encoding == 'b' ? decode_b(word.encoded_text) : decode_q(word.encoded_text);
        if (!octets) {
            flush();
            report(DefectKind::bad_encoded_word, "undecodable encoded word kept as written",
                   word.begin);
            out_.append(text_.substr(word.begin, word.end - word.begin));
            return false;
        }
        if (pending_ && !equals_lower(word.charset, pending_charset_lower_)) {
            flush();
        }
        if (!pending_) {
            pending_ = true;
            pending_charset_ = word.charset;
            pending_charset_lower_.clear();
            for (const char c : word.charset) {
                pending_charset_lower_.push_back(ascii_lower(c));
            }
            pending_begin_ = word.begin;
            pending_octets_.clear();
        }
        pending_end_ = word.end;
        pending_octets_.append(*octets);
        return true;
    }

    void flush() {
        if (!pending_) {
            return;
        }
        pending_ = false;
        if (auto utf8 = charset_to_utf8(pending_charset_, pending_octets_)) {
            out_.append(*utf8);
            return;
        }
        report(DefectKind::unknown_charset,
               "unknown charset \"" + std::string{pending_charset_} + "\": kept as written",
               pending_begin_);
        out_.append(text_.substr(pending_begin_, pending_end_ - pending_begin_));
    }

    void report(DefectKind kind, std::string detail, std::size_t offset) {
        if (defects_ != nullptr) {
            defects_->push_back(Defect{kind, std::move(detail), offset});
        }
    }

    std::string_view text_;
    std::vector<Defect>* defects_;
    std::string out_;
    bool pending_ = false;
    std::string_view pending_charset_;
    std::string pending_charset_lower_;
    std::size_t pending_begin_ = 0;
    std::size_t pending_end_ = 0;
    std::string pending_octets_;
};

}  // namespace

std::string decode_encoded_words(std::string_view text, std::vector<Defect>* defects) {
    if (text.find("=?") == std::string_view::npos) {
        return std::string{text};
    }
    return Decoder{text, defects}.run();
}

}  // namespace mailverdict
