// Lookalike model (brief 4.2 "Look-alike matching", 15 Q12; UTS #39). Pairs are written per
// technique from the documents' examples and the classic homograph cases.
#include <mailverdict/detect/lookalike.hpp>

#include <doctest/doctest.h>

#include <optional>
#include <string>

using namespace mailverdict;
using namespace mailverdict::detect;

// Failures print the technique's name.
template <>
struct doctest::StringMaker<std::optional<Technique>> {
    static String convert(const std::optional<Technique>& t) {
        return t ? String(std::string(to_string(*t)).c_str()) : String("no match");
    }
};

namespace {

const LookalikeModel& model() {
    static const LookalikeModel m{*psl::PublicSuffixList::system().list};
    return m;
}

std::optional<Technique> name_technique(std::string_view sender, std::string_view protected_name,
                                        int level = 1) {
    const auto m =
        match_name(model().name(sender), model().name(protected_name), lookalike_thresholds(level));
    return m ? std::optional<Technique>(m->technique) : std::nullopt;
}

std::optional<Technique> domain_technique(std::string_view sender,
                                          std::string_view protected_domain, int level = 1) {
    const auto m = match_domain(model().domain(sender), model().domain(protected_domain),
                                lookalike_thresholds(level));
    return m ? std::optional<Technique>(m->technique) : std::nullopt;
}

}  // namespace

TEST_CASE("folding: case, whitespace, punctuation, accents, compatibility forms, invisibles") {
    CHECK(model().fold("  JOHN   Smith ") == "john smith");
    CHECK(model().fold("Smith, John") == "smith john");
    CHECK(model().fold("O'Brien-Walsh") == "o brien walsh");
    CHECK(model().fold("José García") == "jose garcia");  // NFD, nonspacing marks removed
    CHECK(model().fold("\xEF\xBC\xAA\xEF\xBD\x8F\xEF\xBD\x88\xEF\xBD\x8E") == "john");  // Ｊｏｈｎ
    CHECK(model().fold("\xF0\x9D\x90\x89ohn") == "john");  // MATHEMATICAL BOLD CAPITAL J
    CHECK(model().fold("jo\xE2\x80\x8Bhn") == "john");     // ZERO WIDTH SPACE removed (NFKC_CF)
    CHECK(model().fold("") == "");
    CHECK(model().fold("!!! ---") == "");
}

TEST_CASE("skeletons: UTS #39 confusables fold homoglyphs and rn/m, 0/o, 1/l") {
    // Cyrillic Je and o (U+0408, U+043E) look like Latin J, o.
    CHECK(model().skeleton("\xD0\x88\xD0\xBEhn Smith") == model().skeleton("John Smith"));
    // Greek small omicron (U+03BF).
    CHECK(model().skeleton("J\xCE\xBFhn") == model().skeleton("John"));
    CHECK(model().skeleton("rnicrosoft") == model().skeleton("microsoft"));
    CHECK(model().skeleton("micr0soft") == model().skeleton("microsoft"));
    CHECK(model().skeleton("paypa1") == model().skeleton("paypal"));
    CHECK(model().skeleton("fabrikam") != model().skeleton("fabrikan"));
}

TEST_CASE("bounded Damerau-Levenshtein (optimal string alignment)") {
    CHECK(damerau_levenshtein(U"kitten", U"sitting", 5) == 3);
    CHECK(damerau_levenshtein(U"kitten", U"sitting", 2) == 3);   // bound + 1 past the bound
    CHECK(damerau_levenshtein(U"contoso", U"cnotoso", 3) == 1);  // adjacent transposition
    CHECK(damerau_levenshtein(U"ca", U"abc", 5) == 3);           // OSA: no edit of a moved pair
    CHECK(damerau_levenshtein(U"", U"abc", 5) == 3);
    CHECK(damerau_levenshtein(U"same", U"same", 0) == 0);
    CHECK(damerau_levenshtein(U"abcdef", U"a", 2) == 3);  // length difference alone
}

TEST_CASE("threshold table: each level allows at least what the one below allows") {
    for (int level = 2; level <= 4; ++level) {
        const auto lo = lookalike_thresholds(level - 1);
        const auto hi = lookalike_thresholds(level);
        CHECK(hi.name_distance1_min <= lo.name_distance1_min);
        CHECK(hi.label_distance1_min <= lo.label_distance1_min);
        CHECK(hi.label_hyphen_min <= lo.label_hyphen_min);
    }
    CHECK(lookalike_thresholds(0).level == 1);
    CHECK(lookalike_thresholds(9).level == 4);
}

TEST_CASE("display names: one pair per technique") {
    CHECK(name_technique("JOHN  SMITH", "John Smith") == Technique::same_name);
    CHECK(name_technique("José García", "Jose Garcia") == Technique::same_name);
    CHECK(name_technique("\xD0\x88\xD0\xBEhn Smith", "John Smith") == Technique::homoglyph);
    CHECK(name_technique("J\xCE\xBFhn Smith", "John Smith") == Technique::homoglyph);  // Greek
    CHECK(name_technique("Rnary Rniller", "Mary Miller") == Technique::character_substitution);
    CHECK(name_technique("J0hn Smith", "John Smith") == Technique::character_substitution);
    CHECK(name_technique("Car1 Lee", "Carl Lee") == Technique::character_substitution);
    CHECK(name_technique("Smith, John", "John Smith") == Technique::reordered_name);
    CHECK(name_technique("Jon Smith", "John Smith") == Technique::edit_distance);
    CHECK(name_technique("Smith, Jon", "John Smith") == Technique::edit_distance);
    CHECK(name_technique("John Smith (CEO)", "John Smith", 2) == Technique::extra_words);
}

TEST_CASE("display names that must not match") {
    CHECK_FALSE(name_technique("John Miller", "John Smith", 4));  // shares a first name
    CHECK_FALSE(name_technique("John", "John Smith", 4));
    CHECK_FALSE(name_technique("Johanna Smithers", "John Smith", 1));
    CHECK_FALSE(name_technique("", "John Smith", 4));
    CHECK_FALSE(name_technique("Ann Li", "Ann Lu", 1));  // 6 code points: no edit at level 1
    // Extra words need level 2 and a protected name of two words or more.
    CHECK_FALSE(name_technique("John Smith (CEO)", "John Smith", 1));
    CHECK_FALSE(name_technique("Payroll Team", "Payroll", 4));
}

TEST_CASE("display names: PhishThresholdLevel widens the edit distance") {
    // "jon smyth" is two edits from "john smith" (10 code points): two edits need length 12
    // at level 2, 10 at level 3.
    CHECK_FALSE(name_technique("Jon Smyth", "John Smith", 1));
    CHECK_FALSE(name_technique("Jon Smyth", "John Smith", 2));
    CHECK(name_technique("Jon Smyth", "John Smith", 3) == Technique::edit_distance);
    CHECK(name_technique("Jon Smyth", "John Smith", 4) == Technique::edit_distance);
    // One edit in a short name ("Ann Lee", 7 code points): level 1 needs 8, level 2 needs 6.
    CHECK_FALSE(name_technique("Ann Lea", "Ann Lee", 1));
    CHECK(name_technique("Ann Lea", "Ann Lee", 2) == Technique::edit_distance);
}

TEST_CASE("domains: one pair per technique") {
    CHECK(domain_technique("c0ntoso.com", "contoso.com") == Technique::character_substitution);
    CHECK(domain_technique("rnicrosoft.com", "microsoft.com") == Technique::character_substitution);
    CHECK(domain_technique("paypa1.com", "paypal.com") == Technique::character_substitution);
    // Cyrillic es and o (U+0441, U+043E) and Greek omicron, given as U-labels.
    CHECK(domain_technique("\xD1\x81\xD0\xBEntoso.com", "contoso.com") == Technique::idn_homograph);
    CHECK(domain_technique("c\xCE\xBFntoso.com", "contoso.com") == Technique::idn_homograph);
    // The brief's example: accents ("ćóntoso.com").
    CHECK(domain_technique("\xC4\x87\xC3\xB3ntoso.com", "contoso.com") == Technique::idn_homograph);
    // Punycode as it arrives in mail: xn--80ak6aa92e.com is Cyrillic "аррӏе.com".
    CHECK(domain_technique("xn--80ak6aa92e.com", "apple.com") == Technique::idn_homograph);
    CHECK(domain_technique("contoso.net", "contoso.com") == Technique::tld_swap);
    CHECK(domain_technique("contoso.co.uk", "contoso.com") == Technique::tld_swap);
    CHECK(domain_technique("contoso-support.com", "contoso.com") == Technique::hyphenated_affix);
    CHECK(domain_technique("secure-contoso.com", "contoso.com") == Technique::hyphenated_affix);
    CHECK(domain_technique("conttoso.com", "contoso.com") == Technique::character_doubled);
    CHECK(domain_technique("contso.com", "contoso.com") == Technique::character_dropped);
    CHECK(domain_technique("cnotoso.com", "contoso.com") == Technique::edit_distance);
    CHECK(domain_technique("contoso.com.evil.example", "contoso.com") ==
          Technique::domain_as_subdomain);
    // The brief's "somewhat similar" example, from level 3.
    CHECK(domain_technique("contosososo.com", "contoso.com", 3) == Technique::embedded_label);
    CHECK_FALSE(domain_technique("contosososo.com", "contoso.com", 1));
}

TEST_CASE("domains that must not match") {
    CHECK_FALSE(domain_technique("contoso.com", "contoso.com", 4));       // itself
    CHECK_FALSE(domain_technique("mail.contoso.com", "contoso.com", 4));  // a sub-domain
    CHECK_FALSE(domain_technique("CONTOSO.COM.", "contoso.com", 4));
    CHECK_FALSE(domain_technique("a.b.contoso.co.uk", "www.contoso.co.uk", 4));  // same org
    CHECK_FALSE(domain_technique("fabrikam.com", "contoso.com", 4));
    CHECK_FALSE(domain_technique("costco.com", "contoso.com", 4));
    CHECK_FALSE(domain_technique("ibn.com", "ibm.com", 4));  // too short for an edit
    CHECK_FALSE(domain_technique("", "contoso.com", 4));
}

TEST_CASE("domains: PhishThresholdLevel widens the label distance") {
    // "contoso" (7): two edits from level 3 (>= 7), never at level 1 (>= 10).
    CHECK_FALSE(domain_technique("cantaso.com", "contoso.com", 1));
    CHECK_FALSE(domain_technique("cantaso.com", "contoso.com", 2));
    CHECK(domain_technique("cantaso.com", "contoso.com", 3) == Technique::edit_distance);
    // "fabrikam" (8): two edits from level 2 (>= 8).
    CHECK_FALSE(domain_technique("fobrikan.com", "fabrikam.com", 1));
    CHECK(domain_technique("fobrikan.com", "fabrikam.com", 2) == Technique::edit_distance);
}

TEST_CASE("match scores: identical forms score highest, edits lower") {
    const auto th = lookalike_thresholds(4);
    const auto same = match_name(model().name("John Smith"), model().name("John Smith"), th);
    const auto edit = match_name(model().name("Jon Smith"), model().name("John Smith"), th);
    REQUIRE(same);
    REQUIRE(edit);
    CHECK(same->score == doctest::Approx(1.0));
    CHECK(edit->score < same->score);
    CHECK(edit->distance == 1);
}

TEST_CASE("domain shape: registrable label and suffix from the Public Suffix List") {
    const auto s = model().domain("Mail.Contoso.co.uk");
    CHECK(s.domain == "mail.contoso.co.uk");
    CHECK(s.org_domain == "contoso.co.uk");
    CHECK(s.label == "contoso");
    CHECK(s.suffix == "co.uk");
    CHECK_FALSE(s.idn);
    const auto idn = model().domain("xn--80ak6aa92e.com");
    CHECK(idn.idn);
    CHECK(idn.label_unicode == "\xD0\xB0\xD1\x80\xD1\x80\xD3\x8F\xD0\xB5");  // аррӏе
}

TEST_CASE("unusual characters (brief 4.3, UTS #39 4, 5.2)") {
    const auto cyrillic_o = model().unusual_characters("J\xD0\xBEhn Smith");
    CHECK(cyrillic_o.mixed_script);
    CHECK(cyrillic_o.any());
    CHECK(model().unusual_characters("john\xE2\x80\x8Bsmith").invisible);  // U+200B
    CHECK(model().unusual_characters("Pay\xE2\x80\xAEPal").invisible);     // U+202E RLO
    CHECK(model().unusual_characters("\xF0\x9D\x90\x89ohn").unusual_set);  // math bold J
    // Whole-script confusable: every letter Cyrillic, looks like "apple".
    const auto apple = model().unusual_characters("\xD0\xB0\xD1\x80\xD1\x80\xD3\x8F\xD0\xB5");
    CHECK(apple.confusable);
    CHECK_FALSE(apple.mixed_script);
    // Ordinary names in one script are not unusual.
    CHECK_FALSE(model().unusual_characters("José García").any());
    CHECK_FALSE(model()
                    .unusual_characters("\xD0\x98\xD0\xB2\xD0\xB0\xD0\xBD "
                                        "\xD0\x9F\xD0\xB5\xD1\x82\xD1\x80\xD0\xBE\xD0\xB2")
                    .any());  // Иван Петров
    CHECK_FALSE(model().unusual_characters("John Smith").any());
    CHECK_FALSE(model().unusual_characters("Contoso\xE2\x84\xA2").any());  // ™ is not flagged
}

TEST_CASE("reference data names ICU's version and the Public Suffix List") {
    const std::string data = model().reference_data();
    CHECK(data.find("ICU ") == 0);
    CHECK(data.find("UTS #39") != std::string::npos);
    CHECK(data.find(psl::PublicSuffixList::system().list->info().summary()) != std::string::npos);
}
