// Organizational domains from Debian's Public Suffix List through libpsl (RFC 7489 3.2).
#include <mailverdict/auth/org_domain.hpp>

#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <unistd.h>

using namespace mailverdict::psl;

namespace {

const PublicSuffixList& system_list() {
    static const PublicSuffixList list = [] {
        auto loaded = PublicSuffixList::system();
        REQUIRE_MESSAGE(loaded, loaded.error);
        return *loaded.list;
    }();
    return list;
}

}  // namespace

TEST_CASE("org domain: Debian's list is loaded and identified") {
    const ListInfo& info = system_list().info();
    CHECK(info.path == std::string(debian_list_file));
    CHECK(info.sha256.size() == 64);
    CHECK(info.rules > 5000);       // the 2023 list has about 9500 rules
    CHECK(info.date.size() == 20);  // "YYYY-MM-DDTHH:MM:SSZ"
    CHECK_FALSE(info.version.empty());
    CHECK(info.libpsl_version.rfind("0.", 0) == 0);
    CHECK(info.summary().find("public_suffix_list.dat") == 0);
    CHECK(info.summary().find(" sha256:" + info.sha256.substr(0, 12)) != std::string::npos);
    CHECK(system_list().summary() == info.summary());  // the copy made at load time
}

TEST_CASE("org domain: ICANN suffixes of one and several labels (RFC 7489 3.2)") {
    const auto& l = system_list();
    CHECK(l.organizational_domain("example.com") == "example.com");
    CHECK(l.organizational_domain("mail.example.com") == "example.com");
    CHECK(l.organizational_domain("a.b.c.example.com") == "example.com");
    CHECK(l.organizational_domain("example.co.uk") == "example.co.uk");
    CHECK(l.organizational_domain("mail.example.co.uk") == "example.co.uk");
    CHECK(l.organizational_domain("a.b.kawasaki.jp") == "a.b.kawasaki.jp");  // *.kawasaki.jp
    CHECK(l.organizational_domain("x.a.b.kawasaki.jp") == "a.b.kawasaki.jp");
    CHECK(l.organizational_domain("www.ck") == "www.ck");    // !www.ck exception
    CHECK(l.organizational_domain("a.b.c.ck") == "b.c.ck");  // *.ck
}

TEST_CASE("org domain: private-section suffixes count (github.io, blogspot.com)") {
    const auto& l = system_list();
    CHECK(l.organizational_domain("alice.github.io") == "alice.github.io");
    CHECK(l.organizational_domain("www.alice.github.io") == "alice.github.io");
    CHECK(l.organizational_domain("x.blogspot.com") == "x.blogspot.com");
    CHECK(l.organizational_domain("a.x.blogspot.com") == "x.blogspot.com");
    CHECK(l.is_public_suffix("github.io"));
    CHECK(l.is_public_suffix("co.uk"));
    CHECK_FALSE(l.is_public_suffix("example.co.uk"));
}

TEST_CASE("org domain: normalisation, public suffixes themselves, unlisted TLDs, IDN") {
    const auto& l = system_list();
    CHECK(l.organizational_domain("Mail.Example.COM.") == "example.com");
    CHECK(l.organizational_domain("co.uk") == "co.uk");  // no x+1 label: itself
    CHECK(l.organizational_domain("com") == "com");
    CHECK(l.organizational_domain("a.b.example.unlistedtld") == "example.unlistedtld");  // "*"
    CHECK(l.organizational_domain("") == "");
    // 公司.cn is a listed suffix (xn--55qx5d.cn)
    CHECK(l.organizational_domain("mail.xn--85x722f.xn--55qx5d.cn") == "xn--85x722f.xn--55qx5d.cn");
    CHECK(normalize_domain("A.B.") == "a.b");
}

TEST_CASE("org domain: a list file given by the user overrides Debian's") {
    const auto dir =
        std::filesystem::temp_directory_path() / ("mv-psl-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    const auto file = dir / "test_list.dat";
    {
        std::ofstream out(file);
        out << "// VERSION: test-2024-01-01\n// ===BEGIN ICANN DOMAINS===\ncom\nexample.com\n";
    }
    auto loaded = PublicSuffixList::load_file(file);
    REQUIRE_MESSAGE(loaded, loaded.error);
    const auto& l = *loaded.list;
    CHECK(l.info().version == "test-2024-01-01");
    CHECK(l.info().rules == 2);
    CHECK(l.info().path == file.string());
    // example.com is now a public suffix: one more label is the organizational domain.
    CHECK(l.organizational_domain("a.b.example.com") == "b.example.com");
    CHECK(l.organizational_domain("a.example.org") == "example.org");  // implicit "*"
    std::filesystem::remove_all(dir);

    auto missing = PublicSuffixList::load_file(dir / "nope.dat");
    CHECK_FALSE(missing);
    CHECK(missing.error.find("nope.dat") != std::string::npos);
}
