// The real mailverdict binary: `posture` over the corpus tenants with the corpus DNS, and
// over tests/data/posture. Expectations are read off the tenant files and zones by hand
// (docs/posture.md gives the checks and their points).
#include "support/run_command.hpp"

#include <doctest/doctest.h>
#include <boost/json/parse.hpp>

#include <string>
#include <string_view>

namespace {

using mvtest::cli;
using mvtest::run_command;
using mvtest::shell_quote;

std::string source(const std::string& rel) {
    return shell_quote(std::string(MV_SOURCE_DIR) + "/" + rel);
}

boost::json::object posture_json(const std::string& tenant, const std::string& zones,
                                 const std::string& extra = "") {
    const auto r = run_command(cli() + " posture --policy " + source(tenant) + " --dns-zone " +
                               source(zones) + " --format json" + extra);
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    return boost::json::parse(r.out).as_object();
}

// The status of check `id` for `subject`, searched in findings and passed checks; "" when
// the check did not run.
std::string status(const boost::json::object& doc, std::string_view id, std::string_view subject) {
    for (const char* list : {"findings", "passed"}) {
        for (const auto& v : doc.at(list).as_array()) {
            const auto& f = v.as_object();
            if (f.at("id").as_string() == id && f.at("subject").as_string() == subject) {
                return std::string(f.at("status").as_string());
            }
        }
    }
    return "";
}

const std::string rule = "Bypass spam filtering for mail relayed by gateway.example.net";
const std::string connector = "Inbound from gateway.example.net";

}  // namespace

TEST_CASE("posture over the four corpus tenants: the migration's stages") {
    // contoso.com in corpus/dns: MX at filter-in-7.gateway.example.net ($TTL 3600), SPF with
    // include:spf.protection.outlook.com and -all, DMARC p=quarantine pct=100, no DKIM
    // selectors.
    const std::string zones = "corpus/dns";
    for (const char* name : {"before-pilot", "pilot", "strict-everyone", "after-cutover"}) {
        CAPTURE(name);
        const auto doc = posture_json(std::string("corpus/tenants/") + name + ".yaml", zones);
        CHECK(doc.at("tenant").as_string() == "Contoso");
        CHECK(doc.at("baseline").as_string() == "standard");
        CHECK(doc.at("score").at("possible").as_int64() > 0);
        CHECK(doc.at("score").at("unchecked").as_int64() == 0);
        CHECK(status(doc, "mx.target", "contoso.com") == "fail");
        CHECK(status(doc, "mx.ttl", "contoso.com") == "pass");
        CHECK(status(doc, "spf.includes_microsoft", "contoso.com") == "pass");
        CHECK(status(doc, "spf.all", "contoso.com") == "pass");
        CHECK(status(doc, "dmarc.policy", "contoso.com") == "pass");
        CHECK(status(doc, "dkim.selector1", "contoso.com") == "fail");
        CHECK(status(doc, "accepted_domains.type", "contoso.com") == "pass");
    }
    // before-pilot: the SCL=-1 rule on for everyone (limited to the gateway's IPs), the
    // connector restricted both ways, Enhanced Filtering off while MX is at the gateway.
    const auto before = posture_json("corpus/tenants/before-pilot.yaml", zones);
    CHECK(status(before, "mail_flow_rules.scl_bypass_rule", rule) == "fail");
    CHECK(status(before, "mail_flow_rules.scl_bypass_scope", rule) == "pass");
    CHECK(status(before, "inbound_connectors.restrict_domains_to_certificate", connector) ==
          "fail");
    CHECK(status(before, "inbound_connectors.restrict_domains_to_ip_addresses", connector) ==
          "fail");
    CHECK(status(before, "inbound_connectors.enhanced_filtering", connector) == "fail");
    CHECK(status(before, "mx.tenant_file", "contoso.com") == "pass");
    // pilot: Enhanced Filtering on; the pilot is at the end of onboarding step 4 (brief
    // 13.3): impersonation actions turned on (Quarantine), as Standard and Strict recommend.
    const auto pilot = posture_json("corpus/tenants/pilot.yaml", zones);
    CHECK(status(pilot, "inbound_connectors.enhanced_filtering", connector) == "pass");
    CHECK(status(pilot, "mail_flow_rules.scl_bypass_rule", rule) == "fail");
    CHECK(status(pilot, "anti_phishing.TargetedUserProtectionAction",
                 "MDOPilot AntiPhish Strict") == "pass");
    // strict-everyone: Strict presets for all recipients, rule off.
    const auto strict = posture_json("corpus/tenants/strict-everyone.yaml", zones);
    CHECK(status(strict, "anti_spam.policy_not_applied", "Default") == "fail");
    CHECK(status(strict, "anti_phishing.policy_not_applied", "Office365 AntiPhish Default") ==
          "fail");
    CHECK(status(strict, "mail_flow_rules.scl_bypass_rule", "(tenant)") == "pass");
    // after-cutover: restrictions off, rule off. The tenant file says MX points to
    // Microsoft, but corpus/dns still has the gateway: both are reported.
    const auto after = posture_json("corpus/tenants/after-cutover.yaml", zones);
    CHECK(status(after, "inbound_connectors.restrict_domains_to_certificate", connector) == "pass");
    CHECK(status(after, "inbound_connectors.restrict_domains_to_ip_addresses", connector) ==
          "pass");
    CHECK(status(after, "mail_flow_rules.scl_bypass_rule", "(tenant)") == "pass");
    CHECK(status(after, "mx.tenant_file", "contoso.com") == "fail");
}

TEST_CASE("posture of a switched tenant with one broken zone: exact score") {
    const auto doc = posture_json("tests/data/posture/ready.yaml", "tests/data/posture/dns");
    // By hand (high 10, medium 5, low 2): connection filter 5 + 2; SCL -1 rule off 10;
    // Partner connector restrictions off 10 + 10; northwind.example type 2, mx.present 10,
    // split 5, tenant_file 2, SPF 10 + 5 + 5 + 5, DKIM 5 + 5, DMARC 10 + 5 (69);
    // unreachable.example type 2 earned, DKIM 5 + 5 and DMARC 10 + 5 lost (missing), MX 10
    // and SPF 10 could not be checked (SERVFAIL).
    CHECK(doc.at("score").at("earned").as_int64() == 7 + 10 + 20 + 69 + 2);
    CHECK(doc.at("score").at("possible").as_int64() == 7 + 10 + 20 + 69 + 27);
    CHECK(doc.at("score").at("unchecked").as_int64() == 20);
    CHECK(doc.at("score").at("percent").as_string() == "81.2");  // 108 / 133
    CHECK(doc.at("summary").at("could_not_check").as_int64() == 2);
    CHECK(status(doc, "mx.present", "unreachable.example") == "could_not_check");
    CHECK(status(doc, "spf.record", "unreachable.example") == "could_not_check");
    CHECK(status(doc, "mx.target", "northwind.example") == "pass");
    // MX is at Microsoft for every domain that answered: no Enhanced Filtering check.
    CHECK(status(doc, "inbound_connectors.enhanced_filtering", "From old gateway").empty());

    const auto text =
        run_command(cli() + " posture --policy " + source("tests/data/posture/ready.yaml") +
                    " --dns-zone " + source("tests/data/posture/dns"));
    CHECK(text.exit_code == 0);
    CHECK(text.out.find("Score: 108 / 133 points (81.2%); 20 points could not be checked") !=
          std::string::npos);
    CHECK(text.out.find("COULD NOT CHECK (DNS) (2)") != std::string::npos);
    CHECK(text.out.find("HIGH (1)") != std::string::npos);
}

TEST_CASE("posture --baseline strict") {
    const auto doc = posture_json("corpus/tenants/pilot.yaml", "corpus/dns", " --baseline strict");
    CHECK(doc.at("baseline").as_string() == "strict");
    // MDOPilot AntiSpam Standard is based on Standard: SpamAction MoveToJmf is below
    // Strict's Quarantine (brief 4.7).
    CHECK(status(doc, "anti_spam.SpamAction", "MDOPilot AntiSpam Standard") == "fail");
    const auto standard = posture_json("corpus/tenants/pilot.yaml", "corpus/dns");
    CHECK(status(standard, "anti_spam.SpamAction", "MDOPilot AntiSpam Standard") == "pass");
}

TEST_CASE("posture usage and configuration errors exit 2") {
    const auto no_policy = run_command(cli() + " posture --dns-zone " + source("corpus/dns"));
    CHECK(no_policy.exit_code == 2);
    CHECK(no_policy.err.find("--policy") != std::string::npos);
    const auto bad_baseline =
        run_command(cli() + " posture --policy " + source("corpus/tenants/pilot.yaml") +
                    " --baseline lenient --dns-zone " + source("corpus/dns"));
    CHECK(bad_baseline.exit_code == 2);
    CHECK(bad_baseline.err.find("--baseline") != std::string::npos);
    const auto missing = run_command(cli() + " posture --policy " +
                                     source("tests/data/posture/no-such-tenant.yaml") +
                                     " --dns-zone " + source("corpus/dns"));
    CHECK(missing.exit_code == 2);
    CHECK(missing.err.find("no-such-tenant.yaml") != std::string::npos);
    const auto bad_format =
        run_command(cli() + " posture --policy " + source("corpus/tenants/pilot.yaml") +
                    " --format jsonl" + " --dns-zone " + source("corpus/dns"));
    CHECK(bad_format.exit_code == 2);
}
