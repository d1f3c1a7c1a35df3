// The real mailverdict binary: `submissions` scores a labels file against the pilot tenant
// over the corpus. Each expected outcome is read off corpus/expected/verdicts.txt (the
// hand-reviewed pilot verdicts) and brief 7.1 (what a submission of each kind suggests):
//   eop-saved-direct           clean  inbox                       -> correct
//   spoof-no-dmarc-direct      clean  junk, SPOOF                 -> false positive, pair allow
//   spoof-pilot-vs-nonpilot    phish  reported by megan: quarantine -> inbox by the SCL=-1
//                                     rule (nestor's quarantined copy is not his report)
//                                                                 -> false negative, the rule
//   bulk-newsletter-bcl6       clean  admin: adele.vance junk, megan.bowen quarantine (BULK
//                                     at the pilot's thresholds)  -> 2 false positives, one
//                                     sender allow (one message)
//   tabl-blocked-domain        spam   quarantine (TABL block)     -> correct
//   phish-sim-advanced-delivery phish quarantine -> inbox by advanced delivery
//                                                                 -> false negative, no tuning
//   <order-55-8812@mail.fabrikam.com> (partner-dkim-signed) clean inbox -> correct
//   missing.eml                spam   no such input               -> unmatched
#include "support/run_command.hpp"

#include <doctest/doctest.h>
#include <boost/json/parse.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>

namespace {

using mvtest::cli;
using mvtest::corpus;
using mvtest::run_command;
using mvtest::shell_quote;

std::filesystem::path write_labels(const std::string& name, const std::string& text) {
    const auto path = std::filesystem::temp_directory_path() / name;
    std::ofstream(path) << text;
    return path;
}

const char* const labels =
    "# user and admin reports\n"
    "eop-saved-direct.eml\tclean\n"
    "messages/spoof-no-dmarc-direct.eml\tclean\t\tpartner says it is theirs\n"
    "spoof-pilot-vs-nonpilot.eml\tphish\tmegan@contoso.com\n"
    "bulk-newsletter-bcl6.eml\tclean\n"
    "tabl-blocked-domain.eml\tjunk\n"
    "phish-sim-advanced-delivery.eml\tphish\tmegan.bowen@contoso.com\n"
    "missing.eml\tspam\n"
    "<order-55-8812@mail.fabrikam.com>\tclean\n";

}  // namespace

TEST_CASE("submissions: labels scored against the pilot tenant over the corpus") {
    const auto path = write_labels("mv-submissions-labels.tsv", labels);
    const auto r =
        run_command(cli() + " submissions " + corpus("messages") + " --labels " +
                    shell_quote(path.string()) + " --policy " + corpus("tenants/pilot.yaml") +
                    " --dns-zone " + corpus("dns") + " --format json --jobs 2");
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    const auto doc = boost::json::parse(r.out).as_object();
    const auto& totals = doc.at("totals").as_object();
    CHECK(totals.at("scored").as_int64() == 8);
    CHECK(totals.at("correct").as_int64() == 3);
    CHECK(totals.at("false_positives").as_int64() == 3);
    CHECK(totals.at("false_negatives").as_int64() == 2);
    const auto& fp = doc.at("false_positives_by").as_object();
    CHECK(fp.at("SPOOF").as_int64() == 1);
    CHECK(fp.at("BULK").as_int64() == 2);
    const auto& fn = doc.at("false_negatives_by").as_object();
    CHECK(fn.at("override: Exchange transport rule").as_int64() == 1);
    CHECK(fn.at("override: Phishing Simulation").as_int64() == 1);
    CHECK(doc.at("confusion").at("spam").at("blocked").as_int64() == 1);
    CHECK(doc.at("confusion").at("clean").at("delivered").as_int64() == 2);
    CHECK(doc.at("confusion").at("clean").at("junked").as_int64() == 2);
    CHECK(doc.at("confusion").at("clean").at("blocked").as_int64() == 1);

    // Mistakes in input order (sorted file names), the reporter's copy only.
    const auto& mistakes = doc.at("mistakes").as_array();
    REQUIRE(mistakes.size() == 5);
    CHECK(mistakes[0].at("recipient").as_string() == "adele.vance@contoso.com");
    CHECK(mistakes[1].at("recipient").as_string() == "megan.bowen@contoso.com");
    CHECK(mistakes[2].at("file").as_string().ends_with("phish-sim-advanced-delivery.eml"));
    CHECK(mistakes[4].at("recipient").as_string() == "megan@contoso.com");
    CHECK(mistakes[4].at("outcome").as_string() == "false_negative");

    std::map<std::string, std::string> kinds;  // kind -> target
    for (const auto& s : doc.at("suggestions").as_array()) {
        kinds[std::string(s.at("kind").as_string())] = std::string(s.at("target").as_string());
        CHECK(s.at("applied").as_bool() == false);
        CHECK(s.at("messages").as_int64() == 1);  // two copies of the newsletter: one message
    }
    CHECK(kinds.size() == 3);  // the phishing simulation suggests nothing: by design
    CHECK(kinds.count("review_override") == 1);
    CHECK(kinds.count("tabl_sender_allow") == 1);
    REQUIRE(kinds.count("tabl_spoof_allow") == 1);
    CHECK(kinds["tabl_spoof_allow"].rfind("litware.example, ", 0) == 0);

    const auto& unmatched = doc.at("unmatched").as_array();
    REQUIRE(unmatched.size() == 1);
    CHECK(unmatched[0].at("message").as_string() == "missing.eml");
    std::filesystem::remove(path);
}

TEST_CASE("submissions: a bad labels file is a configuration error naming the line") {
    const auto path = write_labels("mv-submissions-bad.tsv", "a.eml\tphish\nb.eml\tmaybe\n");
    const auto r = run_command(cli() + " submissions " + corpus("messages") + " --labels " +
                               shell_quote(path.string()) + " --policy " +
                               corpus("tenants/pilot.yaml") + " --dns-zone " + corpus("dns"));
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("mv-submissions-bad.tsv:2: unknown label \"maybe\"") != std::string::npos);
    std::filesystem::remove(path);
    const auto missing = run_command(cli() + " submissions " + corpus("messages") + " --policy " +
                                     corpus("tenants/pilot.yaml"));
    CHECK(missing.exit_code == 2);
    CHECK(missing.err.find("--labels") != std::string::npos);
}
