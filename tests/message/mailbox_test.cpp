// MboxReader (RFC 4155 mbox, mboxo and mboxrd) and the Maildir listing.
#include <mailverdict/message/mailbox.hpp>

#include <doctest/doctest.h>

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <streambuf>
#include <string>
#include <vector>

using mailverdict::MboxLimits;
using mailverdict::MboxMessage;
using mailverdict::MboxReader;
using mailverdict::MboxVariant;

namespace fs = std::filesystem;

namespace {

std::vector<MboxMessage> read_all(const std::string& data,
                                  MboxVariant variant = MboxVariant::mboxrd,
                                  MboxLimits limits = {}) {
    std::istringstream in(data);
    MboxReader reader(in, variant, limits);
    std::vector<MboxMessage> out;
    MboxMessage m;
    while (reader.next(m)) {
        out.push_back(m);
    }
    CHECK_FALSE(reader.read_failed());
    return out;
}

// mboxrd writing (qmail mbox(5)): every line matching /^>*From / gets one more '>'.
std::string mboxrd_quote(const std::string& message) {
    std::string out;
    std::istringstream lines(message);
    std::string line;
    while (std::getline(lines, line)) {
        const auto first = line.find_first_not_of('>');
        if (first != std::string::npos && line.compare(first, 5, "From ") == 0) {
            out += '>';
        }
        out += line + "\n";
    }
    return out;
}

// A stream buffer that serves `data`, then fails (as a disk read error does).
class FailingBuffer : public std::streambuf {
public:
    explicit FailingBuffer(std::string data) : data_(std::move(data)) {
        setg(data_.data(), data_.data(), data_.data() + data_.size());
    }

protected:
    int_type underflow() override { throw std::runtime_error("I/O error"); }

private:
    std::string data_;
};

struct TempDir {
    fs::path path;
    TempDir() {
        std::string tmpl = (fs::temp_directory_path() / "mv-mailbox-XXXXXX").string();
        REQUIRE(mkdtemp(tmpl.data()) != nullptr);
        path = tmpl;
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
    void write(const fs::path& rel, const std::string& text = "Subject: x\n\nbody\n") const {
        fs::create_directories((path / rel).parent_path());
        std::ofstream(path / rel, std::ios::binary) << text;
    }
};

}  // namespace

TEST_CASE("mbox: From_ lines separate messages and are not part of them") {
    // RFC 4155 appendix A: a From_ line before each message, a blank line after it.
    const std::string data =
        "From alice@example.com Thu Jan  1 00:00:00 2004\n"
        "From: alice@example.com\n"
        "Subject: one\n"
        "\n"
        "first body\n"
        "\n"
        "From bob@example.net Fri Jan  2 00:00:00 2004\n"
        "From: bob@example.net\n"
        "\n"
        "second body\n"
        "\n";
    const auto msgs = read_all(data);
    REQUIRE(msgs.size() == 2);
    CHECK(msgs[0].number == 1);
    CHECK(msgs[0].offset == 0);
    CHECK(msgs[0].separator == "From alice@example.com Thu Jan  1 00:00:00 2004");
    // the blank line written after the message is the separator's, not the message's
    CHECK(msgs[0].bytes == "From: alice@example.com\nSubject: one\n\nfirst body\n");
    CHECK(msgs[0].size == msgs[0].bytes.size());
    CHECK_FALSE(msgs[0].truncated);
    CHECK_FALSE(msgs[0].missing_separator);
    CHECK(msgs[1].number == 2);
    CHECK(msgs[1].offset == data.find("From bob"));
    CHECK(msgs[1].separator == "From bob@example.net Fri Jan  2 00:00:00 2004");
    CHECK(msgs[1].bytes == "From: bob@example.net\n\nsecond body\n");
}

TEST_CASE("mbox: mboxrd removes one '>' from /^>+From /, mboxo keeps every line") {
    const std::string data =
        "From a@example.com Thu Jan  1 00:00:00 2004\n"
        "Subject: quoting\n"
        "\n"
        ">From the start\n"
        ">>From a quote\n"
        ">Fromage has no space\n"
        "> From has a space first\n"
        "text >From inside a line\n";
    const auto rd = read_all(data, MboxVariant::mboxrd);
    REQUIRE(rd.size() == 1);
    CHECK(rd[0].bytes ==
          "Subject: quoting\n\n"
          "From the start\n"
          ">From a quote\n"
          ">Fromage has no space\n"
          "> From has a space first\n"
          "text >From inside a line\n");
    const auto o = read_all(data, MboxVariant::mboxo);
    REQUIRE(o.size() == 1);
    CHECK(o[0].bytes == data.substr(data.find('\n') + 1));
}

TEST_CASE("mbox: mboxrd round trip restores messages exactly, across read-buffer boundaries") {
    // Messages with "From " lines in the body, long lines and '>' runs; the test writes
    // them as an mboxrd writer does, then reads them back. The padding moves every line
    // across the reader's 64 KiB buffer boundary.
    std::vector<std::string> originals;
    for (std::size_t i = 0; i < 40; ++i) {
        std::string m = "From: m" + std::to_string(i) +
                        "@example.com\nSubject: " + std::to_string(i) +
                        "\n\nFrom here on\n>>>From quoted\n";
        m += std::string(i * 3000 + 17, 'x') + "\n";  // up to 117 KiB: longer than the buffer
        m += std::string(i, '>') + "From the end\n";
        originals.push_back(m);
    }
    std::string data;
    for (const auto& m : originals) {
        data += "From sender@example.com Sat Jan  3 00:00:00 2004\n" + mboxrd_quote(m) + "\n";
    }
    const auto msgs = read_all(data);
    REQUIRE(msgs.size() == originals.size());
    for (std::size_t i = 0; i < originals.size(); ++i) {
        CHECK_MESSAGE(msgs[i].bytes == originals[i], "message " << i + 1);
        CHECK(msgs[i].number == i + 1);
    }
}

TEST_CASE("mbox: CRLF files") {
    const std::string data =
        "From a@example.com Thu Jan  1 00:00:00 2004\r\n"
        "Subject: one\r\n"
        "\r\n"
        "body\r\n"
        "\r\n"
        "From b@example.com Thu Jan  1 00:00:01 2004\r\n"
        "Subject: two\r\n"
        "\r\n"
        ">From escaped\r\n"
        "\r\n";
    const auto msgs = read_all(data);
    REQUIRE(msgs.size() == 2);
    CHECK(msgs[0].separator == "From a@example.com Thu Jan  1 00:00:00 2004");
    CHECK(msgs[0].bytes == "Subject: one\r\n\r\nbody\r\n");
    CHECK(msgs[1].bytes == "Subject: two\r\n\r\nFrom escaped\r\n");
    CHECK_FALSE(msgs[1].truncated);
}

TEST_CASE("mbox: a message without a final line end is kept and flagged truncated") {
    const auto msgs = read_all(
        "From a@example.com Thu Jan  1 00:00:00 2004\nSubject: x\n\nno newline at the end");
    REQUIRE(msgs.size() == 1);
    CHECK(msgs[0].bytes == "Subject: x\n\nno newline at the end");
    CHECK(msgs[0].truncated);
    // with a final line end but no blank line after it, nothing is missing
    const auto ok = read_all("From a@example.com Thu Jan  1 00:00:00 2004\nSubject: x\n\nend\n");
    REQUIRE(ok.size() == 1);
    CHECK(ok[0].bytes == "Subject: x\n\nend\n");
    CHECK_FALSE(ok[0].truncated);
}

TEST_CASE("mbox: an empty mbox holds no message") {
    CHECK(read_all("").empty());
}

TEST_CASE("mbox: a From line that does not follow a blank line is message content") {
    // RFC 4155: some writers escape "From " only after a blank line, so a "From " line
    // elsewhere cannot be a separator.
    const std::string data =
        "From a@example.com Thu Jan  1 00:00:00 2004\n"
        "Subject: x\n"
        "\n"
        "a paragraph\n"
        "From the desk of the CEO\n"
        "\n"
        "From b@example.com Thu Jan  1 00:00:01 2004\n"
        "Subject: y\n"
        "\n"
        "second\n";
    const auto msgs = read_all(data);
    REQUIRE(msgs.size() == 2);
    CHECK(msgs[0].bytes == "Subject: x\n\na paragraph\nFrom the desk of the CEO\n");
    CHECK(msgs[1].bytes == "Subject: y\n\nsecond\n");
}

TEST_CASE("mbox: only one blank line before a From_ line separates, others are content") {
    const auto msgs = read_all(
        "From a@x Thu Jan  1 00:00:00 2004\nSubject: x\n\nbody\n\n\n\nFrom b@x Thu Jan  1 "
        "00:00:00 2004\n\n");
    REQUIRE(msgs.size() == 2);
    CHECK(msgs[0].bytes == "Subject: x\n\nbody\n\n\n");
    CHECK(msgs[1].bytes == "");  // header-less and empty: still a message, nothing lost
}

TEST_CASE("mbox: a message over the size limit is flagged and not held, the next is read") {
    MboxLimits limits;
    limits.max_message_bytes = 100;
    const std::string big = "Subject: big\n\n" + std::string(500, 'b') + "\n";
    const std::string data = "From a@x Thu Jan  1 00:00:00 2004\n" + big +
                             "\nFrom b@x Thu Jan  1 00:00:01 2004\nSubject: small\n\nok\n";
    const auto msgs = read_all(data, MboxVariant::mboxrd, limits);
    REQUIRE(msgs.size() == 2);
    CHECK(msgs[0].over_limit);
    CHECK(msgs[0].bytes.empty());
    CHECK(msgs[0].size == big.size());
    CHECK_FALSE(msgs[1].over_limit);
    CHECK(msgs[1].bytes == "Subject: small\n\nok\n");
    // exactly at the limit is still kept
    limits.max_message_bytes = 19;
    const auto at = read_all(data, MboxVariant::mboxrd, limits);
    REQUIRE(at.size() == 2);
    CHECK_FALSE(at[1].over_limit);
    CHECK(at[1].size == 19);
}

TEST_CASE("mbox: data before the first From_ line is returned, flagged") {
    const auto msgs = read_all(
        "Subject: no separator\n\nbody\n\nFrom a@x Thu Jan  1 00:00:00 "
        "2004\nSubject: two\n\n2\n");
    REQUIRE(msgs.size() == 2);
    CHECK(msgs[0].missing_separator);
    CHECK(msgs[0].separator.empty());
    CHECK(msgs[0].bytes == "Subject: no separator\n\nbody\n");
    CHECK_FALSE(msgs[1].missing_separator);
    CHECK(msgs[1].bytes == "Subject: two\n\n2\n");
}

TEST_CASE("mbox: a read error stops the reader and is reported") {
    // The buffer serves 100 KB then fails: the reader's first 64 KiB read succeeds, the
    // next one fails, so the message is cut short.
    const std::string body(100 * 1024, 'a');
    const std::string data = "From a@x Thu Jan  1 00:00:00 2004\nSubject: x\n\n" + body;
    FailingBuffer buffer(data);
    std::istream in(&buffer);
    MboxReader reader(in);
    MboxMessage m;
    REQUIRE(reader.next(m));
    CHECK(m.truncated);
    CHECK(reader.read_failed());
    CHECK(m.bytes.size() < data.size());
    CHECK(m.bytes.starts_with("Subject: x\n\naaa"));
    CHECK_FALSE(reader.next(m));
}

TEST_CASE("mbox: content test is the From_ line") {
    CHECK(mailverdict::starts_with_from_line("From a@x Thu Jan  1 00:00:00 2004\n"));
    CHECK_FALSE(mailverdict::starts_with_from_line("From: a@x\n"));
    CHECK_FALSE(mailverdict::starts_with_from_line(""));
}

TEST_CASE("maildir: cur/ and new/ by unique name, dot files and tmp/ skipped, Maildir++ folders") {
    const TempDir dir;
    dir.write("cur/1700000002.M2P2.host:2,S");
    dir.write("new/1700000001.M1P1.host");
    dir.write("new/1700000003.M3P3.host");
    dir.write("cur/1700000000.M0P0.host:2,RS");
    dir.write("cur/.hidden");
    dir.write("tmp/1700000004.M4P4.host");
    dir.write("dovecot-uidlist", "3 V1 N5\n");
    dir.write(".Sent/cur/1.a:2,S");
    dir.write(".Sent/new/2.b");
    dir.write(".Archive.2023/cur/1.c:2,");
    fs::create_directories(dir.path / ".Archive.2023/new");
    dir.write(".not-a-maildir/x.eml");
    CHECK(mailverdict::is_maildir(dir.path));
    CHECK_FALSE(mailverdict::is_maildir(dir.path / "cur"));
    const auto listing = mailverdict::list_maildir(dir.path);
    CHECK(listing.error.empty());
    CHECK(listing.messages ==
          std::vector<std::string>{"cur/1700000000.M0P0.host:2,RS", "new/1700000001.M1P1.host",
                                   "cur/1700000002.M2P2.host:2,S", "new/1700000003.M3P3.host"});
    REQUIRE(listing.folders.size() == 2);
    CHECK(listing.folders[0] == ".Archive.2023");
    CHECK(listing.folders[1] == ".Sent");
}

TEST_CASE("maildir: a Maildir without tmp/ is still one, a file moved to cur/ keeps its place") {
    const TempDir dir;
    dir.write("new/20.x");
    dir.write("cur/10.y:2,S");
    CHECK(mailverdict::is_maildir(dir.path));
    auto before = mailverdict::list_maildir(dir.path);
    REQUIRE(before.messages.size() == 2);
    CHECK(before.messages[0] == "cur/10.y:2,S");
    CHECK(before.messages[1] == "new/20.x");
    // the client reads 20.x: new/20.x becomes cur/20.x:2,S; the order is unchanged
    fs::rename(dir.path / "new/20.x", dir.path / "cur/20.x:2,S");
    auto after = mailverdict::list_maildir(dir.path);
    REQUIRE(after.messages.size() == 2);
    CHECK(after.messages[0] == "cur/10.y:2,S");
    CHECK(after.messages[1] == "cur/20.x:2,S");
}
