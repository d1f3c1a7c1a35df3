// SpfRecord::parse: RFC 7208 4.5, 4.6, 5, 6 and the ABNF of section 12.
#include <mailverdict/auth/spf.hpp>

#include <doctest/doctest.h>

#include <string>

using namespace mailverdict::spf;

namespace {

SpfRecord parse_ok(std::string_view text) {
    auto r = SpfRecord::parse(text);
    INFO("record: " << text);
    REQUIRE(r.has_value());
    return std::move(*r);
}

SpfParseError parse_error(std::string_view text) {
    auto r = SpfRecord::parse(text);
    INFO("record: " << text);
    REQUIRE(r.has_error());
    return r.error();
}

}  // namespace

TEST_CASE("spf record: version tag (RFC 7208 4.5)") {
    CHECK(SpfRecord::is_spf1("v=spf1"));
    CHECK(SpfRecord::is_spf1("v=spf1 -all"));
    CHECK(SpfRecord::is_spf1("V=SPF1 -all"));  // ABNF literals are case-insensitive
    CHECK_FALSE(SpfRecord::is_spf1("v=spf10 -all"));
    CHECK_FALSE(SpfRecord::is_spf1("v=spf1-all"));
    CHECK_FALSE(SpfRecord::is_spf1(" v=spf1 -all"));
    CHECK_FALSE(SpfRecord::is_spf1("spf2.0/pra -all"));
    CHECK(parse_ok("v=spf1").mechanisms().empty());
    CHECK(parse_ok("v=spf1   ").mechanisms().empty());
    CHECK(parse_error("v=spf2 -all").message == "not an SPF version 1 record");
}

TEST_CASE("spf record: every mechanism and qualifier") {
    const SpfRecord r = parse_ok(
        "v=spf1 all +include:_spf.example.com -a ~a:mail.example.com/24 ?mx mx:example.org/30//64 "
        "ptr ptr:example.net ip4:192.0.2.0/24 ip6:2001:db8::/32 exists:%{i}._spf.%{d} "
        "ip4:192.0.2.7");
    const auto ms = r.mechanisms();
    REQUIRE(ms.size() == 12);
    CHECK(ms[0].kind == MechanismKind::all);
    CHECK(ms[0].qualifier == Qualifier::pass);
    CHECK(r.has_all());
    CHECK(ms[1].kind == MechanismKind::include);
    CHECK(ms[1].qualifier == Qualifier::pass);
    CHECK(r.domain_spec(ms[1]) == "_spf.example.com");
    CHECK(r.term(ms[1]) == "+include:_spf.example.com");
    CHECK(ms[2].kind == MechanismKind::a);
    CHECK(ms[2].qualifier == Qualifier::fail);
    CHECK(r.domain_spec(ms[2]).empty());
    CHECK(ms[2].cidr4 == 32);
    CHECK(ms[2].cidr6 == 128);
    CHECK(ms[3].qualifier == Qualifier::softfail);
    CHECK(r.domain_spec(ms[3]) == "mail.example.com");
    CHECK(ms[3].cidr4 == 24);
    CHECK(ms[3].cidr6 == 128);
    CHECK(ms[4].kind == MechanismKind::mx);
    CHECK(ms[4].qualifier == Qualifier::neutral);
    CHECK(r.domain_spec(ms[5]) == "example.org");
    CHECK(ms[5].cidr4 == 30);
    CHECK(ms[5].cidr6 == 64);
    CHECK(ms[6].kind == MechanismKind::ptr);
    CHECK(r.domain_spec(ms[7]) == "example.net");
    CHECK(ms[8].kind == MechanismKind::ip4);
    CHECK(ms[8].network.to_string() == "192.0.2.0");
    CHECK(ms[8].cidr4 == 24);
    CHECK(ms[9].kind == MechanismKind::ip6);
    CHECK(ms[9].network.to_string() == "2001:db8::");
    CHECK(ms[9].cidr6 == 32);
    CHECK(ms[10].kind == MechanismKind::exists);
    CHECK(ms[10].domain_has_macros);
    CHECK_FALSE(ms[1].domain_has_macros);
    CHECK(ms[11].cidr4 == 32);  // an ip4 without a length is a /32
    CHECK(to_result(Qualifier::softfail) == Result::softfail);
}

TEST_CASE("spf record: dual CIDR lengths (RFC 7208 5.3, 5.4)") {
    const SpfRecord r = parse_ok("v=spf1 a/24//64 a//64 mx/0 a:%{d}/16");
    const auto ms = r.mechanisms();
    REQUIRE(ms.size() == 4);
    CHECK(ms[0].cidr4 == 24);
    CHECK(ms[0].cidr6 == 64);
    CHECK(ms[1].cidr4 == 32);
    CHECK(ms[1].cidr6 == 64);
    CHECK(ms[2].cidr4 == 0);
    CHECK(r.domain_spec(ms[3]) == "%{d}");
    CHECK(ms[3].cidr4 == 16);
}

TEST_CASE("spf record: names are case-insensitive, modifiers") {
    const SpfRecord r = parse_ok(
        "v=spf1 IP4:192.0.2.1 MX Include:example.com REDIRECT=example.org "
        "Exp=explain.%{d} moo=bar foo.bar=%{l}baz empty=");
    CHECK(r.mechanisms().size() == 3);
    REQUIRE(r.redirect());
    CHECK(*r.redirect() == "example.org");
    CHECK(r.redirect_term() == "REDIRECT=example.org");
    REQUIRE(r.explanation());
    CHECK(*r.explanation() == "explain.%{d}");
    // RFC 7208 6: unknown modifiers are ignored (kept for display only).
    const auto unknown = r.unknown_modifiers();
    REQUIRE(unknown.size() == 3);
    CHECK(unknown[0] == "moo=bar");
    CHECK(unknown[2] == "empty=");
}

TEST_CASE("spf record: syntax errors name the offending term (RFC 7208 4.6)") {
    struct Case {
        const char* record;
        const char* term;
        const char* message_part;
    };
    const Case cases[] = {
        {"v=spf1 foo -all", "foo", "unknown mechanism"},
        {"v=spf1 -all ~foo:bar", "~foo:bar", "unknown mechanism"},
        {"v=spf1 - -all", "-", "unknown mechanism"},
        {"v=spf1 ip4:192.0.2.0/33", "ip4:192.0.2.0/33", "bad CIDR length"},
        {"v=spf1 ip4:192.0.2.0/024", "ip4:192.0.2.0/024", "bad CIDR length"},
        {"v=spf1 ip4:192.0.2.0/", "ip4:192.0.2.0/", "bad CIDR length"},
        {"v=spf1 ip6:2001:db8::/129", "ip6:2001:db8::/129", "bad CIDR length"},
        {"v=spf1 ip4:192.0.2", "ip4:192.0.2", "bad IPv4 address"},
        {"v=spf1 ip4:192.0.2.256", "ip4:192.0.2.256", "bad IPv4 address"},
        {"v=spf1 ip4:192.0.02.1", "ip4:192.0.02.1", "bad IPv4 address"},
        {"v=spf1 ip4:2001:db8::1", "ip4:2001:db8::1", "bad IPv4 address"},
        {"v=spf1 ip6:192.0.2.1", "ip6:192.0.2.1", "bad IPv6 address"},
        {"v=spf1 ip6:fe80::1%eth0", "ip6:fe80::1%eth0", "bad IPv6 address"},
        {"v=spf1 ip4", "ip4", "needs ':'"},
        {"v=spf1 a/33", "a/33", "bad IPv4 CIDR length"},
        {"v=spf1 a//129", "a//129", "bad IPv6 CIDR length"},
        {"v=spf1 a/24/64", "a/24/64", "bad IPv4 CIDR length"},
        {"v=spf1 mx/", "mx/", "bad CIDR length"},
        {"v=spf1 a:", "a:", "empty domain-spec"},
        {"v=spf1 ax", "ax", "unknown mechanism"},
        {"v=spf1 all:foo", "all:foo", "'all' takes no argument"},
        {"v=spf1 ptr/24", "ptr/24", "no CIDR"},
        {"v=spf1 include", "include", "needs ':'"},
        {"v=spf1 include:", "include:", "needs ':'"},
        {"v=spf1 exists", "exists", "needs ':'"},
        // RFC 7208 7.1 domain-end: "." toplabel, and a toplabel is not all digits.
        {"v=spf1 a:1.2.3.4", "a:1.2.3.4", "invalid top label"},
        {"v=spf1 include:foo", "include:foo", "domain-spec must end"},
        {"v=spf1 a:foo.-com", "a:foo.-com", "invalid top label"},
        {"v=spf1 a:foo.bar/", "a:foo.bar/", "bad CIDR length"},
        // Macros (RFC 7208 7.1).
        {"v=spf1 exists:%{x}.example.com", "exists:%{x}.example.com", "unknown macro letter"},
        {"v=spf1 exists:%{i0}.example.com", "exists:%{i0}.example.com", "zero parts"},
        {"v=spf1 exists:%{i.example.com", "exists:%{i.example.com", "expected '}'"},
        {"v=spf1 exists:%i.example.com", "exists:%i.example.com", "'%' must be followed"},
        {"v=spf1 exists:foo.example.com%", "exists:foo.example.com%", "at the end"},
        {"v=spf1 a:%{r}.example.com", "a:%{r}.example.com", "only in explanation"},
        {"v=spf1 a:%{c}.example.com", "a:%{c}.example.com", "only in explanation"},
        {"v=spf1 exists:%{t}.example.com", "exists:%{t}.example.com", "only in explanation"},
        {"v=spf1 exp=%{c}.example.com", "exp=%{c}.example.com", "only in explanation"},
        // RFC 7208 6: redirect and exp at most once each.
        {"v=spf1 redirect=a.example.com redirect=b.example.com", "redirect=b.example.com",
         "more than once"},
        {"v=spf1 exp=a.example.com exp=b.example.com", "exp=b.example.com", "more than once"},
        {"v=spf1 redirect=", "redirect=", "empty domain-spec"},
        {"v=spf1 moo=%{", "moo=%{", "invalid modifier value"},
        // Only SP separates terms (RFC 7208 12).
        {"v=spf1 a\t-all", "a\t-all", "unknown mechanism"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.record);
        const SpfParseError e = parse_error(c.record);
        CHECK(e.term == c.term);
        CHECK(e.message.find(c.message_part) != std::string::npos);
        CHECK(e.offset == std::string_view(c.record).find(c.term));
        CHECK(e.to_string().find(c.term) != std::string::npos);
    }
}

TEST_CASE("spf record: valid domain-specs") {
    // RFC 7208 7.1: a trailing dot, a macro at the end, hyphenated numeric top labels.
    for (const char* record :
         {"v=spf1 a:example.com.", "v=spf1 include:_spf.%{d}",
          "v=spf1 exists:%{ir}.%{v}._spf.%{d2}", "v=spf1 a:foo.1-2",
          "v=spf1 a:%{l1r+-}.example.com", "v=spf1 exists:%%.%_.%-.example.com",
          "v=spf1 exists:%{S}.%{L}.%{O}.%{D}.%{I}.%{P}.%{V}.%{H}.example.com",
          "v=spf1 exists:%{d10r-.+,/_=}.example.com"}) {
        CAPTURE(record);
        CHECK(SpfRecord::parse(record).has_value());
    }
}

TEST_CASE("spf record: value() of an error throws, parse itself never does") {
    auto r = SpfRecord::parse("v=spf1 foo");
    REQUIRE(r.has_error());
    CHECK_THROWS_AS((void)r.value(), std::invalid_argument);
    CHECK_NOTHROW((void)SpfRecord::parse(std::string("v=spf1 \0\xff", 9)));
}
