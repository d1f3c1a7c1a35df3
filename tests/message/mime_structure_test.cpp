// RFC 2046 5.1.1 multipart structure defects. The vectors are written from the RFC's
// grammar: a delimiter line is "--" boundary [transport-padding], the close delimiter
// adds "--", and the boundary parameter is required for every multipart type.
#include <mailverdict/message/message.hpp>

#include <doctest/doctest.h>

#include <string>

using namespace mailverdict;

namespace {

std::string with_type(const std::string& content_type, const std::string& body) {
    return "From: a@example.com\r\nTo: b@example.com\r\nSubject: s\r\nDate: Thu, 26 Nov 2026 "
           "09:40:00 +0000\r\nMIME-Version: 1.0\r\nContent-Type: " +
           content_type + "\r\n\r\n" + body;
}

bool has(const Message& m, DefectKind kind) {
    return m.has_defect(kind);
}

bool any_mime_defect(const Message& m) {
    return has(m, DefectKind::multipart_without_boundary) ||
           has(m, DefectKind::multipart_boundary_missing) ||
           has(m, DefectKind::multipart_unterminated) || has(m, DefectKind::mime_depth_limit);
}

}  // namespace

TEST_CASE("mime: a well-formed multipart has no defect (RFC 2046 5.1.1 example)") {
    // The RFC's own example, with its preamble, epilogue and a delimiter with padding.
    const auto m = Message::parse(with_type(
        "Multipart/Mixed; boundary=\"simple boundary\"",
        "This is the preamble.\r\n--simple boundary\r\n\r\nThis is implicitly typed plain "
        "US-ASCII text.\r\n--simple boundary \t\r\nContent-type: text/plain; charset=us-ascii\r\n"
        "\r\nThis is explicitly typed.\r\n--simple boundary--\r\nThis is the epilogue.\r\n"));
    CHECK_FALSE(any_mime_defect(m));
    CHECK(m.defects().empty());
}

TEST_CASE("mime: multipart without boundary, boundary never used, no close delimiter") {
    const auto none = Message::parse(with_type("multipart/mixed", "text\r\n"));
    CHECK(has(none, DefectKind::multipart_without_boundary));

    // The generator wrote another boundary than it declared.
    const auto wrong = Message::parse(
        with_type("multipart/mixed; boundary=\"b1\"", "--b2\r\n\r\nx\r\n--b2--\r\n"));
    CHECK(has(wrong, DefectKind::multipart_boundary_missing));
    CHECK_FALSE(has(wrong, DefectKind::multipart_unterminated));

    // Truncated: parts but no "--b1--".
    const auto cut = Message::parse(
        with_type("multipart/mixed; boundary=b1", "--b1\r\n\r\none\r\n--b1\r\n\r\ntwo\r\n"));
    CHECK(has(cut, DefectKind::multipart_unterminated));
    CHECK_FALSE(has(cut, DefectKind::multipart_boundary_missing));

    // The boundary must start the line; text around it is not a delimiter.
    const auto inline_only =
        Message::parse(with_type("multipart/mixed; boundary=b1", "see --b1 here\r\nx --b1--\r\n"));
    CHECK(has(inline_only, DefectKind::multipart_boundary_missing));

    // Something after the boundary other than padding or "--" is not a delimiter.
    const auto longer =
        Message::parse(with_type("multipart/mixed; boundary=b1", "--b1x\r\n\r\nx\r\n--b1x--\r\n"));
    CHECK(has(longer, DefectKind::multipart_boundary_missing));
}

TEST_CASE("mime: nested parts are checked, LF-only messages too, other types are not") {
    const std::string inner_broken =
        "--outer\nContent-Type: multipart/alternative;\n boundary=\"inner\"\n\n--inner\n\n"
        "plain\n--outer--\n";
    const auto nested = Message::parse(with_type("multipart/mixed; boundary=outer", inner_broken));
    // The folded inner Content-Type is read; its part has no "--inner--" before the outer
    // close delimiter.
    CHECK(has(nested, DefectKind::multipart_unterminated));

    const auto fine = Message::parse(with_type(
        "multipart/mixed; boundary=outer",
        "--outer\nContent-Type: multipart/alternative; boundary=inner\n\n--inner\n\nplain\n"
        "--inner--\n--outer--\n"));
    CHECK_FALSE(any_mime_defect(fine));

    const auto text = Message::parse(with_type("text/plain; charset=utf-8", "--x\r\n"));
    CHECK_FALSE(any_mime_defect(text));
}

TEST_CASE("mime: nesting deeper than max_mime_depth is a named limit, not a crash") {
    // 30 levels, each part a multipart with its own boundary.
    std::string body;
    std::string closing;
    for (int i = 1; i < 30; ++i) {
        body += "--b" + std::to_string(i - 1) + "\r\nContent-Type: multipart/mixed; boundary=b" +
                std::to_string(i) + "\r\n\r\n";
        closing = "--b" + std::to_string(i - 1) + "--\r\n" + closing;
    }
    body += "--b29\r\n\r\nleaf\r\n--b29--\r\n" + closing;
    const std::string raw = with_type("multipart/mixed; boundary=b0", body);
    CHECK_FALSE(any_mime_defect(Message::parse(raw)));
    ParseLimits limits;
    limits.max_mime_depth = 10;
    const auto limited = Message::parse(raw, limits);
    CHECK(has(limited, DefectKind::mime_depth_limit));
    CHECK(to_string(DefectKind::mime_depth_limit) == "mime_depth_limit");
}

TEST_CASE("subject: an encoded word that cannot be decoded is a defect (RFC 2047 6.3)") {
    // '!' is outside the base64 alphabet (RFC 4648 4): the word is shown as written.
    const auto m =
        Message::parse("From: a@example.com\r\nSubject: =?utf-8?B?Zm9y!!dGhl?= ok\r\n\r\nbody\r\n");
    CHECK(m.has_defect(DefectKind::bad_encoded_word));
    CHECK(m.subject().find("=?utf-8?B?Zm9y!!dGhl?=") != std::string::npos);
    const auto fine = Message::parse(
        "From: a@example.com\r\nSubject: =?utf-8?B?Zm9yIHRoZQ==?=\r\n"
        "\r\nbody\r\n");
    CHECK_FALSE(fine.has_defect(DefectKind::bad_encoded_word));
    CHECK(fine.subject() == "for the");
}

TEST_CASE("mime: an RFC 2231 extended boundary parameter is read, not reported as missing") {
    const auto extended = Message::parse(
        with_type("multipart/mixed; boundary*=us-ascii'en'b%31", "--b1\r\n\r\nx\r\n--b1--\r\n"));
    CHECK_FALSE(any_mime_defect(extended));
    const auto wrong = Message::parse(
        with_type("multipart/mixed; boundary*=us-ascii''b%32", "--b1\r\n\r\nx\r\n--b1--\r\n"));
    CHECK(has(wrong, DefectKind::multipart_boundary_missing));
    // Continuations (boundary*0, boundary*1) are not reassembled: not checked, no defect.
    const auto continued = Message::parse(
        with_type("multipart/mixed; boundary*0=b; boundary*1=1", "--b1\r\n\r\nx\r\n--b1--\r\n"));
    CHECK_FALSE(any_mime_defect(continued));
}
