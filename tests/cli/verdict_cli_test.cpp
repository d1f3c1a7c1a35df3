// The real mailverdict binary: `verdict` over the corpus with the pilot tenant.
#include "support/run_command.hpp"

#include <doctest/doctest.h>
#include <boost/json/parse.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace {

using mvtest::cli;
using mvtest::corpus;
using mvtest::run_command;
using mvtest::shell_quote;

}  // namespace

TEST_CASE("verdict --format jsonl: one contract object per corpus message, exit 0") {
    const auto r = run_command(cli() + " verdict " + corpus("messages") + " --policy " +
                               corpus("tenants/pilot.yaml") + " --dns-zone " + corpus("dns") +
                               " --format jsonl --jobs 2");
    CHECK(r.exit_code == 0);
    std::istringstream lines(r.out);
    std::string line;
    std::size_t n = 0;
    std::string previous;
    while (std::getline(lines, line)) {
        const auto v = boost::json::parse(line).as_object();
        for (const char* k : {"file", "parsed", "defects", "message_id", "from", "envelope", "auth",
                              "recipients", "scl", "folder"}) {
            CHECK_MESSAGE(v.contains(k), k);
        }
        const std::string file(v.at("file").as_string());
        CHECK(previous < file);  // input order (sorted paths) whatever --jobs
        previous = file;
        ++n;
    }
    std::size_t expected = 0;
    for (const auto& e :
         std::filesystem::directory_iterator(std::string(MV_SOURCE_DIR) + "/corpus/messages")) {
        expected += e.path().extension() == ".eml" ? 1 : 0;
    }
    CHECK(n == expected);
}

TEST_CASE("verdict: the pilot's SCL=-1 rule bypasses the relayed message (SFV:SKN)") {
    const auto r = run_command(
        cli() + " verdict " + corpus("messages/thirdparty-filter-relayed.eml") + " --policy " +
        corpus("tenants/pilot.yaml") + " --dns-zone " + corpus("dns") + " --format headers");
    CHECK(r.exit_code == 0);
    CHECK(r.out.find("SFV:SKN;") != std::string::npos);
    CHECK(r.out.find("X-MS-Exchange-SkipListedInternetSender: ip=[192.0.2.44]") !=
          std::string::npos);
}

TEST_CASE("verdict: a tenant file error is one line file:line and exit 2") {
    const auto dir = std::filesystem::temp_directory_path() / "mv_verdict_cli_test";
    std::filesystem::create_directories(dir);
    const auto bad = dir / "bad.yaml";
    std::ofstream(bad) << "tenant: {name: C}\nnot_a_key: 1\n";
    const auto r = run_command(cli() + " verdict " + corpus("messages") + " --policy " +
                               shell_quote(bad.string()));
    CHECK(r.exit_code == 2);
    CHECK(r.err.find(bad.string() + ":2:") == 0);
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
}

TEST_CASE("verdict: an unreadable input gives exit 1, the others are still judged") {
    const auto r =
        run_command(cli() + " verdict /nonexistent.eml " + corpus("messages/eop-saved-direct.eml") +
                    " --policy " + corpus("tenants/pilot.yaml") + " --dns-zone " + corpus("dns"));
    CHECK(r.exit_code == 1);
    CHECK(r.out.find("eop-saved-direct.eml") != std::string::npos);
    CHECK(r.out.find("1 message(s)") != std::string::npos);
}

TEST_CASE("verdict --contacts: a database that cannot be opened is one line and exit 2") {
    const auto missing = std::filesystem::temp_directory_path() / "mv_no_such_contacts.db";
    std::filesystem::remove(missing);
    const auto r = run_command(cli() + " verdict " + corpus("messages") + " --policy " +
                               corpus("tenants/pilot.yaml") + " --dns-zone " + corpus("dns") +
                               " --contacts " + shell_quote(missing.string()));
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("--contacts") != std::string::npos);
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
}
