// JSON and text of scored user submissions (output/submissions.hpp).
#include <mailverdict/output/submissions.hpp>

#include <boost/json.hpp>

#include <ostream>

namespace mailverdict::output {

namespace {

boost::json::object counts_json(const report::SubmissionCounts& c) {
    return {{"scored", c.scored},
            {"correct", c.correct},
            {"false_positives", c.false_positives},
            {"false_negatives", c.false_negatives}};
}

boost::json::object map_json(const std::map<std::string, std::size_t>& m) {
    boost::json::object out;
    for (const auto& [k, n] : m) {
        out[k] = n;
    }
    return out;
}

std::string counts_text(const std::map<std::string, std::size_t>& m) {
    std::string out;
    for (const auto& [k, n] : m) {
        out += (out.empty() ? "" : ", ") + k + "=" + std::to_string(n);
    }
    return out.empty() ? "none" : out;
}

}  // namespace

boost::json::object to_json(const report::SubmissionScore& score) {
    boost::json::object out;
    out["totals"] = counts_json(score.totals());
    boost::json::object by_label;
    for (const auto& [label, c] : score.by_label()) {
        by_label[label] = counts_json(c);
    }
    out["by_label"] = std::move(by_label);
    boost::json::object confusion;
    for (const auto& [label, row] : score.matrix()) {
        confusion[label] = map_json(row);
    }
    out["confusion"] = std::move(confusion);
    out["false_positives_by"] = map_json(score.false_positives_by());
    out["false_negatives_by"] = map_json(score.false_negatives_by());
    boost::json::array mistakes;
    for (const auto& m : score.mistakes()) {
        mistakes.push_back({{"file", m.file},
                            {"message_id", m.message_id},
                            {"recipient", m.recipient},
                            {"label", report::to_string(m.label)},
                            {"reporter", m.reporter},
                            {"treatment", report::to_string(m.treatment)},
                            {"folder", m.folder},
                            {"outcome", report::to_string(m.outcome)},
                            {"decided_by", m.decided_by},
                            {"detail", m.detail},
                            {"line", m.line}});
    }
    out["mistakes"] = std::move(mistakes);
    boost::json::array suggestions;
    for (const auto& s : score.suggestions()) {
        boost::json::array examples;
        for (const auto& e : s.examples) {
            examples.emplace_back(e);
        }
        suggestions.push_back({{"kind", s.kind},
                               {"target", s.target},
                               {"where", s.where},
                               {"action", s.action},
                               {"reference", s.reference},
                               {"messages", s.messages},
                               {"examples", std::move(examples)},
                               {"applied", false}});
    }
    out["suggestions"] = std::move(suggestions);
    boost::json::array unmatched;
    for (const auto& u : score.unmatched()) {
        unmatched.push_back({{"message", u.message},
                             {"label", report::to_string(u.label)},
                             {"reporter", u.reporter},
                             {"line", u.line}});
    }
    out["unmatched"] = std::move(unmatched);
    return out;
}

void print_submissions_text(std::ostream& out, const report::SubmissionScore& score) {
    const auto& t = score.totals();
    out << "User submissions scored\n"
        << "  " << t.scored << " labelled recipient verdict(s): " << t.correct << " correct, "
        << t.false_positives << " false positive(s), " << t.false_negatives
        << " false negative(s)\n";
    for (const auto& [label, c] : score.by_label()) {
        out << "  " << label << ": " << c.scored << " scored, " << c.correct << " correct";
        if (c.false_positives > 0) {
            out << ", " << c.false_positives << " false positive(s)";
        }
        if (c.false_negatives > 0) {
            out << ", " << c.false_negatives << " false negative(s)";
        }
        const auto row = score.matrix().find(label);
        if (row != score.matrix().end()) {
            out << "  [" << counts_text(row->second) << "]";
        }
        out << "\n";
    }
    out << "  false positives by detection: " << counts_text(score.false_positives_by())
        << "\n  false negatives by detection: " << counts_text(score.false_negatives_by())
        << "\n\nMistakes\n";
    if (score.mistakes().empty()) {
        out << "  none\n";
    }
    for (const auto& m : score.mistakes()) {
        out << "  " << report::to_string(m.outcome) << "  " << m.file << "  " << m.recipient
            << "  reported " << report::to_string(m.label) << ", " << m.folder << " ("
            << m.decided_by << ")\n      " << m.detail << "\n";
    }
    out << "\nSuggested tuning (not applied)\n";
    const auto suggestions = score.suggestions();
    if (suggestions.empty()) {
        out << "  none\n";
    }
    for (const auto& s : suggestions) {
        out << "  " << s.kind << "  " << s.target << "  in " << s.where << "  (" << s.messages
            << " message(s))\n      " << s.action << " [" << s.reference << "]\n";
    }
    const auto unmatched = score.unmatched();
    if (!unmatched.empty()) {
        out << "\nLabels that matched no input\n";
        for (const auto& u : unmatched) {
            out << "  line " << u.line << ": " << u.message << " (" << report::to_string(u.label)
                << ")\n";
        }
    }
}

}  // namespace mailverdict::output
