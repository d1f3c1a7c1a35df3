// Report and Diff fed verdicts of the real engine on inline tenants, zones and messages.
// Expected values come from the brief (3.3 insight, 13.3 step 6 overrides, 16 compauth),
// not from the code.
#include <mailverdict/dns/resolver.hpp>
#include <mailverdict/report/diff.hpp>
#include <mailverdict/report/report.hpp>
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
weak.example.       TXT  "v=spf1 ip4:198.51.100.27 ~all"
relay.example.      TXT  "v=spf1 ip4:203.0.113.0/24 -all"
_dmarc.relay.example. TXT "v=DMARC1; p=reject"
contoso.com.        TXT  "v=spf1 ip4:10.1.1.1 -all"
_dmarc.contoso.com. TXT  "v=DMARC1; p=none"
)";

const char* const tenant_base = R"(
tenant: {name: Contoso}
accepted_domains: [contoso.com]
)";

const char* const scl_rule = R"(
mail_flow_rules:
  - name: SCL-1 for the gateway
    priority: 0
    conditions:
      sender_ip_ranges: [203.0.113.0/24]
    actions:
      bypass_spam_filtering: true
)";

std::string mail(const std::string& from, const std::string& ip, const std::string& date) {
    const auto at = from.find('@');
    return "Received: from sender.example (" + ip +
           ") by BN1NAM02FT010.mail.protection.outlook.com with Microsoft SMTP Server; " + date +
           "\r\nReturn-Path: <" + from + ">\r\nFrom: Sender <" + from +
           ">\r\nTo: user@contoso.com\r\nSubject: test\r\nDate: " + date + "\r\nMessage-ID: <m-" +
           from.substr(at + 1) + ip + "@x>\r\n\r\nbody\r\n";
}

struct Sample {
    std::string text;
    std::string date;
};

// Direct partner mail, a DMARC p=reject failure and an implicit failure relayed by the
// gateway (SCL=-1 rule), and aligned mail relayed by the gateway.
const Sample samples[] = {
    {mail("a@fabrikam.example", "198.51.100.25", "Tue, 3 Nov 2026 14:02:05 +0000"), ""},
    {mail("b@fabrikam.example", "203.0.113.5", "Wed, 4 Nov 2026 10:00:00 +0000"), ""},
    {mail("c@weak.example", "203.0.113.6", "Thu, 5 Nov 2026 09:00:00 +0000"), ""},
    {mail("d@relay.example", "203.0.113.7", "Fri, 6 Nov 2026 08:00:00 +0000"), ""},
};

Verdict judge(const Tenant& tenant, dns::Resolver& dns, const std::string& text) {
    const Engine engine(tenant, dns);
    return engine.evaluate(Message::parse(text));
}

report::MessageContext context_of(const std::string& text, std::size_t i) {
    const auto m = Message::parse(text);
    return {"m" + std::to_string(i) + ".eml", parse_date_time(m.date())};
}

}  // namespace

TEST_CASE("report: the SCL=-1 rule is risky where it hides a junk/quarantine verdict") {
    const Tenant tenant = Tenant::parse(std::string(tenant_base) + scl_rule, "t.yaml");
    const auto dns = dns::zone_text(zone);
    report::Report rep(&tenant);
    std::size_t i = 0;
    for (const auto& s : samples) {
        rep.add(judge(tenant, *dns, s.text), context_of(s.text, i++));
    }
    const auto& status = rep.threat_status();
    CHECK(status.messages == 4);
    CHECK(status.recipients == 4);
    // Every message is delivered: the rule bypasses filtering for the gateway's mail.
    CHECK(status.by_final_folder.at("inbox") == 4);

    const auto rows = rep.override_analysis();
    const auto it = std::find_if(rows.begin(), rows.end(), [](const report::OverrideRow& r) {
        return r.mechanism == "mail_flow_rule_bypass";
    });
    REQUIRE(it != rows.end());
    CHECK(it->source == "Exchange transport rule");
    CHECK(it->matched == 3);  // the three messages from 203.0.113.0/24
    CHECK(it->changed == 2);  // the DMARC failure and the implicit failure
    CHECK(it->risky() == 2);
    CHECK(it->unnecessary == 1);  // relay.example passes DMARC: nothing to bypass
    REQUIRE(it->risky_examples.size() == 2);
    CHECK(it->risky_examples[0].file == "m1.eml");
    CHECK(it->risky_examples[1].file == "m2.eml");
    CHECK(it->risky_examples[0].final_folder == "inbox");
    CHECK(it->risky_examples[0].system_folder != "inbox");

    // Spoof intelligence insight (brief 3.3): the two failing pairs, both External and
    // Blocked (compauth failed), infrastructure the /24 (no PTR), no tenant entry.
    const auto spoof = rep.spoof_insight();
    REQUIRE(spoof.size() == 2);
    for (const auto& r : spoof) {
        CHECK(r.infrastructure == "203.0.113.0/24");
        CHECK(r.spoof_type == "External");
        CHECK(r.insight_action == "Blocked");
        CHECK(r.configured == "not configured");
        CHECK(r.messages == 1);
    }
    CHECK(spoof[0].spoofed_user == "fabrikam.example");
    CHECK(spoof[1].spoofed_user == "weak.example");
    REQUIRE(spoof[0].last_seen.has_value());
    CHECK(*spoof[0].last_seen == *parse_date_time("Wed, 4 Nov 2026 10:00:00 +0000"));

    // Senders failing compauth: fabrikam (000, DMARC p=reject), weak (001, implicit).
    const auto fails = rep.top_auth_failures();
    REQUIRE(fails.size() == 2);
    CHECK(fails[0].from_domain == "fabrikam.example");
    CHECK(fails[0].reasons.at("fail/000") == 1);
    CHECK(fails[1].reasons.at("fail/001") == 1);

    // Readiness per From domain.
    const auto ready = rep.readiness();
    REQUIRE(ready.size() == 3);
    CHECK(ready[0].from_domain == "fabrikam.example");
    CHECK(ready[0].messages == 2);
    CHECK(ready[0].dmarc_record);
    CHECK(ready[0].dmarc_policy == "reject");
    CHECK(ready[0].aligned == 1);
    CHECK(ready[0].status() == "enforced, some mail not aligned");
    CHECK(ready[1].from_domain == "relay.example");
    CHECK(ready[1].status() == "enforced, all mail aligned");
    CHECK(ready[2].from_domain == "weak.example");
    CHECK_FALSE(ready[2].dmarc_record);
    CHECK(ready[2].spf.at("softfail") == 1);
}

TEST_CASE("report: a Tenant Allow/Block List spoof allow shows as configured, Allowed pairs") {
    const Tenant tenant = Tenant::parse(std::string(tenant_base) + R"(
tenant_allow_block_list:
  spoofed_senders:
    - {spoofed_user: weak.example, sending_infrastructure: 203.0.113.0/24, spoof_type: External, action: Allow}
)",
                                        "t.yaml");
    const auto dns = dns::zone_text(zone);
    report::Report rep(&tenant);
    rep.add(judge(tenant, *dns, samples[2].text), context_of(samples[2].text, 2));
    const auto spoof = rep.spoof_insight();
    REQUIRE(spoof.size() == 1);
    // The service's own verdict is still a compauth failure; the entry overrides it.
    CHECK(spoof[0].insight_action == "Blocked");
    CHECK(spoof[0].configured == "allow");
    CHECK(spoof[0].configured_source == "Tenant Allow/Block List");
    CHECK(rep.top_auth_failures().empty());  // compauth as stamped: softpass (brief 3.2)
}

TEST_CASE("diff: turning the SCL=-1 rule off moves exactly the hidden failures") {
    const Tenant a = Tenant::parse(std::string(tenant_base) + scl_rule, "a.yaml");
    const Tenant b = Tenant::parse(tenant_base, "b.yaml");
    const auto dns = dns::zone_text(zone);
    report::Diff diff;
    std::size_t i = 0;
    for (const auto& s : samples) {
        diff.add(judge(a, *dns, s.text), judge(b, *dns, s.text), "m" + std::to_string(i++));
    }
    CHECK(diff.totals().messages == 4);
    CHECK(diff.totals().recipients == 4);
    CHECK(diff.totals().folder_changed == 2);
    const auto moved = diff.moved_to_junk_or_quarantine();
    REQUIRE(moved.size() == 2);
    CHECK(moved[0].file == "m1");
    CHECK(moved[1].file == "m2");
    for (const auto& c : moved) {
        CHECK(c.folder_a == "inbox");
        CHECK(c.folder_b != "inbox");
        CHECK(c.overrides_a.size() == 1);  // the rule decided A's verdict
        CHECK(c.overrides_b.empty());
        // The rule overrides the action, not the detection: both verdicts list SPOOF
        // (the system verdict is computed first, brief 6.1), so only folder and
        // overrides differ.
        CHECK_FALSE(c.detections_changed);
        CHECK(c.overrides_changed);
    }
    // Same tenant twice: nothing changes.
    report::Diff same;
    same.add(judge(a, *dns, samples[1].text), judge(a, *dns, samples[1].text), "m1");
    CHECK(same.totals().changed == 0);
    CHECK(same.changes().empty());
}

TEST_CASE("diff: only a stricter delivery action counts as moved to Junk or quarantine") {
    // Spam (an upstream verdict) under a Quarantine SpamAction and under MoveToJmf: going
    // from quarantine to Junk delivers more, not less (brief 11.1 delivery actions), so it
    // is a change but not a move; the other way round it is.
    const std::string signals = R"(
upstream_signals:
  - {header: X-Spam-Flag, equals: "YES", verdict: spam}
)";
    const Tenant quarantine = Tenant::parse(
        std::string(tenant_base) + signals + "anti_spam:\n  default: {spam_action: Quarantine}\n",
        "q.yaml");
    const Tenant junk = Tenant::parse(std::string(tenant_base) + signals, "j.yaml");
    const auto dns = dns::zone_text(zone);
    std::string text = samples[0].text;
    text.insert(text.find("Return-Path:"), "X-Spam-Flag: YES\r\n");

    report::Diff relaxed;
    relaxed.add(judge(quarantine, *dns, text), judge(junk, *dns, text), "m0");
    REQUIRE(relaxed.changes().size() == 1);
    CHECK(relaxed.changes()[0].folder_a == "quarantine");
    CHECK(relaxed.changes()[0].folder_b == "junk");
    CHECK(relaxed.moved_to_junk_or_quarantine().empty());

    report::Diff stricter;
    stricter.add(judge(junk, *dns, text), judge(quarantine, *dns, text), "m0");
    REQUIRE(stricter.moved_to_junk_or_quarantine().size() == 1);
    CHECK(stricter.moved_to_junk_or_quarantine()[0].folder_a == "junk");
    CHECK(stricter.moved_to_junk_or_quarantine()[0].folder_b == "quarantine");
}

TEST_CASE("report: a bypass rule after a spoofed-sender allow changed nothing") {
    // weak.example's implicit failure (001) relayed by the gateway: the TABL spoof allow
    // (compauth softpass, brief 3.3) delivers it; the SCL=-1 rule still applies but the
    // message was already going to the Inbox. Only the primary override changed the
    // folder (brief 11.3): the rule is an unnecessary override here, not a risky one.
    const Tenant tenant = Tenant::parse(std::string(tenant_base) + scl_rule + R"(
tenant_allow_block_list:
  spoofed_senders:
    - {spoofed_user: weak.example, sending_infrastructure: 203.0.113.0/24, action: Allow}
)",
                                        "t.yaml");
    const auto dns = dns::zone_text(zone);
    report::Report rep(&tenant);
    rep.add(judge(tenant, *dns, samples[2].text), context_of(samples[2].text, 2));
    const auto rows = rep.override_analysis();
    const auto rule = std::find_if(rows.begin(), rows.end(), [](const report::OverrideRow& r) {
        return r.mechanism == "mail_flow_rule_bypass";
    });
    const auto allow = std::find_if(rows.begin(), rows.end(), [](const report::OverrideRow& r) {
        return r.mechanism == "spoof_allow";
    });
    REQUIRE(rule != rows.end());
    REQUIRE(allow != rows.end());
    CHECK(allow->changed == 1);
    CHECK(allow->risky() == 1);
    CHECK(rule->matched == 1);
    CHECK(rule->changed == 0);
    CHECK(rule->risky() == 0);
    CHECK(rule->unnecessary == 1);
}

TEST_CASE("report: detections per UTC day of the message's Date, undated last") {
    const Tenant tenant = Tenant::parse(tenant_base, "t.yaml");
    const auto dns = dns::zone_text(zone);
    report::Report rep(&tenant);
    // 00:30 at +0100 is 23:30 UTC the day before (RFC 5322 3.3: the zone is the offset
    // from UTC).
    const std::string late =
        mail("a@fabrikam.example", "198.51.100.25", "Wed, 4 Nov 2026 00:30:00 +0100");
    rep.add(judge(tenant, *dns, samples[0].text), context_of(samples[0].text, 0));
    rep.add(judge(tenant, *dns, late), context_of(late, 1));
    rep.add(judge(tenant, *dns, samples[0].text), {"undated.eml", std::nullopt});
    const auto& by_day = rep.threat_status().by_day;
    REQUIRE(by_day.size() == 2);
    // Aligned partner mail (SPF pass for 198.51.100.25, p=reject): no detection.
    CHECK(by_day.at("2026-11-03").at("NONE") == 2);
    CHECK(by_day.at("undated").at("NONE") == 1);
}
