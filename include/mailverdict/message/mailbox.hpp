// Mailboxes holding many messages: mbox files (RFC 4155) read one message at a time, and
// Maildir folders listed in a stable order. Neither ever holds more than one message.
//
// mbox (RFC 4155 appendix A): messages are concatenated, each preceded by a "From " line
// (the From_ line: envelope sender and date written by the delivery agent) and followed by
// a blank line. Lines of a message that begin with "From " are escaped by the writer with
// a leading '>'. Two conventions exist for that escaping:
//   mboxo:  "From " becomes ">From "; a line already reading ">From " is left alone, so
//           the escaping cannot be undone exactly.
//   mboxrd: every line matching /^>*From / gets one more '>' (qmail's mbox(5)), so the
//           reader removes exactly one '>' from each line matching /^>+From /.
// The default is mboxrd: it restores an mboxrd file exactly, and for an mboxo file it
// still restores the common case (an escaped "From "), which is what makes a DKIM body
// hash verify again; only an original ">From " line of an mboxo file loses its '>'.
//
// A "From " line is a separator only at the start of the data or after a blank line
// (RFC 4155: some writers escape "From " only there); elsewhere it is message content.
// The separating blank line and the From_ line are not part of the message; line ends
// (CRLF or LF) are kept as written. mboxcl/mboxcl2 Content-Length framing is not read.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <iosfwd>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace mailverdict {

enum class MboxVariant {
    mboxrd,  // remove one '>' from every line matching /^>+From / (default)
    mboxo,   // keep every line as written
};

// Named limits of the mbox reader: past one, the message is flagged, never held.
struct MboxLimits {
    // Exchange Online's largest accepted message is 150 MB (Microsoft's "Exchange Online
    // limits"): a larger message cannot have reached a mailbox, so it is skipped (size
    // counted, bytes not kept) and flagged `over_limit` instead of being held in memory.
    std::uint64_t max_message_bytes = std::uint64_t{150} * 1024 * 1024;
    // Bytes of the From_ line kept in MboxMessage::separator (the rest is skipped).
    std::size_t max_separator_bytes = 998;
};

struct MboxMessage {
    std::size_t number = 0;    // 1-based position in the mbox
    std::uint64_t offset = 0;  // byte offset of its From_ line (of its first line if none)
    std::string separator;     // the From_ line without its line end ("From sender date")
    std::string bytes;         // the message: From_ line removed, '>' unquoted (mboxrd)
    std::uint64_t size = 0;    // length of the message, also when its bytes were not kept
    // The data did not start with a From_ line: this message is what came before the
    // first one (nothing is dropped silently).
    bool missing_separator = false;
    // Over MboxLimits::max_message_bytes: `bytes` is empty, `size` is the real length.
    bool over_limit = false;
    // The data ended in the middle of a line (no final line end): the mbox was cut off,
    // the message may be incomplete. `bytes` holds what there was.
    bool truncated = false;
};

// Pulls one message at a time from an mbox stream; memory is one message (bounded by
// MboxLimits::max_message_bytes) plus a 64 KiB read buffer, whatever the mbox size.
class MboxReader {
public:
    explicit MboxReader(std::istream& in, MboxVariant variant = MboxVariant::mboxrd,
                        MboxLimits limits = {});
    ~MboxReader();
    MboxReader(const MboxReader&) = delete;
    MboxReader& operator=(const MboxReader&) = delete;
    MboxReader(MboxReader&&) noexcept;
    MboxReader& operator=(MboxReader&&) noexcept;

    // Reads the next message into `message` (all of its fields replaced). False at the end
    // of the data, or when the stream failed (then read_failed() is true).
    bool next(MboxMessage& message);
    // The stream reported an I/O error (badbit): the messages after the last one returned
    // could not be read, and that last one may be incomplete.
    [[nodiscard]] bool read_failed() const noexcept;

private:
    struct State;
    std::unique_ptr<State> state_;
};

// True when the first line of `data` is a From_ line (the content test for an mbox).
bool starts_with_from_line(std::string_view data) noexcept;

// Maildir (D. J. Bernstein, https://cr.yp.to/proto/maildir.html): a directory with cur/
// and new/ holding one message per file; tmp/ holds deliveries in progress and is never
// read (a Maildir without tmp/, as archives often are, is still a Maildir).
bool is_maildir(const std::filesystem::path& dir);

// Names are relative to the Maildir and kept as strings (a few dozen bytes each, where an
// std::filesystem::path costs several hundred): a Maildir of a million messages lists in
// tens of MB.
struct MaildirListing {
    // "cur/NAME" and "new/NAME" together, ordered by the unique name (the part of NAME
    // before ':', which starts with the delivery time), then by NAME, then cur/ before
    // new/: the order does not change when a client moves a message from new/ to cur/
    // and adds flags. Names starting with '.' are skipped (the Maildir rule for files to
    // ignore).
    std::vector<std::string> messages;
    // Maildir++ sub-folders (Courier, Dovecot): sub-directories named ".Name" that are
    // Maildirs themselves, in name order. Maildir++ folders are flat (".A.B" is folder B
    // inside A), so they are only looked for at the root.
    std::vector<std::string> folders;
    // Set when cur/, new/ or the root could not be listed; the lists hold what was read.
    std::string error;
};

// Lists one Maildir (memory: the names of that Maildir only).
MaildirListing list_maildir(const std::filesystem::path& dir);

}  // namespace mailverdict
