// The real mailverdict binary: `bench-corpus` is deterministic, its messages parse
// cleanly, and `auth` against its zones gives the DKIM and ARC results the generator meant
// (the mailing-list messages: author signature broken by the footer, ARC chain intact).
#include "support/run_command.hpp"

#include <doctest/doctest.h>

#include <boost/json/parse.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

namespace {

using mvtest::cli;
using mvtest::run_command;
using mvtest::shell_quote;
namespace fs = std::filesystem;

std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

// file name -> contents, for every regular file under `dir`.
std::map<std::string, std::string> tree(const fs::path& dir) {
    std::map<std::string, std::string> out;
    for (const auto& e : fs::recursive_directory_iterator(dir)) {
        if (e.is_regular_file()) {
            out[fs::relative(e.path(), dir).string()] = slurp(e.path());
        }
    }
    return out;
}

fs::path generate(const std::string& name) {
    const auto dir = fs::temp_directory_path() / ("mv_bench_cli_test_" + name);
    fs::remove_all(dir);
    const auto r =
        run_command(cli() + " bench-corpus --count 20 --seed 1 --out " + shell_quote(dir.string()));
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    return dir;
}

}  // namespace

TEST_CASE("bench-corpus: the same seed gives byte-identical output, keys included") {
    const auto a = generate("a");
    const auto b = generate("b");
    const auto ta = tree(a);
    const auto tb = tree(b);
    CHECK(ta.size() == tb.size());
    std::size_t messages = 0;
    for (const auto& entry : ta) {  // no structured binding: clang 14 cannot capture it
        const std::string& name = entry.first;
        const auto& bytes = entry.second;
        const auto it = tb.find(name);
        REQUIRE_MESSAGE(it != tb.end(), name);
        CHECK_MESSAGE(bytes == it->second, name);
        messages += name.starts_with("messages/") ? 1 : 0;
    }
    CHECK(messages == 20);
    CHECK(ta.count("envelopes.tsv") == 1);
    CHECK(ta.count("tenant.yaml") == 1);
    CHECK(ta.count("zones/sender-00.example.zone") == 1);
}

TEST_CASE(
    "bench-corpus: every message parses without defects and gets the DKIM and ARC results meant") {
    const auto dir = generate("c");
    const auto parsed = run_command(cli() + " parse " + shell_quote((dir / "messages").string()) +
                                    " --format jsonl");
    REQUIRE(parsed.exit_code == 0);
    std::istringstream lines(parsed.out);
    std::size_t n = 0;
    for (std::string line; std::getline(lines, line);) {
        const auto v = boost::json::parse(line).as_object();
        CHECK_MESSAGE(v.at("defects").as_array().empty(), line.substr(0, 300));
        ++n;
    }
    CHECK(n == 20);

    // expected.tsv: file, dkim (pass / fail / none), arc (pass / none); check every message
    // of the small corpus.
    std::ifstream expected(dir / "expected.tsv");
    std::size_t pass = 0, fail = 0, arc_pass = 0, arc_none = 0;
    for (std::string line; std::getline(expected, line);) {
        if (line.empty() || line.front() == '#') {
            continue;
        }
        const auto tab = line.find('\t');
        const auto tab2 = line.find('\t', tab + 1);
        REQUIRE_MESSAGE(tab2 != std::string::npos, line);
        const auto file = line.substr(0, tab);
        const auto meant = line.substr(tab + 1, tab2 - tab - 1);
        const auto meant_arc = line.substr(tab2 + 1);
        const auto r = run_command(
            cli() + " auth " + shell_quote((dir / "messages" / file).string()) + " --dns-zone " +
            shell_quote((dir / "zones").string()) + " --now 1772496000 --format json");
        REQUIRE_MESSAGE(r.exit_code == 0, r.err);
        const auto out = r.out;
        if (meant == "pass") {
            ++pass;
            CHECK_MESSAGE(out.find("dkim=pass") != std::string::npos, file);
            CHECK_MESSAGE(out.find("dkim=fail") == std::string::npos, file);
        } else if (meant == "fail") {
            ++fail;
            CHECK_MESSAGE(out.find("dkim=fail") != std::string::npos, file);
            CHECK_MESSAGE(out.find("dkim=pass") == std::string::npos, file);
        } else {
            CHECK_MESSAGE(out.find("dkim=none") != std::string::npos, file);
        }
        const auto cv = std::string(boost::json::parse(out).at("arc").at("cv").as_string());
        const auto bytes = slurp(dir / "messages" / file);
        if (meant_arc == "pass") {
            // A list message: sealed by the list after it tagged the subject and appended its
            // footer, so the author's body hash fails (RFC 6376 3.7) while the AMS, made over
            // the message as changed, and the seal verify (RFC 8617 5.2): arc=pass.
            ++arc_pass;
            CHECK_MESSAGE(meant == "fail", file);
            CHECK_MESSAGE(cv == "pass", file);
            CHECK_MESSAGE(bytes.starts_with("Received: from lists.woodgrove-community.example"),
                          file);
            CHECK_MESSAGE(bytes.find("\r\nSubject: [community] ") != std::string::npos, file);
            CHECK_MESSAGE(bytes.find("ARC-Seal: i=1; a=rsa-sha256; t=") != std::string::npos, file);
            CHECK_MESSAGE(bytes.find("cv=none;") != std::string::npos, file);
            CHECK_MESSAGE(out.find("body hash") != std::string::npos, file);
        } else {
            ++arc_none;
            CHECK_MESSAGE(meant_arc == "none", file);
            CHECK_MESSAGE(cv == "none", file);
            CHECK_MESSAGE(bytes.find("ARC-") == std::string::npos, file);
        }
    }
    CHECK(pass > 0);
    CHECK(arc_pass > 0);  // seed 1 relays messages 7 and 18 of the first 20 through the list
    CHECK(arc_none > 0);
}

namespace {

// `mailverdict bench` over `dir` for one stage: the outcome tally it prints ("spf=pass" -> n).
std::map<std::string, int> bench_tally(const fs::path& dir, const std::string& stage) {
    const auto r = run_command(cli() + " bench " + shell_quote(dir.string()) + " --stage " + stage +
                               " --dns-zone " + shell_quote((dir / "zones").string()));
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    CHECK(r.out.find("stage=" + stage + " ") == 0);
    CHECK(r.out.find(" messages=20 ") != std::string::npos);
    std::map<std::string, int> tally;
    std::istringstream words(r.out.substr(r.out.find('\n') + 1));
    for (std::string w; words >> w;) {
        const auto colon = w.rfind(':');
        tally[w.substr(0, colon)] = std::stoi(w.substr(colon + 1));
    }
    return tally;
}

std::map<std::string, int> with_prefix(const std::map<std::string, int>& tally,
                                       const std::string& prefix) {
    std::map<std::string, int> out;
    for (const auto& kv : tally) {
        if (kv.first.rfind(prefix, 0) == 0) {
            out.insert(kv);
        }
    }
    return out;
}

}  // namespace

TEST_CASE("bench: each check alone gives the outcomes it gives inside auth") {
    const auto dir = generate("stages");
    const auto auth = bench_tally(dir, "auth");
    // DKIM and ARC as the generator meant them (expected.tsv: file, dkim, arc).
    std::map<std::string, int> meant_dkim;
    std::map<std::string, int> meant_arc;
    std::ifstream expected(dir / "expected.tsv");
    for (std::string line; std::getline(expected, line);) {
        if (!line.empty() && line.front() != '#') {
            const auto tab = line.find('\t');
            const auto end = line.find('\t', tab + 1);
            REQUIRE(end != std::string::npos);
            ++meant_dkim["dkim=" + line.substr(tab + 1, end - tab - 1)];
            ++meant_arc["arc=" + line.substr(end + 1)];
        }
    }
    CHECK(with_prefix(auth, "dkim=") == meant_dkim);
    CHECK(with_prefix(auth, "arc=") == meant_arc);
    CHECK(meant_arc.count("arc=pass") == 1);  // the list relays some of the first 20
    CHECK(bench_tally(dir, "parse") == std::map<std::string, int>{{"dkim=clean", 20}});
    for (const std::string check : {"spf", "dkim", "arc", "dmarc"}) {
        CAPTURE(check);
        const auto alone = bench_tally(dir, check);
        CHECK(alone == with_prefix(auth, check + "="));
        int total = 0;
        for (const auto& kv : alone) {
            total += kv.second;
        }
        CHECK(total == 20);
    }
    const auto bad = run_command(cli() + " bench " + shell_quote(dir.string()) + " --stage bogus");
    CHECK(bad.exit_code != 0);
    CHECK(bad.err.find("parse, spf, dkim, arc, dmarc, auth or verdict") != std::string::npos);
}
