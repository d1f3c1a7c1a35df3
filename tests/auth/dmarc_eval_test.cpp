// DMARC evaluation (RFC 7489 6.6, RFC 9091): discovery, alignment, policy selection, pct,
// DNS errors, author-domain edge cases, Microsoft's bestguesspass and actions.
#include <mailverdict/auth/dmarc.hpp>

#include <doctest/doctest.h>

#include <map>
#include <utility>

using namespace mailverdict;
using namespace mailverdict::dmarc;

namespace {

const char* const zone = R"(
$TTL 300
_dmarc.example.com.     TXT "v=DMARC1; p=reject; sp=quarantine; np=reject; rua=mailto:d@example.com"
example.com.            A   192.0.2.1
mail.example.com.       A   192.0.2.2
mx-only.example.com.    MX  10 mail.example.com.
_dmarc.sub.example.com. TXT "v=DMARC1; p=none"
sub.example.com.        A   192.0.2.3
_dmarc.strict.test.     TXT "v=DMARC1; p=reject; adkim=s; aspf=s"
_dmarc.example.co.uk.   TXT "v=DMARC1; p=quarantine"
_dmarc.alice.github.io. TXT "v=DMARC1; p=reject"
_dmarc.nosp.test.       TXT "v=DMARC1; p=reject"
_dmarc.pct0.test.       TXT "v=DMARC1; p=reject; pct=0"
_dmarc.pct50.test.      TXT "v=DMARC1; p=quarantine; pct=50"
_dmarc.multi.test.      TXT "v=DMARC1; p=none"
_dmarc.multi.test.      TXT "v=DMARC1; p=reject"
_dmarc.spfonly.test.    TXT "v=spf1 -all"
_dmarc.bad.test.        TXT "v=DMARC1; p=block"
_dmarc.split.test.      TXT "v=DMARC1; " "p=reject"
_dmarc.evil.test.       TXT "v=DMARC1; p=quarantine"
)";

// The zone, with chosen questions answered by a failure, counting the questions asked.
class TestResolver final : public dns::Resolver {
public:
    TestResolver() : inner_(dns::zone_text(zone, ".")) {}
    void fail(std::string name, dns::RecordType type, dns::DnsStatus status) {
        failures_[{std::move(name), type}] = status;
    }
    dns::Answer query(std::string_view name, dns::RecordType type) override {
        asked.emplace_back(std::string(name) + "/" + std::string(dns::to_string(type)));
        if (auto it = failures_.find({std::string(name), type}); it != failures_.end()) {
            dns::Answer a;
            a.status = it->second;
            a.name = std::string(name);
            a.type = type;
            return a;
        }
        return inner_->query(name, type);
    }
    std::vector<std::string> asked;

private:
    std::shared_ptr<dns::Resolver> inner_;
    std::map<std::pair<std::string, dns::RecordType>, dns::DnsStatus> failures_;
};

const psl::PublicSuffixList& list() {
    static const psl::PublicSuffixList l = [] {
        auto loaded = psl::PublicSuffixList::system();
        REQUIRE_MESSAGE(loaded, loaded.error);
        return *loaded.list;
    }();
    return l;
}

DmarcInput input(std::string from, std::string spf_result = "none", std::string spf_domain = "",
                 std::vector<DkimInput> dkim = {}) {
    DmarcInput in;
    in.author_domains = {std::move(from)};
    in.spf = SpfInput{std::move(spf_result), std::move(spf_domain), false};
    in.dkim = std::move(dkim);
    in.sampling_key = "<fixed@test>";
    return in;
}

DmarcResult run(const DmarcInput& in, DmarcOptions options = {}) {
    TestResolver dns;
    return evaluate(dns, list(), in, options);
}

}  // namespace

TEST_CASE("dmarc: SPF alignment, relaxed and strict (RFC 7489 3.1.2)") {
    // relaxed (example.com): same organizational domain is enough
    auto r = run(input("example.com", "pass", "bounce.example.com"));
    CHECK(r.result == Result::pass);
    CHECK(r.reason == Reason::aligned_spf_pass);
    CHECK(r.spf_aligned);
    CHECK(r.action == Action::none);
    CHECK(run(input("mail.example.com", "pass", "example.com")).result == Result::pass);
    CHECK(run(input("example.com", "pass", "EXAMPLE.COM.")).result == Result::pass);
    // strict (strict.test): the exact domain only
    CHECK(run(input("strict.test", "pass", "strict.test")).result == Result::pass);
    r = run(input("strict.test", "pass", "bounce.strict.test"));
    CHECK(r.result == Result::fail);
    CHECK(r.reason == Reason::not_aligned);
    CHECK_FALSE(r.spf_aligned);
    CHECK(r.action == Action::reject);
    // another organization
    r = run(input("example.com", "pass", "example.net"));
    CHECK(r.result == Result::fail);
    CHECK(r.reason == Reason::not_aligned);
}

TEST_CASE("dmarc: only SPF pass counts (softfail, neutral, fail do not)") {
    for (const char* res : {"fail", "softfail", "neutral", "none", "temperror", "permerror"}) {
        INFO(res);
        auto r = run(input("example.com", res, "example.com"));
        CHECK(r.result == Result::fail);
        CHECK(r.reason == Reason::no_passing_identifier);
        CHECK_FALSE(r.spf_aligned);
    }
}

TEST_CASE("dmarc: DKIM alignment, relaxed and strict (RFC 7489 3.1.1)") {
    auto r = run(input("news.example.com", "fail", "other.net", {{"pass", "example.com", "s1"}}));
    CHECK(r.result == Result::pass);
    CHECK(r.reason == Reason::aligned_dkim_pass);
    CHECK(r.aligned_dkim_domain == "example.com");
    CHECK(run(input("strict.test", "none", "", {{"pass", "strict.test", "s"}})).result ==
          Result::pass);
    r = run(input("strict.test", "none", "", {{"pass", "sub.strict.test", "s"}}));
    CHECK(r.result == Result::fail);
    CHECK(r.reason == Reason::not_aligned);
    // a failing aligned signature does not count, a passing one further down does
    r = run(input("example.com", "none", "",
                  {{"fail", "example.com", "a"},
                   {"pass", "third.example", "b"},
                   {"pass", "Mail.Example.Com", "c"}}));
    CHECK(r.result == Result::pass);
    CHECK(r.aligned_dkim_domain == "mail.example.com");
    r = run(input("example.com", "none", "", {{"fail", "example.com", "a"}}));
    CHECK(r.reason == Reason::no_passing_identifier);
}

TEST_CASE("dmarc: multi-label and private-section public suffixes") {
    // co.uk: example.co.uk and other.co.uk are different organizations
    CHECK(run(input("example.co.uk", "pass", "other.co.uk")).result == Result::fail);
    CHECK(run(input("example.co.uk", "pass", "mail.example.co.uk")).result == Result::pass);
    CHECK(run(input("example.co.uk", "pass", "co.uk")).result == Result::fail);
    // github.io (private section): every user is its own organization
    auto r = run(input("alice.github.io", "none", "", {{"pass", "bob.github.io", "s"}}));
    CHECK(r.result == Result::fail);
    CHECK(r.policy == Policy::reject);
    CHECK(
        run(input("alice.github.io", "none", "", {{"pass", "www.alice.github.io", "s"}})).result ==
        Result::pass);
    // www.alice.github.io has no record of its own: alice.github.io's is found
    r = run(input("www.alice.github.io", "none", "", {{"pass", "github.io", "s"}}));
    CHECK(r.record_domain == "alice.github.io");
    CHECK(r.organizational_domain == "alice.github.io");
    CHECK(r.result == Result::fail);
    // blogspot.com: a DKIM pass by blogspot.com is not aligned with x.blogspot.com, so
    // no bestguesspass either (no record)
    r = run(input("x.blogspot.com", "none", "", {{"pass", "blogspot.com", "s"}}));
    CHECK(r.result == Result::none);
    CHECK_FALSE(r.best_guess_pass);
    CHECK(r.microsoft_result() == "none");
}

TEST_CASE("dmarc: discovery at the From domain, then the organizational domain (6.6.3)") {
    TestResolver dns;
    auto r = evaluate(dns, list(), input("a.b.example.com", "none"));
    CHECK(r.record_domain == "example.com");
    CHECK(dns.asked == std::vector<std::string>{
                           "_dmarc.a.b.example.com/TXT", "_dmarc.example.com/TXT",
                           // failing with np present: existence test
                           "a.b.example.com/A", "a.b.example.com/AAAA", "a.b.example.com/MX"});
    // a subdomain with its own record: p of that record
    r = run(input("sub.example.com", "fail", "sub.example.com"));
    CHECK(r.record_domain == "sub.example.com");
    CHECK(r.policy_source == PolicySource::p);
    CHECK(r.policy == Policy::none);
    CHECK(r.result == Result::fail);
    CHECK(r.action == Action::none);
    // TXT strings are joined
    r = run(input("split.test"));
    REQUIRE(r.record);
    CHECK(r.record->policy == Policy::reject);
    // a TXT that is not v=DMARC1 is discarded: no record
    r = run(input("spfonly.test"));
    CHECK(r.result == Result::none);
    CHECK(r.reason == Reason::no_record);
}

TEST_CASE("dmarc: several records -> no DMARC processing (6.6.3 step 4)") {
    TestResolver dns;
    auto r = evaluate(dns, list(), input("multi.test", "pass", "multi.test"));
    CHECK(r.result == Result::none);
    CHECK(r.reason == Reason::multiple_records);
    CHECK_FALSE(r.best_guess_pass);  // there are records: not Microsoft's "no record" case
    CHECK(dns.asked.size() == 1);
    // found at the organizational domain: the same
    TestResolver dns2;
    r = evaluate(dns2, list(), input("x.multi.test", "none"));
    CHECK(r.reason == Reason::multiple_records);
    CHECK(r.record_domain == "multi.test");
    CHECK(dns2.asked.size() == 2);
}

TEST_CASE("dmarc: unusable record -> permerror with the reason, alignment still known") {
    auto r = run(input("bad.test", "pass", "bad.test"));
    CHECK(r.result == Result::permerror);
    CHECK(r.reason == Reason::record_syntax);
    CHECK(r.detail == "invalid p value 'block' and no valid rua URI");
    CHECK(r.action == Action::permerror);
    CHECK(r.spf_aligned);  // compauth reason 111 needs it
    CHECK(r.microsoft_result() == "permerror");
}

TEST_CASE("dmarc: p, sp and np selection (RFC 7489 6.3, RFC 9091)") {
    auto r = run(input("example.com", "fail", "example.com"));
    CHECK(r.policy_source == PolicySource::p);
    CHECK(r.policy == Policy::reject);
    r = run(input("mail.example.com", "fail", "x"));  // exists (A)
    CHECK(r.policy_source == PolicySource::sp);
    CHECK(r.policy == Policy::quarantine);
    CHECK(r.action == Action::quarantine);
    CHECK_FALSE(r.nonexistent);
    r = run(input("mx-only.example.com", "fail", "x"));  // exists (MX only)
    CHECK(r.policy_source == PolicySource::sp);
    r = run(input("ghost.example.com", "fail", "x"));  // NXDOMAIN for A, AAAA, MX
    CHECK(r.nonexistent);
    CHECK(r.policy_source == PolicySource::np);
    CHECK(r.policy == Policy::reject);
    CHECK(r.action == Action::reject);
    DmarcOptions no_np;
    no_np.use_np = false;
    r = run(input("ghost.example.com", "fail", "x"), no_np);
    CHECK(r.policy_source == PolicySource::sp);
    // no sp: p covers subdomains
    r = run(input("a.nosp.test", "fail", "x"));
    CHECK(r.policy_source == PolicySource::p);
    CHECK(r.policy == Policy::reject);
    // a passing non-existent subdomain needs no existence test
    TestResolver dns;
    r = evaluate(dns, list(), input("ghost.example.com", "pass", "example.com"));
    CHECK(r.result == Result::pass);
    CHECK(dns.asked.size() == 2);
    CHECK(r.policy_source == PolicySource::sp);
}

TEST_CASE("dmarc: pct sampling is deterministic and reported (RFC 7489 6.6.4)") {
    // pct=0: never applied; reject falls back to quarantine, Microsoft prints pct.reject
    auto r = run(input("pct0.test", "fail", "x"));
    CHECK(r.result == Result::fail);
    CHECK_FALSE(r.sampled_in);
    CHECK(r.disposition == Policy::quarantine);
    CHECK(r.action == Action::pct_reject);
    DmarcOptions in_sample;
    in_sample.sample = 10;
    r = run(input("pct50.test", "fail", "x"), in_sample);
    CHECK(r.sample == 10);
    CHECK(r.sampled_in);
    CHECK(r.disposition == Policy::quarantine);
    CHECK(r.action == Action::quarantine);
    DmarcOptions out_sample;
    out_sample.sample = 50;  // applies when sample < pct
    r = run(input("pct50.test", "fail", "x"), out_sample);
    CHECK_FALSE(r.sampled_in);
    CHECK(r.disposition == Policy::none);
    CHECK(r.action == Action::pct_quarantine);
    // the same key gives the same draw; different keys spread over 0..99
    CHECK(sample_of("<a@b>") == sample_of("<a@b>"));
    int below_half = 0;
    for (int i = 0; i < 2000; ++i) {
        const unsigned s = sample_of("<" + std::to_string(i) + "@example.com>");
        REQUIRE(s < 100);
        below_half += s < 50 ? 1 : 0;
    }
    CHECK(below_half > 850);
    CHECK(below_half < 1150);
    auto in = input("pct50.test", "fail", "x");
    r = run(in);
    CHECK(r.sample == sample_of("<fixed@test>"));
    CHECK(r.sampled_in == (r.sample < 50));
}

TEST_CASE("dmarc: DNS errors at each step are temperror") {
    SUBCASE("the From domain's record") {
        TestResolver dns;
        dns.fail("_dmarc.example.com", dns::RecordType::TXT, dns::DnsStatus::servfail);
        auto r = evaluate(dns, list(), input("example.com", "pass", "example.com"));
        CHECK(r.result == Result::temperror);
        CHECK(r.reason == Reason::dns_temporary_failure);
        CHECK(r.action == Action::temperror);
        CHECK(r.detail.find("servfail") != std::string::npos);
    }
    SUBCASE("a timeout at the From domain: no fallback to the organizational domain") {
        TestResolver dns;
        dns.fail("_dmarc.mail.example.com", dns::RecordType::TXT, dns::DnsStatus::timeout);
        auto r = evaluate(dns, list(), input("mail.example.com", "pass", "example.com"));
        CHECK(r.result == Result::temperror);
        CHECK(dns.asked.size() == 1);
    }
    SUBCASE("the organizational domain's record") {
        TestResolver dns;
        dns.fail("_dmarc.example.com", dns::RecordType::TXT, dns::DnsStatus::refused);
        auto r = evaluate(dns, list(), input("mail.example.com", "fail", "x"));
        CHECK(r.result == Result::temperror);
        CHECK(dns.asked.size() == 2);
    }
    SUBCASE("the existence test for np") {
        TestResolver dns;
        dns.fail("ghost.example.com", dns::RecordType::AAAA, dns::DnsStatus::servfail);
        auto r = evaluate(dns, list(), input("ghost.example.com", "fail", "x"));
        CHECK(r.result == Result::temperror);
        CHECK(r.detail.find("existence test") == 0);
    }
    SUBCASE("a used-up query budget") {
        TestResolver dns;
        dns.fail("_dmarc.example.com", dns::RecordType::TXT, dns::DnsStatus::budget_exceeded);
        CHECK(evaluate(dns, list(), input("example.com")).result == Result::temperror);
    }
    SUBCASE("NXDOMAIN is not an error: no record") {
        TestResolver dns;
        dns.fail("_dmarc.example.com", dns::RecordType::TXT, dns::DnsStatus::nxdomain);
        CHECK(evaluate(dns, list(), input("example.com")).reason == Reason::no_record);
    }
}

TEST_CASE("dmarc: Microsoft bestguesspass (no record, aligned pass)") {
    auto r = run(input("nodmarc.test", "pass", "bounce.nodmarc.test"));
    CHECK(r.result == Result::none);
    CHECK(r.best_guess_pass);
    CHECK(r.microsoft_result() == "bestguesspass");
    CHECK(r.action == Action::none);
    r = run(input("nodmarc.test", "none", "", {{"pass", "nodmarc.test", "s"}}));
    CHECK(r.best_guess_pass);
    r = run(input("nodmarc.test", "pass", "other.test"));
    CHECK_FALSE(r.best_guess_pass);
    CHECK(r.microsoft_result() == "none");
    CHECK(with_reject_overridden(Action::reject) == Action::oreject);
    CHECK(with_reject_overridden(Action::quarantine) == Action::quarantine);
    CHECK(to_string(Action::pct_quarantine) == "pct.quarantine");
}

TEST_CASE("dmarc: author domains from the message (RFC 7489 6.6.1)") {
    SUBCASE("one From, one mailbox") {
        auto m = Message::parse("From: A <a@Example.COM>\r\nMessage-ID: <id1@x>\r\n\r\nbody\r\n");
        const auto in = author_input(m);
        CHECK(in.author_domains == std::vector<std::string>{"example.com"});
        CHECK(in.author_problem == AuthorProblem::none);
        CHECK(in.sampling_key == "<id1@x>");
    }
    SUBCASE("no From: nothing to evaluate") {
        auto m = Message::parse("To: b@example.com\r\n\r\nbody\r\n");
        const auto in = author_input(m);
        CHECK(in.author_problem == AuthorProblem::no_from);
        auto r = run(in);
        CHECK(r.result == Result::none);
        CHECK(r.reason == Reason::no_author_domain);
    }
    SUBCASE("several mailboxes: the strictest failing domain decides") {
        auto m = Message::parse("From: a@example.com, b@evil.test\r\n\r\nbody\r\n");
        auto in = author_input(m);
        CHECK(in.author_problem == AuthorProblem::multiple_mailboxes);
        REQUIRE(in.author_domains.size() == 2);
        in.spf = SpfInput{"pass", "evil.test", false};
        auto r = run(in);
        // evil.test passes (SPF aligned), example.com fails with p=reject: fail, reject
        CHECK(r.result == Result::fail);
        CHECK(r.from_domain == "example.com");
        CHECK(r.action == Action::reject);
        CHECK(r.author_domains.size() == 2);
        CHECK(r.author_problem == AuthorProblem::multiple_mailboxes);
    }
    SUBCASE("several mailboxes of one domain: evaluated once") {
        auto m = Message::parse("From: a@example.com, b@EXAMPLE.com\r\n\r\nbody\r\n");
        auto in = author_input(m);
        CHECK(in.author_problem == AuthorProblem::none);
        CHECK(in.author_domains.size() == 1);
    }
    SUBCASE("two From fields: each evaluated") {
        auto m = Message::parse("From: a@evil.test\r\nFrom: b@example.com\r\n\r\nbody\r\n");
        auto in = author_input(m);
        CHECK(in.author_problem == AuthorProblem::multiple_from);
        in.spf = SpfInput{"pass", "example.com", false};
        auto r = run(in);
        CHECK(r.result == Result::fail);
        CHECK(r.from_domain == "evil.test");
        CHECK(r.policy == Policy::quarantine);
    }
    SUBCASE("an IDN From domain is evaluated as its A-label") {
        auto m = Message::parse(
            "From: x@B\xC3\xBC"
            "cher.example\r\n\r\nbody\r\n");
        auto in = author_input(m);
        CHECK(in.author_domains == std::vector<std::string>{"xn--bcher-kva.example"});
    }
}

TEST_CASE("dmarc: the trace and the Authentication-Results text") {
    auto r = run(input("mail.example.com", "pass", "example.com"));
    REQUIRE_FALSE(r.trace.empty());
    CHECK(r.trace.front().rule == "RFC 7489 3.2");
    CHECK(r.psl_version.find("public_suffix_list.dat") == 0);
    CHECK(auth_results_dmarc(r) ==
          "dmarc=pass (p=reject sp=quarantine dis=none) header.from=mail.example.com");
}
