// The project's one base64 codec (OpenSSL underneath), with RFC 4648 section 10 vectors.
#include "message/base64.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace mailverdict;

TEST_CASE("base64 matches the RFC 4648 section 10 test vectors both ways") {
    const std::pair<const char*, const char*> vectors[] = {
        {"", ""},
        {"f", "Zg=="},
        {"fo", "Zm8="},
        {"foo", "Zm9v"},
        {"foob", "Zm9vYg=="},
        {"fooba", "Zm9vYmE="},
        {"foobar", "Zm9vYmFy"},
    };
    for (const auto& [plain, coded] : vectors) {
        CHECK(base64::encode(plain) == coded);
        std::string out = "junk";
        CHECK(base64::decode(coded, out, base64::Padding::required));
        CHECK(out == plain);
    }
}

TEST_CASE("base64 decode skips folding whitespace and handles padding as configured") {
    std::string out;
    CHECK(base64::decode("Zm9v\r\n YmFy", out));  // RFC 6376 3.5: FWS inside b=
    CHECK(out == "foobar");
    CHECK(base64::decode("Zm9vYg", out, base64::Padding::tolerated));
    CHECK(out == "foob");
    CHECK_FALSE(base64::decode("Zm9vYg", out, base64::Padding::required));
    CHECK_FALSE(base64::decode("Zm9vY", out));      // a lone sextet encodes no byte
    CHECK_FALSE(base64::decode("Zm9v=YmFy", out));  // data after padding
    CHECK_FALSE(base64::decode("Zg===", out));      // three '='
    CHECK_FALSE(base64::decode("Zm9v!mFy", out));   // outside the alphabet
    CHECK_FALSE(base64::decode("Zg=", out));        // padding that does not complete
    const std::string binary("\x00\xff\x10\x80", 4);
    CHECK(base64::decode(base64::encode(binary), out));
    CHECK(out == binary);
}
