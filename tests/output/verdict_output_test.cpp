// Verdict renderings: the jsonl contract keys and Microsoft's header layouts (brief 1.1, 1.7).
#include <mailverdict/dns/resolver.hpp>
#include <mailverdict/output/json.hpp>
#include <mailverdict/output/verdict_json.hpp>
#include <mailverdict/verdict/engine.hpp>

#include <doctest/doctest.h>

#include <sstream>

using namespace mailverdict;

namespace {

verdict::Verdict sample(const std::string& extra_tenant = "") {
    static const char* const zone = R"(
$TTL 300
.                   SOA  ns.example. hostmaster.example. 1 3600 600 86400 60
weak.example.       TXT  "v=spf1 ip4:198.51.100.27 ~all"
)";
    const auto tenant =
        Tenant::parse("tenant: {name: C}\naccepted_domains: [contoso.com]\n" + extra_tenant);
    auto dns = dns::zone_text(zone);
    const Engine engine(tenant, *dns);
    return engine.evaluate(Message::parse(
        "Received: from h.weak.example (203.0.113.99) by X.mail.protection.outlook.com with SMTP; "
        "Tue, 3 Nov 2026 14:02:09 +0000\r\nReturn-Path: <a@weak.example>\r\n"
        "From: A <a@weak.example>\r\nTo: u@contoso.com\r\nMessage-ID: <1@x>\r\n\r\nhi\r\n"));
}

}  // namespace

TEST_CASE("jsonl object carries every contract key") {
    const auto v = sample();
    const auto o = output::to_json(v, "m.eml");
    for (const char* k : {"file", "parsed", "defects", "message_id", "from", "envelope", "auth",
                          "recipients", "scl", "folder"}) {
        CHECK_MESSAGE(o.contains(k), k);
    }
    for (const char* k : {"display_name", "address", "domain"}) {
        CHECK(o.at("from").as_object().contains(k));
    }
    for (const char* k : {"client_ip", "helo", "mail_from", "source"}) {
        CHECK(o.at("envelope").as_object().contains(k));
    }
    const auto& auth = o.at("auth").as_object();
    for (const char* k : {"spf", "dkim", "arc", "dmarc", "compauth"}) {
        CHECK(auth.contains(k));
    }
    for (const char* k : {"result", "policy", "action"}) {
        CHECK(auth.at("dmarc").as_object().contains(k));
    }
    CHECK(auth.at("compauth").at("reason").as_string() == "001");
    const auto& r = o.at("recipients").as_array().at(0).as_object();
    for (const char* k : {"address", "policy", "detections", "sfv", "cat", "scl", "sfty", "system",
                          "final", "overrides", "safety_tips", "headers", "trace"}) {
        CHECK_MESSAGE(r.contains(k), k);
    }
    CHECK(r.at("final").at("folder").as_string() == "junk");
    CHECK(o.at("folder").as_string() == "junk");
    CHECK(o.at("scl") == r.at("scl"));
}

TEST_CASE("X-Forefront-Antispam-Report in Microsoft's field order") {
    const auto v = sample();
    const auto h = output::verdict_headers(v, v.recipients.at(0));
    REQUIRE(h.at(0).first == "X-Forefront-Antispam-Report");
    CHECK(h.at(0).second ==
          "CIP:203.0.113.99;CTRY:;LANG:;SCL:5;SRV:;IPV:NLI;SFV:SPM;H:h.weak.example;PTR:;"
          "CAT:SPOOF;SFTY:9.22;DIR:INB;");
    CHECK(h.at(1) == std::pair<std::string, std::string>("X-MS-Exchange-Organization-SCL", "5"));
}

TEST_CASE("Authentication-Results in Microsoft's form with compauth and reason") {
    const auto v = sample();
    CHECK(output::microsoft_auth_results(v, v.recipients.at(0)) ==
          "spf=softfail (sender IP is 203.0.113.99) smtp.mailfrom=weak.example; dkim=none "
          "(message not signed) header.d=none;dmarc=none action=none "
          "header.from=weak.example;compauth=fail reason=001");
}

TEST_CASE("text form: the verdict first, then why") {
    const auto v = sample();
    std::ostringstream out;
    output::print_verdict_text(out, v, "m.eml", false);
    const std::string s = out.str();
    CHECK(s.rfind("m.eml\n  u@contoso.com: junk (MoveToJmf)", 0) == 0);
    CHECK(s.find("compauth=fail reason=001") != std::string::npos);
}
