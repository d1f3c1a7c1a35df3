// Safety tips (safety_tips.hpp): brief 4.3 and 1.4.
#include <mailverdict/detect/safety_tips.hpp>

#include <algorithm>

namespace mailverdict::detect {

std::string_view to_string(SafetyTipKind kind) noexcept {
    switch (kind) {
        case SafetyTipKind::first_contact:
            return "first_contact";
        case SafetyTipKind::user_impersonation:
            return "user_impersonation";
        case SafetyTipKind::domain_impersonation:
            return "domain_impersonation";
        case SafetyTipKind::unusual_characters:
            return "unusual_characters";
    }
    return "unknown";
}

std::string_view sfty_code(SafetyTipKind kind) noexcept {
    switch (kind) {
        case SafetyTipKind::first_contact:
            return "9.25";
        case SafetyTipKind::user_impersonation:
            return "9.20";
        case SafetyTipKind::domain_impersonation:
            return "9.19";
        case SafetyTipKind::unusual_characters:
            return "";
    }
    return "";
}

namespace {

std::string lower(std::string_view text) {
    std::string out(text);
    for (char& c : out) {
        if (c >= 'A' && c <= 'Z') {
            c = static_cast<char>(c - 'A' + 'a');
        }
    }
    return out;
}

std::string sender_address(const Mailbox& from) {
    if (from.local_part.empty()) {
        return {};
    }
    return lower(from.local_part) + "@" +
           (from.domain_ascii.empty() ? lower(from.domain) : from.domain_ascii);
}

}  // namespace

FirstContact first_contact(const ContactGraph& contacts, std::string_view sender,
                           const std::vector<std::string>& recipients) {
    FirstContact out;
    out.recipients = recipients.size();
    for (const auto& r : recipients) {
        const auto first = contacts.first_contact(r, sender);
        if (!first) {
            continue;  // nothing is known about this mailbox
        }
        ++out.known;
        if (*first) {
            ++out.first_contact;
        }
    }
    if (out.known == 1) {
        out.fires = out.first_contact == 1;
    } else if (out.known > 1) {
        out.fires = 2 * out.first_contact > out.known;
        out.majority_wording = true;
    }
    return out;
}

std::vector<SafetyTip> safety_tips(const SafetyTipInput& input) {
    std::vector<SafetyTip> tips;
    if (input.settings == nullptr || input.from == nullptr || input.smime_signed ||
        input.allowed_by_organization) {
        return tips;
    }
    const auto& s = *input.settings;
    const Mailbox& from = *input.from;
    const std::string sender = sender_address(from);

    if (input.contacts != nullptr && !sender.empty()) {
        const FirstContact fc = first_contact(*input.contacts, sender, input.recipients);
        if (fc.fires) {
            SafetyTip tip;
            tip.kind = SafetyTipKind::first_contact;
            tip.enabled = s.enable_first_contact_safety_tips;
            tip.text = (fc.majority_wording ? "Some people who received this message don't often "
                                              "get email from "
                                            : "You don't often get email from ") +
                       sender + ".";
            tip.evidence.push_back(
                {"recipients_first_contact", std::to_string(fc.first_contact) + " of " +
                                                 std::to_string(fc.known) + " known recipients"});
            tips.push_back(std::move(tip));
        }
    }
    if (input.findings != nullptr) {
        const auto* user = input.findings->top(ImpersonationKind::user);
        if (user != nullptr) {
            SafetyTip tip;
            tip.kind = SafetyTipKind::user_impersonation;
            tip.enabled = s.enable_similar_users_safety_tips;
            tip.text = "The sender '" + user->sender_value + "' looks similar to " +
                       user->impersonated + ".";
            tip.evidence.push_back({"technique", std::string(to_string(user->technique))});
            tips.push_back(std::move(tip));
        }
        const auto* domain = input.findings->top(ImpersonationKind::domain);
        if (domain != nullptr) {
            SafetyTip tip;
            tip.kind = SafetyTipKind::domain_impersonation;
            tip.enabled = s.enable_similar_domains_safety_tips;
            tip.text = "The domain " + domain->sender_value + " looks similar to " +
                       domain->impersonated + ".";
            tip.evidence.push_back({"technique", std::string(to_string(domain->technique))});
            tips.push_back(std::move(tip));
        }
    }
    if (input.model != nullptr) {
        // Brief 4.3: unusual character sets in the sender; checked in the display name and
        // the address (local part and U-label domain).
        UnusualCharacters u = input.model->unusual_characters(from.display_name);
        const std::string domain = from.domain_unicode.empty() ? from.domain : from.domain_unicode;
        const UnusualCharacters a = input.model->unusual_characters(from.local_part + "@" + domain);
        u.invisible = u.invisible || a.invisible;
        u.mixed_script = u.mixed_script || a.mixed_script;
        u.confusable = u.confusable || a.confusable;
        u.unusual_set = u.unusual_set || a.unusual_set;
        u.details.insert(u.details.end(), a.details.begin(), a.details.end());
        if (u.any()) {
            SafetyTip tip;
            tip.kind = SafetyTipKind::unusual_characters;
            tip.enabled = s.enable_unusual_characters_safety_tips;
            tip.text = "The sender's name or address contains unusual characters.";
            for (const auto& d : u.details) {
                tip.evidence.push_back({"character", d});
            }
            tips.push_back(std::move(tip));
        }
    }
    return tips;
}

}  // namespace mailverdict::detect
