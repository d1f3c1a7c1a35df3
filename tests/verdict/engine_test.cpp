// The verdict engine end to end with tenants, zones and messages written for each rule:
// protections, overrides x verdicts, precedence, recipient scoping, enhanced filtering.
// Expected values come from the brief (section numbers in each test), not from the code.
#include <mailverdict/detect/contact_graph.hpp>
#include <mailverdict/dns/resolver.hpp>
#include <mailverdict/verdict/engine.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <string>

using namespace mailverdict;
using namespace mailverdict::verdict;

namespace {

const char* const zone = R"(
$TTL 300
.                   SOA  ns.example. hostmaster.example. 1 3600 600 86400 60
fabrikam.example.   TXT  "v=spf1 ip4:198.51.100.25 -all"
_dmarc.fabrikam.example. TXT "v=DMARC1; p=reject"
quarantine.example. TXT  "v=spf1 ip4:198.51.100.26 -all"
_dmarc.quarantine.example. TXT "v=DMARC1; p=quarantine"
weak.example.       TXT  "v=spf1 ip4:198.51.100.27 ~all"
contoso.com.        TXT  "v=spf1 ip4:10.1.1.1 -all"
_dmarc.contoso.com. TXT  "v=DMARC1; p=none"
sim.example.        TXT  "v=spf1 ip4:192.0.2.50 -all"
contoso-support.com. TXT "v=spf1 ip4:198.51.100.30 -all"
_dmarc.contoso-support.com. TXT "v=DMARC1; p=none"
25.100.51.198.in-addr.arpa. PTR mail.fabrikam.example.
mail.fabrikam.example. A 198.51.100.25
)";

const char* const base_tenant = R"(
tenant: {name: Contoso}
accepted_domains: [contoso.com]
groups:
  Pilot_Strict: [strict@contoso.com]
  Pilot_Standard: [std@contoso.com]
anti_phishing:
  custom:
    - name: AP Strict
      priority: 0
      based_on: strict
      conditions: {groups: [Pilot_Strict]}
    - name: AP Standard
      priority: 1
      based_on: standard
      conditions: {groups: [Pilot_Standard]}
anti_spam:
  custom:
    - name: AS Strict
      priority: 0
      based_on: strict
      conditions: {groups: [Pilot_Strict]}
    - name: AS Standard
      priority: 1
      based_on: standard
      conditions: {groups: [Pilot_Standard]}
upstream_signals:
  - header: X-Spam-Flag
    equals: "YES"
    verdict: spam
  - header: X-Upstream
    equals: hcphish
    verdict: high_confidence_phish
  - header: X-Upstream
    equals: malware
    verdict: malware
  - header: X-Upstream
    equals: phish
    verdict: phish
  - header: X-Upstream
    equals: hcspam
    verdict: high_confidence_spam
  - header: X-Bulk
    equals: "6"
    verdict: bulk
    bcl: 6
)";

struct Run {
    Tenant tenant;
    std::shared_ptr<dns::Resolver> dns = dns::zone_text(zone);
    explicit Run(const std::string& extra = "", bool whole = false)
        : tenant(Tenant::parse(whole ? extra : std::string(base_tenant) + extra, "engine.yaml")) {}
    Verdict operator()(const std::string& message, std::vector<std::string> rcpts = {}) {
        const Engine engine(tenant, *dns);
        EvaluateOptions o;
        o.recipients = std::move(rcpts);
        return engine.evaluate(Message::parse(message), o);
    }
};

// A message received by Exchange Online from `ip` (brief 16: the boundary hop).
std::string mail(const std::string& from, const std::string& ip, const std::string& extra = "",
                 const std::string& by = "BN1NAM02FT010.mail.protection.outlook.com") {
    const auto at = from.find('@');
    return "Received: from sender.example (" + ip + ") by " + by +
           " with Microsoft SMTP Server; Tue, 3 Nov 2026 14:02:09 +0000\r\n"
           "Return-Path: <" +
           from + ">\r\nFrom: Sender <" + from + ">\r\nTo: user@contoso.com\r\n" + extra +
           "Subject: test\r\nDate: Tue, 3 Nov 2026 14:02:05 +0000\r\nMessage-ID: <m-" +
           from.substr(at + 1) + "@x>\r\n\r\nbody\r\n";
}

const RecipientVerdict& rcpt(const Verdict& v, const std::string& address) {
    const auto it = std::find_if(v.recipients.begin(), v.recipients.end(),
                                 [&](const RecipientVerdict& r) { return r.address == address; });
    REQUIRE(it != v.recipients.end());
    return *it;
}

const Override* find_override(const RecipientVerdict& r, const std::string& mechanism) {
    for (const auto& o : r.overrides) {
        if (o.mechanism == mechanism) {
            return &o;
        }
    }
    return nullptr;
}

}  // namespace

TEST_CASE("clean mail: dmarc=pass, NSPM, SCL 1, CAT:NONE, inbox") {
    Run run;
    const auto v = run(mail("a@fabrikam.example", "198.51.100.25"));
    CHECK(v.compauth.reason_text() == "100");
    const auto& r = v.recipients.at(0);
    CHECK(r.sfv == "NSPM");
    CHECK(r.scl == 1);
    CHECK(r.cat == "NONE");
    CHECK(r.final.folder == Folder::inbox);
    CHECK(v.ptr == "mail.fabrikam.example");
}

TEST_CASE("spoof, cross-domain implicit (001): each recipient gets its own policy's action") {
    Run run;
    const auto v = run(mail("a@weak.example", "203.0.113.99"),
                       {"strict@contoso.com", "std@contoso.com", "other@contoso.com"});
    CHECK(v.compauth.reason_text() == "001");
    REQUIRE(v.recipients.size() == 3);
    // Brief 4.5: AuthenticationFailAction Strict Quarantine, Standard/Default MoveToJmf.
    CHECK(rcpt(v, "strict@contoso.com").final.folder == Folder::quarantine);
    CHECK(rcpt(v, "strict@contoso.com").anti_phish_policy == "AP Strict");
    CHECK(rcpt(v, "std@contoso.com").final.folder == Folder::junk);
    CHECK(rcpt(v, "std@contoso.com").anti_phish_policy == "AP Standard");
    CHECK(rcpt(v, "other@contoso.com").final.folder == Folder::junk);
    const auto& r = rcpt(v, "other@contoso.com");
    CHECK(r.cat == "SPOOF");
    CHECK(r.sfty == "9.22");  // brief 1.4 cross-domain
    CHECK(r.sfv == "SPM");
    CHECK(std::find(r.safety_tips.begin(), r.safety_tips.end(), "unauthenticated_sender") !=
          r.safety_tips.end());
}

TEST_CASE("spoof, intra-org implicit (6xx): SFTY 9.11") {
    Run run;
    const auto v = run(mail("ceo@contoso.com", "203.0.113.99"));
    CHECK(v.compauth.reason_text() == "601");
    const auto& r = v.recipients.at(0);
    CHECK(r.cat == "SPOOF");
    CHECK(r.sfty == "9.11");
}

TEST_CASE("Honor DMARC on: p=reject is rejected, p=quarantine quarantined (brief 2.3)") {
    Run run;
    auto v = run(mail("a@fabrikam.example", "203.0.113.99"));
    CHECK(v.compauth.reason_text() == "000");
    CHECK(v.recipients.at(0).final.folder == Folder::rejected);
    CHECK(v.recipients.at(0).dmarc_action == "reject");
    v = run(mail("a@quarantine.example", "203.0.113.99"));
    CHECK(v.recipients.at(0).final.folder == Folder::quarantine);
}

TEST_CASE("Honor DMARC: DmarcRejectAction Quarantine prints action=oreject") {
    Run run(R"(
tenant: {name: Contoso}
accepted_domains: [contoso.com]
anti_phishing:
  default:
    spoof: {dmarc_reject_action: Quarantine}
)",
            true);
    const auto v = run(mail("a@fabrikam.example", "203.0.113.99"));
    CHECK(v.recipients.at(0).final.folder == Folder::quarantine);
    CHECK(v.recipients.at(0).dmarc_action == "oreject");
}

TEST_CASE("Honor DMARC off, spoof intelligence on: AuthenticationFailAction (brief 2.3)") {
    Run run(R"(
tenant: {name: Contoso}
accepted_domains: [contoso.com]
anti_phishing:
  default:
    spoof: {honor_dmarc_policy: false}
)",
            true);
    const auto v = run(mail("a@fabrikam.example", "203.0.113.99"));
    CHECK(v.recipients.at(0).final.folder == Folder::junk);  // MoveToJmf
    CHECK(v.recipients.at(0).dmarc_action == "oreject");
}

TEST_CASE(
    "Honor DMARC off, spoof intelligence off: explicit fail quarantined, implicit not spoof") {
    Run run(R"(
tenant: {name: Contoso}
accepted_domains: [contoso.com]
anti_phishing:
  default:
    spoof: {honor_dmarc_policy: false, spoof_intelligence: false}
)",
            true);
    auto v = run(mail("a@fabrikam.example", "203.0.113.99"));
    CHECK(v.recipients.at(0).final.folder == Folder::quarantine);
    v = run(mail("a@weak.example", "203.0.113.99"));
    CHECK(v.compauth.reason_text() == "001");
    CHECK(v.recipients.at(0).final.folder == Folder::inbox);
    CHECK(v.recipients.at(0).cat == "NONE");
}

TEST_CASE("spoof allow pair: compauth softpass, system junk, final inbox with the override") {
    Run run(R"(
tenant_allow_block_list:
  spoofed_senders:
    - spoofed_user: weak.example
      sending_infrastructure: 203.0.113.0/24
      spoof_type: External
      action: Allow
)");
    const auto v = run(mail("a@weak.example", "203.0.113.99"));
    CHECK(v.system_compauth.reason_text() == "001");
    CHECK(v.compauth.result == CompAuthResult::softpass);
    const auto& r = v.recipients.at(0);
    CHECK(r.system.folder == Folder::junk);
    CHECK(r.final.folder == Folder::inbox);
    const auto* o = find_override(r, "spoof_allow");
    REQUIRE(o != nullptr);
    CHECK(o->applied);
}

TEST_CASE("spoof block pair: compauth 002 and the spoof action") {
    Run run(R"(
spoof_intelligence:
  - spoofed_user: contoso.com
    sending_infrastructure: 203.0.113.0/24
    spoof_type: Internal
    action: Block
)");
    const auto v = run(mail("ceo@contoso.com", "203.0.113.99"), {"strict@contoso.com"});
    CHECK(v.compauth.reason_text() == "002");
    CHECK(v.recipients.at(0).final.folder == Folder::quarantine);
    CHECK(v.recipients.at(0).cat == "SPOOF");
}

TEST_CASE("precedence: spoof (5) beats spam (9), malware (1) beats spoof (brief 1.3)") {
    Run run;
    auto v = run(mail("a@weak.example", "203.0.113.99", "X-Spam-Flag: YES\r\n"));
    CHECK(v.recipients.at(0).cat == "SPOOF");
    REQUIRE(v.recipients.at(0).detections.size() == 2);
    CHECK(v.recipients.at(0).detections[1].detection == Detection::spam);
    v = run(mail("a@weak.example", "203.0.113.99", "X-Upstream: malware\r\n"));
    CHECK(v.recipients.at(0).cat == "MALW");
    CHECK(v.recipients.at(0).final.folder == Folder::quarantine);
}

TEST_CASE("protections: each upstream verdict takes the selected anti-spam policy's action") {
    Run run;
    // Brief 4.7: Default: spam MoveToJmf, HC spam MoveToJmf, phish MoveToJmf, HC phish
    // Quarantine; Standard: HC spam / phish Quarantine.
    auto v = run(mail("a@fabrikam.example", "198.51.100.25", "X-Spam-Flag: YES\r\n"),
                 {"other@contoso.com"});
    CHECK(v.recipients.at(0).cat == "SPM");
    CHECK(v.recipients.at(0).final.folder == Folder::junk);
    CHECK(v.recipients.at(0).scl == 5);
    v = run(mail("a@fabrikam.example", "198.51.100.25", "X-Upstream: hcspam\r\n"),
            {"other@contoso.com", "std@contoso.com"});
    CHECK(rcpt(v, "other@contoso.com").final.folder == Folder::junk);
    CHECK(rcpt(v, "std@contoso.com").final.folder == Folder::quarantine);
    CHECK(rcpt(v, "std@contoso.com").cat == "HSPM");
    v = run(mail("a@fabrikam.example", "198.51.100.25", "X-Upstream: phish\r\n"),
            {"other@contoso.com", "std@contoso.com"});
    CHECK(rcpt(v, "other@contoso.com").final.folder == Folder::junk);
    CHECK(rcpt(v, "std@contoso.com").final.folder == Folder::quarantine);
    v = run(mail("a@fabrikam.example", "198.51.100.25", "X-Upstream: hcphish\r\n"));
    CHECK(v.recipients.at(0).cat == "HPHSH");
    CHECK(v.recipients.at(0).final.folder == Folder::quarantine);
}

TEST_CASE("bulk: BCL 6 is bulk under Standard (threshold 6), not under Default (7)") {
    Run run;
    const auto v = run(mail("a@fabrikam.example", "198.51.100.25", "X-Bulk: 6\r\n"),
                       {"std@contoso.com", "other@contoso.com"});
    CHECK(v.bcl == 6);
    CHECK(rcpt(v, "std@contoso.com").cat == "BULK");
    CHECK(rcpt(v, "std@contoso.com").srv == "BULK");
    CHECK(rcpt(v, "std@contoso.com").final.folder == Folder::junk);
    CHECK(rcpt(v, "other@contoso.com").cat == "NONE");
    CHECK(rcpt(v, "other@contoso.com").final.folder == Folder::inbox);
}

namespace {
const char* const bypass_rule = R"(
mail_flow_rules:
  - name: SCL-1
    priority: 0
    conditions: {sender_ip_ranges: [203.0.113.0/24]}
    exceptions: {sent_to_member_of: [Pilot_Standard]}
    actions: {bypass_spam_filtering: true}
)";
}

TEST_CASE("mail flow rule SCL -1 hides spam and spoof, pilot exception gets full filtering") {
    Run run(bypass_rule);
    const auto v = run(mail("a@weak.example", "203.0.113.99", "X-Spam-Flag: YES\r\n"),
                       {"other@contoso.com", "std@contoso.com"});
    const auto& hidden = rcpt(v, "other@contoso.com");
    CHECK(hidden.system.folder == Folder::junk);
    CHECK(hidden.final.folder == Folder::inbox);
    CHECK(hidden.sfv == "SKN");
    CHECK(hidden.scl == -1);  // brief 15 Q2 default
    CHECK(hidden.cat == "NONE");
    const auto* o = find_override(hidden, "mail_flow_rule_bypass");
    REQUIRE(o != nullptr);
    CHECK(o->applied);
    CHECK(o->source == "Exchange transport rule");
    const auto& pilot = rcpt(v, "std@contoso.com");
    CHECK(pilot.final.folder == Folder::junk);
    CHECK(pilot.sfv == "SPM");
    CHECK(find_override(pilot, "mail_flow_rule_bypass") == nullptr);
}

TEST_CASE("mail flow rule SCL -1 never beats malware, HC phish only with MX elsewhere") {
    Run run(bypass_rule);
    auto v = run(mail("a@weak.example", "203.0.113.99", "X-Upstream: malware\r\n"));
    CHECK(v.recipients.at(0).final.folder == Folder::quarantine);
    REQUIRE(find_override(v.recipients.at(0), "mail_flow_rule_bypass") != nullptr);
    CHECK_FALSE(find_override(v.recipients.at(0), "mail_flow_rule_bypass")->applied);
    v = run(mail("a@weak.example", "203.0.113.99", "X-Upstream: hcphish\r\n"));
    CHECK(v.recipients.at(0).final.folder == Folder::quarantine);
    Run elsewhere(std::string(bypass_rule) + "mail_routing: {mx: third_party}\n");
    v = elsewhere(mail("a@weak.example", "203.0.113.99", "X-Upstream: hcphish\r\n"));
    CHECK(v.recipients.at(0).final.folder == Folder::inbox);  // complex routing (6.1)
}

TEST_CASE("mail flow rule SCL 7: SFV:SKS and the high confidence spam action") {
    Run run(R"(
mail_flow_rules:
  - name: Mark HC spam
    priority: 0
    conditions: {headers: [{name: X-Mark, exists: true}]}
    actions: {set_scl: 7}
)");
    const auto v =
        run(mail("a@fabrikam.example", "198.51.100.25", "X-Mark: 1\r\n"), {"std@contoso.com"});
    const auto& r = v.recipients.at(0);
    CHECK(r.sfv == "SKS");
    CHECK(r.scl == 7);
    CHECK(r.final.folder == Folder::quarantine);  // Standard HighConfidenceSpamAction
    CHECK(r.system.folder == Folder::inbox);
}

TEST_CASE("IP Allow List: beats spam (SKI, IPV:CAL), not spoof (brief 6.2, Q6)") {
    Run run("connection_filter: {ip_allow_list: [203.0.113.0/24]}\n");
    auto v = run(mail("a@fabrikam.example", "203.0.113.99", "X-Spam-Flag: YES\r\n"));
    // fabrikam.example from a foreign IP fails DMARC p=reject: spoof stays.
    CHECK(v.recipients.at(0).final.folder == Folder::rejected);
    CHECK(v.recipients.at(0).ipv == "CAL");
    Run run2("connection_filter: {ip_allow_list: [198.51.100.0/24]}\n");
    v = run2(mail("a@fabrikam.example", "198.51.100.25", "X-Spam-Flag: YES\r\n"));
    CHECK(v.recipients.at(0).final.folder == Folder::inbox);
    CHECK(v.recipients.at(0).sfv == "SKI");
    CHECK(v.recipients.at(0).system.folder == Folder::junk);
}

TEST_CASE("IP Block List: dropped, unless the IP is also allowed") {
    Run run("connection_filter: {ip_block_list: [198.51.100.0/24]}\n");
    const auto v = run(mail("a@fabrikam.example", "198.51.100.25"));
    CHECK(v.recipients.at(0).final.folder == Folder::dropped);
    Run both(
        "connection_filter: {ip_block_list: [198.51.100.0/24], ip_allow_list: [198.51.100.25]}\n");
    CHECK(both(mail("a@fabrikam.example", "198.51.100.25")).recipients.at(0).final.folder ==
          Folder::inbox);
}

TEST_CASE("TABL sender block quarantines clean mail, TABL allow beats spam, not HC phish") {
    Run run(R"(
tenant_allow_block_list:
  senders:
    - {value: a@fabrikam.example, action: Block, expires: never}
    - {value: quarantine.example, action: Allow, expires: never}
)");
    auto v = run(mail("a@fabrikam.example", "198.51.100.25"));
    CHECK(v.recipients.at(0).final.folder == Folder::quarantine);
    CHECK(v.recipients.at(0).system.folder == Folder::inbox);
    v = run(mail("b@quarantine.example", "198.51.100.26", "X-Spam-Flag: YES\r\n"));
    CHECK(v.recipients.at(0).final.folder == Folder::inbox);
    v = run(mail("b@quarantine.example", "198.51.100.26", "X-Upstream: hcphish\r\n"));
    CHECK(v.recipients.at(0).final.folder == Folder::quarantine);
}

TEST_CASE("TABL stamps: a block is marked HC phishing (brief 7.1), an allow stamps SKA (1.2)") {
    Run run(R"(
tenant_allow_block_list:
  senders:
    - {value: fabrikam.example, action: Block, expires: never}
    - {value: quarantine.example, action: Allow, expires: never}
)");
    // Clean, authenticated mail from a blocked domain: quarantined as HC phishing, not
    // NSPM/SCL 1 (brief 7.1 "Inbound: HC phishing -> quarantine", 1.5 SCL 9).
    auto v = run(mail("a@fabrikam.example", "198.51.100.25"));
    auto r = v.recipients.at(0);
    CHECK(r.final.folder == Folder::quarantine);
    CHECK(r.cat == "HPHSH");
    CHECK(r.scl == 9);
    CHECK(r.sfv == "SPM");
    CHECK(r.sfty.empty());
    // Upstream spam from an allowed domain: delivered with the allow's verdict, SFV:SKA
    // ("Tenant Allow", brief 1.2), CAT:NONE and the bypass SCL - not SFV:SPM.
    v = run(mail("b@quarantine.example", "198.51.100.26", "X-Spam-Flag: YES\r\n"));
    r = v.recipients.at(0);
    CHECK(r.system.folder == Folder::junk);
    CHECK(r.final.folder == Folder::inbox);
    CHECK(r.sfv == "SKA");
    CHECK(r.cat == "NONE");
    CHECK(r.scl == -1);
}
TEST_CASE(
    "advanced delivery: SecOps beats malware, phishing simulation beats HC phish, not malware") {
    Run run(R"(
advanced_delivery:
  secops_mailboxes: [secops@contoso.com]
  phishing_simulation: {domains: [sim.example], sending_ips: [192.0.2.50]}
)");
    auto v = run(mail("a@weak.example", "203.0.113.99", "X-Upstream: malware\r\n"),
                 {"secops@contoso.com", "other@contoso.com"});
    CHECK(rcpt(v, "secops@contoso.com").final.folder == Folder::inbox);
    CHECK(rcpt(v, "secops@contoso.com").system.folder == Folder::quarantine);
    CHECK(rcpt(v, "other@contoso.com").final.folder == Folder::quarantine);
    v = run(mail("x@sim.example", "192.0.2.50", "X-Upstream: hcphish\r\n"));
    CHECK(v.recipients.at(0).final.folder == Folder::inbox);
    CHECK(find_override(v.recipients.at(0), "advanced_delivery_phishing_simulation")->applied);
    v = run(mail("x@sim.example", "192.0.2.50", "X-Upstream: malware\r\n"));
    CHECK(v.recipients.at(0).final.folder == Folder::quarantine);
}

namespace {
std::string relayed(const std::string& from, const std::string& origin_ip) {
    return "Received: from filter.gateway.example (203.0.113.12) by "
           "BN1NAM02FT010.mail.protection.outlook.com with Microsoft SMTP Server; Tue, 3 Nov "
           "2026 14:02:09 +0000\r\n"
           "Received: from origin.example (origin.example [" +
           origin_ip +
           "]) by filter.gateway.example (Postfix) with ESMTPS id 1; Tue, 3 Nov 2026 14:02:08 "
           "+0000\r\n" +
           mail(from, "0.0.0.0").substr(mail(from, "0.0.0.0").find("Return-Path"));
}
const char* const connector = R"(
inbound_connectors:
  - name: Gateway
    type: Partner
    sender_ip_addresses: [203.0.113.0/25]
    enhanced_filtering:
      skip_ips: [203.0.113.0/25]
      users: [%USERS%]
)";
std::string with_users(const std::string& users) {
    std::string s = connector;
    s.replace(s.find("%USERS%"), 7, users);
    return s;
}
}  // namespace

TEST_CASE("enhanced filtering on: authentication sees the original client past the connector") {
    Run run(with_users(""));
    const auto v = run(relayed("a@fabrikam.example", "198.51.100.25"));
    CHECK(v.enhanced_filtering);
    CHECK(v.connector == "Gateway");
    REQUIRE(v.envelope.client_ip);
    CHECK(v.envelope.client_ip->to_string() == "198.51.100.25");
    CHECK(v.compauth.reason_text() == "100");
}

TEST_CASE("enhanced filtering off (a recipient outside EFUsers): the connector IP fails SPF") {
    Run run(with_users("std@contoso.com"));
    const auto v = run(relayed("a@fabrikam.example", "198.51.100.25"),
                       {"std@contoso.com", "other@contoso.com"});
    CHECK_FALSE(v.enhanced_filtering);
    REQUIRE(v.envelope.client_ip);
    CHECK(v.envelope.client_ip->to_string() == "203.0.113.12");
    CHECK(v.auth.dmarc_input.spf.result == "fail");
    // All recipients listed: EF applies.
    CHECK(run(relayed("a@fabrikam.example", "198.51.100.25"), {"std@contoso.com"})
              .enhanced_filtering);
}

TEST_CASE("trusted own ARC verdict (arc=pass oda=1): compauth 130, spoof overridden") {
    Run run("authentication: {trust_own_arc: true}\n");
    const auto v = run(mail("a@fabrikam.example", "203.0.113.99",
                            "ARC-Authentication-Results: i=1; mx.microsoft.com 1; arc=pass (0 "
                            "oda=1 ltdi=1)\r\n"));
    CHECK(v.system_compauth.reason_text() == "000");
    CHECK(v.compauth.reason_text() == "130");
    const auto& r = v.recipients.at(0);
    CHECK(r.system.folder == Folder::rejected);
    CHECK(r.final.folder == Folder::inbox);
    REQUIRE(find_override(r, "trusted_arc_sealer") != nullptr);
}

TEST_CASE("anti-spam allowed senders: SKA beats spoof of an external domain") {
    Run run(R"(
tenant: {name: Contoso}
accepted_domains: [contoso.com]
anti_spam:
  default:
    allowed_sender_domains: [weak.example]
)",
            true);
    const auto v = run(mail("a@weak.example", "203.0.113.99"));
    CHECK(v.recipients.at(0).final.folder == Folder::inbox);
    CHECK(v.recipients.at(0).sfv == "SKA");
    CHECK(v.recipients.at(0).system.folder == Folder::junk);
}

// ---- Impersonation (issue 7; brief 1.3, 1.4, 4.2-4.4, 4.6, 5.2, 13.3 step 4, 15 Q3) ----

namespace {

// One custom anti-phishing policy per recipient group: Patti Fernandez is a protected user,
// contoso.com (accepted) a protected domain; `actions` sets user_action / domain_action.
std::string imp_policy(const std::string& name, int priority, const std::string& group,
                       const std::string& user_action, const std::string& domain_action,
                       const std::string& extra = "") {
    return "    - name: " + name + "\n      priority: " + std::to_string(priority) +
           "\n      conditions: {groups: [" + group +
           "]}\n      impersonation:\n        protect_users: true\n"
           "        users_to_protect:\n          - name: Patti Fernandez\n"
           "            address: patti.fernandez@contoso.com\n"
           "        user_action: " +
           user_action +
           "\n        protect_organization_domains: true\n        domain_action: " + domain_action +
           "\n" + extra;
}

std::string imp_tenant() {
    return std::string(R"(tenant: {name: Contoso}
accepted_domains: [contoso.com]
groups:
  Observe: [observe@contoso.com]
  Junk: [junk@contoso.com]
  Quar: [quar@contoso.com]
  Del: [del@contoso.com]
  Redir: [redir@contoso.com]
  Bcc: [bcc@contoso.com]
  Mixed: [mixed@contoso.com]
  Trusted: [trusted@contoso.com]
  Mi: [mi@contoso.com]
  Off: [off@contoso.com]
  NoSpoof: [nospoof@contoso.com]
anti_phishing:
  custom:
)") + imp_policy("AP Observe", 0, "Observe", "NoAction", "NoAction") +
           imp_policy("AP Junk", 1, "Junk", "MoveToJmf", "MoveToJmf") +
           imp_policy("AP Quarantine", 2, "Quar", "Quarantine", "Quarantine") +
           imp_policy("AP Delete", 3, "Del", "Delete", "Delete") +
           imp_policy("AP Redirect", 4, "Redir", "Redirect", "Redirect",
                      "        user_action_recipients: [soc@contoso.com]\n"
                      "        domain_action_recipients: [soc@contoso.com]\n") +
           imp_policy("AP Bcc", 5, "Bcc", "BccMessage", "Quarantine",
                      "        user_action_recipients: [soc@contoso.com]\n") +
           imp_policy("AP Mixed", 6, "Mixed", "NoAction", "MoveToJmf") +
           imp_policy("AP Trusted", 7, "Trusted", "Quarantine", "Quarantine",
                      "        trusted_senders: [patti@fabrikam.example]\n") +
           imp_policy("AP MI", 8, "Mi", "Quarantine", "Quarantine",
                      "        mailbox_intelligence: true\n"
                      "        mailbox_intelligence_protection: true\n"
                      "        mailbox_intelligence_action: MoveToJmf\n"
                      "      safety_tips: {first_contact: true, similar_users: true}\n") +
           imp_policy("AP NoSpoof", 10, "NoSpoof", "Quarantine", "Quarantine",
                      "      spoof: {spoof_intelligence: false}\n") +
           R"(    - name: AP Off
      priority: 9
      conditions: {groups: [Off]}
      impersonation:
        protect_users: false
        users_to_protect:
          - name: Patti Fernandez
            address: patti.fernandez@contoso.com
        user_action: Quarantine
        protect_organization_domains: false
        domain_action: Quarantine
upstream_signals:
  - header: X-Spam-Flag
    equals: "YES"
    verdict: spam
)";
}

struct ImpRun {
    Tenant tenant{Tenant::parse(imp_tenant(), "impersonation.yaml")};
    std::shared_ptr<dns::Resolver> dns = dns::zone_text(zone);
    std::optional<detect::ContactGraph> contacts;
    Verdict operator()(const std::string& message, std::vector<std::string> rcpts) const {
        const Engine engine(tenant, *dns, std::nullopt, contacts);
        EvaluateOptions o;
        o.recipients = std::move(rcpts);
        return engine.evaluate(Message::parse(message), o);
    }
};

// `mail` with a display name of our choosing.
std::string named(const std::string& display, const std::string& from, const std::string& ip,
                  const std::string& extra = "") {
    auto m = mail(from, ip, extra);
    const auto at = m.find("From: Sender <");
    m.replace(at, std::string("From: Sender").size(), "From: \"" + display + "\"");
    return m;
}

// A display-name lookalike of the protected user, from an authenticated outside domain
// (fabrikam.example: SPF pass aligned, DMARC pass -> compauth pass 100, no spoof).
std::string patti(const std::string& extra = "") {
    return named("Patti Fernandez", "patti@fabrikam.example", "198.51.100.25", extra);
}

bool has(const std::vector<std::string>& v, const std::string& x) {
    return std::find(v.begin(), v.end(), x) != v.end();
}

std::vector<std::string> cats(const RecipientVerdict& r) {
    std::vector<std::string> out;
    for (const auto& d : r.detections) {
        out.emplace_back(category(d.detection));
    }
    return out;
}

}  // namespace

TEST_CASE("impersonation NoAction: observation mode reports the detection, the folder stays") {
    // Brief 4.2 "Don't apply any action: deliver normally (detection still recorded)",
    // 13.3 step 4 (actions are turned on one at a time after observing).
    const ImpRun run;
    const auto v = run(patti(), {"observe@contoso.com"});
    CHECK(v.compauth.reason_text() == "100");
    const auto& r = rcpt(v, "observe@contoso.com");
    REQUIRE(r.detections.size() == 1);
    CHECK(r.detections[0].detection == Detection::user_impersonation);
    REQUIRE(r.detections[0].impersonation.has_value());
    CHECK(r.detections[0].impersonation->impersonated.find("patti.fernandez@contoso.com") !=
          std::string::npos);
    CHECK(r.detections[0].impersonation->technique == "same_name");
    CHECK(r.detections[0].impersonation->score == doctest::Approx(1.0));
    CHECK(r.system.folder == Folder::inbox);
    CHECK(r.final.folder == Folder::inbox);
    CHECK(r.final.action == "NoAction");
    // Recorded: CAT and SFTY 9.20 (1.4); SCL and SFV those of clean mail (folder unchanged).
    CHECK(r.cat == "UIMP");
    CHECK(r.sfty == "9.20");
    CHECK(r.scl == 1);
    CHECK(r.sfv == "NSPM");
}

TEST_CASE("impersonation NoAction does not hide spam: the next detection with an action acts") {
    // Brief 15 Q3 (our decision, docs/verdict.md): UIMP (6) observed, SPM (9) acts.
    const ImpRun run;
    const auto v = run(patti("X-Spam-Flag: YES\r\n"), {"observe@contoso.com"});
    const auto& r = rcpt(v, "observe@contoso.com");
    CHECK(cats(r) == std::vector<std::string>{"UIMP", "SPM"});
    CHECK(r.final.folder == Folder::junk);
    CHECK(r.final.action == "MoveToJmf");
    CHECK(r.cat == "SPM");
    CHECK(r.scl == 5);
    CHECK(r.sfty == "9.20");
    CHECK(r.final.reason.find("observed only") != std::string::npos);
}

TEST_CASE("impersonation actions: MoveToJmf, Quarantine, Delete, Redirect, BccMessage") {
    // Brief 4.2 action table: Junk, quarantine, deleted, redirected, delivered + Bcc.
    const ImpRun run;
    const auto v = run(patti(), {"junk@contoso.com", "quar@contoso.com", "del@contoso.com",
                                 "redir@contoso.com", "bcc@contoso.com"});
    const auto& junk = rcpt(v, "junk@contoso.com");
    CHECK(junk.final.folder == Folder::junk);
    CHECK(junk.final.action == "MoveToJmf");
    CHECK(junk.cat == "UIMP");
    CHECK(junk.sfv == "SPM");
    CHECK(junk.scl == 5);
    CHECK(junk.final.reason.find("TargetedUserProtectionAction of AP Junk") != std::string::npos);
    const auto& quar = rcpt(v, "quar@contoso.com");
    CHECK(quar.final.folder == Folder::quarantine);
    CHECK(quar.final.action == "Quarantine");
    const auto& del = rcpt(v, "del@contoso.com");
    CHECK(del.final.folder == Folder::deleted);
    CHECK(del.final.action == "Delete");
    const auto& redir = rcpt(v, "redir@contoso.com");
    CHECK(redir.final.folder == Folder::redirected);
    CHECK(redir.final.action == "Redirect");
    CHECK(redir.final.reason.find("soc@contoso.com") != std::string::npos);
    const auto& bcc = rcpt(v, "bcc@contoso.com");
    CHECK(bcc.final.folder == Folder::inbox);
    CHECK(bcc.final.action == "BccMessage");
}

TEST_CASE("UIMP (6) is applied before DIMP (7) and a NoAction UIMP lets DIMP act") {
    // "Patti Fernandez" <patti@contoso-support.com>: the protected name and contoso.com with
    // a hyphenated suffix (brief 4.2 look-alikes); contoso-support.com authenticates.
    const ImpRun run;
    const auto m = named("Patti Fernandez", "patti@contoso-support.com", "198.51.100.30");
    const auto v = run(m, {"quar@contoso.com", "mixed@contoso.com"});
    CHECK(v.compauth.reason_text() == "100");
    const auto& quar = rcpt(v, "quar@contoso.com");
    CHECK(cats(quar) == std::vector<std::string>{"UIMP", "DIMP"});
    CHECK(quar.cat == "UIMP");
    CHECK(quar.sfty == "9.20");
    CHECK(quar.final.reason.find("TargetedUserProtectionAction") != std::string::npos);
    CHECK(quar.final.folder == Folder::quarantine);
    const auto& mixed = rcpt(v, "mixed@contoso.com");
    CHECK(cats(mixed) == std::vector<std::string>{"UIMP", "DIMP"});
    CHECK(mixed.cat == "DIMP");
    CHECK(mixed.sfty == "9.19");
    CHECK(mixed.final.folder == Folder::junk);
    CHECK(mixed.final.reason.find("TargetedDomainProtectionAction of AP Mixed") !=
          std::string::npos);
    REQUIRE(mixed.detections[1].impersonation.has_value());
    CHECK(mixed.detections[1].impersonation->impersonated == "contoso.com");
    CHECK(mixed.detections[1].impersonation->technique == "hyphenated_affix");
}

TEST_CASE("SPOOF (5) beats UIMP (6): the spoof action applies, both are listed") {
    // a@weak.example from an IP outside its SPF (~all), no DMARC: compauth fail 001, spoof
    // intelligence on -> AuthenticationFailAction MoveToJmf (default of the custom policy).
    const ImpRun run;
    const auto v =
        run(named("Patti Fernandez", "a@weak.example", "203.0.113.99"), {"quar@contoso.com"});
    CHECK(v.compauth.reason_text() == "001");
    const auto& r = rcpt(v, "quar@contoso.com");
    CHECK(cats(r) == std::vector<std::string>{"SPOOF", "UIMP"});
    CHECK(r.cat == "SPOOF");
    CHECK(r.sfty == "9.22");
    CHECK(r.final.folder == Folder::junk);
    CHECK(r.final.action == "MoveToJmf");
}

TEST_CASE("trusted sender: the finding is kept as allowed, never acted on (brief 4.2)") {
    const ImpRun run;
    const auto v = run(patti(), {"trusted@contoso.com"});
    const auto& r = rcpt(v, "trusted@contoso.com");
    CHECK(r.detections.empty());
    CHECK(r.cat == "NONE");
    CHECK(r.sfty.empty());
    CHECK(r.final.folder == Folder::inbox);
    REQUIRE(r.impersonation.size() == 1);
    CHECK(r.impersonation[0].suppression == "trusted_sender");
}

TEST_CASE("impersonation protection off in the selected policy: no detection") {
    // AP Off lists Patti Fernandez but EnableTargetedUserProtection is off (brief 4.2); the
    // default policy protects nobody (4.6 Default).
    const ImpRun run;
    const auto v = run(patti(), {"off@contoso.com", "nobody@contoso.com"});
    for (const auto& r : v.recipients) {
        CHECK(r.detections.empty());
        CHECK(r.impersonation.empty());
        CHECK(r.cat == "NONE");
        CHECK(r.final.folder == Folder::inbox);
    }
}

TEST_CASE(
    "mailbox intelligence: a known contact is not flagged and a frequent contact's "
    "lookalike is GIMP") {
    ImpRun run;
    detect::ContactGraph g;
    // mi@ has corresponded with patti@fabrikam.example (brief 4.2: user impersonation does
    // not fire for senders the recipient has corresponded with).
    g.record("mi@contoso.com", "patti@fabrikam.example", "Patti Fernandez",
             detect::ContactDirection::received, std::nullopt, 3);
    // and writes to Bob Jones at northwind (a frequent contact: sent >= 1).
    g.record("mi@contoso.com", "bob.jones@northwind.example", "Bob Jones",
             detect::ContactDirection::sent, std::nullopt, 2);
    run.contacts = g;
    const auto known = run(patti(), {"mi@contoso.com"});
    const auto& k = rcpt(known, "mi@contoso.com");
    CHECK(k.detections.empty());
    CHECK(k.final.folder == Folder::inbox);
    REQUIRE_FALSE(k.impersonation.empty());
    CHECK(k.impersonation[0].suppression == "known_contact");
    CHECK_FALSE(has(k.safety_tips, "first_contact"));  // not a first contact

    // "Bob Jones" writing from fabrikam.example: imitates the frequent contact -> GIMP,
    // MailboxIntelligenceProtectionAction MoveToJmf (protection on), SFTY 9.20 (1.4).
    const auto bob =
        run(named("Bob Jones", "bob@fabrikam.example", "198.51.100.25"), {"mi@contoso.com"});
    const auto& b = rcpt(bob, "mi@contoso.com");
    CHECK(cats(b) == std::vector<std::string>{"GIMP"});
    CHECK(b.final.folder == Folder::junk);
    CHECK(b.final.reason.find("MailboxIntelligenceProtectionAction of AP MI") != std::string::npos);
    CHECK(b.sfty == "9.20");
}

TEST_CASE("first contact safety tip: SFTY 9.25 without an action (brief 4.3, 1.4)") {
    ImpRun run;
    detect::ContactGraph g;
    g.record("mi@contoso.com", "someone@northwind.example", "Someone",
             detect::ContactDirection::received, std::nullopt, 1);
    run.contacts = g;
    // A sender mi@ has never heard from, resembling nobody.
    const auto v = run(mail("a@fabrikam.example", "198.51.100.25"), {"mi@contoso.com"});
    const auto& r = rcpt(v, "mi@contoso.com");
    CHECK(r.detections.empty());
    CHECK(has(r.safety_tips, "first_contact"));
    CHECK(r.sfty == "9.25");
    CHECK(r.cat == "NONE");
    CHECK(r.final.folder == Folder::inbox);
    // Without a contact graph nothing is known about the mailbox: no tip.
    ImpRun none;
    const auto nv = none(mail("a@fabrikam.example", "198.51.100.25"), {"mi@contoso.com"});
    const auto& n = rcpt(nv, "mi@contoso.com");
    CHECK_FALSE(has(n.safety_tips, "first_contact"));
    CHECK(n.sfty.empty());
}

TEST_CASE("brief 5.2 Policy A/B: spoof with the policy's spoof protection off, UIMP not applied") {
    // Policy with user impersonation on (Quarantine) and spoof intelligence off; the message
    // is both an implicit spoof (compauth fail 001) and a user impersonation: classified as
    // spoof (order 5), the policy's spoof protection is off -> no action (brief 5.2).
    const ImpRun run;
    const auto v =
        run(named("Patti Fernandez", "a@weak.example", "203.0.113.99"), {"nospoof@contoso.com"});
    CHECK(v.compauth.reason_text() == "001");
    const auto& r = rcpt(v, "nospoof@contoso.com");
    CHECK(cats(r) == std::vector<std::string>{"UIMP"});
    CHECK(r.final.folder == Folder::inbox);
    CHECK(r.final.reason.find("brief 5.2") != std::string::npos);
}

namespace {

// Forwards to a zone and records each prefetch batch, claiming every question was asked
// (so the engine goes on to its second batch, as after a cold cache).
class BatchRecorder final : public dns::Resolver {
public:
    explicit BatchRecorder(std::shared_ptr<dns::Resolver> inner) : inner_(std::move(inner)) {}
    dns::Answer query(std::string_view name, dns::RecordType type) override {
        return inner_->query(name, type);
    }
    std::size_t prefetch(std::span<const dns::Question> questions, dns::Deadline) override {
        batches.emplace_back(questions.begin(), questions.end());
        return questions.size();
    }
    std::vector<std::vector<dns::Question>> batches;

private:
    std::shared_ptr<dns::Resolver> inner_;
};

bool has(const std::vector<dns::Question>& batch, const std::string& name, dns::RecordType type) {
    return std::find(batch.begin(), batch.end(), dns::Question{name, type}) != batch.end();
}

}  // namespace

TEST_CASE("prefetch: the client's PTR joins the first batch, the PTR name's address the second") {
    // From the zone: fabrikam.example's SPF record has no include, so the second batch is
    // the address of mail.fabrikam.example, the name 198.51.100.25's PTR gives.
    Run run;
    BatchRecorder recorder(run.dns);
    const Engine engine(run.tenant, recorder);
    const Verdict v = engine.evaluate(Message::parse(mail("a@fabrikam.example", "198.51.100.25")));
    CHECK(v.auth.dmarc.microsoft_result() == "pass");
    REQUIRE(recorder.batches.size() == 2);
    const auto& first = recorder.batches[0];
    CHECK(has(first, "fabrikam.example", dns::RecordType::TXT));
    CHECK(has(first, "_dmarc.fabrikam.example", dns::RecordType::TXT));
    CHECK(has(first, "25.100.51.198.in-addr.arpa", dns::RecordType::PTR));
    CHECK(recorder.batches[1] ==
          std::vector<dns::Question>{{"mail.fabrikam.example", dns::RecordType::A}});
}
