// The real mailverdict binary over large-input forms: mbox files, Maildirs, a list of
// paths on standard input; names, order, errors and --jobs. The mbox and Maildir fixtures
// are built here from corpus/messages, in a temporary directory.
#include "support/run_command.hpp"

#include <doctest/doctest.h>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <stdlib.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using mvtest::cli;
using mvtest::corpus;
using mvtest::run_command;
using mvtest::shell_quote;

std::string verdict_args() {
    return " --policy " + corpus("tenants/pilot.yaml") + " --dns-zone " + corpus("dns") +
           " --format jsonl";
}

// The corpus messages in the order a directory walk gives them (sorted by name).
std::vector<fs::path> corpus_messages() {
    std::vector<fs::path> out;
    for (const auto& e : fs::directory_iterator(std::string(MV_SOURCE_DIR) + "/corpus/messages")) {
        if (e.path().extension() == ".eml") {
            out.push_back(e.path());
        }
    }
    std::sort(out.begin(), out.end());
    return out;
}

std::string read(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// What an mboxrd writer does (qmail mbox(5)): one more '>' on every /^>*From / line.
std::string mboxrd_quote(const std::string& message) {
    std::string out;
    std::size_t start = 0;
    while (start < message.size()) {
        const auto end = message.find('\n', start);
        const std::size_t stop = end == std::string::npos ? message.size() : end + 1;
        const std::string_view line(message.data() + start, stop - start);
        const auto first = line.find_first_not_of('>');
        if (first != std::string_view::npos && line.substr(first).starts_with("From ")) {
            out += '>';
        }
        out += line;
        start = stop;
    }
    return out;
}

// From_ line, message, blank line: RFC 4155 appendix A, with the given line end.
std::string mbox_of(const std::vector<fs::path>& messages, const std::string& eol) {
    std::string out;
    for (const auto& m : messages) {
        out += "From MAILER-DAEMON Thu Nov  5 10:00:00 2026" + eol + mboxrd_quote(read(m)) + eol;
    }
    return out;
}

struct TempDir {
    fs::path path;
    TempDir() {
        std::string tmpl = (fs::temp_directory_path() / "mv-inputs-cli-XXXXXX").string();
        REQUIRE(mkdtemp(tmpl.data()) != nullptr);
        path = tmpl;
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
    fs::path write(const std::string& rel, const std::string& text) const {
        fs::create_directories((path / rel).parent_path());
        std::ofstream(path / rel, std::ios::binary) << text;
        return path / rel;
    }
};

std::vector<json::object> jsonl(const std::string& out) {
    std::vector<json::object> objs;
    std::istringstream lines(out);
    std::string line;
    while (std::getline(lines, line)) {
        objs.push_back(json::parse(line).as_object());
    }
    return objs;
}

// The object without its "file" key: what must not depend on where a message was read.
std::string without_file(json::object o) {
    o.erase("file");
    return json::serialize(o);
}

}  // namespace

TEST_CASE("mbox: N messages give N verdicts named PATH:1..N in order, --jobs 1 and 2 alike") {
    const auto messages = corpus_messages();
    REQUIRE(messages.size() > 10);
    const TempDir dir;
    const auto box = dir.write("box.mbox", mbox_of(messages, "\n"));
    const auto one =
        run_command(cli() + " verdict " + shell_quote(box.string()) + verdict_args() + " --jobs 1");
    const auto two =
        run_command(cli() + " verdict " + shell_quote(box.string()) + verdict_args() + " --jobs 2");
    CHECK(one.exit_code == 0);
    CHECK(two.exit_code == 0);
    CHECK(one.out == two.out);
    const auto got = jsonl(one.out);
    REQUIRE(got.size() == messages.size());
    // Each message of the mbox is judged exactly as its own file: the reader gives the
    // message back byte for byte (DKIM body hashes included).
    const auto files =
        jsonl(run_command(cli() + " verdict " + corpus("messages") + verdict_args()).out);
    REQUIRE(files.size() == messages.size());
    for (std::size_t i = 0; i < messages.size(); ++i) {
        CHECK(got[i].at("file").as_string() == box.string() + ":" + std::to_string(i + 1));
        CHECK_MESSAGE(without_file(got[i]) == without_file(files[i]), messages[i].filename());
    }
}

TEST_CASE("mbox: CRLF separators give the same verdicts as LF ones") {
    const auto messages = corpus_messages();
    const TempDir dir;
    const auto lf = dir.write("lf.mbox", mbox_of(messages, "\n"));
    const auto crlf = dir.write("crlf.mbox", mbox_of(messages, "\r\n"));
    const auto a =
        jsonl(run_command(cli() + " verdict " + shell_quote(lf.string()) + verdict_args()).out);
    const auto b =
        jsonl(run_command(cli() + " verdict " + shell_quote(crlf.string()) + verdict_args()).out);
    REQUIRE(a.size() == messages.size());
    REQUIRE(b.size() == messages.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
        CHECK(without_file(a[i]) == without_file(b[i]));
    }
}

TEST_CASE("mbox cut off inside its last message: still judged, reported, exit 1") {
    const auto messages = corpus_messages();
    const TempDir dir;
    std::string data = mbox_of({messages[0], messages[1]}, "\n");
    data.resize(data.size() - 10);  // the end of the second message is missing
    const auto box = dir.write("cut.mbox", data);
    const auto r = run_command(cli() + " parse " + shell_quote(box.string()) + " --format jsonl");
    CHECK(r.exit_code == 1);
    const auto got = jsonl(r.out);
    REQUIRE(got.size() == 2);
    CHECK(got[1].at("file").as_string() == box.string() + ":2");
    CHECK(got[1].at("parsed").as_bool());
    CHECK(r.err.find(box.string() + ":2: the mbox ends inside this message") != std::string::npos);
}

TEST_CASE("Maildir: cur/ and new/ in unique-name order, then Maildir++ folders") {
    const auto messages = corpus_messages();
    REQUIRE(messages.size() >= 4);
    const TempDir dir;
    const auto md = dir.path / "Maildir";
    // Unique names give the order 0, 1, 2 whatever the sub-directory.
    dir.write("Maildir/cur/1700000002.M2P1.host:2,S", read(messages[2]));
    dir.write("Maildir/cur/1700000000.M0P1.host:2,S", read(messages[0]));
    dir.write("Maildir/new/1700000001.M1P1.host", read(messages[1]));
    dir.write("Maildir/tmp/1700000009.M9P1.host", read(messages[3]));  // never read
    dir.write("Maildir/.Sent/cur/1700000005.M5P1.host:2,S", read(messages[3]));
    fs::create_directories(md / ".Sent/new");
    const auto r =
        run_command(cli() + " verdict " + shell_quote(md.string()) + verdict_args() + " --jobs 2");
    CHECK(r.exit_code == 0);
    const auto got = jsonl(r.out);
    REQUIRE(got.size() == 4);
    CHECK(got[0].at("file").as_string() == (md / "cur/1700000000.M0P1.host:2,S").string());
    CHECK(got[1].at("file").as_string() == (md / "new/1700000001.M1P1.host").string());
    CHECK(got[2].at("file").as_string() == (md / "cur/1700000002.M2P1.host:2,S").string());
    CHECK(got[3].at("file").as_string() == (md / ".Sent/cur/1700000005.M5P1.host:2,S").string());
}

TEST_CASE("--files-from -: a missing file is reported in its place, the others judged, exit 1") {
    const auto messages = corpus_messages();
    const TempDir dir;
    const auto list =
        dir.write("list.txt", messages[0].string() + "\n\n" + (dir.path / "missing.eml").string() +
                                  "\r\n" + "   \n" + messages[1].string() + "\n");
    const auto r = run_command(cli() + " verdict --files-from - " + verdict_args() +
                               " --jobs 2 < " + shell_quote(list.string()));
    CHECK(r.exit_code == 1);
    const auto got = jsonl(r.out);
    REQUIRE(got.size() == 3);  // blank lines ignored, CR of a CRLF list removed
    CHECK(got[0].at("file").as_string() == messages[0].string());
    CHECK(got[0].at("parsed").as_bool());
    CHECK(got[1].at("file").as_string() == (dir.path / "missing.eml").string());
    CHECK_FALSE(got[1].at("parsed").as_bool());
    CHECK(got[2].at("file").as_string() == messages[1].string());
    CHECK(r.err.find((dir.path / "missing.eml").string() + ": no such file") != std::string::npos);
}

TEST_CASE(
    "mixed inputs: directory, mbox, Maildir and list give the same output with --jobs 1 and 2") {
    const auto messages = corpus_messages();
    const TempDir dir;
    dir.write("tree/a.eml", read(messages[0]));
    dir.write("tree/b/box.mbox", mbox_of({messages[1], messages[2], messages[3]}, "\n"));
    dir.write("tree/b/c.eml", read(messages[4]));
    dir.write("tree/md/cur/1.x:2,S", read(messages[5]));
    dir.write("tree/md/new/2.y", read(messages[6]));
    dir.write("tree/ignored.txt", "not a message\n");
    const auto list = dir.write("list", messages[7].string() + "\n");
    const std::string command = cli() + " parse " + shell_quote((dir.path / "tree").string()) +
                                " --files-from " + shell_quote(list.string()) + " --format jsonl";
    const auto one = run_command(command + " --jobs 1");
    const auto two = run_command(command + " --jobs 2");
    CHECK(one.exit_code == 0);
    CHECK(one.out == two.out);
    const auto got = jsonl(one.out);
    const fs::path t = dir.path / "tree";
    const std::vector<std::string> expected{(t / "a.eml").string(),
                                            (t / "b/box.mbox").string() + ":1",
                                            (t / "b/box.mbox").string() + ":2",
                                            (t / "b/box.mbox").string() + ":3",
                                            (t / "b/c.eml").string(),
                                            (t / "md/cur/1.x:2,S").string(),
                                            (t / "md/new/2.y").string(),
                                            messages[7].string()};
    REQUIRE(got.size() == expected.size());
    for (std::size_t i = 0; i < got.size(); ++i) {
        CHECK(got[i].at("file").as_string() == expected[i]);
    }
}

TEST_CASE("diff and learn read mbox files too, with the same names") {
    const auto messages = corpus_messages();
    const TempDir dir;
    const auto box = dir.write("box.mbox", mbox_of(messages, "\n"));
    const std::string policies = " --policy " + corpus("tenants/pilot.yaml") + " --policy " +
                                 corpus("tenants/after-cutover.yaml") + " --dns-zone " +
                                 corpus("dns") + " --format json";
    const auto from_dir = run_command(cli() + " diff " + corpus("messages") + policies);
    const auto from_box = run_command(cli() + " diff " + shell_quote(box.string()) + policies);
    REQUIRE(from_dir.exit_code == 0);
    REQUIRE(from_box.exit_code == 0);
    auto a = json::parse(from_dir.out).as_object();
    auto b = json::parse(from_box.out).as_object();
    CHECK(a.at("totals") == b.at("totals"));
    auto& changes_a = a.at("changes").as_array();
    const auto& changes_b = b.at("changes").as_array();
    REQUIRE(changes_a.size() == changes_b.size());
    REQUIRE_FALSE(changes_a.empty());
    for (std::size_t i = 0; i < changes_a.size(); ++i) {
        // a's file is corpus/messages/X.eml: in the mbox it is message (index of X) + 1
        const fs::path file(std::string(changes_a[i].at("file").as_string()));
        const auto pos = std::find_if(messages.begin(), messages.end(), [&](const fs::path& m) {
            return m.filename() == file.filename();
        });
        REQUIRE(pos != messages.end());
        changes_a[i].as_object()["file"] =
            box.string() + ":" + std::to_string(pos - messages.begin() + 1);
        CHECK(changes_a[i] == changes_b[i]);
    }
    const auto learnt = run_command(cli() + " learn " + shell_quote(box.string()) + " --out " +
                                    shell_quote((dir.path / "contacts.db").string()) +
                                    " --internal-domain contoso.com --format json");
    CHECK(learnt.exit_code == 0);
    CHECK(json::parse(learnt.out).at("messages").as_int64() ==
          static_cast<std::int64_t>(messages.size()));
}

TEST_CASE("--progress: a final line on stderr when stderr is not a terminal, none with --quiet") {
    const std::string base = cli() + " parse " + corpus("messages") + " --format jsonl";
    const auto plain = run_command(base);
    const auto progress = run_command(base + " --progress");
    const auto quiet = run_command(base + " --progress --quiet");
    CHECK(plain.err.empty());
    CHECK(progress.out == plain.out);  // never in stdout
    const auto n = jsonl(plain.out).size();
    CHECK(progress.err.find("mailverdict parse: " + std::to_string(n) + " message(s) in ") !=
          std::string::npos);
    CHECK(progress.err.find(", 0 error(s)") != std::string::npos);
    CHECK(quiet.err.empty());
}

TEST_CASE("'-' as an input is a usage error that names --files-from") {
    const auto r = run_command(cli() + " parse - < /dev/null");
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("--files-from -") != std::string::npos);
}

TEST_CASE("an mbox on a pipe (/dev/stdin) is read as a stream") {
    const auto messages = corpus_messages();
    const TempDir dir;
    const auto box = dir.write("box.mbox", mbox_of({messages[0], messages[1]}, "\n"));
    const auto r =
        run_command(cli() + " parse /dev/stdin --format jsonl < " + shell_quote(box.string()));
    // the shell redirects a file: make it a real pipe
    const auto piped = run_command("cat " + shell_quote(box.string()) + " | " + cli() +
                                   " parse /dev/stdin --format jsonl");
    for (const auto* res : {&r, &piped}) {
        CHECK(res->exit_code == 0);
        const auto got = jsonl(res->out);
        REQUIRE(got.size() == 2);
        CHECK(got[0].at("file").as_string() == "/dev/stdin:1");
        CHECK(got[1].at("file").as_string() == "/dev/stdin:2");
    }
}

TEST_CASE("--mbox-variant accepts mboxrd and mboxo only, --files-from must be readable") {
    const auto messages = corpus_messages();
    const std::string file = shell_quote(messages[0].string());
    CHECK(run_command(cli() + " parse " + file + " --mbox-variant mboxo --quiet").exit_code == 0);
    const auto bad = run_command(cli() + " parse " + file + " --mbox-variant mboxcl2");
    CHECK(bad.exit_code == 2);
    CHECK(bad.err.find("--mbox-variant") != std::string::npos);
    const auto list = run_command(cli() + " parse --files-from /nonexistent/list.txt");
    CHECK(list.exit_code == 2);
    CHECK(list.err.find("/nonexistent/list.txt") != std::string::npos);
}
