// Organizational domains (RFC 7489 3.2) from the Public Suffix List, through libpsl.
//
// libpsl stays inside lib/auth/org_domain.cpp. A PublicSuffixList is loaded once (a file
// read, outside evaluation) and then only read: copies share the loaded list and every
// method is safe to call from several threads.
#pragma once

#include <cstddef>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace mailverdict::psl {

// Where the list came from, reported with every DMARC result so a verdict can be
// reproduced with the same list later.
struct ListInfo {
    std::string path;            // the file loaded ("" for libpsl's compiled-in list)
    std::string version;         // the list's "// VERSION:" line if it has one, else its date
    std::string date;            // UTC modification time of the file, "2023-02-09T23:26:00Z"
    std::string sha256;          // of the file's bytes (hex), "" for the compiled-in list
    std::size_t rules = 0;       // suffix rules (0 when libpsl cannot count them: DAFSA)
    std::string libpsl_version;  // psl_get_version()
    // "public_suffix_list.dat 2023-02-09T23:26:00Z sha256:1a2b3c4d5e6f" (short form)
    [[nodiscard]] std::string summary() const;
};

// Debian's list (package publicsuffix).
inline constexpr std::string_view debian_list_file =
    "/usr/share/publicsuffix/public_suffix_list.dat";

class PublicSuffixList {
public:
    struct Loaded;  // a list or the reason it could not be loaded

    // Debian's text list when it is readable, else libpsl's distribution file (DAFSA,
    // psl_dist_filename()), else libpsl's compiled-in list. psl_latest() is not used: it
    // picks by file time and does not say which one it took, and the result must say
    // exactly which list judged the message.
    static Loaded system();
    // A list in the PSL text format or libpsl's DAFSA format (--public-suffix-list).
    static Loaded load_file(const std::filesystem::path& path);

    // RFC 7489 3.2: the public suffix that matches the most labels (rules of both the
    // ICANN and the private sections, the implicit "*" rule for unlisted TLDs), plus one
    // more label. `domain` is lower-cased and a trailing dot dropped first; A-labels
    // (xn--) are expected for IDNs. A domain that is itself a public suffix (or has no
    // label beyond one) is its own organizational domain: RFC 7489 3.2 has no "x+1"th
    // label to add, and returning the name keeps strict and relaxed alignment equal there.
    [[nodiscard]] std::string organizational_domain(std::string_view domain) const;
    [[nodiscard]] bool is_public_suffix(std::string_view domain) const;
    [[nodiscard]] const ListInfo& info() const noexcept;
    [[nodiscard]] const std::string& summary() const noexcept;  // info().summary(), made once

    struct Impl;
    explicit PublicSuffixList(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}

private:
    std::shared_ptr<const Impl> impl_;
};

struct PublicSuffixList::Loaded {
    std::optional<PublicSuffixList> list;
    std::string error;
    explicit operator bool() const noexcept { return list.has_value(); }
};

// Lower-case ASCII, trailing dot removed: the form domains are compared in.
std::string normalize_domain(std::string_view domain);

}  // namespace mailverdict::psl
