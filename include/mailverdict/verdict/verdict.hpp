// The verdict of one message: per recipient, what the service decides on its own (the
// system verdict) and what the tenant's overrides make of it (the final verdict), every
// override with its source, the MDO-style stamps and the trace of each decision.
#pragma once

#include <mailverdict/auth/authenticate.hpp>
#include <mailverdict/detect/spoof.hpp>
#include <mailverdict/message/message.hpp>
#include <mailverdict/message/received.hpp>
#include <mailverdict/verdict/compauth.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mailverdict::verdict {

// Detections in Microsoft's fixed processing order (brief 1.3): lower value = evaluated
// first = wins. Impersonation (user, domain, mailbox intelligence) is produced by the
// impersonation detector of a later issue; the engine already orders and maps it.
enum class Detection : std::uint8_t {
    malware,                             // MALW
    high_confidence_phish,               // HPHSH
    phish,                               // PHSH
    high_confidence_spam,                // HSPM
    spoof,                               // SPOOF
    user_impersonation,                  // UIMP
    domain_impersonation,                // DIMP
    mailbox_intelligence_impersonation,  // GIMP
    spam,                                // SPM
    bulk,                                // BULK
};
std::string_view category(Detection detection) noexcept;   // "MALW", "HPHSH", ...
std::string_view to_string(Detection detection) noexcept;  // "malware", "spoof", ...

// The evidence of an impersonation finding (detect/impersonation.hpp, docs/impersonation.md):
// who was imitated, by which part of the sender, how and how closely.
struct ImpersonationEvidence {
    std::string kind;          // user_impersonation, domain_impersonation, mailbox_intelligence_...
    std::string impersonated;  // "Patti Fernandez <patti.fernandez@contoso.com>", "fabrikam.com"
    std::string part;          // display_name, from_domain, mail_from_domain
    std::string sender_value;  // the sender's display name or domain that matched
    std::string technique;     // homoglyph, tld_swap, hyphenated_affix, ... (lookalike.hpp)
    double score = 0.0;        // similarity 0..1
    std::size_t distance = 0;  // edits between skeletons
    // Why it is not acted on: "" (flagged), trusted_sender, trusted_domain, known_contact
    // (the impersonation insight's "Allowed to impersonate", brief 11.5).
    std::string suppression;
    std::string summary;
};

struct DetectionHit {
    Detection detection = Detection::spam;
    std::string source;  // "upstream signal X-Spam-Flag", "spoof detector", "mail flow rule R"
    std::string detail;
    std::optional<ImpersonationEvidence> impersonation;  // UIMP, DIMP, GIMP
};

// Where the message ends up (Explorer's delivery locations, brief 11.1, in snake_case).
enum class Folder : std::uint8_t {
    inbox,
    junk,
    quarantine,
    rejected,
    dropped,
    deleted,
    redirected
};
std::string_view to_string(Folder folder) noexcept;

struct Disposition {
    std::string action = "NoAction";  // the policy action applied (PowerShell spelling)
    Folder folder = Folder::inbox;
    std::string reason;  // "SPOOF: AuthenticationFailAction of MDOPilot AntiPhish Strict"
    bool operator==(const Disposition& o) const { return action == o.action && folder == o.folder; }
};

// One tenant setting that could change the outcome (brief 6.2), whether it did or not.
struct Override {
    std::string mechanism;  // advanced_delivery_secops, mail_flow_rule_bypass, ip_allow_list...
    std::string source;     // Explorer's override source: "Exchange transport rule", ...
    std::string entry;      // the rule / list entry that matched
    bool applied = false;   // it changed (or decided) the final verdict
    std::string effect;     // "Quarantine -> Inbox", or why it could not override
};

// One decision, appended when it is taken (architecture "The trace is produced by the
// decision itself").
struct TraceStep {
    std::string stage;      // envelope, enhanced_filtering, authentication, compauth, ...
    std::string rule;       // what was applied
    std::string reference;  // brief section / Microsoft document
    std::string input;
    std::string outcome;
};

struct RecipientVerdict {
    std::string address;
    std::string anti_phish_policy;
    std::string anti_spam_policy;
    std::vector<DetectionHit> detections;  // in processing order; first = the system's
    std::string sfv = "NSPM";
    std::string cat = "NONE";
    int scl = 1;
    std::string sfty;
    std::string srv;
    std::string ipv = "NLI";
    std::string dir = "INB";
    std::string dmarc_action;  // the action= Microsoft prints for this recipient
    Disposition system;
    Disposition final;
    std::vector<Override> overrides;
    // "unauthenticated_sender", "via:fabrikam.com", "first_contact", "user_impersonation",
    // "domain_impersonation", "unusual_characters" (only the tips the policy shows, brief 4.3)
    std::vector<std::string> safety_tips;
    // Every impersonation finding for this recipient under its anti-phishing policy, the
    // flagged ones (also in `detections`) and the suppressed ones (allowed to impersonate).
    std::vector<ImpersonationEvidence> impersonation;
    std::vector<std::pair<std::string, std::string>> headers;  // name, value, in order
    std::vector<TraceStep> trace;
};

struct Verdict {
    bool parsed = true;
    std::vector<Defect> defects;
    std::string message_id;
    std::optional<Mailbox> from;
    std::chrono::sys_seconds now{};
    Envelope envelope;  // as authentication saw it (past the connector with enhanced filtering)
    std::optional<boost::asio::ip::address> connecting_ip;  // the IP that reached the service
    std::string connector;  // the inbound connector the mail arrived through ("" = none)
    bool enhanced_filtering = false;
    bool internal = false;
    std::string ptr;  // forward-confirmed PTR name of the client ("" = none)
    detect::SendingInfrastructure infrastructure;
    std::optional<detect::SpoofPairMatch> spoof_pair;
    auth::Authentication auth;
    CompAuth system_compauth;  // without the tenant's ARC sealers and spoofed-sender entries
    CompAuth compauth;         // as stamped
    std::optional<int> bcl;
    std::vector<detect::Signal> signals;
    std::vector<TraceStep> trace;  // message-level steps (per recipient: RecipientVerdict)
    std::vector<RecipientVerdict> recipients;

    // The first recipient's final verdict (the JSON's top-level "scl" and "folder").
    [[nodiscard]] const RecipientVerdict* first() const noexcept {
        return recipients.empty() ? nullptr : &recipients.front();
    }
};

}  // namespace mailverdict::verdict
