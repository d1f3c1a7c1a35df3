// Contact graph (mailbox intelligence, brief 4.2, 4.3, 15 Q11): queries, thresholds, SQLite
// persistence and learning from a folder of messages.
#include <mailverdict/detect/contact_graph.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>

using namespace mailverdict;
using namespace mailverdict::detect;
namespace fs = std::filesystem;

namespace {

// A fresh directory under the system temp dir, removed at the end of the test.
struct TempDir {
    fs::path path;
    explicit TempDir(const std::string& name) {
        path = fs::temp_directory_path() / ("mv_contact_graph_" + name);
        fs::remove_all(path);
        fs::create_directories(path);
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
};

void write(const fs::path& p, const std::string& text) {
    std::ofstream out(p, std::ios::binary);
    out << text;
}

std::chrono::sys_seconds at(int day) {
    using namespace std::chrono;
    return sys_days{year{2024} / March / day} + hours{9};
}

}  // namespace

TEST_CASE("queries: corresponded, first contact, frequent (documented thresholds)") {
    ContactGraph g;
    CHECK_FALSE(g.knows("alice@contoso.com"));
    CHECK_FALSE(g.first_contact("alice@contoso.com", "x@example.org").has_value());

    g.record("Alice@Contoso.com", "Bob@Fabrikam.com", "Bob", ContactDirection::received, at(1));
    CHECK(g.knows("alice@contoso.com"));
    CHECK(g.corresponded("alice@contoso.com", "bob@fabrikam.com"));
    CHECK(g.first_contact("alice@contoso.com", "bob@fabrikam.com") == false);
    CHECK(g.first_contact("alice@contoso.com", "eve@example.org") == true);
    CHECK_FALSE(g.frequent("alice@contoso.com", "bob@fabrikam.com"));  // 1 received < 3

    g.record("alice@contoso.com", "bob@fabrikam.com", "", ContactDirection::received, at(5));
    g.record("alice@contoso.com", "bob@fabrikam.com", "", ContactDirection::received, at(3));
    CHECK(g.frequent("alice@contoso.com", "bob@fabrikam.com"));  // 3 received
    const auto* s = g.find("alice@contoso.com", "bob@fabrikam.com");
    REQUIRE(s != nullptr);
    CHECK(s->received == 3);
    CHECK(s->sent == 0);
    CHECK(s->display_name == "Bob");  // an empty name does not erase the known one
    CHECK(s->first_seen == at(1));
    CHECK(s->last_seen == at(5));

    g.record("alice@contoso.com", "carol@tailspintoys.com", "Carol", ContactDirection::sent,
             std::nullopt);
    CHECK(g.frequent("alice@contoso.com", "carol@tailspintoys.com"));  // one sent message
    CHECK(g.frequent_contacts("alice@contoso.com").size() == 2);
    CHECK(g.pair_count() == 2);
    CHECK(g.mailbox_count() == 1);

    ContactThresholds strict;
    strict.frequent_min_sent = 0;
    strict.frequent_min_received = 10;
    strict.first_contact_below = 4;  // "rarely hears from": fewer than 4 messages
    ContactGraph h(strict);
    h.record("alice@contoso.com", "bob@fabrikam.com", "Bob", ContactDirection::sent, at(1), 3);
    CHECK_FALSE(h.frequent("alice@contoso.com", "bob@fabrikam.com"));
    CHECK(h.first_contact("alice@contoso.com", "bob@fabrikam.com") == true);
}

TEST_CASE("persistence: save then load gives the same graph") {
    TempDir dir("roundtrip");
    const fs::path db = dir.path / "contacts.db";
    ContactGraph g;
    g.record("alice@contoso.com", "bob@fabrikam.com", "Bob Jones", ContactDirection::received,
             at(2));
    g.record("alice@contoso.com", "bob@fabrikam.com", "", ContactDirection::sent, at(7));
    g.record("alice@contoso.com", "news@example.org", "", ContactDirection::received, std::nullopt);
    g.record("dan@contoso.com", "Jos\xC3\xA9@example.org",
             "Jos\xC3\xA9 Garc\xC3\xAD"
             "a",
             ContactDirection::received, at(4));
    g.save(db);

    const auto loaded = ContactGraph::load(db);
    CHECK(loaded.mailboxes() == g.mailboxes());
    CHECK(loaded.pair_count() == 3);
    for (const auto& m : g.mailboxes()) {
        const auto a = g.contacts(m);
        const auto b = loaded.contacts(m);
        REQUIRE(a.size() == b.size());
        for (std::size_t i = 0; i < a.size(); ++i) {
            CHECK(*a[i] == *b[i]);
        }
    }
    const auto* bob = loaded.find("alice@contoso.com", "bob@fabrikam.com");
    REQUIRE(bob != nullptr);
    CHECK(bob->received == 1);
    CHECK(bob->sent == 1);
    CHECK(bob->first_seen == at(2));
    CHECK(bob->last_seen == at(7));
    CHECK_FALSE(loaded.find("alice@contoso.com", "news@example.org")->first_seen.has_value());

    // Saving again replaces the contents (no duplicates, no stale rows).
    ContactGraph smaller;
    smaller.record("erin@contoso.com", "x@example.org", "", ContactDirection::sent, at(1));
    smaller.save(db);
    const auto again = ContactGraph::load(db);
    CHECK(again.mailboxes() == std::vector<std::string>{"erin@contoso.com"});
}

TEST_CASE("persistence: unusable databases are clear configuration errors") {
    TempDir dir("errors");
    CHECK_THROWS_WITH_AS(ContactGraph::load(dir.path / "missing.db"),
                         doctest::Contains("missing.db"), ContactGraphError);
    write(dir.path / "text.db", "this is not a database, just some text that is long enough\n");
    CHECK_THROWS_AS(ContactGraph::load(dir.path / "text.db"), ContactGraphError);
    CHECK_THROWS_AS(ContactGraph().save(dir.path / "no-such-dir" / "x.db"), ContactGraphError);
}

TEST_CASE("learning: sender -> recipients, internal mailboxes only") {
    const auto inbound = Message::parse(
        "From: Bob Jones <Bob@Fabrikam.com>\r\n"
        "To: Alice <alice@contoso.com>, partner@tailspintoys.com\r\n"
        "Cc: dan@contoso.com\r\n"
        "Date: Tue, 5 Mar 2024 09:00:00 +0000\r\n"
        "Subject: hello\r\n\r\nbody\r\n");
    const auto outbound = Message::parse(
        "From: Alice <alice@contoso.com>\r\n"
        "To: Carol <carol@tailspintoys.com>\r\n"
        "Date: Wed, 6 Mar 2024 10:00:00 +0100\r\n\r\nbody\r\n");
    ContactGraph g;
    LearnOptions o;
    o.internal_domains = {"contoso.com"};
    CHECK(learn_message(g, inbound, o).recorded == 2);   // alice and dan received from bob
    CHECK(learn_message(g, outbound, o).recorded == 1);  // alice sent to carol
    CHECK(g.find("alice@contoso.com", "bob@fabrikam.com")->received == 1);
    CHECK(g.find("alice@contoso.com", "bob@fabrikam.com")->display_name == "Bob Jones");
    CHECK(g.find("alice@contoso.com", "bob@fabrikam.com")->first_seen == at(5));
    CHECK(g.find("dan@contoso.com", "bob@fabrikam.com") != nullptr);
    CHECK_FALSE(g.knows("partner@tailspintoys.com"));  // not an internal mailbox
    CHECK(g.find("alice@contoso.com", "carol@tailspintoys.com")->sent == 1);
    CHECK(g.find("alice@contoso.com", "carol@tailspintoys.com")->display_name == "Carol");
    CHECK(g.frequent("alice@contoso.com", "carol@tailspintoys.com"));

    // Without internal domains every address is a mailbox: both directions are recorded.
    ContactGraph all;
    CHECK(learn_message(all, outbound, {}).recorded == 2);
    CHECK(all.find("carol@tailspintoys.com", "alice@contoso.com")->received == 1);

    const auto no_from = Message::parse("To: alice@contoso.com\r\n\r\nbody\r\n");
    const auto outcome = learn_message(g, no_from, o);
    CHECK(outcome.recorded == 0);
    CHECK_FALSE(outcome.skipped.empty());
}

TEST_CASE("learning over a folder of messages, persisted and reloaded") {
    TempDir dir("learn");
    fs::create_directories(dir.path / "inbox");
    for (int i = 1; i <= 3; ++i) {
        write(dir.path / "inbox" / ("m" + std::to_string(i) + ".eml"),
              "From: Bob Jones <bob@fabrikam.com>\n"
              "To: alice@contoso.com\n"
              "Date: " +
                  std::to_string(i) + " Mar 2024 09:00:00 +0000\n\nhi\n");
    }
    write(dir.path / "inbox" / "sent.eml",
          "From: alice@contoso.com\nTo: Carol <carol@tailspintoys.com>\n\nhi\n");
    write(dir.path / "notes.txt", "not a message");
    ContactGraph g;
    LearnOptions o;
    o.internal_domains = {"contoso.com"};
    std::size_t files = 0;
    for (const auto& e : fs::recursive_directory_iterator(dir.path)) {
        if (e.path().extension() != ".eml") {
            continue;
        }
        std::ifstream in(e.path(), std::ios::binary);
        std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        learn_message(g, Message::parse(std::move(bytes)), o);
        ++files;
    }
    CHECK(files == 4);
    g.save(dir.path / "contacts.db");
    const auto loaded = ContactGraph::load(dir.path / "contacts.db");
    const auto* bob = loaded.find("alice@contoso.com", "bob@fabrikam.com");
    REQUIRE(bob != nullptr);
    CHECK(bob->received == 3);
    CHECK(bob->first_seen == at(1) - std::chrono::hours{0});
    CHECK(bob->last_seen == at(3));
    CHECK(loaded.frequent("alice@contoso.com", "bob@fabrikam.com"));
    CHECK(loaded.frequent("alice@contoso.com", "carol@tailspintoys.com"));
    CHECK(loaded.first_contact("alice@contoso.com", "eve@example.org") == true);
}
