// The deadline-aware parts of the Resolver interface: the defaults every resolver
// inherits, the query budget's forwarding and the per-message DNS deadline.
#include "dns/detail.hpp"

#include <algorithm>

namespace mailverdict::dns {

namespace {

using Clock = std::chrono::steady_clock;

std::string ms_text(std::chrono::milliseconds ms) {
    return std::to_string(ms.count()) + " ms";
}

}  // namespace

Answer deadline_answer(std::string_view name, RecordType type, std::string_view deadline_text) {
    auto normalized = detail::normalize_name(name);
    return detail::make_answer(normalized ? *normalized : std::string(name), type,
                               DnsStatus::timeout, std::string(deadline_text) + " spent; not sent");
}

Answer Resolver::query_within(std::string_view name, RecordType type, Deadline deadline) {
    if (Clock::now() >= deadline) {
        return deadline_answer(name, type, "DNS deadline");
    }
    return query(name, type);
}

std::vector<Answer> Resolver::query_many(std::span<const Question> questions, Deadline deadline) {
    std::vector<Answer> answers;
    answers.reserve(questions.size());
    for (const auto& q : questions) {
        answers.push_back(query_within(q.name, q.type, deadline));
    }
    return answers;
}

std::size_t Resolver::prefetch(std::span<const Question> /*questions*/, Deadline /*deadline*/) {
    return 0;
}

Answer QueryBudget::query_within(std::string_view name, RecordType type, Deadline deadline) {
    if (used_ >= limit_) {
        return query(name, type);  // the budget_exceeded answer, nothing sent
    }
    ++used_;
    return inner_.query_within(name, type, deadline);
}

MessageDeadline::MessageDeadline(Resolver& inner, std::chrono::milliseconds total)
    : inner_(inner), total_(total), deadline_(Clock::now() + total) {}

Deadline MessageDeadline::effective(Deadline other) const noexcept {
    return has_deadline() ? std::min(deadline_, other) : other;
}

Answer MessageDeadline::query(std::string_view name, RecordType type) {
    return query_within(name, type, Deadline::max());
}

Answer MessageDeadline::query_within(std::string_view name, RecordType type, Deadline deadline) {
    if (!has_deadline()) {
        return deadline == Deadline::max() ? inner_.query(name, type)
                                           : inner_.query_within(name, type, deadline);
    }
    if (Clock::now() >= deadline_) {
        ++cut_;
        return deadline_answer(name, type, "per-message DNS deadline of " + ms_text(total_));
    }
    Answer answer = inner_.query_within(name, type, effective(deadline));
    if (answer.status == DnsStatus::timeout && Clock::now() >= deadline_) {
        ++cut_;
        answer.detail = "per-message DNS deadline of " + ms_text(total_) + " reached" +
                        (answer.detail.empty() ? "" : " (" + answer.detail + ")");
    }
    return answer;
}

std::vector<Answer> MessageDeadline::query_many(std::span<const Question> questions,
                                                Deadline deadline) {
    if (has_deadline() && Clock::now() >= deadline_) {
        std::vector<Answer> answers;
        for (const auto& q : questions) {
            answers.push_back(query_within(q.name, q.type, deadline));
        }
        return answers;
    }
    return inner_.query_many(questions, effective(deadline));
}

std::size_t MessageDeadline::prefetch(std::span<const Question> questions, Deadline deadline) {
    if (has_deadline() && Clock::now() >= deadline_) {
        return 0;
    }
    return inner_.prefetch(questions, effective(deadline));
}

}  // namespace mailverdict::dns
