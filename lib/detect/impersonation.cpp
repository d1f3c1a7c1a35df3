// Impersonation detector (impersonation.hpp): brief 4.2, 11.5.
#include <mailverdict/detect/impersonation.hpp>

#include <algorithm>
#include <cstdio>

namespace mailverdict::detect {

std::string_view to_string(ImpersonationKind kind) noexcept {
    switch (kind) {
        case ImpersonationKind::user:
            return "user_impersonation";
        case ImpersonationKind::domain:
            return "domain_impersonation";
        case ImpersonationKind::mailbox_intelligence:
            return "mailbox_intelligence_impersonation";
    }
    return "unknown";
}

std::string_view to_string(SenderPart part) noexcept {
    switch (part) {
        case SenderPart::display_name:
            return "display_name";
        case SenderPart::from_domain:
            return "from_domain";
        case SenderPart::mail_from_domain:
            return "mail_from_domain";
    }
    return "unknown";
}

std::string_view to_string(Suppression suppression) noexcept {
    switch (suppression) {
        case Suppression::none:
            return "none";
        case Suppression::trusted_sender:
            return "trusted_sender";
        case Suppression::trusted_domain:
            return "trusted_domain";
        case Suppression::known_contact:
            return "known_contact";
    }
    return "unknown";
}

const ImpersonationFinding* ImpersonationFindings::top(ImpersonationKind kind) const noexcept {
    const ImpersonationFinding* best = nullptr;
    for (const auto& f : findings) {
        if (f.kind == kind && f.flagged() && (best == nullptr || f.score > best->score)) {
            best = &f;
        }
    }
    return best;
}

bool ImpersonationFindings::any_flagged() const noexcept {
    return std::any_of(findings.begin(), findings.end(),
                       [](const ImpersonationFinding& f) { return f.flagged(); });
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

bool equal_or_subdomain(std::string_view domain, std::string_view parent) {
    return domain == parent || (domain.size() > parent.size() && domain.ends_with(parent) &&
                                domain[domain.size() - parent.size() - 1] == '.');
}

std::string ascii_domain(std::string_view domain) {
    while (!domain.empty() && domain.back() == '.') {
        domain.remove_suffix(1);
    }
    if (domain.empty()) {
        return {};
    }
    if (auto forms = idna_forms(domain)) {
        return std::move(forms->ascii);
    }
    return lower(domain);
}

std::string score_text(double score) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%.2f", score);
    return buf;
}

std::string user_label(std::string_view name, std::string_view address) {
    if (name.empty()) {
        return std::string(address);
    }
    return std::string(name) + " <" + std::string(address) + ">";
}

std::string_view local_part(std::string_view address) {
    return address.substr(0, address.rfind('@'));
}

// At most this many findings of one kind and sender part are kept (the best ones).
constexpr std::size_t max_findings_per_part = 3;

void keep_best(std::vector<ImpersonationFinding>& out, std::vector<ImpersonationFinding> found) {
    std::stable_sort(found.begin(), found.end(),
                     [](const auto& a, const auto& b) { return a.score > b.score; });
    if (found.size() > max_findings_per_part) {
        found.resize(max_findings_per_part);
    }
    for (auto& f : found) {
        out.push_back(std::move(f));
    }
}

}  // namespace

SenderForms prepare_sender(const LookalikeModel& model, const Mailbox& from,
                           std::string_view mail_from_domain) {
    SenderForms s;
    s.from_domain = from.domain_ascii.empty() ? lower(from.domain) : from.domain_ascii;
    if (!from.local_part.empty() && !s.from_domain.empty()) {
        s.address = lower(from.local_part) + "@" + s.from_domain;
    }
    s.name = model.name(from.display_name);
    if (!s.from_domain.empty()) {
        s.from_shape = model.domain(s.from_domain);
    }
    s.mail_from_domain = ascii_domain(mail_from_domain);
    if (!s.mail_from_domain.empty()) {
        s.mail_from_shape =
            s.mail_from_domain == s.from_domain ? s.from_shape : model.domain(s.mail_from_domain);
    }
    return s;
}

// ---------------------------------------------------------------------------------------
// Profile

ImpersonationProfile ImpersonationProfile::build(
    const policy::AntiPhishSettings& settings,
    const std::vector<policy::AcceptedDomain>& accepted_domains,
    std::shared_ptr<const LookalikeModel> model, std::string_view policy_name) {
    const std::string where(policy_name);
    if (!model) {
        throw ImpersonationConfigError(where + ": no lookalike model");
    }
    // Brief 4.2 limits: Microsoft refuses more, so a file asking for more is unusable.
    if (settings.targeted_users_to_protect.size() > policy::max_targeted_users_to_protect) {
        throw ImpersonationConfigError(
            where + ": " + std::to_string(settings.targeted_users_to_protect.size()) +
            " protected users (TargetedUsersToProtect allows at most " +
            std::to_string(policy::max_targeted_users_to_protect) + " per policy)");
    }
    if (settings.targeted_domains_to_protect.size() > policy::max_targeted_domains_to_protect) {
        throw ImpersonationConfigError(
            where + ": " + std::to_string(settings.targeted_domains_to_protect.size()) +
            " protected domains (TargetedDomainsToProtect allows at most " +
            std::to_string(policy::max_targeted_domains_to_protect) + " per policy)");
    }
    const std::size_t trusted = settings.excluded_senders.size() + settings.excluded_domains.size();
    if (trusted > policy::max_trusted_senders_and_domains) {
        throw ImpersonationConfigError(
            where + ": " + std::to_string(trusted) +
            " trusted senders and domains (ExcludedSenders + ExcludedDomains allow at most " +
            std::to_string(policy::max_trusted_senders_and_domains) + ")");
    }
    if (settings.phish_threshold_level < 1 || settings.phish_threshold_level > 4) {
        throw ImpersonationConfigError(where + ": PhishThresholdLevel " +
                                       std::to_string(settings.phish_threshold_level) +
                                       " (expected 1..4)");
    }

    ImpersonationProfile p;
    p.model_ = std::move(model);
    p.thresholds_ = lookalike_thresholds(settings.phish_threshold_level);
    p.mailbox_intelligence_ = settings.enable_mailbox_intelligence;
    for (const auto& d : accepted_domains) {
        p.accepted_.push_back(ascii_domain(d.name));
    }
    if (settings.enable_targeted_user_protection) {
        for (const auto& u : settings.targeted_users_to_protect) {
            User user;
            user.display_name = u.display_name;
            user.address = lower(u.address);
            user.name = p.model_->name(u.display_name);
            if (!user.name.empty()) {
                p.users_.push_back(std::move(user));
            }
        }
    }
    const auto add_domain = [&p](std::string_view name, bool company) {
        const std::string ascii = ascii_domain(name);
        if (ascii.empty()) {
            return;
        }
        for (auto& d : p.domains_) {
            if (d.shape.domain == ascii) {
                d.company = d.company || company;
                return;
            }
        }
        p.domains_.push_back({p.model_->domain(ascii), company});
    };
    if (settings.enable_organization_domains_protection) {
        for (const auto& d : p.accepted_) {
            add_domain(d, true);
        }
    }
    if (settings.enable_targeted_domains_protection) {
        for (const auto& d : settings.targeted_domains_to_protect) {
            add_domain(d, p.accepted(ascii_domain(d)));
        }
    }
    for (const auto& s : settings.excluded_senders) {
        p.trusted_senders_.insert(lower(s));
    }
    for (const auto& d : settings.excluded_domains) {
        p.trusted_domains_.insert(ascii_domain(d));
    }
    return p;
}

bool ImpersonationProfile::accepted(std::string_view domain) const {
    return std::any_of(accepted_.begin(), accepted_.end(),
                       [domain](const std::string& a) { return equal_or_subdomain(domain, a); });
}

// ---------------------------------------------------------------------------------------
// Detection

namespace {

ImpersonationFinding make_finding(ImpersonationKind kind, const LookalikeMatch& m, SenderPart part,
                                  std::string_view sender_value, Suppression suppression,
                                  int level) {
    ImpersonationFinding f;
    f.kind = kind;
    f.technique = m.technique;
    f.score = m.score;
    f.distance = m.distance;
    f.part = part;
    f.sender_value = std::string(sender_value);
    f.suppression = suppression;
    f.evidence.push_back({"technique", std::string(to_string(m.technique))});
    f.evidence.push_back({"compared", m.detail});
    f.evidence.push_back({"score", score_text(m.score)});
    f.evidence.push_back({"phish_threshold_level", std::to_string(level)});
    if (suppression != Suppression::none) {
        f.evidence.push_back({"suppressed", std::string(to_string(suppression))});
    }
    return f;
}

void finish_summary(ImpersonationFinding& f) {
    std::string s;
    switch (f.kind) {
        case ImpersonationKind::user:
            s = "display name '" + f.sender_value + "' imitates protected user " + f.impersonated;
            break;
        case ImpersonationKind::domain:
            s = std::string(f.part == SenderPart::mail_from_domain ? "MAIL FROM" : "From") +
                " domain '" + f.sender_value + "' imitates protected " +
                (f.company_domain ? "company" : "custom") + " domain " + f.impersonated;
            break;
        case ImpersonationKind::mailbox_intelligence:
            s = std::string(f.part == SenderPart::display_name ? "display name '" : "domain '") +
                f.sender_value + "' imitates the recipient's frequent contact " + f.impersonated;
            break;
    }
    s += " (" + std::string(to_string(f.technique)) + ", score " + score_text(f.score) + ")";
    if (!f.flagged()) {
        s += "; not flagged: " + std::string(to_string(f.suppression));
    }
    f.summary = std::move(s);
}

}  // namespace

ImpersonationFindings detect_impersonation(const ImpersonationProfile& profile,
                                           const SenderForms& sender, std::string_view recipient,
                                           const ContactGraph* contacts) {
    ImpersonationFindings out;
    const int level = profile.thresholds_.level;
    // Brief 4.2: trusted senders and domains are never classified as impersonation by this
    // policy (user, domain or mailbox intelligence); domain entries are exact.
    if (!sender.address.empty() && profile.trusted_senders_.contains(sender.address)) {
        out.sender_trusted = Suppression::trusted_sender;
    } else if (!sender.from_domain.empty() &&
               profile.trusted_domains_.contains(sender.from_domain)) {
        out.sender_trusted = Suppression::trusted_domain;
    }
    const bool mi = profile.mailbox_intelligence_ && contacts != nullptr;
    out.contact_history = contacts != nullptr && contacts->knows(recipient);
    // Brief 4.2: with mailbox intelligence, a pair that has corresponded is not flagged.
    out.known_contact =
        mi && !sender.address.empty() && contacts->corresponded(recipient, sender.address);
    const Suppression base =
        out.sender_trusted != Suppression::none
            ? out.sender_trusted
            : (out.known_contact ? Suppression::known_contact : Suppression::none);

    // User impersonation: the display name against protected users (insight "User in
    // display name"), never when the address is the user's own.
    if (!profile.users_.empty() && !sender.name.empty()) {
        std::vector<ImpersonationFinding> found;
        const bool has_at = sender.name.original.find('@') != std::string::npos;
        const std::string lowered = has_at ? lower(sender.name.original) : std::string();
        for (const auto& u : profile.users_) {
            if (u.address == sender.address) {
                continue;
            }
            std::optional<LookalikeMatch> m;
            if (has_at && !u.address.empty() && lowered.find(u.address) != std::string::npos) {
                m = LookalikeMatch{Technique::address_in_display_name, 1.0, 0,
                                   "display name contains '" + u.address + "'"};
            } else {
                m = match_name(sender.name, u.name, profile.thresholds_);
            }
            if (!m) {
                continue;
            }
            auto f = make_finding(ImpersonationKind::user, *m, SenderPart::display_name,
                                  sender.name.original, base, level);
            f.impersonated = user_label(u.display_name, u.address);
            f.impersonated_name = u.display_name;
            f.impersonated_address = u.address;
            f.evidence.push_back({"sender_address", sender.address});
            found.push_back(std::move(f));
        }
        keep_best(out.findings, std::move(found));
    }

    // Domain impersonation: From and MAIL FROM domains against protected domains; the
    // tenant's own accepted domains are exempt (they are the organization).
    if (!profile.domains_.empty()) {
        const auto check = [&](const DomainShape& shape, SenderPart part) {
            if (shape.empty() || profile.accepted(shape.domain)) {
                return;
            }
            Suppression suppression = base;
            if (suppression == Suppression::none && part == SenderPart::mail_from_domain &&
                profile.trusted_domains_.contains(shape.domain)) {
                suppression = Suppression::trusted_domain;
            }
            std::vector<ImpersonationFinding> found;
            for (const auto& d : profile.domains_) {
                const auto m = match_domain(shape, d.shape, profile.thresholds_);
                if (!m) {
                    continue;
                }
                auto f = make_finding(ImpersonationKind::domain, *m, part, shape.domain,
                                      suppression, level);
                f.impersonated = d.shape.domain;
                f.impersonated_domain = d.shape.domain;
                f.company_domain = d.company;
                if (shape.unicode != shape.domain) {
                    f.evidence.push_back({"sender_domain_unicode", shape.unicode});
                }
                f.evidence.push_back(
                    {"domain_type", d.company ? "Company domain" : "Custom domain"});
                found.push_back(std::move(f));
            }
            keep_best(out.findings, std::move(found));
        };
        check(sender.from_shape, SenderPart::from_domain);
        if (!sender.mail_from_shape.empty() && sender.mail_from_domain != sender.from_domain) {
            check(sender.mail_from_shape, SenderPart::mail_from_domain);
        }
    }

    // Mailbox-intelligence impersonation: a sender the recipient has never corresponded
    // with that imitates one of the recipient's frequent contacts (brief 4.2).
    if (mi && out.contact_history && !out.known_contact && !sender.address.empty()) {
        std::vector<IndexedContact> computed;  // only when the graph is not indexed
        const std::vector<IndexedContact>* frequent = contacts->indexed_contacts(recipient);
        if (frequent == nullptr) {
            computed = contacts->frequent_contact_forms(recipient, profile.model());
            frequent = &computed;
        }
        std::vector<ImpersonationFinding> found;
        for (const auto& c : *frequent) {
            if (c.address == sender.address) {
                continue;
            }
            std::optional<LookalikeMatch> m;
            SenderPart part = SenderPart::display_name;
            // The same name from another organization ("Bob Jones" at gmail.com when the
            // contact is bob@fabrikam.com); a colleague of the contact is not an imitation.
            if (!c.name.empty() && !sender.name.empty() &&
                (c.domain.empty() || c.domain.org_domain != sender.from_shape.org_domain)) {
                m = match_name(sender.name, c.name, profile.thresholds_);
            }
            if (!m && !c.domain.empty()) {
                m = match_domain(sender.from_shape, c.domain, profile.thresholds_);
                part = SenderPart::from_domain;
                // Another country domain of a mail provider (outlook.com / outlook.fr) is no
                // imitation of one contact there unless the mailbox name is the contact's too.
                if (m && m->technique == Technique::tld_swap &&
                    local_part(sender.address) != local_part(c.address)) {
                    m.reset();
                }
            }
            if (!m) {
                continue;
            }
            auto f = make_finding(
                ImpersonationKind::mailbox_intelligence, *m, part,
                part == SenderPart::display_name ? sender.name.original : sender.from_shape.domain,
                out.sender_trusted, level);
            f.impersonated = user_label(c.name.original, c.address);
            f.impersonated_name = c.name.original;
            f.impersonated_address = c.address;
            f.impersonated_domain = c.domain.domain;
            if (const ContactStats* s = contacts->find(recipient, c.address)) {
                f.evidence.push_back({"contact_messages", "received " +
                                                              std::to_string(s->received) +
                                                              ", sent " + std::to_string(s->sent)});
            }
            f.evidence.push_back({"sender_address", sender.address});
            found.push_back(std::move(f));
        }
        keep_best(out.findings, std::move(found));
    }
    for (auto& f : out.findings) {
        finish_summary(f);
    }
    return out;
}

ImpersonationFindings detect_impersonation(const ImpersonationProfile& profile, const Mailbox& from,
                                           std::string_view mail_from_domain,
                                           std::string_view recipient,
                                           const ContactGraph* contacts) {
    return detect_impersonation(profile, prepare_sender(profile.model(), from, mail_from_domain),
                                recipient, contacts);
}

// ---------------------------------------------------------------------------------------
// Profiles of a tenant

ImpersonationProfiles ImpersonationProfiles::build(const policy::Tenant& tenant,
                                                   const psl::PublicSuffixList& list) {
    ImpersonationProfiles out;
    out.model_ = std::make_shared<const LookalikeModel>(list);
    const auto& set = tenant.anti_phishing();
    const auto add = [&](const policy::AntiPhishPolicy& p) {
        out.profiles_.emplace(&p, ImpersonationProfile::build(p.settings, tenant.accepted_domains(),
                                                              out.model_, p.name));
    };
    add(set.strict);
    add(set.standard);
    for (const auto& p : set.custom) {
        add(p);
    }
    add(set.default_policy);
    return out;
}

const ImpersonationProfile* ImpersonationProfiles::find(
    const policy::AntiPhishPolicy& policy) const {
    const auto it = profiles_.find(&policy);
    return it == profiles_.end() ? nullptr : &it->second;
}

}  // namespace mailverdict::detect
