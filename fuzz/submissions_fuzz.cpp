// libFuzzer target: the user-submissions labels file. Every input either parses or
// throws SubmissionsError naming the file; a parsed submission has a message, a line
// inside the input, and scoring lookups on it never fail.
#include <mailverdict/report/submissions.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    try {
        auto subs = mailverdict::report::parse_submissions(text, "fuzz.tsv");
        const auto lines = static_cast<int>(std::count(text.begin(), text.end(), '\n')) + 1;
        for (const auto& s : subs) {
            if (s.message.empty() || s.line < 1 || s.line > lines) {
                __builtin_trap();
            }
        }
        const mailverdict::report::SubmissionScore score(std::move(subs));
        (void)score.find("dir/a.eml", "<id@x>");
        (void)score.find(std::string(text.substr(0, 64)), std::string(text.substr(0, 64)));
        (void)score.unmatched();
    } catch (const mailverdict::report::SubmissionsError& e) {
        if (std::string_view(e.what()).rfind("fuzz.tsv:", 0) != 0) {
            __builtin_trap();
        }
    }
    return 0;
}
