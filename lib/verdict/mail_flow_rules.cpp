// Mail flow rules (brief 8): priority order, conditions AND across kinds / OR within a
// kind, exceptions OR, SetSCL, StopRuleProcessing, audit modes take no action.
#include <mailverdict/verdict/mail_flow_rules.hpp>

#include <algorithm>
#include <cctype>

namespace mailverdict::verdict {

namespace {

std::string domain_of(std::string_view address) {
    const auto at = address.rfind('@');
    return at == std::string_view::npos ? std::string() : to_lower_ascii(address.substr(at + 1));
}

// RecipientDomainIs / SenderDomainIs match the domain and its subdomains.
bool domain_matches(std::string_view domain, const std::vector<std::string>& list) {
    return std::any_of(list.begin(), list.end(), [&](const std::string& d) {
        return domain == d || (domain.size() > d.size() && domain.ends_with(d) &&
                               domain[domain.size() - d.size() - 1] == '.');
    });
}

bool header_holds(const policy::HeaderCondition& h, const Message& message,
                  const std::vector<policy::HeaderValue>& added) {
    for (const auto* f : message.find_all(h.name)) {
        if (h.matches_value(f->value())) {
            return true;
        }
    }
    for (const auto& a : added) {
        if (to_lower_ascii(a.name) == to_lower_ascii(h.name) && h.matches_value(a.value)) {
            return true;
        }
    }
    return false;
}

// Each kind that is set, evaluated alone: nullopt when the kind is not set.
struct KindResults {
    std::vector<std::pair<std::string, bool>> kinds;  // kind name, matched
};

KindResults evaluate_kinds(const policy::Tenant& tenant, const policy::RuleConditions& c,
                           const RuleContext& ctx, const std::vector<policy::HeaderValue>& added) {
    KindResults r;
    if (!c.sender_ip_ranges.empty()) {
        const bool m = ctx.sender_ip &&
                       std::any_of(c.sender_ip_ranges.begin(), c.sender_ip_ranges.end(),
                                   [&](const IpNetwork& n) { return n.contains(*ctx.sender_ip); });
        r.kinds.emplace_back("sender IP in range", m);
    }
    if (!c.headers.empty()) {
        const bool m = std::all_of(c.headers.begin(), c.headers.end(), [&](const auto& h) {
            return header_holds(h, *ctx.message, added);
        });
        r.kinds.emplace_back("header", m);
    }
    if (c.from_scope) {
        const bool inside = ctx.internal;
        r.kinds.emplace_back("sender scope " + std::string(policy::to_string(*c.from_scope)),
                             (*c.from_scope == policy::FromScope::in_organization) == inside);
    }
    if (!c.from_connectors.empty()) {
        const bool m = std::any_of(c.from_connectors.begin(), c.from_connectors.end(),
                                   [&](const std::string& n) {
                                       return to_lower_ascii(n) == to_lower_ascii(ctx.connector);
                                   });
        r.kinds.emplace_back("from connector", m);
    }
    if (!c.sent_to_member_of.empty()) {
        const bool m = std::any_of(
            c.sent_to_member_of.begin(), c.sent_to_member_of.end(),
            [&](const std::string& g) { return tenant.is_group_member(g, ctx.recipient); });
        r.kinds.emplace_back("sent to member of", m);
    }
    if (!c.recipient_domain_is.empty()) {
        r.kinds.emplace_back("recipient domain is",
                             domain_matches(domain_of(ctx.recipient), c.recipient_domain_is));
    }
    if (!c.sent_to.empty()) {
        r.kinds.emplace_back("sent to", std::find(c.sent_to.begin(), c.sent_to.end(),
                                                  ctx.recipient) != c.sent_to.end());
    }
    if (!c.sender_domain_is.empty()) {
        r.kinds.emplace_back("sender domain is",
                             domain_matches(domain_of(ctx.from_address), c.sender_domain_is));
    }
    return r;
}

std::string describe(const KindResults& k) {
    std::string s;
    for (const auto& [name, m] : k.kinds) {
        s += (s.empty() ? "" : ", ") + name + (m ? " (matched)" : " (not matched)");
    }
    return s.empty() ? "no conditions" : s;
}

}  // namespace

RuleOutcome MailFlowRuleEvaluator::evaluate(const RuleContext& ctx) const {
    RuleOutcome out;
    for (const auto& rule : tenant_.mail_flow_rules()) {
        const std::string where =
            "rule '" + rule.name + "' (priority " + std::to_string(rule.priority) + ")";
        if (!rule.enabled) {
            out.trace.push_back({"mail_flow_rules", where, "brief 8", "disabled", "skipped"});
            continue;
        }
        const auto cond = evaluate_kinds(tenant_, rule.conditions, ctx, out.set_headers);
        const bool matched = std::all_of(cond.kinds.begin(), cond.kinds.end(),
                                         [](const auto& k) { return k.second; });
        if (!matched) {
            out.trace.push_back(
                {"mail_flow_rules", where, "brief 8", describe(cond), "conditions not met"});
            continue;
        }
        const auto exc = evaluate_kinds(tenant_, rule.exceptions, ctx, out.set_headers);
        const bool excepted =
            std::any_of(exc.kinds.begin(), exc.kinds.end(), [](const auto& k) { return k.second; });
        if (excepted) {
            out.trace.push_back({"mail_flow_rules", where, "brief 8 (exceptions: any one)",
                                 describe(exc), "excepted for " + ctx.recipient});
            continue;
        }
        if (rule.mode != policy::RuleMode::enforce) {
            out.trace.push_back({"mail_flow_rules", where, "brief 8 (rule modes)", describe(cond),
                                 "matched in " + std::string(policy::to_string(rule.mode)) +
                                     " mode: no action taken"});
            continue;
        }
        std::string did;
        if (rule.actions.set_scl) {
            out.scl = rule.actions.set_scl;
            out.scl_rule = rule.name;
            did = *rule.actions.set_scl == -1 ? "set SCL -1 (bypass spam filtering)"
                                              : "set SCL " + std::to_string(*rule.actions.set_scl);
        }
        for (const auto& h : rule.actions.set_headers) {
            out.set_headers.push_back(h);
            did += (did.empty() ? "" : "; ") + ("set header " + h.name);
        }
        if (rule.actions.stop_processing) {
            did += (did.empty() ? "" : "; ") + std::string("stop processing more rules");
        }
        out.trace.push_back({"mail_flow_rules", where, "brief 8", describe(cond),
                             did.empty() ? "matched (no action modelled)" : did});
        if (rule.actions.stop_processing) {
            break;
        }
    }
    return out;
}

}  // namespace mailverdict::verdict
