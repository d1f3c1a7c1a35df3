// The HTML renderings (html.hpp, report_html.hpp): escaping of everything a message, a
// tenant file or a path can carry, well-formed pages and SVG, and figures equal to the
// JSON rendering of the same report. Expected escapes come from the HTML Standard
// (13.1.4 character references), pointer escapes from RFC 6901 section 3.
#include "support/html_check.hpp"

#include <mailverdict/dns/resolver.hpp>
#include <mailverdict/output/html.hpp>
#include <mailverdict/output/report_html.hpp>
#include <mailverdict/output/report_json.hpp>
#include <mailverdict/verdict/engine.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <cctype>
#include <regex>
#include <sstream>
#include <string>

using namespace mailverdict;
namespace html = mailverdict::output::html;

namespace {

// A partner whose DMARC p=reject fails when its mail is relayed by the gateway, and an
// aligned sender behind the same gateway.
const char* const zone = R"(
$TTL 300
.                     SOA  ns.example. hostmaster.example. 1 3600 600 86400 60
partner.example.      TXT  "v=spf1 ip4:198.51.100.40 -all"
_dmarc.partner.example. TXT "v=DMARC1; p=reject"
gateway.example.      TXT  "v=spf1 ip4:203.0.113.0/24 -all"
_dmarc.gateway.example. TXT "v=DMARC1; p=reject"
)";

// The SCL=-1 rule, with a name an attacker with access to the tenant file could choose.
const char* const tenant_with_rule = R"(
tenant: {name: Contoso}
accepted_domains: [contoso.com]
mail_flow_rules:
  - name: 'SCL-1 <b>"x"</b>'
    priority: 0
    conditions:
      sender_ip_ranges: [203.0.113.0/24]
    actions:
      bypass_spam_filtering: true
)";

const char* const tenant_without_rule = R"(
tenant: {name: Contoso}
accepted_domains: [contoso.com]
)";

std::string mail(const std::string& from, const std::string& ip, const std::string& date,
                 const std::string& message_id) {
    return "Received: from relay.gateway.example (" + ip +
           ") by BN1NAM02FT011.mail.protection.outlook.com with Microsoft SMTP Server; " + date +
           "\r\nReturn-Path: <" + from + ">\r\nFrom: <" + from +
           ">\r\nTo: user@contoso.com\r\nSubject: <script>alert(1)</script>\r\nDate: " + date +
           "\r\nMessage-ID: " + message_id + "\r\n\r\nbody\r\n";
}

const std::string hostile_file = "\"><img src=x onerror=alert(1)>.eml";
const std::string hostile_id = "<\"><script>alert(1)</script>@x>";

// 00:30 at +0100 is the previous day in UTC (RFC 5322 3.3: the zone is the offset from
// UTC), so the first message counts on 2026-11-02.
const std::string failing =
    mail("a@partner.example", "203.0.113.5", "Tue, 3 Nov 2026 00:30:00 +0100", hostile_id);
const std::string aligned =
    mail("b@gateway.example", "203.0.113.7", "Wed, 4 Nov 2026 10:00:00 +0000", "<2@x>");

verdict::Verdict judge(const Tenant& tenant, const std::string& text) {
    const auto dns = dns::zone_text(zone);
    const Engine engine(tenant, *dns);
    return engine.evaluate(Message::parse(text));
}

report::MessageContext context_of(const std::string& text, const std::string& file) {
    return {file, parse_date_time(Message::parse(text).date())};
}

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

// Every <svg> is an image with a title and a description (WCAG 1.1.1). (Found with
// find(), not a regex: libstdc++'s regex recurses per character of a long match.)
void check_svgs_are_labelled(const std::string& page, std::size_t expected) {
    std::size_t n = 0;
    for (std::size_t at = page.find("<svg"); at != std::string::npos;
         at = page.find("<svg", at + 1)) {
        const std::size_t end = page.find("</svg>", at);
        REQUIRE(end != std::string::npos);
        const std::string s = page.substr(at, end - at);
        CHECK(s.find("role=\"img\"") != std::string::npos);
        CHECK(s.find("<title id=") != std::string::npos);
        CHECK(s.find("<desc id=") != std::string::npos);
        ++n;
    }
    CHECK(n == expected);
}

bool contains(const std::string& s, const std::string& what) {
    return s.find(what) != std::string::npos;
}

}  // namespace

TEST_CASE("html escape: markup and quotes become character references") {
    CHECK(html::escape("<script>alert(1)</script>") == "&lt;script&gt;alert(1)&lt;/script&gt;");
    CHECK(html::escape("\"><img src=x onerror=alert(1)>") ==
          "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;");
    CHECK(html::escape("a'b&c") == "a&#39;b&amp;c");
    CHECK(html::escape("tab\there") == "tab\there");
}

TEST_CASE("html escape: bytes that are not UTF-8, controls and noncharacters become U+FFFD") {
    const std::string fffd = "\xef\xbf\xbd";
    CHECK(html::escape("caf\xc3\xa9") == "caf\xc3\xa9");  // valid UTF-8 kept
    CHECK(html::escape("a\xff<") == "a" + fffd + "&lt;");
    // An overlong encoding of '/' (RFC 3629 3: must not be decoded): C0 is never a valid
    // lead byte and AF is a lone continuation byte, one replacement each.
    CHECK(html::escape("\xc0\xaf") == fffd + fffd);
    CHECK(html::escape("x\x01y") == "x" + fffd + "y");                      // C0 control
    CHECK(html::escape("x\xc2\x85y") == "x" + fffd + "y");                  // C1 control (NEL)
    CHECK(html::escape("x\xef\xbf\xbfy") == "x" + fffd + "y");              // U+FFFF noncharacter
    CHECK(html::escape("\xed\xa0\x80").find("\xed") == std::string::npos);  // no surrogate
}

TEST_CASE("json pointers escape ~ and / (RFC 6901 section 3)") {
    CHECK(html::json_pointer({"auth_failures", "0", "compauth", "fail/000"}) ==
          "/auth_failures/0/compauth/fail~1000");
    CHECK(html::json_pointer("/x", "a~b") == "/x/a~0b");
    CHECK(html::json_pointer("/changes", std::size_t{3}) == "/changes/3");
}

TEST_CASE("fact lists name a few items and count the rest") {
    CHECK(html::fact_list({"a", "b"}) == "a, b");
    CHECK(html::fact_list({"a", "b", "c", "d"}, 2) == "a, b and 2 more");
}

TEST_CASE("report page: hostile names are text, tags balance, every figure equals the JSON") {
    const Tenant tenant = Tenant::parse(tenant_with_rule, "t.yaml");
    report::Report rep(&tenant);
    rep.add(judge(tenant, failing), context_of(failing, hostile_file));
    rep.add(judge(tenant, aligned), context_of(aligned, "ok.eml"));
    std::ostringstream out;
    output::write_report_html(out, rep, {{"Tenant file", "<t>.yaml"}});
    const std::string page = out.str();

    // Nothing from the inputs became markup; it is all there as text.
    CHECK_FALSE(contains(lower(page), "<script"));
    CHECK_FALSE(contains(lower(page), "<img"));
    CHECK_FALSE(contains(page, "<b>"));
    CHECK(contains(page, "&lt;img src=x onerror=alert(1)&gt;"));
    CHECK(contains(page, "SCL-1 &lt;b&gt;&quot;x&quot;&lt;/b&gt;"));
    CHECK(contains(page, "&lt;t&gt;.yaml"));

    // Self-contained: no script, no fetch, and the policy that forbids both.
    CHECK(contains(page, "<meta charset=\"utf-8\""));
    CHECK(contains(page, "Content-Security-Policy\" content=\"default-src 'none'"));
    CHECK(mvtest::external_reference(page).empty());
    CHECK_FALSE(contains(page, "http:"));
    CHECK_FALSE(contains(page, "https:"));

    CHECK(mvtest::tag_balance_problem(page).empty());
    // Folder bars, detection bars, detections over time.
    check_svgs_are_labelled(page, 3);

    // Both messages are delivered (the rule bypasses filtering for the gateway); the
    // failing one is the rule's risky example, the aligned one an unnecessary match.
    const boost::json::value doc = output::to_json(rep);
    const auto figures = mvtest::shown_figures(page);
    const auto mismatches = mvtest::figure_mismatches(figures, doc);
    for (const auto& m : mismatches) {
        FAIL_CHECK(m);
    }
    const auto shown = [&](const std::string& pointer) {
        const auto it = std::find_if(figures.begin(), figures.end(),
                                     [&](const auto& f) { return f.pointer == pointer; });
        return it == figures.end() ? std::string("(absent)") : it->text;
    };
    CHECK(shown("/threat_status/messages") == "2");
    CHECK(shown("/threat_status/recipients") == "2");
    CHECK(shown("/threat_status/by_final_folder/inbox") == "2");
    CHECK(shown("/override_analysis/0/matched") == "2");
    CHECK(shown("/override_analysis/0/unnecessary") == "1");
    CHECK(shown("/override_analysis/0/risky") == "1");
    CHECK(shown("/override_analysis/0/risky_examples/0/file") == hostile_file);
    // The days: 2026-11-02 (UTC of 00:30 +0100) and 2026-11-04, the quiet day between
    // them shown as an empty row.
    CHECK(contains(page, "<th scope=\"row\">2026-11-02</th>"));
    CHECK(contains(page, "<th scope=\"row\">2026-11-03</th>"));
    CHECK(contains(page, "<th scope=\"row\">2026-11-04</th>"));
    std::size_t day_figures = 0;
    for (const auto& f : figures) {
        if (f.pointer.rfind("/threat_status/by_day/", 0) == 0) {
            ++day_figures;
            CHECK(f.text == "1");
        }
    }
    CHECK(day_figures == 2);
}

TEST_CASE("diff page: the flow, the moved recipients, hostile message IDs as text") {
    const Tenant a = Tenant::parse(tenant_with_rule, "a.yaml");
    const Tenant b = Tenant::parse(tenant_without_rule, "b.yaml");
    report::Diff diff;
    diff.add(judge(a, failing), judge(b, failing), hostile_file);
    diff.add(judge(a, aligned), judge(b, aligned), "ok.eml");
    std::ostringstream out;
    output::write_diff_html(out, diff, "a.yaml", "<b>.yaml");
    const std::string page = out.str();

    CHECK_FALSE(contains(lower(page), "<script"));
    CHECK_FALSE(contains(lower(page), "<img"));
    CHECK_FALSE(contains(page, "<b>"));
    const auto doc = boost::json::value(output::to_json(diff));
    // The Message-ID is kept as written (a test that means something only if it is).
    REQUIRE(
        contains(std::string(doc.at("changes").at(0).at("message_id").as_string()), "<script>"));
    // (Code text may break after '/': <wbr> between the characters, no text.)
    CHECK(contains(std::regex_replace(page, std::regex("<wbr>"), ""),
                   "&lt;&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;@x&gt;"));
    CHECK(mvtest::tag_balance_problem(page).empty());
    check_svgs_are_labelled(page, 1);  // the flow

    const auto figures = mvtest::shown_figures(page);
    for (const auto& m : mvtest::figure_mismatches(figures, doc)) {
        FAIL_CHECK(m);
    }
    // Without the rule the failing message leaves the Inbox: one moved recipient, listed
    // by file; the aligned one stays in the Inbox and only its override changes.
    const auto moved = std::count_if(figures.begin(), figures.end(), [](const auto& f) {
        return f.pointer.rfind("/moved_to_junk_or_quarantine/", 0) == 0 && f.pointer.size() > 5 &&
               f.pointer.substr(f.pointer.size() - 5) == "/file";
    });
    CHECK(moved == 1);
    CHECK(std::any_of(figures.begin(), figures.end(), [&](const auto& f) {
        return f.pointer == "/moved_to_junk_or_quarantine/0/file" && f.text == hostile_file;
    }));
    CHECK(std::any_of(figures.begin(), figures.end(), [](const auto& f) {
        return f.pointer == "/totals/folder_changed" && f.text == "1";
    }));
    CHECK(mvtest::external_reference(page).empty());
    // The flow has one band into the Inbox that stays (pale) and one that leaves it.
    CHECK(contains(page, "class=\"band k-inbox same\""));
    CHECK(std::regex_search(page, std::regex(R"re(class="band k-(junk|quarantine|rejected)")re")));
}

TEST_CASE("empty report and diff still render whole pages") {
    report::Report rep;
    std::ostringstream r;
    output::write_report_html(r, rep);
    CHECK(mvtest::tag_balance_problem(r.str()).empty());
    CHECK(contains(r.str(), "No data"));
    CHECK(contains(r.str(), "No sender failed explicit email authentication."));
    report::Diff diff;
    std::ostringstream d;
    output::write_diff_html(d, diff, "a", "b");
    CHECK(mvtest::tag_balance_problem(d.str()).empty());
    CHECK(contains(d.str(), "Nothing changes between A and B."));
}

TEST_CASE("charts: bars scale to the largest value, columns stack, the checker sees errors") {
    html::BarChart bars;
    bars.id = "b";
    bars.title = "t";
    bars.description = "d";
    bars.series = {{"one", "k-inbox"}};
    bars.groups = {{"big", {10}, ""}, {"zero", {0}, ""}};
    std::ostringstream out;
    html::write_bar_chart(out, bars);
    const std::string svg = out.str();
    CHECK(mvtest::tag_balance_problem(svg).empty());
    // Axis 0..10 in steps of 2 (1, 2, 5 x 10^n giving about five intervals).
    for (const char* tick : {">0<", ">2<", ">4<", ">6<", ">8<", ">10<"}) {
        CHECK(contains(svg, tick));
    }
    CHECK(contains(svg, "<title>zero \xe2\x80\x94 one: 0</title>"));
    CHECK(contains(svg, "width=\"0.0\""));  // an empty bar, not a negative one

    // The checker itself: an unclosed or misnested element is reported.
    CHECK_FALSE(mvtest::tag_balance_problem("<div><span></div>").empty());
    CHECK_FALSE(mvtest::tag_balance_problem("<svg><g></svg>").empty());
    CHECK(mvtest::tag_balance_problem("<p>a<wbr>b<line/></p>").empty());
    // ... and so is a reference to anything outside the page.
    CHECK_FALSE(mvtest::external_reference("<img alt=\"\" src=\"x.png\">").empty());
    CHECK_FALSE(mvtest::external_reference("<a href=\"https://example.com/\">x</a>").empty());
    CHECK_FALSE(mvtest::external_reference("<p style=\"background:url(x.png)\">").empty());
    CHECK(mvtest::external_reference("<a href=\"#spoof\">x</a> img src=x as text").empty());
}
