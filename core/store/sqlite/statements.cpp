// The SQLite backend: closed statements (StatementStore). Appended only, in one chain: one
// writer at a time (BEGIN IMMEDIATE), so the end of the chain read inside the transaction is the
// end the new statement follows; the unique indexes (contract and month, seq, previous digest)
// guard the rest.
#include "sqlite/sql.hpp"
#include "sqlite/sqlite_store.hpp"
#include "statement_chain.hpp"

namespace colosla::core::sqlite {

namespace {

constexpr const char* kColumns =
    "SELECT seq, number, contract, month, document, closed_by, closed_at, as_of, inputs, "
    "previous_digest, digest FROM statement ";

Statement statement_of(const Stmt& s) {
  Statement out;
  out.seq = s.i64(0);
  out.number = s.str(1);
  out.contract = s.str(2);
  out.month = s.str(3);
  out.document = s.str(4);
  out.closed_by = s.str(5);
  out.closed_at = s.time(6);
  out.as_of = s.time(7);
  out.inputs = s.str(8);
  out.previous_digest = s.str(9);
  out.digest = s.str(10);
  return out;
}

Result<std::vector<Statement>> all_of(Stmt& s) {
  if (!s.ok()) {
    return s.error();
  }
  std::vector<Statement> out;
  int rc = 0;
  while ((rc = s.step()) == SQLITE_ROW) {
    out.push_back(statement_of(s));
  }
  if (rc != SQLITE_DONE) {
    return s.step_error();
  }
  return out;
}

}  // namespace

Result<void> SqliteStore::append_statement(const Statement& st) {
  return write([&]() -> Result<void> {
    if (auto ok = check_append(*this, st); !ok) {
      return ok;
    }
    Stmt add(impl_->db,
             "INSERT INTO statement(seq, number, contract, month, document, closed_by, closed_at, "
             "as_of, inputs, previous_digest, digest) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    if (!add.ok()) {
      return add.error();
    }
    return add.bind(1, st.seq)
        .bind(2, st.number)
        .bind(3, st.contract)
        .bind(4, st.month)
        .bind(5, st.document)
        .bind(6, st.closed_by)
        .bind(7, st.closed_at)
        .bind(8, st.as_of)
        .bind(9, st.inputs)
        .bind(10, st.previous_digest)
        .bind(11, st.digest)
        .exec();
  });
}

Result<std::vector<Statement>> SqliteStore::statements(
    const std::optional<std::string>& contract) const {
  if (!contract) {
    Stmt s(impl_->db, (std::string(kColumns) + "ORDER BY seq").c_str());
    return all_of(s);
  }
  Stmt s(impl_->db, (std::string(kColumns) + "WHERE contract = ? ORDER BY seq").c_str());
  if (s.ok()) {
    s.bind(1, *contract);
  }
  return all_of(s);
}

Result<std::optional<Statement>> SqliteStore::statement(const std::string& contract,
                                                        const std::string& month) const {
  Stmt s(impl_->db, (std::string(kColumns) + "WHERE contract = ? AND month = ?").c_str());
  if (s.ok()) {
    s.bind(1, contract).bind(2, month);
  }
  auto rows = all_of(s);
  if (!rows) {
    return rows.error();
  }
  return rows->empty() ? std::nullopt : std::optional<Statement>(rows->front());
}

Result<std::optional<Statement>> SqliteStore::last_statement() const {
  Stmt s(impl_->db, (std::string(kColumns) + "ORDER BY seq DESC LIMIT 1").c_str());
  auto rows = all_of(s);
  if (!rows) {
    return rows.error();
  }
  return rows->empty() ? std::nullopt : std::optional<Statement>(rows->front());
}

}  // namespace colosla::core::sqlite
