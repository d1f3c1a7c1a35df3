// Impersonation insight of `mailverdict report` (issue 7): what onboarding step 4 asks an
// administrator to check before turning impersonation actions on.
#include "support/run_command.hpp"

#include <doctest/doctest.h>
#include <boost/json/parse.hpp>

#include <filesystem>
#include <string>

namespace {

// Over the look-alike billing domain's message only: the corpus has other impersonation
// scenarios (docs/corpus.md), each with its own expectation in corpus/expected/verdicts.txt.
std::string report(const std::string& tenant, const std::string& extra = "") {
    const std::string src = MV_SOURCE_DIR;
    const auto r = mvtest::run_command(
        mvtest::cli() + " report " +
        mvtest::shell_quote(src + "/corpus/messages/tabl-blocked-domain.eml") + " --policy " +
        mvtest::shell_quote(src + "/corpus/tenants/" + tenant + ".yaml") + " --dns-zone " +
        mvtest::shell_quote(src + "/corpus/dns") + " --format json" + extra);
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    return r.out;
}

}  // namespace

TEST_CASE("report: the look-alike billing domain is in the impersonation insight under Strict") {
    // corpus/expected/verdicts.txt: strict-everyone tabl-blocked-domain.eml is DIMP
    // (fabrikam-billing.example imitates the protected fabrikam.com).
    const auto doc = boost::json::parse(report("strict-everyone"));
    const auto& insight = doc.at("impersonation_insight").as_array();
    REQUIRE(insight.size() == 1);
    CHECK(insight[0].at("sender").as_string() == "fabrikam-billing.example");
    CHECK(insight[0].at("impersonated").as_string() == "fabrikam.com");
    CHECK(insight[0].at("kind").as_string() == "DIMP");
    CHECK(insight[0].at("messages").as_int64() == 1);
    CHECK_FALSE(insight[0].at("allowed_to_impersonate").as_bool());
}

TEST_CASE("report: no impersonation insight where no policy protects the recipients") {
    // pilot: megan gets the default anti-phishing policy (no impersonation protection).
    const auto doc = boost::json::parse(report("pilot"));
    CHECK(doc.at("impersonation_insight").as_array().empty());
}

TEST_CASE("report: a known contact is listed as allowed to impersonate") {
    const std::string src = MV_SOURCE_DIR;
    const auto db = std::filesystem::temp_directory_path() / "mv-insight-contacts.db";
    std::filesystem::remove(db);
    const auto learn = mvtest::run_command(
        mvtest::cli() + " learn " + mvtest::shell_quote(src + "/corpus/messages") + " --out " +
        mvtest::shell_quote(db.string()) + " --tenant " +
        mvtest::shell_quote(src + "/corpus/tenants/strict-everyone.yaml"));
    REQUIRE_MESSAGE(learn.exit_code == 0, learn.err);
    const auto doc = boost::json::parse(
        report("strict-everyone", " --contacts " + mvtest::shell_quote(db.string())));
    const auto& insight = doc.at("impersonation_insight").as_array();
    REQUIRE(insight.size() == 1);
    CHECK(insight[0].at("allowed_to_impersonate").as_bool());
    CHECK(insight[0].at("allowed_because").as_string() == "known_contact");
    std::filesystem::remove(db);
}
