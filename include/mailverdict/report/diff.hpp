// What changes between two evaluations of the same messages (tenant A, tenant B): per
// message and recipient, the final folder, the detections and the overrides applied, with
// totals and the recipients that move to Junk, Quarantine or Rejected — "what happens
// when I turn the SCL=-1 rule off" (issue 8 item 3). Fed one message at a time; it keeps
// only the recipients that change. docs/report.md.
#pragma once

#include <mailverdict/verdict/verdict.hpp>

#include <cstddef>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace mailverdict::report {

struct RecipientChange {
    std::string file;
    std::string message_id;
    std::string recipient;
    std::string folder_a, folder_b;  // final folders ("" when the recipient is absent)
    std::string action_a, action_b;
    std::vector<std::string> detections_a, detections_b;  // CATs in processing order
    std::vector<std::string> overrides_a, overrides_b;    // applied: "source: entry"
    std::string reason_a, reason_b;                       // the final dispositions' reasons
    bool folder_changed = false;
    bool detections_changed = false;
    bool overrides_changed = false;
};

struct DiffTotals {
    std::size_t messages = 0;
    std::size_t recipients = 0;
    std::size_t changed = 0;  // recipient verdicts with any change
    std::size_t folder_changed = 0;
    std::size_t detections_changed = 0;
    std::size_t overrides_changed = 0;
    std::map<std::pair<std::string, std::string>, std::size_t> folder_flow;  // A -> B, all
};

class Diff {
public:
    // The same message judged under A and B (recipients matched by address).
    void add(const verdict::Verdict& a, const verdict::Verdict& b, const std::string& file);

    [[nodiscard]] const DiffTotals& totals() const noexcept { return totals_; }
    // Every changed recipient verdict, in the order added.
    [[nodiscard]] const std::vector<RecipientChange>& changes() const noexcept { return changes_; }
    // The changes whose delivery action is stricter under B (Delivered < Delivered to junk
    // < Blocked, brief 11.1): inbox -> junk/quarantine/rejected, junk -> quarantine. A
    // quarantine -> junk or quarantine -> rejected change is not listed: B does not deliver
    // less of it.
    [[nodiscard]] std::vector<RecipientChange> moved_to_junk_or_quarantine() const;

private:
    DiffTotals totals_;
    std::vector<RecipientChange> changes_;
};

}  // namespace mailverdict::report
