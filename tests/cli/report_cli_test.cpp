// The real mailverdict binary: `report` and `diff` over the corpus, checked against
// corpus/expected/verdicts.txt (the hand-reviewed expectations), never against the tool.
#include "support/run_command.hpp"

#include <doctest/doctest.h>
#include <boost/json/parse.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <utility>

namespace {

using mvtest::cli;
using mvtest::corpus;
using mvtest::run_command;
using Key = std::pair<std::string, std::string>;  // message file name, recipient

struct Expected {
    std::string system, final;
};

// tenant -> (message, recipient) -> folders, from corpus/expected/verdicts.txt.
std::map<std::string, std::map<Key, Expected>> expected_verdicts() {
    std::ifstream in(std::string(MV_SOURCE_DIR) + "/corpus/expected/verdicts.txt");
    REQUIRE(in);
    std::map<std::string, std::map<Key, Expected>> out;
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#') {
            continue;
        }
        std::istringstream words(line);
        std::string tenant, message, recipient, system, final;
        words >> tenant >> message >> recipient >> system >> final;
        REQUIRE_MESSAGE(!final.empty(), line);
        out[tenant][{message, recipient}] = {system, final};
    }
    return out;
}

std::string name_of(const boost::json::value& file) {
    return std::filesystem::path(std::string(file.as_string())).filename().string();
}

bool junk_or_worse(const std::string& folder) {
    return folder == "junk" || folder == "quarantine" || folder == "rejected";
}

// Explorer's delivery actions (brief 11.1): Delivered < Delivered to junk < Blocked.
int severity(const std::string& folder) {
    return folder == "junk" ? 1 : junk_or_worse(folder) ? 2 : 0;
}

}  // namespace

TEST_CASE("diff pilot -> after-cutover lists exactly the recipients whose final folder changes") {
    const auto all = expected_verdicts();
    const auto& pilot = all.at("pilot");
    const auto& cutover = all.at("after-cutover");
    std::set<Key> expected;
    std::set<Key> expected_moved;
    for (const auto& [key, a] : pilot) {
        const auto& b = cutover.at(key);
        if (a.final != b.final) {
            expected.insert(key);
            if (severity(b.final) > severity(a.final)) {
                expected_moved.insert(key);
            }
        }
    }
    REQUIRE(!expected.empty());
    const auto r = run_command(cli() + " diff " + corpus("messages") + " --policy " +
                               corpus("tenants/pilot.yaml") + " --policy " +
                               corpus("tenants/after-cutover.yaml") + " --dns-zone " +
                               corpus("dns") + " --format json --jobs 2");
    REQUIRE(r.exit_code == 0);
    const auto doc = boost::json::parse(r.out).as_object();
    std::set<Key> listed;
    for (const auto& c : doc.at("changes").as_array()) {
        const auto& o = c.as_object();
        if (o.at("folder_changed").as_bool()) {
            const Key key{name_of(o.at("file")), std::string(o.at("recipient").as_string())};
            listed.insert(key);
            // The folders printed are the expected ones.
            CHECK(std::string(o.at("folder").at("a").as_string()) == pilot.at(key).final);
            CHECK(std::string(o.at("folder").at("b").as_string()) == cutover.at(key).final);
        }
    }
    CHECK(listed == expected);
    std::set<Key> moved;
    for (const auto& c : doc.at("moved_to_junk_or_quarantine").as_array()) {
        moved.insert({name_of(c.at("file")), std::string(c.at("recipient").as_string())});
    }
    CHECK(moved == expected_moved);
    CHECK(doc.at("totals").at("folder_changed").as_int64() ==
          static_cast<std::int64_t>(expected.size()));
    CHECK(doc.at("totals").at("recipients").as_int64() == static_cast<std::int64_t>(pilot.size()));

    // The text rendering names every moved recipient too.
    const auto t = run_command(
        cli() + " diff " + corpus("messages") + " --policy " + corpus("tenants/pilot.yaml") +
        " --policy " + corpus("tenants/after-cutover.yaml") + " --dns-zone " + corpus("dns"));
    CHECK(t.exit_code == 0);
    CHECK(t.out.find("Moved to Junk/Quarantine/Rejected under B: " +
                     std::to_string(expected_moved.size())) != std::string::npos);
}

TEST_CASE("report before-pilot: the SCL=-1 rule is risky exactly where it hides junk/quarantine") {
    const auto all = expected_verdicts();
    std::set<Key> expected;
    std::size_t recipients = 0;
    for (const auto& [key, v] : all.at("before-pilot")) {
        ++recipients;
        if (junk_or_worse(v.system) && v.final == "inbox") {
            expected.insert(key);
        }
    }
    REQUIRE(!expected.empty());
    const auto r = run_command(cli() + " report " + corpus("messages") + " --policy " +
                               corpus("tenants/before-pilot.yaml") + " --dns-zone " +
                               corpus("dns") + " --format json --jobs 2");
    REQUIRE(r.exit_code == 0);
    const auto doc = boost::json::parse(r.out).as_object();
    CHECK(doc.at("threat_status").at("recipients").as_int64() ==
          static_cast<std::int64_t>(recipients));
    std::size_t rows = 0;
    for (const auto& row : doc.at("override_analysis").as_array()) {
        if (row.at("mechanism").as_string() != "mail_flow_rule_bypass") {
            continue;
        }
        ++rows;
        CHECK(row.at("source").as_string() == "Exchange transport rule");
        CHECK(row.at("risky").as_int64() == static_cast<std::int64_t>(expected.size()));
        std::set<Key> examples;
        for (const auto& e : row.at("risky_examples").as_array()) {
            examples.insert({name_of(e.at("file")), std::string(e.at("recipient").as_string())});
        }
        CHECK(examples == expected);
        // Unnecessary + changed = matched: every other recipient it bypassed changed nothing.
        CHECK(row.at("unnecessary").as_int64() + row.at("changed").as_int64() ==
              row.at("matched").as_int64());
    }
    CHECK(rows == 1);
}

TEST_CASE("report and diff: usage errors exit 2") {
    const auto bad = run_command(cli() + " report " + corpus("messages") + " --policy " +
                                 corpus("tenants/pilot.yaml") + " --format jsonl");
    CHECK(bad.exit_code == 2);
    CHECK(bad.err.find("not available") != std::string::npos);
    const auto one = run_command(cli() + " diff " + corpus("messages") + " --policy " +
                                 corpus("tenants/pilot.yaml"));
    CHECK(one.exit_code == 2);
    CHECK(one.err.find("twice") != std::string::npos);
}
