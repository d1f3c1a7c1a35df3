#include "inputs.hpp"

#include <mailverdict/output/html.hpp>

#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <sstream>

namespace mvcli {

namespace fs = std::filesystem;
using mailverdict::MboxMessage;
using mailverdict::MboxReader;
using mailverdict::MboxVariant;

void add_input_options(po::options_description& desc, po::positional_options_description& pos,
                       std::vector<std::string>& arguments, InputOptions& opts) {
    // clang-format off
    desc.add_options()
        ("input", po::value(&arguments)->composing(),
         "FILE, mbox, Maildir or DIR (walked for *.eml, *.mbox and Maildirs)")
        ("files-from", po::value(&opts.files_from),
         "read input paths from FILE, one per line ('-': standard input)")
        ("mbox-variant", po::value(&opts.mbox_variant)->default_value("mboxrd"),
         "mbox quoting: mboxrd (unquote >From lines) or mboxo (keep lines as written)");
    // clang-format on
    pos.add("input", -1);
}

void require_inputs(const std::vector<std::string>& arguments, const InputOptions& opts,
                    const std::string& usage_line) {
    if (!has_inputs(arguments, opts)) {
        throw UsageError("no input (usage: " + usage_line + ")");
    }
}

void add_contacts_option(po::options_description& desc, std::string& contacts_file) {
    desc.add_options()("contacts", po::value(&contacts_file),
                       "mailbox intelligence contact graph (SQLite, from `mailverdict learn`)");
}

std::string inputs_fact(const std::vector<std::string>& arguments, const InputOptions& opts) {
    std::string fact =
        arguments.empty() ? std::string() : mailverdict::output::html::fact_list(arguments);
    if (!opts.files_from.empty()) {
        fact += (fact.empty() ? "" : "; ") + std::string("paths listed in ") +
                (opts.files_from == "-" ? std::string("standard input") : opts.files_from);
    }
    return fact;
}

bool has_inputs(const std::vector<std::string>& arguments, const InputOptions& opts) {
    return !arguments.empty() || !opts.files_from.empty();
}

namespace {

std::string size_limit_error(std::uint64_t size) {
    return "message of " + std::to_string(size) + " bytes is over the " +
           std::to_string(max_message_bytes / (std::uint64_t{1024} * 1024)) +
           " MB limit (Exchange Online's largest message); not read";
}

// Reads a stream that is not a regular file (a pipe, /dev/stdin) whole, up to the limit.
bool read_stream(std::istream& in, std::string& bytes, std::string& error) {
    bytes.clear();
    std::uint64_t size = 0;
    char chunk[65536];
    while (in) {
        in.read(chunk, sizeof chunk);
        const auto got = static_cast<std::size_t>(in.gcount());
        size += got;
        if (size <= max_message_bytes) {
            bytes.append(chunk, got);
        } else if (!bytes.empty()) {
            std::string().swap(bytes);
        }
    }
    if (in.bad()) {
        error = "read error";
        return false;
    }
    if (size > max_message_bytes) {
        error = size_limit_error(size);
        return false;
    }
    return true;
}

// A stream that serves `head`, then the rest of another stream (the bytes of a pipe that
// were read to recognise an mbox).
class PrefixedBuffer : public std::streambuf {
public:
    PrefixedBuffer(std::string head, std::unique_ptr<std::istream> rest)
        : head_(std::move(head)), rest_(std::move(rest)) {
        setg(head_.data(), head_.data(), head_.data() + head_.size());
    }

protected:
    int_type underflow() override {
        if (gptr() < egptr()) {
            return traits_type::to_int_type(*gptr());
        }
        rest_->read(buffer_.data(), static_cast<std::streamsize>(buffer_.size()));
        const auto got = rest_->gcount();
        if (got <= 0) {
            if (rest_->bad()) {
                throw std::ios_base::failure("read error");  // the istream sets badbit
            }
            return traits_type::eof();
        }
        setg(buffer_.data(), buffer_.data(), buffer_.data() + got);
        return traits_type::to_int_type(*gptr());
    }

private:
    std::string head_;
    std::unique_ptr<std::istream> rest_;
    std::array<char, 65536> buffer_{};
};

class PrefixedStream : public std::istream {
public:
    PrefixedStream(std::string head, std::unique_ptr<std::istream> rest)
        : std::istream(nullptr), buffer_(std::move(head), std::move(rest)) {
        rdbuf(&buffer_);
    }

private:
    PrefixedBuffer buffer_;
};

enum class EntryKind {
    directory,       // walked (a Maildir inside is read as one)
    message_file,    // *.eml, a Maildir message: one message each
    maybe_mbox,      // *.mbox: an mbox if its first line is a From_ line
    maildir_folder,  // a Maildir++ sub-folder
};

// A name relative to its Frame's directory: a string, not an std::filesystem::path, which
// costs several hundred bytes (its components) where a name costs a few dozen.
struct Entry {
    std::string name;
    EntryKind kind;
};

// One level of the walk: a directory's entries in name order, or an open mbox.
struct Frame {
    fs::path dir;
    std::vector<Entry> entries;
    std::size_t next = 0;
    std::string mbox_name;
    std::unique_ptr<std::istream> mbox_stream;
    std::optional<MboxReader> mbox;
};

}  // namespace

struct InputStream::State {
    std::vector<std::string> arguments;
    std::size_t next_argument = 0;
    std::unique_ptr<std::ifstream> list_file;
    std::istream* list = nullptr;
    MboxVariant variant = MboxVariant::mboxrd;
    std::vector<Frame> stack;  // depth of the walk; one open mbox at most
    MboxMessage mbox_message;  // reused; its bytes are moved out to the worker each time

    bool next_path(std::string& path) {
        if (next_argument < arguments.size()) {
            path = arguments[next_argument++];
            return true;
        }
        if (list == nullptr) {
            return false;
        }
        std::string line;
        while (std::getline(*list, line)) {
            if (!line.empty() && line.back() == '\r') {
                line.pop_back();  // a list written on Windows
            }
            if (line.find_first_not_of(" \t") == std::string::npos) {
                continue;  // blank lines are ignored
            }
            path = line;
            return true;
        }
        list = nullptr;
        return false;
    }

    static void pending(InputItem& item, const fs::path& path) {
        item.name = path.string();
        item.path = path;
        item.read_pending = true;
    }
    static void failed(InputItem& item, const std::string& name, std::string error) {
        item.name = name;
        item.error = std::move(error);
    }

    // A path named by the user (argument or list line). True when it gave an item.
    bool open_named(const std::string& name, InputItem& item) {
        std::error_code ec;
        const fs::path path(name);
        const auto status = fs::status(path, ec);
        if (ec && ec != std::errc::no_such_file_or_directory) {
            failed(item, name, ec.message());  // e.g. a directory on the way is not searchable
            return true;
        }
        if (!fs::exists(status)) {
            failed(
                item, name,
                fs::exists(fs::symlink_status(path, ec)) ? "broken symbolic link" : "no such file");
            return true;
        }
        if (fs::is_directory(status)) {
            return open_directory(path, item);
        }
        return open_file(path, fs::is_regular_file(status), item);
    }

    // A file that may be an mbox. A regular file that is no mbox is read by a worker;
    // a pipe or device (/dev/stdin, <(...)) can be read only once, so it is read here.
    bool open_file(const fs::path& path, bool regular, InputItem& item) {
        if (regular && path.extension() == ".eml") {
            pending(item, path);
            return true;
        }
        auto in = std::make_unique<std::ifstream>(path, std::ios::binary);
        if (!*in) {
            failed(item, path.string(), "cannot be read");
            return true;
        }
        char head[5] = {};
        in->read(head, sizeof head);
        const std::string start(head, static_cast<std::size_t>(in->gcount()));
        if (in->bad()) {
            failed(item, path.string(), "read error");
            return true;
        }
        std::unique_ptr<std::istream> stream;
        if (regular) {
            in->clear();
            in->seekg(0);
            stream = std::move(in);
        } else {
            // a pipe cannot seek back: the bytes read go in front of the rest
            stream = std::make_unique<PrefixedStream>(start, std::move(in));
        }
        if (mailverdict::starts_with_from_line(start)) {
            Frame frame;
            frame.mbox_name = path.string();
            frame.mbox_stream = std::move(stream);
            frame.mbox.emplace(*frame.mbox_stream, variant);
            stack.push_back(std::move(frame));
            return false;
        }
        if (regular && start.empty() && path.extension() == ".mbox") {
            return false;  // an empty mbox: no message
        }
        if (regular) {
            pending(item, path);
            return true;
        }
        item.name = path.string();
        read_stream(*stream, item.bytes, item.error);
        return true;
    }

    // Pushes the directory's entries (or its Maildir listing). True when it gave an item:
    // the directory could not be listed (in full); what could be listed still follows.
    bool open_directory(const fs::path& dir, InputItem& item) {
        Frame frame;
        frame.dir = dir;
        std::string error;
        if (mailverdict::is_maildir(dir)) {
            auto listing = mailverdict::list_maildir(dir);
            for (auto& name : listing.messages) {
                frame.entries.push_back({std::move(name), EntryKind::message_file});
            }
            for (auto& name : listing.folders) {
                frame.entries.push_back({std::move(name), EntryKind::maildir_folder});
            }
            error = std::move(listing.error);
        } else {
            std::error_code ec;
            fs::directory_iterator it(dir, ec);
            for (const fs::directory_iterator end; !ec && it != end; it.increment(ec)) {
                std::error_code type_ec;
                const auto& p = it->path();
                if (it->is_directory(type_ec)) {
                    // symbolic links to directories are not followed (no loops), as before
                    if (!it->is_symlink(type_ec)) {
                        frame.entries.push_back({p.filename().string(), EntryKind::directory});
                    }
                } else if (it->is_regular_file(type_ec)) {
                    if (p.extension() == ".eml") {
                        frame.entries.push_back({p.filename().string(), EntryKind::message_file});
                    } else if (p.extension() == ".mbox") {
                        frame.entries.push_back({p.filename().string(), EntryKind::maybe_mbox});
                    }
                }
            }
            if (ec) {
                error = ec.message();
            }
            // by name: the order of a sort of the whole paths, one directory at a time
            std::sort(frame.entries.begin(), frame.entries.end(),
                      [](const Entry& a, const Entry& b) { return a.name < b.name; });
        }
        stack.push_back(std::move(frame));
        if (!error.empty()) {
            failed(item, dir.string(), "cannot be listed: " + error);
            return true;
        }
        return false;
    }

    // The next message of the mbox on top of the stack; false when it has no more (the
    // frame is then popped).
    bool next_from_mbox(InputItem& item) {
        Frame& frame = stack.back();
        MboxMessage& m = mbox_message;
        if (frame.mbox->next(m)) {
            item.name = frame.mbox_name + ":" + std::to_string(m.number);
            if (m.over_limit) {
                item.error = size_limit_error(m.size);
            } else {
                item.bytes = std::move(m.bytes);
            }
            if (m.truncated) {
                item.warning = "the mbox ends inside this message (truncated?)";
            }
            return true;
        }
        const bool read_failed = frame.mbox->read_failed();
        const std::string name = frame.mbox_name;
        stack.pop_back();
        if (read_failed) {
            failed(item, name, "read error: the rest of the mbox was not read");
            return true;
        }
        return false;
    }

    bool next(InputItem& item) {
        for (;;) {
            if (stack.empty()) {
                std::string path;
                if (!next_path(path)) {
                    return false;
                }
                if (open_named(path, item)) {
                    return true;
                }
                continue;
            }
            Frame& frame = stack.back();
            if (frame.mbox) {
                if (next_from_mbox(item)) {
                    return true;
                }
                continue;
            }
            if (frame.next >= frame.entries.size()) {
                stack.pop_back();
                continue;
            }
            Entry& entry = frame.entries[frame.next++];
            const EntryKind kind = entry.kind;
            const fs::path path = frame.dir / entry.name;
            std::string().swap(entry.name);  // done with it
            switch (kind) {
                case EntryKind::message_file:
                    pending(item, path);
                    return true;
                case EntryKind::maybe_mbox:
                    if (open_file(path, true, item)) {
                        return true;
                    }
                    break;
                case EntryKind::directory:
                case EntryKind::maildir_folder:
                    if (open_directory(path, item)) {
                        return true;
                    }
                    break;
            }
        }
    }
};

InputStream::InputStream(std::vector<std::string> arguments, const InputOptions& options)
    : state_(std::make_unique<State>()) {
    for (const auto& a : arguments) {
        if (a == "-") {
            throw UsageError(
                "'-' is not an input: give a list of paths on standard input with "
                "--files-from -, or a message or mbox on standard input as /dev/stdin");
        }
    }
    state_->arguments = std::move(arguments);
    if (options.mbox_variant == "mboxrd") {
        state_->variant = MboxVariant::mboxrd;
    } else if (options.mbox_variant == "mboxo") {
        state_->variant = MboxVariant::mboxo;
    } else {
        throw UsageError("unknown --mbox-variant '" + options.mbox_variant + "' (mboxrd, mboxo)");
    }
    if (options.files_from == "-") {
        state_->list = &std::cin;
    } else if (!options.files_from.empty()) {
        state_->list_file = std::make_unique<std::ifstream>(options.files_from);
        if (!*state_->list_file) {
            throw UsageError("--files-from " + options.files_from + ": cannot be read");
        }
        state_->list = state_->list_file.get();
    }
}

InputStream::~InputStream() = default;

bool InputStream::next(InputItem& item) {
    item = InputItem{};
    return state_->next(item);
}

bool load_message(InputItem& item) {
    if (!item.read_pending) {
        return item.error.empty();
    }
    item.read_pending = false;
    std::error_code ec;
    const auto size = fs::file_size(item.path, ec);
    if (!ec && size > max_message_bytes) {
        item.error = size_limit_error(size);
        return false;
    }
    return read_file(item.path, item.bytes, item.error);
}

ProgressLine::ProgressLine(std::string command, bool requested, bool quiet)
    : command_(std::move(command)) {
    terminal_ = isatty(STDERR_FILENO) != 0;
    stdout_terminal_ = isatty(STDOUT_FILENO) != 0;
    enabled_ = !quiet && (requested || (terminal_ && !stdout_terminal_));
    start_ = last_draw_ = std::chrono::steady_clock::now();
}

ProgressLine::~ProgressLine() {
    clear();
}

void ProgressLine::count(bool problem) {
    ++done_;
    problems_ += problem ? 1 : 0;
    if (!enabled_) {
        return;
    }
    using namespace std::chrono_literals;
    const auto now = std::chrono::steady_clock::now();
    // Nothing for the first half second (a short run shows no flicker), then at most 4
    // redraws a second on a terminal, one line a second in a file.
    if (now - start_ < 500ms || now - last_draw_ < (terminal_ ? 250ms : 1000ms)) {
        return;
    }
    draw(now, false);
}

void ProgressLine::draw(std::chrono::steady_clock::time_point now, bool last) {
    const double seconds = std::chrono::duration<double>(now - start_).count();
    std::ostringstream text;
    text << command_ << ": " << done_ << " message(s)";
    if (last) {
        text << " in " << std::fixed << std::setprecision(1) << seconds << " s";
    }
    if (seconds > 0) {
        text << ", " << std::fixed << std::setprecision(0) << static_cast<double>(done_) / seconds
             << "/s";
    }
    text << ", " << problems_ << " error(s)";
    if (terminal_) {
        std::cerr << "\r" << text.str() << "\x1b[K" << std::flush;
        shown_ = true;
    } else {
        // stdout first: with 2>&1 the line then falls between two results, never inside one
        std::cout.flush();
        std::cerr << text.str() << "\n" << std::flush;
    }
    last_draw_ = now;
}

void ProgressLine::clear() {
    if (shown_) {
        std::cerr << "\r\x1b[K" << std::flush;
        shown_ = false;
    }
}

void ProgressLine::print(const std::string& line) {
    clear();
    std::cerr << line << "\n";
}

void ProgressLine::before_stdout() {
    if (stdout_terminal_) {
        clear();
    }
}

void ProgressLine::finish() {
    if (!enabled_) {
        return;
    }
    if (terminal_) {
        clear();
    } else {
        draw(std::chrono::steady_clock::now(), true);
    }
    enabled_ = false;
}

void MessageRun::problem(const std::string& name, const std::string& text) {
    status_ = exit_input_error;
    note(name, text);
}

void MessageRun::note(const std::string& name, const std::string& text) {
    progress_.print("mailverdict " + command_ + ": " + name + ": " + text);
}

}  // namespace mvcli
