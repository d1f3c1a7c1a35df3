// Contact graph: in-memory queries and learning from messages (contact_graph.hpp).
#include <mailverdict/detect/contact_graph.hpp>
#include <mailverdict/message/received.hpp>

#include <algorithm>
#include <limits>

namespace mailverdict::detect {

namespace {

std::string lower(std::string_view text) {
    std::string out(text);
    for (char& c : out) {
        if (c >= 'A' && c <= 'Z') {
            c = static_cast<char>(c - 'A' + 'a');
        }
    }
    return out;
}

std::uint32_t saturating_add(std::uint32_t a, std::uint32_t b) {
    return b > std::numeric_limits<std::uint32_t>::max() - a
               ? std::numeric_limits<std::uint32_t>::max()
               : a + b;
}

}  // namespace

ContactGraph::ContactGraph(ContactThresholds thresholds) : thresholds_(thresholds) {}

void ContactGraph::record(std::string_view mailbox, std::string_view contact,
                          std::string_view contact_display_name, ContactDirection direction,
                          std::optional<std::chrono::sys_seconds> when, std::uint32_t count) {
    const std::string m = lower(mailbox);
    const std::string c = lower(contact);
    if (m.empty() || c.empty() || count == 0) {
        return;
    }
    Box& b = boxes_[m];
    b.index.reset();
    ContactStats& s = b.contacts[c];
    s.contact = c;
    if (!contact_display_name.empty()) {
        s.display_name = std::string(contact_display_name);
    }
    if (direction == ContactDirection::received) {
        s.received = saturating_add(s.received, count);
    } else {
        s.sent = saturating_add(s.sent, count);
    }
    if (when) {
        if (!s.first_seen || *when < *s.first_seen) {
            s.first_seen = when;
        }
        if (!s.last_seen || *when > *s.last_seen) {
            s.last_seen = when;
        }
    }
}

const ContactGraph::Box* ContactGraph::box(std::string_view mailbox) const {
    const auto it = boxes_.find(lower(mailbox));
    return it == boxes_.end() ? nullptr : &it->second;
}

bool ContactGraph::knows(std::string_view mailbox) const {
    const Box* b = box(mailbox);
    return b != nullptr && !b->contacts.empty();
}

const ContactStats* ContactGraph::find(std::string_view mailbox, std::string_view contact) const {
    const Box* b = box(mailbox);
    if (b == nullptr) {
        return nullptr;
    }
    const auto it = b->contacts.find(lower(contact));
    return it == b->contacts.end() ? nullptr : &it->second;
}

bool ContactGraph::corresponded(std::string_view mailbox, std::string_view contact) const {
    const ContactStats* s = find(mailbox, contact);
    return s != nullptr && s->total() > 0;
}

std::optional<bool> ContactGraph::first_contact(std::string_view mailbox,
                                                std::string_view sender) const {
    if (!knows(mailbox)) {
        return std::nullopt;
    }
    const ContactStats* s = find(mailbox, sender);
    return (s == nullptr ? 0U : s->total()) < thresholds_.first_contact_below;
}

bool ContactGraph::frequent(const ContactStats& stats) const noexcept {
    return (thresholds_.frequent_min_sent != 0 && stats.sent >= thresholds_.frequent_min_sent) ||
           (thresholds_.frequent_min_received != 0 &&
            stats.received >= thresholds_.frequent_min_received);
}

bool ContactGraph::frequent(std::string_view mailbox, std::string_view contact) const {
    const ContactStats* s = find(mailbox, contact);
    return s != nullptr && frequent(*s);
}

std::vector<const ContactStats*> ContactGraph::contacts(std::string_view mailbox) const {
    std::vector<const ContactStats*> out;
    if (const Box* b = box(mailbox)) {
        for (const auto& [address, stats] : b->contacts) {
            out.push_back(&stats);
        }
    }
    std::sort(out.begin(), out.end(),
              [](const ContactStats* a, const ContactStats* b) { return a->contact < b->contact; });
    return out;
}

std::vector<const ContactStats*> ContactGraph::frequent_contacts(std::string_view mailbox) const {
    auto all = contacts(mailbox);
    std::erase_if(all, [this](const ContactStats* s) { return !frequent(*s); });
    return all;
}

std::vector<std::string> ContactGraph::mailboxes() const {
    std::vector<std::string> out;
    out.reserve(boxes_.size());
    for (const auto& [m, b] : boxes_) {
        out.push_back(m);
    }
    std::sort(out.begin(), out.end());
    return out;
}

std::size_t ContactGraph::pair_count() const noexcept {
    std::size_t n = 0;
    for (const auto& [m, b] : boxes_) {
        n += b.contacts.size();
    }
    return n;
}

std::vector<IndexedContact> ContactGraph::frequent_contact_forms(
    std::string_view mailbox, const LookalikeModel& model) const {
    if (const auto* indexed = indexed_contacts(mailbox)) {
        return *indexed;
    }
    std::vector<IndexedContact> out;
    for (const ContactStats* s : frequent_contacts(mailbox)) {
        const auto at = s->contact.rfind('@');
        out.push_back({s->contact, model.name(s->display_name),
                       at == std::string::npos
                           ? DomainShape{}
                           : model.domain(std::string_view(s->contact).substr(at + 1))});
    }
    return out;
}

void ContactGraph::index(const LookalikeModel& model) {
    for (auto& [m, b] : boxes_) {
        b.index.reset();
        b.index = frequent_contact_forms(m, model);
    }
}

const std::vector<IndexedContact>* ContactGraph::indexed_contacts(std::string_view mailbox) const {
    const Box* b = box(mailbox);
    return b != nullptr && b->index ? &*b->index : nullptr;
}

// ---------------------------------------------------------------------------------------
// Learning

namespace {

bool internal(std::string_view domain, const std::vector<std::string>& internal_domains) {
    if (internal_domains.empty()) {
        return true;
    }
    for (const auto& d : internal_domains) {
        if (domain == d || (domain.size() > d.size() && domain.ends_with(d) &&
                            domain[domain.size() - d.size() - 1] == '.')) {
            return true;
        }
    }
    return false;
}

std::string address_of(const Mailbox& m) {
    if (m.local_part.empty() || m.domain.empty()) {
        return {};
    }
    return lower(m.local_part) + "@" + (m.domain_ascii.empty() ? lower(m.domain) : m.domain_ascii);
}

std::string domain_of(const Mailbox& m) {
    return m.domain_ascii.empty() ? lower(m.domain) : m.domain_ascii;
}

}  // namespace

LearnOutcome learn_message(ContactGraph& graph, const Message& message,
                           const LearnOptions& options) {
    LearnOutcome out;
    if (message.from().empty()) {
        out.skipped = "no From address";
        return out;
    }
    const Mailbox& from = message.from().front();
    const std::string sender = address_of(from);
    if (sender.empty()) {
        out.skipped = "From has no usable address";
        return out;
    }
    std::vector<std::string> internal_domains;
    for (const auto& d : options.internal_domains) {
        internal_domains.push_back(lower(d));
    }
    const bool sender_internal = internal(domain_of(from), internal_domains);
    std::vector<Mailbox> recipients = message.to();
    recipients.insert(recipients.end(), message.cc().begin(), message.cc().end());
    const auto bcc = message.mailboxes("Bcc");
    recipients.insert(recipients.end(), bcc.begin(), bcc.end());
    const auto when = parse_date_time(message.date());
    std::vector<std::string> seen;
    for (const Mailbox& r : recipients) {
        const std::string rcpt = address_of(r);
        if (rcpt.empty() || rcpt == sender ||
            std::find(seen.begin(), seen.end(), rcpt) != seen.end()) {
            continue;
        }
        seen.push_back(rcpt);
        if (internal(domain_of(r), internal_domains)) {
            graph.record(rcpt, sender, from.display_name, ContactDirection::received, when);
            ++out.recorded;
        }
        if (sender_internal) {
            graph.record(sender, rcpt, r.display_name, ContactDirection::sent, when);
            ++out.recorded;
        }
    }
    if (out.recorded == 0) {
        out.skipped =
            seen.empty() ? "no recipients" : "no internal mailbox among sender and recipients";
    }
    return out;
}

}  // namespace mailverdict::detect
