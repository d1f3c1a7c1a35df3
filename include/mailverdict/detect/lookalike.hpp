// Lookalike model for impersonation protection (brief 4.2 "Look-alike matching", 15 Q12):
// when a display name or a domain is "the same as, or a lookalike of" a protected one.
//
// Microsoft documents no algorithm (brief 15 Q12), only examples: different TLDs,
// "somewhat similar" names (contosososo.com, contoabcdef.com for contoso.com) and homoglyphs
// (ćóntoso.com). This model makes the choice explicit and documented (docs/impersonation.md):
//
//   fold      RFC 2047-decoded UTF-8 -> NFD, nonspacing marks removed (ć -> c), NFKC case
//             folding (fullwidth and mathematical letters to plain ones, default-ignorable
//             characters such as U+200B removed), every character that is not a letter or a
//             digit folded to one space (punctuation, symbols, whitespace).
//   skeleton  UTS #39 section 4 confusable skeleton of each folded token (ICU
//             uspoof_getSkeleton), case-folded again: Cyrillic "о" and Latin "o", "0" and "o",
//             "1" and "l", "rn" and "m" give the same skeleton.
//   distance  optimal-string-alignment Damerau-Levenshtein distance between skeletons,
//             bounded, with cut-offs by PhishThresholdLevel (lookalike_thresholds()).
//
// Forms are precomputed once per protected value (ImpersonationProfile::build) and once per
// sender; the match functions compare precomputed forms only and do not call ICU.
//
// ICU stays inside lib/detect (lookalike_icu.hpp). A LookalikeModel is immutable after
// construction and safe to use from several threads (ICU documents the skeleton and check
// functions of one USpoofChecker as thread-safe).
#pragma once

#include <mailverdict/auth/org_domain.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mailverdict::detect {

// How a sender value resembles a protected one. Snake-case names (to_string) are stable:
// they appear in the JSON output and in the impersonation insight.
enum class Technique : std::uint8_t {
    // display names (user and mailbox-intelligence impersonation)
    same_name,                // equal after folding ("JOHN  SMITH" = "John Smith")
    address_in_display_name,  // the protected address inside the display name
    reordered_name,           // the same words in another order ("Smith, John")
    extra_words,              // the protected name plus words ("John Smith (CEO)")
    // display names and domain labels
    homoglyph,               // same skeleton with non-ASCII letters (Cyrillic "о", "ć")
    character_substitution,  // same skeleton, ASCII only: rn -> m, 0 -> o, 1 -> l
    edit_distance,           // a small Damerau-Levenshtein distance
    // domains only
    idn_homograph,        // an xn-- (IDN) label whose U-label has the protected skeleton
    tld_swap,             // the same registrable label under another public suffix
    hyphenated_affix,     // "contoso-support", "secure-contoso"
    embedded_label,       // the protected label with letters added ("contosososo")
    character_doubled,    // one letter doubled ("conttoso")
    character_dropped,    // one letter dropped ("contso")
    domain_as_subdomain,  // the whole protected domain on the left ("contoso.com.evil.net")
};
std::string_view to_string(Technique technique) noexcept;

// Cut-offs of the model for one PhishThresholdLevel (brief 4.4: 1 standard ... 4 most
// aggressive). A distance d is allowed when the protected value has at least the given
// number of code points once folded (names with one space between words, domain labels
// with their hyphens); 0 = never. Distances are counted between skeletons.
struct LookalikeThresholds {
    int level = 1;
    std::size_t name_distance1_min = 0;   // names: 1 edit from this length
    std::size_t name_distance2_min = 0;   // 2 edits
    std::size_t name_distance3_min = 0;   // 3 edits
    bool name_extra_words = false;        // "John Smith (CEO)" (protected names of >= 2 words)
    std::size_t label_distance1_min = 0;  // domain labels: 1 edit from this length
    std::size_t label_distance2_min = 0;  // 2 edits
    std::size_t label_hyphen_min = 0;     // hyphenated prefix/suffix
    std::size_t label_embedded_min = 0;   // protected label + letters, no hyphen (0 = off)
    std::size_t label_tld_swap_min = 0;   // same label, other suffix
};

// The documented table (docs/impersonation.md "Threshold levels"). Levels outside 1..4 are
// clamped (the tenant loader already refuses them).
//
// | level | name d1 | name d2 | name d3 | extra words | label d1 | label d2 | hyphen | embedded |
// TLD | |   1   |   >= 8  |    -    |    -    |     no      |   >= 5   |  >= 10   |  >= 4  |    -
// | >= 3| |   2   |   >= 6  |  >= 12  |    -    |     yes     |   >= 5   |  >= 8    |  >= 4  |    -
// | >= 3| |   3   |   >= 5  |  >= 10  |    -    |     yes     |   >= 4   |  >= 7    |  >= 3  |  >=
// 6    | >= 3| |   4   |   >= 4  |  >= 8   |  >= 14  |     yes     |   >= 4   |  >= 6    |  >= 3  |
// >= 5    | >= 2|
LookalikeThresholds lookalike_thresholds(int phish_threshold_level) noexcept;

// A display name prepared for comparison.
struct NameForms {
    std::string original;         // as given (UTF-8)
    std::string folded;           // folded words joined by one space
    std::string skeleton;         // skeleton words joined by one space
    std::string sorted_skeleton;  // skeleton words sorted, joined by one space
    std::u32string skeleton32;    // skeleton as code points (edit distance)
    std::u32string sorted32;      // sorted_skeleton as code points
    std::uint64_t bits = 0;       // which code points occur (cp % 64): a distance lower bound
    std::size_t length = 0;       // code points of `folded` (the length thresholds count)
    std::size_t words = 0;
    bool ascii = true;  // folded form is ASCII only

    [[nodiscard]] bool empty() const noexcept { return skeleton.empty(); }
};

// A domain prepared for comparison: its registrable label (the organizational domain of
// RFC 7489 3.2 from the Public Suffix List, minus the public suffix).
struct DomainShape {
    std::string domain;         // lower-case A-label form ("xn--cntoso-7ua.com")
    std::string unicode;        // U-label form
    std::string org_domain;     // organizational domain, A-label form ("contoso.co.uk")
    std::string suffix;         // its public suffix ("co.uk"; "" for a single label)
    std::string label;          // registrable label, A-label form ("contoso", "xn--...")
    std::string label_unicode;  // its U-label
    std::string label_folded;   // folded U-label (hyphens kept)
    std::string skeleton;       // skeleton of the folded U-label
    std::u32string skeleton32;
    std::uint64_t bits = 0;
    std::size_t length = 0;  // code points of label_folded (the length thresholds count)
    bool idn = false;        // the registrable label is an xn-- label
    bool valid = false;      // IDNA-valid (otherwise compared as written, lower-cased)

    [[nodiscard]] bool empty() const noexcept { return domain.empty(); }
};

// The outcome of one comparison.
struct LookalikeMatch {
    Technique technique = Technique::same_name;
    double score = 0.0;        // similarity 0..1 (1 = identical after folding)
    std::size_t distance = 0;  // edits between skeletons (0 for skeleton-equal techniques)
    std::string detail;        // what was compared, e.g. "skeleton 'contoso' = 'contoso'"
};

// What the unusual-characters safety tip looks at (brief 4.3; UTS #39 sections 4, 5).
struct UnusualCharacters {
    bool invisible = false;     // default-ignorable / format characters (U+200B, U+202E...)
    bool mixed_script = false;  // one word mixing scripts beyond UTS #39 "highly restrictive"
    bool confusable = false;    // a non-ASCII word whose skeleton is plain ASCII (whole-script
                                // confusable with Latin, e.g. Cyrillic "аррӏе")
    bool unusual_set = false;   // mathematical alphanumerics, enclosed or fullwidth forms
    std::vector<std::string> details;  // one line per finding, naming the code point

    [[nodiscard]] bool any() const noexcept {
        return invisible || mixed_script || confusable || unusual_set;
    }
};

// ICU-backed preparation of names and domains. Throws std::runtime_error when ICU cannot
// open its spoof checker or normalizers (a broken installation: a configuration error).
class LookalikeModel {
public:
    explicit LookalikeModel(psl::PublicSuffixList list);
    ~LookalikeModel();
    LookalikeModel(LookalikeModel&&) noexcept;
    LookalikeModel& operator=(LookalikeModel&&) noexcept;
    LookalikeModel(const LookalikeModel&) = delete;
    LookalikeModel& operator=(const LookalikeModel&) = delete;

    // Folded text (see the header comment); words joined by one space.
    [[nodiscard]] std::string fold(std::string_view utf8) const;
    // Skeleton of folded text, word by word, case-folded.
    [[nodiscard]] std::string skeleton(std::string_view utf8) const;

    [[nodiscard]] NameForms name(std::string_view display_name) const;
    // `domain` in either IDNA form (or as written when it is not valid IDNA).
    [[nodiscard]] DomainShape domain(std::string_view domain) const;

    // Invisible, mixed-script, whole-script-confusable and unusual characters of a display
    // name or a domain (U-labels checked label by label).
    [[nodiscard]] UnusualCharacters unusual_characters(std::string_view utf8) const;

    [[nodiscard]] const psl::PublicSuffixList& public_suffix_list() const noexcept;
    // The reference data the model judges with, for reproducible verdicts (architecture
    // "Versioned reference data"): "ICU 72.1, Unicode 15.0 confusables; <PSL summary>".
    [[nodiscard]] std::string reference_data() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// Is `candidate` the same as or a lookalike of `target` (a protected user's or a frequent
// contact's display name)? nullopt when not. Pure: no ICU, no allocation unless it matches.
std::optional<LookalikeMatch> match_name(const NameForms& candidate, const NameForms& target,
                                         const LookalikeThresholds& thresholds);

// Is `candidate` a lookalike of the protected domain `target`? Never for the protected
// domain itself, its sub-domains or another domain of the same organizational domain.
std::optional<LookalikeMatch> match_domain(const DomainShape& candidate, const DomainShape& target,
                                           const LookalikeThresholds& thresholds);

// Optimal string alignment distance (Damerau-Levenshtein with adjacent transpositions, each
// substring edited once). Returns bound + 1 as soon as the distance exceeds `bound`.
std::size_t damerau_levenshtein(std::u32string_view a, std::u32string_view b, std::size_t bound);

}  // namespace mailverdict::detect
