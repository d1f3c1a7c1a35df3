// check_host() (RFC 7208 4-6) against zone-text resolvers: every mechanism, qualifier,
// limit and error path. Expected values are read off the RFC and the zone data.
#include <mailverdict/auth/spf.hpp>
#include <mailverdict/dns/resolver.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <string>

using namespace mailverdict;
using namespace mailverdict::spf;
using boost::asio::ip::make_address;

namespace {

// One zone for most cases. Names are absolute; every domain has its own record.
constexpr const char* zone = R"(
$TTL 300
test.                SOA ns.test. hostmaster.test. 1 3600 600 86400 60
; --- qualifiers and all
all-pass.test.       TXT "v=spf1 all"
all-plus.test.       TXT "v=spf1 +all"
all-fail.test.       TXT "v=spf1 -all"
all-soft.test.       TXT "v=spf1 ~all"
all-neutral.test.    TXT "v=spf1 ?all"
nomatch.test.        TXT "v=spf1 ip4:10.0.0.1"
; --- a
hosts.test.          A    192.0.2.1
hosts.test.          A    192.0.2.2
hosts.test.          AAAA 2001:db8::1
a.test.              TXT "v=spf1 a:hosts.test -all"
a-self.test.         TXT "v=spf1 a -all"
a-self.test.         A   192.0.2.77
a-cidr.test.         TXT "v=spf1 a:hosts.test/24//64 -all"
a-cidr6.test.        TXT "v=spf1 a:hosts.test//126 -all"
; --- mx
mx.test.             TXT "v=spf1 mx -all"
mx.test.             MX 10 mx1.hosts.test.
mx.test.             MX 20 mx2.hosts.test.
mx1.hosts.test.      A 198.51.100.10
mx2.hosts.test.      A 198.51.100.20
mx2.hosts.test.      AAAA 2001:db8:2::20
mx-cidr.test.        TXT "v=spf1 mx:mx.test/28 -all"
mx-none.test.        TXT "v=spf1 mx -all"
mx-none.test.        A 192.0.2.1
mx-null.test.        TXT "v=spf1 mx ?all"
mx-null.test.        MX 0 .
mx-ten.test.         TXT "v=spf1 mx -all"
mx-ten.test.         MX 1 m1.mx-ten.test.
mx-ten.test.         MX 2 m2.mx-ten.test.
mx-ten.test.         MX 3 m3.mx-ten.test.
mx-ten.test.         MX 4 m4.mx-ten.test.
mx-ten.test.         MX 5 m5.mx-ten.test.
mx-ten.test.         MX 6 m6.mx-ten.test.
mx-ten.test.         MX 7 m7.mx-ten.test.
mx-ten.test.         MX 8 m8.mx-ten.test.
mx-ten.test.         MX 9 m9.mx-ten.test.
mx-ten.test.         MX 10 m10.mx-ten.test.
m10.mx-ten.test.     A 203.0.113.10
mx-eleven.test.      TXT "v=spf1 mx -all"
mx-eleven.test.      MX 1 m1.mx-ten.test.
mx-eleven.test.      MX 2 m2.mx-ten.test.
mx-eleven.test.      MX 3 m3.mx-ten.test.
mx-eleven.test.      MX 4 m4.mx-ten.test.
mx-eleven.test.      MX 5 m5.mx-ten.test.
mx-eleven.test.      MX 6 m6.mx-ten.test.
mx-eleven.test.      MX 7 m7.mx-ten.test.
mx-eleven.test.      MX 8 m8.mx-ten.test.
mx-eleven.test.      MX 9 m9.mx-ten.test.
mx-eleven.test.      MX 10 m10.mx-ten.test.
mx-eleven.test.      MX 11 m11.mx-ten.test.
; --- ptr
ptr.test.            TXT "v=spf1 ptr -all"
ptr-other.test.      TXT "v=spf1 ptr:hosts.test -all"
good.ptr.test.       A 192.0.2.65
good.ptr.test.       AAAA 2001:db8::65
liar.ptr.test.       A 192.0.2.250
65.2.0.192.in-addr.arpa.  PTR good.ptr.test.
66.2.0.192.in-addr.arpa.  PTR liar.ptr.test.
5.6.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa. PTR good.ptr.test.
; --- ip4 / ip6
ip.test.             TXT "v=spf1 ip4:192.0.2.0/24 ip6:2001:db8:1::/48 ip4:203.0.113.7 -all"
ip-zero.test.        TXT "v=spf1 ip4:0.0.0.0/0 -all"
; --- exists
exists.test.         TXT "v=spf1 exists:%{ir}.allow.test -all"
1.2.0.192.allow.test. A 127.0.0.2
exists6.test.        TXT "v=spf1 exists:%{ir}.%{v}.allow6.test -all"
1.0.b.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.allow6.test. A 127.0.0.2
; --- include
inc.test.            TXT "v=spf1 include:ip.test include:all-soft.test -all"
inc-neutral.test.    TXT "v=spf1 include:all-neutral.test -all"
inc-none.test.       TXT "v=spf1 include:norecord.test -all"
norecord.test.       A 192.0.2.1
inc-nx.test.         TXT "v=spf1 include:nonexistent.test -all"
inc-perm.test.       TXT "v=spf1 include:syntax.test +all"
inc-temp.test.       TXT "v=spf1 include:loop.test +all"
inc-self.test.       TXT "v=spf1 include:inc-self.test -all"
; --- redirect
redir.test.          TXT "v=spf1 ip4:10.9.9.9 redirect=ip.test"
redir-none.test.     TXT "v=spf1 redirect=norecord.test"
redir-all.test.      TXT "v=spf1 ?all redirect=all-fail.test"
redir-match.test.    TXT "v=spf1 ip4:192.0.2.1 redirect=all-fail.test"
; --- errors
syntax.test.         TXT "v=spf1 ip4:192.0.2.1 foo:bar -all"
two.test.            TXT "v=spf1 -all"
two.test.            TXT "v=spf1 +all"
other-txt.test.      TXT "google-site-verification=abc"
other-txt.test.      TXT "v=spf10 +all"
other-txt.test.      TXT "v=spf1 ip4:192.0.2.1 -all"
split.test.          TXT "v=spf1 ip4:192.0.2.1" " -all"
split-word.test.     TXT "v=spf1 ip4:192.0.2" ".9 -all"
case.test.           TXT "V=SPF1 IP4:192.0.2.1 -ALL"
spf99.test.          SPF "v=spf1 +all"
loop.test.           CNAME loop2.test.
loop2.test.          CNAME loop.test.
alias.test.          CNAME ip.test.
; --- void lookups
void2.test.          TXT "v=spf1 a:nx1.test a:nx2.test ip4:192.0.2.1 -all"
void3.test.          TXT "v=spf1 a:nx1.test a:nx2.test exists:nx3.test ip4:192.0.2.1 -all"
void-nodata.test.    TXT "v=spf1 mx:norecord.test a:mx.test exists:nodata.test ip4:192.0.2.1 -all"
nodata.test.         TXT "v=spf1 -all"
void-inc.test.       TXT "v=spf1 a:nx1.test include:void-inc2.test ip4:192.0.2.1 -all"
void-inc2.test.      TXT "v=spf1 a:nx2.test a:nx3.test -all"
; --- dns term limit
ten.test.            TXT "v=spf1 a:hosts.test a:hosts.test a:hosts.test a:hosts.test a:hosts.test a:hosts.test a:hosts.test a:hosts.test a:hosts.test a:hosts.test ip4:203.0.113.1 -all"
eleven.test.         TXT "v=spf1 a:hosts.test a:hosts.test a:hosts.test a:hosts.test a:hosts.test a:hosts.test a:hosts.test a:hosts.test a:hosts.test a:hosts.test a:hosts.test ip4:203.0.113.1 -all"
ten-match.test.      TXT "v=spf1 a:hosts.test a:hosts.test a:hosts.test a:hosts.test a:hosts.test a:hosts.test a:hosts.test a:hosts.test a:hosts.test a:mx1.hosts.test -all"
limit-inc.test.      TXT "v=spf1 include:limit-inc2.test include:limit-inc2.test include:limit-inc2.test ip4:203.0.113.1 -all"
limit-inc2.test.     TXT "v=spf1 a:hosts.test a:hosts.test -all"
limit-redir.test.    TXT "v=spf1 a:hosts.test a:hosts.test a:hosts.test a:hosts.test a:hosts.test a:hosts.test a:hosts.test a:hosts.test a:hosts.test a:hosts.test redirect=all-pass.test"
; --- identities and macros
helo.test.           TXT "v=spf1 ip4:192.0.2.25 -all"
mac.test.            TXT "v=spf1 exists:%{l}.%{o}.%{h}.users.test -all"
postmaster.nullhelo.test.nullhelo.test.users.test. A 127.0.0.2
nullhelo.test.       TXT "v=spf1 exists:%{l}.%{o}.%{h}.users.test -all"
jo.mac.test.h.example.users.test. A 127.0.0.2
postmaster.mac.test.h.example.users.test. A 127.0.0.2
pmac.test.           TXT "v=spf1 exists:%{p}.pallow.test -all"
good.ptr.test.pallow.test. A 127.0.0.2
unknown.pallow.test. A 127.0.0.3
dmac.test.           TXT "v=spf1 include:inner.dmac.test -all"
inner.dmac.test.     TXT "v=spf1 exists:%{d1r}.%{d}.%{o}.dallow.test -all"
inner.inner.dmac.test.dmac.test.dallow.test. A 127.0.0.2
longmac.test.        TXT "v=spf1 exists:%{l}.%{l}.%{l}.%{l}.%{l}.longallow.test -all"
; --- explanations
exp.test.            TXT "v=spf1 ip4:192.0.2.1 exp=why.exp.test -all"
why.exp.test.        TXT "%{i} is not one of %{d}'s designated mail servers, see http://%{d}/spf?s=%{S}&r=%{r}&t=%{t}"
exp-two.test.        TXT "v=spf1 exp=why2.exp.test -all"
why2.exp.test.       TXT "one"
why2.exp.test.       TXT "two"
exp-bad.test.        TXT "v=spf1 exp=bad.exp.test -all"
bad.exp.test.        TXT "%{q} oops"
exp-nx.test.         TXT "v=spf1 exp=nx.exp.test -all"
exp-loop.test.       TXT "v=spf1 exp=loop.test -all"
exp-redir.test.      TXT "v=spf1 exp=why.exp.test redirect=exp-target.test"
exp-target.test.     TXT "v=spf1 exp=target-why.exp.test -all"
target-why.exp.test. TXT "target says no"
exp-inc.test.        TXT "v=spf1 exp=outer-why.exp.test -include:exp.test +all"
outer-why.exp.test.  TXT "outer says no"
)";

std::shared_ptr<dns::Resolver> resolver() {
    static const auto r = dns::zone_text(zone, "test.");
    return r;
}

SpfResult mail_from(std::string_view ip, std::string_view from, std::string_view helo = "h.example",
                    const SpfOptions& options = {}) {
    return check_mail_from(*resolver(), make_address(std::string(ip)), from, helo, options);
}

Result result_of(std::string_view ip, std::string_view domain) {
    return mail_from(ip, "user@" + std::string(domain)).result;
}

}  // namespace

TEST_CASE("spf eval: all and the four qualifiers (RFC 7208 4.6.2, 5.1)") {
    CHECK(result_of("192.0.2.9", "all-pass.test") == Result::pass);
    CHECK(result_of("192.0.2.9", "all-plus.test") == Result::pass);
    CHECK(result_of("192.0.2.9", "all-fail.test") == Result::fail);
    CHECK(result_of("192.0.2.9", "all-soft.test") == Result::softfail);
    CHECK(result_of("192.0.2.9", "all-neutral.test") == Result::neutral);
    const SpfResult r = mail_from("192.0.2.9", "user@all-fail.test");
    CHECK(r.mechanism == "-all");
    CHECK(r.reason == "matched");
    CHECK(r.lookups == 0);  // "all" queries nothing (RFC 7208 4.6.4)
    // RFC 7208 4.7: nothing matched, no redirect: neutral, mechanism "default".
    const SpfResult n = mail_from("192.0.2.9", "user@nomatch.test");
    CHECK(n.result == Result::neutral);
    CHECK(n.mechanism == "default");
    CHECK(n.reason == "default_neutral");
}

TEST_CASE("spf eval: a (RFC 7208 5.3)") {
    CHECK(result_of("192.0.2.1", "a.test") == Result::pass);
    CHECK(result_of("192.0.2.2", "a.test") == Result::pass);
    CHECK(result_of("192.0.2.3", "a.test") == Result::fail);
    CHECK(result_of("192.0.2.77", "a-self.test") == Result::pass);  // a = a:<domain>
    CHECK(result_of("192.0.2.1", "a-self.test") == Result::fail);
    // a/24//64: 192.0.2.200 shares the /24 of 192.0.2.1; 2001:db8::ffff the /64 of ::1.
    CHECK(result_of("192.0.2.200", "a-cidr.test") == Result::pass);
    CHECK(result_of("192.0.3.1", "a-cidr.test") == Result::fail);
    CHECK(result_of("2001:db8::ffff", "a-cidr.test") == Result::pass);
    CHECK(result_of("2001:db8:0:1::1", "a-cidr.test") == Result::fail);
    // IPv6 clients look up AAAA: 2001:db8::1 exactly, and //126 covers ::0-::3.
    CHECK(result_of("2001:db8::1", "a.test") == Result::pass);
    CHECK(result_of("2001:db8::2", "a.test") == Result::fail);
    CHECK(result_of("2001:db8::3", "a-cidr6.test") == Result::pass);
    CHECK(result_of("2001:db8::4", "a-cidr6.test") == Result::fail);
    const SpfResult r = mail_from("192.0.2.2", "user@a.test");
    CHECK(r.mechanism == "a:hosts.test");
    CHECK(r.lookups == 1);
}

TEST_CASE("spf eval: mx (RFC 7208 5.4)") {
    CHECK(result_of("198.51.100.10", "mx.test") == Result::pass);
    CHECK(result_of("198.51.100.20", "mx.test") == Result::pass);
    CHECK(result_of("198.51.100.11", "mx.test") == Result::fail);
    CHECK(result_of("2001:db8:2::20", "mx.test") == Result::pass);
    CHECK(result_of("198.51.100.14", "mx-cidr.test") == Result::pass);  // in 198.51.100.0/28
    CHECK(result_of("198.51.100.16", "mx-cidr.test") == Result::pass);  // in 198.51.100.16/28
    CHECK(result_of("198.51.100.32", "mx-cidr.test") == Result::fail);
    // RFC 7208 5.4: no implicit MX: the A record of mx-none.test is not used.
    const SpfResult none = mail_from("192.0.2.1", "user@mx-none.test");
    CHECK(none.result == Result::fail);
    CHECK(none.void_lookups == 1);  // the MX lookup had no answer
    // A null MX (RFC 7505) designates nobody.
    CHECK(result_of("192.0.2.1", "mx-null.test") == Result::neutral);
    // RFC 7208 4.6.4: ten MX names are fine (the tenth host matches) ...
    CHECK(result_of("203.0.113.10", "mx-ten.test") == Result::pass);
    // ... an eleventh makes the mx mechanism a permerror.
    const SpfResult eleven = mail_from("203.0.113.10", "user@mx-eleven.test");
    CHECK(eleven.result == Result::permerror);
    CHECK(eleven.reason == "mx_limit");
    SpfOptions options;
    options.limits.mx_names = 11;
    CHECK(mail_from("203.0.113.10", "user@mx-eleven.test", "h.example", options).result ==
          Result::pass);
}

TEST_CASE("spf eval: ptr (RFC 7208 5.5)") {
    // 192.0.2.65 -> good.ptr.test -> 192.0.2.65: validated and within ptr.test.
    CHECK(result_of("192.0.2.65", "ptr.test") == Result::pass);
    // 192.0.2.66 -> liar.ptr.test, whose address is not 192.0.2.66: not validated.
    CHECK(result_of("192.0.2.66", "ptr.test") == Result::fail);
    // No PTR record at all: no match (and a void lookup).
    const SpfResult none = mail_from("192.0.2.67", "user@ptr.test");
    CHECK(none.result == Result::fail);
    CHECK(none.void_lookups == 1);
    // Validated, but not within hosts.test.
    CHECK(result_of("192.0.2.65", "ptr-other.test") == Result::fail);
    // IPv6: the ip6.arpa name and an AAAA validation.
    CHECK(result_of("2001:db8::65", "ptr.test") == Result::pass);
}

TEST_CASE("spf eval: ip4 and ip6 (RFC 7208 5.6)") {
    CHECK(result_of("192.0.2.200", "ip.test") == Result::pass);
    CHECK(result_of("203.0.113.7", "ip.test") == Result::pass);
    CHECK(result_of("203.0.113.8", "ip.test") == Result::fail);
    CHECK(result_of("2001:db8:1:ffff::1", "ip.test") == Result::pass);
    CHECK(result_of("2001:db8:2::1", "ip.test") == Result::fail);
    // RFC 7208 5: an IPv4-mapped IPv6 client is an IPv4 client.
    const SpfResult mapped = mail_from("::ffff:192.0.2.9", "user@ip.test");
    CHECK(mapped.result == Result::pass);
    CHECK(mapped.client_ip.is_v4());
    CHECK(mapped.mechanism == "ip4:192.0.2.0/24");
    // An IPv6 client never matches ip4:0.0.0.0/0.
    CHECK(result_of("2001:db8::1", "ip-zero.test") == Result::fail);
    CHECK(result_of("198.18.0.1", "ip-zero.test") == Result::pass);
}

TEST_CASE("spf eval: exists (RFC 7208 5.7)") {
    CHECK(result_of("192.0.2.1", "exists.test") == Result::pass);
    const SpfResult no = mail_from("192.0.2.2", "user@exists.test");
    CHECK(no.result == Result::fail);
    CHECK(no.void_lookups == 1);
    // IPv6 client: exists still asks for an A record (of the nibble name).
    CHECK(result_of("2001:db8::cb01", "exists6.test") == Result::pass);
    CHECK(result_of("2001:db8::cb02", "exists6.test") == Result::fail);
}

TEST_CASE("spf eval: include maps results by the RFC 7208 5.2 table") {
    // pass -> match
    const SpfResult pass = mail_from("192.0.2.9", "user@inc.test");
    CHECK(pass.result == Result::pass);
    CHECK(pass.mechanism == "include:ip.test");
    CHECK(pass.lookups == 1);
    // fail (ip.test's -all) and softfail -> no match; the outer -all decides.
    const SpfResult fail = mail_from("198.18.0.1", "user@inc.test");
    CHECK(fail.result == Result::fail);
    CHECK(fail.mechanism == "-all");
    CHECK(fail.lookups == 2);
    CHECK(result_of("198.18.0.1", "inc-neutral.test") == Result::fail);
    // none -> permerror (a domain without a record, and one that does not exist).
    const SpfResult none = mail_from("192.0.2.1", "user@inc-none.test");
    CHECK(none.result == Result::permerror);
    CHECK(none.reason == "include_none");
    CHECK(none.problem.find("include:norecord.test") != std::string::npos);
    CHECK(mail_from("192.0.2.1", "user@inc-nx.test").reason == "include_none");
    // permerror propagates, even with +all after it.
    const SpfResult perm = mail_from("192.0.2.1", "user@inc-perm.test");
    CHECK(perm.result == Result::permerror);
    CHECK(perm.reason == "syntax_error");
    CHECK(perm.problem.find("foo:bar") != std::string::npos);
    // temperror propagates (the target's TXT lookup is a CNAME loop: SERVFAIL).
    const SpfResult temp = mail_from("192.0.2.1", "user@inc-temp.test");
    CHECK(temp.result == Result::temperror);
    CHECK(temp.reason == "dns_temporary_failure");
    // An include loop ends at the DNS term limit.
    const SpfResult self = mail_from("192.0.2.1", "user@inc-self.test");
    CHECK(self.result == Result::permerror);
    CHECK(self.reason == "dns_lookup_limit");
    CHECK(self.lookups == 10);
}

TEST_CASE("spf eval: redirect (RFC 7208 6.1)") {
    const SpfResult r = mail_from("192.0.2.9", "user@redir.test");
    CHECK(r.result == Result::pass);
    CHECK(r.mechanism == "ip4:192.0.2.0/24");  // the target's matching mechanism
    CHECK(r.lookups == 1);
    CHECK(result_of("198.18.0.1", "redir.test") == Result::fail);
    // No record at the target: permerror, not none.
    const SpfResult none = mail_from("192.0.2.9", "user@redir-none.test");
    CHECK(none.result == Result::permerror);
    CHECK(none.reason == "redirect_none");
    // RFC 7208 5.1: an "all" anywhere means redirect= is ignored.
    CHECK(result_of("192.0.2.9", "redir-all.test") == Result::neutral);
    // A match before the redirect wins.
    CHECK(result_of("192.0.2.1", "redir-match.test") == Result::pass);
    CHECK(result_of("192.0.2.2", "redir-match.test") == Result::fail);
}

TEST_CASE("spf eval: record selection (RFC 7208 3, 4.4, 4.5)") {
    // No domain, no TXT record: none.
    const SpfResult nx = mail_from("192.0.2.1", "user@nonexistent.test");
    CHECK(nx.result == Result::none);
    CHECK(nx.reason == "no_record");
    CHECK(result_of("192.0.2.1", "norecord.test") == Result::none);
    // Two v=spf1 records: permerror.
    const SpfResult two = mail_from("192.0.2.1", "user@two.test");
    CHECK(two.result == Result::permerror);
    CHECK(two.reason == "multiple_records");
    // Other TXT records (and "v=spf10") are not SPF records.
    CHECK(result_of("192.0.2.1", "other-txt.test") == Result::pass);
    CHECK(result_of("192.0.2.2", "other-txt.test") == Result::fail);
    // The strings of one TXT record are joined without separators (RFC 7208 3.3).
    CHECK(result_of("192.0.2.1", "split.test") == Result::pass);
    CHECK(result_of("192.0.2.2", "split.test") == Result::fail);
    CHECK(result_of("192.0.2.9", "split-word.test") == Result::pass);  // "192.0.2" ".9"
    CHECK(result_of("192.0.2.1", "case.test") == Result::pass);
    CHECK(result_of("192.0.2.2", "case.test") == Result::fail);
    // RFC 7208 3.1: type SPF (99) records are not looked at.
    CHECK(result_of("192.0.2.1", "spf99.test") == Result::none);
    // A syntax error anywhere is a permerror before evaluation, even after a match.
    const SpfResult syntax = mail_from("192.0.2.1", "user@syntax.test");
    CHECK(syntax.result == Result::permerror);
    CHECK(syntax.reason == "syntax_error");
    CHECK(syntax.problem.find("unknown mechanism 'foo:bar'") != std::string::npos);
    // The record lookup failing temporarily: temperror. CNAMEs are followed.
    CHECK(result_of("192.0.2.1", "loop.test") == Result::temperror);
    CHECK(result_of("192.0.2.1", "alias.test") == Result::pass);
}

TEST_CASE("spf eval: invalid domains give none (RFC 7208 4.3)") {
    for (const char* helo :
         {"[192.0.2.1]", "localhost", "a..test", "192.0.2.1", ".test", "", "-bad label.test"}) {
        CAPTURE(helo);
        const SpfResult r = check_helo(*resolver(), make_address("192.0.2.1"), helo);
        CHECK(r.result == Result::none);
        CHECK(r.reason == "invalid_domain");
        CHECK(r.lookups == 0);
    }
    const std::string long_label(64, 'x');
    CHECK(result_of("192.0.2.1", long_label + ".test") == Result::none);
    CHECK(mail_from("192.0.2.1", "user@" + long_label + ".test").reason == "invalid_domain");
    // A trailing dot is a fully qualified name.
    CHECK(result_of("192.0.2.1", "all-pass.test.") == Result::pass);
}

TEST_CASE("spf eval: DNS-querying term limit (RFC 7208 4.6.4)") {
    // Ten a: terms then ip4: the limit is reached, not exceeded; evaluation goes on.
    const SpfResult ten = mail_from("203.0.113.1", "user@ten.test");
    CHECK(ten.result == Result::pass);
    CHECK(ten.lookups == 10);
    // The tenth term itself can match.
    CHECK(result_of("198.51.100.10", "ten-match.test") == Result::pass);
    // An eleventh is a permerror, before its lookup.
    const SpfResult eleven = mail_from("203.0.113.1", "user@eleven.test");
    CHECK(eleven.result == Result::permerror);
    CHECK(eleven.reason == "dns_lookup_limit");
    CHECK(eleven.lookups == 10);
    REQUIRE(!eleven.trace.empty());
    CHECK(eleven.trace.back().outcome == "permerror");
    // Includes count, and so do the terms inside them: 3 + 3 * 2 = 9 is fine.
    CHECK(result_of("203.0.113.1", "limit-inc.test") == Result::pass);
    // Ten a: terms and a redirect: the redirect is the eleventh.
    const SpfResult redirect = mail_from("203.0.113.1", "user@limit-redir.test");
    CHECK(redirect.result == Result::permerror);
    CHECK(redirect.reason == "dns_lookup_limit");
    // The limit is a parameter.
    SpfOptions options;
    options.limits.dns_terms = 8;
    CHECK(mail_from("203.0.113.1", "user@limit-inc.test", "h.example", options).result ==
          Result::permerror);
    options.limits.dns_terms = 11;
    CHECK(mail_from("203.0.113.1", "user@eleven.test", "h.example", options).result ==
          Result::pass);
}

TEST_CASE("spf eval: void lookup limit (RFC 7208 4.6.4)") {
    const SpfResult two = mail_from("192.0.2.1", "user@void2.test");
    CHECK(two.result == Result::pass);
    CHECK(two.void_lookups == 2);
    const SpfResult three = mail_from("192.0.2.1", "user@void3.test");
    CHECK(three.result == Result::permerror);
    CHECK(three.reason == "void_lookup_limit");
    CHECK(three.void_lookups == 3);
    // NODATA counts like NXDOMAIN: an MX, an A and an A lookup without records.
    const SpfResult nodata = mail_from("192.0.2.1", "user@void-nodata.test");
    CHECK(nodata.result == Result::permerror);
    CHECK(nodata.reason == "void_lookup_limit");
    // Void lookups inside an include count toward the same limit.
    CHECK(mail_from("192.0.2.1", "user@void-inc.test").reason == "void_lookup_limit");
    SpfOptions options;
    options.limits.void_lookups = 3;
    CHECK(mail_from("192.0.2.1", "user@void3.test", "h.example", options).result == Result::pass);
}

TEST_CASE("spf eval: identities, the null sender and the local part") {
    // HELO identity (RFC 7208 2.3): <domain> is the HELO name.
    const SpfResult helo = check_helo(*resolver(), make_address("192.0.2.25"), "helo.test");
    CHECK(helo.result == Result::pass);
    CHECK(helo.identity == Identity::helo);
    CHECK(helo.sender == "postmaster@helo.test");
    CHECK(auth_results_spf(helo) == "spf=pass smtp.helo=helo.test");
    // MAIL FROM: %{l}, %{o} and %{h} as given.
    CHECK(mail_from("192.0.2.1", "jo@mac.test").result == Result::pass);
    CHECK(mail_from("192.0.2.1", "<jo@mac.test>").result == Result::pass);
    CHECK(mail_from("192.0.2.1", "ann@mac.test").result == Result::fail);
    // No local part: "postmaster" (RFC 7208 4.3).
    CHECK(mail_from("192.0.2.1", "@mac.test").result == Result::pass);
    CHECK(mail_from("192.0.2.1", "mac.test").result == Result::pass);
    // The null sender is postmaster@<HELO> (RFC 7208 2.4): %{l}=postmaster,
    // %{o}=%{h}=nullhelo.test.
    for (const char* null_sender : {"", "<>"}) {
        const SpfResult null = mail_from("192.0.2.1", null_sender, "nullhelo.test");
        CHECK(null.result == Result::pass);
        CHECK(null.domain == "nullhelo.test");
        CHECK(null.sender == "postmaster@nullhelo.test");
        CHECK(null.mail_from.empty());
        CHECK(received_spf(null).find("envelope-from=\"<>\"") != std::string::npos);
    }
}

TEST_CASE("spf eval: %{d} is the current domain, %{o} the sender's (RFC 7208 7.2)") {
    // inner.dmac.test expands exists:%{d1r}.%{d}.%{o}.dallow.test with d = inner.dmac.test:
    // "inner" . "inner.dmac.test" . "dmac.test" . "dallow.test".
    CHECK(result_of("192.0.2.1", "dmac.test") == Result::pass);
}

TEST_CASE("spf eval: %{p} validated name, or \"unknown\" (RFC 7208 7.3)") {
    CHECK(result_of("192.0.2.65", "pmac.test") == Result::pass);  // good.ptr.test validated
    CHECK(result_of("192.0.2.66", "pmac.test") == Result::pass);  // liar: "unknown" exists too
    SpfOptions options;
    const SpfResult unknown = mail_from("192.0.2.66", "user@pmac.test", "h", options);
    REQUIRE(unknown.trace.size() >= 2);
    CHECK(unknown.trace[1].why.find("unknown.pallow.test") != std::string::npos);
}

TEST_CASE("spf eval: expanded target names may hold any octet (RFC 7208 4.8, 7.3)") {
    // RFC 7208 7.3 makes "%_" a space and "%%" a percent sign, and RFC 7208 4.8 puts no
    // character rule on the expanded target-name: a label is any octets (RFC 2181 11).
    // Such a name is looked up as those octets, neither rejected nor read as a
    // presentation-format escape (a backslash from the local part stays a backslash).
    const auto octets = dns::zone_text(R"(
$TTL 300
octets.test.                  SOA ns.test. hostmaster.test. 1 3600 600 86400 60
blank.octets.test.            TXT "v=spf1 a:two%_words%%.hosts.octets.test -all"
two\032words%.hosts.octets.test. A 192.0.2.40
twowords%.hosts.octets.test.  A 192.0.2.41
back.octets.test.             TXT "v=spf1 exists:%{l}.ok.octets.test -all"
x\092y.ok.octets.test.        A 127.0.0.2
)",
                                       "octets.test.");
    const auto check = [&](std::string_view ip, std::string_view from) {
        return check_mail_from(*octets, make_address(std::string(ip)), from, "h.example");
    };
    const SpfResult blank = check("192.0.2.40", "user@blank.octets.test");
    CHECK(blank.result == Result::pass);
    CHECK(blank.mechanism == "a:two%_words%%.hosts.octets.test");
    // Another address is a plain no match, not a permerror.
    const SpfResult other = check("192.0.2.41", "user@blank.octets.test");
    CHECK(other.result == Result::fail);
    CHECK(other.reason == "matched");
    CHECK(check("192.0.2.9", "x\\y@back.octets.test").result == Result::pass);
    // "x\y" must not be queried as the escape "\y" (= "xy").
    CHECK(check("192.0.2.9", "xy@back.octets.test").result == Result::fail);
}

TEST_CASE("spf eval: long expansions are truncated from the left (RFC 7208 7.3)") {
    // Five copies of a 60-octet local part: 5 * 61 + 14 = 319 octets. Dropping one
    // label leaves 258, still too long; dropping two leaves 197. The query goes to a
    // name under longallow.test, which does not exist: a void lookup, no permerror.
    const std::string local(60, 'a');
    const SpfResult r = mail_from("192.0.2.1", local + "@longmac.test");
    CHECK(r.result == Result::fail);
    CHECK(r.void_lookups == 1);
    REQUIRE(r.trace.size() >= 2);
    CHECK(r.trace[1].why.find("lookup of " + local + "." + local + "." + local +
                              ".longallow.test:") != std::string::npos);
    CHECK(r.trace[1].why.find(local + "." + local + "." + local + "." + local) ==
          std::string::npos);
}

TEST_CASE("spf eval: explanations (RFC 7208 6.2)") {
    SpfOptions options;
    options.receiver = "mx.receiver.example";
    options.now = 1700000000;
    const SpfResult fail = mail_from("192.0.2.9", "Joe@exp.test", "h.example", options);
    CHECK(fail.result == Result::fail);
    CHECK(fail.explanation ==
          "192.0.2.9 is not one of exp.test's designated mail servers, see "
          "http://exp.test/spf?s=Joe%40exp.test&r=mx.receiver.example&t=1700000000");
    // Only a fail has an explanation.
    CHECK(mail_from("192.0.2.1", "joe@exp.test", "h.example", options).explanation.empty());
    // Two TXT records, a syntax error, no record, a DNS failure: the default text.
    const std::string fallback =
        "domain of exp-two.test does not designate 192.0.2.9 as permitted sender";
    CHECK(mail_from("192.0.2.9", "joe@exp-two.test").explanation == fallback);
    CHECK(mail_from("192.0.2.9", "joe@exp-bad.test").explanation ==
          "domain of exp-bad.test does not designate 192.0.2.9 as permitted sender");
    CHECK(mail_from("192.0.2.9", "joe@exp-nx.test").explanation ==
          "domain of exp-nx.test does not designate 192.0.2.9 as permitted sender");
    const SpfResult loop = mail_from("192.0.2.9", "joe@exp-loop.test");
    CHECK(loop.result == Result::fail);  // the exp= failure does not change the result
    CHECK(loop.explanation ==
          "domain of exp-loop.test does not designate 192.0.2.9 as permitted sender");
    // With redirect=, the target's exp= is used, not the original's.
    CHECK(mail_from("192.0.2.9", "joe@exp-redir.test").explanation == "target says no");
    // In an include, the included record's exp= is not used: the fail comes from the
    // outer "-include:exp.test" (exp.test gives pass for 192.0.2.1).
    const SpfResult inc = mail_from("192.0.2.1", "joe@exp-inc.test");
    CHECK(inc.result == Result::fail);
    CHECK(inc.explanation == "outer says no");
    // The default explanation is a parameter.
    options.default_explanation = "%{o} says no to %{c} (%{r})";
    CHECK(mail_from("2001:db8::9", "joe@exp-two.test", "h", options).explanation ==
          "exp-two.test says no to 2001:db8::9 (mx.receiver.example)");
}

TEST_CASE("spf eval: the trace follows the decision") {
    const SpfResult r = mail_from("198.18.0.1", "user@inc.test");
    // record inc.test; ip.test's record and its 4 terms, then include:ip.test itself;
    // all-soft.test's record and ~all, then include:all-soft.test; -all.
    REQUIRE(r.trace.size() == 11);
    CHECK(r.trace[0].term == "record");
    CHECK(r.trace[0].outcome == "found");
    CHECK(r.trace[0].depth == 0);
    CHECK(r.trace[1].domain == "ip.test");
    CHECK(r.trace[1].depth == 1);
    CHECK(r.trace[2].term == "ip4:192.0.2.0/24");
    CHECK(r.trace[2].outcome == "no match");
    CHECK(r.trace[4].term == "ip4:203.0.113.7");
    CHECK(r.trace[5].term == "-all");
    CHECK(r.trace[5].outcome == "match");
    CHECK(r.trace[6].term == "include:ip.test");
    CHECK(r.trace[6].outcome == "no match");
    CHECK(r.trace[6].why.find("fail") != std::string::npos);
    CHECK(r.trace[9].term == "include:all-soft.test");
    CHECK(r.trace[9].why.find("softfail") != std::string::npos);
    CHECK(r.trace[10].term == "-all");
    CHECK(r.trace[10].domain == "inc.test");
    SpfOptions quiet;
    quiet.trace = false;
    const SpfResult q = mail_from("198.18.0.1", "user@inc.test", "h", quiet);
    CHECK(q.trace.empty());
    CHECK(q.result == Result::fail);
}

TEST_CASE("spf eval: Received-SPF (RFC 7208 9.1) and Authentication-Results") {
    SpfOptions options;
    options.receiver = "mybox.example.org";
    const SpfResult pass = mail_from("192.0.2.1", "myname@a.test", "foo.example.com", options);
    CHECK(received_spf(pass) ==
          "Received-SPF: pass (mybox.example.org: domain of myname@a.test designates 192.0.2.1 "
          "as permitted sender) client-ip=192.0.2.1; envelope-from=\"myname@a.test\"; "
          "helo=foo.example.com; receiver=mybox.example.org; identity=mailfrom; "
          "mechanism=\"a:hosts.test\"");
    CHECK(auth_results_spf(pass) == "spf=pass smtp.mailfrom=a.test");
    const SpfResult fail =
        mail_from("2001:db8::9", "myname@all-fail.test", "foo.example.com", options);
    const std::string header = received_spf(fail);
    CHECK(
        header.starts_with("Received-SPF: fail (mybox.example.org: domain of "
                           "myname@all-fail.test does not designate 2001:db8::9 as permitted "
                           "sender) client-ip=\"2001:db8::9\";"));
    CHECK(header.ends_with("identity=mailfrom; mechanism=-all"));
    const SpfResult perm = mail_from("192.0.2.1", "x@syntax.test", "foo.example.com", options);
    const std::string perm_header = received_spf(perm);
    CHECK(perm_header.starts_with("Received-SPF: permerror ("));
    CHECK(perm_header.find("problem=\"syntax error in the record of syntax.test") !=
          std::string::npos);
    const SpfResult neutral = mail_from("192.0.2.1", "x@nomatch.test", "foo.example.com", options);
    CHECK(received_spf(neutral).ends_with("mechanism=default"));
    const auto property = auth_results_property(neutral);
    CHECK(property.ptype == "smtp");
    CHECK(property.property == "mailfrom");
    CHECK(property.value == "nomatch.test");
}
