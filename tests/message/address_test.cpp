// Address lists (RFC 5322 3.4 and appendix A examples).
#include <mailverdict/message/message.hpp>

#include <doctest/doctest.h>

#include <algorithm>

using mailverdict::Defect;
using mailverdict::DefectKind;
using mailverdict::parse_address_list;

namespace {

bool has_kind(const std::vector<Defect>& defects, DefectKind kind) {
    return std::any_of(defects.begin(), defects.end(),
                       [kind](const Defect& d) { return d.kind == kind; });
}

}  // namespace

TEST_CASE("address: A.1.1 simple addressing") {
    std::vector<Defect> defects;
    const auto boxes = parse_address_list("John Doe <jdoe@machine.example>", &defects);
    REQUIRE(boxes.size() == 1);
    CHECK(boxes[0].display_name == "John Doe");
    CHECK(boxes[0].local_part == "jdoe");
    CHECK(boxes[0].domain == "machine.example");
    CHECK(boxes[0].domain_ascii == "machine.example");
    CHECK(boxes[0].domain_unicode == "machine.example");
    CHECK(boxes[0].address() == "jdoe@machine.example");
    CHECK(defects.empty());
}

TEST_CASE("address: A.1.2 several mailboxes and a quoted display name") {
    const auto boxes =
        parse_address_list("Mary Smith <mary@x.test>, jdoe@example.org, Who? <one@y.test>");
    REQUIRE(boxes.size() == 3);
    CHECK(boxes[0].display_name == "Mary Smith");
    CHECK(boxes[1].display_name.empty());
    CHECK(boxes[1].address() == "jdoe@example.org");
    CHECK(boxes[2].display_name == "Who?");
    CHECK(boxes[2].address() == "one@y.test");

    const auto quoted =
        parse_address_list("<boss@nil.test>, \"Giant; \\\"Big\\\" Box\" <sysservices@example.net>");
    REQUIRE(quoted.size() == 2);
    CHECK(quoted[0].address() == "boss@nil.test");
    CHECK(quoted[1].display_name == "Giant; \"Big\" Box");
    CHECK(quoted[1].address() == "sysservices@example.net");
}

TEST_CASE("address: A.1.3 group addresses are flattened, empty groups give nothing") {
    std::vector<Defect> defects;
    const auto boxes = parse_address_list(
        "A Group:Ed Jones <c@a.test>,joe@where.test,John <jdoe@one.test>;", &defects);
    REQUIRE(boxes.size() == 3);
    CHECK(boxes[0].display_name == "Ed Jones");
    CHECK(boxes[1].address() == "joe@where.test");
    CHECK(boxes[2].address() == "jdoe@one.test");
    CHECK(parse_address_list("Undisclosed recipients:;", &defects).empty());
    CHECK(parse_address_list("undisclosed-recipients:;", &defects).empty());
    CHECK(defects.empty());

    const auto mixed = parse_address_list("Team: a@b.example; , c@d.example");
    REQUIRE(mixed.size() == 2);
    CHECK(mixed[1].address() == "c@d.example");
}

TEST_CASE("address: A.5 comments are not part of the display name or address") {
    const auto boxes =
        parse_address_list("Pete(A nice \\) chap) <pete(his account)@silly.test(his host)>");
    REQUIRE(boxes.size() == 1);
    CHECK(boxes[0].display_name == "Pete");
    CHECK(boxes[0].local_part == "pete");
    CHECK(boxes[0].domain == "silly.test");

    const auto trailing = parse_address_list("pete@x.example (Pete Smith)");
    REQUIRE(trailing.size() == 1);
    CHECK(trailing[0].address() == "pete@x.example");
}

TEST_CASE("address: quoted display name holding a comma stays one mailbox") {
    const auto boxes = parse_address_list("\"Doe, John\" <john@Example.COM>, jane@x.org");
    REQUIRE(boxes.size() == 2);
    CHECK(boxes[0].display_name == "Doe, John");
    CHECK(boxes[0].domain == "example.com");
    CHECK(boxes[1].address() == "jane@x.org");
}

TEST_CASE("address: unquoted comma in a display name is a defect, the rest survives") {
    std::vector<Defect> defects;
    const auto boxes = parse_address_list("Doe, John <j@x.example>", &defects);
    REQUIRE(boxes.size() == 1);
    CHECK(boxes[0].display_name == "John");
    CHECK(boxes[0].address() == "j@x.example");
    CHECK(has_kind(defects, DefectKind::unparsable_address));
}

TEST_CASE("address: encoded words in display names are decoded") {
    const auto boxes = parse_address_list(
        "=?utf-8?Q?J=C3=B6rg?= <j@x.de>, =?ISO-8859-1?Q?Andr=E9?= Pirard <PIRARD@vm1.ulg.ac.be>");
    REQUIRE(boxes.size() == 2);
    CHECK(boxes[0].display_name == "J\xC3\xB6rg");
    CHECK(boxes[1].display_name == "Andr\xC3\xA9 Pirard");
    CHECK(boxes[1].local_part == "PIRARD");  // local part keeps its case
    CHECK(boxes[1].domain == "vm1.ulg.ac.be");

    const auto joined = parse_address_list("=?utf-8?B?w6k=?= =?utf-8?B?w6k=?= <e@x.org>");
    REQUIRE(joined.size() == 1);
    CHECK(joined[0].display_name == "\xC3\xA9\xC3\xA9");
}

TEST_CASE("address: bad encoded word in a display name is reported") {
    std::vector<Defect> defects;
    const auto boxes = parse_address_list("=?utf-8?B?%%?= <a@b.example>", &defects);
    REQUIRE(boxes.size() == 1);
    CHECK(boxes[0].display_name == "=?utf-8?B?%%?=");
    CHECK(has_kind(defects, DefectKind::bad_encoded_word));
}

TEST_CASE("address: quoted local part and domain literal") {
    const auto boxes = parse_address_list("\"john doe\"@x.org, jdoe@[192.0.2.1], \"x\\\"y\"@z.org");
    REQUIRE(boxes.size() == 3);
    CHECK(boxes[0].local_part == "john doe");
    CHECK(boxes[1].domain == "[192.0.2.1]");
    CHECK(boxes[1].domain_ascii == "[192.0.2.1]");
    CHECK(boxes[2].local_part == "x\"y");
}

TEST_CASE("address: source route is ignored") {
    const auto boxes = parse_address_list("Joe <@a.test,@b.test:joe@c.test>");
    REQUIRE(boxes.size() == 1);
    CHECK(boxes[0].display_name == "Joe");
    CHECK(boxes[0].address() == "joe@c.test");
}

TEST_CASE("address: IDN domains in both forms") {
    const auto boxes = parse_address_list(
        "Info <info@B\xC3\xBC"
        "cher.example>, a@XN--BCHER-KVA.example");
    REQUIRE(boxes.size() == 2);
    CHECK(boxes[0].domain_ascii == "xn--bcher-kva.example");
    CHECK(boxes[0].domain_unicode ==
          "b\xC3\xBC"
          "cher.example");
    CHECK(boxes[1].domain == "xn--bcher-kva.example");
    CHECK(boxes[1].domain_unicode ==
          "b\xC3\xBC"
          "cher.example");
}

TEST_CASE("address: invalid IDNA domain is kept and reported") {
    std::vector<Defect> defects;
    const auto boxes = parse_address_list("a@xn--zz.example", &defects);
    REQUIRE(boxes.size() == 1);
    CHECK(boxes[0].domain == "xn--zz.example");
    CHECK(boxes[0].domain_ascii.empty());
    CHECK(has_kind(defects, DefectKind::bad_idna_domain));
}

TEST_CASE("address: broken input is a defect, never a crash") {
    const char* const inputs[] = {"<a@b",         "bad",    "a@b@",     "\"unterminated <x@y>",
                                  "<>",           "<a@b>>", "@",        "(((",
                                  "a@b, , c@d.e", "x@y;",   "<@route>", "\"\\"};
    for (const char* input : inputs) {
        CAPTURE(input);
        std::vector<Defect> defects;
        const auto boxes = parse_address_list(input, &defects);
        for (const auto& box : boxes) {
            CHECK_FALSE(box.local_part.empty());
            CHECK_FALSE(box.domain.empty());
        }
        if (boxes.empty()) {
            CHECK_FALSE(defects.empty());
        }
    }
    std::vector<Defect> defects;
    CHECK(parse_address_list("<a@b", &defects).empty());
    CHECK(has_kind(defects, DefectKind::unparsable_address));
    CHECK(parse_address_list("a@b, , c@d.e").size() == 2);
}

TEST_CASE("address: empty and blank lists give nothing and no defect") {
    std::vector<Defect> defects;
    CHECK(parse_address_list("", &defects).empty());
    CHECK(parse_address_list("  \t ", &defects).empty());
    CHECK(defects.empty());
}

TEST_CASE("address: an empty quoted local part is not a mailbox (fuzz regression)") {
    std::vector<Defect> defects;
    CHECK(parse_address_list("\"\"@example.com", &defects).empty());
    CHECK(parse_address_list("\"\"\"\"\"\"@+ro_!, x@y.example", &defects).size() == 1);
    CHECK(has_kind(defects, DefectKind::unparsable_address));
}
