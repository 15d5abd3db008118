#include "statement_chain.hpp"

namespace colosla::core {

Result<void> check_append(const StatementStore& store, const Statement& st) {
  auto closed = store.statement(st.contract, st.month);
  if (!closed) {
    return closed.error();
  }
  if (*closed) {
    return make_error(
        Errc::conflict,
        st.contract + " " + st.month + " is closed already: statement " + (*closed)->number,
        st.contract);
  }
  auto last = store.last_statement();
  if (!last) {
    return last.error();
  }
  const std::int64_t seq = *last ? (*last)->seq + 1 : 1;
  const std::string previous = *last ? (*last)->digest : std::string();
  if (st.seq != seq || st.previous_digest != previous) {
    return make_error(Errc::conflict,
                      "another statement was closed meanwhile (the chain's end moved); close "
                      "again",
                      st.contract + " " + st.month);
  }
  return {};
}

}  // namespace colosla::core
