// Authentication-Results (RFC 8601): strict grammar, appendix B examples, real-world
// layouts (Gmail, Microsoft, OpenDKIM/OpenDMARC, Postfix policyd-spf) written from their
// documented formats, lenient mode, formatting round trips, trusted headers.
#include <mailverdict/auth/auth_results.hpp>

#include <doctest/doctest.h>

using namespace mailverdict;
using namespace mailverdict::authres;

namespace {

AuthenticationResults ok(std::string_view text, Mode mode = Mode::strict) {
    auto r = parse(text, mode);
    INFO("value: " << text);
    if (!r) {
        INFO("error: " << r.error().to_string());
        REQUIRE(r.has_value());
    }
    return std::move(*r);
}

ParseError bad(std::string_view text, Mode mode = Mode::strict) {
    auto r = parse(text, mode);
    INFO("value: " << text);
    REQUIRE(r.has_error());
    return r.error();
}

}  // namespace

TEST_CASE("authres: RFC 8601 B.2 no result, with a version") {
    const auto r = ok(" example.org 1; none");
    CHECK(r.authserv_id == "example.org");
    CHECK(r.version == 1U);
    CHECK(r.no_result);
    CHECK(r.results.empty());
}

TEST_CASE("authres: RFC 8601 B.3 and B.4 SPF, auth, iprev") {
    auto r = ok("example.com;\r\n          spf=pass smtp.mailfrom=example.net");
    REQUIRE(r.results.size() == 1);
    CHECK(r.results[0].method == "spf");
    CHECK(r.results[0].result == "pass");
    CHECK(r.results[0].value("smtp", "mailfrom") == "example.net");

    r =
        ok("example.com;\r\n          auth=pass (cram-md5) smtp.auth=sender@example.net;\r\n"
           "          spf=pass smtp.mailfrom=example.net");
    REQUIRE(r.results.size() == 2);
    CHECK(r.results[0].method == "auth");
    CHECK(r.results[0].comments == std::vector<std::string>{"cram-md5"});
    CHECK(r.results[0].value("smtp", "auth") == "sender@example.net");
    CHECK(r.results[1].value("smtp", "mailfrom") == "example.net");

    r = ok("example.com; iprev=pass\r\n          policy.iprev=192.0.2.200");
    CHECK(r.results[0].value("policy", "iprev") == "192.0.2.200");
}

TEST_CASE("authres: RFC 8601 B.5 and B.6 DKIM, with reasonspec") {
    auto r =
        ok("example.com;\r\n"
           "          dkim=pass (good signature) header.d=mail-router.example.net;\r\n"
           "          dkim=fail (bad signature) header.d=newyork.example.com");
    REQUIRE(r.find_all("dkim").size() == 2);
    CHECK(r.results[1].result == "fail");
    CHECK(r.results[1].comments == std::vector<std::string>{"bad signature"});
    CHECK(r.results[1].value("header", "d") == "newyork.example.com");

    r =
        ok("example.com;\r\n    dkim=pass reason=\"good signature\"\r\n"
           "      header.i=@mail-router.example.net;\r\n    dkim=fail reason=\"bad signature\"\r\n"
           "      header.i=@newyork.example.com");
    CHECK(r.results[0].reason == "good signature");
    CHECK(r.results[0].value("header", "i") == "@mail-router.example.net");
    CHECK(r.results[1].reason == "bad signature");
}

TEST_CASE("authres: RFC 8601 B.7 comments everywhere") {
    const auto r =
        ok("foo.example.net (foobar) 1 (baz);\r\n"
           "    dkim (Because I like it) / 1 (One yay) = (wait for it) fail\r\n"
           "      policy (A dot can go here) . (like that) expired\r\n"
           "      (this surprised me) = (as I wasn't expecting it) 1362471462");
    CHECK(r.authserv_id == "foo.example.net");
    CHECK(r.version == 1U);
    CHECK(r.comments == std::vector<std::string>{"foobar", "baz"});
    REQUIRE(r.results.size() == 1);
    const auto& d = r.results[0];
    CHECK(d.method == "dkim");
    CHECK(d.method_version == 1U);
    CHECK(d.result == "fail");
    CHECK(d.value("policy", "expired") == "1362471462");
    CHECK(d.comments.size() == 7);
    CHECK(d.comments[6] == "as I wasn't expecting it");
}

TEST_CASE("authres: Gmail's layout") {
    const auto r = ok(
        "mx.google.com;\r\n       dkim=pass header.i=@example.com header.s=20230601 "
        "header.b=AbCdEf12;\r\n       spf=pass (google.com: domain of alice@example.com designates "
        "2001:db8::25 as permitted sender) smtp.mailfrom=alice@example.com;\r\n"
        "       dmarc=pass (p=REJECT sp=REJECT dis=NONE) header.from=example.com");
    CHECK(r.authserv_id == "mx.google.com");
    CHECK(r.find("dkim")->value("header", "s") == "20230601");
    CHECK(r.find("dkim")->value("header", "b") == "AbCdEf12");
    CHECK(r.find("spf")->value("smtp", "mailfrom") == "alice@example.com");
    CHECK(r.find("dmarc")->comments == std::vector<std::string>{"p=REJECT sp=REJECT dis=NONE"});
    CHECK(r.find("dmarc")->value("header", "from") == "example.com");
}

TEST_CASE("authres: OpenDKIM, OpenDMARC and policyd-spf layouts") {
    auto r =
        ok("mail.example.org; dkim=pass (2048-bit key; unprotected) header.d=example.com "
           "header.i=@example.com header.b=\"AbCdEfGh\"; dkim-atps=neutral");
    CHECK(r.find("dkim")->comments == std::vector<std::string>{"2048-bit key; unprotected"});
    CHECK(r.find("dkim")->value("header", "b") == "AbCdEfGh");
    CHECK(r.find("dkim-atps")->result == "neutral");
    r = ok("mail.example.org; dmarc=fail (p=reject dis=none) header.from=example.com");
    CHECK(r.find("dmarc")->result == "fail");
    r = ok("mail.example.org; spf=pass (sender SPF authorized) smtp.mailfrom=example.com");
    CHECK(r.find("spf")->value("smtp", "mailfrom") == "example.com");
    // OpenDKIM's AuthservIDWithJobID: "/" is not a token character (RFC 2045 5.1), so
    // only lenient mode reads it
    CHECK(bad("mail.example.org/4BCD1E2F; dkim=none").message == "expected ';'");
    r = ok("mail.example.org/4BCD1E2F; dkim=none", Mode::lenient);
    CHECK(r.authserv_id == "mail.example.org/4BCD1E2F");
}

TEST_CASE("authres: strict mode rejects what the grammar does not allow") {
    CHECK(bad("").message == "expected an authserv-id");
    CHECK(bad("example.com").message.find("no result") == 0);
    CHECK(bad("example.com; spf").message == "expected '=' after method 'spf'");
    CHECK(bad("example.com; spf=").message == "expected a result for method 'spf'");
    CHECK(bad("example.com; spf=pass smtp.mailfrom").message ==
          "expected '=' after 'smtp.mailfrom'");
    CHECK(bad("example.com; spf=pass;").message == "expected a result after ';'");
    CHECK(bad("example.com; dmarc=pass action=none header.from=x.com").message ==
          "expected reason= or ptype.property=value");
    CHECK(bad("example.com (unclosed; spf=pass").message == "unterminated comment");
    const auto e = bad("spf=pass smtp.mailfrom=x.com");  // Microsoft's id-less form
    CHECK(e.message == "expected ';'");
    CHECK(e.offset == 3);
}

TEST_CASE("authres: Microsoft's header in lenient mode (mdo-behaviour 1.7, 16)") {
    const std::string_view ms =
        "spf=pass (sender IP is 198.51.100.25) smtp.mailfrom=fabrikam.com; dkim=none (message "
        "not signed) header.d=none;dmarc=pass action=none header.from=fabrikam.com;compauth=pass "
        "reason=100";
    const auto r = ok(ms, Mode::lenient);
    CHECK(r.authserv_id.empty());
    REQUIRE(r.results.size() == 4);
    CHECK(r.results[0].comments == std::vector<std::string>{"sender IP is 198.51.100.25"});
    CHECK(r.results[1].value("header", "d") == "none");
    CHECK(r.results[2].method == "dmarc");
    CHECK(r.results[2].extra("action") == "none");
    CHECK(r.results[2].value("header", "from") == "fabrikam.com");
    CHECK(r.results[3].method == "compauth");
    CHECK(r.results[3].reason == "100");
    CHECK(r.deviations.front() == "no authserv-id");

    // the documented example with the recipient organisation's domain between results
    const auto doc =
        ok("spf=pass (sender IP is 10.2.3.4)\r\n  smtp.mailfrom=fabrikam.com; contoso.com; "
           "dkim=none\r\n  (message not signed) header.d=none; contoso.com; "
           "dmarc=bestguesspass\r\n  action=none header.from=fabrikam.com; "
           "compauth=pass reason=109",
           Mode::lenient);
    REQUIRE(doc.results.size() == 4);
    CHECK(doc.find("dmarc")->result == "bestguesspass");
    CHECK(doc.find("compauth")->reason == "109");
    CHECK(std::count(doc.deviations.begin(), doc.deviations.end(), "skipped 'contoso.com'") == 2);

    const auto q =
        ok("spf=fail (sender IP is 198.51.100.77)\r\n  smtp.mailfrom=fabrikam.com; "
           "dkim=none;\r\n  dmarc=fail action=quarantine header.from=fabrikam.com;\r\n"
           "  compauth=fail reason=000",
           Mode::lenient);
    CHECK(q.find("dkim")->properties.empty());
    CHECK(q.find("dmarc")->extra("action") == "quarantine");
    CHECK(q.find("compauth")->reason == "000");
}

TEST_CASE("authres: Microsoft's ARC-Authentication-Results payload") {
    const auto r = ok(
        "mx.microsoft.com 1; spf=pass (sender ip is 172.17.17.17) smtp.rcpttodomain=microsoft.com "
        "smtp.mailfrom=example.com; dmarc=bestguesspass action=none header.from=example.com; "
        "dkim=none (message not signed); arc=pass (0 oda=1 ltdi=1 "
        "spf=[1,1,smtp.mailfrom=example.com] "
        "dkim=[1,1,header.d=example.com] dmarc=[1,1,header.from=example.com])",
        Mode::lenient);
    CHECK(r.authserv_id == "mx.microsoft.com");
    CHECK(r.version == 1U);
    CHECK(r.find("spf")->value("smtp", "rcpttodomain") == "microsoft.com");
    REQUIRE(r.find("arc") != nullptr);
    CHECK(r.find("arc")->comments.front().find("oda=1") != std::string::npos);
}

TEST_CASE("authres: formatting and round trips") {
    AuthenticationResults a;
    a.authserv_id = "mx.example.org";
    ResultInfo spf{"spf",
                   std::nullopt,
                   "pass",
                   std::nullopt,
                   {{"smtp", "mailfrom", "example.com"}},
                   {"sender IP is 192.0.2.1"},
                   {}};
    ResultInfo dkim{"dkim",
                    std::nullopt,
                    "fail",
                    std::string("bad signature"),
                    {{"header", "d", "example.com"},
                     {"header", "i", "@example.com"},
                     {"header", "b", "ab+/cd=="}},
                    {},
                    {}};
    ResultInfo dmarc{"dmarc",
                     std::nullopt,
                     "fail",
                     std::nullopt,
                     {{"header", "from", "example.com"}},
                     {"p=reject (strict) dis=reject"},
                     {{"action", "reject"}}};
    a.results = {spf, dkim, dmarc};
    const std::string text = format(a, FormatOptions{false, "\r\n", "\t"});
    CHECK(text ==
          "mx.example.org; spf=pass (sender IP is 192.0.2.1) smtp.mailfrom=example.com; "
          "dkim=fail reason=\"bad signature\" header.d=example.com header.i=@example.com "
          "header.b=\"ab+/cd==\"; dmarc=fail (p=reject \\(strict\\) dis=reject) action=reject "
          "header.from=example.com");
    // action= is outside the grammar: strict rejects our Microsoft-style extra...
    CHECK_FALSE(parse(text, Mode::strict).has_value());
    // ...lenient reads everything back
    auto back = ok(text, Mode::lenient);
    back.deviations.clear();
    CHECK(back == a);
    // without extras the strict parser reads the folded form back exactly
    a.results[2].extras.clear();
    const std::string folded = format_field(a);
    CHECK(folded.rfind("Authentication-Results: mx.example.org;\r\n\tspf=pass", 0) == 0);
    CHECK(ok(folded.substr(std::string_view("Authentication-Results:").size())) == a);
    AuthenticationResults none;
    none.authserv_id = "mx.example.org";
    CHECK(format(none) == "mx.example.org; none");
    CHECK(ok(format(none)).no_result);
    CHECK(is_token("example.com"));
    CHECK_FALSE(is_token("a b"));
    CHECK_FALSE(is_token("a@b"));
}

TEST_CASE("authres: the topmost header of a trusted authserv-id") {
    const auto m = Message::parse(
        "Authentication-Results: spf=fail (sender IP is 192.0.2.9) smtp.mailfrom=x.test;"
        "dkim=none (message not signed) header.d=none;dmarc=fail action=none "
        "header.from=x.test;compauth=fail reason=001\r\n"
        "Authentication-Results: evil.example; spf=pass smtp.mailfrom=x.test\r\n"
        "Authentication-Results: mx.trusted.example; spf=softfail smtp.mailfrom=x.test\r\n"
        "Authentication-Results: mx.trusted.example; spf=pass smtp.mailfrom=older.test\r\n"
        "From: a@x.test\r\n\r\nbody\r\n");
    auto t = find_trusted(m, TrustOptions{{"MX.Trusted.Example"}, false});
    REQUIRE(t);
    CHECK(t->field_index == 2);
    CHECK_FALSE(t->microsoft);
    CHECK(t->results.find("spf")->result == "softfail");
    t = find_trusted(m, TrustOptions{{"mx.trusted.example"}, true});
    REQUIRE(t);
    CHECK(t->field_index == 0);
    CHECK(t->microsoft);
    CHECK(t->results.find("compauth")->reason == "001");
    CHECK_FALSE(find_trusted(m, TrustOptions{{"other.example"}, false}));
    CHECK_FALSE(find_trusted(m, TrustOptions{}));
}
