// DmarcRecord::parse: RFC 7489 6.3 tags, 6.4 ABNF, 6.6.3 step 6; RFC 9091 np.
#include <mailverdict/auth/dmarc.hpp>

#include <doctest/doctest.h>

using namespace mailverdict::dmarc;

namespace {

DmarcRecord parse_ok(std::string_view text) {
    auto r = DmarcRecord::parse(text);
    INFO("record: " << text);
    REQUIRE(r.has_value());
    return std::move(*r);
}

DmarcParseError parse_error(std::string_view text) {
    auto r = DmarcRecord::parse(text);
    INFO("record: " << text);
    REQUIRE(r.has_error());
    return r.error();
}

}  // namespace

TEST_CASE("dmarc record: version tag (RFC 7489 6.4 dmarc-version)") {
    CHECK(DmarcRecord::is_dmarc1("v=DMARC1; p=none"));
    CHECK(DmarcRecord::is_dmarc1("v=DMARC1;p=none"));
    CHECK(DmarcRecord::is_dmarc1("V = DMARC1 ; p=none"));  // "v" is case-insensitive
    CHECK(DmarcRecord::is_dmarc1("v=DMARC1"));
    CHECK_FALSE(DmarcRecord::is_dmarc1("v=dmarc1; p=none"));  // %x44 %x4d... literal
    CHECK_FALSE(DmarcRecord::is_dmarc1("v=DMARC10; p=none"));
    CHECK_FALSE(DmarcRecord::is_dmarc1("p=none; v=DMARC1"));
    CHECK_FALSE(DmarcRecord::is_dmarc1("v=spf1 -all"));
    CHECK_FALSE(DmarcRecord::is_dmarc1(" v=DMARC1; p=none"));
    CHECK_FALSE(DmarcRecord::is_dmarc1(""));
    CHECK(parse_error("v=spf1 -all").message.find("not a DMARC1 record") == 0);
}

TEST_CASE("dmarc record: defaults of RFC 7489 6.3") {
    const DmarcRecord r = parse_ok("v=DMARC1; p=quarantine");
    CHECK(r.policy == Policy::quarantine);
    CHECK_FALSE(r.subdomain_policy);
    CHECK_FALSE(r.nonexistent_policy);
    CHECK(r.percent == 100);
    CHECK(r.dkim_alignment == AlignmentMode::relaxed);
    CHECK(r.spf_alignment == AlignmentMode::relaxed);
    CHECK(r.failure_options == "0");
    CHECK(r.report_formats == std::vector<std::string>{"afrf"});
    CHECK(r.report_interval == 86400);
    CHECK(r.aggregate_uris.empty());
    CHECK(r.failure_uris.empty());
    CHECK_FALSE(r.treated_as_none);
    CHECK(r.warnings.empty());
}

TEST_CASE("dmarc record: every tag") {
    const DmarcRecord r = parse_ok(
        "v=DMARC1; p=reject; sp=quarantine; np=reject; pct=25; adkim=s; aspf=S; "
        "rua=mailto:agg@example.com,mailto:agg2@example.net!10m; ruf=mailto:f@example.com!2k; "
        "fo=1:d:s; rf=afrf:iodef; ri=3600; future=x;");
    CHECK(r.policy == Policy::reject);
    CHECK(r.subdomain_policy == Policy::quarantine);
    CHECK(r.nonexistent_policy == Policy::reject);
    CHECK(r.percent == 25);
    CHECK(r.dkim_alignment == AlignmentMode::strict);
    CHECK(r.spf_alignment == AlignmentMode::strict);
    REQUIRE(r.aggregate_uris.size() == 2);
    CHECK(r.aggregate_uris[0].uri == "mailto:agg@example.com");
    CHECK_FALSE(r.aggregate_uris[0].max_bytes);
    CHECK(r.aggregate_uris[1].uri == "mailto:agg2@example.net");
    CHECK(r.aggregate_uris[1].max_bytes == 10ULL * 1024 * 1024);
    REQUIRE(r.failure_uris.size() == 1);
    CHECK(r.failure_uris[0].max_bytes == 2048);
    CHECK(r.failure_options == "1:d:s");
    CHECK(r.report_formats == std::vector<std::string>{"afrf", "iodef"});
    CHECK(r.report_interval == 3600);
    CHECK(r.unknown_tags == std::vector<std::string>{"future"});  // ignored (6.3)
}

TEST_CASE("dmarc record: tag values are case-insensitive keywords, whitespace is WSP") {
    const DmarcRecord r = parse_ok("v=DMARC1 ;\tp = REJECT ; SP=None ;pct=0");
    CHECK(r.policy == Policy::reject);
    CHECK(r.subdomain_policy == Policy::none);
    CHECK(r.percent == 0);
}

TEST_CASE("dmarc record: syntax errors are permerror reasons") {
    CHECK(parse_error("v=DMARC1; p=none; pct=101").tag == "pct");
    CHECK(parse_error("v=DMARC1; p=none; pct=-1").tag == "pct");
    CHECK(parse_error("v=DMARC1; p=none; pct=1000").tag == "pct");
    CHECK(parse_error("v=DMARC1; p=none; pct=").tag == "pct");
    CHECK(parse_error("v=DMARC1; p=none; adkim=x").tag == "adkim");
    CHECK(parse_error("v=DMARC1; p=none; aspf=relaxed").tag == "aspf");
    CHECK(parse_error("v=DMARC1; p=none; fo=2").tag == "fo");
    CHECK(parse_error("v=DMARC1; p=none; fo=1:").tag == "fo");
    CHECK(parse_error("v=DMARC1; p=none; ri=soon").tag == "ri");
    CHECK(parse_error("v=DMARC1; p=none; ri=99999999999").tag == "ri");
    CHECK(parse_error("v=DMARC1; p=none; rf=").tag == "rf");
    const auto dup = parse_error("v=DMARC1; p=none; p=reject");
    CHECK(dup.message == "duplicate tag");
    CHECK(dup.tag == "p");
    CHECK(dup.offset == 18);
    CHECK(parse_error("v=DMARC1; p=none; garbage").message == "tag without '='");
    CHECK(parse_error("v=DMARC1; p=none; 9x=1").message == "malformed tag name");
    const auto e = parse_error("v=DMARC1; p=none; pct=150");
    CHECK(e.to_string() ==
          "invalid pct value '150': must be an integer from 0 to 100 (tag 'pct' at offset 18)");
}

TEST_CASE("dmarc record: invalid or missing p (RFC 7489 6.6.3 step 6)") {
    SUBCASE("without a valid rua: no DMARC processing (permerror)") {
        CHECK(parse_error("v=DMARC1; p=block").message ==
              "invalid p value 'block' and no valid rua URI");
        CHECK(parse_error("v=DMARC1").message == "no p tag and no valid rua URI");
        CHECK(parse_error("v=DMARC1; p=none; sp=drop").message.find("invalid sp value") == 0);
        CHECK(parse_error("v=DMARC1; p=none; np=drop").message.find("invalid np value") == 0);
        CHECK(parse_error("v=DMARC1; p=block; rua=agg@example.com").message ==
              "invalid p value 'block' and no valid rua URI");  // not a URI: no scheme
    }
    SUBCASE("with a valid rua: acts as v=DMARC1; p=none") {
        const DmarcRecord r =
            parse_ok("v=DMARC1; p=block; sp=reject; pct=50; rua=mailto:a@example.com");
        CHECK(r.treated_as_none);
        CHECK(r.policy == Policy::none);
        CHECK_FALSE(r.subdomain_policy);  // the whole record is replaced
        CHECK(r.percent == 100);
        CHECK(r.policy_problem == "invalid p value 'block'");
        REQUIRE(r.aggregate_uris.size() == 1);
        const DmarcRecord third_party = parse_ok("v=DMARC1; rua=mailto:a@example.com");
        CHECK(third_party.treated_as_none);
        CHECK(third_party.policy_problem == "no p tag");
        const DmarcRecord bad_sp =
            parse_ok("v=DMARC1; p=reject; sp=drop; rua=mailto:a@example.com");
        CHECK(bad_sp.treated_as_none);
        CHECK(bad_sp.policy == Policy::none);
    }
}

TEST_CASE("dmarc record: invalid report URIs are dropped with a warning") {
    const DmarcRecord r =
        parse_ok("v=DMARC1; p=none; rua=dmarc@example.com, mailto:ok@example.com!5x");
    CHECK(r.aggregate_uris.empty());
    CHECK(r.warnings.size() == 2);
    const DmarcRecord late_p = parse_ok("v=DMARC1; rua=mailto:a@example.com; p=reject");
    CHECK(late_p.policy == Policy::reject);
    CHECK_FALSE(late_p.treated_as_none);
    REQUIRE(late_p.warnings.size() == 1);
    CHECK(late_p.warnings[0] == "p= is not the second tag");
}
