// The lookalike model on arbitrary bytes: folding, skeletons, domain shapes, unusual
// characters and both matchers must neither crash nor break their invariants.
#include <mailverdict/detect/lookalike.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace {

const mailverdict::detect::LookalikeModel& model() {
    // Immutable after construction (no mutable static state is touched by a run).
    static const mailverdict::detect::LookalikeModel m{
        *mailverdict::psl::PublicSuffixList::system().list};
    return m;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace mailverdict::detect;
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    // First line against the rest: a sender and a protected value.
    const auto split = input.find('\n');
    const std::string_view a = input.substr(0, split);
    const std::string_view b = split == std::string_view::npos ? input : input.substr(split + 1);
    const auto& m = model();
    const NameForms na = m.name(a);
    const NameForms nb = m.name(b);
    const DomainShape da = m.domain(a);
    const DomainShape db = m.domain(b);
    (void)m.unusual_characters(input);
    for (int level = 1; level <= 4; ++level) {
        const auto t = lookalike_thresholds(level);
        if (const auto r = match_name(na, nb, t)) {
            if (r->score < 0.0 || r->score > 1.0) {
                __builtin_trap();
            }
        }
        if (const auto r = match_domain(da, db, t)) {
            if (r->score < 0.0 || r->score > 1.0) {
                __builtin_trap();
            }
        }
        // A value always matches itself by name, never by domain.
        if (!na.empty() && !match_name(na, na, t)) {
            __builtin_trap();
        }
        if (match_domain(da, da, t)) {
            __builtin_trap();
        }
    }
    const std::size_t d = damerau_levenshtein(na.skeleton32, nb.skeleton32, 3);
    if (d > 3 + 1 || damerau_levenshtein(na.skeleton32, nb.skeleton32, 3) !=
                         damerau_levenshtein(nb.skeleton32, na.skeleton32, 3)) {
        __builtin_trap();
    }
    return 0;
}
