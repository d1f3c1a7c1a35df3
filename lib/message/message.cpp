// RFC 5322 message parsing: header fields, body split, defects.
#include <mailverdict/message/message.hpp>

#include "mime_structure.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <utility>

namespace mailverdict {

namespace {

constexpr bool is_wsp(char c) noexcept {
    return c == ' ' || c == '\t';
}

// RFC 5322 3.6.8: ftext is printable US-ASCII except ':'.
constexpr bool is_ftext(char c) noexcept {
    const auto u = static_cast<unsigned char>(c);
    return u >= 33 && u <= 126 && c != ':';
}

constexpr char ascii_lower(char c) noexcept {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

std::string_view trim_wsp(std::string_view s) noexcept {
    const auto is_space = [](char c) { return is_wsp(c) || c == '\r' || c == '\n'; };
    while (!s.empty() && is_space(s.front())) {
        s.remove_prefix(1);
    }
    while (!s.empty() && is_space(s.back())) {
        s.remove_suffix(1);
    }
    return s;
}

struct DefectName {
    DefectKind kind;
    std::string_view name;
};

constexpr std::array kDefectNames{
    DefectName{DefectKind::empty_message, "empty_message"},
    DefectName{DefectKind::missing_from, "missing_from"},
    DefectName{DefectKind::multiple_from, "multiple_from"},
    DefectName{DefectKind::multiple_from_addresses, "multiple_from_addresses"},
    DefectName{DefectKind::unparsable_address, "unparsable_address"},
    DefectName{DefectKind::missing_date, "missing_date"},
    DefectName{DefectKind::duplicate_singleton, "duplicate_singleton"},
    DefectName{DefectKind::eight_bit_header, "eight_bit_header"},
    DefectName{DefectKind::line_too_long, "line_too_long"},
    DefectName{DefectKind::header_without_colon, "header_without_colon"},
    DefectName{DefectKind::leading_continuation, "leading_continuation"},
    DefectName{DefectKind::empty_field_name, "empty_field_name"},
    DefectName{DefectKind::whitespace_before_colon, "whitespace_before_colon"},
    DefectName{DefectKind::bare_lf, "bare_lf"},
    DefectName{DefectKind::mixed_line_endings, "mixed_line_endings"},
    DefectName{DefectKind::bare_cr, "bare_cr"},
    DefectName{DefectKind::nul_byte, "nul_byte"},
    DefectName{DefectKind::missing_body_separator, "missing_body_separator"},
    DefectName{DefectKind::header_size_limit, "header_size_limit"},
    DefectName{DefectKind::field_count_limit, "field_count_limit"},
    DefectName{DefectKind::bad_encoded_word, "bad_encoded_word"},
    DefectName{DefectKind::unknown_charset, "unknown_charset"},
    DefectName{DefectKind::bad_idna_domain, "bad_idna_domain"},
    DefectName{DefectKind::received_unparsable, "received_unparsable"},
    DefectName{DefectKind::multipart_without_boundary, "multipart_without_boundary"},
    DefectName{DefectKind::multipart_boundary_missing, "multipart_boundary_missing"},
    DefectName{DefectKind::multipart_unterminated, "multipart_unterminated"},
    DefectName{DefectKind::mime_depth_limit, "mime_depth_limit"},
};

// RFC 5322 3.6, table: fields that may appear at most once (From has its own defect).
constexpr std::array<std::string_view, 10> kSingletonFields{
    "Date", "Sender",     "Reply-To",    "To",         "Cc",
    "Bcc",  "Message-ID", "In-Reply-To", "References", "Subject",
};

}  // namespace

std::string_view to_string(DefectKind kind) noexcept {
    for (const auto& entry : kDefectNames) {
        if (entry.kind == kind) {
            return entry.name;
        }
    }
    return "unknown";
}

std::string to_lower_ascii(std::string_view text) {
    std::string out(text);
    for (char& c : out) {
        c = ascii_lower(c);
    }
    return out;
}

bool iequals(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) {
        return false;
    }
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (ascii_lower(a[i]) != ascii_lower(b[i])) {
            return false;
        }
    }
    return true;
}

HeaderField::HeaderField(std::string_view name_, std::string_view raw_, std::string_view raw_value_,
                         std::size_t offset_)
    : name(name_), raw(raw_), raw_value(raw_value_), offset(offset_) {
    const std::string_view trimmed = trim_wsp(raw_value);
    if (trimmed.find('\n') == std::string_view::npos) {
        trimmed_ = trimmed;
        return;
    }
    // RFC 5322 2.2.3: unfolding removes every CRLF immediately followed by WSP. A bare
    // LF (with or without a CR before it) is a line end too: see the bare_lf defect.
    folded_ = true;
    unfolded_.reserve(trimmed.size());
    // The lines are copied whole, without their line ends (a CR is part of the line end
    // only right before the LF).
    std::size_t start = 0;
    for (std::size_t lf = trimmed.find('\n'); lf != std::string_view::npos;
         lf = trimmed.find('\n', start)) {
        const std::size_t end = (lf > start && trimmed[lf - 1] == '\r') ? lf - 1 : lf;
        unfolded_.append(trimmed, start, end - start);
        start = lf + 1;
    }
    unfolded_.append(trimmed, start);
    // Removing a line end can leave WSP at either end (a fold right after the colon).
    const std::string_view kept = trim_wsp(unfolded_);
    if (kept.size() != unfolded_.size()) {
        unfolded_ = std::string{kept};
    }
}

// Builds a Message from its bytes; a friend of Message so it can fill the private state.
class MessageParser {
public:
    MessageParser(std::string bytes, const ParseLimits& limits) : limits_(limits) {
        message_.buffer_ = std::make_shared<const std::string>(std::move(bytes));
    }

    Message run() {
        const std::string& buffer = *message_.buffer_;
        if (buffer.empty()) {
            add(DefectKind::empty_message, "the message has no bytes", 0);
            return std::move(message_);
        }
        split_header(buffer);
        check_fields();
        if (const HeaderField* ct = message_.find("Content-Type"); ct != nullptr) {
            detail::check_mime_structure(ct->value(), message_.body(), message_.body_offset_,
                                         limits_.max_mime_depth, message_.defects_);
        }
        return std::move(message_);
    }

private:
    void add(DefectKind kind, std::string detail, std::size_t offset) {
        message_.defects_.push_back(Defect{kind, std::move(detail), offset});
    }

    // Records a defect kind found in raw bytes only once, at its first offset, so a
    // hostile message cannot make the defect list grow with its size.
    void add_once(DefectKind kind, bool& seen, std::string detail, std::size_t offset) {
        if (!seen) {
            seen = true;
            add(kind, std::move(detail), offset);
        }
    }

    // Scans one header line's content (without its line end) for bytes RFC 5322 2.2
    // does not allow in a header.
    void scan_header_bytes(std::string_view content, std::size_t offset) {
        // Most header lines are plain ASCII: one pass without branches (the compiler
        // vectorizes it) tells whether the search for the offending byte is needed.
        unsigned char special = 0;
        for (const char c : content) {
            const auto u = static_cast<unsigned char>(c);
            special |= static_cast<unsigned char>((u >= 0x80) | (u == 0) | (u == '\r'));
        }
        for (std::size_t i = 0; special != 0 && i < content.size(); ++i) {
            const auto u = static_cast<unsigned char>(content[i]);
            if (u >= 0x80) {
                add_once(DefectKind::eight_bit_header, seen_eight_bit_, "8-bit byte in the header",
                         offset + i);
            } else if (u == 0) {
                add_once(DefectKind::nul_byte, seen_nul_, "NUL byte in the header", offset + i);
            } else if (u == '\r') {
                add_once(DefectKind::bare_cr, seen_bare_cr_, "CR not followed by LF", offset + i);
            }
        }
        if (content.size() > limits_.max_line_length) {
            add_once(DefectKind::line_too_long, seen_long_line_,
                     "header line of " + std::to_string(content.size()) +
                         " octets (RFC 5322 2.1.1 allows 998)",
                     offset);
        }
    }

    void finish_field(const std::string& buffer, std::size_t end) {
        if (!field_open_) {
            return;
        }
        field_open_ = false;
        if (message_.fields_.size() >= limits_.max_fields) {
            add_once(DefectKind::field_count_limit, seen_field_limit_,
                     "more than " + std::to_string(limits_.max_fields) +
                         " header fields: later fields ignored",
                     field_start_);
            return;
        }
        const std::string_view all{buffer};
        const std::string_view raw = all.substr(field_start_, end - field_start_);
        // The value ends before the final line end of the field's last line.
        std::size_t value_end = end;
        if (value_end > value_start_ && buffer[value_end - 1] == '\n') {
            --value_end;
            if (value_end > value_start_ && buffer[value_end - 1] == '\r') {
                --value_end;
            }
        }
        message_.fields_.emplace_back(all.substr(field_start_, name_length_), raw,
                                      all.substr(value_start_, value_end - value_start_),
                                      field_start_);
    }

    void split_header(const std::string& buffer) {
        const std::size_t size = buffer.size();
        std::size_t pos = 0;
        std::size_t crlf_lines = 0;
        std::size_t lf_lines = 0;
        std::size_t first_bare_lf = 0;
        bool body_found = false;

        while (pos < size) {
            const void* found = std::memchr(buffer.data() + pos, '\n', size - pos);
            const std::size_t newline =
                found ? static_cast<std::size_t>(static_cast<const char*>(found) - buffer.data())
                      : size;
            const std::size_t next = found ? newline + 1 : size;
            std::size_t content_end = newline;
            if (found) {
                if (newline > pos && buffer[newline - 1] == '\r') {
                    --content_end;
                    ++crlf_lines;
                } else {
                    if (lf_lines++ == 0) {
                        first_bare_lf = newline;
                    }
                }
            }
            const std::string_view content{buffer.data() + pos, content_end - pos};

            // RFC 5322 2.1: the header ends at the first empty line.
            if (content.empty()) {
                finish_field(buffer, pos);
                message_.header_end_ = pos;
                message_.body_offset_ = next;
                message_.has_separator_ = true;
                body_found = true;
                break;
            }
            if (next > limits_.max_header_bytes) {
                // The limit is a defect, not a failure: what follows is treated as body.
                finish_field(buffer, pos);
                add(DefectKind::header_size_limit,
                    "header larger than " + std::to_string(limits_.max_header_bytes) +
                        " bytes: the rest is treated as body",
                    pos);
                message_.header_end_ = pos;
                message_.body_offset_ = pos;
                body_found = true;
                break;
            }
            scan_header_bytes(content, pos);

            if (is_wsp(content.front())) {
                // RFC 5322 2.2.3: a line starting with WSP continues the previous field.
                if (!field_open_) {
                    add(DefectKind::leading_continuation,
                        "continuation line before any header field: ignored", pos);
                }
                pos = next;
                continue;
            }

            const std::size_t colon = content.find(':');
            std::size_t name_end = colon == std::string_view::npos ? 0 : colon;
            while (name_end > 0 && is_wsp(content[name_end - 1])) {
                --name_end;
            }
            const bool name_valid =
                colon != std::string_view::npos &&
                std::all_of(content.begin(), content.begin() + static_cast<long>(name_end),
                            is_ftext);
            if (!name_valid) {
                if (pos == 0 && content.starts_with("From ")) {
                    // An mbox "From " separator line before the header (saved mailboxes):
                    // skipped, it is not part of the RFC 5322 message.
                    add(DefectKind::header_without_colon, "mbox 'From ' line skipped", pos);
                    pos = next;
                    continue;
                }
                // A line that is neither a field nor a continuation. RFC 5322 has no
                // rule for it; Postfix cleanup and Python's email parser both take it as
                // the first line of the body (a missing empty line), and so do we: the
                // header ends before it and it is kept byte-exact in body().
                finish_field(buffer, pos);
                add(DefectKind::header_without_colon,
                    "line without a field name and colon: header ended, body starts here", pos);
                message_.header_end_ = pos;
                message_.body_offset_ = pos;
                body_found = true;
                break;
            }

            finish_field(buffer, pos);
            if (name_end == 0) {
                add(DefectKind::empty_field_name, "header field with an empty name", pos);
            } else if (name_end != colon) {
                // RFC 5322 4.5 (obs-optional): WSP between the name and the colon.
                add(DefectKind::whitespace_before_colon, "whitespace before the colon", pos);
            }
            field_open_ = true;
            field_start_ = pos;
            name_length_ = name_end;
            value_start_ = pos + colon + 1;
            pos = next;
        }

        if (!body_found) {
            finish_field(buffer, size);
            message_.header_end_ = size;
            message_.body_offset_ = size;
            add(DefectKind::missing_body_separator,
                "no empty line after the header: the message may be truncated", size);
        }
        if (lf_lines > 0 && crlf_lines > 0) {
            add(DefectKind::mixed_line_endings, "both CRLF and bare LF line ends in the header",
                first_bare_lf);
        } else if (lf_lines > 0) {
            add(DefectKind::bare_lf, "lines end in LF alone rather than CRLF", first_bare_lf);
        }
    }

    void check_fields() {
        const auto& fields = message_.fields_;
        std::size_t from_count = 0;
        bool has_date = false;
        bool seen_subject = false;
        std::array<std::size_t, kSingletonFields.size()> singleton_counts{};
        for (const auto& field : fields) {
            if (iequals(field.name, "Subject")) {
                // RFC 2047 6.3: a word that cannot be decoded is shown as written; the
                // analyst is told (the From display name gets the same in parse_addresses).
                // Decoded once: the first Subject is what subject() returns.
                std::vector<Defect> found;
                std::string decoded = decode_encoded_words(field.value(), &found);
                if (!seen_subject) {
                    message_.subject_ = std::move(decoded);
                    seen_subject = true;
                }
                for (auto& defect : found) {
                    defect.offset += field.offset;
                    defect.detail = std::string{field.name} + ": " + defect.detail;
                    message_.defects_.push_back(std::move(defect));
                }
            }
            if (iequals(field.name, "From")) {
                ++from_count;
                if (from_count == 2) {
                    add(DefectKind::multiple_from, "more than one From field", field.offset);
                }
                auto boxes = parse_addresses(field);
                if (boxes.size() > 1) {
                    add(DefectKind::multiple_from_addresses,
                        "From field with " + std::to_string(boxes.size()) + " mailboxes",
                        field.offset);
                }
                std::move(boxes.begin(), boxes.end(), std::back_inserter(message_.from_));
                continue;
            }
            if (iequals(field.name, "Date")) {
                has_date = true;
            } else if (iequals(field.name, "To")) {
                auto boxes = parse_addresses(field);
                std::move(boxes.begin(), boxes.end(), std::back_inserter(message_.to_));
            } else if (iequals(field.name, "Cc")) {
                auto boxes = parse_addresses(field);
                std::move(boxes.begin(), boxes.end(), std::back_inserter(message_.cc_));
            }
            for (std::size_t i = 0; i < kSingletonFields.size(); ++i) {
                if (iequals(field.name, kSingletonFields[i]) && ++singleton_counts[i] == 2) {
                    add(DefectKind::duplicate_singleton,
                        "more than one " + std::string{kSingletonFields[i]} + " field",
                        field.offset);
                }
            }
        }
        if (from_count == 0) {
            add(DefectKind::missing_from, "no From field (RFC 5322 3.6)", 0);
        }
        if (!has_date) {
            add(DefectKind::missing_date, "no Date field (RFC 5322 3.6)", 0);
        }
    }

    std::vector<Mailbox> parse_addresses(const HeaderField& field) {
        std::vector<Defect> found;
        auto boxes = parse_address_list(field.value(), &found);
        for (auto& defect : found) {
            defect.offset += field.offset;
            defect.detail = std::string{field.name} + ": " + defect.detail;
            message_.defects_.push_back(std::move(defect));
        }
        return boxes;
    }

    ParseLimits limits_;
    Message message_;
    bool field_open_ = false;
    std::size_t field_start_ = 0;
    std::size_t name_length_ = 0;
    std::size_t value_start_ = 0;
    bool seen_eight_bit_ = false;
    bool seen_nul_ = false;
    bool seen_bare_cr_ = false;
    bool seen_long_line_ = false;
    bool seen_field_limit_ = false;
};

Message::Message() : buffer_(std::make_shared<const std::string>()) {}

Message Message::parse(std::string bytes, const ParseLimits& limits) {
    return MessageParser{std::move(bytes), limits}.run();
}

std::string_view Message::bytes() const noexcept {
    return *buffer_;
}

std::string_view Message::header_block() const noexcept {
    return bytes().substr(0, header_end_);
}

std::string_view Message::body() const noexcept {
    return bytes().substr(body_offset_);
}

bool Message::has_defect(DefectKind kind) const noexcept {
    return std::any_of(defects_.begin(), defects_.end(),
                       [kind](const Defect& d) { return d.kind == kind; });
}

const HeaderField* Message::find(std::string_view name) const noexcept {
    for (const auto& field : fields_) {
        if (iequals(field.name, name)) {
            return &field;
        }
    }
    return nullptr;
}

std::vector<const HeaderField*> Message::find_all(std::string_view name) const {
    std::vector<const HeaderField*> found;
    for (const auto& field : fields_) {
        if (iequals(field.name, name)) {
            found.push_back(&field);
        }
    }
    return found;
}

std::vector<Mailbox> Message::mailboxes(std::string_view field_name) const {
    std::vector<Mailbox> boxes;
    for (const auto& field : fields_) {
        if (iequals(field.name, field_name)) {
            auto parsed = parse_address_list(field.value());
            std::move(parsed.begin(), parsed.end(), std::back_inserter(boxes));
        }
    }
    return boxes;
}

std::optional<Mailbox> Message::return_path() const {
    const HeaderField* field = find("Return-Path");
    if (field == nullptr) {
        return std::nullopt;
    }
    // RFC 5321 4.4: "<>" is the null reverse-path (bounces); whitespace inside the
    // brackets is tolerated.
    std::string compact;
    for (const char c : field->value()) {
        if (!is_wsp(c)) {
            compact.push_back(c);
        }
    }
    if (compact.empty() || compact == "<>") {
        return Mailbox{};
    }
    auto boxes = parse_address_list(field->value());
    if (boxes.empty()) {
        return std::nullopt;
    }
    return std::move(boxes.front());
}

std::string Message::subject() const {
    return subject_;
}

std::string Message::message_id() const {
    const HeaderField* field = find("Message-ID");
    return field == nullptr ? std::string{} : std::string{field->value()};
}

std::string Message::date() const {
    const HeaderField* field = find("Date");
    return field == nullptr ? std::string{} : std::string{field->value()};
}

}  // namespace mailverdict
