// The PostgreSQL backend: closed statements (StatementStore). Appended only, in one chain:
// appends take one transaction-level advisory lock ("stmt" in ASCII), so that a closer reads the
// end of the chain and whether the month is closed after any other closer's append committed
// (write() is READ COMMITTED: each statement sees what committed before it); the unique indexes
// (contract and month, seq, previous digest) guard the rest.
#include "postgresql/pg_store.hpp"
#include "statement_chain.hpp"

namespace colosla::core::pg {

namespace {

constexpr const char* kStatementLock = "SELECT pg_advisory_xact_lock(1937010036)";

constexpr const char* kColumns =
    "SELECT seq, number, contract, month, document, closed_by, closed_at, as_of, inputs, "
    "previous_digest, digest FROM statement ";

std::vector<Statement> statements_of(const Rows& s) {
  std::vector<Statement> out;
  out.reserve(static_cast<std::size_t>(s.size()));
  for (int i = 0; i < s.size(); ++i) {
    Statement st;
    st.seq = s.integer(i, 0);
    st.number = s.str(i, 1);
    st.contract = s.str(i, 2);
    st.month = s.str(i, 3);
    st.document = s.str(i, 4);
    st.closed_by = s.str(i, 5);
    st.closed_at = s.time(i, 6);
    st.as_of = s.time(i, 7);
    st.inputs = s.str(i, 8);
    st.previous_digest = s.str(i, 9);
    st.digest = s.str(i, 10);
    out.push_back(std::move(st));
  }
  return out;
}

}  // namespace

Result<void> PgStore::append_statement(const Statement& st) {
  return write([&]() -> Result<void> {
    if (auto l = impl_->exec(kStatementLock); !l) {
      return l.error();
    }
    if (auto ok = check_append(*this, st); !ok) {
      return ok;
    }
    auto r = impl_->exec(
        "INSERT INTO statement(seq, number, contract, month, document, closed_by, closed_at, "
        "as_of, inputs, previous_digest, digest) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        Params()
            .add(st.seq)
            .add(st.number)
            .add(st.contract)
            .add(st.month)
            .add(st.document)
            .add(st.closed_by)
            .add(st.closed_at)
            .add(st.as_of)
            .add(st.inputs)
            .add(st.previous_digest)
            .add(st.digest));
    if (!r) {
      if (impl_->conn->sqlstate() == kUniqueViolation) {
        return make_error(Errc::conflict, "a statement with this month, number or place exists",
                          st.contract + " " + st.month);
      }
      return r.error();
    }
    return {};
  });
}

Result<std::vector<Statement>> PgStore::statements(
    const std::optional<std::string>& contract) const {
  auto rows = contract ? impl_->exec(std::string(kColumns) + "WHERE contract = $1 ORDER BY seq",
                                     Params().add(*contract))
                       : impl_->exec(std::string(kColumns) + "ORDER BY seq");
  if (!rows) {
    return rows.error();
  }
  return statements_of(*rows);
}

Result<std::optional<Statement>> PgStore::statement(const std::string& contract,
                                                    const std::string& month) const {
  auto rows = impl_->exec(std::string(kColumns) + "WHERE contract = $1 AND month = $2",
                          Params().add(contract).add(month));
  if (!rows) {
    return rows.error();
  }
  auto all = statements_of(*rows);
  return all.empty() ? std::nullopt : std::optional<Statement>(std::move(all.front()));
}

Result<std::optional<Statement>> PgStore::last_statement() const {
  auto rows = impl_->exec(std::string(kColumns) + "ORDER BY seq DESC LIMIT 1");
  if (!rows) {
    return rows.error();
  }
  auto all = statements_of(*rows);
  return all.empty() ? std::nullopt : std::optional<Statement>(std::move(all.front()));
}

}  // namespace colosla::core::pg
