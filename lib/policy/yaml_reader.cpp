// Strict YAML reading for tenant files (see yaml_reader.hpp).
#include "policy/yaml_reader.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <exception>

namespace mailverdict::policy::detail {

namespace {

int line_of(const YAML::Node& node) {
    const YAML::Mark mark = node.Mark();
    return mark.line < 0 ? 0 : mark.line + 1;
}

std::string kind_name(const YAML::Node& node) {
    switch (node.Type()) {
        case YAML::NodeType::Null:
            return "nothing";
        case YAML::NodeType::Scalar:
            return "'" + node.Scalar() + "'";
        case YAML::NodeType::Sequence:
            return "a list";
        case YAML::NodeType::Map:
            return "a mapping";
        case YAML::NodeType::Undefined:
            break;
    }
    return "nothing";
}

}  // namespace

bool YamlReader::iequal(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) {
        return false;
    }
    for (std::size_t i = 0; i < a.size(); ++i) {
        char x = a[i];
        char y = b[i];
        x = (x >= 'A' && x <= 'Z') ? static_cast<char>(x - 'A' + 'a') : x;
        y = (y >= 'A' && y <= 'Z') ? static_cast<char>(y - 'A' + 'a') : y;
        if (x != y) {
            return false;
        }
    }
    return true;
}

Value YamlReader::load(std::string_view text) {
    YAML::Node root;
    try {
        root = YAML::Load(std::string{text});
    } catch (const YAML::Exception& error) {
        const int line = error.mark.line < 0 ? 0 : error.mark.line + 1;
        throw TenantError(file_, line, "", "YAML syntax error: " + error.msg);
    }
    Value value{root, "", root.IsDefined() ? line_of(root) : 0};
    if (!root.IsMap()) {
        if (root.IsNull()) {
            throw TenantError(file_, 0, "", "empty tenant file (expected a mapping of sections)");
        }
        fail(value, "the file must be a mapping of sections, not " + kind_name(root));
    }
    return value;
}

void YamlReader::fail(const Value& value, const std::string& message) const {
    fail(value.line, value.path, message);
}

void YamlReader::fail(int line, const std::string& path, const std::string& message) const {
    throw TenantError(file_, line, path, message);
}

void YamlReader::count_node(const Value& value) {
    if (++nodes_ > max_nodes) {
        fail(value, "too many values (more than " + std::to_string(max_nodes) +
                        " YAML nodes, counting every use of an alias)");
    }
}

std::string YamlReader::text(const Value& value) {
    if (!value.node.IsScalar()) {
        fail(value, "expected a value, got " + kind_name(value.node));
    }
    return value.node.Scalar();
}

std::string YamlReader::nonempty_text(const Value& value) {
    std::string result = text(value);
    if (result.empty()) {
        fail(value, "must not be empty");
    }
    return result;
}

bool YamlReader::boolean(const Value& value) {
    const std::string written = text(value);
    if (iequal(written, "true") || iequal(written, "$true")) {
        return true;
    }
    if (iequal(written, "false") || iequal(written, "$false")) {
        return false;
    }
    fail(value, "expected true or false, got '" + written + "'");
}

int YamlReader::integer(const Value& value, int min, int max) {
    const std::string written = text(value);
    int result = 0;
    const char* begin = written.data();
    const char* end = begin + written.size();
    const auto [ptr, ec] = std::from_chars(begin, end, result);
    if (written.empty() || ec != std::errc{} || ptr != end) {
        fail(value, "expected a whole number, got '" + written + "'");
    }
    if (result < min || result > max) {
        fail(value, "value " + written + " is out of range (" + std::to_string(min) + " to " +
                        std::to_string(max) + ")");
    }
    return result;
}

std::uint64_t YamlReader::unsigned_integer(const Value& value) {
    const std::string written = text(value);
    std::uint64_t result = 0;
    const char* begin = written.data();
    const char* end = begin + written.size();
    const auto [ptr, ec] = std::from_chars(begin, end, result);
    if (written.empty() || ec != std::errc{} || ptr != end) {
        fail(value, "expected a whole number >= 0, got '" + written + "'");
    }
    return result;
}

double YamlReader::number(const Value& value) {
    const std::string written = text(value);
    double result = 0;
    const char* begin = written.data();
    const char* end = begin + written.size();
    const auto [ptr, ec] = std::from_chars(begin, end, result);
    if (written.empty() || ec != std::errc{} || ptr != end || !std::isfinite(result)) {
        fail(value, "expected a number, got '" + written + "'");
    }
    return result;
}

std::vector<Value> YamlReader::list(const Value& value) {
    std::vector<Value> items;
    if (value.node.IsNull()) {
        return items;
    }
    if (!value.node.IsSequence()) {
        fail(value, "expected a list, got " + kind_name(value.node));
    }
    items.reserve(value.node.size());
    std::size_t index = 0;
    for (const auto& element : value.node) {
        Value item{element, value.path + "[" + std::to_string(index) + "]", line_of(element)};
        count_node(item);
        items.push_back(std::move(item));
        ++index;
    }
    return items;
}

MapReader::MapReader(YamlReader& reader, const Value& value) : reader_(reader), self_(value) {
    if (value.node.IsNull()) {
        return;
    }
    if (!value.node.IsMap()) {
        reader.fail(value, "expected a mapping of keys, got " + kind_name(value.node));
    }
    for (const auto& pair : value.node) {
        Value key_value{pair.first, value.path, line_of(pair.first)};
        reader.count_node(key_value);
        if (!pair.first.IsScalar()) {
            reader.fail(key_value, "keys must be plain names, not " + kind_name(pair.first));
        }
        const std::string key = pair.first.Scalar();
        const std::string path = child_path(key);
        key_value.path = path;
        for (const auto& entry : entries_) {
            if (entry.key == key) {
                reader.fail(key_value, "duplicate key '" + key + "' (first on line " +
                                           std::to_string(entry.key_value.line) + ")");
            }
        }
        // A value is reported on its key's line: the key is what the error names, and
        // an empty value ("key:") or a block collection has no better position.
        Value child{pair.second, path, key_value.line};
        entries_.push_back(Entry{key, key_value, child, false});
    }
}

std::string MapReader::child_path(std::string_view key) const {
    return self_.path.empty() ? std::string{key} : self_.path + "." + std::string{key};
}

std::optional<Value> MapReader::take(std::string_view key) {
    known_.emplace_back(key);
    for (auto& entry : entries_) {
        if (entry.key == key) {
            entry.taken = true;
            return entry.value;
        }
    }
    return std::nullopt;
}

Value MapReader::require(std::string_view key) {
    auto value = take(key);
    if (!value) {
        reader_.fail(self_, "missing key '" + std::string{key} + "'");
    }
    return *value;
}

bool MapReader::has(std::string_view key) const {
    for (const auto& entry : entries_) {
        if (entry.key == key) {
            return true;
        }
    }
    return false;
}

std::vector<Value> MapReader::unclaimed() const {
    std::vector<Value> keys;
    for (const auto& entry : entries_) {
        if (!entry.taken) {
            keys.push_back(entry.key_value);
        }
    }
    return keys;
}

void MapReader::finish() {
    for (const auto& entry : entries_) {
        if (entry.taken) {
            continue;
        }
        std::vector<std::string_view> listed;
        std::string expected;
        for (const auto& key : known_) {
            if (std::find(listed.begin(), listed.end(), key) != listed.end()) {
                continue;
            }
            listed.push_back(key);
            expected += expected.empty() ? "" : ", ";
            expected += key;
        }
        reader_.fail(entry.key_value,
                     "unknown key '" + entry.key + "' (expected one of: " + expected + ")");
    }
}

}  // namespace mailverdict::policy::detail
