// The pilot report: Report aggregates verdicts one at a time (streaming: its memory grows
// with the number of distinct senders, pairs and override sources, never with the number
// of messages) into the views the migration guide asks an administrator to review
// (brief 13.3 steps 3, 4, 6, 7): threat-protection status, spoof intelligence insight
// (brief 3.3), impersonation insight (brief 11.5), override analysis, senders failing
// authentication, and the DMARC/SPF/DKIM readiness of the senders seen. docs/report.md.
#pragma once

#include <mailverdict/policy/tenant.hpp>
#include <mailverdict/verdict/verdict.hpp>

#include <chrono>
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

namespace mailverdict::report {

// What the caller knows about a message besides its verdict.
struct MessageContext {
    std::string file;                              // input name, for examples
    std::optional<std::chrono::sys_seconds> date;  // the message's Date field, parsed
};

// RFC 3339 forms of a UTC time point: "2026-11-22" and "2026-11-22T09:15:31Z" (the report's
// days and the JSON's timestamps; the text, JSON and HTML renderings share them).
std::string utc_date(std::chrono::sys_seconds t);
std::string utc_date_time(std::chrono::sys_seconds t);

// A folder the system would have junked (junk, deleted: Explorer's "Delivered to junk")
// or blocked (quarantine, rejected, dropped: Explorer's "Blocked").
bool junked(verdict::Folder folder) noexcept;
bool blocked(verdict::Folder folder) noexcept;

// Explorer's detection technology for the recipient's first detection (brief 11.2 [Inf]
// mapping; "" when there is no detection).
std::string_view detection_technology(const verdict::Verdict& verdict,
                                      const verdict::RecipientVerdict& recipient);

// Threat-protection status: recipient verdicts counted by the first (winning) detection's
// CAT ("NONE" without one), by final folder, and system folder -> final folder.
struct ThreatStatus {
    std::size_t messages = 0;
    std::size_t unparsed = 0;  // messages with parse defects that stopped evaluation
    std::size_t recipients = 0;
    std::map<std::string, std::size_t> by_detection;   // "SPOOF" -> n
    std::map<std::string, std::size_t> by_technology;  // "Spoof DMARC" -> n
    std::map<std::string, std::size_t> by_system_folder;
    std::map<std::string, std::size_t> by_final_folder;
    std::map<std::pair<std::string, std::string>, std::size_t> system_to_final;
    // Detections over time: UTC day of the message's Date field ("YYYY-MM-DD", or
    // "undated" when it has none or it does not parse) -> first detection's CAT -> n.
    std::map<std::string, std::map<std::string, std::size_t>> by_day;
};

// One row of the spoof intelligence insight (brief 3.3): a spoofed-user / sending-
// infrastructure pair whose mail failed explicit authentication (DMARC did not pass).
struct SpoofInsightRow {
    std::string spoofed_user;    // the From domain
    std::string infrastructure;  // PTR organizational domain or /24
    std::string spoof_type;      // "Internal" (accepted domain) or "External"
    std::size_t messages = 0;
    std::optional<std::chrono::sys_seconds> last_seen;
    // The service's own verdict without tenant entries: "Blocked" (compauth failed) or
    // "Allowed" (failed explicit authentication, passed compauth).
    std::string insight_action;
    // A tenant entry for the pair: "allow" or "block" (TABL or spoof intelligence), or
    // "not configured".
    std::string configured = "not configured";
    std::string configured_source;  // "Tenant Allow/Block List", "spoof intelligence"
};

// One row of the impersonation insight (brief 11.5, issue 7): a sender and whom it
// imitated, under one anti-phishing policy.
struct ImpersonationRow {
    std::string sender;        // From address (user in display name) or sender domain
    std::string impersonated;  // protected user or domain
    std::string kind;          // UIMP, DIMP, GIMP
    std::string type;          // "User in display name", "Domain in address", ...
    std::string policy;        // the anti-phishing policy
    std::size_t messages = 0;
    std::size_t recipients = 0;
    std::optional<std::chrono::sys_seconds> first_seen, last_seen;
    // Allowed to impersonate: "" (No: the action applies) or why (trusted_sender,
    // trusted_domain, known_contact).
    std::string allowed;
};

// An example recipient verdict an override changed.
struct OverrideExample {
    std::string file;
    std::string recipient;
    std::string system_folder;
    std::string final_folder;
    std::string system_reason;
};

// Override analysis (brief 13.3 step 6): per override source and entry.
struct OverrideRow {
    std::string source;             // Explorer's override source: "Exchange transport rule", ...
    std::string mechanism;          // mail_flow_rule_bypass, ...
    std::string entry;              // the rule or list entry
    std::size_t matched = 0;        // recipient verdicts it matched (applied or not)
    std::size_t applied = 0;        // ... it decided the final verdict
    std::size_t changed = 0;        // ... and the final folder differs from the system's
    std::size_t unnecessary = 0;    // matched, but the folder would have been the same
    std::size_t risky_junk = 0;     // changed, the system would have junked
    std::size_t risky_blocked = 0;  // changed, the system would have quarantined/rejected
    std::vector<OverrideExample> risky_examples;  // at most ReportLimits::examples
    [[nodiscard]] std::size_t risky() const noexcept { return risky_junk + risky_blocked; }
};

// Senders failing composite authentication, per From domain.
struct AuthFailureRow {
    std::string from_domain;
    std::size_t messages = 0;
    std::map<std::string, std::size_t> reasons;  // "fail/000" -> n
    std::map<std::string, std::size_t> infrastructures;
};

// DMARC/SPF/DKIM readiness of a From domain seen.
struct ReadinessRow {
    std::string from_domain;
    std::size_t messages = 0;
    bool dmarc_record = false;  // a DMARC record was found (the last message's lookup)
    std::string dmarc_policy;   // "none", "quarantine", "reject", "" without a record
    std::map<std::string, std::size_t> dmarc;  // pass, fail, none, bestguesspass, ...
    std::map<std::string, std::size_t> spf;    // SPF results (not checked: "none")
    std::size_t spf_aligned = 0;
    std::size_t dkim_aligned = 0;  // a passing DKIM signature aligned with From
    std::size_t aligned = 0;       // SPF or DKIM aligned (DMARC would pass with a record)
    // "ready" (DMARC enforced, all mail aligned), "monitor" (p=none or some mail not
    // aligned), "missing" (no DMARC record).
    [[nodiscard]] std::string status() const;
};

struct ReportLimits {
    std::size_t examples = 50;     // risky examples kept per override row
    std::size_t top_senders = 10;  // rows of the auth-failure table
};

class Report {
public:
    using Limits = ReportLimits;
    // `tenant` (optional) tells Internal from External spoof types for allowed pairs.
    explicit Report(const policy::Tenant* tenant = nullptr, Limits limits = Limits{});

    void add(const verdict::Verdict& verdict, const MessageContext& context = {});

    [[nodiscard]] const ThreatStatus& threat_status() const noexcept { return status_; }
    // Sorted by message count (descending), then pair.
    [[nodiscard]] std::vector<SpoofInsightRow> spoof_insight() const;
    [[nodiscard]] std::vector<ImpersonationRow> impersonation_insight() const;
    // Sorted by risky, then changed (descending), then source.
    [[nodiscard]] std::vector<OverrideRow> override_analysis() const;
    [[nodiscard]] std::vector<AuthFailureRow> top_auth_failures() const;
    [[nodiscard]] std::vector<ReadinessRow> readiness() const;
    [[nodiscard]] const Limits& limits() const noexcept { return limits_; }

private:
    const policy::Tenant* tenant_;
    Limits limits_;
    std::size_t serial_ = 0;  // messages added, to count a message once per row
    ThreatStatus status_;
    std::map<std::pair<std::string, std::string>, std::pair<SpoofInsightRow, std::size_t>> spoof_;
    std::map<std::tuple<std::string, std::string, std::string, std::string>,
             std::pair<ImpersonationRow, std::size_t>>
        impersonation_;
    std::map<std::tuple<std::string, std::string, std::string>, OverrideRow> overrides_;
    std::map<std::string, AuthFailureRow> auth_failures_;
    std::map<std::string, ReadinessRow> readiness_;
};

}  // namespace mailverdict::report
