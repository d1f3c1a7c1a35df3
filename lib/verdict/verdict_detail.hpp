// Private to lib/verdict: the per-recipient half of the engine.
#pragma once

#include <mailverdict/detect/contact_graph.hpp>
#include <mailverdict/detect/impersonation.hpp>
#include <mailverdict/detect/spoof.hpp>
#include <mailverdict/policy/tenant.hpp>
#include <mailverdict/verdict/mail_flow_rules.hpp>
#include <mailverdict/verdict/verdict.hpp>

#include <optional>
#include <string>
#include <vector>

namespace mailverdict::verdict::detail {

struct UpstreamFact {
    policy::UpstreamVerdict verdict;
    std::optional<int> bcl;
    std::string source;
};

// What the message-level stages found, for every recipient.
struct MessageFacts {
    const policy::Tenant* tenant = nullptr;
    const Verdict* verdict = nullptr;
    std::string from_address;
    std::string from_domain;
    bool from_accepted = false;
    const std::vector<detect::Signal>* system_signals = nullptr;
    bool arc_trusted = false;
    std::string arc_source;
    std::vector<UpstreamFact> upstream;
    // Further UIMP/DIMP/GIMP hits (beside the detector's): ordered and mapped to the
    // anti-phishing policy's actions like the detector's.
    std::vector<DetectionHit> impersonation;
    // The impersonation detector (brief 4.2): the prepared sender (null: not checked -
    // no From, intra-org or the organization's own authenticated mail), the tenant's
    // profiles, the optional contact graph and every envelope recipient (first contact).
    const detect::SenderForms* sender = nullptr;
    const detect::ImpersonationProfiles* profiles = nullptr;
    const detect::ContactGraph* contacts = nullptr;
    const std::vector<std::string>* recipients = nullptr;
};

RecipientVerdict evaluate_recipient(const MessageFacts& facts, const std::string& recipient,
                                    RuleOutcome rules);

}  // namespace mailverdict::verdict::detail
