// Impersonation detector (brief 4.2, MDO only): user impersonation (protected users),
// domain impersonation (protected domains) and mailbox-intelligence impersonation (a
// recipient's frequent contacts), with the trusted-sender and known-contact suppressions.
//
// Detectors emit signals with evidence, never dispositions (architecture "Detectors emit
// signals; policy decides"): a finding says who was imitated, how, and how closely; the
// verdict stage maps flagged findings to CAT UIMP / DIMP / GIMP (brief 1.3), SFTY 9.20 / 9.19
// (brief 1.4) and the policy's TargetedUserProtectionAction, TargetedDomainProtectionAction
// or MailboxIntelligenceProtectionAction (brief 4.2). Suppressed findings are kept (with
// the reason) for the impersonation insight's "Allowed to impersonate" column (brief 11.5).
//
// Everything that depends only on the policy (folded names, skeletons, label forms) is
// computed once in ImpersonationProfile::build, when the tenant loads; a message costs one
// preparation of the sender (prepare_sender) and comparisons of precomputed forms.
#pragma once

#include <mailverdict/detect/contact_graph.hpp>
#include <mailverdict/detect/lookalike.hpp>
#include <mailverdict/detect/spoof.hpp>
#include <mailverdict/message/message.hpp>
#include <mailverdict/policy/tenant.hpp>

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace mailverdict::detect {

// An anti-phishing policy whose impersonation settings cannot be used (over Microsoft's
// limits of brief 4.2, or PhishThresholdLevel outside 1..4). what() names the policy.
class ImpersonationConfigError : public std::invalid_argument {
public:
    using std::invalid_argument::invalid_argument;
};

enum class ImpersonationKind : std::uint8_t {
    user,                  // CAT:UIMP, protected users
    domain,                // CAT:DIMP, protected domains
    mailbox_intelligence,  // CAT:GIMP, the recipient's frequent contacts
};
// "user_impersonation", "domain_impersonation", "mailbox_intelligence_impersonation"
std::string_view to_string(ImpersonationKind kind) noexcept;

// Which part of the sender resembled the protected value.
enum class SenderPart : std::uint8_t { display_name, from_domain, mail_from_domain };
std::string_view to_string(SenderPart part) noexcept;  // "display_name", ...

// Why a detection is not acted on.
enum class Suppression : std::uint8_t {
    none,
    trusted_sender,  // ExcludedSenders (brief 4.2 "Trusted senders and domains")
    trusted_domain,  // ExcludedDomains (exact domain, no sub-domains)
    known_contact,   // mailbox intelligence: the recipient and sender have corresponded
};
std::string_view to_string(Suppression suppression) noexcept;  // "none", "trusted_sender", ...

struct ImpersonationFinding {
    ImpersonationKind kind = ImpersonationKind::user;
    Technique technique = Technique::same_name;
    double score = 0.0;        // similarity 0..1
    std::size_t distance = 0;  // edits between skeletons
    SenderPart part = SenderPart::display_name;
    std::string sender_value;  // the display name or domain that matched
    // What was imitated: "John Smith <john.smith@contoso.com>", "contoso.com", or a contact.
    std::string impersonated;
    std::string impersonated_name;     // users and contacts
    std::string impersonated_address;  // users and contacts
    std::string impersonated_domain;   // domains (and the contact's domain)
    bool company_domain = false;       // the imitated domain is an accepted domain (insight
                                       // "Domain type": Company domain), else Custom domain
    Suppression suppression = Suppression::none;
    std::string summary;             // one line for the trace
    std::vector<Evidence> evidence;  // technique, compared forms, threshold level, ...

    [[nodiscard]] bool flagged() const noexcept { return suppression == Suppression::none; }
};

struct ImpersonationFindings {
    // User findings, then domain, then mailbox intelligence; best score first within each.
    std::vector<ImpersonationFinding> findings;
    Suppression sender_trusted = Suppression::none;  // trusted_sender / trusted_domain / none
    bool known_contact = false;    // mailbox intelligence on and the pair corresponded
    bool contact_history = false;  // the contact graph knows the recipient

    // The best flagged (not suppressed) finding of a kind, or nullptr.
    [[nodiscard]] const ImpersonationFinding* top(ImpersonationKind kind) const noexcept;
    [[nodiscard]] bool flagged(ImpersonationKind kind) const noexcept {
        return top(kind) != nullptr;
    }
    [[nodiscard]] bool any_flagged() const noexcept;
};

// The sender of one message, prepared once for every recipient and policy.
struct SenderForms {
    std::string address;           // lower-case local@domain (A-label domain)
    std::string from_domain;       // lower-case A-label
    std::string mail_from_domain;  // lower-case A-label ("" = none or the null reverse-path)
    NameForms name;
    DomainShape from_shape;
    DomainShape mail_from_shape;  // empty when there is no MAIL FROM domain
};
SenderForms prepare_sender(const LookalikeModel& model, const Mailbox& from,
                           std::string_view mail_from_domain);

// The impersonation settings of one anti-phishing policy, precomputed.
class ImpersonationProfile {
public:
    // `policy_name` is used in error messages. Throws ImpersonationConfigError over the
    // limits of brief 4.2 (350 protected users, 50 custom protected domains, 1,024 trusted
    // senders and domains) or for PhishThresholdLevel outside 1..4.
    static ImpersonationProfile build(const policy::AntiPhishSettings& settings,
                                      const std::vector<policy::AcceptedDomain>& accepted_domains,
                                      std::shared_ptr<const LookalikeModel> model,
                                      std::string_view policy_name = "anti-phishing policy");

    [[nodiscard]] const LookalikeModel& model() const noexcept { return *model_; }
    [[nodiscard]] const LookalikeThresholds& thresholds() const noexcept { return thresholds_; }
    [[nodiscard]] std::size_t protected_user_count() const noexcept { return users_.size(); }
    [[nodiscard]] std::size_t protected_domain_count() const noexcept { return domains_.size(); }
    [[nodiscard]] bool mailbox_intelligence() const noexcept { return mailbox_intelligence_; }

    // Is `domain` (lower-case A-label) an accepted domain or one of its sub-domains?
    [[nodiscard]] bool accepted(std::string_view domain) const;

private:
    friend ImpersonationFindings detect_impersonation(const ImpersonationProfile&,
                                                      const SenderForms&, std::string_view,
                                                      const ContactGraph*);
    struct User {
        std::string display_name;
        std::string address;  // lower-case
        NameForms name;
    };
    struct Domain {
        DomainShape shape;
        bool company = false;
    };
    struct Hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const noexcept {
            return std::hash<std::string_view>{}(s);
        }
    };
    using Set = std::unordered_set<std::string, Hash, std::equal_to<>>;

    std::shared_ptr<const LookalikeModel> model_;
    LookalikeThresholds thresholds_;
    std::vector<User> users_;
    std::vector<Domain> domains_;
    std::vector<std::string> accepted_;
    Set trusted_senders_;
    Set trusted_domains_;
    bool mailbox_intelligence_ = true;
};

// The findings for one recipient. `recipient` is the envelope recipient (lower-case);
// `contacts` may be null (no mailbox intelligence data: no known-contact suppression and no
// mailbox-intelligence impersonation). Call it for inbound mail only: mail between the
// organization's own authenticated mailboxes is not subject to impersonation checks.
ImpersonationFindings detect_impersonation(const ImpersonationProfile& profile,
                                           const SenderForms& sender, std::string_view recipient,
                                           const ContactGraph* contacts);
// Convenience: prepares the sender and detects.
ImpersonationFindings detect_impersonation(const ImpersonationProfile& profile, const Mailbox& from,
                                           std::string_view mail_from_domain,
                                           std::string_view recipient,
                                           const ContactGraph* contacts);

// One profile per anti-phishing policy of a tenant (Strict and Standard presets, custom
// policies, default policy), sharing one LookalikeModel. Build once when the tenant loads.
class ImpersonationProfiles {
public:
    static ImpersonationProfiles build(const policy::Tenant& tenant,
                                       const psl::PublicSuffixList& list);
    // The profile of a policy of the tenant given to build() (by address), or nullptr.
    [[nodiscard]] const ImpersonationProfile* find(const policy::AntiPhishPolicy& policy) const;
    [[nodiscard]] const LookalikeModel& model() const noexcept { return *model_; }
    [[nodiscard]] std::shared_ptr<const LookalikeModel> shared_model() const { return model_; }

private:
    std::shared_ptr<const LookalikeModel> model_;
    std::unordered_map<const policy::AntiPhishPolicy*, ImpersonationProfile> profiles_;
};

}  // namespace mailverdict::detect
