#include <mailverdict/message/mailbox.hpp>

#include <algorithm>
#include <cstring>
#include <istream>
#include <string_view>
#include <system_error>

namespace mailverdict {

namespace fs = std::filesystem;

namespace {

constexpr std::size_t read_buffer_bytes = std::size_t{64} * 1024;
constexpr std::string_view from_prefix = "From ";

}  // namespace

bool starts_with_from_line(std::string_view data) noexcept {
    return data.starts_with(from_prefix);
}

// The reader works on lines but never holds one: bytes go from a fixed read buffer straight
// into the message (or nowhere, past the size limit), so a line of any length costs the
// buffer only. The only look-ahead needed is at a line start: 7 bytes ("From " after a
// held-back blank line, "\r\n" for a blank line, '>'... for mboxrd unquoting).
struct MboxReader::State {
    std::istream& in;
    MboxVariant variant;
    MboxLimits limits;
    std::vector<char> buffer = std::vector<char>(read_buffer_bytes);
    std::size_t pos = 0;  // next unread byte in buffer
    std::size_t end = 0;  // end of the valid bytes in buffer
    bool exhausted = false;
    bool failed = false;
    std::uint64_t offset = 0;  // stream offset of buffer[pos]
    bool started = false;
    // A From_ line already read: it opens the next message.
    bool separator_pending = false;
    bool separator_ended = true;  // the From_ line had a line end
    std::string separator;
    std::uint64_t separator_offset = 0;
    std::size_t number = 0;

    State(std::istream& stream, MboxVariant v, MboxLimits l) : in(stream), variant(v), limits(l) {}

    // Makes at least `want` bytes available unless the stream ends first; returns how
    // many are available.
    std::size_t fill(std::size_t want) {
        while (end - pos < want && !exhausted) {
            if (pos > 0) {
                std::memmove(buffer.data(), buffer.data() + pos, end - pos);
                end -= pos;
                pos = 0;
            }
            in.read(buffer.data() + end, static_cast<std::streamsize>(buffer.size() - end));
            end += static_cast<std::size_t>(in.gcount());
            if (!in) {
                exhausted = true;
                failed = in.bad();
            }
        }
        return end - pos;
    }
    [[nodiscard]] std::string_view available() const { return {buffer.data() + pos, end - pos}; }
    void advance(std::size_t n) {
        pos += n;
        offset += n;
    }

    void append(MboxMessage& m, const char* data, std::size_t n) const {
        m.size += n;
        if (m.over_limit) {
            return;
        }
        if (m.size > limits.max_message_bytes) {
            m.over_limit = true;
            std::string().swap(m.bytes);  // give the memory back now
            return;
        }
        m.bytes.append(data, n);
    }
    void append_repeated(MboxMessage& m, std::uint64_t n, char c) const {
        for (; n > 0; --n) {  // only for a run of '>', short in any real message
            append(m, &c, 1);
        }
    }

    // Copies the rest of the current line (line end included) into `m`; false when the
    // data ended before a line end.
    bool copy_line(MboxMessage& m) {
        for (;;) {
            if (fill(1) == 0) {
                return false;
            }
            const char* start = buffer.data() + pos;
            const std::size_t avail = end - pos;
            const auto* newline = static_cast<const char*>(std::memchr(start, '\n', avail));
            const std::size_t n = newline ? static_cast<std::size_t>(newline - start) + 1 : avail;
            append(m, start, n);
            advance(n);
            if (newline) {
                return true;
            }
        }
    }

    // Reads the From_ line at the current position (kept without its line end, capped).
    void read_separator() {
        separator_offset = offset;
        separator.clear();
        separator_ended = false;
        while (fill(1) != 0) {
            const std::string_view avail = available();
            const auto newline = avail.find('\n');
            const std::string_view piece =
                newline == std::string_view::npos ? avail : avail.substr(0, newline);
            if (separator.size() < limits.max_separator_bytes) {
                separator.append(piece.substr(0, limits.max_separator_bytes - separator.size()));
            }
            advance(piece.size());
            if (newline != std::string_view::npos) {
                advance(1);
                separator_ended = true;
                break;
            }
        }
        if (!separator.empty() && separator.back() == '\r') {
            separator.pop_back();
        }
        separator_pending = true;
    }

    // mboxrd (qmail mbox(5)): a line matching /^>+From / loses one '>'. Called at a line
    // start that holds '>'; consumes the run of '>' and writes it back, one shorter when
    // "From " follows.
    void unquote_run(MboxMessage& m) {
        std::uint64_t run = 0;
        while (fill(1) != 0 && buffer[pos] == '>') {
            ++run;
            advance(1);
        }
        fill(from_prefix.size());
        const bool quoted_from = available().starts_with(from_prefix);
        append_repeated(m, quoted_from ? run - 1 : run, '>');
    }
};

MboxReader::MboxReader(std::istream& in, MboxVariant variant, MboxLimits limits)
    : state_(std::make_unique<State>(in, variant, limits)) {}
MboxReader::~MboxReader() = default;
MboxReader::MboxReader(MboxReader&&) noexcept = default;
MboxReader& MboxReader::operator=(MboxReader&&) noexcept = default;

bool MboxReader::read_failed() const noexcept {
    return state_->failed;
}

bool MboxReader::next(MboxMessage& m) {
    State& s = *state_;
    m.number = 0;
    m.offset = 0;
    m.separator.clear();
    m.bytes.clear();
    m.size = 0;
    m.missing_separator = false;
    m.over_limit = false;
    m.truncated = false;
    if (!s.started) {
        s.started = true;
        if (s.fill(from_prefix.size()) == 0) {
            return false;  // an empty mbox holds no message
        }
        if (starts_with_from_line(s.available())) {
            s.read_separator();
        } else {
            m.missing_separator = true;  // keep what precedes the first From_ line
        }
    } else if (!s.separator_pending) {
        return false;
    }
    m.number = ++s.number;
    if (s.separator_pending) {
        m.offset = s.separator_offset;
        m.separator = std::move(s.separator);
        s.separator.clear();
        s.separator_pending = false;
        if (!s.separator_ended) {
            m.truncated = true;  // the data ended inside the From_ line
            return true;
        }
    }
    // A blank line is held back until the next line shows whether it separates messages
    // (a From_ line follows: it is dropped) or is part of this one.
    std::string_view held_blank;
    bool line_ended = true;
    for (;;) {
        if (s.fill(7) == 0) {
            break;  // end of data: a held blank line is the final separator, dropped
        }
        const std::string_view line = s.available();
        if (!held_blank.empty() && starts_with_from_line(line)) {
            s.read_separator();
            break;
        }
        if (!held_blank.empty()) {
            s.append(m, held_blank.data(), held_blank.size());
            held_blank = {};
        }
        if (line.starts_with("\n") || line.starts_with("\r\n")) {
            held_blank = line.starts_with("\n") ? std::string_view("\n") : "\r\n";
            s.advance(held_blank.size());
            continue;
        }
        if (s.variant == MboxVariant::mboxrd && line.front() == '>') {
            s.unquote_run(m);
        }
        line_ended = s.copy_line(m);
    }
    m.truncated = !line_ended || s.failed;
    return true;
}

bool is_maildir(const fs::path& dir) {
    std::error_code ec;
    return fs::is_directory(dir / "cur", ec) && fs::is_directory(dir / "new", ec);
}

MaildirListing list_maildir(const fs::path& dir) {
    MaildirListing out;
    auto note_error = [&](const fs::path& p, const std::error_code& ec) {
        if (out.error.empty()) {
            out.error = p.string() + ": " + ec.message();
        }
    };
    for (const char* sub : {"cur", "new"}) {
        std::error_code ec;
        const fs::path folder = dir / sub;
        fs::directory_iterator it(folder, ec);
        for (const fs::directory_iterator end; !ec && it != end; it.increment(ec)) {
            std::string name = it->path().filename().string();
            std::error_code type_ec;
            if (name.starts_with(".") || !it->is_regular_file(type_ec)) {
                continue;
            }
            out.messages.push_back(std::string(sub) + "/" + name);
        }
        if (ec) {
            note_error(folder, ec);
        }
    }
    // Unique name (before ':'), then the whole name, then "cur/" before "new/".
    auto key = [](std::string_view relative) {
        const std::string_view name = relative.substr(4);  // after "cur/" or "new/"
        return std::pair{name.substr(0, name.find(':')), name};
    };
    std::sort(out.messages.begin(), out.messages.end(),
              [&](const std::string& a, const std::string& b) {
                  const auto ka = key(a);
                  const auto kb = key(b);
                  return ka != kb ? ka < kb : a < b;
              });
    std::error_code ec;
    fs::directory_iterator it(dir, ec);
    for (const fs::directory_iterator end; !ec && it != end; it.increment(ec)) {
        std::string name = it->path().filename().string();
        std::error_code type_ec;
        if (name.size() > 1 && name.starts_with(".") && name != ".." && it->is_directory(type_ec) &&
            is_maildir(it->path())) {
            out.folders.push_back(std::move(name));
        }
    }
    if (ec) {
        note_error(dir, ec);
    }
    std::sort(out.folders.begin(), out.folders.end());
    return out;
}

}  // namespace mailverdict
