// Microsoft's recommended values for the default policy and the Standard and Strict preset
// security policies, as data tables. Source: brief sections 4.5 (anti-phishing, spoof
// part), 4.6 (MDO anti-phishing: impersonation and threshold) and 4.7 (anti-spam), which
// cite defender-office-365/recommended-settings-for-eop-and-office365.md and
// preset-security-policies.md. Rows are indexed by PolicyLevel: Default, Standard, Strict.
#include <mailverdict/policy/tenant.hpp>

#include <array>
#include <cstddef>

namespace mailverdict::policy {

namespace {

constexpr const char* full_access = "DefaultFullAccessPolicy";
constexpr const char* full_access_notify = "DefaultFullAccessWithNotificationPolicy";
constexpr const char* admin_only = "AdminOnlyAccessPolicy";

// Only the settings whose recommended value differs between the columns; the rest are
// the same at every level and come from AntiPhishSettings' defaults (equal to the tables:
// EnableSpoofIntelligence, HonorDmarcPolicy, DmarcQuarantineAction = Quarantine,
// DmarcRejectAction = Reject, EnableUnauthenticatedSender, EnableViaTag,
// EnableMailboxIntelligence all on; no trusted senders or domains).
struct AntiPhishColumn {
    SpoofAction authentication_fail_action;  // 4.5
    const char* spoof_quarantine_tag;        // 4.5
    bool enable_first_contact_safety_tips;   // 4.5
    int phish_threshold_level;               // 4.6
    bool enable_targeted_user_protection;    // 4.6
    ImpersonationAction targeted_user_protection_action;
    const char* targeted_user_quarantine_tag;
    bool enable_organization_domains_protection;  // 4.6
    bool enable_targeted_domains_protection;
    ImpersonationAction targeted_domain_protection_action;
    const char* targeted_domain_quarantine_tag;
    bool enable_mailbox_intelligence_protection;  // 4.6
    ImpersonationAction mailbox_intelligence_protection_action;
    const char* mailbox_intelligence_quarantine_tag;
    bool enable_similar_users_safety_tips;  // 4.6 (and 4.3)
    bool enable_similar_domains_safety_tips;
    bool enable_unusual_characters_safety_tips;
};

using IA = ImpersonationAction;
constexpr std::array<AntiPhishColumn, 3> anti_phish_table = {{
    // Default
    {SpoofAction::move_to_jmf, full_access, false, 1, false, IA::no_action, full_access, false,
     false, IA::no_action, full_access, false, IA::no_action, full_access, false, false, false},
    // Standard
    {SpoofAction::move_to_jmf, full_access, true, 3, true, IA::quarantine, full_access_notify, true,
     true, IA::quarantine, full_access_notify, true, IA::move_to_jmf, full_access, true, true,
     true},
    // Strict
    {SpoofAction::quarantine, full_access_notify, true, 4, true, IA::quarantine, full_access_notify,
     true, true, IA::quarantine, full_access_notify, true, IA::quarantine, full_access_notify, true,
     true, true},
}};

// Brief 4.7 (anti-spam, inbound). MarkAsSpamBulkMail is On at every level; allowed and
// blocked lists are empty; ASF settings off (not modelled).
struct AntiSpamColumn {
    int bulk_threshold;
    SpamFilterAction spam_action;
    const char* spam_quarantine_tag;
    SpamFilterAction high_confidence_spam_action;
    const char* high_confidence_spam_quarantine_tag;
    SpamFilterAction phish_spam_action;  // default policy: MoveToJmf (PowerShell-created too)
    const char* phish_quarantine_tag;
    SpamFilterAction high_confidence_phish_action;
    const char* high_confidence_phish_quarantine_tag;
    SpamFilterAction bulk_spam_action;
    const char* bulk_quarantine_tag;
    int quarantine_retention_period;
};

using SA = SpamFilterAction;
constexpr std::array<AntiSpamColumn, 3> anti_spam_table = {{
    // Default
    {7, SA::move_to_jmf, full_access, SA::move_to_jmf, full_access, SA::move_to_jmf, full_access,
     SA::quarantine, admin_only, SA::move_to_jmf, full_access, 15},
    // Standard
    {6, SA::move_to_jmf, full_access, SA::quarantine, full_access_notify, SA::quarantine,
     full_access_notify, SA::quarantine, admin_only, SA::move_to_jmf, full_access, 30},
    // Strict
    {5, SA::quarantine, full_access_notify, SA::quarantine, full_access_notify, SA::quarantine,
     full_access_notify, SA::quarantine, admin_only, SA::quarantine, full_access_notify, 30},
}};

std::size_t column(PolicyLevel level) {
    return static_cast<std::size_t>(level);
}

}  // namespace

AntiPhishSettings recommended_anti_phish_settings(PolicyLevel level) {
    const AntiPhishColumn& c = anti_phish_table.at(column(level));
    AntiPhishSettings s;
    s.authentication_fail_action = c.authentication_fail_action;
    s.spoof_quarantine_tag = c.spoof_quarantine_tag;
    s.enable_first_contact_safety_tips = c.enable_first_contact_safety_tips;
    s.phish_threshold_level = c.phish_threshold_level;
    s.enable_targeted_user_protection = c.enable_targeted_user_protection;
    s.targeted_user_protection_action = c.targeted_user_protection_action;
    s.targeted_user_quarantine_tag = c.targeted_user_quarantine_tag;
    s.enable_organization_domains_protection = c.enable_organization_domains_protection;
    s.enable_targeted_domains_protection = c.enable_targeted_domains_protection;
    s.targeted_domain_protection_action = c.targeted_domain_protection_action;
    s.targeted_domain_quarantine_tag = c.targeted_domain_quarantine_tag;
    s.enable_mailbox_intelligence_protection = c.enable_mailbox_intelligence_protection;
    s.mailbox_intelligence_protection_action = c.mailbox_intelligence_protection_action;
    s.mailbox_intelligence_quarantine_tag = c.mailbox_intelligence_quarantine_tag;
    s.enable_similar_users_safety_tips = c.enable_similar_users_safety_tips;
    s.enable_similar_domains_safety_tips = c.enable_similar_domains_safety_tips;
    s.enable_unusual_characters_safety_tips = c.enable_unusual_characters_safety_tips;
    return s;
}

AntiSpamSettings recommended_anti_spam_settings(PolicyLevel level) {
    const AntiSpamColumn& c = anti_spam_table.at(column(level));
    AntiSpamSettings s;
    s.bulk_threshold = c.bulk_threshold;
    s.spam_action = c.spam_action;
    s.spam_quarantine_tag = c.spam_quarantine_tag;
    s.high_confidence_spam_action = c.high_confidence_spam_action;
    s.high_confidence_spam_quarantine_tag = c.high_confidence_spam_quarantine_tag;
    s.phish_spam_action = c.phish_spam_action;
    s.phish_quarantine_tag = c.phish_quarantine_tag;
    s.high_confidence_phish_action = c.high_confidence_phish_action;
    s.high_confidence_phish_quarantine_tag = c.high_confidence_phish_quarantine_tag;
    s.bulk_spam_action = c.bulk_spam_action;
    s.bulk_quarantine_tag = c.bulk_quarantine_tag;
    s.quarantine_retention_period = c.quarantine_retention_period;
    return s;
}

}  // namespace mailverdict::policy
