// The real mailverdict binary: `parse` over the corpus, exit codes, bad input.
#include "support/run_command.hpp"

#include <doctest/doctest.h>
#include <boost/json/parse.hpp>

#include <filesystem>
#include <sstream>
#include <string>

namespace {

using mvtest::cli;
using mvtest::corpus;
using mvtest::run_command;

std::size_t count_eml(const std::filesystem::path& dir) {
    std::size_t n = 0;
    for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
        n += e.path().extension() == ".eml" ? 1 : 0;
    }
    return n;
}

}  // namespace

TEST_CASE("parse --format jsonl prints one parsed object per corpus message") {
    const auto r = run_command(cli() + " parse " + corpus("messages") + " --format jsonl");
    CHECK(r.exit_code == 0);
    std::istringstream lines(r.out);
    std::string line;
    std::size_t n = 0;
    while (std::getline(lines, line)) {
        const auto v = boost::json::parse(line);
        CHECK(v.at("parsed").as_bool());
        CHECK(v.as_object().contains("envelope"));
        ++n;
    }
    CHECK(n == count_eml(std::string(MV_SOURCE_DIR) + "/corpus/messages"));
}

TEST_CASE("parse reports the EOP front-end client of a message saved from Exchange Online") {
    const auto r = run_command(cli() + " parse " + corpus("messages/eop-saved-direct.eml") +
                               " --boundary '*.mail.protection.outlook.com' --format json");
    REQUIRE(r.exit_code == 0);
    const auto doc = boost::json::parse(r.out);
    const auto& env = doc.at(0).at("envelope");
    // mdo-behaviour 16: the from IP of the topmost hop received by *.mail.protection.outlook.com
    CHECK(env.at("client_ip").as_string() == "198.51.100.25");
    CHECK(env.at("helo").as_string() == "mail.fabrikam.com");
    CHECK(env.at("source").as_string() == "boundary_hop");
    CHECK(env.at("mail_from").as_string() == "invoices@fabrikam.com");
    CHECK(doc.at(0).at("from").at("domain").as_string() == "fabrikam.com");
}

TEST_CASE("parse keeps going past a missing file and exits 1") {
    const auto r = run_command(cli() + " parse /nonexistent/x.eml " +
                               corpus("messages/ipv6-direct.eml") + " --format jsonl");
    CHECK(r.exit_code == 1);
    CHECK(r.err.find("/nonexistent/x.eml") != std::string::npos);
    std::istringstream lines(r.out);
    std::string first;
    std::string second;
    std::getline(lines, first);
    std::getline(lines, second);
    CHECK_FALSE(boost::json::parse(first).at("parsed").as_bool());
    CHECK(boost::json::parse(second).at("parsed").as_bool());
}

TEST_CASE("a malformed message is still reported, with its defects") {
    const auto r = run_command(cli() + " parse " + corpus("messages/malformed-no-from.eml") +
                               " --format json");
    REQUIRE(r.exit_code == 0);
    const auto doc = boost::json::parse(r.out);
    std::string kinds;
    for (const auto& d : doc.at(0).at("defects").as_array()) {
        kinds += std::string(d.at("kind").as_string()) + " ";
    }
    CHECK(kinds.find("missing_from") != std::string::npos);
    CHECK(kinds.find("eight_bit_header") != std::string::npos);
    CHECK(kinds.find("line_too_long") != std::string::npos);
    CHECK(kinds.find("header_without_colon") != std::string::npos);
}

TEST_CASE("usage errors exit 2 with one clear line") {
    CHECK(run_command(cli() + " parse --format yaml " + corpus("messages")).exit_code == 2);
    CHECK(run_command(cli() + " nosuchcommand").exit_code == 2);
    const auto r = run_command(cli() + " parse --no-such-option x");
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("no-such-option") != std::string::npos);
}

TEST_CASE("parse with the corpus zones forward-confirms the client's reverse name") {
    const auto r = run_command(cli() + " parse " + corpus("messages/eop-saved-direct.eml") +
                               " --boundary '*.mail.protection.outlook.com' --dns-zone " +
                               corpus("dns") + " --format json");
    REQUIRE(r.exit_code == 0);
    const auto doc = boost::json::parse(r.out);
    const auto& rdns = doc.at(0).at("envelope").at("reverse_dns");
    // corpus/dns: 25.100.51.198.in-addr.arpa PTR mail.fabrikam.com, which has A 198.51.100.25
    CHECK(rdns.at("verified").as_string() == "mail.fabrikam.com");
}

TEST_CASE("an unusable zone path is a configuration error (exit 2)") {
    const auto r = run_command(cli() + " parse " + corpus("messages") + " --dns-zone /nonexistent");
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("/nonexistent") != std::string::npos);
}

TEST_CASE("parse --jobs 2 prints the same lines in the same order as --jobs 1") {
    const auto one =
        run_command(cli() + " parse " + corpus("messages") + " --format jsonl --jobs 1");
    const auto two =
        run_command(cli() + " parse " + corpus("messages") + " --format jsonl --jobs 2");
    CHECK(one.exit_code == 0);
    CHECK(two.exit_code == 0);
    CHECK_FALSE(one.out.empty());
    CHECK(one.out == two.out);
}
