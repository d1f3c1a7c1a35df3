// SubmissionScore: user-reported labels against a configuration's verdicts
// (submissions.hpp, docs/submissions.md).
#include <mailverdict/report/report.hpp>
#include <mailverdict/report/submissions.hpp>

#include <algorithm>
#include <cctype>
#include <tuple>

namespace mailverdict::report {

namespace {

using verdict::Detection;

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\r')) {
        s.remove_prefix(1);
    }
    while (!s.empty() && (s.back() == ' ' || s.back() == '\r')) {
        s.remove_suffix(1);
    }
    return s;
}

std::optional<SubmissionLabel> parse_label(std::string_view text) {
    const std::string l = to_lower_ascii(text);
    if (l == "phish" || l == "phishing") {
        return SubmissionLabel::phish;
    }
    if (l == "spam" || l == "junk") {
        return SubmissionLabel::spam;
    }
    if (l == "clean" || l == "ham" || l == "not junk" || l == "notjunk") {
        return SubmissionLabel::clean;
    }
    return std::nullopt;
}

// The last path components of `file` equal `name` ("messages/a.eml" names
// "corpus/messages/a.eml", "a.eml" names any "…/a.eml").
bool names_file(std::string_view name, std::string_view file) {
    if (name.empty() || name.size() > file.size()) {
        return false;
    }
    if (file.substr(file.size() - name.size()) != name) {
        return false;
    }
    return name.size() == file.size() || file[file.size() - name.size() - 1] == '/';
}

std::string strip_brackets(std::string_view id) {
    id = trim(id);
    if (id.size() >= 2 && id.front() == '<' && id.back() == '>') {
        id = id.substr(1, id.size() - 2);
    }
    return std::string(id);
}

bool is_impersonation(Detection d) {
    return d == Detection::user_impersonation || d == Detection::domain_impersonation ||
           d == Detection::mailbox_intelligence_impersonation;
}

// The applied override that made the final folder differ from the system's, if any: the
// primary one, which the engine lists first (brief 11.3; report.cpp counts the same).
const verdict::Override* deciding_override(const verdict::RecipientVerdict& r) {
    if (r.final.folder == r.system.folder) {
        return nullptr;
    }
    for (const auto& o : r.overrides) {
        if (o.applied) {
            return &o;
        }
    }
    return nullptr;
}

bool advanced_delivery(const verdict::Override& o) {
    return o.mechanism.rfind("advanced_delivery", 0) == 0;
}

std::string from_address(const verdict::Verdict& v) {
    return v.from ? to_lower_ascii(v.from->address()) : std::string();
}

std::string from_domain(const verdict::Verdict& v) {
    return v.from ? to_lower_ascii(v.from->domain) : std::string();
}

// Mail the tenant's third-party filter relayed (its verified PTR is the MX host or under
// it) that reached the service without enhanced filtering.
bool relayed_outside_connector(const verdict::Verdict& v, const policy::Tenant* tenant) {
    if (tenant == nullptr || v.enhanced_filtering || !v.connecting_ip || v.ptr.empty()) {
        return false;
    }
    const std::string host = to_lower_ascii(tenant->mail_routing().mx_host);
    const std::string ptr = to_lower_ascii(v.ptr);
    if (host.empty()) {
        return false;
    }
    return ptr == host || (ptr.size() > host.size() &&
                           ptr.compare(ptr.size() - host.size(), host.size(), host) == 0 &&
                           ptr[ptr.size() - host.size() - 1] == '.');
}

// The partner connector the filter's mail should use (the first enabled Partner one).
std::string connector_name(const policy::Tenant& tenant) {
    for (const auto& c : tenant.inbound_connectors()) {
        if (c.enabled && c.type == policy::ConnectorType::partner) {
            return "inbound connector " + c.name;
        }
    }
    return "an inbound connector for the third-party filter";
}

// The anti-phishing setting that acts on an impersonation detection (brief 4.2).
std::string_view impersonation_setting(Detection d) {
    switch (d) {
        case Detection::user_impersonation:
            return "TargetedUserProtectionAction";
        case Detection::domain_impersonation:
            return "TargetedDomainProtectionAction";
        default:
            return "MailboxIntelligenceProtectionAction";
    }
}

}  // namespace

std::string_view to_string(SubmissionLabel label) noexcept {
    switch (label) {
        case SubmissionLabel::clean:
            return "clean";
        case SubmissionLabel::spam:
            return "spam";
        case SubmissionLabel::phish:
            return "phish";
    }
    return "clean";
}

std::string_view to_string(Treatment treatment) noexcept {
    switch (treatment) {
        case Treatment::delivered:
            return "delivered";
        case Treatment::junked:
            return "junked";
        case Treatment::blocked:
            return "blocked";
    }
    return "delivered";
}

std::string_view to_string(Outcome outcome) noexcept {
    switch (outcome) {
        case Outcome::correct:
            return "correct";
        case Outcome::false_positive:
            return "false_positive";
        case Outcome::false_negative:
            return "false_negative";
    }
    return "correct";
}

Treatment treatment(verdict::Folder folder) noexcept {
    if (junked(folder)) {
        return Treatment::junked;
    }
    if (blocked(folder)) {
        return Treatment::blocked;
    }
    return Treatment::delivered;  // inbox, redirected
}

std::vector<Submission> parse_submissions(std::string_view text, const std::string& file_name) {
    std::vector<Submission> out;
    std::map<std::pair<std::string, std::string>, std::pair<SubmissionLabel, int>> seen;
    int line_no = 0;
    while (!text.empty()) {
        const auto eol = text.find('\n');
        std::string_view line = text.substr(0, eol);
        text.remove_prefix(eol == std::string_view::npos ? text.size() : eol + 1);
        ++line_no;
        const auto where = file_name + ":" + std::to_string(line_no) + ": ";
        if (trim(line).empty() || trim(line).front() == '#') {
            continue;
        }
        std::vector<std::string_view> columns;
        for (;;) {
            const auto tab = line.find('\t');
            columns.push_back(trim(line.substr(0, tab)));
            if (tab == std::string_view::npos) {
                break;
            }
            line.remove_prefix(tab + 1);
        }
        if (columns.size() < 2 || columns[0].empty()) {
            throw SubmissionsError(where + "expected message<TAB>label[<TAB>reporter[<TAB>note]]");
        }
        const auto label = parse_label(columns[1]);
        if (!label) {
            throw SubmissionsError(where + "unknown label \"" + std::string(columns[1]) +
                                   "\" (phish, spam or clean)");
        }
        Submission s;
        s.message = std::string(columns[0]);
        s.label = *label;
        s.line = line_no;
        if (columns.size() > 2) {
            s.reporter = to_lower_ascii(columns[2]);
        }
        if (columns.size() > 3) {
            s.note = std::string(columns[3]);
            for (std::size_t i = 4; i < columns.size(); ++i) {
                s.note += " " + std::string(columns[i]);
            }
        }
        const auto [it, inserted] = seen.try_emplace({s.message, s.reporter}, s.label, line_no);
        if (!inserted && it->second.first != s.label) {
            throw SubmissionsError(where + s.message + " is labelled " +
                                   std::string(to_string(s.label)) + " here and " +
                                   std::string(to_string(it->second.first)) + " on line " +
                                   std::to_string(it->second.second));
        }
        if (inserted) {
            out.push_back(std::move(s));
        }
    }
    return out;
}

SubmissionScore::SubmissionScore(std::vector<Submission> submissions, Limits limits,
                                 const policy::Tenant* tenant)
    : submissions_(std::move(submissions)),
      matched_(submissions_.size(), false),
      tenant_(tenant),
      limits_(limits) {
    for (std::size_t i = 0; i < submissions_.size(); ++i) {
        const std::string& m = submissions_[i].message;
        if (!m.empty() && m.front() == '<') {
            by_id_[strip_brackets(m)].push_back(i);
        } else {
            const auto slash = m.rfind('/');
            by_name_[slash == std::string::npos ? m : m.substr(slash + 1)].push_back(i);
        }
    }
}

std::vector<const Submission*> SubmissionScore::find(std::string_view file,
                                                     std::string_view message_id) const {
    // Candidates by index (Message-ID, last path component), then the exact rule; in
    // submissions_ order so the result does not depend on the maps.
    std::vector<std::size_t> candidates;
    const std::string id = strip_brackets(message_id);
    if (const auto it = by_id_.find(id); !id.empty() && it != by_id_.end()) {
        candidates.insert(candidates.end(), it->second.begin(), it->second.end());
    }
    const auto slash = file.rfind('/');
    const std::string last(slash == std::string_view::npos ? file : file.substr(slash + 1));
    if (const auto it = by_name_.find(last); it != by_name_.end()) {
        for (const std::size_t i : it->second) {
            if (names_file(submissions_[i].message, file)) {
                candidates.push_back(i);
            }
        }
    }
    std::sort(candidates.begin(), candidates.end());
    candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());
    std::vector<const Submission*> out;
    out.reserve(candidates.size());
    for (const std::size_t i : candidates) {
        out.push_back(&submissions_[i]);
    }
    return out;
}

bool SubmissionScore::add(const verdict::Verdict& verdict, const std::string& file) {
    const auto labels = find(file, verdict.message_id);
    for (const Submission* s : labels) {
        matched_[static_cast<std::size_t>(s - submissions_.data())] = true;
        bool reporter_is_recipient = false;
        for (const auto& r : verdict.recipients) {
            reporter_is_recipient =
                reporter_is_recipient || to_lower_ascii(r.address) == s->reporter;
        }
        for (const auto& r : verdict.recipients) {
            // A user reports their own copy; an admin's label (no reporter, or a reporter who
            // is not a recipient) speaks for every copy.
            if (!reporter_is_recipient || to_lower_ascii(r.address) == s->reporter) {
                score(verdict, r, *s, file);
            }
        }
    }
    return !labels.empty();
}

void SubmissionScore::score(const verdict::Verdict& v, const verdict::RecipientVerdict& r,
                            const Submission& s, const std::string& file) {
    ScoredSubmission out;
    out.file = file;
    out.message_id = v.message_id;
    out.recipient = r.address;
    out.label = s.label;
    out.reporter = s.reporter;
    out.treatment = treatment(r.final.folder);
    out.folder = std::string(verdict::to_string(r.final.folder));
    out.line = s.line;
    out.detail = r.final.reason;
    const verdict::Override* decider = deciding_override(r);
    if (decider != nullptr) {
        out.decided_by = "override: " + decider->source;
    } else if (!r.detections.empty()) {
        out.decided_by = std::string(verdict::category(r.detections.front().detection));
    } else {
        out.decided_by = "NONE";
    }

    const bool delivered = out.treatment == Treatment::delivered;
    if (s.label == SubmissionLabel::clean) {
        out.outcome = delivered ? Outcome::correct : Outcome::false_positive;
    } else {
        // Phish in Junk counts as caught: the Standard recommendation for spoof is MoveToJmf
        // (brief 13.2 step 5d), so Junk is an intended outcome for phishing, not a miss.
        out.outcome = delivered ? Outcome::false_negative : Outcome::correct;
    }

    const std::string label_name(to_string(s.label));
    ++totals_.scored;
    auto& per_label = by_label_[label_name];
    ++per_label.scored;
    ++matrix_[label_name][std::string(to_string(out.treatment))];
    if (out.outcome == Outcome::correct) {
        ++totals_.correct;
        ++per_label.correct;
        return;
    }

    const std::string sender = from_address(v);
    const std::string domain = from_domain(v);
    const std::string spoof_pair = domain + ", " + v.infrastructure.value;

    if (out.outcome == Outcome::false_positive) {
        ++totals_.false_positives;
        ++per_label.false_positives;
        ++fp_by_[out.decided_by];
        if (decider != nullptr) {
            suggest("review_override", decider->entry, decider->source,
                    "remove or narrow this entry: it sent mail reported as clean to " + out.folder,
                    "brief 13.3 step 6 (remove unnecessary overrides)", file);
        } else if (!r.detections.empty()) {
            // Brief 7.1 "Submission outcomes": what Microsoft's submission of a false positive
            // creates depends on the filter that convicted it.
            const auto& top = r.detections.front();
            const Detection d = top.detection;
            const auto* arc_set = v.auth.arc.newest();
            const bool arc_pass = v.auth.arc.cv == arc::ChainStatus::pass && arc_set != nullptr &&
                                  !arc_set->seal_domain.empty();
            if (d == Detection::spoof && relayed_outside_connector(v, tenant_)) {
                // Brief 2.3/9, setup step 4: the third-party filter handed the message over
                // from an address its connector and the skip list do not cover, so SPF and
                // DMARC judged the filter's IP; fixing that fixes every such message.
                const std::string ip = v.connecting_ip ? v.connecting_ip->to_string() : "";
                suggest("connector_skip_ip", ip, connector_name(*tenant_),
                        "the third-party filter (PTR " + v.ptr +
                            ") relayed it from an address outside the inbound connector and "
                            "the enhanced filtering skip list, so SPF and DMARC were judged "
                            "against the filter: add " +
                            ip + " to the connector's SenderIPAddresses and to EFSkipIPs",
                        "brief 2.3, 9 (enhanced filtering), migration setup step 4", file);
            } else if (d == Detection::spoof && arc_pass) {
                // Brief 2.4: an intermediary that modifies mail and seals a passing ARC chain
                // (a mailing list, a gateway) is tuned by trusting its sealer, which keeps
                // protecting the From domain against everyone else.
                suggest("trusted_arc_sealer", arc_set->seal_domain,
                        "ARC trusted sealers (Set-ArcConfig -ArcTrustedSealers)",
                        "trust the sealer of the passing ARC chain (a spoofed-sender allow for " +
                            spoof_pair + " would also deliver it, for every message of the pair)",
                        "brief 2.4 (trusted ARC sealers, compauth reason 130)", file);
            } else if (d == Detection::spoof) {
                if (v.infrastructure.value.empty() || domain.empty()) {
                    suggest("submit_to_microsoft", domain.empty() ? sender : domain, "Submissions",
                            "spoof-blocked but the sending infrastructure is unknown (no client "
                            "IP): submit the message so the service creates the entry",
                            "brief 7.1 (submission outcomes)", file);
                } else {
                    suggest("tabl_spoof_allow", spoof_pair,
                            "Tenant Allow/Block List (spoofed senders)",
                            "allow the spoofed-sender pair (spoofed user, sending infrastructure)",
                            "brief 3.2, 7.1: spoof-blocked -> spoofed-sender allow", file);
                }
            } else if (is_impersonation(d)) {
                // Impersonation allows are not TABL entries: the policy's trusted senders
                // (user, mailbox intelligence) or trusted domains (domain impersonation).
                const bool by_domain = d == Detection::domain_impersonation;
                std::string target = sender;
                if (by_domain) {
                    target = top.impersonation && !top.impersonation->sender_value.empty()
                                 ? to_lower_ascii(top.impersonation->sender_value)
                                 : domain;
                }
                suggest(by_domain ? "trusted_domain" : "trusted_sender", target,
                        r.anti_phish_policy,
                        by_domain ? "add the domain to the policy's trusted domains "
                                    "(ExcludedDomains; subdomains are not included)"
                                  : "add the sender to the policy's trusted senders "
                                    "(ExcludedSenders)",
                        "brief 4.2, 7.1: impersonation-blocked -> trusted sender/domain", file);
            } else if (d == Detection::malware || d == Detection::high_confidence_phish) {
                suggest("submit_to_microsoft", sender.empty() ? domain : sender, "Submissions",
                        "submit the message as a false positive: only an allow entry created "
                        "by a submission overrides " +
                            std::string(verdict::category(d)),
                        "brief 7.1 (override verdicts of direct vs submission allows)", file);
            } else if (!sender.empty()) {
                std::string action =
                    "allow the sender (a direct allow overrides bulk, spam, "
                    "high confidence spam and phishing)";
                if (v.compauth.failed()) {
                    action +=
                        "; the message failed composite authentication, and an allow entry "
                        "is honoured only for mail that passes it";
                }
                suggest("tabl_sender_allow", sender,
                        "Tenant Allow/Block List (domains & addresses)", action,
                        "brief 7.1: other blocks -> domain/address allow", file);
            }
        }
    } else {
        ++totals_.false_negatives;
        ++per_label.false_negatives;
        if (decider != nullptr) {
            out.detail = "the system would have sent it to " +
                         std::string(verdict::to_string(r.system.folder)) + " (" + r.system.reason +
                         "); " + decider->source + " " + decider->entry + " delivered it";
            if (advanced_delivery(*decider)) {
                out.detail += " (advanced delivery: delivered by design)";
            } else if (decider->mechanism == "mail_flow_rule_bypass") {
                suggest("review_override", decider->entry, decider->source,
                        "the SCL=-1 rule hid this from filtering: add the recipient to the "
                        "pilot, or turn the rule off once everyone is covered",
                        "brief 13.3 steps 6-7", file);
            } else if (decider->mechanism.find("spoof") != std::string::npos) {
                suggest("tabl_spoof_block", spoof_pair, decider->source,
                        "the spoofed-sender allow " + decider->entry +
                            " delivered reported mail: remove it or change it to block",
                        "brief 3.2, 7.1", file);
            } else {
                suggest(
                    "review_override", decider->entry, decider->source,
                    "this allow delivered mail reported as " + label_name + ": remove or narrow it",
                    "brief 6.2, 13.3 step 6", file);
            }
        } else if (!r.detections.empty() && is_impersonation(r.detections.front().detection)) {
            // Detected, observed only (brief 13.2 step 5d: impersonation actions start as
            // NoAction; 13.3 step 4 turns them on one at a time).
            const Detection d = r.detections.front().detection;
            out.decided_by = std::string(verdict::category(d)) + " (no action)";
            // Brief 4.6, 13.3 step 4: user and domain impersonation Quarantine in both
            // Standard and Strict; mailbox intelligence MoveToJmf (Standard), Quarantine
            // (Strict).
            const bool mailbox_intelligence = d == Detection::mailbox_intelligence_impersonation;
            suggest("set_action",
                    std::string(impersonation_setting(d)) +
                        (mailbox_intelligence ? " = MoveToJmf (Standard) or Quarantine (Strict)"
                                              : " = Quarantine"),
                    r.anti_phish_policy,
                    mailbox_intelligence
                        ? "the impersonation was detected but not acted on: set the action to "
                          "MoveToJmf (Standard) or Quarantine (Strict)"
                        : "the impersonation was detected but not acted on: set the action to "
                          "Quarantine (Standard and Strict)",
                    "brief 4.2, 4.6, 13.3 step 4", file);
        } else if (!domain.empty()) {
            if (v.compauth.result != verdict::CompAuthResult::pass &&
                !v.infrastructure.value.empty()) {
                suggest("tabl_spoof_block", spoof_pair, "Tenant Allow/Block List (spoofed senders)",
                        "block the spoofed-sender pair (the From domain did not authenticate)",
                        "brief 3.2, 7.1", file);
            } else {
                suggest("tabl_sender_block", sender,
                        "Tenant Allow/Block List (domains & addresses)",
                        "block the sender (inbound: treated as high confidence phishing, "
                        "quarantined)",
                        "brief 7.1", file);
            }
        }
        ++fn_by_[out.decided_by];
    }
    mistakes_.push_back(std::move(out));
}

void SubmissionScore::suggest(std::string kind, std::string target, std::string where,
                              std::string action, std::string reference, const std::string& file) {
    const std::string key = kind + '\n' + target + '\n' + where;
    TuningSuggestion s;
    s.kind = std::move(kind);
    s.target = std::move(target);
    s.where = std::move(where);
    s.action = std::move(action);
    s.reference = std::move(reference);
    auto [it, inserted] = suggestions_.try_emplace(key, std::move(s));
    auto& row = it->second;
    // A message with several labelled copies supports a suggestion once.
    auto& last = last_file_[key];
    if (!inserted && last == file) {
        return;
    }
    last = file;
    ++row.messages;
    if (row.examples.size() < limits_.examples) {
        row.examples.push_back(file);
    }
}

std::vector<TuningSuggestion> SubmissionScore::suggestions() const {
    std::vector<TuningSuggestion> out;
    out.reserve(suggestions_.size());
    for (const auto& entry : suggestions_) {
        out.push_back(entry.second);
    }
    std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
        return std::tie(b.messages, a.kind, a.target) < std::tie(a.messages, b.kind, b.target);
    });
    return out;
}

std::vector<Submission> SubmissionScore::unmatched() const {
    std::vector<Submission> out;
    for (std::size_t i = 0; i < submissions_.size(); ++i) {
        if (!matched_[i]) {
            out.push_back(submissions_[i]);
        }
    }
    return out;
}

}  // namespace mailverdict::report
