// libpsl wrapped once, with RAII (never in a public header).
#include <mailverdict/auth/org_domain.hpp>

#include <libpsl.h>
#include <openssl/evp.h>
#include <sys/stat.h>

#include <array>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <iterator>
#include <sstream>

namespace mailverdict::psl {

namespace {
// psl_builtin() returns a list that must not be freed; loaded lists must be.
struct PslFree {
    bool owned = true;
    void operator()(psl_ctx_t* p) const noexcept {
        if (owned) {
            psl_free(p);
        }
    }
};
}  // namespace

struct PublicSuffixList::Impl {
    Impl(psl_ctx_t* list, bool owned, ListInfo list_info)
        : ctx(list, PslFree{owned}), info(std::move(list_info)), summary(info.summary()) {}
    std::unique_ptr<psl_ctx_t, PslFree> ctx;
    ListInfo info;
    std::string summary;  // info.summary(), which every DMARC result carries
};

namespace {

std::string hex(const unsigned char* data, std::size_t size) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    out.reserve(size * 2);
    for (std::size_t i = 0; i < size; ++i) {
        out.push_back(digits[data[i] >> 4U]);
        out.push_back(digits[data[i] & 0xFU]);
    }
    return out;
}

std::string sha256_hex(const std::string& bytes) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
    unsigned int size = 0;
    if (EVP_Digest(bytes.data(), bytes.size(), md.data(), &size, EVP_sha256(), nullptr) != 1) {
        return {};
    }
    return hex(md.data(), size);
}

std::string utc_text(std::time_t t) {
    std::tm tm{};
    if (gmtime_r(&t, &tm) == nullptr) {
        return {};
    }
    std::array<char, 32> buf{};
    const std::size_t n = std::strftime(buf.data(), buf.size(), "%Y-%m-%dT%H:%M:%SZ", &tm);
    return std::string(buf.data(), n);
}

// Newer lists carry "// VERSION: 2024-06-26_..." near the top; Debian 12's does not.
std::string version_line(const std::string& bytes) {
    constexpr std::string_view tag = "// VERSION: ";
    const auto pos = bytes.find(tag);
    if (pos > 4096) {  // also npos: no VERSION line near the top
        return {};
    }
    const auto end = bytes.find('\n', pos);
    std::string v = bytes.substr(
        pos + tag.size(), end == std::string::npos ? std::string::npos : end - pos - tag.size());
    while (!v.empty() && (v.back() == '\r' || v.back() == ' ')) {
        v.pop_back();
    }
    return v;
}

PublicSuffixList::Loaded from_ctx(psl_ctx_t* ctx, bool owned, ListInfo info) {
    const int rules = psl_suffix_count(ctx);
    info.rules = rules > 0 ? static_cast<std::size_t>(rules) : 0U;
    info.libpsl_version = psl_get_version();
    auto impl = std::make_shared<const PublicSuffixList::Impl>(ctx, owned, std::move(info));
    return PublicSuffixList::Loaded{PublicSuffixList(std::move(impl)), {}};
}

}  // namespace

std::string ListInfo::summary() const {
    std::string s = path.empty() ? std::string("libpsl built-in list")
                                 : std::filesystem::path(path).filename().string();
    if (!version.empty()) {
        s += " " + version;
    }
    if (!sha256.empty()) {
        s += " sha256:" + sha256.substr(0, 12);
    }
    return s;
}

std::string normalize_domain(std::string_view domain) {
    std::string out(domain);
    while (!out.empty() && out.back() == '.') {
        out.pop_back();
    }
    for (char& c : out) {
        if (c >= 'A' && c <= 'Z') {
            c = static_cast<char>(c - 'A' + 'a');
        }
    }
    return out;
}

PublicSuffixList::Loaded PublicSuffixList::load_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return Loaded{std::nullopt, "cannot read public suffix list " + path.string()};
    }
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    psl_ctx_t* ctx = psl_load_file(path.c_str());
    if (ctx == nullptr) {
        return Loaded{std::nullopt, "libpsl could not load " + path.string()};
    }
    ListInfo info;
    info.path = path.string();
    info.sha256 = sha256_hex(bytes);
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0) {
        info.date = utc_text(st.st_mtime);
    }
    info.version = version_line(bytes);
    if (info.version.empty()) {
        info.version = info.date;
    }
    return from_ctx(ctx, true, std::move(info));
}

PublicSuffixList::Loaded PublicSuffixList::system() {
    std::error_code ec;
    if (std::filesystem::is_regular_file(std::string(debian_list_file), ec)) {
        if (auto loaded = load_file(std::string(debian_list_file))) {
            return loaded;
        }
    }
    if (const char* dist = psl_dist_filename(); dist != nullptr && *dist != '\0') {
        if (auto loaded = load_file(dist)) {
            return loaded;
        }
    }
    const psl_ctx_t* builtin = psl_builtin();
    if (builtin == nullptr) {
        return Loaded{std::nullopt, "no public suffix list: " + std::string(debian_list_file) +
                                        " is missing and libpsl has no built-in list"};
    }
    ListInfo info;
    info.date = utc_text(psl_builtin_file_time());
    info.version = info.date;
    if (const char* sha1 = psl_builtin_sha1sum(); sha1 != nullptr) {
        info.version += " (source sha1 " + std::string(sha1) + ")";
    }
    // The compiled-in list is never freed (libpsl owns it); const_cast only to share the
    // holder type, nothing writes through it.
    return from_ctx(const_cast<psl_ctx_t*>(builtin), false, std::move(info));
}

std::string PublicSuffixList::organizational_domain(std::string_view domain) const {
    std::string d = normalize_domain(domain);
    if (d.empty()) {
        return d;
    }
    const char* registrable = psl_registrable_domain(impl_->ctx.get(), d.c_str());
    if (registrable == nullptr) {
        return d;  // a public suffix itself (or unusable): its own organizational domain
    }
    return std::string(registrable);
}

bool PublicSuffixList::is_public_suffix(std::string_view domain) const {
    const std::string d = normalize_domain(domain);
    return psl_is_public_suffix(impl_->ctx.get(), d.c_str()) != 0;
}

const ListInfo& PublicSuffixList::info() const noexcept {
    return impl_->info;
}

const std::string& PublicSuffixList::summary() const noexcept {
    return impl_->summary;
}

}  // namespace mailverdict::psl
