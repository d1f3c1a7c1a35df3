// RFC 7208 7: macro expansion, with the section 7.4 examples as exact vectors.
#include "auth/spf/spf_macro.hpp"

#include <doctest/doctest.h>

#include <map>
#include <string>

using namespace mailverdict::spf::detail;

namespace {

// The values of RFC 7208 7.4: <sender> strong-bad@email.example.com, client 192.0.2.3
// (or 2001:db8::cb01), PTR name mx.example.org.
class Rfc74Values final : public MacroValues {
public:
    explicit Rfc74Values(bool ipv6 = false) : ipv6_(ipv6) {}
    std::string_view value(char letter, std::string&) override {
        ++asked[letter];
        switch (letter) {
            case 's':
                return "strong-bad@email.example.com";
            case 'l':
                return "strong-bad";
            case 'o':
            case 'd':
                return "email.example.com";
            case 'i':
                return ipv6_ ? "2.0.0.1.0.d.b.8.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.c.b.0.1"
                             : "192.0.2.3";
            case 'p':
                return "mx.example.org";
            case 'v':
                return ipv6_ ? "ip6" : "in-addr";
            case 'h':
                return "mx.example.org";
            case 'c':
                return ipv6_ ? "2001:db8::cb01" : "192.0.2.3";
            case 'r':
                return "receiver.example.net";
            case 't':
                return "1700000000";
            default:
                return "";
        }
    }
    std::map<char, int> asked;

private:
    bool ipv6_;
};

std::string expand(std::string_view text, bool ipv6 = false,
                   MacroContext context = MacroContext::domain_spec) {
    Rfc74Values values(ipv6);
    std::string out;
    INFO("macro string: " << text);
    REQUIRE(!check_macro_string(text, context).has_value());
    REQUIRE(expand_macro_string(text, context, values, out));
    return out;
}

// Single macros are checked as explain text (a lone macro is a valid domain-end too).
std::string expand1(std::string_view text) {
    return expand(text, false, MacroContext::explain_string);
}

}  // namespace

TEST_CASE("spf macro: RFC 7208 7.4 single macros") {
    CHECK(expand1("%{s}") == "strong-bad@email.example.com");
    CHECK(expand1("%{o}") == "email.example.com");
    CHECK(expand1("%{d}") == "email.example.com");
    CHECK(expand1("%{d4}") == "email.example.com");
    CHECK(expand1("%{d3}") == "email.example.com");
    CHECK(expand1("%{d2}") == "example.com");
    CHECK(expand1("%{d1}") == "com");
    CHECK(expand1("%{dr}") == "com.example.email");
    CHECK(expand1("%{d2r}") == "example.email");
    CHECK(expand1("%{l}") == "strong-bad");
    CHECK(expand1("%{l-}") == "strong.bad");
    CHECK(expand1("%{lr}") == "strong-bad");
    CHECK(expand1("%{lr-}") == "bad.strong");
    CHECK(expand1("%{l1r-}") == "strong");
}

TEST_CASE("spf macro: RFC 7208 7.4 macro strings") {
    CHECK(expand("%{ir}.%{v}._spf.%{d2}") == "3.2.0.192.in-addr._spf.example.com");
    CHECK(expand("%{lr-}.lp._spf.%{d2}") == "bad.strong.lp._spf.example.com");
    CHECK(expand("%{lr-}.lp.%{ir}.%{v}._spf.%{d2}") ==
          "bad.strong.lp.3.2.0.192.in-addr._spf.example.com");
    CHECK(expand("%{ir}.%{v}.%{l1r-}.lp._spf.%{d2}") ==
          "3.2.0.192.in-addr.strong.lp._spf.example.com");
    CHECK(expand("%{d2}.trusted-domains.example.net") == "example.com.trusted-domains.example.net");
    // IPv6 (RFC 7208 7.4): the nibbles of 2001:db8::cb01, reversed.
    CHECK(expand("%{ir}.%{v}._spf.%{d2}", true) ==
          "1.0.b.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6._spf.example.com");
}

TEST_CASE("spf macro: every letter") {
    const auto e = [](std::string_view t) {
        return expand(t, false, MacroContext::explain_string);
    };
    CHECK(e("%{p}") == "mx.example.org");
    CHECK(e("%{h}") == "mx.example.org");
    CHECK(e("%{i}") == "192.0.2.3");
    CHECK(e("%{v}") == "in-addr");
    CHECK(expand("%{v}", true, MacroContext::explain_string) == "ip6");
    CHECK(expand("%{c}", true, MacroContext::explain_string) == "2001:db8::cb01");
    CHECK(e("%{c}") == "192.0.2.3");
    CHECK(e("%{r}") == "receiver.example.net");
    CHECK(e("%{t}") == "1700000000");
    // Letters are case-insensitive; the transformers apply to every letter.
    CHECK(e("%{h1}") == "org");
    CHECK(e("%{pr}") == "org.example.mx");
    CHECK(e("%{t2}") == "1700000000");  // no delimiter in the value: one part
}

TEST_CASE("spf macro: transformers and delimiters (RFC 7208 7.3)") {
    const auto e = [](std::string_view t) {
        return expand(t, false, MacroContext::explain_string);
    };
    // Several delimiters ("@" is not one); parts rejoined with ".".
    CHECK(e("%{s-.}") == "strong.bad@email.example.com");
    CHECK(e("%{s2r-.}") == "bad@email.strong");  // reversed: com example bad@email strong
    CHECK(e("%{s1-.}") == "com");
    CHECK(check_macro_string("%{s@}", MacroContext::explain_string));
    // A DIGIT larger than the number of parts keeps them all.
    CHECK(e("%{d99}") == "email.example.com");
    CHECK(e("%{d99999999999999999999}") == "email.example.com");
    CHECK(e("%{i2}") == "2.3");
    CHECK(e("%{i2r}") == "0.192");
    CHECK(e("%{l+}") == "strong-bad");  // no '+' in the value
}

TEST_CASE("spf macro: %% %_ %- and URL escaping (RFC 7208 7.1, 7.3)") {
    const auto e = [](std::string_view t) {
        return expand(t, false, MacroContext::explain_string);
    };
    CHECK(e("100%%") == "100%");
    CHECK(e("a%_b") == "a b");
    CHECK(e("a%-b") == "a%20b");
    CHECK(e("%{S}") == "strong-bad%40email.example.com");
    CHECK(e("%{L}") == "strong-bad");  // all unreserved
    CHECK(e("%{C}") == "192.0.2.3");
    CHECK(expand("%{C}", true, MacroContext::explain_string) == "2001%3Adb8%3A%3Acb01");
    CHECK(e("%{T}") == "1700000000");
    // Explanation text keeps spaces (explain-string = *( macro-string / SP )).
    CHECK(e("%{i} is not one of %{d}'s servers") ==
          "192.0.2.3 is not one of email.example.com's servers");
    std::string out;
    append_url_escaped("a b/~_.-\xC3\xA9", out);
    CHECK(out == "a%20b%2F~_.-%C3%A9");
}

TEST_CASE("spf macro: grammar errors") {
    using Ctx = MacroContext;
    CHECK(check_macro_string("%{x}.example.com", Ctx::domain_spec));
    CHECK(check_macro_string("%{d0}.example.com", Ctx::domain_spec));
    CHECK(check_macro_string("%{d", Ctx::domain_spec));
    CHECK(check_macro_string("%{}", Ctx::domain_spec));
    CHECK(check_macro_string("%{dd}", Ctx::domain_spec));
    CHECK(check_macro_string("%{d2rr}", Ctx::domain_spec));
    CHECK(check_macro_string("%{d2r!}", Ctx::domain_spec));
    CHECK(check_macro_string("%x", Ctx::explain_string));
    CHECK(check_macro_string("a b.example.com", Ctx::domain_spec));  // no SP in a domain-spec
    CHECK_FALSE(check_macro_string("a b", Ctx::explain_string));
    CHECK(check_macro_string("caf\xC3\xA9", Ctx::explain_string));  // visible ASCII only
    CHECK(check_macro_string("%{r}.example.com", Ctx::domain_spec));
    CHECK_FALSE(check_macro_string("%{r}", Ctx::explain_string));
    CHECK_FALSE(check_macro_string("%{r}", Ctx::unknown_modifier));
    CHECK(check_macro_string("", Ctx::domain_spec));
    CHECK_FALSE(check_macro_string("", Ctx::explain_string));
    // The error offset points at the bad macro.
    const auto e = check_macro_string("abc.%{q}.example.com", Ctx::domain_spec);
    REQUIRE(e);
    CHECK(e->offset == 4);
    // expand_macro_string rejects what check_macro_string rejects.
    Rfc74Values values;
    std::string out;
    CHECK_FALSE(expand_macro_string("%{c}.example.com", Ctx::domain_spec, values, out));
    CHECK(values.asked.empty());
}

TEST_CASE("spf macro: domain truncation to 253 octets from the left (RFC 7208 7.3)") {
    std::string name;
    for (int i = 0; i < 30; ++i) {
        name += "label" + std::to_string(100 + i) + ".";  // 9 octets each with the dot
    }
    name += "example.com.";
    const std::string original = name;
    truncate_domain(name, 253);
    CHECK(name.size() <= 253);
    // Whole labels are removed from the left: what stays is a suffix of the original,
    // starting right after a dot, and the next longer such suffix would not fit.
    const std::string without_dot = original.substr(0, original.size() - 1);
    REQUIRE(without_dot.size() > 253);
    CHECK(without_dot.ends_with(name));
    const std::size_t start = without_dot.size() - name.size();
    CHECK(without_dot[start - 1] == '.');
    const std::size_t previous_dot = without_dot.rfind('.', start - 2);
    CHECK(without_dot.size() - (previous_dot + 1) > 253);
    // 30 * 9 + 11 = 281 octets: 4 labels of 9 must go (281 - 36 = 245).
    CHECK(name.size() == 245);
    CHECK(name.starts_with("label104."));

    std::string short_name = "example.com.";
    truncate_domain(short_name, 253);
    CHECK(short_name == "example.com");
}
