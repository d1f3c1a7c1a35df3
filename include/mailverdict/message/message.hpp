// RFC 5322 message model: header fields in order, addresses, the raw body.
//
// Message::parse never throws and never rejects input: whatever it cannot
// understand is recorded as a Defect and parsing goes on as far as it can.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mailverdict {

// What can be wrong with a message. Each value is documented where it is raised.
enum class DefectKind {
    empty_message,               // no bytes at all
    missing_from,                // RFC 5322 3.6: From is required
    multiple_from,               // RFC 5322 3.6: From appears at most once
    multiple_from_addresses,     // one From field with several mailboxes (DMARC 6.6.1)
    unparsable_address,          // an address field mimetic could not split into mailboxes
    missing_date,                // RFC 5322 3.6: Date is required
    duplicate_singleton,         // Date, Sender, Reply-To, To, Cc, Subject, Message-ID... twice
    eight_bit_header,            // RFC 5322 2.2: header bytes must be US-ASCII (kept as-is)
    line_too_long,               // RFC 5322 2.1.1: lines are limited to 998 octets
    header_without_colon,        // a header line that is neither a field nor a continuation
    leading_continuation,        // a folded continuation line before any field
    empty_field_name,            // ":value"
    whitespace_before_colon,     // "Subject : x" (obsolete syntax, RFC 5322 4.5)
    bare_lf,                     // lines end in LF alone rather than CRLF
    mixed_line_endings,          // both CRLF and bare LF are used
    bare_cr,                     // a CR not followed by LF
    nul_byte,                    // a NUL octet in the header
    missing_body_separator,      // the header runs to the end of the data (truncated message)
    header_size_limit,           // more than Limits::max_header_bytes: the rest is body
    field_count_limit,           // more than Limits::max_fields: later fields are ignored
    bad_encoded_word,            // RFC 2047 word that cannot be decoded (kept raw)
    unknown_charset,             // RFC 2047 word in a charset ICU does not know (kept raw)
    bad_idna_domain,             // domain that is not valid IDNA (kept as written)
    received_unparsable,         // a Received field that yields no hop information
    multipart_without_boundary,  // RFC 2046 5.1.1: a multipart Content-Type needs boundary=
    multipart_boundary_missing,  // the boundary never starts a line of the body
    multipart_unterminated,      // no close delimiter "--boundary--" (truncated?)
    mime_depth_limit,            // multiparts nested deeper than Limits::max_mime_depth
};

// Short stable identifier of a defect kind, e.g. "missing_from" (used in JSON).
std::string_view to_string(DefectKind kind) noexcept;

struct Defect {
    DefectKind kind;
    std::string detail;      // human-readable, says what was found and where
    std::size_t offset = 0;  // byte offset in the raw message where it was found
};

// One header field exactly as it appeared. Views point into the Message's buffer,
// which every copy of the Message shares, so they stay valid while any copy lives.
class HeaderField {
public:
    HeaderField() = default;
    // `raw_value` must lie inside `raw`; the unfolded value is computed here and only
    // allocated when the field is folded.
    HeaderField(std::string_view name, std::string_view raw, std::string_view raw_value,
                std::size_t offset);

    std::string_view name;       // as written, without the colon
    std::string_view raw;        // the whole field: name, colon, value, folds, final line end
    std::string_view raw_value;  // after the colon up to (not including) the final line end
    std::size_t offset = 0;      // of `raw` in the message

    // Value with folding removed (RFC 5322 2.2.3: CRLF before WSP deleted), leading
    // and trailing whitespace trimmed. No RFC 2047 decoding.
    [[nodiscard]] std::string_view value() const noexcept {
        return folded_ ? std::string_view{unfolded_} : trimmed_;
    }
    [[nodiscard]] bool folded() const noexcept { return folded_; }

private:
    std::string_view trimmed_;  // view into the buffer when the field is not folded
    std::string unfolded_;      // owned copy when it is
    bool folded_ = false;
};

// A mailbox from an address field (From, To, Sender, Return-Path...).
struct Mailbox {
    std::string display_name;    // RFC 2047-decoded, UTF-8; empty if none
    std::string local_part;      // as written (quotes removed)
    std::string domain;          // lower-cased, as written (A-label if it was ASCII)
    std::string domain_ascii;    // IDNA A-label form, lower-case ("xn--..."); empty if invalid
    std::string domain_unicode;  // IDNA U-label form, NFC; empty if invalid

    [[nodiscard]] std::string address() const;  // local_part@domain (or local_part alone)
    bool operator==(const Mailbox&) const = default;
};

// Named limits: exceeding one is a defect, never a crash.
struct ParseLimits {
    std::size_t max_header_bytes = std::size_t{1024} * 1024;  // total header size
    std::size_t max_fields = 2000;                            // header fields kept
    std::size_t max_line_length = 998;  // RFC 5322 2.1.1 (longer lines: defect only)
    // Multipart levels whose structure is checked (Postfix's mime_nesting_limit default);
    // deeper parts are not looked at (mime_depth_limit).
    std::size_t max_mime_depth = 100;
};

class Message {
public:
    // Parses bytes (CRLF or bare LF, with or without a final newline). Never throws
    // for bad input; every problem is in defects().
    static Message parse(std::string bytes, const ParseLimits& limits = {});

    Message();  // an empty message (no fields, no body)

    [[nodiscard]] std::string_view bytes() const noexcept;         // the whole message, byte-exact
    [[nodiscard]] std::string_view header_block() const noexcept;  // fields incl. last line end
    [[nodiscard]] std::string_view body() const noexcept;  // after the empty line, byte-exact
    // False when the header ran to the end of the data, or was ended by a line that is
    // not a field (then that line is the first line of body()).
    [[nodiscard]] bool has_body_separator() const noexcept { return has_separator_; }

    [[nodiscard]] const std::vector<HeaderField>& fields() const noexcept { return fields_; }
    [[nodiscard]] const std::vector<Defect>& defects() const noexcept { return defects_; }
    [[nodiscard]] bool has_defect(DefectKind kind) const noexcept;
    // For later stages that find problems in fields (e.g. Received parsing).
    void add_defect(Defect defect) { defects_.push_back(std::move(defect)); }

    // Case-insensitive lookup by field name (RFC 5322 1.2.2).
    [[nodiscard]] const HeaderField* find(std::string_view name) const noexcept;  // first
    [[nodiscard]] std::vector<const HeaderField*> find_all(std::string_view name) const;

    // Mailboxes of every From field, in order (several only with a defect).
    [[nodiscard]] const std::vector<Mailbox>& from() const noexcept { return from_; }
    // Mailboxes of every To / Cc field, groups flattened (parsed once, at parse time).
    [[nodiscard]] const std::vector<Mailbox>& to() const noexcept { return to_; }
    [[nodiscard]] const std::vector<Mailbox>& cc() const noexcept { return cc_; }
    // Mailboxes of every field with this name (Sender, Reply-To, Resent-From...),
    // parsed on each call.
    [[nodiscard]] std::vector<Mailbox> mailboxes(std::string_view field_name) const;
    // First Return-Path field. nullopt when there is none; a Mailbox with empty
    // local_part and domain for the null reverse-path "<>" (RFC 5321 4.4).
    [[nodiscard]] std::optional<Mailbox> return_path() const;
    [[nodiscard]] std::string subject() const;     // RFC 2047-decoded, UTF-8
    [[nodiscard]] std::string message_id() const;  // value of Message-ID, trimmed
    [[nodiscard]] std::string date() const;        // value of Date, as written

private:
    friend class MessageParser;  // lib/message/message.cpp builds the private state

    std::shared_ptr<const std::string> buffer_;
    std::size_t header_end_ = 0;   // end of header_block()
    std::size_t body_offset_ = 0;  // start of body()
    bool has_separator_ = false;
    std::vector<HeaderField> fields_;
    std::vector<Defect> defects_;
    std::vector<Mailbox> from_;
    std::string subject_;  // the first Subject, decoded once at parse time
    std::vector<Mailbox> to_;
    std::vector<Mailbox> cc_;
};

// RFC 2047 encoded-word decoding to UTF-8 (charsets through ICU). Undecodable words
// are kept raw and reported to `defects` when given. Adjacent encoded words separated
// only by whitespace are joined (RFC 2047 6.2).
std::string decode_encoded_words(std::string_view text, std::vector<Defect>* defects = nullptr);

// Parses an RFC 5322 address-list (groups flattened) into mailboxes.
// Problems go to `defects` when given.
std::vector<Mailbox> parse_address_list(std::string_view value,
                                        std::vector<Defect>* defects = nullptr);

// Domain in both IDNA forms (UTS #46 processing through ICU). nullopt if invalid.
struct DomainForms {
    std::string ascii;    // A-label, lower-case
    std::string unicode;  // U-label
};
std::optional<DomainForms> idna_forms(std::string_view domain);

// ASCII case-insensitive comparison (header names, domains).
bool iequals(std::string_view a, std::string_view b) noexcept;
// A-Z to a-z, every other byte as it is (locale-free; domains, addresses, keywords).
std::string to_lower_ascii(std::string_view text);

}  // namespace mailverdict
