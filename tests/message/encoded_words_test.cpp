// RFC 2047 decoding. Vectors from RFC 2047 section 8 and charsets written by hand.
#include <mailverdict/message/message.hpp>

#include <doctest/doctest.h>

#include <algorithm>

using mailverdict::decode_encoded_words;
using mailverdict::Defect;
using mailverdict::DefectKind;

namespace {

bool has_kind(const std::vector<Defect>& defects, DefectKind kind) {
    return std::any_of(defects.begin(), defects.end(),
                       [kind](const Defect& d) { return d.kind == kind; });
}

}  // namespace

TEST_CASE("encoded words: text without encoded words is returned unchanged") {
    CHECK(decode_encoded_words("plain subject") == "plain subject");
    CHECK(decode_encoded_words("") == "");
    CHECK(decode_encoded_words("a =? b ?= c") == "a =? b ?= c");
}

TEST_CASE("encoded words: RFC 2047 section 8 examples") {
    CHECK(decode_encoded_words("=?US-ASCII?Q?Keith_Moore?=") == "Keith Moore");
    CHECK(decode_encoded_words("=?ISO-8859-1?Q?Keld_J=F8rn_Simonsen?=") ==
          "Keld J\xC3\xB8rn Simonsen");
    CHECK(decode_encoded_words("=?ISO-8859-1?Q?Andr=E9?= Pirard") == "Andr\xC3\xA9 Pirard");
    CHECK(decode_encoded_words("=?ISO-8859-1?B?SWYgeW91IGNhbiByZWFkIHRoaXMgeW8=?=\r\n "
                               "=?ISO-8859-2?B?dSB1bmRlcnN0YW5kIHRoZSBleGFtcGxlLg==?=") ==
          "If you can read this you understand the example.");
    // The section 8 table on whitespace between encoded words (6.2).
    CHECK(decode_encoded_words("(=?ISO-8859-1?Q?a?=)") == "(a)");
    CHECK(decode_encoded_words("(=?ISO-8859-1?Q?a?= b)") == "(a b)");
    CHECK(decode_encoded_words("(=?ISO-8859-1?Q?a?= =?ISO-8859-1?Q?b?=)") == "(ab)");
    CHECK(decode_encoded_words("(=?ISO-8859-1?Q?a?=  =?ISO-8859-1?Q?b?=)") == "(ab)");
    CHECK(decode_encoded_words("(=?ISO-8859-1?Q?a?=\r\n    =?ISO-8859-1?Q?b?=)") == "(ab)");
    CHECK(decode_encoded_words("(=?ISO-8859-1?Q?a_b?=)") == "(a b)");
    CHECK(decode_encoded_words("(=?ISO-8859-1?Q?a?= =?ISO-8859-2?Q?_b?=)") == "(a b)");
}

TEST_CASE("encoded words: B and Q in UTF-8, lower-case encoding letters") {
    CHECK(decode_encoded_words("=?utf-8?b?R3LDvMOfZSBhdXMgS8O2bG4=?=") ==
          "Gr\xC3\xBC\xC3\x9F"
          "e aus K\xC3\xB6ln");
    CHECK(decode_encoded_words("=?UTF-8?q?J=c3=b6rg?=") == "J\xC3\xB6rg");
    CHECK(decode_encoded_words("Re: =?utf-8?Q?caf=C3=A9?= ok") == "Re: caf\xC3\xA9 ok");
}

TEST_CASE("encoded words: base64 without padding is tolerated") {
    CHECK(decode_encoded_words("=?utf-8?B?w6k?=") == "\xC3\xA9");
}

TEST_CASE("encoded words: a character split across two words is joined before conversion") {
    CHECK(decode_encoded_words("=?utf-8?B?5pel5g==?= =?utf-8?B?nKzoqp4=?=") ==
          "\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E");
}

TEST_CASE("encoded words: charsets through ICU") {
    SUBCASE("Windows-1252 euro sign") {
        CHECK(decode_encoded_words("=?windows-1252?Q?=80_5?=") == "\xE2\x82\xAC 5");
    }
    SUBCASE("ISO-8859-1 label is read as Windows-1252, as mail clients do") {
        CHECK(decode_encoded_words("=?iso-8859-1?Q?=93quoted=94?=") ==
              "\xE2\x80\x9Cquoted\xE2\x80\x9D");
    }
    SUBCASE("KOI8-R") {
        CHECK(decode_encoded_words("=?KOI8-R?B?8NLJ18XU?=") ==
              "\xD0\x9F\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82");
    }
    SUBCASE("ISO-2022-JP") {
        CHECK(decode_encoded_words("=?ISO-2022-JP?B?GyRCJDMkcyRLJEEkTxsoQg==?=") ==
              "\xE3\x81\x93\xE3\x82\x93\xE3\x81\xAB\xE3\x81\xA1\xE3\x81\xAF");
    }
    SUBCASE("Shift_JIS") {
        CHECK(decode_encoded_words("=?Shift_JIS?B?k/qWe4zq?=") ==
              "\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E");
    }
}

TEST_CASE("encoded words: RFC 2231 language suffix is accepted") {
    CHECK(decode_encoded_words("=?utf-8*en?Q?Hello_World?=") == "Hello World");
    CHECK(decode_encoded_words("=?US-ASCII*EN?Q?Keith_Moore?=") == "Keith Moore");
}

TEST_CASE("encoded words: invalid base64 is kept raw and reported") {
    std::vector<Defect> defects;
    CHECK(decode_encoded_words("x =?utf-8?B?@@@@?= y", &defects) == "x =?utf-8?B?@@@@?= y");
    REQUIRE(defects.size() == 1);
    CHECK(defects[0].kind == DefectKind::bad_encoded_word);
    CHECK(defects[0].offset == 2);
}

TEST_CASE("encoded words: a bad Q escape is kept raw and reported") {
    std::vector<Defect> defects;
    CHECK(decode_encoded_words("=?utf-8?Q?a=G1?=", &defects) == "=?utf-8?Q?a=G1?=");
    CHECK(has_kind(defects, DefectKind::bad_encoded_word));
}

TEST_CASE("encoded words: whitespace after a bad word is kept") {
    CHECK(decode_encoded_words("=?utf-8?B?!?= =?utf-8?Q?ok?=") == "=?utf-8?B?!?= ok");
}

TEST_CASE("encoded words: unknown charset is kept raw and reported") {
    std::vector<Defect> defects;
    CHECK(decode_encoded_words("=?x-no-such-charset?Q?abc?=", &defects) ==
          "=?x-no-such-charset?Q?abc?=");
    REQUIRE(defects.size() == 1);
    CHECK(defects[0].kind == DefectKind::unknown_charset);
}

TEST_CASE("encoded words: malformed words are plain text, not defects") {
    std::vector<Defect> defects;
    CHECK(decode_encoded_words("=?utf-8?X?abc?=", &defects) == "=?utf-8?X?abc?=");
    CHECK(decode_encoded_words("=?utf-8?Q?no end", &defects) == "=?utf-8?Q?no end");
    CHECK(decode_encoded_words("=??Q?abc?=", &defects) == "=??Q?abc?=");
    CHECK(decode_encoded_words("=?utf-8?Q?has space?=", &defects) == "=?utf-8?Q?has space?=");
    CHECK(defects.empty());
}

TEST_CASE("encoded words: invalid UTF-8 octets become U+FFFD") {
    CHECK(decode_encoded_words("=?utf-8?Q?a=FFb?=") ==
          "a\xEF\xBF\xBD"
          "b");
}

TEST_CASE("encoded words: works without a defect sink") {
    CHECK(decode_encoded_words("=?utf-8?B?@?=") == "=?utf-8?B?@?=");
}
