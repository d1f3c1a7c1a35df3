// Message::parse: header fields, body split, defects and limits.
#include <mailverdict/message/message.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <string>

using mailverdict::DefectKind;
using mailverdict::Message;
using mailverdict::ParseLimits;

namespace {

std::size_t count_kind(const Message& m, DefectKind kind) {
    return static_cast<std::size_t>(
        std::count_if(m.defects().begin(), m.defects().end(),
                      [kind](const mailverdict::Defect& d) { return d.kind == kind; }));
}

// RFC 5322 appendix A.1.1, with CRLF line ends.
const std::string kAppendixA11 =
    "From: John Doe <jdoe@machine.example>\r\n"
    "To: Mary Smith <mary@example.net>\r\n"
    "Subject: Saying Hello\r\n"
    "Date: Fri, 21 Nov 1997 09:55:06 -0600\r\n"
    "Message-ID: <1234@local.machine.example>\r\n"
    "\r\n"
    "This is a message just to say hello.\r\n"
    "So, \"Hello\".\r\n";

}  // namespace

TEST_CASE("message: RFC 5322 A.1.1 parses without defects") {
    const auto m = Message::parse(kAppendixA11);
    CHECK(m.defects().empty());
    REQUIRE(m.fields().size() == 5);
    CHECK(m.fields()[0].name == "From");
    CHECK(m.fields()[0].raw == "From: John Doe <jdoe@machine.example>\r\n");
    CHECK(m.fields()[0].raw_value == " John Doe <jdoe@machine.example>");
    CHECK(m.fields()[0].value() == "John Doe <jdoe@machine.example>");
    CHECK(m.fields()[0].offset == 0);
    CHECK(m.fields()[1].offset == m.fields()[0].raw.size());
    REQUIRE(m.from().size() == 1);
    CHECK(m.from()[0].display_name == "John Doe");
    CHECK(m.from()[0].address() == "jdoe@machine.example");
    REQUIRE(m.to().size() == 1);
    CHECK(m.to()[0].address() == "mary@example.net");
    CHECK(m.cc().empty());
    CHECK(m.subject() == "Saying Hello");
    CHECK(m.date() == "Fri, 21 Nov 1997 09:55:06 -0600");
    CHECK(m.message_id() == "<1234@local.machine.example>");
    CHECK(m.has_body_separator());
    CHECK(m.body() == "This is a message just to say hello.\r\nSo, \"Hello\".\r\n");
    CHECK(m.bytes() == kAppendixA11);
    CHECK(m.header_block().size() + 2 + m.body().size() == m.bytes().size());
    CHECK(m.header_block().ends_with("local.machine.example>\r\n"));
}

TEST_CASE("message: lookup is case-insensitive and keeps order") {
    const auto m =
        Message::parse("Received: one\r\nFROM: a@b.example\r\nreceived: two\r\nDate: x\r\n\r\n");
    REQUIRE(m.find("from") != nullptr);
    CHECK(m.find("from")->name == "FROM");
    CHECK(m.find("Received")->value() == "one");
    const auto all = m.find_all("RECEIVED");
    REQUIRE(all.size() == 2);
    CHECK(all[0]->value() == "one");
    CHECK(all[1]->value() == "two");
    CHECK(m.find("X-Missing") == nullptr);
    CHECK(m.find_all("X-Missing").empty());
}

TEST_CASE("message: folded fields are unfolded, raw bytes kept") {
    const std::string text =
        "Subject: This\r\n is a test\r\n\tof folding\r\nFrom: a@b.example\r\nDate: d\r\n\r\nx";
    const auto m = Message::parse(text);
    const auto* subject = m.find("Subject");
    REQUIRE(subject != nullptr);
    CHECK(subject->folded());
    CHECK(subject->value() == "This is a test\tof folding");
    CHECK(subject->raw == "Subject: This\r\n is a test\r\n\tof folding\r\n");
    CHECK(subject->raw_value == " This\r\n is a test\r\n\tof folding");
    CHECK_FALSE(m.find("From")->folded());
    CHECK(m.defects().empty());
}

TEST_CASE("message: unfolding with bare LF, a stray CR, and a fold after the colon") {
    // RFC 5322 2.2.3: the line ends of folds go, the WSP after them stays; a bare LF is a
    // line end too (bare_lf defect), a CR not before an LF is content; the value is
    // trimmed after unfolding.
    const std::string text =
        "X-A:\r\n  lead\r\n\ttail  \r\n"
        "X-B: one\n two\r\r\n three\r\n"
        "X-C: a\r\n \r\n b\r\n"
        "From: a@b.example\r\nDate: d\r\n\r\nx";
    const auto m = Message::parse(text);
    CHECK(m.find("X-A")->value() == "lead\ttail");
    CHECK(m.find("X-B")->value() == "one two\r three");
    CHECK(m.find("X-C")->value() == "a  b");
}

TEST_CASE("message: views stay valid after copy and move") {
    auto original = Message::parse(kAppendixA11 + "X-Folded: a\r\n b\r\n");
    const Message copy = original;
    const Message moved = std::move(original);
    CHECK(copy.find("Subject")->value() == "Saying Hello");
    CHECK(moved.body().starts_with("This is a message"));
    CHECK(copy.body().data() == moved.body().data());  // one shared buffer
    CHECK(copy.from()[0].address() == "jdoe@machine.example");
}

TEST_CASE("message: bare LF line ends") {
    const auto m = Message::parse("From: a@b.example\nDate: d\nSubject: s\n  more\n\nbody\n");
    REQUIRE(m.fields().size() == 3);
    CHECK(m.find("Subject")->value() == "s  more");
    CHECK(m.body() == "body\n");
    CHECK(count_kind(m, DefectKind::bare_lf) == 1);
    CHECK(count_kind(m, DefectKind::mixed_line_endings) == 0);
}

TEST_CASE("message: mixed line ends") {
    const auto m = Message::parse("From: a@b.example\r\nDate: d\n\r\nbody");
    CHECK(count_kind(m, DefectKind::mixed_line_endings) == 1);
    CHECK(count_kind(m, DefectKind::bare_lf) == 0);
    CHECK(m.body() == "body");
}

TEST_CASE("message: the body is byte-exact, not normalized") {
    const std::string body = "line1\nline2\r\n\r\n  trailing  \r\n\r\n\x80\x00end";
    const std::string text =
        std::string("From: a@b.example\r\nDate: d\r\n\r\n") + body + std::string(1, '\0');
    const auto m = Message::parse(text);
    CHECK(m.body() == std::string_view(text).substr(text.find("\r\n\r\n") + 4));
    CHECK(m.body().size() == body.size() + 1);
    CHECK(count_kind(m, DefectKind::nul_byte) == 0);  // NUL in the body is not a header defect
}

TEST_CASE("message: no final newline") {
    const auto m = Message::parse("From: a@b.example\r\nDate: d\r\n\r\nbody without newline");
    CHECK(m.body() == "body without newline");
    CHECK(m.defects().empty());
}

TEST_CASE("message: header-only input is a truncated message") {
    const auto m = Message::parse("From: a@b.example\r\nDate: d\r\nSubject: last");
    REQUIRE(m.fields().size() == 3);
    CHECK(m.fields()[2].value() == "last");
    CHECK(m.fields()[2].raw == "Subject: last");
    CHECK_FALSE(m.has_body_separator());
    CHECK(m.body().empty());
    CHECK(count_kind(m, DefectKind::missing_body_separator) == 1);

    const auto with_newline = Message::parse("From: a@b.example\r\nDate: d\r\n");
    CHECK(with_newline.fields().size() == 2);
    CHECK(with_newline.fields()[1].raw_value == " d");
    CHECK(count_kind(with_newline, DefectKind::missing_body_separator) == 1);
}

TEST_CASE("message: empty input") {
    const auto m = Message::parse("");
    CHECK(m.fields().empty());
    CHECK(m.body().empty());
    CHECK(m.header_block().empty());
    REQUIRE(m.defects().size() == 1);
    CHECK(m.defects()[0].kind == DefectKind::empty_message);
    CHECK(m.subject().empty());
    CHECK_FALSE(m.return_path());

    const Message blank;
    CHECK(blank.bytes().empty());
    CHECK(blank.fields().empty());
}

TEST_CASE("message: only an empty line is a message with no fields") {
    const auto m = Message::parse("\r\nbody");
    CHECK(m.fields().empty());
    CHECK(m.body() == "body");
    CHECK(count_kind(m, DefectKind::missing_from) == 1);
    CHECK(count_kind(m, DefectKind::missing_date) == 1);
}

TEST_CASE("message: required and singleton fields") {
    SUBCASE("missing From and Date") {
        const auto m = Message::parse("Subject: s\r\n\r\n");
        CHECK(count_kind(m, DefectKind::missing_from) == 1);
        CHECK(count_kind(m, DefectKind::missing_date) == 1);
        CHECK(m.from().empty());
    }
    SUBCASE("several From fields") {
        const auto m =
            Message::parse("From: a@one.example\r\nFrom: b@two.example\r\nDate: d\r\n\r\n");
        CHECK(count_kind(m, DefectKind::multiple_from) == 1);
        REQUIRE(m.from().size() == 2);
        CHECK(m.from()[1].domain == "two.example");
    }
    SUBCASE("one From field with two mailboxes") {
        const auto m = Message::parse("From: a@one.example, b@two.example\r\nDate: d\r\n\r\n");
        CHECK(count_kind(m, DefectKind::multiple_from_addresses) == 1);
        CHECK(count_kind(m, DefectKind::multiple_from) == 0);
    }
    SUBCASE("duplicate Subject and To") {
        const auto m = Message::parse(
            "From: a@b.example\r\nDate: d\r\nSubject: 1\r\nsubject: 2\r\nTo: x@y.example\r\n"
            "To: z@y.example\r\nComments: c\r\nComments: c\r\n\r\n");
        CHECK(count_kind(m, DefectKind::duplicate_singleton) == 2);
        CHECK(m.subject() == "1");
        CHECK(m.to().size() == 2);
    }
    SUBCASE("unparsable From") {
        const auto m = Message::parse("From: <broken@\r\nDate: d\r\n\r\n");
        CHECK(count_kind(m, DefectKind::unparsable_address) == 1);
        CHECK(m.from().empty());
        CHECK(count_kind(m, DefectKind::missing_from) == 0);
    }
}

TEST_CASE("message: address defects carry the field offset") {
    const std::string text = "Date: d\r\nFrom: =?utf-8?B?!!?= <a@b.example>\r\n\r\n";
    const auto m = Message::parse(text);
    REQUIRE(count_kind(m, DefectKind::bad_encoded_word) == 1);
    const auto it = std::find_if(m.defects().begin(), m.defects().end(), [](const auto& d) {
        return d.kind == DefectKind::bad_encoded_word;
    });
    CHECK(it->offset >= text.find("From:"));
    CHECK(it->detail.starts_with("From: "));
}

TEST_CASE("message: a line without a colon ends the header (as Postfix does)") {
    const auto m =
        Message::parse("From: a@b.example\r\nDate: d\r\nthis is not a header\r\nSubject: x\r\n");
    REQUIRE(m.fields().size() == 2);
    CHECK_FALSE(m.has_body_separator());
    CHECK(m.body() == "this is not a header\r\nSubject: x\r\n");
    CHECK(m.header_block() == "From: a@b.example\r\nDate: d\r\n");
    CHECK(count_kind(m, DefectKind::header_without_colon) == 1);
    CHECK(count_kind(m, DefectKind::missing_body_separator) == 0);
}

TEST_CASE("message: a name with spaces is not a field name") {
    const auto m = Message::parse("From: a@b.example\r\nDate: d\r\nNot a: field\r\n\r\n");
    CHECK(m.fields().size() == 2);
    CHECK(count_kind(m, DefectKind::header_without_colon) == 1);
    CHECK(m.body() == "Not a: field\r\n\r\n");
}

TEST_CASE("message: an mbox From_ line before the header is skipped") {
    const auto m = Message::parse(
        "From sender@example.org Thu Nov 21 09:55:06 1997\nFrom: a@b.example\nDate: d\n\nbody\n");
    REQUIRE(m.fields().size() == 2);
    CHECK(m.fields()[0].name == "From");
    CHECK(m.body() == "body\n");
    CHECK(count_kind(m, DefectKind::header_without_colon) == 1);
}

TEST_CASE("message: obsolete and odd field syntax") {
    const auto m = Message::parse(
        "  leading continuation\r\nFrom: a@b.example\r\nSubject : spaced\r\n: no name\r\n"
        "Date: d\r\n\r\n");
    CHECK(count_kind(m, DefectKind::leading_continuation) == 1);
    CHECK(count_kind(m, DefectKind::whitespace_before_colon) == 1);
    CHECK(count_kind(m, DefectKind::empty_field_name) == 1);
    REQUIRE(m.find("Subject") != nullptr);
    CHECK(m.find("Subject")->name == "Subject");
    CHECK(m.subject() == "spaced");
    CHECK(m.fields().size() == 4);
}

TEST_CASE("message: bytes RFC 5322 does not allow in a header") {
    std::string text = "From: a@b.example\r\nDate: d\r\nSubject: caf\xC3\xA9\r\nX-A: \x01";
    text += '\0';
    text += "z\r\nX-B: a\rb\r\nX-C: \xFF\r\n\r\nbody";
    const auto m = Message::parse(text);
    CHECK(count_kind(m, DefectKind::eight_bit_header) == 1);  // reported once
    CHECK(count_kind(m, DefectKind::nul_byte) == 1);
    CHECK(count_kind(m, DefectKind::bare_cr) == 1);
    CHECK(m.find("X-B")->value() == "a\rb");
    CHECK(m.find("X-A")->value().size() == 3);
    CHECK(m.subject() == "caf\xC3\xA9");  // raw UTF-8 (RFC 6532) is kept
    CHECK(m.body() == "body");
    const auto it = std::find_if(m.defects().begin(), m.defects().end(), [](const auto& d) {
        return d.kind == DefectKind::eight_bit_header;
    });
    CHECK(it->offset == text.find('\xC3'));
}

TEST_CASE("message: lines longer than 998 octets") {
    const std::string text =
        "From: a@b.example\r\nDate: d\r\nX-Long: " + std::string(1200, 'a') + "\r\n\r\nbody";
    const auto m = Message::parse(text);
    CHECK(count_kind(m, DefectKind::line_too_long) == 1);
    CHECK(m.find("X-Long")->value().size() == 1200);
    CHECK(m.body() == "body");
}

TEST_CASE("message: header size limit turns the rest into body") {
    ParseLimits limits;
    limits.max_header_bytes = 40;
    const auto m = Message::parse(
        "From: a@b.example\r\nDate: d\r\nSubject: this goes over\r\n\r\nbody", limits);
    CHECK(count_kind(m, DefectKind::header_size_limit) == 1);
    CHECK(m.fields().size() == 2);
    CHECK(m.body() == "Subject: this goes over\r\n\r\nbody");
    CHECK_FALSE(m.has_body_separator());
}

TEST_CASE("message: field count limit keeps the first fields and the body") {
    ParseLimits limits;
    limits.max_fields = 3;
    std::string text = "From: a@b.example\r\nDate: d\r\n";
    for (int i = 0; i < 10; ++i) {
        text += "X-N: " + std::to_string(i) + "\r\n";
    }
    text += "\r\nbody";
    const auto m = Message::parse(text, limits);
    CHECK(m.fields().size() == 3);
    CHECK(count_kind(m, DefectKind::field_count_limit) == 1);
    CHECK(m.body() == "body");
}

TEST_CASE("message: default limits are named and sane") {
    const ParseLimits limits;
    CHECK(limits.max_line_length == 998);
    CHECK(limits.max_fields > 100);
    CHECK(limits.max_header_bytes >= 64 * 1024);
}

TEST_CASE("message: Subject is RFC 2047 decoded, defects stay on the field level") {
    const auto m = Message::parse(
        "From: a@b.example\r\nDate: d\r\nSubject: "
        "=?ISO-8859-1?B?SWYgeW91IGNhbiByZWFkIHRoaXMgeW8=?=\r\n"
        " =?ISO-8859-2?B?dSB1bmRlcnN0YW5kIHRoZSBleGFtcGxlLg==?=\r\n\r\n");
    CHECK(m.subject() == "If you can read this you understand the example.");
}

TEST_CASE("message: Return-Path") {
    SUBCASE("null reverse-path") {
        const auto m = Message::parse("Return-Path: <>\r\nFrom: a@b.example\r\nDate: d\r\n\r\n");
        const auto path = m.return_path();
        REQUIRE(path);
        CHECK(path->local_part.empty());
        CHECK(path->domain.empty());
        CHECK(path->address().empty());
    }
    SUBCASE("an address") {
        const auto m = Message::parse("Return-Path: <Bounce@Mail.Example.COM>\r\n\r\n");
        const auto path = m.return_path();
        REQUIRE(path);
        CHECK(path->address() == "Bounce@mail.example.com");
    }
    SUBCASE("absent or unreadable") {
        CHECK_FALSE(Message::parse("From: a@b.example\r\n\r\n").return_path());
        CHECK_FALSE(Message::parse("Return-Path: <junk\r\n\r\n").return_path());
    }
}

TEST_CASE("message: mailboxes() reads any address field, To and Cc are parsed once") {
    const auto m = Message::parse(
        "From: a@b.example\r\nDate: d\r\nReply-To: r@x.example\r\nTo: undisclosed-recipients:;\r\n"
        "Cc: \"Doe, J\" <j@y.example>, k@y.example\r\n\r\n");
    CHECK(m.to().empty());
    REQUIRE(m.cc().size() == 2);
    CHECK(m.cc()[0].display_name == "Doe, J");
    const auto reply = m.mailboxes("reply-to");
    REQUIRE(reply.size() == 1);
    CHECK(reply[0].address() == "r@x.example");
    CHECK(m.mailboxes("Sender").empty());
    CHECK(m.defects().empty());
}

TEST_CASE("message: defect names are stable identifiers") {
    CHECK(mailverdict::to_string(DefectKind::missing_from) == "missing_from");
    CHECK(mailverdict::to_string(DefectKind::bare_lf) == "bare_lf");
    CHECK(mailverdict::to_string(DefectKind::received_unparsable) == "received_unparsable");
    for (int k = 0; k <= static_cast<int>(DefectKind::received_unparsable); ++k) {
        CHECK(mailverdict::to_string(static_cast<DefectKind>(k)) != "unknown");
    }
}

TEST_CASE("message: iequals") {
    CHECK(mailverdict::iequals("Message-ID", "message-id"));
    CHECK_FALSE(mailverdict::iequals("From", "Fro"));
    CHECK_FALSE(mailverdict::iequals("a\xC3", "A\xE3"));
}

TEST_CASE("message: to_lower_ascii changes A-Z only") {
    CHECK(mailverdict::to_lower_ascii("Adele.Vance@Contoso.COM") == "adele.vance@contoso.com");
    CHECK(mailverdict::to_lower_ascii("\xC3\x89T\xC3\x89 [Z]") == "\xC3\x89t\xC3\x89 [z]");
    CHECK(mailverdict::to_lower_ascii("").empty());
}
