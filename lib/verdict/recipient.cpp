// Per recipient: policy selection, detections in Microsoft's order, the Honor-DMARC
// matrix, the system verdict, the overrides of brief 6.2 and the final verdict.
#include "verdict_detail.hpp"

#include <mailverdict/detect/safety_tips.hpp>
#include <mailverdict/policy/selection.hpp>

#include <algorithm>
#include <array>

namespace mailverdict::verdict {

std::string_view category(Detection detection) noexcept {
    constexpr std::array<std::string_view, 10> names{"MALW", "HPHSH", "PHSH", "HSPM", "SPOOF",
                                                     "UIMP", "DIMP",  "GIMP", "SPM",  "BULK"};
    return names[static_cast<std::size_t>(detection)];
}

std::string_view to_string(Detection detection) noexcept {
    constexpr std::array<std::string_view, 10> names{"malware",
                                                     "high_confidence_phish",
                                                     "phish",
                                                     "high_confidence_spam",
                                                     "spoof",
                                                     "user_impersonation",
                                                     "domain_impersonation",
                                                     "mailbox_intelligence_impersonation",
                                                     "spam",
                                                     "bulk"};
    return names[static_cast<std::size_t>(detection)];
}

std::string_view to_string(Folder folder) noexcept {
    switch (folder) {
        case Folder::inbox:
            return "inbox";
        case Folder::junk:
            return "junk";
        case Folder::quarantine:
            return "quarantine";
        case Folder::rejected:
            return "rejected";
        case Folder::dropped:
            return "dropped";
        case Folder::deleted:
            return "deleted";
        case Folder::redirected:
            break;
    }
    return "redirected";
}

namespace detail {

namespace {

using policy::SpamFilterAction;

Folder folder_of(SpamFilterAction a) {
    switch (a) {
        case SpamFilterAction::move_to_jmf:
        case SpamFilterAction::add_x_header:    // spam/HC spam also go to Junk (brief 4.8)
        case SpamFilterAction::modify_subject:  // delivered and moved to Junk (brief 4.8)
            return Folder::junk;
        case SpamFilterAction::quarantine:
            return Folder::quarantine;
        case SpamFilterAction::delete_message:
            return Folder::deleted;
        case SpamFilterAction::redirect:
            return Folder::redirected;
        case SpamFilterAction::no_action:
            break;
    }
    return Folder::inbox;
}

Disposition from_spam_action(SpamFilterAction a, std::string reason) {
    return {std::string(policy::to_string(a)), folder_of(a), std::move(reason)};
}

Disposition from_impersonation(policy::ImpersonationAction a, std::string reason,
                               const std::vector<std::string>& action_recipients) {
    using policy::ImpersonationAction;
    if ((a == ImpersonationAction::redirect || a == ImpersonationAction::bcc_message) &&
        !action_recipients.empty()) {
        std::string to;
        for (const auto& r : action_recipients) {
            to += (to.empty() ? "" : ", ") + r;
        }
        reason += a == ImpersonationAction::redirect ? " (redirected to " + to + ")"
                                                     : " (Bcc " + to + ")";
    }
    Folder f = Folder::inbox;
    switch (a) {
        case ImpersonationAction::move_to_jmf:
            f = Folder::junk;
            break;
        case ImpersonationAction::quarantine:
            f = Folder::quarantine;
            break;
        case ImpersonationAction::redirect:
            f = Folder::redirected;
            break;
        case ImpersonationAction::delete_message:
            f = Folder::deleted;
            break;
        case ImpersonationAction::no_action:
        case ImpersonationAction::bcc_message:
            break;
    }
    return {std::string(policy::to_string(a)), f, std::move(reason)};
}

std::string ip_text_of(const boost::asio::ip::address& ip) {
    return unmap(ip).to_string();
}

Disposition delivered(std::string reason) {
    return {"NoAction", Folder::inbox, std::move(reason)};
}

// The spoof protection's decision for one compauth outcome: brief 2.3 (Honor-DMARC
// matrix) and 3.3; docs/verdict.md "Spoof and Honor DMARC".
struct SpoofDecision {
    bool detected = false;
    Disposition disposition;
    std::string dmarc_action;  // what Authentication-Results says after action=
    std::string why;
    // compauth failed but the policy's spoof protection (spoof intelligence) is off: the
    // filter still classifies the message as spoof (brief 5.2 Policy A/B example).
    bool classified_protection_off = false;
};

SpoofDecision decide_spoof(const policy::AntiPhishSettings& s, const std::string& policy_name,
                           const CompAuth& c, const dmarc::DmarcResult& d, bool honor_possible) {
    SpoofDecision out;
    out.dmarc_action = std::string(dmarc::to_string(d.action));
    if (!c.failed()) {
        out.why = "compauth " + std::string(to_string(c.result)) + ": not spoofing";
        return out;
    }
    const bool si = s.enable_spoof_intelligence;
    const bool honor = s.honor_dmarc_policy && honor_possible;
    auto auth_fail = [&](std::string why) {
        out.detected = true;
        const bool q = s.authentication_fail_action == policy::SpoofAction::quarantine;
        out.disposition = {std::string(policy::to_string(s.authentication_fail_action)),
                           q ? Folder::quarantine : Folder::junk,
                           "SPOOF: AuthenticationFailAction of " + policy_name};
        out.why = std::move(why);
    };
    if (c.rule == CompAuthRule::spoof_pair_block) {
        // Brief 15 Q4: a blocked spoofed pair takes the anti-phishing spoof action.
        auth_fail("blocked spoofed-sender pair (compauth 002): the spoof action (brief 6.2, Q4)");
        return out;
    }
    const bool pct_skipped =
        d.action == dmarc::Action::pct_quarantine || d.action == dmarc::Action::pct_reject;
    if (c.explicit_failure() && !pct_skipped) {
        const bool reject = d.policy == dmarc::Policy::reject;
        if (honor) {
            out.detected = true;
            if (reject) {
                const bool r = s.dmarc_reject_action == policy::DmarcRejectAction::reject;
                out.disposition = {std::string(policy::to_string(s.dmarc_reject_action)),
                                   r ? Folder::rejected : Folder::quarantine,
                                   "SPOOF: DmarcRejectAction of " + policy_name};
                out.dmarc_action = r ? "reject" : "oreject";
            } else {
                const bool q =
                    s.dmarc_quarantine_action == policy::DmarcQuarantineAction::quarantine;
                out.disposition = {std::string(policy::to_string(s.dmarc_quarantine_action)),
                                   q ? Folder::quarantine : Folder::junk,
                                   "SPOOF: DmarcQuarantineAction of " + policy_name};
            }
            out.why = "Honor DMARC on: the sender's p=" + std::string(dmarc::to_string(d.policy)) +
                      " is honoured (brief 2.3)";
            return out;
        }
        if (reject) {
            out.dmarc_action = "oreject";
        }
        if (si) {
            auth_fail(std::string(honor_possible ? "Honor DMARC off"
                                                 : "Honor DMARC not applicable (MX elsewhere, "
                                                   "no enhanced filtering)") +
                      ", spoof intelligence on: AuthenticationFailAction for explicit failures "
                      "(brief 2.3)");
            return out;
        }
        out.detected = true;
        out.disposition = {"Quarantine", Folder::quarantine,
                           "SPOOF: explicit DMARC failure, Honor DMARC and spoof intelligence off"};
        out.why =
            "spoof intelligence off, Honor DMARC off: p=quarantine/reject -> quarantined "
            "(brief 2.3)";
        return out;
    }
    if (si) {
        auth_fail(pct_skipped
                      ? "the DMARC pct draw skipped the policy; implicit spoof protection "
                        "still acts (brief 15 Q18)"
                      : "implicit authentication failure, spoof intelligence on (brief 2.3)");
        return out;
    }
    out.why = "spoof intelligence off: implicit failures are not spoof (brief 2.3)";
    out.classified_protection_off = true;
    return out;
}

bool is_allow_beatable(std::optional<Detection> top, bool spoof_ok, bool hcp_ok) {
    if (!top) {
        return true;
    }
    switch (*top) {
        case Detection::malware:
            return false;
        case Detection::high_confidence_phish:
            return hcp_ok;
        case Detection::spoof:
            return spoof_ok;
        default:
            return true;
    }
}

std::string lower_domain(std::string_view address) {
    const auto at = address.rfind('@');
    return at == std::string_view::npos ? std::string() : std::string(address.substr(at + 1));
}

bool list_has_address_or_domain(const std::vector<std::string>& addresses,
                                const std::vector<std::string>& domains, std::string_view from) {
    if (from.empty()) {
        return false;
    }
    const std::string dom = lower_domain(from);
    return std::find(addresses.begin(), addresses.end(), from) != addresses.end() ||
           std::find(domains.begin(), domains.end(), dom) != domains.end();
}

bool is_impersonation(Detection d) {
    return d == Detection::user_impersonation || d == Detection::domain_impersonation ||
           d == Detection::mailbox_intelligence_impersonation;
}

// The policy action of an impersonation detection (brief 4.2): mailbox intelligence acts
// only with EnableMailboxIntelligenceProtection ("NoAction equals this switch being off").
policy::ImpersonationAction impersonation_action(Detection d, const policy::AntiPhishSettings& s) {
    switch (d) {
        case Detection::user_impersonation:
            return s.targeted_user_protection_action;
        case Detection::domain_impersonation:
            return s.targeted_domain_protection_action;
        default:
            break;
    }
    return s.enable_mailbox_intelligence && s.enable_mailbox_intelligence_protection
               ? s.mailbox_intelligence_protection_action
               : policy::ImpersonationAction::no_action;
}

struct Detections {
    std::vector<DetectionHit> hits;  // every detection, in Microsoft's order (brief 1.3)
    std::optional<SpoofDecision> spoof;
    // The detection whose action applies: the highest one, except that an impersonation
    // detection without an action (NoAction: observation mode) lets the next one act
    // (brief 15 Q3, docs/verdict.md "Impersonation").
    std::optional<std::size_t> acting;
    std::string observed;  // why higher impersonation detections did not act
    [[nodiscard]] std::optional<Detection> top() const {
        if (!acting) {
            return std::nullopt;
        }
        return hits[*acting].detection;
    }
    // The highest detection, acted on or only observed.
    [[nodiscard]] std::optional<Detection> highest() const {
        if (hits.empty()) {
            return std::nullopt;
        }
        return hits.front().detection;
    }
};

Detections gather(const MessageFacts& f, const policy::AntiPhishPolicy& ap,
                  const policy::AntiSpamSettings& as, const SpoofDecision& spoof,
                  const std::vector<DetectionHit>& impersonation) {
    Detections d;
    for (const auto& u : f.upstream) {
        using policy::UpstreamVerdict;
        switch (u.verdict) {
            case UpstreamVerdict::malware:
                d.hits.push_back({Detection::malware, u.source, "", std::nullopt});
                break;
            case UpstreamVerdict::high_confidence_phish:
                d.hits.push_back({Detection::high_confidence_phish, u.source, "", std::nullopt});
                break;
            case UpstreamVerdict::phish:
                d.hits.push_back({Detection::phish, u.source, "", std::nullopt});
                break;
            case UpstreamVerdict::high_confidence_spam:
                d.hits.push_back({Detection::high_confidence_spam, u.source, "", std::nullopt});
                break;
            case UpstreamVerdict::spam:
                d.hits.push_back({Detection::spam, u.source, "", std::nullopt});
                break;
            case UpstreamVerdict::bulk: {
                // Brief 1.5: bulk when BCL >= BulkThreshold; MarkAsSpamBulkMail Off stamps
                // the BCL without a bulk action. An unmapped BCL counts as over the threshold.
                const int bcl = u.bcl.value_or(9);
                if (bcl >= as.bulk_threshold && as.mark_as_spam_bulk_mail) {
                    d.hits.push_back({Detection::bulk, u.source,
                                      "BCL " + std::to_string(bcl) + " >= BulkThreshold " +
                                          std::to_string(as.bulk_threshold),
                                      std::nullopt});
                }
                break;
            }
            case UpstreamVerdict::clean:
                break;
        }
    }
    if (spoof.detected) {
        d.hits.push_back({Detection::spoof, "spoof detector", spoof.why, std::nullopt});
    }
    for (const auto& h : f.impersonation) {
        d.hits.push_back(h);
    }
    for (const auto& h : impersonation) {
        d.hits.push_back(h);
    }
    std::stable_sort(d.hits.begin(), d.hits.end(),
                     [](const auto& a, const auto& b) { return a.detection < b.detection; });
    d.spoof = spoof;
    for (std::size_t i = 0; i < d.hits.size(); ++i) {
        const Detection det = d.hits[i].detection;
        if (!is_impersonation(det)) {
            d.acting = i;
            break;
        }
        const std::string cat(category(det));
        if (spoof.classified_protection_off) {
            // Brief 5.2: the message is classified as spoof (order 5 beats 6-8); the selected
            // policy has spoof protection off -> no action, impersonation is not consulted.
            d.observed += (d.observed.empty() ? "" : "; ") + cat +
                          " not acted on: classified as spoof with spoof intelligence off in " +
                          ap.name + " (brief 5.2)";
            continue;
        }
        if (impersonation_action(det, ap.settings) == policy::ImpersonationAction::no_action) {
            // Brief 4.2 "Don't apply any action": the detection is recorded (observation
            // mode, 13.3 step 4) and does not take the message.
            d.observed += (d.observed.empty() ? "" : "; ") + cat + " observed only (NoAction in " +
                          ap.name + ")";
            continue;
        }
        d.acting = i;
        break;
    }
    return d;
}

// The action of the highest detection from the selected policies (brief 5.2: a disabled
// or NoAction protection does not fall through to lower detections).
Disposition act_on(const Detections& d, const policy::AntiPhishPolicy& ap,
                   const policy::AntiSpamPolicy& as) {
    const auto top = d.top();
    if (!top) {
        return delivered(d.hits.empty() ? "no detection" : "delivered: " + d.observed);
    }
    const auto& s = as.settings;
    const std::string cat(category(*top));
    switch (*top) {
        case Detection::malware:
            return {"Quarantine", Folder::quarantine,
                    "MALW: anti-malware quarantine (AdminOnlyAccessPolicy, brief 4.7)"};
        case Detection::high_confidence_phish: {
            auto a = s.high_confidence_phish_action;
            if (a == SpamFilterAction::move_to_jmf) {
                // Secure by default converts MoveToJmf for HC phishing into Quarantine (4.8).
                a = SpamFilterAction::quarantine;
            }
            return from_spam_action(a, cat + ": HighConfidencePhishAction of " + as.name);
        }
        case Detection::phish:
            return from_spam_action(s.phish_spam_action, cat + ": PhishSpamAction of " + as.name);
        case Detection::high_confidence_spam:
            return from_spam_action(s.high_confidence_spam_action,
                                    cat + ": HighConfidenceSpamAction of " + as.name);
        case Detection::spoof:
            return d.spoof->disposition;
        case Detection::user_impersonation:
            return from_impersonation(impersonation_action(*top, ap.settings),
                                      cat + ": TargetedUserProtectionAction of " + ap.name +
                                          " (quarantine tag " +
                                          ap.settings.targeted_user_quarantine_tag + ")",
                                      ap.settings.targeted_user_action_recipients);
        case Detection::domain_impersonation:
            return from_impersonation(impersonation_action(*top, ap.settings),
                                      cat + ": TargetedDomainProtectionAction of " + ap.name +
                                          " (quarantine tag " +
                                          ap.settings.targeted_domain_quarantine_tag + ")",
                                      ap.settings.targeted_domain_action_recipients);
        case Detection::mailbox_intelligence_impersonation:
            return from_impersonation(
                impersonation_action(*top, ap.settings),
                cat + ": MailboxIntelligenceProtectionAction of " + ap.name + " (quarantine tag " +
                    ap.settings.mailbox_intelligence_quarantine_tag + ")",
                ap.settings.mailbox_intelligence_protection_action_recipients);
        case Detection::spam:
            return from_spam_action(s.spam_action, cat + ": SpamAction of " + as.name);
        case Detection::bulk:
            return from_spam_action(s.bulk_spam_action, cat + ": BulkSpamAction of " + as.name);
    }
    return delivered("no detection");
}

Disposition act(const Detections& d, const policy::AntiPhishPolicy& ap,
                const policy::AntiSpamPolicy& as) {
    Disposition out = act_on(d, ap, as);
    if (d.top() && !d.observed.empty()) {
        out.reason += " (" + d.observed + ")";
    }
    return out;
}

ImpersonationEvidence evidence_of(const detect::ImpersonationFinding& f) {
    ImpersonationEvidence e;
    e.kind = std::string(detect::to_string(f.kind));
    e.impersonated = f.impersonated;
    e.part = std::string(detect::to_string(f.part));
    e.sender_value = f.sender_value;
    e.technique = std::string(detect::to_string(f.technique));
    e.score = f.score;
    e.distance = f.distance;
    e.suppression = f.flagged() ? std::string() : std::string(detect::to_string(f.suppression));
    e.summary = f.summary;
    return e;
}

Detection detection_of(detect::ImpersonationKind k) {
    switch (k) {
        case detect::ImpersonationKind::user:
            return Detection::user_impersonation;
        case detect::ImpersonationKind::domain:
            return Detection::domain_impersonation;
        case detect::ImpersonationKind::mailbox_intelligence:
            break;
    }
    return Detection::mailbox_intelligence_impersonation;
}

std::string change(const Disposition& from, const Disposition& to) {
    return std::string(to_string(from.folder)) + " (" + from.action + ") -> " +
           std::string(to_string(to.folder)) + " (" + to.action + ")";
}

int scl_for(std::optional<Detection> top, bool explicit_spoof) {
    if (!top) {
        return 1;
    }
    switch (*top) {
        case Detection::high_confidence_phish:
        case Detection::phish:
        case Detection::high_confidence_spam:
            return 9;
        case Detection::spoof:
            return explicit_spoof ? 7 : 5;  // brief 1.5: SCL 7 comes from DMARC failures
        case Detection::spam:
        case Detection::user_impersonation:
        case Detection::domain_impersonation:
        case Detection::mailbox_intelligence_impersonation:
            return 5;
        case Detection::bulk:
            return 6;  // MarkAsSpamBulkMail: bulk becomes SCL 6 (brief 1.5)
        case Detection::malware:
            break;
    }
    return 1;
}

}  // namespace

RecipientVerdict evaluate_recipient(const MessageFacts& f, const std::string& recipient,
                                    RuleOutcome rules) {
    const auto& tenant = *f.tenant;
    const auto& v = *f.verdict;
    RecipientVerdict rv;
    rv.address = recipient;
    rv.dir = v.internal ? "INT" : "INB";
    auto& trace = rv.trace;

    // Policy selection (brief 5.1): one policy per type.
    const auto aps = policy::select_anti_phish_policy(tenant, recipient);
    const auto ass = policy::select_anti_spam_policy(tenant, recipient);
    const auto& ap = *aps.policy;
    const auto& as = *ass.policy;
    rv.anti_phish_policy = ap.name;
    rv.anti_spam_policy = as.name;
    trace.push_back({"policy", "anti-phishing policy", "brief 5.1", recipient, aps.reason()});
    trace.push_back({"policy", "anti-spam policy", "brief 5.1", recipient, ass.reason()});

    // Mail flow rules ran before the verdicts (brief 6.1).
    for (auto& s : rules.trace) {
        trace.push_back(std::move(s));
    }

    // Spoof decision, system (no tenant overrides) and final.
    const bool honor_possible =
        tenant.mail_routing().mx == policy::MxTarget::microsoft || v.enhanced_filtering;
    if (!honor_possible) {
        trace.push_back({"spoof", "Honor DMARC needs enhanced filtering when MX points elsewhere",
                         "brief 2.3", "MX: third party, enhanced filtering off",
                         "the sender's DMARC policy is not honoured"});
    }
    const auto sys_spoof =
        decide_spoof(ap.settings, ap.name, v.system_compauth, v.auth.dmarc, honor_possible);
    const auto fin_spoof =
        decide_spoof(ap.settings, ap.name, v.compauth, v.auth.dmarc, honor_possible);
    trace.push_back({"spoof", "Honor-DMARC matrix and spoof intelligence", "brief 2.3, 3.3",
                     "compauth " + std::string(to_string(v.compauth.result)) +
                         " reason=" + v.compauth.reason_text() + ", policy " + ap.name,
                     fin_spoof.detected ? fin_spoof.why + " -> " + fin_spoof.disposition.action
                                        : fin_spoof.why});
    rv.dmarc_action = fin_spoof.dmarc_action;

    // Impersonation (brief 4.2) under the selected anti-phishing policy: one hit per kind
    // with a flagged (not suppressed) finding; every finding is kept for the insight.
    std::optional<detect::ImpersonationFindings> findings;
    std::vector<DetectionHit> impersonation;
    const detect::ImpersonationProfile* profile =
        f.profiles != nullptr ? f.profiles->find(ap) : nullptr;
    if (f.sender != nullptr && profile != nullptr) {
        findings = detect::detect_impersonation(*profile, *f.sender, recipient, f.contacts);
        for (const auto& x : findings->findings) {
            rv.impersonation.push_back(evidence_of(x));
            trace.push_back({"impersonation", std::string(detect::to_string(x.kind)),
                             "brief 4.2; docs/impersonation.md", x.summary,
                             x.flagged() ? "flagged"
                                         : "allowed to impersonate: " +
                                               std::string(detect::to_string(x.suppression))});
        }
        for (const auto kind : {detect::ImpersonationKind::user, detect::ImpersonationKind::domain,
                                detect::ImpersonationKind::mailbox_intelligence}) {
            if (const auto* top = findings->top(kind)) {
                impersonation.push_back({detection_of(kind), "impersonation detector", top->summary,
                                         evidence_of(*top)});
            }
        }
        if (findings->findings.empty()) {
            trace.push_back({"impersonation", "protected users, domains, frequent contacts",
                             "brief 4.2", ap.name,
                             std::to_string(profile->protected_user_count()) + " user(s), " +
                                 std::to_string(profile->protected_domain_count()) +
                                 " domain(s) protected: nothing resembles the sender"});
        }
    }

    const auto sys = gather(f, ap, as.settings, sys_spoof, impersonation);
    const auto fin = gather(f, ap, as.settings, fin_spoof, impersonation);
    rv.system = act(sys, ap, as);
    trace.push_back({"system_verdict", "highest detection in Microsoft's order, its action",
                     "brief 1.3, 5.2, 15 Q3",
                     sys.hits.empty() ? "no detection"
                     : sys.top()      ? std::string(category(*sys.top()))
                                      : std::string(category(*sys.highest())) + " (no action)",
                     std::string(to_string(rv.system.folder)) + " (" + rv.system.action + ")"});
    rv.detections = fin.hits;

    // Overrides (brief 6.2). Tenant-level spoof overrides first (they change detections).
    Disposition final = act(fin, ap, as);
    if (sys_spoof.detected && !fin_spoof.detected && f.arc_trusted &&
        v.compauth.rule == CompAuthRule::trusted_arc) {
        rv.overrides.push_back({"trusted_arc_sealer", "Trusted ARC sealer", f.arc_source, true,
                                "compauth " + v.system_compauth.reason_text() +
                                    " -> pass reason=130: " + change(rv.system, final)});
    }
    if (v.spoof_pair) {
        const bool allow = v.spoof_pair->action == policy::ListAction::allow;
        const std::string src =
            v.spoof_pair->source == "spoof intelligence"
                ? (allow ? "Spoof intelligence allow" : "Spoof intelligence block")
                : (allow ? "Tenant Allow/Block List spoof allow"
                         : "Tenant Allow/Block List spoof block");
        if (allow) {
            const bool did = sys_spoof.detected && !fin_spoof.detected;
            rv.overrides.push_back({"spoof_allow", src, v.spoof_pair->entry, did,
                                    did ? "SPOOF removed: " + change(rv.system, final)
                                        : "pair matched; nothing to allow"});
        } else {
            const bool did = v.compauth.rule == CompAuthRule::spoof_pair_block;
            rv.overrides.push_back({"spoof_block", src, v.spoof_pair->entry, did,
                                    did ? "compauth fail reason=002; " + final.reason
                                        : "pair matched but the sender authenticated"});
        }
    }

    const auto top = fin.top();
    const std::string top_text = top ? std::string(category(*top)) : std::string("no detection");
    const auto& ip = v.envelope.client_ip;
    const auto& cf = tenant.connection_filter();
    auto in_list = [&](const std::vector<IpNetwork>& list) {
        return ip && std::any_of(list.begin(), list.end(),
                                 [&](const IpNetwork& n) { return n.contains(*ip); });
    };
    const bool ip_allowed = in_list(cf.ip_allow_list);
    const bool ip_blocked = in_list(cf.ip_block_list) && !ip_allowed;  // Allow wins (12.1)
    rv.ipv = ip_allowed ? "CAL" : "NLI";
    bool decided = false;       // a primary override decided the final verdict
    bool skipped_spam = false;  // spam filtering was skipped (CAT:NONE, bypass SCL)
    std::string sfv_override;
    auto record = [&](std::string mechanism, std::string source, std::string entry, bool can,
                      const Disposition& to, const std::string& cannot) {
        if (decided) {
            rv.overrides.push_back(
                {std::move(mechanism), std::move(source), std::move(entry), false,
                 "also matched; the verdict was already decided by " + rv.overrides[0].source});
            return false;
        }
        if (!can) {
            rv.overrides.push_back(
                {std::move(mechanism), std::move(source), std::move(entry), false, cannot});
            return false;
        }
        rv.overrides.push_back(
            {std::move(mechanism), std::move(source), std::move(entry), true, change(final, to)});
        final = to;
        decided = true;
        return true;
    };
    // Keep the primary override first in the list.
    auto primary_first = [&]() {
        std::stable_partition(rv.overrides.begin(), rv.overrides.end(),
                              [](const Override& o) { return o.applied; });
    };

    // 1. Advanced delivery (brief 10): SecOps beats everything; simulations all but malware.
    const auto& adv = tenant.advanced_delivery();
    if (std::find(adv.secops_mailboxes.begin(), adv.secops_mailboxes.end(), recipient) !=
        adv.secops_mailboxes.end()) {
        record("advanced_delivery_secops", "SecOps Mailbox", recipient, !v.internal,
               delivered("advanced delivery: SecOps mailbox"),
               "intra-org mail to SecOps mailboxes is not supported (brief 10)");
    }
    if (adv.phishing_simulation.configured()) {
        const auto& ps = adv.phishing_simulation;
        std::string matched_domain;
        const std::string mf = lower_domain(v.envelope.mail_from.value_or(""));
        if (std::find(ps.domains.begin(), ps.domains.end(), mf) != ps.domains.end()) {
            matched_domain = mf;
        }
        for (const auto& k : v.auth.dmarc_input.dkim) {
            if (matched_domain.empty() && k.result == "pass" &&
                std::find(ps.domains.begin(), ps.domains.end(), k.domain) != ps.domains.end()) {
                matched_domain = k.domain;
            }
        }
        const bool ip_match =
            ip && std::any_of(ps.sending_ips.begin(), ps.sending_ips.end(),
                              [&](const IpNetwork& n) { return n.contains(*ip); });
        if (!matched_domain.empty() && ip_match) {
            record("advanced_delivery_phishing_simulation", "Phishing Simulation",
                   matched_domain + ", " + ip_text_of(*ip),
                   !v.internal && top != Detection::malware,
                   delivered("advanced delivery: phishing simulation"),
                   v.internal ? "intra-org simulations are not supported (brief 10)"
                              : "malware is only overridden for SecOps mailboxes (brief 10)");
        } else if (!matched_domain.empty()) {
            trace.push_back({"overrides", "phishing simulation", "brief 10",
                             "domain " + matched_domain + " matched",
                             "sending IP " + (ip ? ip_text_of(*ip) : std::string("unknown")) +
                                 " is not a simulation IP: no override"});
        }
    }
    // 2. IP Block List (brief 12.1, 6.2): dropped, except malware / HC phish (filter).
    if (ip_blocked) {
        const bool can = top != Detection::malware && top != Detection::high_confidence_phish;
        record("ip_block_list", "Connection policy", ip_text_of(*ip), can,
               {"Drop", Folder::dropped, "IP Block List"},
               "malware and high confidence phishing stay quarantined (brief 6.2)");
    }
    // 3. TABL sender block (brief 6.2, 7.1): quarantined, except malware (filter).
    const auto day = std::chrono::floor<std::chrono::days>(v.now);
    const std::string mail_from = v.envelope.mail_from.value_or("");
    auto tabl_match = [&](policy::ListAction action) -> const policy::SenderEntry* {
        for (const auto& e : tenant.allow_block_list().senders) {
            if (e.action == action && e.active_on(day) &&
                ((!f.from_address.empty() && e.matches(f.from_address)) ||
                 (!mail_from.empty() && e.matches(mail_from)))) {
                return &e;
            }
        }
        return nullptr;
    };
    bool tabl_blocked = false;  // brief 7.1: marked high confidence phishing
    if (const auto* e = tabl_match(policy::ListAction::block)) {
        tabl_blocked =
            record("tabl_sender_block", "Tenant Allow/Block List sender email address block",
                   e->value + " (tenant line " + std::to_string(e->line) + ")",
                   top != Detection::malware, {"Quarantine", Folder::quarantine, "TABL block"},
                   "malware stays quarantined (brief 6.2)");
    }
    // 4. Anti-spam policy blocked senders/domains (SFV:SKB): the spam action.
    if (list_has_address_or_domain(as.settings.blocked_senders, as.settings.blocked_sender_domains,
                                   f.from_address)) {
        const bool weaker = !top || *top == Detection::bulk || *top == Detection::spam;
        if (record("anti_spam_block_list", "Antispam policy settings", f.from_address, weaker,
                   from_spam_action(as.settings.spam_action, "anti-spam blocked senders"),
                   "a stronger verdict (" + top_text + ") keeps its action (brief 6.2)")) {
            sfv_override = "SKB";
        }
    }
    // 5. Mail flow rule SCL (brief 8, 6.2).
    if (rules.scl) {
        const int scl = *rules.scl;
        if (scl < 5) {
            // SCL -1 (and 0-4: not spam) bypasses spam filtering; malware never, HC phish
            // only when MX points elsewhere ("complex routing", brief 6.1).
            const bool complex_routing = tenant.mail_routing().mx == policy::MxTarget::third_party;
            sfv_override = "SKN";
            if (record("mail_flow_rule_bypass", "Exchange transport rule", rules.scl_rule,
                       is_allow_beatable(top, true, complex_routing),
                       delivered("mail flow rule SCL " + std::to_string(scl)),
                       top == Detection::malware
                           ? "malware is never overridden by a mail flow rule (brief 6.1)"
                           : "high confidence phishing is quarantined by secure by default "
                             "(brief 6.1; MX points to Microsoft 365)")) {
                skipped_spam = true;
            }
        } else {
            const bool hc = scl >= 7;
            const bool can =
                !top || (*top != Detection::malware && *top != Detection::high_confidence_phish &&
                         *top != Detection::phish);
            sfv_override = "SKS";
            record("mail_flow_rule_block", "Exchange transport rule", rules.scl_rule, can,
                   from_spam_action(
                       hc ? as.settings.high_confidence_spam_action : as.settings.spam_action,
                       "mail flow rule SCL " + std::to_string(scl)),
                   "a stronger verdict (" + top_text + ") keeps its action (brief 6.2)");
        }
    }
    // 6. IP Allow List (brief 12.1, 6.2; spoof/DMARC not overridden: brief 15 Q6).
    if (ip_allowed) {
        if (record(
                "ip_allow_list", "Connection policy", ip_text_of(*ip),
                is_allow_beatable(top, false, false), delivered("IP Allow List"),
                "the IP Allow List does not override " + top_text + " (brief 6.2; spoof per Q6)")) {
            skipped_spam = true;
            if (sfv_override.empty()) {
                sfv_override = "SKI";
            }
        }
    }
    // 7. TABL sender allow: bulk, spam, HC spam, phishing; not spoof (the message must
    // pass email authentication, brief 6.2), not HC phish or malware.
    if (const auto* e = tabl_match(policy::ListAction::allow)) {
        if (record("tabl_sender_allow", "Sender address list (Admin Override)",
                   e->value + " (tenant line " + std::to_string(e->line) + ")",
                   is_allow_beatable(top, false, false), delivered("TABL allow"),
                   "a TABL sender allow does not override " + top_text + " (brief 6.2, 7.1)")) {
            skipped_spam = true;
            // The campaign views' "Tenant Allow" filter verdict is SKA (brief 1.2).
            if (sfv_override.empty()) {
                sfv_override = "SKA";
            }
        }
    }
    // 8. Anti-spam allowed senders/domains (SFV:SKA): spam, spoof, phish; not HC phish or
    // malware; accepted-domain senders must pass authentication (brief 6.2).
    if (list_has_address_or_domain(as.settings.allowed_senders, as.settings.allowed_sender_domains,
                                   f.from_address)) {
        const bool auth_ok = !f.from_accepted || !v.compauth.failed();
        if (record(
                "anti_spam_allow_list", "Sender address list (Admin Override)", f.from_address,
                auth_ok && is_allow_beatable(top, true, false), delivered("anti-spam allow list"),
                auth_ok ? "the allowed senders list does not override " + top_text
                        : "allowed entries in accepted domains must pass email authentication")) {
            skipped_spam = true;
            if (sfv_override.empty()) {
                sfv_override = "SKA";
            }
        }
    }
    primary_first();
    rv.final = final;
    trace.push_back({"final_verdict", "overrides applied in brief 6.2's precedence", "brief 6.2",
                     std::to_string(rv.overrides.size()) + " override(s) looked at",
                     std::string(to_string(final.folder)) + " (" + final.action + ")"});

    // Stamps (brief 1.1-1.5).
    const bool explicit_spoof = v.compauth.explicit_failure();
    const auto& sim = tenant.simulator();
    const bool any_spam_detection = top && *top != Detection::malware;
    if (skipped_spam) {
        rv.cat = "NONE";
        rv.scl =
            sfv_override == "SKN" && rules.scl && *rules.scl >= 0 ? *rules.scl : sim.bypass_scl;
    } else {
        // CAT: the detection whose action applied; when only impersonation detections
        // without an action were found (observation mode), the highest of them - the
        // detection is recorded (brief 4.2) while SCL and SFV stay those of clean mail so
        // the folder does not change (docs/verdict.md "Impersonation").
        const auto shown = top ? top : fin.highest();
        rv.cat = shown ? std::string(category(*shown)) : "NONE";
        rv.scl = scl_for(top, explicit_spoof);
        if (sfv_override == "SKS" && rules.scl) {
            rv.scl = std::max(rv.scl, *rules.scl);
        }
    }
    if (tabl_blocked) {
        // A blocked sender or domain is marked high confidence phishing and quarantined
        // (brief 7.1, 6.2 "TABL block: Tenant: quarantined"): stamp that verdict, not the
        // filter's (which may have found nothing).
        rv.cat = std::string(category(Detection::high_confidence_phish));
        rv.scl = scl_for(Detection::high_confidence_phish, false);
    }
    rv.sfv = !sfv_override.empty() ? sfv_override
                                   : (any_spam_detection || tabl_blocked ? "SPM" : "NSPM");
    const bool bulk = std::any_of(fin.hits.begin(), fin.hits.end(), [](const DetectionHit& h) {
        return h.detection == Detection::bulk;
    });
    rv.srv = bulk ? "BULK" : "";
    if (!skipped_spam && !tabl_blocked && top == Detection::spoof) {
        rv.sfty = f.from_accepted ? "9.11" : "9.22";
    }
    // Brief 1.4: 9.20 user (and mailbox-intelligence) impersonation, 9.19 domain
    // impersonation - the impersonation detection that acted, else the highest observed
    // one, unless a spoof SFTY was stamped or an allow skipped filtering.
    if (rv.sfty.empty() && !skipped_spam && !tabl_blocked) {
        auto shown = top && is_impersonation(*top) ? top : std::optional<Detection>();
        for (const auto& h : fin.hits) {
            if (!shown && is_impersonation(h.detection)) {
                shown = h.detection;
            }
        }
        if (shown) {
            rv.sfty = *shown == Detection::domain_impersonation ? "9.19" : "9.20";
        }
    }

    // Safety tips (brief 3.4, 4.3): not on mail allowed by organizational settings.
    const bool allowed_by_org =
        decided && final.folder == Folder::inbox && rv.system.folder != Folder::inbox;
    const bool pair_allowed = v.spoof_pair && v.spoof_pair->action == policy::ListAction::allow;
    if (!allowed_by_org) {
        for (const auto& s : v.signals) {
            if (s.kind == detect::SignalKind::unauthenticated_sender &&
                ap.settings.enable_unauthenticated_sender &&
                ap.settings.enable_spoof_intelligence) {
                rv.safety_tips.emplace_back("unauthenticated_sender");
            }
            if (s.kind == detect::SignalKind::via_tag && ap.settings.enable_via_tag &&
                !pair_allowed) {
                rv.safety_tips.push_back("via:" + std::string(s.find("via")));
            }
        }
    }
    // Anti-phishing safety tips (brief 4.3): first contact, similar users / domains, unusual
    // characters; computed for inbound mail and stamped only when the policy shows them.
    if (f.sender != nullptr && v.from) {
        detect::SafetyTipInput in;
        in.settings = &ap.settings;
        in.model = &f.profiles->model();
        in.from = &*v.from;
        if (f.recipients != nullptr) {
            in.recipients = *f.recipients;
        }
        in.contacts = f.contacts;
        in.findings = findings ? &*findings : nullptr;
        in.allowed_by_organization = allowed_by_org;
        for (const auto& tip : detect::safety_tips(in)) {
            const std::string name(detect::to_string(tip.kind));
            trace.push_back({"safety_tip", name, "brief 4.3, 1.4", tip.text,
                             tip.enabled ? "shown" : "not shown (the policy's switch is off)"});
            if (!tip.enabled) {
                continue;
            }
            rv.safety_tips.push_back(name);
            // Brief 1.4: 9.25 only when no other SFTY was stamped.
            if (tip.kind == detect::SafetyTipKind::first_contact && rv.sfty.empty()) {
                rv.sfty = std::string(detect::sfty_code(tip.kind));
            }
        }
    }
    return rv;
}

}  // namespace detail
}  // namespace mailverdict::verdict
