// The corpus regression: every corpus message under every corpus tenant, against the
// hand-reviewed expectations in corpus/expected/verdicts.txt. A tenant written
// "NAME+contacts" is NAME.yaml with the mailbox-intelligence contact graph learned from
// corpus/history; only the messages listed for it are run.
#include "support/run_command.hpp"

#include <doctest/doctest.h>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>

namespace {

struct Expected {
    std::string system_folder, final_folder, sfv, cat, scl, compauth;
};

std::string str(const boost::json::value& v) {
    if (v.is_string()) {
        return std::string(v.get_string());
    }
    if (v.is_int64()) {
        return std::to_string(v.get_int64());
    }
    return v.is_null() ? "" : boost::json::serialize(v);
}

}  // namespace

TEST_CASE("every corpus message under every corpus tenant gives the expected verdict") {
    const std::string src = MV_SOURCE_DIR;
    std::ifstream in(src + "/corpus/expected/verdicts.txt");
    REQUIRE(in);
    // tenant -> "message recipient" -> expected
    std::map<std::string, std::map<std::string, Expected>> expected;
    std::string line;
    while (std::getline(in, line)) {
        line = line.substr(0, line.find('#'));
        std::istringstream words(line);
        std::string tenant, message, recipient;
        Expected e;
        if (!(words >> tenant)) {
            continue;
        }
        const bool complete =
            static_cast<bool>(words >> message >> recipient >> e.system_folder >> e.final_folder >>
                              e.sfv >> e.cat >> e.scl >> e.compauth);
        REQUIRE_MESSAGE(complete, "bad line: " << line);
        expected[tenant][message + " " + recipient] = e;
    }
    // The four stages of the migration (issue 8) and the pilot with mailbox intelligence.
    REQUIRE(expected.size() == 5);
    REQUIRE(expected.count("pilot+contacts") == 1);

    // No structured bindings here: clang 14 cannot capture them in doctest's lambdas.
    for (const auto& tenant_cases : expected) {
        const std::string& tenant = tenant_cases.first;
        const auto& cases = tenant_cases.second;
        const auto plus = tenant.find("+contacts");
        const std::string policy = tenant.substr(0, plus);
        std::string inputs = mvtest::shell_quote(src + "/corpus/messages");
        std::string extra;
        if (plus != std::string::npos) {
            const auto db = std::filesystem::temp_directory_path() / "mv-corpus-contacts.db";
            std::filesystem::remove(db);
            const auto learn = mvtest::run_command(
                mvtest::cli() + " learn " + mvtest::shell_quote(src + "/corpus/history") +
                " --out " + mvtest::shell_quote(db.string()) + " --tenant " +
                mvtest::shell_quote(src + "/corpus/tenants/" + policy + ".yaml"));
            REQUIRE_MESSAGE(learn.exit_code == 0, learn.err);
            extra = " --contacts " + mvtest::shell_quote(db.string());
            std::set<std::string> files;
            for (const auto& c : cases) {
                files.insert(c.first.substr(0, c.first.find(' ')));
            }
            inputs.clear();
            for (const auto& f : files) {
                inputs += " " + mvtest::shell_quote(src + "/corpus/messages/" + f);
            }
        }
        const auto r = mvtest::run_command(
            mvtest::cli() + " verdict " + inputs + " --policy " +
            mvtest::shell_quote(src + "/corpus/tenants/" + policy + ".yaml") + " --dns-zone " +
            mvtest::shell_quote(src + "/corpus/dns") + " --format jsonl" + extra);
        REQUIRE_MESSAGE(r.exit_code == 0, tenant << ": " << r.err);
        std::set<std::string> seen;
        std::istringstream lines(r.out);
        while (std::getline(lines, line)) {
            const auto doc = boost::json::parse(line);
            const std::string file = str(doc.at("file"));
            const std::string message = file.substr(file.rfind('/') + 1);
            const auto& auth = doc.at("auth").at("compauth");
            for (const auto& rcpt : doc.at("recipients").as_array()) {
                const std::string key = message + " " + str(rcpt.at("address"));
                seen.insert(key);
                const auto it = cases.find(key);
                CHECK_MESSAGE(it != cases.end(), tenant << ": no expectation for " << key);
                if (it == cases.end()) {
                    continue;
                }
                const Expected& e = it->second;
                INFO(tenant << " " << key);
                CHECK(str(rcpt.at("system").at("folder")) == e.system_folder);
                CHECK(str(rcpt.at("final").at("folder")) == e.final_folder);
                CHECK(str(rcpt.at("sfv")) == e.sfv);
                CHECK(str(rcpt.at("cat")) == e.cat);
                CHECK(str(rcpt.at("scl")) == e.scl);
                CHECK(str(auth.at("result")) + "/" + str(auth.at("reason")) == e.compauth);
            }
        }
        for (const auto& key_expected : cases) {
            const std::string& key = key_expected.first;
            CHECK_MESSAGE(seen.count(key) == 1, tenant << ": expected " << key << " in the output");
        }
    }
}
