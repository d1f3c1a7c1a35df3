// Recording and replaying DNS answers.
#include "mailverdict/dns/resolver.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <unistd.h>

using namespace mailverdict::dns;

namespace {

struct TempFile {
    std::filesystem::path path;
    TempFile() {
        std::string tmpl =
            (std::filesystem::temp_directory_path() / "mv-dns-record-XXXXXX").string();
        const int fd = mkstemp(tmpl.data());
        REQUIRE(fd >= 0);
        close(fd);
        path = tmpl;
    }
    ~TempFile() { std::filesystem::remove(path); }
    std::string text() const {
        std::ifstream in(path);
        std::stringstream s;
        s << in.rdbuf();
        return s.str();
    }
    void write(const std::string& text) const { std::ofstream(path) << text; }
};

const char* const zone = R"(
$TTL 300
@      SOA ns1 hm 1 3600 600 86400 60
@      A    192.0.2.1
@      AAAA 2001:db8::1
@      MX   10 mail
@      TXT  "v=spf1 " "-all"
bin    TXT  "\255\254ok" "plain"
www    CNAME web
web    A    192.0.2.80
1      PTR  example.com.
)";

class Failing final : public Resolver {
public:
    Answer query(std::string_view name, RecordType type) override {
        Answer a;
        a.name = a.canonical_name = std::string(name);
        a.type = type;
        a.status = DnsStatus::timeout;
        a.detail = "no answer from 192.0.2.53:53 after 3 tries of 200 ms";
        return a;
    }
};

}  // namespace

TEST_CASE("a recording replays every answer, failures included") {
    TempFile file;
    auto source = zone_text(zone, "example.com");
    std::vector<Answer> seen;
    {
        auto rec = recording(source, file.path);
        for (auto [name, type] : std::vector<std::pair<std::string, RecordType>>{
                 {"example.com", RecordType::A},
                 {"example.com", RecordType::AAAA},
                 {"example.com", RecordType::MX},
                 {"example.com", RecordType::TXT},
                 {"bin.example.com", RecordType::TXT},
                 {"www.example.com", RecordType::A},
                 {"1.example.com", RecordType::PTR},
                 {"nope.example.com", RecordType::A},
                 {"www.example.com", RecordType::MX},
             }) {
            seen.push_back(rec->query(name, type));
        }
        auto failing = recording(std::make_shared<Failing>(), file.path.string() + ".2");
        failing->query("dead.example", RecordType::TXT);
    }
    const auto text = file.text();
    CHECK(text.starts_with("{\"format\":\"mailverdict-dns-record\",\"version\":1}\n"));
    CHECK(text.find("\"txt\":[[\"v=spf1 \",\"-all\"]]") != std::string::npos);
    CHECK(text.find("{\"hex\":\"fffe6f6b\"}") != std::string::npos);

    auto replayed = replay(file.path);
    for (const auto& expected : seen) {
        const auto got = replayed->query(expected.name, expected.type);
        CHECK(got.status == expected.status);
        CHECK(got.name == expected.name);
        CHECK(got.canonical_name == expected.canonical_name);
        CHECK(got.ttl == expected.ttl);
        CHECK(got.addresses == expected.addresses);
        CHECK(got.mx == expected.mx);
        CHECK(got.txt == expected.txt);
        CHECK(got.names == expected.names);
        CHECK(got.detail == expected.detail);
    }
    CHECK(replayed->query("BIN.example.com.", RecordType::TXT).txt.at(0).strings.at(0) ==
          "\xff\xfeok");
    auto missing = replayed->query("unknown.example", RecordType::A);
    CHECK(missing.status == DnsStatus::timeout);
    CHECK(missing.detail.find("not in the DNS recording") != std::string::npos);

    const std::filesystem::path second = file.path.string() + ".2";
    auto dead = replay(second)->query("dead.example", RecordType::TXT);
    CHECK(dead.status == DnsStatus::timeout);
    CHECK(dead.detail == "no answer from 192.0.2.53:53 after 3 tries of 200 ms");
    std::filesystem::remove(second);
}

TEST_CASE("replay gives a question's answers in order, then repeats the last") {
    TempFile file;
    file.write(
        "{\"format\":\"mailverdict-dns-record\",\"version\":1}\n"
        "{\"name\":\"a.example\",\"type\":\"A\",\"status\":\"timeout\"}\n"
        "\n"
        "{\"name\":\"a.example\",\"type\":\"A\",\"status\":\"ok\",\"ttl\":5,"
        "\"addresses\":[\"192.0.2.7\"]}\n"
        "{\"name\":\"a.example\",\"type\":\"257\",\"status\":\"nodata\"}\n");
    auto r = replay(file.path);
    CHECK(r->query("a.example", RecordType::A).status == DnsStatus::timeout);
    auto second = r->query("a.example", RecordType::A);
    CHECK(second.ok());
    CHECK(second.canonical_name == "a.example");
    CHECK(second.addresses.at(0).to_string() == "192.0.2.7");
    CHECK(r->query("a.example", RecordType::A).ok());
    CHECK(r->query("a.example", static_cast<RecordType>(257)).status == DnsStatus::nodata);
}

TEST_CASE("a broken recording is a configuration error naming the line") {
    TempFile file;
    file.write("{\"name\":\"a.example\",\"type\":\"A\",\"status\":\"ok\"}\n{not json\n");
    CHECK_THROWS_WITH_AS(replay(file.path), doctest::Contains((file.path.string() + ":2").c_str()),
                         DnsConfigError);
    file.write("{\"name\":\"a.example\",\"type\":\"A\",\"status\":\"maybe\"}\n");
    CHECK_THROWS_WITH_AS(replay(file.path), doctest::Contains(":1"), DnsConfigError);
    file.write("{\"format\":\"other\",\"version\":1}\n");
    CHECK_THROWS_AS(replay(file.path), DnsConfigError);
    CHECK_THROWS_AS(replay("/nonexistent/dir/file.jsonl"), DnsConfigError);
    CHECK_THROWS_AS(recording(zone_text(""), "/nonexistent/dir/file.jsonl"), DnsConfigError);
}
