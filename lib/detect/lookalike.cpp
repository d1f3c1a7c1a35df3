// Lookalike model: folding, UTS #39 skeletons and bounded edit distance (lookalike.hpp).
#include <mailverdict/detect/lookalike.hpp>
#include <mailverdict/message/message.hpp>

#include "detect/lookalike_icu.hpp"

#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>
#include <unicode/utf16.h>
#include <unicode/uversion.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cstdio>
#include <stdexcept>
#include <utility>

namespace mailverdict::detect {

std::string_view to_string(Technique technique) noexcept {
    switch (technique) {
        case Technique::same_name:
            return "same_name";
        case Technique::address_in_display_name:
            return "address_in_display_name";
        case Technique::reordered_name:
            return "reordered_name";
        case Technique::extra_words:
            return "extra_words";
        case Technique::homoglyph:
            return "homoglyph";
        case Technique::character_substitution:
            return "character_substitution";
        case Technique::edit_distance:
            return "edit_distance";
        case Technique::idn_homograph:
            return "idn_homograph";
        case Technique::tld_swap:
            return "tld_swap";
        case Technique::hyphenated_affix:
            return "hyphenated_affix";
        case Technique::embedded_label:
            return "embedded_label";
        case Technique::character_doubled:
            return "character_doubled";
        case Technique::character_dropped:
            return "character_dropped";
        case Technique::domain_as_subdomain:
            return "domain_as_subdomain";
    }
    return "unknown";
}

LookalikeThresholds lookalike_thresholds(int phish_threshold_level) noexcept {
    // The table of lookalike.hpp and docs/impersonation.md. Level 1 keeps only what is hard
    // to explain innocently (one edit in a long name); each level lowers the lengths at
    // which edits count, as brief 4.4 describes the levels treating weaker signals as
    // stronger ones.
    const int level = std::clamp(phish_threshold_level, 1, 4);
    LookalikeThresholds t;
    t.level = level;
    switch (level) {
        case 1:
            t.name_distance1_min = 8;
            t.label_distance1_min = 5;
            t.label_distance2_min = 10;
            t.label_hyphen_min = 4;
            t.label_tld_swap_min = 3;
            break;
        case 2:
            t.name_distance1_min = 6;
            t.name_distance2_min = 12;
            t.name_extra_words = true;
            t.label_distance1_min = 5;
            t.label_distance2_min = 8;
            t.label_hyphen_min = 4;
            t.label_tld_swap_min = 3;
            break;
        case 3:
            t.name_distance1_min = 5;
            t.name_distance2_min = 10;
            t.name_extra_words = true;
            t.label_distance1_min = 4;
            t.label_distance2_min = 7;
            t.label_hyphen_min = 3;
            t.label_embedded_min = 6;
            t.label_tld_swap_min = 3;
            break;
        default:
            t.name_distance1_min = 4;
            t.name_distance2_min = 8;
            t.name_distance3_min = 14;
            t.name_extra_words = true;
            t.label_distance1_min = 4;
            t.label_distance2_min = 6;
            t.label_hyphen_min = 3;
            t.label_embedded_min = 5;
            t.label_tld_swap_min = 2;
            break;
    }
    return t;
}

// ---------------------------------------------------------------------------------------
// Edit distance

std::size_t damerau_levenshtein(std::u32string_view a, std::u32string_view b, std::size_t bound) {
    if (a.size() < b.size()) {
        std::swap(a, b);
    }
    const std::size_t n = a.size();
    const std::size_t m = b.size();
    if (n - m > bound) {
        return bound + 1;
    }
    if (m == 0) {
        return n;
    }
    // Three rows of the optimal-string-alignment table; on the stack for usual lengths.
    constexpr std::size_t stack_columns = 128;
    std::array<std::size_t, 3 * (stack_columns + 1)> stack_cells;  // written before read
    std::vector<std::size_t> heap_cells;
    std::size_t* cells = stack_cells.data();
    if (m > stack_columns) {
        heap_cells.resize(3 * (m + 1));
        cells = heap_cells.data();
    }
    std::size_t* before = cells;            // row i - 2
    std::size_t* previous = cells + m + 1;  // row i - 1
    std::size_t* current = cells + 2 * (m + 1);
    for (std::size_t j = 0; j <= m; ++j) {
        previous[j] = j;
    }
    for (std::size_t i = 1; i <= n; ++i) {
        current[0] = i;
        std::size_t row_min = i;
        for (std::size_t j = 1; j <= m; ++j) {
            const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            std::size_t v = std::min({previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
                v = std::min(v, before[j - 2] + 1);  // adjacent transposition
            }
            current[j] = v;
            row_min = std::min(row_min, v);
        }
        if (row_min > bound) {
            return bound + 1;
        }
        std::size_t* recycled = before;
        before = previous;
        previous = current;
        current = recycled;
    }
    return std::min(previous[m], bound + 1);
}

// ---------------------------------------------------------------------------------------
// ICU helpers

namespace {

std::u16string to_utf16(std::string_view utf8) {
    std::u16string out(utf8.size() + 1, u'\0');
    int32_t length = 0;
    UErrorCode status = U_ZERO_ERROR;
    // Ill-formed UTF-8 becomes U+FFFD rather than an error: names come from mail.
    u_strFromUTF8WithSub(out.data(), static_cast<int32_t>(out.size()), &length, utf8.data(),
                         static_cast<int32_t>(utf8.size()), 0xFFFD, nullptr, &status);
    if (U_FAILURE(status)) {
        return {};
    }
    out.resize(static_cast<std::size_t>(length));
    return out;
}

std::string to_utf8(std::u16string_view utf16) {
    std::string out(utf16.size() * 3 + 1, '\0');
    int32_t length = 0;
    UErrorCode status = U_ZERO_ERROR;
    u_strToUTF8WithSub(out.data(), static_cast<int32_t>(out.size()), &length, utf16.data(),
                       static_cast<int32_t>(utf16.size()), 0xFFFD, nullptr, &status);
    if (U_FAILURE(status)) {
        return {};
    }
    out.resize(static_cast<std::size_t>(length));
    return out;
}

std::u32string to_utf32(std::u16string_view utf16) {
    std::u32string out;
    out.reserve(utf16.size());
    const auto length = static_cast<int32_t>(utf16.size());
    for (int32_t i = 0; i < length;) {
        UChar32 c = 0;
        U16_NEXT(utf16.data(), i, length, c);
        out.push_back(static_cast<char32_t>(c));
    }
    return out;
}

std::u16string normalize(const UNormalizer2* normalizer, std::u16string_view text) {
    if (text.empty()) {
        return {};
    }
    std::u16string out(text.size() * 3 + 8, u'\0');
    for (int attempt = 0; attempt < 2; ++attempt) {
        UErrorCode status = U_ZERO_ERROR;
        const int32_t length =
            unorm2_normalize(normalizer, text.data(), static_cast<int32_t>(text.size()), out.data(),
                             static_cast<int32_t>(out.size()), &status);
        if (status == U_BUFFER_OVERFLOW_ERROR) {
            out.assign(static_cast<std::size_t>(length) + 1, u'\0');
            continue;
        }
        if (U_FAILURE(status)) {
            return std::u16string(text);
        }
        out.resize(static_cast<std::size_t>(length));
        return out;
    }
    return std::u16string(text);
}

std::uint64_t bits_of(std::u32string_view text) {
    std::uint64_t bits = 0;
    for (const char32_t c : text) {
        bits |= std::uint64_t{1} << (static_cast<std::uint32_t>(c) % 64U);
    }
    return bits;
}

bool is_ascii(std::string_view text) {
    return std::all_of(text.begin(), text.end(),
                       [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

std::string join(const std::vector<std::string>& words, std::string_view separator) {
    std::string out;
    for (const auto& w : words) {
        if (!out.empty()) {
            out += separator;
        }
        out += w;
    }
    return out;
}

std::string lower_ascii(std::string_view text) {
    std::string out(text);
    for (char& c : out) {
        if (c >= 'A' && c <= 'Z') {
            c = static_cast<char>(c - 'A' + 'a');
        }
    }
    return out;
}

std::string code_point_name(UChar32 c) {
    std::array<char, 96> name{};
    UErrorCode status = U_ZERO_ERROR;
    const int32_t length =
        u_charName(c, U_UNICODE_CHAR_NAME, name.data(), static_cast<int32_t>(name.size()), &status);
    std::array<char, 16> code{};
    std::snprintf(code.data(), code.size(), "U+%04X", static_cast<unsigned>(c));
    std::string out(code.data());
    if (U_SUCCESS(status) && length > 0) {
        out += ' ';
        out.append(name.data(), static_cast<std::size_t>(length));
    }
    return out;
}

}  // namespace

// ---------------------------------------------------------------------------------------
// The model

struct LookalikeModel::Impl {
    psl::PublicSuffixList list;
    icu::SpoofChecker checker;
    const UNormalizer2* nfd = nullptr;
    const UNormalizer2* nfkc_casefold = nullptr;

    explicit Impl(psl::PublicSuffixList l) : list(std::move(l)) {
        UErrorCode status = U_ZERO_ERROR;
        checker.reset(uspoof_open(&status));
        if (U_FAILURE(status) || !checker) {
            throw std::runtime_error(std::string("ICU uspoof_open failed: ") + u_errorName(status));
        }
        // UTS #39 5.2: words beyond "highly restrictive" count as mixed-script; 5.3 mixed
        // number systems; 5.4 invisible (repeated nonspacing marks).
        uspoof_setChecks(checker.get(),
                         USPOOF_RESTRICTION_LEVEL | USPOOF_MIXED_NUMBERS | USPOOF_INVISIBLE,
                         &status);
        uspoof_setRestrictionLevel(checker.get(), USPOOF_HIGHLY_RESTRICTIVE);
        nfd = unorm2_getNFDInstance(&status);
        nfkc_casefold = unorm2_getNFKCCasefoldInstance(&status);
        if (U_FAILURE(status) || nfd == nullptr || nfkc_casefold == nullptr) {
            throw std::runtime_error(std::string("ICU normalizers unavailable: ") +
                                     u_errorName(status));
        }
    }

    // Folded words (header comment of lookalike.hpp). With keep_hyphen, '-' stays inside a
    // word (domain labels).
    [[nodiscard]] std::vector<std::u16string> fold_words(std::u16string_view text,
                                                         bool keep_hyphen) const {
        const std::u16string decomposed = normalize(nfd, text);
        std::u16string stripped;
        stripped.reserve(decomposed.size());
        const auto dlen = static_cast<int32_t>(decomposed.size());
        for (int32_t i = 0; i < dlen;) {
            UChar32 c = 0;
            U16_NEXT(decomposed.data(), i, dlen, c);
            if (u_charType(c) == U_NON_SPACING_MARK) {
                continue;  // accents: "ćóntoso" folds to "contoso" (brief 4.2 homoglyph example)
            }
            std::array<char16_t, 2> units{};
            int32_t n = 0;
            U16_APPEND_UNSAFE(units.data(), n, c);
            stripped.append(units.data(), static_cast<std::size_t>(n));
        }
        const std::u16string folded = normalize(nfkc_casefold, stripped);
        std::vector<std::u16string> words;
        std::u16string word;
        const auto flen = static_cast<int32_t>(folded.size());
        for (int32_t i = 0; i < flen;) {
            const int32_t start = i;
            UChar32 c = 0;
            U16_NEXT(folded.data(), i, flen, c);
            const bool keep = u_isalnum(c) != 0 || (U_GET_GC_MASK(c) & U_GC_M_MASK) != 0 ||
                              (keep_hyphen && c == u'-');
            if (keep) {
                word.append(folded, static_cast<std::size_t>(start),
                            static_cast<std::size_t>(i - start));
            } else if (!word.empty()) {
                words.push_back(std::move(word));
                word.clear();
            }
        }
        if (!word.empty()) {
            words.push_back(std::move(word));
        }
        return words;
    }

    // UTS #39 4 skeleton of one word, case-folded (prototypes such as "O" are upper-case).
    [[nodiscard]] std::u16string skeleton_of(std::u16string_view word) const {
        if (word.empty()) {
            return {};
        }
        std::u16string out(word.size() * 2 + 8, u'\0');
        for (int attempt = 0; attempt < 2; ++attempt) {
            UErrorCode status = U_ZERO_ERROR;
            const int32_t length =
                uspoof_getSkeleton(checker.get(), 0, word.data(), static_cast<int32_t>(word.size()),
                                   out.data(), static_cast<int32_t>(out.size()), &status);
            if (status == U_BUFFER_OVERFLOW_ERROR) {
                out.assign(static_cast<std::size_t>(length) + 1, u'\0');
                continue;
            }
            if (U_FAILURE(status)) {
                return std::u16string(word);
            }
            out.resize(static_cast<std::size_t>(length));
            break;
        }
        std::u16string lowered(out.size() + 8, u'\0');
        UErrorCode status = U_ZERO_ERROR;
        const int32_t length =
            u_strFoldCase(lowered.data(), static_cast<int32_t>(lowered.size()), out.data(),
                          static_cast<int32_t>(out.size()), U_FOLD_CASE_DEFAULT, &status);
        if (U_FAILURE(status)) {
            return out;
        }
        lowered.resize(static_cast<std::size_t>(length));
        return lowered;
    }

    // UTS #39 5.2 restriction level of one word (ASCII ... unrestrictive).
    [[nodiscard]] std::pair<URestrictionLevel, int32_t> check(std::u16string_view word) const {
        UErrorCode status = U_ZERO_ERROR;
        icu::CheckResult result{uspoof_openCheckResult(&status)};
        if (U_FAILURE(status)) {
            return {USPOOF_ASCII, 0};
        }
        const int32_t flags = uspoof_check2(
            checker.get(), word.data(), static_cast<int32_t>(word.size()), result.get(), &status);
        const URestrictionLevel level =
            uspoof_getCheckResultRestrictionLevel(result.get(), &status);
        if (U_FAILURE(status)) {
            return {USPOOF_ASCII, 0};
        }
        return {level, flags};
    }
};

LookalikeModel::LookalikeModel(psl::PublicSuffixList list)
    : impl_(std::make_unique<Impl>(std::move(list))) {}
LookalikeModel::~LookalikeModel() = default;
LookalikeModel::LookalikeModel(LookalikeModel&&) noexcept = default;
LookalikeModel& LookalikeModel::operator=(LookalikeModel&&) noexcept = default;

const psl::PublicSuffixList& LookalikeModel::public_suffix_list() const noexcept {
    return impl_->list;
}

std::string LookalikeModel::reference_data() const {
    return std::string("ICU ") + U_ICU_VERSION + ", Unicode " + U_UNICODE_VERSION +
           " confusables (UTS #39); " + impl_->list.info().summary();
}

std::string LookalikeModel::fold(std::string_view utf8) const {
    std::vector<std::string> words;
    for (const auto& w : impl_->fold_words(to_utf16(utf8), false)) {
        words.push_back(to_utf8(w));
    }
    return join(words, " ");
}

std::string LookalikeModel::skeleton(std::string_view utf8) const {
    std::vector<std::string> words;
    for (const auto& w : impl_->fold_words(to_utf16(utf8), false)) {
        words.push_back(to_utf8(impl_->skeleton_of(w)));
    }
    return join(words, " ");
}

NameForms LookalikeModel::name(std::string_view display_name) const {
    NameForms f;
    f.original = std::string(display_name);
    const auto words = impl_->fold_words(to_utf16(display_name), false);
    std::vector<std::string> folded;
    std::vector<std::string> skeletons;
    folded.reserve(words.size());
    skeletons.reserve(words.size());
    for (const auto& w : words) {
        folded.push_back(to_utf8(w));
        skeletons.push_back(to_utf8(impl_->skeleton_of(w)));
    }
    f.words = words.size();
    f.folded = join(folded, " ");
    f.ascii = is_ascii(f.folded);
    f.skeleton = join(skeletons, " ");
    std::sort(skeletons.begin(), skeletons.end());
    f.sorted_skeleton = join(skeletons, " ");
    f.skeleton32 = to_utf32(to_utf16(f.skeleton));
    f.sorted32 = to_utf32(to_utf16(f.sorted_skeleton));
    f.bits = bits_of(f.skeleton32);
    f.length = to_utf32(to_utf16(f.folded)).size();
    return f;
}

DomainShape LookalikeModel::domain(std::string_view domain) const {
    DomainShape s;
    while (!domain.empty() && domain.back() == '.') {
        domain.remove_suffix(1);
    }
    if (domain.empty()) {
        return s;
    }
    if (auto forms = idna_forms(domain)) {
        s.domain = std::move(forms->ascii);
        s.unicode = std::move(forms->unicode);
        s.valid = true;
    } else {
        s.domain = lower_ascii(domain);
        s.unicode = s.domain;
    }
    s.org_domain = impl_->list.organizational_domain(s.domain);
    if (s.org_domain.empty()) {
        s.org_domain = s.domain;
    }
    const auto dot = s.org_domain.find('.');
    s.label = s.org_domain.substr(0, dot);
    s.suffix = dot == std::string::npos ? std::string() : s.org_domain.substr(dot + 1);
    s.idn = s.label.starts_with("xn--");
    // The U-label at the same position (both forms have the same number of labels).
    const auto labels_in = [](std::string_view d) {
        return static_cast<std::size_t>(std::count(d.begin(), d.end(), '.')) + 1;
    };
    const std::size_t total = labels_in(s.domain);
    const std::size_t org_labels = labels_in(s.org_domain);
    s.label_unicode = s.label;
    if (labels_in(s.unicode) == total && org_labels <= total) {
        std::string_view u = s.unicode;
        for (std::size_t skip = total - org_labels; skip > 0; --skip) {
            u.remove_prefix(u.find('.') + 1);
        }
        s.label_unicode = std::string(u.substr(0, u.find('.')));
    }
    std::string folded;
    for (const auto& w : impl_->fold_words(to_utf16(s.label_unicode), true)) {
        folded += to_utf8(w);
    }
    s.label_folded = folded;
    const std::u16string skeleton = impl_->skeleton_of(to_utf16(folded));
    s.skeleton = to_utf8(skeleton);
    s.skeleton32 = to_utf32(skeleton);
    s.bits = bits_of(s.skeleton32);
    s.length = to_utf32(to_utf16(folded)).size();
    return s;
}

UnusualCharacters LookalikeModel::unusual_characters(std::string_view utf8) const {
    UnusualCharacters u;
    const std::u16string text = to_utf16(utf8);
    const auto length = static_cast<int32_t>(text.size());
    std::vector<std::u16string> words;
    std::u16string word;
    auto note = [&u](std::string line) {
        if (u.details.size() < 8 &&
            std::find(u.details.begin(), u.details.end(), line) == u.details.end()) {
            u.details.push_back(std::move(line));
        }
    };
    for (int32_t i = 0; i < length;) {
        const int32_t start = i;
        UChar32 c = 0;
        U16_NEXT(text.data(), i, length, c);
        // Invisible: default-ignorable code points (zero-width space and joiners, soft
        // hyphen, word joiner, BOM) and format characters (bidi overrides), UTS #39 4 / 5.4.
        if (u_hasBinaryProperty(c, UCHAR_DEFAULT_IGNORABLE_CODE_POINT) != 0 ||
            u_charType(c) == U_FORMAT_CHAR) {
            u.invisible = true;
            note(code_point_name(c) + ": invisible character");
            continue;  // words are checked without it
        }
        const UBlockCode block = ublock_getCode(c);
        if (block == UBLOCK_MATHEMATICAL_ALPHANUMERIC_SYMBOLS ||
            block == UBLOCK_ENCLOSED_ALPHANUMERICS ||
            block == UBLOCK_ENCLOSED_ALPHANUMERIC_SUPPLEMENT ||
            (block == UBLOCK_HALFWIDTH_AND_FULLWIDTH_FORMS && c >= 0xFF01 && c <= 0xFF5E) ||
            (c >= 0x80 && u_charType(c) == U_MATH_SYMBOL)) {
            // Brief 4.3: "unusual character sets (math symbols ...)".
            u.unusual_set = true;
            note(code_point_name(c) + ": unusual character set");
        }
        const bool in_word = u_isalnum(c) != 0 || (U_GET_GC_MASK(c) & U_GC_M_MASK) != 0;
        if (in_word) {
            word.append(text, static_cast<std::size_t>(start), static_cast<std::size_t>(i - start));
        } else if (!word.empty()) {
            words.push_back(std::move(word));
            word.clear();
        }
    }
    if (!word.empty()) {
        words.push_back(std::move(word));
    }
    for (const auto& w : words) {
        const std::string w8 = to_utf8(w);
        if (is_ascii(w8)) {
            continue;
        }
        const auto [level, flags] = impl_->check(w);
        if (level > USPOOF_HIGHLY_RESTRICTIVE || (flags & USPOOF_MIXED_NUMBERS) != 0) {
            // UTS #39 5.2: Latin with Cyrillic or Greek in one word is below "highly
            // restrictive"; 5.3: digits of several number systems.
            u.mixed_script = true;
            note("'" + w8 + "': mixes scripts");
        }
        const std::string skeleton = to_utf8(impl_->skeleton_of(w));
        const bool letters_only = std::all_of(skeleton.begin(), skeleton.end(), [](char ch) {
            return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-';
        });
        if (letters_only && !skeleton.empty()) {
            // UTS #39 4: every character confusable with Latin (whole-script confusable).
            u.confusable = true;
            note("'" + w8 + "': looks like '" + skeleton + "'");
        }
    }
    return u;
}

// ---------------------------------------------------------------------------------------
// Matching

namespace {

std::size_t allowed_distance(std::size_t length, std::size_t d1_min, std::size_t d2_min,
                             std::size_t d3_min) {
    if (d3_min != 0 && length >= d3_min) {
        return 3;
    }
    if (d2_min != 0 && length >= d2_min) {
        return 2;
    }
    if (d1_min != 0 && length >= d1_min) {
        return 1;
    }
    return 0;
}

// Cheap lower bounds before the distance table: length difference, and characters present
// in one string only (one edit changes at most two bits of the set).
bool may_be_within(std::u32string_view a, std::uint64_t abits, std::u32string_view b,
                   std::uint64_t bbits, std::size_t bound) {
    const std::size_t diff = a.size() > b.size() ? a.size() - b.size() : b.size() - a.size();
    if (diff > bound) {
        return false;
    }
    return static_cast<std::size_t>(std::popcount(abits ^ bbits)) <= 2 * bound;
}

double similarity(std::size_t distance, std::size_t a, std::size_t b) {
    const std::size_t longest = std::max<std::size_t>({a, b, 1});
    return 1.0 - static_cast<double>(distance) / static_cast<double>(longest);
}

std::string quoted(std::string_view a, std::string_view op, std::string_view b) {
    std::string out = "'";
    out += a;
    out += "' ";
    out += op;
    out += " '";
    out += b;
    out += "'";
    return out;
}

}  // namespace

std::optional<LookalikeMatch> match_name(const NameForms& candidate, const NameForms& target,
                                         const LookalikeThresholds& thresholds) {
    if (candidate.empty() || target.empty()) {
        return std::nullopt;
    }
    if (candidate.folded == target.folded) {
        return LookalikeMatch{Technique::same_name, 1.0, 0,
                              "folded " + quoted(candidate.folded, "=", target.folded)};
    }
    if (candidate.skeleton == target.skeleton) {
        // UTS #39 4: X and Y are confusable when skeleton(X) = skeleton(Y).
        const Technique t = candidate.ascii && target.ascii ? Technique::character_substitution
                                                            : Technique::homoglyph;
        return LookalikeMatch{t, 0.97, 0,
                              "skeleton " + quoted(candidate.skeleton, "=", target.skeleton)};
    }
    if (target.words >= 2 && candidate.sorted_skeleton == target.sorted_skeleton) {
        return LookalikeMatch{Technique::reordered_name, 0.95, 0,
                              "words " + quoted(candidate.folded, "~", target.folded)};
    }
    const std::size_t length = target.length;
    const std::size_t bound =
        allowed_distance(length, thresholds.name_distance1_min, thresholds.name_distance2_min,
                         thresholds.name_distance3_min);
    if (bound > 0 && may_be_within(candidate.skeleton32, candidate.bits, target.skeleton32,
                                   target.bits, bound)) {
        std::size_t d = damerau_levenshtein(candidate.skeleton32, target.skeleton32, bound);
        if (d > bound && target.words >= 2) {
            d = damerau_levenshtein(candidate.sorted32, target.sorted32, bound);  // "Smith, Jon"
        }
        if (d <= bound) {
            return LookalikeMatch{
                Technique::edit_distance,
                similarity(d, candidate.skeleton32.size(), target.skeleton32.size()), d,
                "skeleton " + quoted(candidate.skeleton, "~", target.skeleton) + " distance " +
                    std::to_string(d) + " (allowed " + std::to_string(bound) + " at length " +
                    std::to_string(length) + ")"};
        }
    }
    if (thresholds.name_extra_words && target.words >= 2 && candidate.words > target.words) {
        const std::string haystack = " " + candidate.skeleton + " ";
        if (haystack.find(" " + target.skeleton + " ") != std::string::npos) {
            return LookalikeMatch{
                Technique::extra_words,
                static_cast<double>(target.skeleton32.size()) /
                    static_cast<double>(std::max<std::size_t>(candidate.skeleton32.size(), 1)),
                0, "words " + quoted(target.folded, "inside", candidate.folded)};
        }
    }
    return std::nullopt;
}

std::optional<LookalikeMatch> match_domain(const DomainShape& candidate, const DomainShape& target,
                                           const LookalikeThresholds& thresholds) {
    if (candidate.empty() || target.empty()) {
        return std::nullopt;
    }
    // Never the protected domain itself, its sub-domains, or another name under the same
    // organizational domain (the same registrant).
    if (candidate.domain == target.domain ||
        (candidate.domain.size() > target.domain.size() &&
         candidate.domain.ends_with(target.domain) &&
         candidate.domain[candidate.domain.size() - target.domain.size() - 1] == '.') ||
        candidate.org_domain == target.org_domain) {
        return std::nullopt;
    }
    if (candidate.domain.size() > target.domain.size() &&
        candidate.domain.starts_with(target.domain) &&
        candidate.domain[target.domain.size()] == '.') {
        return LookalikeMatch{Technique::domain_as_subdomain, 0.9, 0,
                              "'" + candidate.domain + "' starts with '" + target.domain + ".'"};
    }
    const std::size_t length = target.length;
    if (candidate.label == target.label) {
        // Same registrable label, other public suffix (brief 4.2 "different TLDs").
        if (thresholds.label_tld_swap_min != 0 && length >= thresholds.label_tld_swap_min) {
            return LookalikeMatch{Technique::tld_swap, 0.95, 0,
                                  "label '" + candidate.label + "' under '" + candidate.suffix +
                                      "' instead of '" + target.suffix + "'"};
        }
        return std::nullopt;
    }
    const auto finish = [&candidate](LookalikeMatch m) {
        // Any resemblance carried by an xn-- label is an IDN homograph.
        if (candidate.idn && (m.technique == Technique::character_substitution ||
                              m.technique == Technique::edit_distance ||
                              m.technique == Technique::character_doubled ||
                              m.technique == Technique::character_dropped)) {
            m.technique = Technique::idn_homograph;
            m.detail += " (U-label '" + candidate.label_unicode + "')";
        }
        return m;
    };
    if (candidate.skeleton == target.skeleton) {
        const Technique t =
            candidate.idn ? Technique::idn_homograph
                          : (is_ascii(candidate.label_unicode) ? Technique::character_substitution
                                                               : Technique::homoglyph);
        return finish(LookalikeMatch{t, 0.97, 0,
                                     "label '" + candidate.label_unicode + "' skeleton " +
                                         quoted(candidate.skeleton, "=", target.skeleton)});
    }
    const std::string_view c = candidate.skeleton;
    const std::string_view t = target.skeleton;
    const double coverage =
        static_cast<double>(target.skeleton32.size()) /
        static_cast<double>(std::max<std::size_t>(candidate.skeleton32.size(), 1));
    if (thresholds.label_hyphen_min != 0 && length >= thresholds.label_hyphen_min &&
        c.size() > t.size() + 1 &&
        ((c.starts_with(t) && c[t.size()] == '-') ||
         (c.ends_with(t) && c[c.size() - t.size() - 1] == '-'))) {
        return LookalikeMatch{Technique::hyphenated_affix, coverage, 0,
                              "label " + quoted(c, "contains", t) + " with a hyphen"};
    }
    if (thresholds.label_embedded_min != 0 && length >= thresholds.label_embedded_min &&
        c.size() > t.size() && (c.starts_with(t) || c.ends_with(t))) {
        return LookalikeMatch{Technique::embedded_label, coverage, 0,
                              "label " + quoted(c, "contains", t)};
    }
    const std::size_t bound =
        allowed_distance(length, thresholds.label_distance1_min, thresholds.label_distance2_min, 0);
    if (bound > 0 && may_be_within(candidate.skeleton32, candidate.bits, target.skeleton32,
                                   target.bits, bound)) {
        const std::size_t d = damerau_levenshtein(candidate.skeleton32, target.skeleton32, bound);
        if (d <= bound) {
            const auto& cs = candidate.skeleton32;
            const auto& ts = target.skeleton32;
            Technique technique = Technique::edit_distance;
            if (d == 1 && cs.size() == ts.size() + 1) {
                // One letter added: "doubled" when it repeats its neighbour.
                std::size_t i = 0;
                while (i < ts.size() && cs[i] == ts[i]) {
                    ++i;
                }
                if ((i > 0 && cs[i] == cs[i - 1]) || (i + 1 < cs.size() && cs[i] == cs[i + 1])) {
                    technique = Technique::character_doubled;
                }
            } else if (d == 1 && cs.size() + 1 == ts.size()) {
                technique = Technique::character_dropped;
            }
            return finish(LookalikeMatch{technique, similarity(d, cs.size(), ts.size()), d,
                                         "label skeleton " + quoted(c, "~", t) + " distance " +
                                             std::to_string(d) + " (allowed " +
                                             std::to_string(bound) + " at length " +
                                             std::to_string(length) + ")"});
        }
    }
    return std::nullopt;
}

}  // namespace mailverdict::detect
