// corpus/submissions/labels.tsv: the user-submission labels other stages score against a
// tenant (issue 8 item 4). Its format is documented in docs/corpus.md; this checks every
// line follows it and names a corpus message.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

TEST_CASE("corpus submission labels: TAB-separated file, label, reporter, note") {
    const std::string src = MV_SOURCE_DIR;
    std::ifstream in(src + "/corpus/submissions/labels.tsv");
    REQUIRE(in);
    std::string line;
    std::set<std::string> labels;
    std::size_t n = 0;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#') {
            continue;
        }
        std::vector<std::string> fields;
        std::istringstream split(line);
        for (std::string f; std::getline(split, f, '\t');) {
            fields.push_back(f);
        }
        INFO(line);
        REQUIRE(fields.size() >= 2);
        CHECK(fields.size() <= 4);
        CHECK(std::filesystem::is_regular_file(src + "/corpus/messages/" + fields[0]));
        CHECK((fields[1] == "phish" || fields[1] == "spam" || fields[1] == "clean"));
        labels.insert(fields[1]);
        ++n;
    }
    CHECK(n >= 30);
    CHECK(labels.size() == 3);
}
