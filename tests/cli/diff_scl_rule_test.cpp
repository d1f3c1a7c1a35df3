// Issue 8 acceptance: `mailverdict diff corpus/messages --policy pilot.yaml --policy
// after-cutover.yaml` lists exactly the mail the SCL=-1 rule was hiding - non-pilot
// recipients of relayed mail whose full filtering junks, quarantines or rejects it while
// the rule delivers it. The list below was computed by hand from the scenario table in
// docs/corpus.md ("Hidden by the SCL=-1 rule"), not taken from the tool.
#include "support/run_command.hpp"

#include <doctest/doctest.h>
#include <boost/json/parse.hpp>

#include <filesystem>
#include <set>
#include <string>
#include <utility>

namespace {

using mvtest::corpus;

using Key = std::pair<std::string, std::string>;  // message file name, recipient

// message, recipient, pilot system folder (what full filtering does) = after-cutover folder.
struct Hidden {
    const char* file;
    const char* recipient;
    const char* folder;
};

// docs/corpus.md: relayed by the gateway, recipient in no pilot group, and the pilot's own
// filtering (default policies, enhanced filtering on) finds:
const Hidden hidden[] = {
    // DMARC p=quarantine failure, Honor DMARC -> Quarantine
    {"dmarc-quarantine-spoof-relayed.eml", "johanna.lorenz@contoso.com", "quarantine"},
    // sp=reject of the organizational record for a sub-domain -> Reject
    {"dmarc-sp-reject-subdomain-relayed.eml", "lee.gu@contoso.com", "rejected"},
    // BCL 8 over the default threshold 7 -> BulkSpamAction MoveToJmf
    {"esp-newsletter-bcl8.eml", "lee.gu@contoso.com", "junk"},
    // the gateway's [EXTERNAL] tag breaks DKIM, p=quarantine -> Quarantine
    {"external-tag-breaks-dkim.eml", "lee.gu@contoso.com", "quarantine"},
    // intra-org spoof of contoso.com (010) -> Quarantine
    {"intra-org-spoof-relayed.eml", "lee.gu@contoso.com", "quarantine"},
    // cross-domain spoof without DMARC (001) -> AuthenticationFailAction MoveToJmf
    {"spoof-no-dmarc-relayed.eml", "megan@contoso.com", "junk"},
    // p=quarantine bank spoof -> Quarantine
    {"spoof-pilot-vs-nonpilot.eml", "megan@contoso.com", "quarantine"},
};

std::string diff_command(const std::string& format) {
    return mvtest::cli() + " diff " + corpus("messages") + " --policy " +
           corpus("tenants/pilot.yaml") + " --policy " + corpus("tenants/after-cutover.yaml") +
           " --dns-zone " + corpus("dns") + format;
}

}  // namespace

TEST_CASE("diff pilot -> after-cutover: exactly the messages the SCL=-1 rule was hiding") {
    std::set<Key> expected;
    for (const auto& h : hidden) {
        expected.insert({h.file, h.recipient});
    }
    REQUIRE(expected.size() == 7);

    const auto r = mvtest::run_command(diff_command(" --format json"));
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    const auto doc = boost::json::parse(r.out).as_object();
    std::set<Key> moved;
    for (const auto& c : doc.at("moved_to_junk_or_quarantine").as_array()) {
        const std::string file(c.at("file").as_string());
        const Key key{std::filesystem::path(file).filename().string(),
                      std::string(c.at("recipient").as_string())};
        moved.insert(key);
        for (const auto& h : hidden) {
            if (key == Key{h.file, h.recipient}) {
                INFO(h.file);
                CHECK(c.at("folder").at("a").as_string() == "inbox");
                CHECK(c.at("folder").at("b").as_string() == h.folder);
                // A's Inbox was the rule's doing; B has no override left.
                bool rule = false;
                for (const auto& o : c.at("overrides").at("a").as_array()) {
                    rule = rule || std::string(o.as_string()).find("Exchange transport rule") == 0;
                }
                CHECK(rule);
                CHECK(c.at("overrides").at("b").as_array().empty());
            }
        }
    }
    CHECK(moved == expected);

    // The text the administrator reads names the same seven, and only them.
    const auto t = mvtest::run_command(diff_command(""));
    REQUIRE(t.exit_code == 0);
    const auto at = t.out.find("Moved to Junk/Quarantine/Rejected under B: 7\n");
    REQUIRE(at != std::string::npos);
    const std::string tail = t.out.substr(at);
    for (const auto& h : hidden) {
        CHECK_MESSAGE(tail.find(std::string(h.file) + " " + h.recipient + " inbox -> " +
                                h.folder) != std::string::npos,
                      h.file);
    }
}

TEST_CASE("diff pilot -> after-cutover: what is not hidden by the rule is not listed") {
    // Relayed non-pilot mail that something other than the rule delivers in the pilot (a
    // trusted ARC sealer, a phishing simulation, the SecOps mailbox) or blocks anyway (a
    // TABL block, malware), and pilot users whose Strict verdict relaxes to Standard.
    const auto r = mvtest::run_command(diff_command(" --format json"));
    REQUIRE(r.exit_code == 0);
    const auto doc = boost::json::parse(r.out).as_object();
    std::set<std::string> moved_files;
    for (const auto& c : doc.at("moved_to_junk_or_quarantine").as_array()) {
        moved_files.insert(
            std::filesystem::path(std::string(c.at("file").as_string())).filename().string());
    }
    for (const char* f : {"mailing-list-arc-trusted-nonpilot.eml", "phish-sim-relayed-ef.eml",
                          "secops-mailbox-malware.eml", "tabl-blocked-sender-address.eml",
                          "thirdparty-malware-tagged.eml", "dmarc-reject-spoof-direct.eml",
                          "bulk-newsletter-bcl6.eml", "thirdparty-spam-flagged.eml"}) {
        CHECK_MESSAGE(moved_files.count(f) == 0, f);
    }
}
