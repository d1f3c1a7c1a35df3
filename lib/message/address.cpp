// RFC 5322 3.4 address lists: mimetic first, a careful parser of our own when
// mimetic's result does not hold up.
#include <mailverdict/message/message.hpp>

#include <mimetic/rfc822/addresslist.h>

#include <algorithm>

namespace mailverdict {

namespace {

constexpr bool is_space(char c) noexcept {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

// RFC 5322 3.2.3: specials (plus SPACE and CTLs) cannot appear unquoted in an atom.
constexpr bool is_atom_char(char c) noexcept {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 32 || u == 127) {
        return false;
    }
    constexpr std::string_view specials = "()<>[]:;@\\,\"";
    return specials.find(c) == std::string_view::npos;
}

constexpr char ascii_lower(char c) noexcept {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

// Index just past the quoted-string starting at `pos` (RFC 5322 3.2.4), or npos when
// it is not terminated.
std::size_t skip_quoted(std::string_view text, std::size_t pos) noexcept {
    for (std::size_t i = pos + 1; i < text.size(); ++i) {
        if (text[i] == '\\') {
            ++i;
        } else if (text[i] == '"') {
            return i + 1;
        }
    }
    return std::string_view::npos;
}

// Index just past the (possibly nested) comment starting at `pos` (RFC 5322 3.2.2).
std::size_t skip_comment(std::string_view text, std::size_t pos) noexcept {
    std::size_t depth = 0;
    for (std::size_t i = pos; i < text.size(); ++i) {
        if (text[i] == '\\') {
            ++i;
        } else if (text[i] == '(') {
            ++depth;
        } else if (text[i] == ')' && --depth == 0) {
            return i + 1;
        }
    }
    return std::string_view::npos;
}

std::size_t skip_literal(std::string_view text, std::size_t pos) noexcept {
    for (std::size_t i = pos + 1; i < text.size(); ++i) {
        if (text[i] == '\\') {
            ++i;
        } else if (text[i] == ']') {
            return i + 1;
        }
    }
    return std::string_view::npos;
}

// Phrase without comments, quotes resolved, whitespace runs collapsed, then RFC 2047
// decoded (also inside quotes, as mail clients do although RFC 2047 5 forbids it).
std::string display_name_from_phrase(std::string_view phrase, std::vector<Defect>* defects,
                                     std::size_t offset) {
    std::string text;
    text.reserve(phrase.size());
    bool pending_space = false;
    const auto put = [&](char c) {
        if (pending_space && !text.empty()) {
            text.push_back(' ');
        }
        pending_space = false;
        text.push_back(c);
    };
    for (std::size_t i = 0; i < phrase.size();) {
        const char c = phrase[i];
        if (c == '"') {
            const std::size_t end = std::min(skip_quoted(phrase, i), phrase.size());
            const std::size_t content_end = (end > i + 1 && phrase[end - 1] == '"') ? end - 1 : end;
            for (std::size_t k = i + 1; k < content_end; ++k) {
                if (phrase[k] == '\\' && k + 1 < content_end) {
                    ++k;
                }
                if (phrase[k] == '\r' || phrase[k] == '\n') {
                    continue;
                }
                put(phrase[k]);
            }
            i = end;
        } else if (c == '(') {
            i = std::min(skip_comment(phrase, i), phrase.size());
            pending_space = true;
        } else if (is_space(c)) {
            pending_space = true;
            ++i;
        } else {
            put(c);
            ++i;
        }
    }
    std::vector<Defect> found;
    std::string decoded = decode_encoded_words(text, defects ? &found : nullptr);
    for (auto& defect : found) {
        defect.offset = offset;
        defects->push_back(std::move(defect));
    }
    return decoded;
}

std::string unquote_local_part(std::string_view local) {
    std::string out;
    out.reserve(local.size());
    for (std::size_t i = 0; i < local.size(); ++i) {
        const char c = local[i];
        if (c == '"') {
            continue;
        }
        if (c == '\\' && i + 1 < local.size()) {
            out.push_back(local[++i]);
            continue;
        }
        out.push_back(c);
    }
    return out;
}

// RFC 5322 3.4.1 local-part; an empty one ("" included) is not a usable mailbox.
bool valid_local_part(std::string_view local) {
    if (unquote_local_part(local).empty()) {
        return false;
    }
    if (local.front() == '"' && skip_quoted(local, 0) == local.size()) {
        return true;
    }
    // dot-atom, or obs-local-part mixing atoms and quoted-strings (RFC 5322 4.4).
    for (std::size_t i = 0; i < local.size(); ++i) {
        if (local[i] == '"') {
            const std::size_t end = skip_quoted(local, i);
            if (end == std::string_view::npos) {
                return false;
            }
            i = end - 1;
        } else if (!is_atom_char(local[i])) {
            return false;
        }
    }
    return true;
}

bool valid_domain(std::string_view domain) noexcept {
    if (domain.empty()) {
        return false;
    }
    if (domain.front() == '[') {
        return skip_literal(domain, 0) == domain.size();
    }
    return std::all_of(domain.begin(), domain.end(), is_atom_char);
}

// A mailbox's three parts as written, before decoding and IDNA.
struct RawMailbox {
    std::string phrase;
    std::string local_part;
    std::string domain;
    std::size_t offset = 0;
};

// Top-level element of an address list, with groups flattened (RFC 5322 3.4).
struct Element {
    std::string_view text;
    std::size_t offset = 0;
};

// Splits at top-level commas; "name:" opens a group whose members follow up to ";".
std::vector<Element> split_elements(std::string_view value) {
    std::vector<Element> elements;
    std::size_t begin = 0;
    bool angle = false;
    const auto close = [&](std::size_t end) {
        const std::string_view text = value.substr(begin, end - begin);
        if (!std::all_of(text.begin(), text.end(), is_space)) {
            elements.push_back(Element{text, begin});
        }
        begin = end + 1;
    };
    for (std::size_t i = 0; i < value.size(); ++i) {
        const char c = value[i];
        std::size_t end = i;
        if (c == '"') {
            end = skip_quoted(value, i);
        } else if (c == '(') {
            end = skip_comment(value, i);
        } else if (c == '[') {
            end = skip_literal(value, i);
        } else if (c == '<') {
            angle = true;
        } else if (c == '>') {
            angle = false;
        } else if (angle) {
            // A source route "<@a,@b:x@y>" holds ',' and ':' that do not split.
        } else if (c == ',' || c == ';') {
            close(i);
        } else if (c == ':') {
            begin = i + 1;  // group display-name: dropped, members flattened
        }
        if (end == std::string_view::npos) {
            break;  // unterminated: the element runs to the end
        }
        if (end != i) {
            i = end - 1;
        }
    }
    if (begin <= value.size()) {
        close(value.size());
    }
    return elements;
}

// Our own parser for one element, used when mimetic's answer does not hold up.
std::optional<RawMailbox> parse_element(const Element& element) {
    const std::string_view text = element.text;
    std::size_t angle_open = std::string_view::npos;
    std::size_t angle_close = std::string_view::npos;
    for (std::size_t i = 0; i < text.size(); ++i) {
        std::size_t end = i;
        if (text[i] == '"') {
            end = skip_quoted(text, i);
        } else if (text[i] == '(') {
            end = skip_comment(text, i);
        } else if (text[i] == '<' && angle_open == std::string_view::npos) {
            angle_open = i;
        } else if (text[i] == '>' && angle_open != std::string_view::npos) {
            angle_close = i;
            break;
        }
        if (end == std::string_view::npos) {
            return std::nullopt;
        }
        if (end != i) {
            i = end - 1;
        }
    }
    RawMailbox mailbox;
    mailbox.offset = element.offset;
    std::string_view spec = text;
    if (angle_open != std::string_view::npos) {
        if (angle_close == std::string_view::npos) {
            return std::nullopt;
        }
        mailbox.phrase = std::string{text.substr(0, angle_open)};
        spec = text.substr(angle_open + 1, angle_close - angle_open - 1);
        // RFC 5322 4.4 obs-route "@a,@b:" before the address is ignored.
        const auto first = spec.find_first_not_of(" \t\r\n");
        if (first != std::string_view::npos && spec[first] == '@') {
            const auto colon = spec.find(':');
            if (colon == std::string_view::npos) {
                return std::nullopt;
            }
            spec.remove_prefix(colon + 1);
        }
    }
    // addr-spec without CFWS; the last '@' outside quotes splits it.
    std::string compact;
    std::size_t at = std::string::npos;
    for (std::size_t i = 0; i < spec.size(); ++i) {
        const char c = spec[i];
        if (c == '"' || c == '[') {
            const std::size_t end = c == '"' ? skip_quoted(spec, i) : skip_literal(spec, i);
            if (end == std::string_view::npos) {
                return std::nullopt;
            }
            compact.append(spec.substr(i, end - i));
            i = end - 1;
        } else if (c == '(') {
            const std::size_t end = skip_comment(spec, i);
            if (end == std::string_view::npos) {
                return std::nullopt;
            }
            i = end - 1;
        } else if (!is_space(c)) {
            if (c == '@') {
                at = compact.size();
            }
            compact.push_back(c);
        }
    }
    if (at == std::string::npos) {
        return std::nullopt;
    }
    mailbox.local_part = compact.substr(0, at);
    mailbox.domain = compact.substr(at + 1);
    if (!valid_local_part(mailbox.local_part) || !valid_domain(mailbox.domain)) {
        return std::nullopt;
    }
    return mailbox;
}

// mimetic's reading of the whole list, or nullopt when it threw or produced something
// that is not a sound mailbox (mimetic is lenient to a fault: "<a@b" gives "<a").
std::optional<std::vector<RawMailbox>> split_with_mimetic(std::string_view value,
                                                          const std::vector<Element>& elements) {
    try {
        const mimetic::AddressList list{std::string{value}};
        std::vector<RawMailbox> boxes;
        const auto take = [&](const mimetic::Mailbox& box) {
            RawMailbox raw;
            raw.phrase = box.label();
            raw.local_part = box.mailbox(1);
            raw.domain = box.domain(1);
            boxes.push_back(std::move(raw));
        };
        for (const auto& address : list) {
            if (address.isGroup()) {
                for (const auto& box : address.group()) {
                    // mimetic reports an empty group ("undisclosed-recipients:;") as
                    // one empty mailbox.
                    if (!box.mailbox(1).empty() || !box.domain(1).empty()) {
                        take(box);
                    }
                }
            } else {
                take(address.mailbox());
            }
        }
        if (boxes.size() != elements.size()) {
            return std::nullopt;
        }
        for (std::size_t i = 0; i < boxes.size(); ++i) {
            if (!valid_local_part(boxes[i].local_part) || !valid_domain(boxes[i].domain)) {
                return std::nullopt;
            }
            boxes[i].offset = elements[i].offset;
        }
        return boxes;
    } catch (...) {
        // mimetic's own errors or std::bad_alloc: our parser takes over.
        return std::nullopt;
    }
}

Mailbox finish(const RawMailbox& raw, std::vector<Defect>* defects) {
    Mailbox mailbox;
    mailbox.display_name = display_name_from_phrase(raw.phrase, defects, raw.offset);
    mailbox.local_part = unquote_local_part(raw.local_part);
    mailbox.domain.reserve(raw.domain.size());
    for (const char c : raw.domain) {
        mailbox.domain.push_back(ascii_lower(c));
    }
    if (mailbox.domain.front() == '[') {
        // RFC 5321 4.1.3 address literal: no IDNA forms, kept as written.
        mailbox.domain_ascii = mailbox.domain;
        mailbox.domain_unicode = mailbox.domain;
    } else if (auto forms = idna_forms(mailbox.domain)) {
        mailbox.domain_ascii = std::move(forms->ascii);
        mailbox.domain_unicode = std::move(forms->unicode);
    } else if (defects != nullptr) {
        defects->push_back(Defect{DefectKind::bad_idna_domain,
                                  "domain \"" + mailbox.domain + "\" is not valid IDNA",
                                  raw.offset});
    }
    return mailbox;
}

}  // namespace

std::string Mailbox::address() const {
    if (domain.empty()) {
        return local_part;
    }
    std::string text;
    text.reserve(local_part.size() + 1 + domain.size());
    text.append(local_part).append("@").append(domain);
    return text;
}

std::vector<Mailbox> parse_address_list(std::string_view value, std::vector<Defect>* defects) {
    const std::vector<Element> elements = split_elements(value);
    std::vector<Mailbox> mailboxes;
    if (elements.empty()) {
        return mailboxes;
    }
    mailboxes.reserve(elements.size());
    if (auto boxes = split_with_mimetic(value, elements)) {
        for (const auto& raw : *boxes) {
            mailboxes.push_back(finish(raw, defects));
        }
        return mailboxes;
    }
    for (const auto& element : elements) {
        if (auto raw = parse_element(element)) {
            mailboxes.push_back(finish(*raw, defects));
        } else if (defects != nullptr) {
            defects->push_back(Defect{
                DefectKind::unparsable_address,
                "cannot read a mailbox from \"" + std::string{element.text.substr(0, 200)} + "\"",
                element.offset});
        }
    }
    return mailboxes;
}

}  // namespace mailverdict
