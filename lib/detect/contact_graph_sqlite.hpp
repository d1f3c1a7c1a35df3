// RAII owners of the SQLite C handles of the contact graph (private header: SQLite never
// appears in a public header, architecture "Modules").
#pragma once

#include <sqlite3.h>

#include <memory>

namespace mailverdict::detect::sqlite {

struct DatabaseCloser {
    void operator()(sqlite3* db) const noexcept { sqlite3_close_v2(db); }
};
// One connection (sqlite3_open_v2); used by one thread at a time.
using Database = std::unique_ptr<sqlite3, DatabaseCloser>;

struct StatementFinalizer {
    void operator()(sqlite3_stmt* statement) const noexcept { sqlite3_finalize(statement); }
};
// One prepared statement (sqlite3_prepare_v2).
using Statement = std::unique_ptr<sqlite3_stmt, StatementFinalizer>;

}  // namespace mailverdict::detect::sqlite
