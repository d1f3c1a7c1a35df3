// `report` and `diff` --format html from the real binary over the corpus, rendered by a
// real browser: Debian's Chromium (scripts/setup installs it; the test fails without it),
// headless, with every host name unresolvable. Checked: the browser logs no console
// message (the detector is shown to catch a broken page first), the rendered DOM shows the
// same numbers as --format json for the same input, and the page references nothing
// outside itself.
#include "support/html_check.hpp"
#include "support/run_command.hpp"

#include <doctest/doctest.h>
#include <boost/json/parse.hpp>

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using mvtest::cli;
using mvtest::corpus;
using mvtest::run_command;
using mvtest::shell_quote;

const char* const chromium = "/usr/bin/chromium";

struct TempDir {
    fs::path path;
    TempDir() {
        std::string pattern = (fs::temp_directory_path() / "mv-html-XXXXXX").string();
        REQUIRE(mkdtemp(pattern.data()) != nullptr);
        path = pattern;
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
};

void write(const fs::path& file, const std::string& text) {
    std::ofstream out(file, std::ios::binary);
    out << text;
    REQUIRE(out.good());
}

std::string slurp(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

struct Rendered {
    int exit_code = -1;
    std::string dom;
    std::vector<std::string> console;  // every console message the page produced
};

// One headless Chromium run over a local file, in its own fresh profile. `timeout`
// bounds it (a hung browser fails the test in 90 s instead of stalling CI). Every host
// name resolves to nothing, so a fetch cannot leave the machine even if the page's
// Content-Security-Policy were missing; with the policy, any attempt is logged as a
// console message, which is what this collects (--enable-logging=stderr writes each one
// as an INFO:CONSOLE line, whatever its level).
Rendered render(const fs::path& page, const fs::path& work) {
    REQUIRE_MESSAGE(fs::exists(chromium),
                    "Chromium is missing: scripts/setup installs Debian's chromium package");
    static int serial = 0;
    const fs::path profile = work / ("profile-" + std::to_string(++serial));
    const auto r = run_command(
        "timeout -k 10 90 " + shell_quote(chromium) +
        " --headless --no-sandbox --disable-gpu --disable-background-networking"
        " --disable-component-update --disable-sync --disable-extensions --no-first-run"
        " --no-default-browser-check --user-data-dir=" +
        shell_quote(profile.string()) + " --host-resolver-rules='MAP * ~NOTFOUND'" +
        " --enable-logging=stderr --v=0 --dump-dom " + shell_quote("file://" + page.string()));
    Rendered out;
    out.exit_code = r.exit_code;
    out.dom = r.out;
    std::istringstream lines(r.err);
    for (std::string line; std::getline(lines, line);) {
        if (line.find(":CONSOLE") != std::string::npos) {
            out.console.push_back(line);
        }
    }
    return out;
}

void check_clean_render(const Rendered& r) {
    CHECK(r.exit_code == 0);  // 124: the timeout expired
    for (const auto& line : r.console) {
        FAIL_CHECK("console: " << line);
    }
    CHECK(r.dom.find("</html>") != std::string::npos);
}

// The figures the page shows against the JSON, and the pointers that must be among them.
void check_figures(const std::string& dom, const json::value& doc,
                   const std::vector<std::string>& required) {
    const auto figures = mvtest::shown_figures(dom);
    for (const auto& m : mvtest::figure_mismatches(figures, doc)) {
        FAIL_CHECK(m);
    }
    for (const auto& pointer : required) {
        const bool shown = std::any_of(figures.begin(), figures.end(),
                                       [&](const auto& f) { return f.pointer == pointer; });
        CHECK_MESSAGE(shown, "not shown: " << pointer);
    }
}

// The page file itself: a policy forbidding fetches and scripts, no script, no reference
// to anything outside the page.
void check_self_contained(const std::string& page) {
    CHECK(page.find("http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'") !=
          std::string::npos);
    CHECK(page.find("<script") == std::string::npos);
    CHECK(page.find("http://") == std::string::npos);
    CHECK(page.find("https://") == std::string::npos);
    CHECK_MESSAGE(mvtest::external_reference(page).empty(), mvtest::external_reference(page));
}

// The command's --format json and --format html for the same arguments; the page is
// checked for self-containment and written to `page`.
struct BothFormats {
    json::value doc;
    std::string html;
};

BothFormats run_both(const std::string& args, const fs::path& page) {
    const auto j = run_command(cli() + args + " --format json");
    REQUIRE(j.exit_code == 0);
    const auto h = run_command(cli() + args + " --format html");
    REQUIRE(h.exit_code == 0);
    check_self_contained(h.out);
    write(page, h.out);
    return {json::parse(j.out), h.out};
}

std::string key_pointer(const std::string& base, const std::string& key) {
    std::string token;
    for (const char c : key) {
        token += c == '~' ? std::string("~0") : c == '/' ? std::string("~1") : std::string(1, c);
    }
    return base + "/" + token;
}

// The posture figures a page must show (posture JSON under `base`): the score, the
// severity counts, and every check with its points.
std::vector<std::string> posture_pointers(const json::object& posture, const std::string& base) {
    std::vector<std::string> out;
    for (const char* k : {"earned", "possible", "percent", "unchecked"}) {
        out.push_back(base + "/score/" + k);
    }
    for (const char* k : {"high", "medium", "low", "informational", "passed", "could_not_check"}) {
        out.push_back(base + "/summary/" + k);
    }
    const auto& findings = posture.at("findings").as_array();
    for (std::size_t i = 0; i < findings.size(); ++i) {
        for (const char* f : {"severity", "subject", "current", "action", "points_possible"}) {
            out.push_back(base + "/findings/" + std::to_string(i) + "/" + f);
        }
    }
    const auto& passed = posture.at("passed").as_array();
    for (std::size_t i = 0; i < passed.size(); ++i) {
        for (const char* f : {"id", "subject", "points_earned"}) {
            out.push_back(base + "/passed/" + std::to_string(i) + "/" + f);
        }
    }
    return out;
}

std::size_t count(const std::string& s, const std::string& what) {
    std::size_t n = 0;
    for (std::size_t at = s.find(what); at != std::string::npos; at = s.find(what, at + 1)) {
        ++n;
    }
    return n;
}

}  // namespace

TEST_CASE("html report: Chromium renders it without a console message, with the JSON's numbers") {
    TempDir tmp;
    const std::string args = " report " + corpus("messages") + " --policy " +
                             corpus("tenants/pilot.yaml") + " --dns-zone " + corpus("dns") +
                             " --jobs 2";
    const fs::path page = tmp.path / "report.html";
    const auto both = run_both(args, page);
    const json::value& doc = both.doc;

    // The detector first: the same page with a fetch the policy refuses and an SVG path
    // the browser cannot parse must produce console messages naming both.
    std::string broken = both.html;
    broken.insert(broken.rfind("</body>"),
                  "<img alt=\"\" src=\"https://example.invalid/x.png\">"
                  "<svg><path d=\"M 0 0 L x\"/></svg>");
    CHECK_FALSE(mvtest::external_reference(broken).empty());
    const fs::path broken_page = tmp.path / "broken.html";
    write(broken_page, broken);
    const Rendered bad = render(broken_page, tmp.path);
    CHECK(bad.exit_code == 0);
    std::string bad_log;
    for (const auto& line : bad.console) {
        bad_log += line + "\n";
    }
    CHECK_MESSAGE(bad_log.find("Content Security Policy") != std::string::npos, bad_log);
    CHECK_MESSAGE(bad_log.find("attribute d") != std::string::npos, bad_log);

    const Rendered r = render(page, tmp.path);
    check_clean_render(r);

    // Every count of the JSON report is on the page, equal.
    std::vector<std::string> required{"/threat_status/messages", "/threat_status/recipients"};
    const auto& status = doc.at("threat_status").as_object();
    for (const char* map :
         {"by_detection", "by_detection_technology", "by_system_folder", "by_final_folder"}) {
        for (const auto& kv : status.at(map).as_object()) {
            required.push_back(key_pointer(std::string("/threat_status/") + map, kv.key()));
        }
    }
    for (std::size_t i = 0; i < status.at("system_to_final").as_array().size(); ++i) {
        required.push_back("/threat_status/system_to_final/" + std::to_string(i) + "/count");
    }
    REQUIRE(!status.at("by_day").as_object().empty());
    for (const auto& day : status.at("by_day").as_object()) {
        for (const auto& cat : day.value().as_object()) {
            required.push_back(
                key_pointer(key_pointer("/threat_status/by_day", day.key()), cat.key()));
        }
    }
    const auto rows = [&](const char* table, std::initializer_list<const char*> fields) {
        const auto& a = doc.at(table).as_array();
        for (std::size_t i = 0; i < a.size(); ++i) {
            for (const char* f : fields) {
                required.push_back(std::string("/") + table + "/" + std::to_string(i) + "/" + f);
            }
        }
    };
    rows("spoof_insight", {"spoofed_user", "sending_infrastructure", "messages"});
    rows("impersonation_insight", {"sender", "impersonated", "messages", "recipients"});
    rows("override_analysis", {"source", "entry", "matched", "applied", "changed", "unnecessary",
                               "risky", "risky_junk", "risky_quarantine_or_reject"});
    rows("auth_failures", {"from_domain", "messages"});
    rows("readiness", {"from_domain", "messages", "spf_aligned", "dkim_aligned", "aligned"});
    const auto& overrides = doc.at("override_analysis").as_array();
    for (std::size_t i = 0; i < overrides.size(); ++i) {
        const auto& ex = overrides[i].at("risky_examples").as_array();
        for (std::size_t k = 0; k < ex.size(); ++k) {
            const std::string p =
                "/override_analysis/" + std::to_string(i) + "/risky_examples/" + std::to_string(k);
            required.push_back(p + "/file");
            required.push_back(p + "/recipient");
        }
    }
    // The tenant's posture, under "/posture" (issue 8 item 7: in the HTML report too).
    REQUIRE(!doc.at("posture").at("findings").as_array().empty());
    for (auto& p : posture_pointers(doc.at("posture").as_object(), "/posture")) {
        required.push_back(std::move(p));
    }
    REQUIRE(required.size() > 60);  // the corpus fills every table but impersonation
    check_figures(r.dom, doc, required);
    // Three charts: folders, detections, detections over time.
    CHECK(count(r.dom, "<svg ") == 3);
    CHECK(count(r.dom, "role=\"img\"") == 3);
}

TEST_CASE("html diff pilot -> after-cutover: Chromium shows the flow and the JSON's changes") {
    TempDir tmp;
    const std::string args =
        " diff " + corpus("messages") + " --policy " + corpus("tenants/pilot.yaml") + " --policy " +
        corpus("tenants/after-cutover.yaml") + " --dns-zone " + corpus("dns") + " --jobs 2";
    const fs::path page = tmp.path / "diff.html";
    const json::value doc = run_both(args, page).doc;
    const Rendered r = render(page, tmp.path);
    check_clean_render(r);

    std::vector<std::string> required;
    for (const char* t : {"messages", "recipients", "changed", "folder_changed",
                          "detections_changed", "overrides_changed"}) {
        required.push_back(std::string("/totals/") + t);
    }
    const auto& flow = doc.at("totals").at("folder_flow").as_array();
    for (std::size_t i = 0; i < flow.size(); ++i) {
        required.push_back("/totals/folder_flow/" + std::to_string(i) + "/count");
    }
    for (const char* list : {"changes", "moved_to_junk_or_quarantine"}) {
        const auto& a = doc.at(list).as_array();
        for (std::size_t i = 0; i < a.size(); ++i) {
            const std::string p = std::string("/") + list + "/" + std::to_string(i);
            for (const char* f : {"/file", "/recipient", "/folder/a", "/folder/b"}) {
                required.push_back(p + f);
            }
        }
    }
    REQUIRE(!doc.at("moved_to_junk_or_quarantine").as_array().empty());
    check_figures(r.dom, doc, required);
    // The flow diagram: one band per A -> B pair with recipients.
    std::size_t bands = 0;
    for (const auto& f : flow) {
        bands += f.at("count").as_int64() > 0 ? 1 : 0;
    }
    CHECK(count(r.dom, "<path class=\"band ") == bands);
    CHECK(count(r.dom, "<svg ") == 1);
}

TEST_CASE("html diff: a hostile file name and Message-ID stay text in the browser") {
    TempDir tmp;
    const fs::path inputs = tmp.path / "in";
    fs::create_directory(inputs);
    // The SCL=-1 rule hides this message's spoof for a non-pilot recipient: it changes
    // folder between pilot and after-cutover, so it is listed with its file and ID.
    std::string message =
        slurp(fs::path(MV_SOURCE_DIR) / "corpus/messages/spoof-pilot-vs-nonpilot.eml");
    const std::string id_line = "Message-ID: <alert-20261113-0658@woodgrovebank.example>";
    const auto at = message.find(id_line);
    REQUIRE(at != std::string::npos);
    message.replace(at, id_line.size(), "Message-ID: <\"><script>alert(1)</script>@x>");
    const std::string hostile = "\"><img src=x onerror=alert(1)>.eml";
    write(inputs / hostile, message);

    const std::string args = " diff " + shell_quote(inputs.string()) + " --policy " +
                             corpus("tenants/pilot.yaml") + " --policy " +
                             corpus("tenants/after-cutover.yaml") + " --dns-zone " + corpus("dns");
    const fs::path page = tmp.path / "hostile.html";
    const json::value doc = run_both(args, page).doc;
    REQUIRE(!doc.at("moved_to_junk_or_quarantine").as_array().empty());
    const Rendered r = render(page, tmp.path);
    check_clean_render(r);
    // No element came from the input: the only <img>/<script> would be the attacker's.
    CHECK(r.dom.find("<img") == std::string::npos);
    CHECK(r.dom.find("<script") == std::string::npos);
    std::string text = r.dom;
    for (std::size_t p; (p = text.find("<wbr>")) != std::string::npos;) {
        text.erase(p, 5);
    }
    CHECK(text.find("&lt;img src=x onerror=alert(1)&gt;.eml") != std::string::npos);
    CHECK(text.find("&lt;script&gt;alert(1)&lt;/script&gt;@x&gt;") != std::string::npos);
    check_figures(r.dom, doc, {"/moved_to_junk_or_quarantine/0/file"});
}

TEST_CASE("html posture: Chromium shows the JSON's score, findings and passed checks") {
    TempDir tmp;
    // Before the pilot: the SCL=-1 rule for everyone, connector restrictions, no Enhanced
    // Filtering (docs/posture.md) - findings of every severity.
    const std::string args =
        " posture --policy " + corpus("tenants/before-pilot.yaml") + " --dns-zone " + corpus("dns");
    const fs::path page = tmp.path / "posture.html";
    const auto both = run_both(args, page);
    const auto& doc = both.doc.as_object();
    CHECK(doc.at("summary").at("high").as_int64() > 0);
    const Rendered r = render(page, tmp.path);
    check_clean_render(r);
    auto required = posture_pointers(doc, "");
    REQUIRE(required.size() > 40);
    check_figures(r.dom, both.doc, required);
    CHECK(r.dom.find("mailverdict posture") != std::string::npos);
}
