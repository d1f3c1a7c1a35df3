// User submissions scored against a configuration (issue 8 item 4, brief 13.3 step 5 "Use
// user-reported data"): a labels file says what users or admins reported a message as
// (phish, spam, clean); SubmissionScore compares each label with the recipient's final
// verdict under a tenant, counts false positives and false negatives by detection (or by
// the override that decided), and suggests the tuning Microsoft's submission flow would
// make (brief 7.1 "Submission outcomes") — suggestions only, never applied.
// docs/submissions.md.
#pragma once

#include <mailverdict/policy/tenant.hpp>
#include <mailverdict/verdict/verdict.hpp>

#include <cstddef>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace mailverdict::report {

enum class SubmissionLabel { clean, spam, phish };
std::string_view to_string(SubmissionLabel label) noexcept;

// One line of the labels file.
struct Submission {
    // The message: a file name as the tool prints it (or its last path components), or a
    // Message-ID in angle brackets ("<id@host>") as a submissions export carries.
    std::string message;
    SubmissionLabel label = SubmissionLabel::clean;
    std::string reporter;  // the reporting mailbox ("" = the admin, for every recipient)
    std::string note;
    int line = 0;
};

// An unusable labels file: names the file and line.
class SubmissionsError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// The labels file: TAB-separated "message<TAB>label[<TAB>reporter[<TAB>note]]", '#'
// comments and blank lines ignored, labels case-insensitive (phish, spam, clean; "ham"
// and "not junk" are read as clean, "junk" as spam). Throws SubmissionsError naming
// `file_name` and the line for an unknown label, a missing column, or a message labelled
// twice for the same reporter with different labels.
std::vector<Submission> parse_submissions(std::string_view text, const std::string& file_name);

// What the configuration did with a recipient's copy, in the terms a reporter sees.
enum class Treatment { delivered, junked, blocked };
std::string_view to_string(Treatment treatment) noexcept;
Treatment treatment(verdict::Folder folder) noexcept;

enum class Outcome {
    correct,         // clean delivered; spam or phish junked or blocked
    false_positive,  // clean, junked or blocked
    false_negative,  // spam or phish delivered
};
std::string_view to_string(Outcome outcome) noexcept;

// One scored recipient verdict.
struct ScoredSubmission {
    std::string file;
    std::string message_id;
    std::string recipient;
    SubmissionLabel label = SubmissionLabel::clean;
    std::string reporter;
    Treatment treatment = Treatment::delivered;
    std::string folder;  // the final folder
    Outcome outcome = Outcome::correct;
    // What decided the outcome: the winning detection's CAT ("SPOOF", "UIMP", ...), or for
    // a folder an override chose, "override: SOURCE" — the key of the by-detection counts.
    // "NONE" when nothing was detected.
    std::string decided_by;
    std::string detail;  // the final disposition's reason, or why the miss happened
    int line = 0;        // the labels file line
};

// One piece of suggested tuning, with how many scored verdicts support it.
struct TuningSuggestion {
    // tabl_spoof_allow, tabl_spoof_block, tabl_sender_allow, tabl_sender_block,
    // connector_skip_ip,
    // trusted_sender, trusted_domain, trusted_arc_sealer, set_action, review_override,
    // submit_to_microsoft
    std::string kind;
    std::string target;  // the entry: "contoso.com, 198.51.100.0/24", "ceo@fabrikam.com", ...
    std::string where;   // "Tenant Allow/Block List (spoofed senders)", policy name, ...
    std::string action;  // the sentence an administrator acts on
    std::string reference;
    std::size_t messages = 0;
    std::vector<std::string> examples;  // files, at most SubmissionLimits::examples
};

struct SubmissionCounts {
    std::size_t scored = 0;
    std::size_t correct = 0;
    std::size_t false_positives = 0;
    std::size_t false_negatives = 0;
};

struct SubmissionLimits {
    std::size_t examples = 10;  // example files kept per suggestion
};

class SubmissionScore {
public:
    using Limits = SubmissionLimits;
    // `tenant` (optional) tells mail the third-party filter relayed from outside its
    // connector (a connector_skip_ip suggestion instead of a spoofed-sender allow).
    explicit SubmissionScore(std::vector<Submission> submissions, Limits limits = Limits{},
                             const policy::Tenant* tenant = nullptr);

    // The submissions that name this message (by file or Message-ID), or none.
    [[nodiscard]] std::vector<const Submission*> find(std::string_view file,
                                                      std::string_view message_id) const;

    // Scores the labelled message: every recipient, or only the reporter's copy when the
    // reporter is one of the recipients. Returns false when no label names it.
    bool add(const verdict::Verdict& verdict, const std::string& file);

    [[nodiscard]] const SubmissionCounts& totals() const noexcept { return totals_; }
    [[nodiscard]] const std::map<std::string, SubmissionCounts>& by_label() const noexcept {
        return by_label_;
    }
    // False positives and false negatives per decided_by key.
    [[nodiscard]] const std::map<std::string, std::size_t>& false_positives_by() const noexcept {
        return fp_by_;
    }
    [[nodiscard]] const std::map<std::string, std::size_t>& false_negatives_by() const noexcept {
        return fn_by_;
    }
    // label -> treatment -> count.
    [[nodiscard]] const std::map<std::string, std::map<std::string, std::size_t>>& matrix()
        const noexcept {
        return matrix_;
    }
    // Every wrong verdict, in the order added.
    [[nodiscard]] const std::vector<ScoredSubmission>& mistakes() const noexcept {
        return mistakes_;
    }
    // Sorted by supporting messages (descending), then kind and target.
    [[nodiscard]] std::vector<TuningSuggestion> suggestions() const;
    // Labels that matched no message added (file names or Message-IDs not seen).
    [[nodiscard]] std::vector<Submission> unmatched() const;

private:
    void score(const verdict::Verdict& verdict, const verdict::RecipientVerdict& r,
               const Submission& s, const std::string& file);
    void suggest(std::string kind, std::string target, std::string where, std::string action,
                 std::string reference, const std::string& file);

    std::vector<Submission> submissions_;
    std::vector<bool> matched_;
    const policy::Tenant* tenant_ = nullptr;
    // Indexes of submissions_ by Message-ID (without brackets) and by the last path
    // component of the file name, so find() is not a scan of every label per message.
    std::map<std::string, std::vector<std::size_t>, std::less<>> by_id_;
    std::map<std::string, std::vector<std::size_t>, std::less<>> by_name_;
    Limits limits_;
    SubmissionCounts totals_;
    std::map<std::string, SubmissionCounts> by_label_;
    std::map<std::string, std::size_t> fp_by_;
    std::map<std::string, std::size_t> fn_by_;
    std::map<std::string, std::map<std::string, std::size_t>> matrix_;
    std::vector<ScoredSubmission> mistakes_;
    std::map<std::string, TuningSuggestion> suggestions_;  // by kind + target + where
    std::map<std::string, std::string> last_file_;         // per suggestion key
};

}  // namespace mailverdict::report
