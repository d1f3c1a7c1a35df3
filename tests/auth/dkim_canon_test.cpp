// RFC 6376 3.4 canonicalization, 5.4.2 header selection and 3.7 signature-field input.
#include <mailverdict/auth/dkim.hpp>

#include <doctest/doctest.h>

using namespace mailverdict;
using namespace mailverdict::dkim;

namespace {

// RFC 6376 3.4.5: the example message, written with the RFC's <SP>, <TAB>, <CRLF>.
const std::string kExample =
    "A: X\r\n"
    "B : Y\t\r\n"
    "\tZ  \r\n"
    "\r\n"
    " C \r\n"
    "D \t E\r\n"
    "\r\n"
    "\r\n";

std::string canon_headers(const Message& m, Canon canon) {
    std::string out;
    for (const auto& f : m.fields()) {
        canonicalize_header(f.raw, canon, out);
    }
    return out;
}

}  // namespace

TEST_CASE("RFC 6376 3.4.5 example 1: relaxed header and relaxed body") {
    const Message m = Message::parse(kExample);
    REQUIRE(m.fields().size() == 2);
    CHECK(canon_headers(m, Canon::relaxed) == "a:X\r\nb:Y Z\r\n");
    CHECK(canonical_body(m.body(), Canon::relaxed) == " C\r\nD E\r\n");
}

TEST_CASE("RFC 6376 3.4.5 example 2: simple header and simple body") {
    const Message m = Message::parse(kExample);
    CHECK(canon_headers(m, Canon::simple) == "A: X\r\nB : Y\t\r\n\tZ  \r\n");
    CHECK(canonical_body(m.body(), Canon::simple) == " C \r\nD \t E\r\n");
}

TEST_CASE("simple body: empty lines at the end, missing final CRLF, empty body (3.4.3)") {
    CHECK(canonical_body("", Canon::simple) == "\r\n");
    CHECK(canonical_body("\r\n", Canon::simple) == "\r\n");
    CHECK(canonical_body("\r\n\r\n\r\n", Canon::simple) == "\r\n");
    CHECK(canonical_body("abc", Canon::simple) == "abc\r\n");
    CHECK(canonical_body("abc\r\n\r\n", Canon::simple) == "abc\r\n");
    CHECK(canonical_body("a\r\n\r\nb\r\n", Canon::simple) == "a\r\n\r\nb\r\n");
    // Simple keeps trailing whitespace, and a whitespace-only line is not empty.
    CHECK(canonical_body("a \r\n \r\n", Canon::simple) == "a \r\n \r\n");
}

TEST_CASE("relaxed body: whitespace and empty lines (3.4.4)") {
    CHECK(canonical_body("", Canon::relaxed).empty());  // erratum 1384: empty stays empty
    CHECK(canonical_body("\r\n\r\n", Canon::relaxed).empty());
    CHECK(canonical_body("  \r\n\t\r\n", Canon::relaxed).empty());
    CHECK(canonical_body("abc", Canon::relaxed) == "abc\r\n");
    CHECK(canonical_body("abc \t ", Canon::relaxed) == "abc\r\n");
    CHECK(canonical_body("a \t b\t\tc  \r\n", Canon::relaxed) == "a b c\r\n");
    CHECK(canonical_body("\t lead\r\n", Canon::relaxed) == " lead\r\n");
    CHECK(canonical_body("a\r\n \r\n\r\nb\r\n \r\n", Canon::relaxed) == "a\r\n\r\n\r\nb\r\n");
}

// The relaxed scan tests eight bytes at a time; every run kind is placed at every offset of
// a word and next to the line and body ends, where the eight-byte reads stop.
// Bodies where canonicalization only changes the end (no bare LF, HTAB, SP run or trailing
// SP) take a shortcut: the same results as the line-by-line path, ends included.
TEST_CASE("bodies changed only at their end: trailing empty lines and the final CRLF") {
    for (const Canon canon : {Canon::simple, Canon::relaxed}) {
        CAPTURE(static_cast<int>(canon));
        CHECK(canonical_body("abc", canon) == "abc\r\n");
        CHECK(canonical_body("abc\r\n", canon) == "abc\r\n");
        CHECK(canonical_body("abc\r\n\r\n\r\n", canon) == "abc\r\n");
        CHECK(canonical_body("a b\r\n\r\nc d\r\n\r\n", canon) == "a b\r\n\r\nc d\r\n");
        CHECK(canonical_body("abc\r", canon) == "abc\r\r\n");  // a lone CR is content
        CHECK(canonical_body("a\rb\r\n\r\r\n", canon) == "a\rb\r\n\r\r\n");
        CHECK(canonical_body("abc\r\n\r\nx", canon, 6) == "abc\r\n\r");  // l= cut
    }
    // The ends RFC 6376 sets apart: an empty body is CRLF for simple, empty for relaxed.
    CHECK(canonical_body("\r\n\r\n", Canon::simple) == "\r\n");
    CHECK(canonical_body("\r\n\r\n", Canon::relaxed).empty());
    // Just past the shortcut: a bare LF first or last, a trailing SP or HTAB.
    CHECK(canonical_body("\nabc", Canon::simple) == "\r\nabc\r\n");
    CHECK(canonical_body("abc\n", Canon::simple) == "abc\r\n");
    CHECK(canonical_body("abc ", Canon::relaxed) == "abc\r\n");
    CHECK(canonical_body("abc ", Canon::simple) == "abc \r\n");
    CHECK(canonical_body("abc\t\r\nd", Canon::relaxed) == "abc\r\nd\r\n");
}

TEST_CASE("relaxed body: a WSP run at every position of a line becomes one SP (3.4.4)") {
    for (const std::string run : {" ", "  ", "\t", " \t", "\t ", "\t\t\t", "         "}) {
        for (std::size_t at = 1; at < 20; ++at) {
            const std::string left(at, 'x');
            const std::string right(20 - at, 'y');
            const std::string expected = left + " " + right + "\r\n";
            CAPTURE(at);
            CAPTURE(run.size());
            // CRLF-terminated, followed by another line, unterminated at the body's end,
            // and with trailing WSP that is removed.
            CHECK(canonical_body(left + run + right + "\r\n", Canon::relaxed) == expected);
            CHECK(canonical_body(left + run + right + "\r\nz\r\n", Canon::relaxed) ==
                  expected + "z\r\n");
            CHECK(canonical_body(left + run + right, Canon::relaxed) == expected);
            CHECK(canonical_body(left + run + right + run + "\r\n", Canon::relaxed) == expected);
            CHECK(canonical_body(left + run + right + run, Canon::relaxed) == expected);
        }
    }
    // Bytes with the high bit set, and a CR inside a line, are ordinary content.
    CHECK(canonical_body("\xC3\xA9t\xC3\xA9  \xE2\x80\x83 x\r\n", Canon::relaxed) ==
          "\xC3\xA9t\xC3\xA9 \xE2\x80\x83 x\r\n");
    CHECK(canonical_body("a\r \t b\r\n", Canon::relaxed) == "a\r b\r\n");
}

TEST_CASE("bare LF is read as CRLF in body and header (docs/dkim.md)") {
    CHECK(canonical_body("a\nb \n\n", Canon::simple) == "a\r\nb \r\n");
    CHECK(canonical_body("a\nb \n\n", Canon::relaxed) == "a\r\nb\r\n");
    CHECK(canonical_body("a\r\nb\nc\r\n", Canon::simple) == "a\r\nb\r\nc\r\n");
    // A CR that does not end a line is an ordinary byte.
    CHECK(canonical_body("a\rb\r\n", Canon::simple) == "a\rb\r\n");

    std::string simple;
    canonicalize_header("Subject: one\n two\n", Canon::simple, simple);
    CHECK(simple == "Subject: one\r\n two\r\n");
    std::string relaxed;
    canonicalize_header("Subject: one\n two\n", Canon::relaxed, relaxed);
    CHECK(relaxed == "subject:one two\r\n");
}

TEST_CASE("relaxed header: continuation with tabs, case, colon spacing") {
    std::string out;
    canonicalize_header("SUBJect \t:\t Hello\r\n\t\tWorld \t \r\n", Canon::relaxed, out);
    CHECK(out == "subject:Hello World\r\n");
    out.clear();
    canonicalize_header("X-Empty:\r\n", Canon::relaxed, out);
    CHECK(out == "x-empty:\r\n");
    out.clear();
    canonicalize_header("X-Empty:   \r\n", Canon::relaxed, out);
    CHECK(out == "x-empty:\r\n");
    out.clear();
    // A field without a final line end (truncated message) still ends in CRLF.
    canonicalize_header("To: a", Canon::simple, out);
    CHECK(out == "To: a\r\n");
}

TEST_CASE("l= cuts the canonical body, the full length is returned") {
    std::string out;
    const auto total = canonicalize_body(
        "hello  world\r\nsecond\r\n", Canon::relaxed,
        [&out](std::string_view chunk) { out.append(chunk); }, 5);
    CHECK(out == "hello");
    CHECK(total == std::string("hello world\r\nsecond\r\n").size());
    CHECK(canonical_body("abc\r\n", Canon::simple, 0).empty());
    CHECK(canonical_body("abc\r\n", Canon::simple, 100) == "abc\r\n");
}

TEST_CASE("large bodies are handed over in chunks, identical to the whole") {
    std::string body;
    for (int i = 0; i < 3000; ++i) {
        body += "line " + std::to_string(i) + "  with\t\tspaces \r\n";
    }
    body += "\r\n\r\n";
    std::size_t chunks = 0;
    std::string joined;
    canonicalize_body(body, Canon::relaxed, [&](std::string_view c) {
        ++chunks;
        joined.append(c);
    });
    CHECK(chunks > 1);
    CHECK(joined.size() < body.size());
    CHECK(joined.substr(0, 24) == "line 0 with spaces\r\nline");
    CHECK(joined.substr(joined.size() - 23) == "line 2999 with spaces\r\n");
    // Simple leaves the lines as they are, dropping only the trailing empty lines.
    CHECK(canonical_body(body, Canon::simple) == body.substr(0, body.size() - 4));
}

TEST_CASE("h= selection: bottom-up for repeated names, over-signing gives nothing (5.4.2)") {
    const Message m = Message::parse(
        "Received: one\r\n"
        "From: a@example.com\r\n"
        "Received: two\r\n"
        "Subject: s\r\n"
        "\r\nbody\r\n");
    const auto& f = m.fields();
    const auto selected =
        select_signed_fields(f, {"received", "From", "RECEIVED", "received", "subject"});
    REQUIRE(selected.size() == 5);
    CHECK(selected[0] == &f[2]);  // the last Received first
    CHECK(selected[1] == &f[1]);
    CHECK(selected[2] == &f[0]);    // then the one above it
    CHECK(selected[3] == nullptr);  // over-signed: no third Received
    CHECK(selected[4] == &f[3]);
    // Absent names select nothing; `skip` is never selected.
    const auto none = select_signed_fields(f, {"to", "from"}, &f[1]);
    CHECK(none[0] == nullptr);
    CHECK(none[1] == nullptr);
}

TEST_CASE("the signature field is hashed with b= emptied and no final CRLF (3.7)") {
    const std::string field =
        "DKIM-Signature: v=1; a=rsa-sha256; d=example.com; s=sel; h=from;\r\n"
        " bh=AAAA; b=abcd\r\n efgh\r\n";
    std::string simple;
    REQUIRE(canonicalize_signature_field(field, Canon::simple, simple));
    CHECK(simple ==
          "DKIM-Signature: v=1; a=rsa-sha256; d=example.com; s=sel; h=from;\r\n bh=AAAA; b=");
    std::string relaxed;
    REQUIRE(canonicalize_signature_field(field, Canon::relaxed, relaxed));
    CHECK(relaxed == "dkim-signature:v=1; a=rsa-sha256; d=example.com; s=sel; h=from; bh=AAAA; b=");

    // b= in the middle: only its value goes, bh= is untouched; the tags after it stay.
    std::string middle;
    REQUIRE(canonicalize_signature_field("DKIM-Signature: b= xyz ; bh=AAAA; v=1\r\n", Canon::simple,
                                         middle));
    CHECK(middle == "DKIM-Signature: b=; bh=AAAA; v=1");
    std::string none;
    CHECK_FALSE(canonicalize_signature_field("DKIM-Signature: bh=AAAA\r\n", Canon::simple, none));
}
