// The messages a command reads: FILE, DIR, Maildir and mbox arguments and a list of paths
// (--files-from), streamed one message at a time into the worker pool, with the progress
// line on stderr. Nothing here collects the inputs: memory stays flat over any number
// of messages (docs/design.md, "Inputs").
#pragma once

#include "cli.hpp"
#include "ordered_pool.hpp"

#include <mailverdict/message/mailbox.hpp>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace mvcli {

// --files-from FILE ('-' = standard input), --mbox-variant mboxrd|mboxo.
struct InputOptions {
    std::string files_from;
    std::string mbox_variant = "mboxrd";
};
// The inputs of a command over many messages: FILE|mbox|Maildir|DIR... as positional
// arguments (option "input", into `arguments`), --files-from and --mbox-variant.
void add_input_options(po::options_description& desc, po::positional_options_description& pos,
                       std::vector<std::string>& arguments, InputOptions& opts);
// A UsageError "no input (usage: ...)" when there is nothing to read.
void require_inputs(const std::vector<std::string>& arguments, const InputOptions& opts,
                    const std::string& usage_line);
// --contacts FILE: the mailbox intelligence contact graph (verdict, report, diff, submissions).
void add_contacts_option(po::options_description& desc, std::string& contacts_file);

// The inputs as a page fact: the arguments (a few, "and N more"), then "paths listed in
// FILE" for --files-from ("standard input" for -).
std::string inputs_fact(const std::vector<std::string>& arguments, const InputOptions& opts);

// True when the command has something to read (arguments or --files-from).
[[nodiscard]] bool has_inputs(const std::vector<std::string>& arguments, const InputOptions& opts);

// The largest message read (from a file or an mbox), the mbox reader's named limit:
// Exchange Online accepts no message over 150 MB.
inline constexpr std::uint64_t max_message_bytes = mailverdict::MboxLimits{}.max_message_bytes;

// One message to process, or an input that could not be read.
struct InputItem {
    // The name printed everywhere (text, JSON "file", errors): the path as given or found
    // by the walk; "PATH:N" for the Nth message (1-based) of an mbox.
    std::string name;
    std::filesystem::path path;  // when read_pending: the file load_message() reads
    bool read_pending = false;
    std::string bytes;    // the message
    std::string error;    // why it could not be read (then there is no message)
    std::string warning;  // read, but its input is damaged (an mbox cut off in this message)
};

// Reads the file of an item whose read is pending (on a worker thread, so files are read
// in parallel); false with item.error set when it cannot be read or is over the limit.
bool load_message(InputItem& item);

// The inputs in order: each argument, then each line of --files-from. A directory is
// walked depth-first, entries sorted by name; a Maildir gives its messages (cur/ and new/)
// then its Maildir++ folders; a file is an mbox when its first line is a From_ line
// (except *.eml, always one message). Missing or unreadable inputs come out as items with
// an error, in their place.
class InputStream {
public:
    // Throws UsageError when --files-from cannot be opened, for an unknown
    // --mbox-variant, or for '-' given as an argument.
    InputStream(std::vector<std::string> arguments, const InputOptions& options);
    ~InputStream();
    InputStream(const InputStream&) = delete;
    InputStream& operator=(const InputStream&) = delete;

    // The next item; false at the end. Not thread-safe (the pool calls it under its lock).
    bool next(InputItem& item);

private:
    struct State;
    std::unique_ptr<State> state_;
};

// The progress line on stderr: messages done, rate, errors. Shown with --progress, or by
// default when stderr is a terminal and stdout is not (on one terminal the results show
// the progress); never with --quiet. On a terminal the line is redrawn in place at most 4
// times a second and cleared at the end; otherwise (--progress into a file or pipe) one
// line a second and a final line.
class ProgressLine {
public:
    ProgressLine(std::string command, bool requested, bool quiet);
    ~ProgressLine();
    ProgressLine(const ProgressLine&) = delete;
    ProgressLine& operator=(const ProgressLine&) = delete;

    void count(bool problem);             // one more input done
    void print(const std::string& line);  // a stderr line, never mixed into the progress line
    void before_stdout();                 // clears the line when stdout shares the terminal
    void finish();                        // clears the line (terminal) or prints the last one

private:
    void draw(std::chrono::steady_clock::time_point now, bool last);
    void clear();

    std::string command_;
    bool enabled_ = false;
    bool terminal_ = false;
    bool stdout_terminal_ = false;
    bool shown_ = false;
    std::size_t done_ = 0;
    std::size_t problems_ = 0;
    std::chrono::steady_clock::time_point start_;
    std::chrono::steady_clock::time_point last_draw_;
};

// Runs a command over every message of an InputStream: work on `jobs` threads, emit in
// input order (serialized, on whichever worker completed the next message). An unreadable or
// damaged input is reported on stderr
// ("mailverdict COMMAND: NAME: what") and makes status() exit_input_error; the run goes on.
class MessageRun {
public:
    MessageRun(const std::string& command, unsigned jobs, bool progress, bool quiet)
        : command_(command), jobs_(jobs), progress_("mailverdict " + command, progress, quiet) {}
    MessageRun(const std::string& command, const CommonOptions& common)
        : MessageRun(command, common.jobs, common.progress, common.quiet) {}

    template <class Result>
    using Work = std::function<Result(const std::string& name, std::string&& bytes)>;
    template <class Result>
    using Emit = std::function<void(const std::string& name, Result&&)>;
    using Unreadable = std::function<void(const std::string& name, const std::string& error)>;

    // work(name, bytes) on the workers; emit(name, result) in input order; unreadable(name,
    // error) in its place in the order, for commands that show unreadable inputs in their
    // output (may be empty).
    template <class Result>
    void run(InputStream& inputs, const Work<Result>& work, const Emit<Result>& emit,
             const Unreadable& unreadable = {}) {
        struct Done {
            std::string name;
            std::string error;
            std::string warning;
            std::optional<Result> result;
        };
        const std::function<bool(InputItem&)> produce = [&](InputItem& item) {
            return inputs.next(item);
        };
        const std::function<Done(InputItem &&)> process = [&](InputItem&& item) {
            Done d;
            const bool loaded = load_message(item);
            d.name = std::move(item.name);
            d.error = std::move(item.error);
            d.warning = std::move(item.warning);
            if (loaded) {
                d.result.emplace(work(d.name, std::move(item.bytes)));
            }
            return d;
        };
        const std::function<void(Done &&)> deliver = [&](Done&& d) {
            progress_.count(!d.error.empty() || !d.warning.empty());
            if (!d.warning.empty()) {
                problem(d.name, d.warning);
            }
            if (!d.result) {
                problem(d.name, d.error);
                if (unreadable) {
                    progress_.before_stdout();
                    unreadable(d.name, d.error);
                }
                return;
            }
            progress_.before_stdout();
            emit(d.name, std::move(*d.result));
        };
        run_ordered_stream<InputItem, Done>(jobs_, produce, process, deliver);
        progress_.finish();
    }

    // "mailverdict COMMAND: NAME: text" on stderr; problem() also sets the exit status.
    void problem(const std::string& name, const std::string& text);
    void note(const std::string& name, const std::string& text);
    [[nodiscard]] int status() const { return status_; }

private:
    std::string command_;
    unsigned jobs_;
    ProgressLine progress_;
    int status_ = exit_ok;
};

}  // namespace mvcli
