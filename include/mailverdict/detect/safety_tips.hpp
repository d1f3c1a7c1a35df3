// Safety tips of anti-phishing policies (brief 4.3): first contact (SFTY 9.25), user
// impersonation (9.20), domain impersonation (9.19) and unusual characters (no SFTY code).
//
// Every tip is computed whether or not the policy shows it: `enabled` carries the policy's
// switch (EnableFirstContactSafetyTips, EnableSimilarUsersSafetyTips,
// EnableSimilarDomainsSafetyTips, EnableUnusualCharactersSafetyTips), so an administrator can
// see what turning a switch on would show. The verdict stage stamps only enabled tips.
#pragma once

#include <mailverdict/detect/contact_graph.hpp>
#include <mailverdict/detect/impersonation.hpp>
#include <mailverdict/detect/lookalike.hpp>
#include <mailverdict/detect/spoof.hpp>
#include <mailverdict/message/message.hpp>
#include <mailverdict/policy/tenant.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace mailverdict::detect {

enum class SafetyTipKind : std::uint8_t {
    first_contact,         // "You don't often get email from ..." (EnableFirstContactSafetyTips)
    user_impersonation,    // EnableSimilarUsersSafetyTips
    domain_impersonation,  // EnableSimilarDomainsSafetyTips
    unusual_characters,    // EnableUnusualCharactersSafetyTips
};
std::string_view to_string(SafetyTipKind kind) noexcept;  // "first_contact", ...
// Brief 1.4: "9.25", "9.20", "9.19"; "" for unusual characters (no documented code).
std::string_view sfty_code(SafetyTipKind kind) noexcept;

struct SafetyTip {
    SafetyTipKind kind = SafetyTipKind::first_contact;
    bool enabled = false;  // the policy shows this tip
    std::string text;      // the tip's wording, or what it is about
    std::vector<Evidence> evidence;
};

// First contact over all recipients of a message (brief 4.3: a multi-recipient message uses
// a majority model, worded "Some people who received this message don't often get email
// from ..."). Only recipients the contact graph knows count.
struct FirstContact {
    std::size_t recipients = 0;     // given
    std::size_t known = 0;          // the graph has history for them
    std::size_t first_contact = 0;  // known and first contact
    // Single recipient: that recipient is a first contact. Several: more than half of the
    // known recipients are.
    bool fires = false;
    bool majority_wording = false;  // several known recipients: "Some people who received..."
};
FirstContact first_contact(const ContactGraph& contacts, std::string_view sender,
                           const std::vector<std::string>& recipients);

struct SafetyTipInput {
    const policy::AntiPhishSettings* settings = nullptr;  // required
    const LookalikeModel* model = nullptr;                // required for unusual characters
    const Mailbox* from = nullptr;                        // required
    std::vector<std::string> recipients;                  // every envelope recipient
    const ContactGraph* contacts = nullptr;               // null: no first-contact tip
    const ImpersonationFindings* findings = nullptr;      // this recipient's findings
    // Brief 4.3: no tip on S/MIME-signed messages or on messages allowed by organizational
    // settings (then the result is empty).
    bool smime_signed = false;
    bool allowed_by_organization = false;
};

// The tips for one recipient, in the order of SafetyTipKind.
std::vector<SafetyTip> safety_tips(const SafetyTipInput& input);

}  // namespace mailverdict::detect
