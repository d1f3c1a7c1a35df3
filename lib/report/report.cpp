// Report: streaming aggregation of verdicts into the pilot's insight tables (report.hpp).
#include <mailverdict/report/report.hpp>

#include <fmt/chrono.h>

#include <algorithm>

namespace mailverdict::report {

namespace {

using verdict::Detection;
using verdict::Folder;

std::string folder_name(Folder folder) {
    return std::string(verdict::to_string(folder));
}

std::string kind_code(std::string_view kind) {
    if (kind == "user_impersonation") {
        return "UIMP";
    }
    if (kind == "domain_impersonation") {
        return "DIMP";
    }
    if (kind == "mailbox_intelligence_impersonation") {
        return "GIMP";
    }
    return std::string(kind);
}

// The insight's "Impersonation type" (brief 11.5).
std::string impersonation_type(const verdict::ImpersonationEvidence& e) {
    if (e.kind == "mailbox_intelligence_impersonation") {
        return "Mailbox intelligence";
    }
    if (e.part == "display_name") {
        return e.kind == "domain_impersonation" ? "Domain in display name" : "User in display name";
    }
    if (e.part == "mail_from_domain") {
        return "Domain in MAIL FROM";
    }
    return "Domain in address";
}

void seen(std::optional<std::chrono::sys_seconds>& first,
          std::optional<std::chrono::sys_seconds>& last,
          const std::optional<std::chrono::sys_seconds>& when) {
    if (!when) {
        return;
    }
    if (!first || *when < *first) {
        first = when;
    }
    if (!last || *when > *last) {
        last = when;
    }
}

// The UTC calendar day of a message's Date ("undated" without one): Explorer's charts
// are per day; the report has no other clock than the messages' own.
std::string utc_day(const std::optional<std::chrono::sys_seconds>& when) {
    if (!when) {
        return "undated";
    }
    return utc_date(*when);
}

bool intra_rule(verdict::CompAuthRule rule) {
    return rule == verdict::CompAuthRule::dmarc_fail_intra_org ||
           rule == verdict::CompAuthRule::implicit_fail_intra_org;
}

}  // namespace

std::string utc_date(std::chrono::sys_seconds t) {
    return fmt::format("{:%Y-%m-%d}", t);
}

std::string utc_date_time(std::chrono::sys_seconds t) {
    return fmt::format("{:%Y-%m-%dT%H:%M:%SZ}", t);
}

bool junked(verdict::Folder folder) noexcept {
    return folder == Folder::junk || folder == Folder::deleted;
}

bool blocked(verdict::Folder folder) noexcept {
    return folder == Folder::quarantine || folder == Folder::rejected || folder == Folder::dropped;
}

std::string_view detection_technology(const verdict::Verdict& verdict,
                                      const verdict::RecipientVerdict& recipient) {
    if (recipient.detections.empty()) {
        return "";
    }
    switch (recipient.detections.front().detection) {
        case Detection::malware:
            return "Antimalware protection";
        case Detection::spoof:
            if (verdict.compauth.rule == verdict::CompAuthRule::dmarc_fail_explicit) {
                return "Spoof DMARC";
            }
            if (intra_rule(verdict.compauth.rule)) {
                return "Spoof intra-org";
            }
            return "Spoof external domain";
        case Detection::user_impersonation:
            return "Impersonation user";
        case Detection::domain_impersonation:
            return "Impersonation domain";
        case Detection::mailbox_intelligence_impersonation:
            return "Mailbox intelligence impersonation";
        case Detection::bulk:
            return "Bulk";
        case Detection::high_confidence_phish:
        case Detection::phish:
            return "Advanced filter";
        case Detection::high_confidence_spam:
        case Detection::spam:
            return "General filter";
    }
    return "";
}

std::string ReadinessRow::status() const {
    if (!dmarc_record) {
        return aligned == messages ? "no DMARC record (mail aligned)" : "no DMARC record";
    }
    if (dmarc_policy == "none") {
        return "p=none (monitoring)";
    }
    return aligned == messages ? "enforced, all mail aligned" : "enforced, some mail not aligned";
}

Report::Report(const policy::Tenant* tenant, Limits limits) : tenant_(tenant), limits_(limits) {}

void Report::add(const verdict::Verdict& v, const MessageContext& context) {
    ++serial_;
    ++status_.messages;
    if (!v.parsed) {
        ++status_.unparsed;
    }
    const std::string from_domain = v.from ? v.from->domain : std::string();
    const std::string day = utc_day(context.date);

    // Threat-protection status, impersonation insight, override analysis: per recipient.
    for (const auto& r : v.recipients) {
        ++status_.recipients;
        const std::string cat =
            r.detections.empty() ? std::string("NONE")
                                 : std::string(verdict::category(r.detections.front().detection));
        ++status_.by_detection[cat];
        ++status_.by_day[day][cat];
        const auto tech = detection_technology(v, r);
        ++status_.by_technology[tech.empty() ? std::string("none") : std::string(tech)];
        ++status_.by_system_folder[folder_name(r.system.folder)];
        ++status_.by_final_folder[folder_name(r.final.folder)];
        ++status_.system_to_final[{folder_name(r.system.folder), folder_name(r.final.folder)}];

        for (const auto& e : r.impersonation) {
            const std::string sender =
                e.part == "display_name" && v.from ? v.from->address() : e.sender_value;
            auto& [row, last_serial] =
                impersonation_[{sender, e.impersonated, kind_code(e.kind), r.anti_phish_policy}];
            if (row.sender.empty()) {
                row.sender = sender;
                row.impersonated = e.impersonated;
                row.kind = kind_code(e.kind);
                row.type = impersonation_type(e);
                row.policy = r.anti_phish_policy;
            }
            if (last_serial != serial_) {
                last_serial = serial_;
                ++row.messages;
                seen(row.first_seen, row.last_seen, context.date);
            }
            ++row.recipients;
            // One policy, one sender, one target: every finding agrees within a run.
            row.allowed = e.suppression;
        }

        const bool folder_changed = r.system.folder != r.final.folder;
        // Only the primary override (the first applied one, Explorer's "Primary override",
        // brief 11.3) changed the folder: a bypass rule applied after a trusted ARC sealer
        // or a spoofed-sender allow had already delivered the message changed nothing.
        bool primary_seen = false;
        for (const auto& o : r.overrides) {
            auto& row = overrides_[{o.source, o.mechanism, o.entry}];
            if (row.source.empty() && row.mechanism.empty()) {
                row.source = o.source;
                row.mechanism = o.mechanism;
                row.entry = o.entry;
            }
            ++row.matched;
            const bool changed = o.applied && folder_changed && !primary_seen;
            if (o.applied) {
                ++row.applied;
                primary_seen = true;
            }
            if (!changed) {
                ++row.unnecessary;
                continue;
            }
            ++row.changed;
            const bool was_junk = junked(r.system.folder);
            const bool was_blocked = blocked(r.system.folder);
            if (!was_junk && !was_blocked) {
                continue;
            }
            ++(was_junk ? row.risky_junk : row.risky_blocked);
            if (row.risky_examples.size() < limits_.examples) {
                row.risky_examples.push_back({context.file, r.address, folder_name(r.system.folder),
                                              folder_name(r.final.folder), r.system.reason});
            }
        }
    }

    if (!v.from || from_domain.empty()) {
        return;
    }

    // Spoof intelligence insight: pairs whose mail failed explicit authentication.
    const auto& dmarc = v.auth.dmarc;
    const bool explicit_pass = dmarc.result == dmarc::Result::pass || dmarc.best_guess_pass;
    if (!explicit_pass && v.system_compauth.result != verdict::CompAuthResult::none) {
        auto& [row, unused] = spoof_[{from_domain, v.infrastructure.value}];
        (void)unused;
        if (row.spoofed_user.empty()) {
            row.spoofed_user = from_domain;
            row.infrastructure = v.infrastructure.value;
            bool internal = intra_rule(v.system_compauth.rule);
            for (const auto& s : v.signals) {
                internal = internal || s.kind == detect::SignalKind::spoof_intra_org;
            }
            if (tenant_ != nullptr && tenant_->accepted_domain(from_domain, true) != nullptr) {
                internal = true;
            }
            row.spoof_type = internal ? "Internal" : "External";
        }
        ++row.messages;
        if (context.date && (!row.last_seen || *context.date > *row.last_seen)) {
            row.last_seen = context.date;
        }
        row.insight_action = v.system_compauth.failed() ? "Blocked" : "Allowed";
        if (v.spoof_pair) {
            row.configured = v.spoof_pair->action == policy::ListAction::allow ? "allow" : "block";
            row.configured_source = v.spoof_pair->source;
        }
    }

    // Senders failing composite authentication (as stamped).
    if (v.compauth.failed()) {
        auto& row = auth_failures_[from_domain];
        row.from_domain = from_domain;
        ++row.messages;
        ++row.reasons["fail/" + v.compauth.reason_text()];
        ++row.infrastructures[v.infrastructure.value.empty() ? std::string("(unknown)")
                                                             : v.infrastructure.value];
    }

    // Readiness of the From domain.
    auto& rd = readiness_[from_domain];
    rd.from_domain = from_domain;
    ++rd.messages;
    rd.dmarc_record = dmarc.record.has_value();
    rd.dmarc_policy = dmarc.record ? std::string(dmarc::to_string(dmarc.policy)) : std::string();
    ++rd.dmarc[dmarc.best_guess_pass ? std::string("bestguesspass")
                                     : std::string(dmarc::to_string(dmarc.result))];
    ++rd.spf[v.auth.spf ? std::string(spf::to_string(v.auth.spf->result)) : std::string("none")];
    rd.spf_aligned += dmarc.spf_aligned ? 1 : 0;
    rd.dkim_aligned += dmarc.dkim_aligned ? 1 : 0;
    rd.aligned += dmarc.spf_aligned || dmarc.dkim_aligned ? 1 : 0;
}

std::vector<SpoofInsightRow> Report::spoof_insight() const {
    std::vector<SpoofInsightRow> rows;
    rows.reserve(spoof_.size());
    for (const auto& [key, value] : spoof_) {
        rows.push_back(value.first);
    }
    std::stable_sort(rows.begin(), rows.end(),
                     [](const auto& a, const auto& b) { return a.messages > b.messages; });
    return rows;
}

std::vector<ImpersonationRow> Report::impersonation_insight() const {
    std::vector<ImpersonationRow> rows;
    rows.reserve(impersonation_.size());
    for (const auto& [key, value] : impersonation_) {
        rows.push_back(value.first);
    }
    std::stable_sort(rows.begin(), rows.end(),
                     [](const auto& a, const auto& b) { return a.messages > b.messages; });
    return rows;
}

std::vector<OverrideRow> Report::override_analysis() const {
    std::vector<OverrideRow> rows;
    rows.reserve(overrides_.size());
    for (const auto& [key, row] : overrides_) {
        rows.push_back(row);
    }
    std::stable_sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) {
        return std::pair(a.risky(), a.changed) > std::pair(b.risky(), b.changed);
    });
    return rows;
}

std::vector<AuthFailureRow> Report::top_auth_failures() const {
    std::vector<AuthFailureRow> rows;
    rows.reserve(auth_failures_.size());
    for (const auto& [key, row] : auth_failures_) {
        rows.push_back(row);
    }
    std::stable_sort(rows.begin(), rows.end(),
                     [](const auto& a, const auto& b) { return a.messages > b.messages; });
    if (rows.size() > limits_.top_senders) {
        rows.resize(limits_.top_senders);
    }
    return rows;
}

std::vector<ReadinessRow> Report::readiness() const {
    std::vector<ReadinessRow> rows;
    rows.reserve(readiness_.size());
    for (const auto& [key, row] : readiness_) {
        rows.push_back(row);
    }
    return rows;
}

}  // namespace mailverdict::report
