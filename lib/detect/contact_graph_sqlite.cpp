// Contact graph persistence in SQLite (contact_graph.hpp), through the C API wrapped once
// with RAII (contact_graph_sqlite.hpp).
#include <mailverdict/detect/contact_graph.hpp>

#include "detect/contact_graph_sqlite.hpp"

#include <string>

namespace mailverdict::detect {

namespace {

// Version of the schema below, kept in PRAGMA user_version.
constexpr int schema_version = 1;

constexpr const char* schema_sql =
    "CREATE TABLE IF NOT EXISTS contacts ("
    " mailbox TEXT NOT NULL,"
    " contact TEXT NOT NULL,"
    " display_name TEXT NOT NULL DEFAULT '',"
    " received INTEGER NOT NULL DEFAULT 0,"
    " sent INTEGER NOT NULL DEFAULT 0,"
    " first_seen INTEGER,"  // Unix seconds, NULL when no message had a usable Date
    " last_seen INTEGER,"
    " PRIMARY KEY (mailbox, contact)) WITHOUT ROWID;";

[[noreturn]] void fail(const std::filesystem::path& path, std::string_view what, sqlite3* db) {
    std::string message = "contacts database " + path.string() + ": " + std::string(what);
    if (db != nullptr) {
        message += ": ";
        message += sqlite3_errmsg(db);
    }
    throw ContactGraphError(message);
}

sqlite::Database open(const std::filesystem::path& path, int flags) {
    sqlite3* raw = nullptr;
    const int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
    sqlite::Database db{raw};  // owns the handle even when opening failed
    if (rc != SQLITE_OK) {
        fail(path, "cannot open", db.get());
    }
    sqlite3_busy_timeout(db.get(), 2000);
    return db;
}

sqlite::Statement prepare(const std::filesystem::path& path, sqlite3* db, const char* sql) {
    sqlite3_stmt* raw = nullptr;
    if (sqlite3_prepare_v2(db, sql, -1, &raw, nullptr) != SQLITE_OK) {
        sqlite::Statement owned{raw};
        fail(path, "cannot prepare statement", db);
    }
    return sqlite::Statement{raw};
}

void exec(const std::filesystem::path& path, sqlite3* db, const char* sql) {
    char* error = nullptr;
    if (sqlite3_exec(db, sql, nullptr, nullptr, &error) != SQLITE_OK) {
        std::string what = std::string("cannot run '") + sql + "'";
        if (error != nullptr) {
            what += ": ";
            what += error;
            sqlite3_free(error);
        }
        fail(path, what, nullptr);
    }
}

std::string_view column_text(sqlite3_stmt* statement, int column) {
    const auto* text = sqlite3_column_text(statement, column);
    if (text == nullptr) {
        return {};
    }
    return {reinterpret_cast<const char*>(text),
            static_cast<std::size_t>(sqlite3_column_bytes(statement, column))};
}

std::optional<std::chrono::sys_seconds> column_time(sqlite3_stmt* statement, int column) {
    if (sqlite3_column_type(statement, column) == SQLITE_NULL) {
        return std::nullopt;
    }
    return std::chrono::sys_seconds{std::chrono::seconds{sqlite3_column_int64(statement, column)}};
}

std::string lower_ascii(std::string_view text) {
    std::string out(text);
    for (char& c : out) {
        if (c >= 'A' && c <= 'Z') {
            c = static_cast<char>(c - 'A' + 'a');
        }
    }
    return out;
}

std::uint32_t column_count(sqlite3_stmt* statement, int column) {
    const sqlite3_int64 v = sqlite3_column_int64(statement, column);
    return v < 0 ? 0U : (v > 0xFFFFFFFFLL ? 0xFFFFFFFFU : static_cast<std::uint32_t>(v));
}

}  // namespace

ContactGraph ContactGraph::load(const std::filesystem::path& path, ContactThresholds thresholds) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) {
        throw ContactGraphError("contacts database " + path.string() + ": no such file");
    }
    auto db = open(path, SQLITE_OPEN_READONLY);
    {
        auto version = prepare(path, db.get(), "PRAGMA user_version");
        if (sqlite3_step(version.get()) != SQLITE_ROW) {
            fail(path, "not an SQLite database", db.get());
        }
        const int v = sqlite3_column_int(version.get(), 0);
        if (v != schema_version) {
            fail(path,
                 "not a mailverdict contacts database (schema version " + std::to_string(v) +
                     ", expected " + std::to_string(schema_version) +
                     "; write one with `mailverdict learn`)",
                 nullptr);
        }
    }
    ContactGraph graph(thresholds);
    auto rows = prepare(path, db.get(),
                        "SELECT mailbox, contact, display_name, received, sent, first_seen, "
                        "last_seen FROM contacts");
    int rc = SQLITE_ROW;
    while ((rc = sqlite3_step(rows.get())) == SQLITE_ROW) {
        ContactStats stats;
        stats.contact = std::string(column_text(rows.get(), 1));
        stats.display_name = std::string(column_text(rows.get(), 2));
        stats.received = column_count(rows.get(), 3);
        stats.sent = column_count(rows.get(), 4);
        stats.first_seen = column_time(rows.get(), 5);
        stats.last_seen = column_time(rows.get(), 6);
        const std::string mailbox(column_text(rows.get(), 0));
        if (mailbox.empty() || stats.contact.empty()) {
            continue;
        }
        // save() writes lower-case addresses; other writers are not trusted to.
        auto& box = graph.boxes_[lower_ascii(mailbox)];
        stats.contact = lower_ascii(stats.contact);
        box.contacts[stats.contact] = std::move(stats);
    }
    if (rc != SQLITE_DONE) {
        fail(path, "cannot read contacts", db.get());
    }
    return graph;
}

void ContactGraph::save(const std::filesystem::path& path) const {
    auto db = open(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    exec(path, db.get(), "BEGIN IMMEDIATE");
    exec(path, db.get(), schema_sql);
    exec(path, db.get(), "DELETE FROM contacts");
    exec(path, db.get(), ("PRAGMA user_version = " + std::to_string(schema_version)).c_str());
    auto insert = prepare(path, db.get(),
                          "INSERT INTO contacts (mailbox, contact, display_name, received, sent, "
                          "first_seen, last_seen) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    for (const auto& mailbox : mailboxes()) {
        for (const ContactStats* s : contacts(mailbox)) {
            sqlite3_stmt* st = insert.get();
            sqlite3_reset(st);
            sqlite3_bind_text(st, 1, mailbox.data(), static_cast<int>(mailbox.size()),
                              SQLITE_TRANSIENT);
            sqlite3_bind_text(st, 2, s->contact.data(), static_cast<int>(s->contact.size()),
                              SQLITE_TRANSIENT);
            sqlite3_bind_text(st, 3, s->display_name.data(),
                              static_cast<int>(s->display_name.size()), SQLITE_TRANSIENT);
            sqlite3_bind_int64(st, 4, s->received);
            sqlite3_bind_int64(st, 5, s->sent);
            if (s->first_seen) {
                sqlite3_bind_int64(st, 6, s->first_seen->time_since_epoch().count());
            } else {
                sqlite3_bind_null(st, 6);
            }
            if (s->last_seen) {
                sqlite3_bind_int64(st, 7, s->last_seen->time_since_epoch().count());
            } else {
                sqlite3_bind_null(st, 7);
            }
            if (sqlite3_step(st) != SQLITE_DONE) {
                fail(path, "cannot write contact", db.get());
            }
        }
    }
    exec(path, db.get(), "COMMIT");
}

}  // namespace mailverdict::detect
