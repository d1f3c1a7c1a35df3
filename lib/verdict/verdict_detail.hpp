// Private to lib/verdict: the per-recipient half of the engine.
#pragma once

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
    // Extension point for the impersonation detector (UIMP/DIMP/GIMP, a later issue):
    // hits added here are ordered and mapped to the anti-phishing policy's actions.
    std::vector<DetectionHit> impersonation;
};

RecipientVerdict evaluate_recipient(const MessageFacts& facts, const std::string& recipient,
                                    RuleOutcome rules);

}  // namespace mailverdict::verdict::detail
