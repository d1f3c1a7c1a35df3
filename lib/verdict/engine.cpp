// The verdict engine (brief 14 pipeline; docs/verdict.md explains every choice).
#include <mailverdict/verdict/engine.hpp>

#include <mailverdict/auth/auth_results.hpp>
#include <mailverdict/dns/reverse.hpp>
#include <mailverdict/policy/selection.hpp>
#include <mailverdict/verdict/mail_flow_rules.hpp>

#include "verdict_detail.hpp"

#include <algorithm>
#include <cctype>
#include <stdexcept>

namespace mailverdict::verdict {

namespace {

psl::PublicSuffixList system_list() {
    auto loaded = psl::PublicSuffixList::system();
    if (!loaded) {
        throw std::runtime_error("public suffix list: " + loaded.error);
    }
    return *loaded.list;
}

void step(std::vector<TraceStep>& trace, std::string stage, std::string rule, std::string reference,
          std::string input, std::string outcome) {
    trace.push_back({std::move(stage), std::move(rule), std::move(reference), std::move(input),
                     std::move(outcome)});
}

std::string ip_text(const std::optional<boost::asio::ip::address>& ip) {
    return ip ? unmap(*ip).to_string() : std::string("unknown");
}

// The receiver's own ARC-Authentication-Results: the highest instance's arc= result.
std::optional<OwnArcVerdict> own_arc_verdict(const Message& message) {
    std::optional<OwnArcVerdict> best;
    long best_i = -1;
    for (const auto* f : message.find_all("ARC-Authentication-Results")) {
        std::string_view v = f->value();
        const auto semi = v.find(';');
        if (semi == std::string_view::npos) {
            continue;
        }
        std::string_view inst = v.substr(0, semi);
        const auto eq = inst.find('=');
        if (eq == std::string_view::npos) {
            continue;
        }
        long i = 0;
        for (char c : inst.substr(eq + 1)) {
            if (c >= '0' && c <= '9') {
                i = i * 10 + (c - '0');
            }
        }
        if (i <= best_i) {
            continue;
        }
        auto parsed = authres::parse(v.substr(semi + 1), authres::Mode::lenient);
        if (!parsed) {
            continue;
        }
        if (const auto* a = parsed->find("arc")) {
            best = OwnArcVerdict{a->result, oda_of(a->comments)};
            best_i = i;
        }
    }
    return best;
}

// A trusted sealer's recorded results show that authentication passed upstream.
bool sealer_saw_pass(const arc::ArcSetInfo& set) {
    if (!set.results) {
        return false;
    }
    for (const auto& r : set.results->results) {
        if ((r.method == "dmarc" || r.method == "spf" || r.method == "dkim") &&
            r.result == "pass") {
            return true;
        }
    }
    return false;
}

// Upstream filter verdicts (tenant upstream_signals): the first match per verdict.
struct UpstreamHit {
    policy::UpstreamVerdict verdict;
    std::optional<int> bcl;
    std::string source;
};

std::vector<UpstreamHit> upstream_hits(const policy::Tenant& tenant, const Message& message,
                                       std::vector<TraceStep>& trace) {
    std::vector<UpstreamHit> hits;
    for (const auto& s : tenant.upstream_signals()) {
        for (const auto* f : message.find_all(s.header)) {
            if (!s.matches_value(f->value())) {
                continue;
            }
            const bool seen = std::any_of(hits.begin(), hits.end(), [&](const UpstreamHit& h) {
                return h.verdict == s.verdict;
            });
            if (!seen) {
                hits.push_back({s.verdict, s.bcl,
                                "upstream signal " + s.header + ": " + std::string(f->value()) +
                                    " (tenant line " + std::to_string(s.line) + ")"});
                step(trace, "upstream_signals", s.header + " " + std::string(to_string(s.test)),
                     "issue 6 item 1 (upstream filter mapping)", std::string(f->value()),
                     std::string(policy::to_string(s.verdict)));
            }
            break;
        }
    }
    return hits;
}

}  // namespace

Engine::Engine(const policy::Tenant& tenant, dns::Resolver& resolver,
               std::optional<psl::PublicSuffixList> list,
               std::optional<detect::ContactGraph> contacts)
    : Engine(tenant, resolver,
             EngineOptions{.auth = {},
                           .key_cache = nullptr,
                           .max_received_hops = max_received_hops,
                           .list = std::move(list),
                           .contacts = std::move(contacts)}) {}

Engine::Engine(const policy::Tenant& tenant, dns::Resolver& resolver, EngineOptions options)
    : tenant_(tenant),
      resolver_(resolver),
      auth_(std::move(options.auth)),
      max_received_hops_(options.max_received_hops),
      list_(options.list ? std::move(*options.list) : system_list()),
      // Brief 4.2: every policy's protected users and domains are folded and skeletonised
      // once, when the tenant loads (docs/impersonation.md "Speed").
      profiles_(detect::ImpersonationProfiles::build(tenant_, list_)),
      contacts_(std::move(options.contacts)) {
    // Decoding an RSA key costs several verifications (docs/performance.md): every message
    // of this engine shares one cache of decoded keys.
    auth_.dkim.key_cache =
        options.key_cache ? std::move(options.key_cache) : std::make_shared<dkim::KeyCache>();
    if (contacts_) {
        contacts_->index(profiles_.model());
    }
}

Verdict Engine::evaluate(const Message& message, const EvaluateOptions& options) const {
    Verdict v;
    v.defects = message.defects();
    v.parsed = !message.fields().empty();
    if (const auto* id = message.find("Message-ID")) {
        v.message_id = std::string(id->value());
    }
    if (!message.from().empty()) {
        v.from = message.from().front();
    }
    const std::string from_address = v.from ? to_lower_ascii(v.from->address()) : std::string();
    const std::string from_domain = v.from ? to_lower_ascii(v.from->domain) : std::string();

    // ---- time
    const auto chain = received_chain(message, max_received_hops_);
    if (options.now) {
        v.now = *options.now;
        step(v.trace, "time", "evaluation time given", "architecture: time is a parameter", "",
             "now given by the caller");
    } else {
        const auto dated = std::find_if(chain.begin(), chain.end(),
                                        [](const Hop& h) { return h.date.has_value(); });
        if (dated != chain.end()) {
            v.now = *dated->date;
        }
        step(v.trace, "time", "saved message: the topmost dated Received field",
             "architecture: time is a parameter",
             dated != chain.end() ? dated->date_text : "no dated Received field",
             dated != chain.end() ? "now = " + dated->date_text : "now = the epoch");
    }

    // ---- envelope (boundary hosts, internal hosts), then the connector
    auto apply_overrides = [&](EnvelopeOptions e) {
        e.client_ip = options.client_ip;
        e.helo = options.helo;
        e.mail_from = options.mail_from;
        e.recipients = options.recipients;
        return e;
    };
    const Envelope base =
        derive_envelope(message, chain, apply_overrides(tenant_.envelope_options()));
    v.connecting_ip = base.client_ip;
    step(v.trace, "envelope", "client of the boundary hop / first untrusted hop",
         "brief 16; mail_routing",
         std::string("source ") + std::string(to_string(base.client_source)),
         "connecting IP " + ip_text(base.client_ip));
    std::vector<std::string> recipients;
    for (const auto& r : base.recipients) {
        recipients.push_back(to_lower_ascii(r));
    }
    if (recipients.empty()) {
        recipients.emplace_back();
        step(v.trace, "envelope", "recipients", "", "no recipient found",
             "one verdict for an unknown recipient (default policies)");
    }
    const policy::InboundConnector* connector = nullptr;
    if (base.client_ip) {
        connector = tenant_.connector_for_ip(*base.client_ip);
        if (connector != nullptr && !connector->enabled) {
            connector = nullptr;
        }
    }
    if (connector != nullptr) {
        v.connector = connector->name;
        v.internal = connector->type == policy::ConnectorType::on_premises &&
                     connector->treat_messages_as_internal;
    }
    step(v.trace, "connector", "inbound connector by SenderIPAddresses", "brief 9, 13.3",
         ip_text(base.client_ip),
         connector != nullptr ? "connector '" + connector->name + "'" : "no inbound connector");

    // ---- enhanced filtering (brief 9)
    Envelope envelope = base;
    if (connector != nullptr && connector->enhanced_filtering.enabled()) {
        if (connector->enhanced_filtering.applies_to(recipients)) {
            envelope = derive_envelope(message, chain,
                                       apply_overrides(tenant_.envelope_options(connector)));
            v.enhanced_filtering = true;
            step(v.trace, "enhanced_filtering", "EF on for every recipient", "brief 9",
                 "connector IP " + ip_text(base.client_ip),
                 "SPF/DMARC/compauth/spoof see the original client " + ip_text(envelope.client_ip));
        } else {
            std::string missing;
            for (const auto& r : recipients) {
                const auto& users = connector->enhanced_filtering.users;
                if (std::find(users.begin(), users.end(), r) == users.end()) {
                    missing = r;
                    break;
                }
            }
            step(v.trace, "enhanced_filtering", "EFUsers: every recipient must be listed",
                 "brief 9", "recipient " + missing + " is not in EFUsers",
                 "EF off for all recipients: authentication sees the connector IP " +
                     ip_text(base.client_ip));
        }
    } else if (connector != nullptr) {
        step(v.trace, "enhanced_filtering", "connector without EF", "brief 9", connector->name,
             "authentication sees the connector IP " + ip_text(base.client_ip));
    }
    v.envelope = envelope;

    // ---- authentication options; every DNS question of the message shares one deadline
    // (docs/limits.md) and the first ones are asked together (docs/performance.md)
    auth::AuthenticateOptions ao = auth_;
    ao.authserv_id = options.authserv_id;
    ao.trusted_authserv_ids = tenant_.authentication().trusted_authserv_ids;
    ao.trust_microsoft = tenant_.authentication().trust_microsoft_auth_results;
    ao.trusted_arc_sealers = tenant_.trusted_arc_sealers();
    ao.now = v.now;
    const auto& sim = tenant_.simulator();
    switch (sim.dmarc_pct_mode) {
        case policy::DmarcPctMode::always_apply:
            ao.dmarc.sample = 0;
            break;
        case policy::DmarcPctMode::never_apply:
            ao.dmarc.sample = 99;
            break;
        case policy::DmarcPctMode::message_hash:
            if (sim.dmarc_pct_seed != 0) {
                ao.dmarc.sample =
                    dmarc::sample_of(v.message_id + "#" + std::to_string(sim.dmarc_pct_seed));
            }
            break;
    }
    dns::MessageDeadline message_dns(resolver_, auth_.dns_deadline);
    ao.dns_deadline = std::chrono::milliseconds{0};  // `message_dns` carries it
    if (auth_.prefetch) {
        // Two batches instead of a round trip per question: the first questions of
        // authentication with the client's PTR, then the SPF includes with the PTR
        // names' addresses (what forward_confirmed_reverse asks next).
        const auto deadline = message_dns.deadline();
        std::vector<dns::Question> ptr;
        if (envelope.client_ip) {
            ptr.push_back({dns::reverse_name(*envelope.client_ip), dns::RecordType::PTR});
        }
        const auto ptr_addresses = [&] {
            std::vector<dns::Question> next;
            if (ptr.empty()) {
                return next;
            }
            const auto answer =
                message_dns.query_within(ptr.front().name, dns::RecordType::PTR, deadline);
            const auto forward =
                envelope.client_ip->is_v4() ? dns::RecordType::A : dns::RecordType::AAAA;
            for (std::size_t i = 0;
                 answer.ok() && i < answer.names.size() && i < dns::max_reverse_names; ++i) {
                next.push_back({answer.names[i], forward});
            }
            return next;
        };
        auth::prefetch(message, envelope, message_dns, ao, ptr, deadline, ptr_addresses);
        ao.prefetch = false;
    }

    // ---- PTR and sending infrastructure (brief 3.2)
    std::optional<std::string> verified;
    if (envelope.client_ip) {
        const auto rev = dns::forward_confirmed_reverse(message_dns, *envelope.client_ip);
        verified = rev.verified;
        v.ptr = rev.verified.value_or("");
        step(v.trace, "ptr", "forward-confirmed reverse DNS", "brief 1.1 PTR, 3.2",
             ip_text(envelope.client_ip),
             rev.verified ? *rev.verified : "none (" + rev.detail + ")");
    }
    v.infrastructure = detect::sending_infrastructure(envelope.client_ip, verified, list_);

    // ---- authentication, once per message
    v.auth = auth::authenticate(message, envelope, message_dns, list_, ao);
    const auto& d = v.auth.dmarc;
    step(v.trace, "authentication",
         v.auth.trusted ? "results of the trusted upstream Authentication-Results"
                        : "SPF, DKIM, ARC, DMARC checked locally",
         v.auth.trusted ? "brief 16; RFC 8601 5" : "brief 2.1",
         "client " + ip_text(envelope.client_ip) + ", MAIL FROM " +
             envelope.mail_from.value_or("unknown"),
         "spf=" +
             (v.auth.dmarc_input.spf.result.empty() ? std::string("none")
                                                    : v.auth.dmarc_input.spf.result) +
             " dkim=" +
             std::string(v.auth.dmarc_input.dkim.empty() ? "none"
                                                         : v.auth.dmarc_input.dkim.front().result) +
             " dmarc=" + std::string(d.microsoft_result()) +
             " action=" + std::string(dmarc::to_string(d.action)));

    // ---- compauth: system (no tenant overrides) and final
    const bool from_accepted =
        !from_domain.empty() && tenant_.accepted_domain(from_domain, true) != nullptr;
    const auto own_arc = own_arc_verdict(message);
    bool arc_trusted = false;
    std::string arc_source;
    if (v.auth.trusted_arc && v.auth.arc.cv == arc::ChainStatus::pass &&
        sealer_saw_pass(*v.auth.trusted_arc)) {
        arc_trusted = true;
        arc_source = "trusted ARC sealer " + v.auth.trusted_arc->seal_domain;
    } else if (tenant_.authentication().trust_own_arc && own_arc && own_arc->result == "pass" &&
               own_arc->oda == 1) {
        arc_trusted = true;
        arc_source = "the receiver's own ARC-Authentication-Results (arc=pass oda=1)";
    }
    v.spoof_pair = from_address.empty()
                       ? std::nullopt
                       : detect::match_spoof_pair(tenant_, from_address, v.infrastructure,
                                                  envelope.client_ip, from_accepted);
    CompAuthInput ci;
    ci.dmarc = &v.auth.dmarc;
    ci.dmarc_input = &v.auth.dmarc_input;
    ci.own_arc = own_arc;
    ci.from_accepted_domain = from_accepted;
    ci.internal = v.internal;
    ci.codes = sim.compauth_codes;
    v.system_compauth = compute_compauth(ci);
    ci.trusted_arc_pass = arc_trusted;
    if (v.spoof_pair) {
        ci.spoof_pair = v.spoof_pair->action;
    }
    v.compauth = compute_compauth(ci);
    step(v.trace, "compauth", std::string(to_string(v.compauth.rule)),
         "brief 1.8, 16; docs/compauth.md", v.compauth.detail,
         "compauth=" + std::string(to_string(v.compauth.result)) +
             " reason=" + v.compauth.reason_text() +
             (v.compauth.rule != v.system_compauth.rule
                  ? " (without tenant overrides: " +
                        std::string(to_string(v.system_compauth.result)) +
                        " reason=" + v.system_compauth.reason_text() + ")"
                  : std::string()));

    // ---- spoof detector (signals), system and final
    auto spoof_signals = [&](const CompAuth& c) {
        detect::SpoofInput si;
        si.from_address = from_address;
        si.from_domain = from_domain;
        si.from_accepted_domain = from_accepted;
        si.compauth_failed = c.failed();
        si.compauth_explicit = c.explicit_failure();
        si.compauth_text = std::string(to_string(c.result)) + " reason=" + c.reason_text();
        si.dmarc = &v.auth.dmarc;
        si.dmarc_input = &v.auth.dmarc_input;
        si.infrastructure = v.infrastructure;
        si.list = &list_;
        return detect::detect_spoof(si);
    };
    const auto system_signals = spoof_signals(v.system_compauth);
    v.signals = spoof_signals(v.compauth);
    for (const auto& s : v.signals) {
        step(v.trace, "detect", std::string(detect::to_string(s.kind)), "brief 3", "", s.summary);
    }

    // ---- upstream signals
    const auto hits = upstream_hits(tenant_, message, v.trace);
    for (const auto& h : hits) {
        if (h.bcl) {
            v.bcl = *h.bcl;
        }
    }

    // ---- per recipient
    detail::MessageFacts facts;
    facts.tenant = &tenant_;
    facts.verdict = &v;
    facts.from_address = from_address;
    facts.from_domain = from_domain;
    facts.from_accepted = from_accepted;
    facts.system_signals = &system_signals;
    facts.arc_trusted = arc_trusted;
    facts.arc_source = arc_source;
    for (const auto& h : hits) {
        facts.upstream.push_back({h.verdict, h.bcl, h.source});
    }
    // ---- impersonation (brief 4.2): the sender is prepared once; each recipient is
    // compared under its own anti-phishing policy (recipient.cpp). Inbound mail only: mail
    // through an on-premises connector treated as internal, and mail from an accepted
    // domain that authenticates (the organization's own mailboxes), is not checked.
    std::optional<detect::SenderForms> sender;
    if (v.from && !v.from->local_part.empty()) {
        if (v.internal) {
            step(v.trace, "impersonation", "inbound mail only", "brief 4.2",
                 "intra-org (connector treats messages as internal)", "not checked");
        } else if (from_accepted && !v.compauth.failed()) {
            step(v.trace, "impersonation", "inbound mail only", "brief 4.2",
                 "From " + from_domain + " is an accepted domain and compauth " +
                     std::string(to_string(v.compauth.result)),
                 "the organization's own authenticated mail: not checked");
        } else {
            const std::string mf = v.envelope.mail_from.value_or("");
            const auto at = mf.rfind('@');
            const std::string mf_domain =
                at == std::string::npos ? std::string() : to_lower_ascii(mf.substr(at + 1));
            sender = detect::prepare_sender(profiles_.model(), *v.from, mf_domain);
        }
    }
    facts.sender = sender ? &*sender : nullptr;
    facts.profiles = &profiles_;
    facts.contacts = contacts();
    facts.recipients = &recipients;
    const MailFlowRuleEvaluator rules(tenant_);
    for (const auto& r : recipients) {
        RuleContext rc;
        rc.message = &message;
        rc.sender_ip = base.client_ip;
        rc.connector = v.connector;
        rc.internal = v.internal;
        rc.from_address = from_address;
        rc.recipient = r;
        v.recipients.push_back(detail::evaluate_recipient(facts, r, rules.evaluate(rc)));
    }
    return v;
}

}  // namespace mailverdict::verdict
