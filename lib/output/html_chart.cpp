// Inline SVG charts (html.hpp): grouped bars, stacked columns and a two-column flow
// diagram. Each chart is an <svg role="img"> with a <title> and a <desc> that reads the
// figures out; every mark has its own <title> (the browser's tooltip), and the caller puts
// the same numbers in a table beside it (WCAG 1.1.1: text alternative for non-text
// content). Coordinates are written with one decimal, in the "C" format, so the page is
// the same on every machine.
#include <mailverdict/output/html.hpp>

#include <algorithm>
#include <cstdio>
#include <map>
#include <numeric>
#include <ostream>
#include <set>

namespace mailverdict::output::html {

namespace {

std::string num(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f", v);
    return buf;
}

// An axis step of 1, 2 or 5 times a power of ten giving about `ticks` intervals, at
// least 1 (counts are integers).
std::size_t nice_step(std::size_t max, std::size_t ticks) {
    const double raw = static_cast<double>(std::max<std::size_t>(max, 1)) /
                       static_cast<double>(std::max<std::size_t>(ticks, 1));
    std::size_t magnitude = 1;
    while (static_cast<double>(magnitude) * 10 <= raw) {
        magnitude *= 10;
    }
    for (const std::size_t m : {1U, 2U, 5U, 10U}) {
        if (static_cast<double>(magnitude * m) >= raw) {
            return magnitude * m;
        }
    }
    return magnitude * 10;
}

std::size_t axis_max(std::size_t max, std::size_t step) {
    return std::max<std::size_t>(step, (max + step - 1) / step * step);
}

// Labels inside an SVG cannot wrap: long ones (paths, tenant files) are shortened with an
// ellipsis; the full text is in the chart's title and the page's facts.
std::string shortened(const std::string& text, std::size_t max_chars) {
    if (text.size() <= max_chars) {
        return text;
    }
    std::size_t cut = max_chars - 1;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xc0) == 0x80) {
        --cut;  // not inside a UTF-8 sequence
    }
    return text.substr(0, cut) + "\xe2\x80\xa6";
}

void open_svg(std::ostream& out, const std::string& id, const std::string& title,
              const std::string& description, double width, double height) {
    const std::string eid = escape(id);
    // The visible title repeats the SVG's <title>; hidden from assistive technology, which
    // reads the SVG's own.
    out << "<figure class=\"chart\"><div class=\"chart-title\" aria-hidden=\"true\">"
        << escape(title) << "</div><svg id=\"" << eid << "\" role=\"img\" aria-labelledby=\"" << eid
        << "-title " << eid << "-desc\" viewBox=\"0 0 " << num(width) << " " << num(height)
        << "\" width=\"" << num(width) << "\" height=\"" << num(height)
        << "\" preserveAspectRatio=\"xMinYMin meet\"><title id=\"" << eid << "-title\">"
        << escape(title) << "</title><desc id=\"" << eid << "-desc\">" << escape(description)
        << "</desc>";
}

void close_svg(std::ostream& out, const std::vector<Series>& legend) {
    out << "</svg>";
    if (legend.size() > 1) {
        out << "<figcaption class=\"legend\">";
        for (const auto& s : legend) {
            out << "<span><span class=\"swatch " << escape(s.colour) << "\" aria-hidden=\"true\">"
                << "</span>" << escape(s.name) << "</span>";
        }
        out << "</figcaption>";
    }
    out << "</figure>\n";
}

std::size_t value_at(const std::vector<std::size_t>& values, std::size_t i) {
    return i < values.size() ? values[i] : 0;
}

}  // namespace

void write_bar_chart(std::ostream& out, const BarChart& chart) {
    const std::size_t nseries = std::max<std::size_t>(chart.series.size(), 1);
    std::size_t label_chars = 4;
    std::size_t max = 0;
    for (const auto& g : chart.groups) {
        label_chars = std::max(label_chars, std::min<std::size_t>(g.label.size(), 30));
        for (std::size_t s = 0; s < nseries; ++s) {
            max = std::max(max, value_at(g.values, s));
        }
    }
    constexpr double bar = 16;
    constexpr double bar_gap = 3;
    constexpr double group_gap = 14;
    constexpr double top = 22;  // tick labels
    constexpr double width = 560;
    const double left = 16 + 7.0 * static_cast<double>(label_chars);
    const double right = width - 48;  // room for the value after the longest bar
    const double group_h =
        static_cast<double>(nseries) * bar + static_cast<double>(nseries - 1) * bar_gap;
    const double height = top + static_cast<double>(chart.groups.size()) * (group_h + group_gap) +
                          (chart.groups.empty() ? 24 : 4);
    const std::size_t step = nice_step(max, 5);
    const std::size_t top_value = axis_max(max, step);
    const auto x_of = [&](std::size_t v) {
        return left + (right - left) * static_cast<double>(v) / static_cast<double>(top_value);
    };

    open_svg(out, chart.id, chart.title, chart.description, width, height);
    for (std::size_t t = 0; t <= top_value; t += step) {
        out << "<line class=\"gridline\" x1=\"" << num(x_of(t)) << "\" y1=\"" << num(top - 4)
            << "\" x2=\"" << num(x_of(t)) << "\" y2=\"" << num(height - 2) << "\"/>"
            << "<text class=\"muted value\" x=\"" << num(x_of(t)) << "\" y=\"" << num(top - 8)
            << "\" text-anchor=\"middle\">" << t << "</text>";
    }
    out << "<line class=\"axis\" x1=\"" << num(left) << "\" y1=\"" << num(top - 4) << "\" x2=\""
        << num(left) << "\" y2=\"" << num(height - 2) << "\"/>";
    if (chart.groups.empty()) {
        out << "<text class=\"muted\" x=\"" << num(left + 8) << "\" y=\"" << num(top + 14)
            << "\">No data</text>";
    }
    double y = top;
    for (const auto& g : chart.groups) {
        out << "<text x=\"" << num(left - 8) << "\" y=\"" << num(y + group_h / 2 + 4)
            << "\" text-anchor=\"end\">" << escape(shortened(g.label, 30)) << "</text>";
        for (std::size_t s = 0; s < nseries; ++s) {
            const std::size_t v = value_at(g.values, s);
            const std::string series =
                s < chart.series.size() ? chart.series[s].name : std::string();
            std::string colour = s < chart.series.size() ? chart.series[s].colour : "";
            if (colour.empty()) {
                colour = g.colour.empty() ? colour_class(g.label, s) : g.colour;
            }
            out << "<rect class=\"" << escape(colour) << "\" x=\"" << num(left) << "\" y=\""
                << num(y) << "\" width=\"" << num(x_of(v) - left) << "\" height=\"" << num(bar)
                << "\" rx=\"2\"><title>" << escape(g.label)
                << (series.empty() ? "" : " \xe2\x80\x94 " + escape(series)) << ": " << v
                << "</title></rect><text class=\"value\" x=\"" << num(x_of(v) + 5) << "\" y=\""
                << num(y + bar - 4) << "\">" << v << "</text>";
            y += bar + bar_gap;
        }
        y += group_gap - bar_gap;
    }
    close_svg(out, chart.series);
}

void write_column_chart(std::ostream& out, const ColumnChart& chart) {
    const std::size_t n = chart.columns.size();
    std::size_t max = 0;
    for (const auto& c : chart.columns) {
        max = std::max(max, std::accumulate(c.values.begin(), c.values.end(), std::size_t{0}));
    }
    constexpr double width = 960;
    constexpr double height = 300;
    constexpr double left = 46;
    constexpr double right = width - 12;
    constexpr double top = 18;
    constexpr double bottom = height - 42;
    const std::size_t step = nice_step(max, 5);
    const std::size_t top_value = axis_max(max, step);
    const auto y_of = [&](std::size_t v) {
        return bottom - (bottom - top) * static_cast<double>(v) / static_cast<double>(top_value);
    };
    const double slot = n == 0 ? right - left : (right - left) / static_cast<double>(n);
    const double bar = std::min(44.0, slot * 0.72);
    // At most about 16 axis labels; every column keeps its tooltip.
    const std::size_t label_every = std::max<std::size_t>(1, (n + 15) / 16);

    open_svg(out, chart.id, chart.title, chart.description, width, height);
    for (std::size_t t = 0; t <= top_value; t += step) {
        out << "<line class=\"gridline\" x1=\"" << num(left) << "\" y1=\"" << num(y_of(t))
            << "\" x2=\"" << num(right) << "\" y2=\"" << num(y_of(t)) << "\"/><text class=\"muted "
            << "value\" x=\"" << num(left - 6) << "\" y=\"" << num(y_of(t) + 4)
            << "\" text-anchor=\"end\">" << t << "</text>";
    }
    if (n == 0) {
        out << "<text class=\"muted\" x=\"" << num(left + 12) << "\" y=\"" << num(bottom - 12)
            << "\">No data</text>";
    }
    for (std::size_t i = 0; i < n; ++i) {
        const auto& c = chart.columns[i];
        const double cx = left + slot * (static_cast<double>(i) + 0.5);
        std::size_t below = 0;
        for (std::size_t s = 0; s < chart.series.size(); ++s) {
            const std::size_t v = value_at(c.values, s);
            if (v == 0) {
                continue;
            }
            out << "<rect class=\"" << escape(chart.series[s].colour) << "\" x=\""
                << num(cx - bar / 2) << "\" y=\"" << num(y_of(below + v)) << "\" width=\""
                << num(bar) << "\" height=\"" << num(y_of(below) - y_of(below + v)) << "\"><title>"
                << escape(c.label) << " \xe2\x80\x94 " << escape(chart.series[s].name) << ": " << v
                << "</title></rect>";
            below += v;
        }
        if (below > 0 && n <= 40) {
            out << "<text class=\"value\" x=\"" << num(cx) << "\" y=\"" << num(y_of(below) - 4)
                << "\" text-anchor=\"middle\">" << below << "</text>";
        }
        if (i % label_every == 0) {
            out << "<text class=\"muted\" x=\"" << num(cx) << "\" y=\"" << num(bottom + 16)
                << "\" text-anchor=\"middle\">" << escape(shortened(c.short_label, 12))
                << "</text>";
        }
    }
    out << "<line class=\"axis\" x1=\"" << num(left) << "\" y1=\"" << num(bottom) << "\" x2=\""
        << num(right) << "\" y2=\"" << num(bottom) << "\"/>";
    close_svg(out, chart.series);
}

void write_flow_chart(std::ostream& out, const FlowChart& chart) {
    // Node order: as given, then the others by name; empty flows are not drawn.
    const auto ordered = [&](bool left_side) {
        std::set<std::string> names;
        for (const auto& f : chart.flows) {
            if (f.count > 0) {
                names.insert(left_side ? f.from : f.to);
            }
        }
        std::vector<std::string> out_names;
        for (const auto& n : chart.node_order) {
            if (names.erase(n) > 0) {
                out_names.push_back(n);
            }
        }
        out_names.insert(out_names.end(), names.begin(), names.end());
        return out_names;
    };
    const std::vector<std::string> left_nodes = ordered(true);
    const std::vector<std::string> right_nodes = ordered(false);
    std::map<std::string, std::size_t> left_total, right_total;
    std::size_t total = 0;
    for (const auto& f : chart.flows) {
        left_total[f.from] += f.count;
        right_total[f.to] += f.count;
        total += f.count;
    }

    constexpr double width = 760;
    constexpr double node_w = 14;
    constexpr double x_left = 190;
    constexpr double x_right = width - 190 - node_w;
    constexpr double top = 40;
    constexpr double gap = 12;
    constexpr double min_h = 3;
    const std::size_t most = std::max(left_nodes.size(), right_nodes.size());
    const double inner = std::max(300.0, 34.0 * static_cast<double>(most));
    const double scale = total == 0 ? 0
                                    : (inner - gap * static_cast<double>(most > 0 ? most - 1 : 0)) /
                                          static_cast<double>(total);

    struct Node {
        double y = 0, h = 0;
        double used = 0;  // band offset while drawing
    };
    const auto layout = [&](const std::vector<std::string>& names,
                            std::map<std::string, std::size_t>& totals) {
        std::map<std::string, Node> nodes;
        double y = top;
        for (const auto& name : names) {
            Node node;
            node.y = y;
            node.h = std::max(min_h, static_cast<double>(totals[name]) * scale);
            nodes[name] = node;
            y += node.h + gap;
        }
        return nodes;
    };
    auto left = layout(left_nodes, left_total);
    auto right = layout(right_nodes, right_total);
    double bottom = top;
    for (const auto* side : {&left, &right}) {
        for (const auto& kv : *side) {
            bottom = std::max(bottom, kv.second.y + kv.second.h);
        }
    }
    const double height = bottom + 16;

    open_svg(out, chart.id, chart.title, chart.description, width, height);
    out << "<text class=\"heading\" x=\"4\" y=\"18\">" << escape(shortened(chart.left_heading, 48))
        << "</text><text class=\"heading\" x=\"" << num(width - 4)
        << "\" y=\"18\" text-anchor=\"end\">" << escape(shortened(chart.right_heading, 48))
        << "</text>";
    if (total == 0) {
        out << "<text class=\"muted\" x=\"" << num(width / 2) << "\" y=\"" << num(top + 20)
            << "\" text-anchor=\"middle\">No data</text>";
    }

    // Bands, drawn in left-node then right-node order so that they leave each node in
    // the order of their other end (fewer crossings); unchanged flows are pale.
    std::vector<const FlowChart::Flow*> bands;
    for (const auto& f : chart.flows) {
        if (f.count > 0) {
            bands.push_back(&f);
        }
    }
    const auto rank = [](const std::vector<std::string>& names, const std::string& n) {
        return std::find(names.begin(), names.end(), n) - names.begin();
    };
    std::sort(bands.begin(), bands.end(), [&](const auto* a, const auto* b) {
        return std::pair(rank(left_nodes, a->from), rank(right_nodes, a->to)) <
               std::pair(rank(left_nodes, b->from), rank(right_nodes, b->to));
    });
    // Offsets inside the right nodes follow the left nodes' order.
    std::map<std::pair<std::string, std::string>, double> right_offset;
    {
        std::vector<const FlowChart::Flow*> by_right = bands;
        std::stable_sort(by_right.begin(), by_right.end(), [&](const auto* a, const auto* b) {
            return rank(right_nodes, a->to) < rank(right_nodes, b->to);
        });
        for (const auto* f : by_right) {
            Node& r = right[f->to];
            const double h = r.h * static_cast<double>(f->count) /
                             static_cast<double>(std::max<std::size_t>(right_total[f->to], 1));
            right_offset[{f->from, f->to}] = r.y + r.used;
            r.used += h;
        }
    }
    std::vector<std::string> labels;
    for (const auto* f : bands) {
        Node& l = left[f->from];
        const Node& r = right[f->to];
        const double hl = l.h * static_cast<double>(f->count) /
                          static_cast<double>(std::max<std::size_t>(left_total[f->from], 1));
        const double hr = r.h * static_cast<double>(f->count) /
                          static_cast<double>(std::max<std::size_t>(right_total[f->to], 1));
        const double y0 = l.y + l.used;
        const double y1 = right_offset[{f->from, f->to}];
        l.used += hl;
        const double x0 = x_left + node_w;
        const double x1 = x_right;
        const double xm = (x0 + x1) / 2;
        const bool same = f->from == f->to;
        out << "<path class=\"band " << escape(colour_class(f->to)) << (same ? " same" : "")
            << "\" d=\"M" << num(x0) << " " << num(y0) << "C" << num(xm) << " " << num(y0) << " "
            << num(xm) << " " << num(y1) << " " << num(x1) << " " << num(y1) << "L" << num(x1)
            << " " << num(y1 + hr) << "C" << num(xm) << " " << num(y1 + hr) << " " << num(xm) << " "
            << num(y0 + hl) << " " << num(x0) << " " << num(y0 + hl) << "Z\"><title>"
            << escape(f->from) << " \xe2\x86\x92 " << escape(f->to) << ": " << f->count
            << "</title></path>";
        if (!same && hl >= 9) {
            // The count of a move where it leaves its node: bands leaving one node are
            // stacked, so these labels do not collide (the middle of crossing bands would).
            labels.push_back("<text class=\"value heading\" x=\"" + num(x0 + 6) + "\" y=\"" +
                             num(y0 + hl / 2 + 4) + "\">" + std::to_string(f->count) + "</text>");
        }
    }
    for (const auto& l : labels) {
        out << l;
    }
    const auto nodes = [&](const std::vector<std::string>& names, std::map<std::string, Node>& m,
                           std::map<std::string, std::size_t>& totals, bool left_side) {
        for (const auto& name : names) {
            const Node& node = m[name];
            const double x = left_side ? x_left : x_right;
            out << "<rect class=\"" << escape(colour_class(name)) << "\" x=\"" << num(x)
                << "\" y=\"" << num(node.y) << "\" width=\"" << num(node_w) << "\" height=\""
                << num(node.h) << "\"><title>" << escape(name) << ": " << totals[name]
                << "</title></rect><text x=\"" << num(left_side ? x - 8 : x + node_w + 8)
                << "\" y=\"" << num(node.y + node.h / 2 + 4) << "\" text-anchor=\""
                << (left_side ? "end" : "start") << "\">" << escape(shortened(name, 22))
                << " <tspan class=\"heading\">" << totals[name] << "</tspan></text>";
        }
    };
    nodes(left_nodes, left, left_total, true);
    nodes(right_nodes, right, right_total, false);
    close_svg(out, {});
}

}  // namespace mailverdict::output::html
