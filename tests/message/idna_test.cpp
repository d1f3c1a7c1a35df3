// IDNA forms through ICU UTS #46.
#include <mailverdict/message/message.hpp>

#include <doctest/doctest.h>

using mailverdict::idna_forms;

TEST_CASE("idna: ASCII domain is lower-cased in both forms") {
    const auto forms = idna_forms("Example.COM");
    REQUIRE(forms);
    CHECK(forms->ascii == "example.com");
    CHECK(forms->unicode == "example.com");
}

TEST_CASE("idna: U-label to A-label and back") {
    const auto forms = idna_forms(
        "b\xC3\xBC"
        "cher.example");  // bücher.example
    REQUIRE(forms);
    CHECK(forms->ascii == "xn--bcher-kva.example");
    CHECK(forms->unicode ==
          "b\xC3\xBC"
          "cher.example");

    const auto back = idna_forms("XN--BCHER-KVA.example");
    REQUIRE(back);
    CHECK(back->ascii == "xn--bcher-kva.example");
    CHECK(back->unicode ==
          "b\xC3\xBC"
          "cher.example");
}

TEST_CASE("idna: Cyrillic look-alike of paypal has a distinct A-label") {
    // "pаypal.com" with U+0430 CYRILLIC SMALL LETTER A
    const auto forms = idna_forms("p\xD0\xB0ypal.com");
    REQUIRE(forms);
    CHECK(forms->ascii.rfind("xn--", 0) == 0);
    CHECK(forms->ascii != "paypal.com");
    CHECK(forms->unicode == "p\xD0\xB0ypal.com");
}

TEST_CASE("idna: uppercase non-ASCII is mapped (UTS #46 case folding)") {
    const auto forms = idna_forms(
        "B\xC3\x9C"
        "CHER.example");  // BÜCHER.example
    REQUIRE(forms);
    CHECK(forms->ascii == "xn--bcher-kva.example");
}

TEST_CASE("idna: a trailing root dot is ignored") {
    const auto forms = idna_forms("example.org.");
    REQUIRE(forms);
    CHECK(forms->ascii == "example.org");
}

TEST_CASE("idna: invalid names give nullopt") {
    CHECK_FALSE(idna_forms(""));
    CHECK_FALSE(idna_forms("a..b"));
    CHECK_FALSE(idna_forms("xn--zz.example"));                   // not valid Punycode
    CHECK_FALSE(idna_forms(std::string(70, 'a') + ".example"));  // label over 63 octets
    CHECK_FALSE(idna_forms("\xFF\xFE.example"));                 // not UTF-8
}
