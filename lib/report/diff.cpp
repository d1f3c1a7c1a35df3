// Diff: what changes between two evaluations of the same messages (diff.hpp).
#include <mailverdict/report/diff.hpp>

namespace mailverdict::report {

namespace {

std::vector<std::string> categories(const verdict::RecipientVerdict* r) {
    std::vector<std::string> out;
    if (r != nullptr) {
        for (const auto& d : r->detections) {
            out.emplace_back(verdict::category(d.detection));
        }
    }
    return out;
}

std::vector<std::string> applied(const verdict::RecipientVerdict* r) {
    std::vector<std::string> out;
    if (r != nullptr) {
        for (const auto& o : r->overrides) {
            if (o.applied) {
                out.push_back(o.source + ": " + o.entry);
            }
        }
    }
    return out;
}

// Explorer's delivery actions in increasing severity (brief 11.1): Delivered (Inbox, or
// redirected to another mailbox), Delivered to junk (Junk, Deleted Items), Blocked
// (quarantined, rejected, dropped). An absent recipient counts as delivered.
int severity(const std::string& folder) {
    if (folder == "junk" || folder == "deleted") {
        return 1;
    }
    if (folder == "quarantine" || folder == "rejected" || folder == "dropped") {
        return 2;
    }
    return 0;
}

const verdict::RecipientVerdict* find(const verdict::Verdict& v, const std::string& address) {
    for (const auto& r : v.recipients) {
        if (r.address == address) {
            return &r;
        }
    }
    return nullptr;
}

}  // namespace

void Diff::add(const verdict::Verdict& a, const verdict::Verdict& b, const std::string& file) {
    ++totals_.messages;
    std::vector<std::string> addresses;
    for (const auto& r : a.recipients) {
        addresses.push_back(r.address);
    }
    for (const auto& r : b.recipients) {
        if (find(a, r.address) == nullptr) {
            addresses.push_back(r.address);
        }
    }
    for (const auto& address : addresses) {
        ++totals_.recipients;
        const auto* ra = find(a, address);
        const auto* rb = find(b, address);
        RecipientChange c;
        c.file = file;
        c.message_id = a.message_id;
        c.recipient = address;
        if (ra != nullptr) {
            c.folder_a = std::string(verdict::to_string(ra->final.folder));
            c.action_a = ra->final.action;
            c.reason_a = ra->final.reason;
        }
        if (rb != nullptr) {
            c.folder_b = std::string(verdict::to_string(rb->final.folder));
            c.action_b = rb->final.action;
            c.reason_b = rb->final.reason;
        }
        c.detections_a = categories(ra);
        c.detections_b = categories(rb);
        c.overrides_a = applied(ra);
        c.overrides_b = applied(rb);
        c.folder_changed = c.folder_a != c.folder_b;
        c.detections_changed = c.detections_a != c.detections_b;
        c.overrides_changed = c.overrides_a != c.overrides_b;
        ++totals_.folder_flow[{c.folder_a, c.folder_b}];
        if (!c.folder_changed && !c.detections_changed && !c.overrides_changed &&
            c.action_a == c.action_b) {
            continue;
        }
        ++totals_.changed;
        totals_.folder_changed += c.folder_changed ? 1 : 0;
        totals_.detections_changed += c.detections_changed ? 1 : 0;
        totals_.overrides_changed += c.overrides_changed ? 1 : 0;
        changes_.push_back(std::move(c));
    }
}

std::vector<RecipientChange> Diff::moved_to_junk_or_quarantine() const {
    std::vector<RecipientChange> out;
    // Only a move to a stricter delivery action: quarantine -> junk (Strict to Standard)
    // or quarantine -> rejected (both blocked) is not mail that B stops delivering.
    for (const auto& c : changes_) {
        if (severity(c.folder_b) > severity(c.folder_a)) {
            out.push_back(c);
        }
    }
    return out;
}

}  // namespace mailverdict::report
