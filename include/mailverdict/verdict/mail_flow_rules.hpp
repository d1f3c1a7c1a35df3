// Mail flow rules (transport rules) in priority order, per recipient (brief 8): conditions
// and exceptions, SCL actions, stop processing. Exchange evaluates recipient predicates
// per recipient (a message to several recipients is forked), so the evaluator does too.
#pragma once

#include <mailverdict/message/message.hpp>
#include <mailverdict/policy/tenant.hpp>
#include <mailverdict/verdict/verdict.hpp>

#include <boost/asio/ip/address.hpp>

#include <optional>
#include <string>
#include <vector>

namespace mailverdict::verdict {

struct RuleContext {
    const Message* message = nullptr;
    // "Sender IP address is in range": the IP that connected to the service (the
    // gateway's, not the original client past enhanced filtering; docs/verdict.md).
    std::optional<boost::asio::ip::address> sender_ip;
    std::string connector;     // the inbound connector's name ("" = none)
    bool internal = false;     // FromScope InOrganization
    std::string from_address;  // lower-case
    std::string recipient;     // lower-case
};

struct RuleOutcome {
    std::optional<int> scl;  // the SCL set by the last enforcing rule that set one
    std::string scl_rule;    // its name
    std::vector<policy::HeaderValue> set_headers;
    std::vector<TraceStep> trace;
};

class MailFlowRuleEvaluator {
public:
    explicit MailFlowRuleEvaluator(const policy::Tenant& tenant) : tenant_(tenant) {}
    [[nodiscard]] RuleOutcome evaluate(const RuleContext& context) const;

private:
    const policy::Tenant& tenant_;
};

}  // namespace mailverdict::verdict
