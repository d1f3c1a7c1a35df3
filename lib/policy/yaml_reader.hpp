// The one place yaml-cpp is used: a strict reader over a YAML node tree that knows the
// path and line of every value, refuses unknown and duplicate keys, and throws TenantError
// naming file, line and key.
#pragma once

#include <mailverdict/policy/tenant.hpp>

#include <yaml-cpp/yaml.h>

#include <cstddef>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mailverdict::policy::detail {

// A value in the file: the node, its key path ("anti_phishing.custom[1].name") and line.
struct Value {
    YAML::Node node;
    std::string path;
    int line = 0;  // 1-based
};

// Name/value pairs for enumerations; names compare case-insensitively (PowerShell does).
template <class E>
struct Choice {
    std::string_view name;
    E value;
};

class YamlReader {
public:
    // At most this many YAML nodes are visited (aliases can make a small file expand).
    static constexpr std::size_t max_nodes = 2'000'000;

    explicit YamlReader(std::string file) : file_(std::move(file)) {}

    // Parses the text (TenantError on a syntax error) and returns the root.
    Value load(std::string_view text);

    [[noreturn]] void fail(const Value& value, const std::string& message) const;
    [[noreturn]] void fail(int line, const std::string& path, const std::string& message) const;

    // Type checks and conversions. Scalars are read as written; null is not a scalar.
    std::string text(const Value& value);
    std::string nonempty_text(const Value& value);
    bool boolean(const Value& value);
    int integer(const Value& value, int min, int max);
    std::uint64_t unsigned_integer(const Value& value);
    double number(const Value& value);
    // A sequence (null = empty); elements get paths "path[i]".
    std::vector<Value> list(const Value& value);
    bool is_null(const Value& value) const { return value.node.IsNull(); }
    bool is_map(const Value& value) const { return value.node.IsMap(); }
    bool is_scalar(const Value& value) const { return value.node.IsScalar(); }

    template <class E>
    E choice(const Value& value, std::initializer_list<Choice<E>> choices) {
        const std::string written = text(value);
        for (const auto& c : choices) {
            if (iequal(written, c.name)) {
                return c.value;
            }
        }
        std::string expected;
        for (const auto& c : choices) {
            expected += expected.empty() ? "" : ", ";
            expected += c.name;
        }
        fail(value, "unknown value '" + written + "' (expected one of: " + expected + ")");
    }

    void count_node(const Value& value);
    [[nodiscard]] const std::string& file() const noexcept { return file_; }

private:
    static bool iequal(std::string_view a, std::string_view b) noexcept;
    std::string file_;
    std::size_t nodes_ = 0;
};

// The keys of one mapping. take() hands out a key's value and remembers that the key is
// known; finish() then refuses any key nobody asked for.
class MapReader {
public:
    // value must be a mapping or null (an empty mapping).
    MapReader(YamlReader& reader, const Value& value);

    std::optional<Value> take(std::string_view key);
    // A key that must be present.
    Value require(std::string_view key);
    [[nodiscard]] bool has(std::string_view key) const;
    // Keys present in the file that take() has not handed out, in file order.
    [[nodiscard]] std::vector<Value> unclaimed() const;
    // TenantError for the first unknown key.
    void finish();

    [[nodiscard]] const Value& self() const noexcept { return self_; }
    [[nodiscard]] std::string child_path(std::string_view key) const;

private:
    struct Entry {
        std::string key;
        Value key_value;  // the key node (line of the key)
        Value value;
        bool taken = false;
    };
    YamlReader& reader_;
    Value self_;
    std::vector<Entry> entries_;
    std::vector<std::string> known_;
};

}  // namespace mailverdict::policy::detail
