// Mailbox intelligence contact graph (brief 4.2 "Mailbox intelligence", 4.3 first contact,
// 15 Q11): who each mailbox has exchanged mail with, learnt from a history of messages
// (`mailverdict learn`) and persisted in SQLite.
//
// Microsoft gives no thresholds ("frequent contacts", "rarely hears from", brief 15 Q11);
// this model's choices are ContactThresholds, documented in docs/impersonation.md:
//   corresponded  at least one message in either direction (brief 4.2: "User impersonation
//                 does not fire if sender and recipient have corresponded before")
//   first contact the mailbox is known to the graph and has exchanged fewer than
//                 `first_contact_below` messages (default 1: none) with the sender
//   frequent      the mailbox sent at least `frequent_min_sent` messages to the contact
//                 (default 1: writing to someone is the strongest sign of a relationship) or
//                 received at least `frequent_min_received` from it (default 3)
//
// The graph is an in-memory value: load() reads the whole database once, and evaluation
// never does I/O (architecture "Every stage is a plain function of its inputs"). A const
// ContactGraph is safe to share between threads. SQLite stays inside lib/detect.
#pragma once

#include <mailverdict/detect/lookalike.hpp>
#include <mailverdict/message/message.hpp>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace mailverdict::detect {

// A contacts database that cannot be opened, read or written (configuration error).
class ContactGraphError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

enum class ContactDirection : std::uint8_t {
    received,  // the mailbox received a message from the contact
    sent,      // the mailbox sent a message to the contact
};

struct ContactStats {
    std::string contact;         // lower-case address
    std::string display_name;    // the last non-empty display name seen for the contact
    std::uint32_t received = 0;  // messages the mailbox received from the contact
    std::uint32_t sent = 0;      // messages the mailbox sent to the contact
    std::optional<std::chrono::sys_seconds> first_seen;
    std::optional<std::chrono::sys_seconds> last_seen;

    [[nodiscard]] std::uint32_t total() const noexcept { return received + sent; }
    bool operator==(const ContactStats&) const = default;
};

struct ContactThresholds {
    std::uint32_t frequent_min_received = 3;
    std::uint32_t frequent_min_sent = 1;
    std::uint32_t first_contact_below = 1;
};

// A frequent contact with its lookalike forms (mailbox-intelligence impersonation compares
// senders against these).
struct IndexedContact {
    std::string address;
    NameForms name;
    DomainShape domain;
};

class ContactGraph {
public:
    explicit ContactGraph(ContactThresholds thresholds = {});

    // Reads a database written by save(). Throws ContactGraphError naming the path when the
    // file is missing, unreadable or not a mailverdict contacts database.
    static ContactGraph load(const std::filesystem::path& path, ContactThresholds thresholds = {});
    // Writes the whole graph (replacing the file's contacts) in one transaction.
    void save(const std::filesystem::path& path) const;

    // One message between `mailbox` and `contact` (addresses, compared lower-case).
    // Invalidates the lookalike index of that mailbox.
    void record(std::string_view mailbox, std::string_view contact,
                std::string_view contact_display_name, ContactDirection direction,
                std::optional<std::chrono::sys_seconds> when, std::uint32_t count = 1);

    // The mailbox has any history in the graph (otherwise nothing can be said about it).
    [[nodiscard]] bool knows(std::string_view mailbox) const;
    [[nodiscard]] const ContactStats* find(std::string_view mailbox,
                                           std::string_view contact) const;
    [[nodiscard]] bool corresponded(std::string_view mailbox, std::string_view contact) const;
    // nullopt when the graph does not know the mailbox.
    [[nodiscard]] std::optional<bool> first_contact(std::string_view mailbox,
                                                    std::string_view sender) const;
    [[nodiscard]] bool frequent(const ContactStats& stats) const noexcept;
    [[nodiscard]] bool frequent(std::string_view mailbox, std::string_view contact) const;
    // Sorted by address.
    [[nodiscard]] std::vector<const ContactStats*> frequent_contacts(
        std::string_view mailbox) const;
    [[nodiscard]] std::vector<const ContactStats*> contacts(std::string_view mailbox) const;
    [[nodiscard]] std::vector<std::string> mailboxes() const;  // sorted

    // Precomputes the lookalike forms of every mailbox's frequent contacts (after load or
    // learning; record() drops the index of the mailbox it changes).
    void index(const LookalikeModel& model);
    // The precomputed forms, or nullptr when the mailbox is not indexed.
    [[nodiscard]] const std::vector<IndexedContact>* indexed_contacts(
        std::string_view mailbox) const;
    // The forms of the mailbox's frequent contacts, from the index or computed now.
    [[nodiscard]] std::vector<IndexedContact> frequent_contact_forms(
        std::string_view mailbox, const LookalikeModel& model) const;

    [[nodiscard]] std::size_t mailbox_count() const noexcept { return boxes_.size(); }
    [[nodiscard]] std::size_t pair_count() const noexcept;
    [[nodiscard]] const ContactThresholds& thresholds() const noexcept { return thresholds_; }

private:
    struct Hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const noexcept {
            return std::hash<std::string_view>{}(s);
        }
    };
    using Contacts = std::unordered_map<std::string, ContactStats, Hash, std::equal_to<>>;
    struct Box {
        Contacts contacts;
        std::optional<std::vector<IndexedContact>> index;
    };
    [[nodiscard]] const Box* box(std::string_view mailbox) const;

    std::unordered_map<std::string, Box, Hash, std::equal_to<>> boxes_;
    ContactThresholds thresholds_;
};

// What learning takes from one message.
struct LearnOptions {
    // Domains whose addresses are mailboxes of the organization (accepted domains, with
    // their sub-domains). Empty: every address is treated as a mailbox.
    std::vector<std::string> internal_domains;
};

struct LearnOutcome {
    std::size_t recorded = 0;  // (mailbox, contact) messages recorded
    std::string skipped;       // why nothing was learnt ("" when something was)
};

// Records the message's From -> To/Cc/Bcc exchanges: for an internal recipient, a message
// received from the sender; for an internal sender, a message sent to each recipient. The
// date is the Date field (RFC 5322 3.3), absent when it does not parse.
LearnOutcome learn_message(ContactGraph& graph, const Message& message,
                           const LearnOptions& options);

}  // namespace mailverdict::detect
