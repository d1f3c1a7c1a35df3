// DKIM signing (RFC 6376 5) with rsa-sha256 or ed25519-sha256 (RFC 8463).
#include <mailverdict/auth/dkim.hpp>

#include "auth/dkim/dkim_detail.hpp"
#include "auth/dkim/openssl_wrap.hpp"

#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <fstream>
#include <sstream>

namespace mailverdict::dkim {

struct SigningKey::Impl {
    detail::PkeyPtr pkey;
    KeyType type = KeyType::rsa;
    unsigned bits = 0;
};

namespace {

int no_passphrase(char* /*buf*/, int /*size*/, int /*rwflag*/, void* /*user*/) {
    return 0;  // never prompt on the terminal for an encrypted key
}

struct BioFree {
    void operator()(BIO* b) const noexcept { BIO_free(b); }
};

SigningKey::Loaded make_loaded(detail::PkeyPtr pkey) {
    SigningKey::Loaded loaded;
    auto impl = std::make_shared<SigningKey::Impl>();
    if (EVP_PKEY_is_a(pkey.get(), "RSA") == 1) {
        impl->type = KeyType::rsa;
        impl->bits = static_cast<unsigned>(EVP_PKEY_get_bits(pkey.get()));
    } else if (EVP_PKEY_is_a(pkey.get(), "ED25519") == 1) {
        impl->type = KeyType::ed25519;
        impl->bits = 256;
    } else {
        loaded.error = "the key is neither RSA nor Ed25519";
        return loaded;
    }
    impl->pkey = std::move(pkey);
    loaded.key.emplace(std::shared_ptr<const SigningKey::Impl>(std::move(impl)));
    return loaded;
}

// Long h= lists and b= values are folded so that lines stay short (RFC 5322 2.1.1).
class FieldBuilder {
public:
    explicit FieldBuilder(std::string line_end) : eol_(std::move(line_end)) {
        text_ = "DKIM-Signature:";
        column_ = text_.size();
    }
    // Adds `piece`, preceded by a space or by a fold when the line would get too long.
    void add(std::string_view piece) {
        if (column_ + 1 + piece.size() > 76) {
            text_ += eol_;
            text_ += ' ';
            column_ = 1;
        } else {
            text_ += ' ';
            ++column_;
        }
        text_ += piece;
        column_ += piece.size();
    }
    // Adds `piece` directly after the previous one, folding first if needed.
    void add_tight(std::string_view piece) {
        if (column_ + piece.size() > 76) {
            text_ += eol_;
            text_ += ' ';
            column_ = 1;
        }
        text_ += piece;
        column_ += piece.size();
    }
    [[nodiscard]] const std::string& text() const noexcept { return text_; }

private:
    std::string eol_;
    std::string text_;
    std::size_t column_ = 0;
};

constexpr std::string_view kDefaultHeaders[] = {
    "From",       "Reply-To",     "Subject",      "Date",
    "To",         "Cc",           "Message-ID",   "In-Reply-To",
    "References", "MIME-Version", "Content-Type", "Content-Transfer-Encoding",
};

}  // namespace

SigningKey::Loaded SigningKey::from_pem(std::string_view pem) {
    std::unique_ptr<BIO, BioFree> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    if (!bio) {
        return Loaded{std::nullopt, "out of memory"};
    }
    detail::PkeyPtr pkey(PEM_read_bio_PrivateKey(bio.get(), nullptr, &no_passphrase, nullptr));
    if (!pkey) {
        return Loaded{std::nullopt, "no unencrypted PEM private key found"};
    }
    return make_loaded(std::move(pkey));
}

SigningKey::Loaded SigningKey::from_pem_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return Loaded{std::nullopt, "cannot open " + path.string()};
    }
    std::ostringstream text;
    text << in.rdbuf();
    auto loaded = from_pem(text.str());
    if (!loaded) {
        loaded.error = path.string() + ": " + loaded.error;
    }
    return loaded;
}

SigningKey::Loaded SigningKey::from_ed25519_seed(const std::vector<unsigned char>& seed) {
    if (seed.size() != 32) {
        return Loaded{std::nullopt, "an Ed25519 seed is 32 bytes"};
    }
    detail::PkeyPtr pkey(
        EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, seed.data(), seed.size()));
    if (!pkey) {
        return Loaded{std::nullopt, "OpenSSL refused the Ed25519 seed"};
    }
    return make_loaded(std::move(pkey));
}

KeyType SigningKey::type() const noexcept {
    return impl_->type;
}

unsigned SigningKey::bits() const noexcept {
    return impl_->bits;
}

std::string SigningKey::public_key_base64() const {
    if (impl_->type == KeyType::ed25519) {
        // RFC 8463 4.2: the raw 32-byte public key.
        unsigned char raw[32];
        std::size_t size = sizeof raw;
        if (EVP_PKEY_get_raw_public_key(impl_->pkey.get(), raw, &size) != 1) {
            return {};
        }
        return detail::base64_encode(raw, size);
    }
    // RFC 6376 3.6.1: an RSA key is published as a DER SubjectPublicKeyInfo.
    unsigned char* der = nullptr;
    const int size = i2d_PUBKEY(impl_->pkey.get(), &der);
    if (size <= 0) {
        return {};
    }
    std::string out = detail::base64_encode(der, static_cast<std::size_t>(size));
    OPENSSL_free(der);
    return out;
}

std::string SigningKey::public_record() const {
    return "v=DKIM1; k=" + std::string(to_string(impl_->type)) + "; p=" + public_key_base64();
}

SignResult sign(const Message& message, const SigningKey& key, const SignOptions& options,
                std::chrono::sys_seconds now) {
    SignResult out;
    auto error = [&out](std::string text) {
        out.error = std::move(text);
        out.field.clear();
        return out;
    };
    if (!detail::is_domain_text(options.domain)) {
        return error("the domain '" + options.domain + "' is not a domain name");
    }
    if (!detail::is_domain_text(options.selector)) {
        return error("the selector '" + options.selector + "' is not valid");
    }
    const Algorithm algorithm = options.algorithm.value_or(
        key.type() == KeyType::ed25519 ? Algorithm::ed25519_sha256 : Algorithm::rsa_sha256);
    if (algorithm == Algorithm::rsa_sha1) {
        return error("rsa-sha1 must not be used for signing (RFC 8301 3.1)");
    }
    if (key_type_of(algorithm) != key.type()) {
        return error(std::string(to_string(algorithm)) + " needs a " +
                     std::string(to_string(key_type_of(algorithm))) + " key, not " +
                     std::string(to_string(key.type())));
    }
    if (key.type() == KeyType::rsa && key.bits() < 1024) {
        return error("RSA keys shorter than 1024 bits must not be used (RFC 8301 3.2)");
    }
    if (!options.identity.empty()) {
        const auto at = options.identity.rfind('@');
        if (at == std::string::npos ||
            !detail::domain_within(std::string_view(options.identity).substr(at + 1),
                                   options.domain)) {
            return error("i= must be an address within d= (RFC 6376 3.5)");
        }
    }
    if (options.expire_after && options.expire_after->count() <= 0) {
        return error("the expiry must be in the future");
    }

    // h=: the names asked for (or the usual set present), From required (RFC 6376 5.4).
    std::vector<std::string> names;
    if (options.headers.empty()) {
        for (const auto name : kDefaultHeaders) {
            if (message.find(name) != nullptr) {
                names.emplace_back(name);
            }
        }
        if (names.empty() || !iequals(names.front(), "From")) {
            names.insert(names.begin(), "From");
        }
    } else {
        names = options.headers;
    }
    if (std::none_of(names.begin(), names.end(),
                     [](const std::string& n) { return iequals(n, "From"); })) {
        return error("the From field must be signed (RFC 6376 5.4)");
    }
    if (options.oversign) {
        // RFC 6376 8.15: listing a name once more than it is present prevents anyone
        // from adding another instance of it.
        std::vector<std::string> distinct;
        for (const auto& n : names) {
            if (std::none_of(distinct.begin(), distinct.end(),
                             [&](const std::string& d) { return iequals(d, n); })) {
                distinct.push_back(n);
            }
        }
        names.clear();
        for (const auto& n : distinct) {
            const std::size_t present = message.find_all(n).size();
            for (std::size_t i = 0; i <= present; ++i) {
                names.push_back(n);
            }
        }
    }

    // The body hash (sha256 for both algorithms).
    detail::BodyHashes bodies(message.body());
    const auto& body = bodies.get(options.body_canon, std::nullopt, false);
    const std::uint64_t body_length = body.canonical_length;
    const auto& body_hash = body.digest;
    if (body_hash.empty()) {
        return error("SHA-256 is not available");
    }

    // The new field ends its lines like the message does (CRLF, or bare LF).
    const std::string_view bytes = message.bytes();
    const std::size_t first_lf = bytes.find('\n');
    const std::string eol =
        (first_lf != std::string_view::npos && (first_lf == 0 || bytes[first_lf - 1] != '\r'))
            ? "\n"
            : "\r\n";

    FieldBuilder field(eol);
    field.add("v=1;");
    field.add("a=" + std::string(to_string(algorithm)) + ";");
    field.add("c=" + std::string(to_string(options.header_canon)) + "/" +
              std::string(to_string(options.body_canon)) + ";");
    field.add("d=" + options.domain + ";");
    field.add("s=" + options.selector + ";");
    if (!options.identity.empty()) {
        field.add("i=" + options.identity + ";");
    }
    const std::int64_t now_s = now.time_since_epoch().count();
    if (options.timestamp) {
        field.add("t=" + std::to_string(now_s) + ";");
    }
    if (options.expire_after) {
        field.add("x=" + std::to_string(now_s + options.expire_after->count()) + ";");
    }
    if (options.body_length) {
        // RFC 6376 8.2: l= lets content be appended; see docs/dkim.md.
        field.add("l=" + std::to_string(body_length) + ";");
    }
    for (std::size_t i = 0; i < names.size(); ++i) {
        const std::string piece =
            (i == 0 ? "h=" : "") + names[i] + (i + 1 == names.size() ? ";" : ":");
        if (i == 0) {
            field.add(piece);
        } else {
            field.add_tight(piece);
        }
    }
    field.add("bh=" + detail::base64_encode(body_hash.data(), body_hash.size()) + ";");
    field.add("b=");
    const std::string unsigned_field = field.text();

    // RFC 6376 5.5 / 3.7: the header hash covers the selected fields and this field
    // with an empty b=, without its final CRLF.
    std::string input;
    for (const HeaderField* f : select_signed_fields(message.fields(), names)) {
        if (f != nullptr) {
            canonicalize_header(f->raw, options.header_canon, input);
        }
    }
    if (!canonicalize_signature_field(unsigned_field, options.header_canon, input)) {
        return error("internal error: the new field has no b= tag");
    }
    detail::Digest header_digest(false);
    header_digest.update(input);
    const auto digest = header_digest.finish();
    const auto signature =
        detail::sign_digest(key.impl().pkey.get(), key.type() == KeyType::rsa, digest);
    if (signature.empty()) {
        return error("OpenSSL could not sign");
    }
    const std::string b = detail::base64_encode(signature.data(), signature.size());
    FieldBuilder folded = field;
    for (std::size_t i = 0; i < b.size(); i += 64) {
        folded.add_tight(std::string_view(b).substr(i, 64));
    }
    out.field = folded.text() + eol;
    return out;
}

}  // namespace mailverdict::dkim
