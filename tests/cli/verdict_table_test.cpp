// `verdict --format table` (the quick start's view of the corpus): one row per recipient
// whose columns must say what corpus/expected/verdicts.txt (the hand-reviewed verdicts)
// says for the pilot tenant.
#include "support/run_command.hpp"

#include <doctest/doctest.h>

#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <utility>

namespace {

using mvtest::corpus;
using mvtest::run_command;

// (message, recipient) -> "final system SFV CAT SCL compauth" as the table prints them
// (system "=" when it equals final).
std::map<std::pair<std::string, std::string>, std::string> expected_rows(
    const std::string& tenant) {
    std::ifstream in(std::string(MV_SOURCE_DIR) + "/corpus/expected/verdicts.txt");
    REQUIRE(in);
    std::map<std::pair<std::string, std::string>, std::string> out;
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream w(line);
        std::string t, message, recipient, system, final, sfv, cat, scl, compauth;
        if (!(w >> t >> message >> recipient >> system >> final >> sfv >> cat >> scl >> compauth) ||
            t != tenant) {
            continue;
        }
        out[{message, recipient}] = final + " " + (system == final ? "=" : system) + " " + sfv +
                                    " " + cat + " " + scl + " " + compauth;
    }
    return out;
}

}  // namespace

TEST_CASE("verdict --format table: every row as the hand-reviewed pilot verdicts say") {
    const auto r = run_command(mvtest::cli() + " verdict " + corpus("messages") + " --policy " +
                               corpus("tenants/pilot.yaml") + " --dns-zone " + corpus("dns") +
                               " --format table --jobs 2");
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    const auto expected = expected_rows("pilot");
    REQUIRE(expected.size() > 80);
    std::istringstream lines(r.out);
    std::string line;
    REQUIRE(std::getline(lines, line));
    CHECK(line.rfind("MESSAGE", 0) == 0);
    CHECK(line.find("RECIPIENT") != std::string::npos);
    CHECK(line.find("COMPAUTH") != std::string::npos);
    std::size_t rows = 0;
    while (std::getline(lines, line) && line.find(" message(s), ") == std::string::npos) {
        std::istringstream w(line);
        std::string message, recipient, final, system, sfv, cat, scl, compauth;
        REQUIRE_MESSAGE(static_cast<bool>(w >> message >> recipient >> final >> system >> sfv >>
                                          cat >> scl >> compauth),
                        line);
        const auto it = expected.find({message, recipient});
        REQUIRE_MESSAGE(it != expected.end(), "no expectation for: " << line);
        CHECK_MESSAGE(
            final + " " + system + " " + sfv + " " + cat + " " + scl + " " + compauth == it->second,
            line);
        ++rows;
    }
    CHECK(rows == expected.size());
    CHECK(line == "68 message(s), 86 recipient verdict(s)");
}

TEST_CASE("verdict --format table: a defective message says so, an unreadable one keeps its row") {
    const auto r = run_command(
        mvtest::cli() + " verdict " + corpus("messages/malformed-no-from.eml") + " " +
        corpus("messages/no-such-message.eml") + " --policy " + corpus("tenants/pilot.yaml") +
        " --dns-zone " + corpus("dns") + " --format table");
    CHECK(r.exit_code == 1);
    // malformed-no-from: no From field, compauth none/301 (corpus/expected/verdicts.txt),
    // and its defects counted on the row.
    CHECK(r.out.find("malformed-no-from.eml") != std::string::npos);
    CHECK(r.out.find("none/301") != std::string::npos);
    CHECK(r.out.find("defect(s)]") != std::string::npos);
    CHECK(r.out.find("\nno-such-message.eml  (not read: ") != std::string::npos);
}
