// RFC 6376 3.4 canonicalization, 5.4.2 header selection and 3.7 header-hash input.
//
// Line ends: a message read from disk may use bare LF. MTAs convert such line ends to
// CRLF before signing or on receipt (SMTP requires CRLF, RFC 5321 2.3.8), so a bare LF
// is read here as CRLF everywhere (header fields and body). A CR not followed by LF is
// kept as an ordinary byte.
#include <mailverdict/auth/dkim.hpp>

#include "auth/dkim/dkim_detail.hpp"

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>

namespace mailverdict::dkim {

namespace {

bool is_wsp(char c) noexcept {
    return c == ' ' || c == '\t';
}

char lower(char c) noexcept {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

// Copies `text`, turning every LF that has no CR before it into CRLF.
void append_crlf_normalized(std::string_view text, std::string& out) {
    std::size_t start = 0;
    while (true) {
        const std::size_t lf = text.find('\n', start);
        if (lf == std::string_view::npos) {
            out.append(text.substr(start));
            return;
        }
        if (lf > 0 && text[lf - 1] == '\r') {
            out.append(text.substr(start, lf + 1 - start));
        } else {
            out.append(text.substr(start, lf - start));
            out.append("\r\n");
        }
        start = lf + 1;
    }
}

bool ends_with_crlf(const std::string& s) {
    return s.size() >= 2 && s[s.size() - 2] == '\r' && s.back() == '\n';
}

// The field without its final line end (CRLF or bare LF).
std::string_view without_line_end(std::string_view raw) {
    if (!raw.empty() && raw.back() == '\n') {
        raw.remove_suffix(1);
        if (!raw.empty() && raw.back() == '\r') {
            raw.remove_suffix(1);
        }
    }
    return raw;
}

void relaxed_header(std::string_view raw, std::string& out) {
    const std::size_t colon = raw.find(':');
    std::string_view name = raw.substr(0, colon);
    // RFC 6376 3.4.2: delete WSP before the colon; lower-case the name.
    while (!name.empty() && (is_wsp(name.back()) || name.back() == '\r' || name.back() == '\n')) {
        name.remove_suffix(1);
    }
    for (const char c : name) {
        out += lower(c);
    }
    out += ':';
    if (colon != std::string_view::npos) {
        const std::string_view value = raw.substr(colon + 1);
        bool started = false;
        bool pending_space = false;
        for (const char c : value) {
            if (c == '\r' || c == '\n') {
                continue;  // RFC 6376 3.4.2: unfold (CRLF deleted, the WSP after it kept)
            }
            if (is_wsp(c)) {
                // RFC 6376 3.4.2: WSP runs become one SP; WSP after the colon and at the
                // end of the value is deleted.
                pending_space = started;
                continue;
            }
            if (pending_space) {
                out += ' ';
                pending_space = false;
            }
            out += c;
            started = true;
        }
    }
    out += "\r\n";
}

// Buffers canonical output into chunks for the sink, applies the l= cut and counts the
// whole canonical length.
class ChunkWriter {
public:
    ChunkWriter(const ChunkSink& sink, std::optional<std::uint64_t> limit)
        : sink_(sink), limit_(limit.value_or(UINT64_MAX)) {}
    ChunkWriter(const ChunkWriter&) = delete;
    ChunkWriter& operator=(const ChunkWriter&) = delete;
    ~ChunkWriter() = default;

    void put(const char* data, std::size_t size) {
        total_ += size;
        if (written_ >= limit_) {
            return;
        }
        const auto take =
            static_cast<std::size_t>(std::min<std::uint64_t>(size, limit_ - written_));
        written_ += take;
        if (used_ + take > sizeof buffer_) {
            flush();
        }
        if (take >= sizeof buffer_) {
            sink_(std::string_view(data, take));  // large span: no copy
            return;
        }
        std::memcpy(buffer_ + used_, data, take);
        used_ += take;
    }
    void put(std::string_view s) { put(s.data(), s.size()); }
    void flush() {
        if (used_ != 0) {
            sink_(std::string_view(buffer_, used_));
            used_ = 0;
        }
    }
    [[nodiscard]] std::uint64_t total() const noexcept { return total_; }

private:
    const ChunkSink& sink_;
    std::uint64_t limit_;
    std::uint64_t written_ = 0;
    std::uint64_t total_ = 0;
    std::size_t used_ = 0;
    char buffer_[16384];
};

constexpr std::string_view kCrlf = "\r\n";

// 0x80 in every byte of `w` that equals `c`, 0 elsewhere. Exact per byte: the low seven
// bits are added without a carry into the next byte (the usual "has zero byte" test is
// exact only for "any").
std::uint64_t bytes_equal(std::uint64_t w, unsigned char c) noexcept {
    constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
    constexpr std::uint64_t kLow7 = 0x7F7F7F7F7F7F7F7FULL;
    const std::uint64_t x = w ^ (kOnes * c);
    return ~(((x & kLow7) + kLow7) | x | kLow7);
}

// RFC 6376 3.4.4: the first position in [i, end) where relaxed canonicalization changes
// the line: an HTAB, or an SP followed by more WSP. `end` is a line end without trailing
// WSP, so an SP before it is followed by a byte of the line; `readable` bounds the 8-byte
// reads. Most lines have single spaces only, so eight bytes are tested at a time.
std::size_t next_wsp_change(const char* s, std::size_t i, std::size_t end,
                            std::size_t readable) noexcept {
    if constexpr (std::endian::native == std::endian::little) {
        while (i + 8 <= end && i + 9 <= readable) {
            std::uint64_t here = 0;
            std::uint64_t next = 0;  // the byte after each byte of `here`
            std::memcpy(&here, s + i, 8);
            std::memcpy(&next, s + i + 1, 8);
            const std::uint64_t hit =
                bytes_equal(here, '\t') |
                (bytes_equal(here, ' ') & (bytes_equal(next, ' ') | bytes_equal(next, '\t')));
            if (hit != 0) {
                return i + static_cast<std::size_t>(std::countr_zero(hit)) / 8;
            }
            i += 8;
        }
    }
    for (; i < end; ++i) {
        if (s[i] == '\t' || (s[i] == ' ' && is_wsp(s[i + 1]))) {
            return i;
        }
    }
    return end;
}

}  // namespace

void canonicalize_header(std::string_view raw, Canon canon, std::string& out) {
    if (canon == Canon::simple) {
        // RFC 6376 3.4.1: the field exactly as it is (line ends read as CRLF).
        const std::size_t before = out.size();
        append_crlf_normalized(raw, out);
        if (out.size() == before || !ends_with_crlf(out)) {
            out += "\r\n";
        }
        return;
    }
    relaxed_header(raw, out);
}

namespace {

// True when canonicalization changes nothing but the end of the body: no bare LF (read as
// CRLF) and, for relaxed (RFC 6376 3.4.4), no HTAB, no SP run and no SP before a line end.
// Most bodies (base64 and quoted-printable parts, most text) are like this; one pass without
// a branch per byte (the compiler vectorizes it) tells, before the line-by-line work.
bool only_the_end_changes(std::string_view body, Canon canon) noexcept {
    const std::size_t n = body.size();
    if (n == 0) {
        return true;
    }
    const auto* b = reinterpret_cast<const unsigned char*>(body.data());
    // Byte masks (0 or 0xFF) in unsigned char, not bools: GCC vectorizes this form.
    using u8 = unsigned char;
    auto mask = [](bool v) { return static_cast<u8>(-static_cast<u8>(v)); };
    const u8 relaxed = mask(canon == Canon::relaxed);
    u8 changed = mask(b[0] == '\n');  // a bare LF first
    for (std::size_t i = 0; i + 1 < n; ++i) {
        const u8 c = b[i];
        const u8 d = b[i + 1];
        const u8 lf = mask(d == '\n');
        const u8 bare_lf = lf & mask(c != '\r');
        const u8 d_space = mask(d == ' ') | mask(d == '\t') | mask(d == '\r') | lf;
        const u8 wsp_change = mask(c == '\t') | (mask(c == ' ') & d_space);
        changed |= bare_lf | (relaxed & wsp_change);
    }
    const u8 last = b[n - 1];
    changed |= relaxed & (mask(last == ' ') | mask(last == '\t'));
    return changed == 0;
}

}  // namespace

std::uint64_t canonicalize_body(std::string_view body, Canon canon, const ChunkSink& sink,
                                std::optional<std::uint64_t> limit) {
    ChunkWriter w(sink, limit);
    if (only_the_end_changes(body, canon)) {
        // RFC 6376 3.4.3 / 3.4.4: the body up to its trailing empty lines, then one CRLF
        // (none for an empty relaxed body, erratum 1384; a lone CRLF for an empty simple one).
        std::size_t end = body.size();
        while (end >= 2 && body[end - 2] == '\r' && body[end - 1] == '\n') {
            end -= 2;
        }
        if (end > 0) {
            w.put(body.data(), end);
        }
        if (end > 0 || canon == Canon::simple) {
            w.put(kCrlf);
        }
        w.flush();
        return w.total();
    }
    const char* const begin = body.data();
    const std::size_t n = body.size();
    // The canonical body is mostly the input itself: it is written as spans of the input
    // (merged while contiguous; large ones reach the digest without a copy), with a few
    // literal replacements (one SP for a WSP run, CRLF for a bare LF).
    std::size_t span_start = 0;
    std::size_t span_end = 0;
    auto flush_span = [&] {
        if (span_end > span_start) {
            w.put(begin + span_start, span_end - span_start);
        }
        span_start = span_end = 0;
    };
    auto verbatim = [&](std::size_t from, std::size_t to) {
        if (to == from) {
            return;
        }
        if (span_end > span_start && span_end == from) {
            span_end = to;
            return;
        }
        flush_span();
        span_start = from;
        span_end = to;
    };
    auto literal = [&](std::string_view text) {
        flush_span();
        w.put(text);
    };
    std::size_t pos = 0;
    std::size_t prev_line_end = 0;   // where the empty lines held back begin
    std::uint64_t pending_crlf = 0;  // empty lines held back: they may be trailing ones
    bool pending_verbatim = true;    // ... and each of them is exactly CRLF in the input
    bool any_content = false;
    while (pos < n) {
        const void* hit = std::memchr(begin + pos, '\n', n - pos);
        std::size_t content_end = n;
        std::size_t next = n;
        bool terminated = false;
        bool crlf = false;
        if (hit != nullptr) {
            const auto lf = static_cast<std::size_t>(static_cast<const char*>(hit) - begin);
            crlf = lf > pos && begin[lf - 1] == '\r';
            content_end = crlf ? lf - 1 : lf;  // CRLF, or a bare LF read as CRLF
            next = lf + 1;
            terminated = true;
        }
        std::size_t line_end = content_end;
        if (canon == Canon::relaxed) {
            // RFC 6376 3.4.4: ignore all whitespace at the end of lines.
            while (line_end > pos && is_wsp(begin[line_end - 1])) {
                --line_end;
            }
        }
        if (line_end == pos) {
            // An empty line: RFC 6376 3.4.3 / 3.4.4 ignore empty lines at the end of the
            // body, so its line end is written only if content follows.
            if (terminated) {
                ++pending_crlf;
                pending_verbatim = pending_verbatim && crlf && content_end == pos;
            }
            pos = next;
            continue;
        }
        if (pending_crlf > 0) {
            if (pending_verbatim) {
                verbatim(prev_line_end, pos);
            } else {
                for (; pending_crlf > 0; --pending_crlf) {
                    literal(kCrlf);
                }
            }
            pending_crlf = 0;
            pending_verbatim = true;
        }
        std::size_t segment = pos;
        if (canon == Canon::relaxed) {
            // RFC 6376 3.4.4: every WSP run becomes one SP. A single SP stays in the span;
            // an HTAB or a longer run is replaced.
            std::size_t i = pos;
            while ((i = next_wsp_change(begin, i, line_end, n)) < line_end) {
                if (begin[i] == ' ') {
                    verbatim(segment, i + 1);
                } else {
                    verbatim(segment, i);
                    literal(" ");
                }
                while (i < line_end && is_wsp(begin[i])) {
                    ++i;
                }
                segment = i;
            }
        }
        if (crlf && line_end == content_end) {
            verbatim(segment, next);  // the content and its CRLF as they are
        } else {
            // Trailing WSP removed, a bare LF, or an unterminated last line (which gets
            // a CRLF added, RFC 6376 3.4.3 / 3.4.4).
            verbatim(segment, line_end);
            literal(kCrlf);
        }
        any_content = true;
        prev_line_end = next;
        pos = next;
    }
    flush_span();
    if (!any_content && canon == Canon::simple) {
        // RFC 6376 3.4.3: an empty body (or one of empty lines only) is a single CRLF;
        // relaxed (3.4.4, erratum 1384) leaves it empty.
        w.put(kCrlf);
    }
    w.flush();
    return w.total();
}

std::string canonical_body(std::string_view body, Canon canon, std::optional<std::uint64_t> limit) {
    std::string out;
    canonicalize_body(
        body, canon, [&out](std::string_view chunk) { out.append(chunk); }, limit);
    return out;
}

std::vector<const HeaderField*> select_signed_fields(const std::vector<HeaderField>& fields,
                                                     const std::vector<std::string>& names,
                                                     const HeaderField* skip) {
    std::vector<const HeaderField*> selected;
    selected.reserve(names.size());
    // For each distinct name, where the bottom-up search stopped: the next instance of
    // that name is above it (RFC 6376 5.4.2: repeated names take instances bottom-up).
    std::vector<std::pair<std::string_view, std::size_t>> cursors;
    for (const auto& name : names) {
        auto it = std::find_if(cursors.begin(), cursors.end(),
                               [&](const auto& c) { return iequals(c.first, name); });
        if (it == cursors.end()) {
            cursors.emplace_back(name, fields.size());
            it = cursors.end() - 1;
        }
        const HeaderField* found = nullptr;
        std::size_t i = it->second;
        while (i > 0) {
            --i;
            if (&fields[i] != skip && iequals(fields[i].name, name)) {
                found = &fields[i];
                break;
            }
        }
        it->second = i;
        // RFC 6376 5.4.2: a name with no instance left (over-signing) signs as the null
        // string.
        selected.push_back(found);
    }
    return selected;
}

bool canonicalize_signature_field(std::string_view raw, Canon canon, std::string& out) {
    const std::string_view field = without_line_end(raw);
    const std::size_t colon = field.find(':');
    if (colon == std::string_view::npos) {
        return false;
    }
    const std::string_view value = field.substr(colon + 1);
    const auto tags = parse_tag_list(value);
    if (!tags) {
        return false;
    }
    const Tag* b = tags->find("b");
    if (b == nullptr) {
        return false;
    }
    // RFC 6376 3.7: the b= value, with the whitespace around it, is deleted: everything
    // after "b=" up to the next ";" or the end of the field.
    const std::size_t eq = value.find('=', b->offset + b->name.size());
    std::size_t end = value.find(';', eq);
    if (end == std::string_view::npos) {
        end = value.size();
    }
    std::string stripped;
    stripped.reserve(field.size());
    stripped.append(field.substr(0, colon + 1 + eq + 1));
    stripped.append(value.substr(end));
    const std::size_t before = out.size();
    canonicalize_header(stripped, canon, out);
    // RFC 6376 3.7: "... without a trailing CRLF".
    if (out.size() >= before + 2 && ends_with_crlf(out)) {
        out.resize(out.size() - 2);
    }
    return true;
}

namespace detail {

bool header_hash_input(const std::vector<HeaderField>& fields,
                       const std::vector<std::string>& names, const HeaderField& signature_field,
                       Canon canon, std::string& out) {
    out.clear();
    for (const HeaderField* f : select_signed_fields(fields, names, &signature_field)) {
        if (f != nullptr) {
            canonicalize_header(f->raw, canon, out);
        }
    }
    return canonicalize_signature_field(signature_field.raw, canon, out);
}

}  // namespace detail

}  // namespace mailverdict::dkim
