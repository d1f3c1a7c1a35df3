// RFC 6376 3.2 tag lists, 3.5 DKIM-Signature values and 3.6.1 key records.
#include <mailverdict/auth/dkim.hpp>

#include <doctest/doctest.h>

using namespace mailverdict::dkim;

namespace {

// A valid signature value; tests replace one tag at a time.
const std::string kValid =
    "v=1; a=rsa-sha256; c=relaxed/simple; d=example.com; s=sel; h=From:To; "
    "bh=AAAA; b=AAAA";

DkimReason reason_of(const std::string& value) {
    const auto parsed = DkimSignature::parse(value);
    REQUIRE_FALSE(parsed.ok());
    return parsed.error().code;
}

}  // namespace

TEST_CASE("tag list: FWS around names, '=', values and ',' (RFC 6376 3.2)") {
    const auto list = parse_tag_list(" a = 1 ;\r\n\tb=two words ;c=\r\n x;");
    REQUIRE(list.ok());
    REQUIRE(list->tags.size() == 3);
    CHECK(list->tags[0].name == "a");
    CHECK(list->tags[0].value == "1");
    CHECK(list->tags[1].name == "b");
    CHECK(list->tags[1].value == "two words");  // inner WSP kept, outer removed
    CHECK(list->tags[2].name == "c");
    CHECK(list->tags[2].value == "x");
    CHECK(list->find("b") == &list->tags[1]);
    CHECK(list->find("B") == nullptr);  // tag names are case-sensitive
}

TEST_CASE("tag list: empty values, trailing ',' and empty text") {
    const auto list = parse_tag_list("a=; b=2;");
    REQUIRE(list.ok());
    REQUIRE(list->tags.size() == 2);
    CHECK(list->tags[0].value.empty());
    CHECK(parse_tag_list("").ok());
    CHECK(parse_tag_list("  ").ok());
}

TEST_CASE("tag list errors carry an offset") {
    SUBCASE("duplicate tag") {
        const auto list = parse_tag_list("a=1; b=2; a=3");
        REQUIRE_FALSE(list.ok());
        CHECK(list.error().reason == "duplicate tag 'a'");
        CHECK(list.error().offset == 10);
    }
    SUBCASE("empty tag-spec between semicolons") {
        const auto list = parse_tag_list("a=1;; b=2");
        REQUIRE_FALSE(list.ok());
        CHECK(list.error().offset == 4);
    }
    SUBCASE("missing '='") {
        CHECK_FALSE(parse_tag_list("a=1; b").ok());
        CHECK_FALSE(parse_tag_list("a 1").ok());
    }
    SUBCASE("bad tag names") {
        CHECK_FALSE(parse_tag_list("1a=x").ok());
        CHECK_FALSE(parse_tag_list("_a=x").ok());
        CHECK(parse_tag_list("a_1=x").ok());  // ALNUMPUNC after the first ALPHA
    }
    SUBCASE("characters outside VALCHAR") {
        CHECK_FALSE(parse_tag_list("a=\x01").ok());
        CHECK_FALSE(parse_tag_list("a=caf\xC3\xA9").ok());
        CHECK_FALSE(parse_tag_list(std::string("a=x\0y", 5)).ok());
        // The first wrong byte is named, at its offset, even after long valid text.
        const auto del = parse_tag_list("b=" + std::string(40, 'A') + " A\x7F; c=1");
        REQUIRE_FALSE(del.ok());
        CHECK(del.error().reason == "character 0x7F in the value of tag 'b'");
        CHECK(del.error().offset == 44);
        // A wrong byte after the value's ';' belongs to the next tag.
        const auto next = parse_tag_list("a=ok; b=x\x80");
        REQUIRE_FALSE(next.ok());
        CHECK(next.error().reason == "character 0x80 in the value of tag 'b'");
        CHECK(next.error().offset == 9);
    }
}

TEST_CASE("DKIM-Signature: a valid value and its defaults") {
    const auto parsed = DkimSignature::parse(
        "v=1; a=rsa-sha256; d=example.com; s=sel;\r\n h=from : to; bh=AAAA; b=AA\r\n AA");
    REQUIRE(parsed.ok());
    const DkimSignature& sig = *parsed;
    CHECK(sig.algorithm == Algorithm::rsa_sha256);
    CHECK(sig.header_canon == Canon::simple);  // RFC 6376 3.5: c= defaults to simple/simple
    CHECK(sig.body_canon == Canon::simple);
    CHECK(sig.identity == "@example.com");  // default i=
    CHECK_FALSE(sig.identity_given);
    CHECK(sig.signed_headers == std::vector<std::string>{"from", "to"});
    CHECK(sig.b == "AAAA");  // FWS removed
    CHECK(sig.signature.size() == 3);
    CHECK_FALSE(sig.body_length);
    CHECK_FALSE(sig.timestamp);
}

TEST_CASE("DKIM-Signature: c= with only the header part means simple body") {
    const auto parsed = DkimSignature::parse(
        "v=1; a=rsa-sha256; c=relaxed; d=example.com; s=sel; h=From; bh=AAAA; b=AAAA");
    REQUIRE(parsed.ok());
    CHECK(parsed->header_canon == Canon::relaxed);
    CHECK(parsed->body_canon == Canon::simple);
}

TEST_CASE("DKIM-Signature: each required tag is required (RFC 6376 6.1.1)") {
    for (const std::string tag :
         {"v=1; ", "a=rsa-sha256; ", "d=example.com; ", "s=sel; ", "h=From:To; ", "bh=AAAA; "}) {
        std::string value = kValid;
        const auto pos = value.find(tag);
        REQUIRE(pos != std::string::npos);
        value.erase(pos, tag.size());
        CAPTURE(value);
        CHECK(reason_of(value) == DkimReason::signature_syntax);
    }
    CHECK(reason_of("v=1; a=rsa-sha256; c=relaxed/simple; d=example.com; s=sel; h=From:To; "
                    "bh=AAAA") == DkimReason::signature_syntax);
}

TEST_CASE("DKIM-Signature: tag rules") {
    auto with = [](const std::string& from, const std::string& to) {
        std::string v = kValid;
        v.replace(v.find(from), from.size(), to);
        return v;
    };
    CHECK(reason_of(kValid + "; d=other.com") == DkimReason::signature_syntax);  // duplicate
    CHECK(reason_of(with("v=1", "v=2")) == DkimReason::unsupported_version);
    CHECK(reason_of(with("a=rsa-sha256", "a=rsa-md5")) == DkimReason::unsupported_algorithm);
    CHECK(reason_of(with("c=relaxed/simple", "c=relaxed/fancy")) ==
          DkimReason::unsupported_canonicalization);
    CHECK(reason_of(with("h=From:To", "h=To:Subject")) == DkimReason::from_not_signed);
    CHECK(reason_of(with("h=From:To", "h=From::To")) == DkimReason::signature_syntax);
    CHECK(reason_of(kValid + "; q=http/json") == DkimReason::unsupported_query_method);
    CHECK(DkimSignature::parse(kValid + "; q=dns/txt").ok());
    CHECK(reason_of(with("b=AAAA", "b=")) == DkimReason::signature_syntax);
    CHECK(reason_of(with("b=AAAA", "b=A!AA")) == DkimReason::signature_syntax);
    CHECK(reason_of(with("bh=AAAA", "bh=A")) == DkimReason::signature_syntax);
    CHECK(reason_of(with("d=example.com", "d=exa mple.com")) == DkimReason::signature_syntax);
    CHECK(reason_of(with("s=sel", "s=")) == DkimReason::signature_syntax);
    CHECK(reason_of(kValid + "; l=12x") == DkimReason::signature_syntax);
    CHECK(reason_of(kValid + "; t=-5") == DkimReason::signature_syntax);
    CHECK(reason_of(kValid + "; x=1234567890123") == DkimReason::signature_syntax);  // 13 digits
    // Unknown tags are ignored (RFC 6376 3.2).
    const auto unknown = DkimSignature::parse(kValid + "; zz=whatever; foo=bar");
    CHECK(unknown.ok());
}

TEST_CASE("DKIM-Signature: the algorithms of RFC 6376 and RFC 8463") {
    auto algo = [](const std::string& a) {
        std::string v = kValid;
        v.replace(v.find("a=rsa-sha256"), 12, "a=" + a);
        const auto parsed = DkimSignature::parse(v);
        REQUIRE(parsed.ok());
        return parsed->algorithm;
    };
    CHECK(algo("ed25519-sha256") == Algorithm::ed25519_sha256);
    CHECK(algo("rsa-sha1") == Algorithm::rsa_sha1);
    CHECK(algo("RSA-SHA256") == Algorithm::rsa_sha256);
}

TEST_CASE("DKIM-Signature: i= must be within d= (RFC 6376 3.5)") {
    CHECK(DkimSignature::parse(kValid + "; i=user@example.com").ok());
    CHECK(DkimSignature::parse(kValid + "; i=@mail.Example.COM").ok());
    CHECK(DkimSignature::parse(kValid + "; i=@").ok() == false);
    CHECK(reason_of(kValid + "; i=user@example.org") == DkimReason::identity_outside_domain);
    // "badexample.com" ends with "example.com" but is not a subdomain of it.
    CHECK(reason_of(kValid + "; i=user@badexample.com") == DkimReason::identity_outside_domain);
    CHECK(reason_of(kValid + "; i=userexample.com") == DkimReason::signature_syntax);
    const auto parsed = DkimSignature::parse(kValid + "; i=joe@sub.example.com");
    REQUIRE(parsed.ok());
    CHECK(parsed->identity == "joe@sub.example.com");
    CHECK(parsed->identity_given);
}

TEST_CASE("DKIM-Signature: l=, t= and x=") {
    const auto parsed = DkimSignature::parse(kValid + "; l=0; t=1000; x=2000");
    REQUIRE(parsed.ok());
    CHECK(parsed->body_length == 0U);
    CHECK(parsed->timestamp == 1000);
    CHECK(parsed->expiration == 2000);
    // RFC 6376 3.5: x= MUST be greater than t=.
    CHECK(reason_of(kValid + "; t=2000; x=1000") == DkimReason::expiry_before_timestamp);
    CHECK(reason_of(kValid + "; t=2000; x=2000") == DkimReason::expiry_before_timestamp);
    // l= may have up to 76 digits: a huge value saturates instead of failing.
    const auto huge = DkimSignature::parse(kValid + "; l=" + std::string(40, '9'));
    REQUIRE(huge.ok());
    CHECK(*huge->body_length == UINT64_MAX);
}

TEST_CASE("key record: defaults and tags (RFC 6376 3.6.1)") {
    const auto key = DkimKey::parse("p=AAAA");
    REQUIRE(key.ok());
    CHECK(key->type == KeyType::rsa);
    CHECK_FALSE(key->revoked);
    CHECK(key->allows(HashAlgorithm::sha1));
    CHECK(key->allows(HashAlgorithm::sha256));
    CHECK(key->allows_email());
    CHECK_FALSE(key->testing);

    const auto full =
        DkimKey::parse("v=DKIM1; k=ed25519; h=sha256; s=email; t=y:s; n=notes; p=AA AA");
    REQUIRE(full.ok());
    CHECK(full->type == KeyType::ed25519);
    CHECK(full->allows(HashAlgorithm::sha256));
    CHECK_FALSE(full->allows(HashAlgorithm::sha1));
    CHECK(full->testing);
    CHECK(full->strict_identity);
    CHECK(full->public_key.size() == 3);

    const auto other_service = DkimKey::parse("s=tlsrpt; p=AAAA");
    REQUIRE(other_service.ok());
    CHECK_FALSE(other_service->allows_email());
    const auto unknown_flags = DkimKey::parse("t=q:z; p=AAAA");
    REQUIRE(unknown_flags.ok());
    CHECK_FALSE(unknown_flags->testing);  // unknown flags are ignored
}

TEST_CASE("key record: empty p= is a revoked key") {
    const auto key = DkimKey::parse("v=DKIM1; p=");
    REQUIRE(key.ok());
    CHECK(key->revoked);
}

TEST_CASE("key record errors") {
    CHECK(DkimKey::parse("k=rsa; v=DKIM1; p=AAAA").error().reason == "v= is not the first tag");
    CHECK_FALSE(DkimKey::parse("v=DKIM2; p=AAAA").ok());
    CHECK_FALSE(DkimKey::parse("v=DKIM1; k=dsa; p=AAAA").ok());
    CHECK_FALSE(DkimKey::parse("v=DKIM1; k=rsa").ok());           // p= required
    CHECK_FALSE(DkimKey::parse("v=DKIM1; p=A*AA").ok());          // not base64
    CHECK_FALSE(DkimKey::parse("v=DKIM1; p=AAAA; p=AAAA").ok());  // duplicate
    CHECK(DkimKey::parse("v=DKIM1; p=A*AA").error().code == DkimReason::key_syntax);
}

TEST_CASE("reason codes and texts are distinct and stable") {
    CHECK(to_string(DkimReason::body_hash_mismatch) == "body_hash_mismatch");
    CHECK(reason_text(DkimReason::body_hash_mismatch) == "body hash mismatch");
    CHECK(reason_text(DkimReason::signature_mismatch) == "signature did not verify");
    CHECK(reason_text(DkimReason::key_revoked) == "key revoked");
    CHECK(reason_text(DkimReason::signature_expired) == "signature expired");
    CHECK(reason_text(DkimReason::no_key) == "no key");
    CHECK(to_string(DkimStatus::permerror) == "permerror");
}
