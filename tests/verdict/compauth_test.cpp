// compauth: one test per result/reason code (brief 1.8 and 16; docs/compauth.md).
#include <mailverdict/verdict/compauth.hpp>

#include <doctest/doctest.h>

using namespace mailverdict;
using namespace mailverdict::verdict;

namespace {

struct Case {
    dmarc::DmarcResult dmarc;
    dmarc::DmarcInput input;
    CompAuthInput in;
    Case() {
        dmarc.from_domain = "fabrikam.example";
        input.spf = {"fail", "fabrikam.example", false};
        in.dmarc = &dmarc;
        in.dmarc_input = &input;
    }
    CompAuth run() { return compute_compauth(in); }
    void fail_with(dmarc::Policy p, dmarc::Action a) {
        dmarc.result = dmarc::Result::fail;
        dmarc.record = dmarc::DmarcRecord{};
        dmarc.policy = p;
        dmarc.action = a;
    }
};

}  // namespace

TEST_CASE("compauth 100: dmarc=pass") {
    Case c;
    c.dmarc.result = dmarc::Result::pass;
    const auto r = c.run();
    CHECK(r.result == CompAuthResult::pass);
    CHECK(r.reason_text() == "100");
}

TEST_CASE("compauth 109: no DMARC record, aligned pass (bestguesspass)") {
    Case c;
    c.dmarc.result = dmarc::Result::none;
    c.dmarc.best_guess_pass = true;
    const auto r = c.run();
    CHECK(r.result == CompAuthResult::pass);
    CHECK(r.reason_text() == "109");
}

TEST_CASE("compauth 130: a trusted ARC sealer overrides a DMARC failure") {
    Case c;
    c.fail_with(dmarc::Policy::reject, dmarc::Action::reject);
    c.in.trusted_arc_pass = true;
    const auto r = c.run();
    CHECK(r.result == CompAuthResult::pass);
    CHECK(r.reason_text() == "130");
}

TEST_CASE("compauth 000: dmarc=fail with p=quarantine or p=reject") {
    Case c;
    c.fail_with(dmarc::Policy::quarantine, dmarc::Action::quarantine);
    CHECK(c.run().reason_text() == "000");
    CHECK(c.run().result == CompAuthResult::fail);
    c.fail_with(dmarc::Policy::reject, dmarc::Action::oreject);
    CHECK(c.run().reason_text() == "000");
    CHECK(c.run().explicit_failure());
}

TEST_CASE("compauth 010: explicit DMARC failure of an accepted domain") {
    Case c;
    c.fail_with(dmarc::Policy::reject, dmarc::Action::reject);
    c.in.from_accepted_domain = true;
    const auto r = c.run();
    CHECK(r.result == CompAuthResult::fail);
    CHECK(r.reason_text() == "010");
}

TEST_CASE("compauth 111: dmarc=permerror but an aligned pass") {
    Case c;
    c.dmarc.result = dmarc::Result::permerror;
    c.dmarc.dkim_aligned = true;
    const auto r = c.run();
    CHECK(r.result == CompAuthResult::pass);
    CHECK(r.reason_text() == "111");
    // Without an aligned pass a permerror is an implicit failure.
    c.dmarc.dkim_aligned = false;
    CHECK(c.run().reason_text() == "001");
}

TEST_CASE("compauth 115: relayed from another Microsoft 365 tenant") {
    Case c;
    c.dmarc.result = dmarc::Result::none;
    c.input.spf = {"none", "", false};
    c.input.dkim.push_back({"pass", "contoso.onmicrosoft.com", "selector1"});
    c.in.own_arc = OwnArcVerdict{"pass", 0};
    const auto r = c.run();
    CHECK(r.result == CompAuthResult::pass);
    CHECK(r.reason_text() == "115");
    // oda=1 is the trusted-sealer case, not this one (and not trusted here): 001.
    c.in.own_arc = OwnArcVerdict{"pass", 1};
    CHECK(c.run().reason_text() == "001");
}

TEST_CASE("compauth 001: no aligned pass, DMARC none or p=none") {
    Case c;
    c.dmarc.result = dmarc::Result::none;
    CHECK(c.run().reason_text() == "001");
    c.fail_with(dmarc::Policy::none, dmarc::Action::none);
    CHECK(c.run().reason_text() == "001");
    CHECK_FALSE(c.run().explicit_failure());
    // The pct draw skipped p=quarantine: not in brief 16 rule 4's list of actions.
    c.fail_with(dmarc::Policy::quarantine, dmarc::Action::pct_quarantine);
    CHECK(c.run().reason_text() == "001");
}

TEST_CASE("compauth 6xx: implicit failure of an accepted domain uses the tenant's code") {
    Case c;
    c.dmarc.result = dmarc::Result::none;
    c.in.from_accepted_domain = true;
    CHECK(c.run().reason_text() == "601");
    c.in.codes.intra_org = 602;
    const auto r = c.run();
    CHECK(r.result == CompAuthResult::fail);
    CHECK(r.reason_text() == "602");
}

TEST_CASE("compauth 002: a blocked spoofed-sender pair") {
    Case c;
    c.dmarc.result = dmarc::Result::none;
    c.in.spoof_pair = policy::ListAction::block;
    const auto r = c.run();
    CHECK(r.result == CompAuthResult::fail);
    CHECK(r.reason_text() == "002");
    // An authenticated sender is not spoofing: the block entry changes nothing.
    c.dmarc.result = dmarc::Result::pass;
    CHECK(c.run().reason_text() == "100");
}

TEST_CASE("compauth softpass: an allowed spoofed-sender pair (tenant softpass code)") {
    Case c;
    c.fail_with(dmarc::Policy::quarantine, dmarc::Action::quarantine);
    c.in.spoof_pair = policy::ListAction::allow;
    const auto r = c.run();
    CHECK(r.result == CompAuthResult::softpass);
    CHECK(r.reason_text() == "201");
}

TEST_CASE("compauth none 3xx: no From domain is not checked") {
    Case c;
    c.dmarc.from_domain.clear();
    c.dmarc.author_problem = dmarc::AuthorProblem::no_from;
    c.in.codes.not_checked = 302;
    const auto r = c.run();
    CHECK(r.result == CompAuthResult::none);
    CHECK(r.reason_text() == "302");
}

TEST_CASE("compauth none 4xx: internal mail from an on-premises connector is bypassed") {
    Case c;
    c.dmarc.result = dmarc::Result::fail;
    c.in.internal = true;
    const auto r = c.run();
    CHECK(r.result == CompAuthResult::none);
    CHECK(r.reason_text() == "451");
}

TEST_CASE("compauth: rule order (pass beats the ARC rule, ARC beats the explicit failure)") {
    Case c;
    c.dmarc.result = dmarc::Result::pass;
    c.in.trusted_arc_pass = true;
    CHECK(c.run().reason_text() == "100");
    CHECK(oda_of({"0 oda=1 ltdi=1"}) == 1);
    CHECK_FALSE(oda_of({"no oda here"}).has_value());
}
