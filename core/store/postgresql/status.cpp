// The PostgreSQL backend: the contracts' figures (StatusCache) and the input marks.
#include "postgresql/pg_store.hpp"

namespace colosla::core::pg {

Result<std::optional<std::pair<Timestamp, std::string>>> PgStore::contract_status(
    const std::string& contract) const {
  // Its own time, or the last evaluation's when that judged everything unchanged since.
  auto rows = impl_->exec(
      "SELECT greatest(s.computed_at, coalesce((SELECT at FROM evaluation), 0)), s.status "
      "FROM contract_status s WHERE s.contract = $1",
      Params().add(contract));
  if (!rows) {
    return rows.error();
  }
  if (rows->empty()) {
    return std::optional<std::pair<Timestamp, std::string>>{};
  }
  return std::optional<std::pair<Timestamp, std::string>>{
      std::pair{rows->time(0, 0), rows->str(0, 1)}};
}

namespace {

// Every (contract, status) pair written at `at` in one statement: unnest of two arrays.
Result<void> store_statuses(PgStore::Impl& db,
                            const std::vector<std::pair<std::string, std::string>>& statuses,
                            Timestamp at) {
  if (statuses.empty()) {
    return {};
  }
  std::vector<std::string> contracts;
  std::vector<std::string> texts;
  contracts.reserve(statuses.size());
  texts.reserve(statuses.size());
  for (const auto& [contract, status] : statuses) {
    contracts.push_back(contract);
    texts.push_back(status);
  }
  // Later pairs of one contract win, as one statement per pair would have it.
  auto r = db.exec(
      "INSERT INTO contract_status(contract, computed_at, status) "
      "SELECT DISTINCT ON (c) c, $3::bigint, s FROM unnest($1::text[], $2::text[]) "
      "WITH ORDINALITY AS u(c, s, n) ORDER BY c, n DESC "
      "ON CONFLICT (contract) DO UPDATE SET computed_at = excluded.computed_at, "
      "status = excluded.status",
      Params().add(text_array(contracts)).add(text_array(texts)).add(at));
  if (!r) {
    return r.error();
  }
  return {};
}

}  // namespace

Result<void> PgStore::save_contract_statuses(
    const std::vector<std::pair<std::string, std::string>>& statuses, Timestamp computed_at) {
  return write([&]() -> Result<void> {
    if (auto r = impl_->exec("DELETE FROM contract_status"); !r) {
      return r.error();
    }
    if (auto r = store_statuses(*impl_, statuses, computed_at); !r) {
      return r;
    }
    return impl_->mark_evaluated(computed_at);
  });
}

Result<void> PgStore::update_contract_statuses(
    const std::vector<std::pair<std::string, std::string>>& changed, Timestamp computed_at) {
  return write([&]() -> Result<void> {
    if (auto r = store_statuses(*impl_, changed, computed_at); !r) {
      return r;
    }
    return impl_->mark_evaluated(computed_at);
  });
}

Result<void> PgStore::Impl::mark_evaluated(Timestamp at) {
  auto r = exec(
      "INSERT INTO evaluation(id, at) VALUES (1, $1) ON CONFLICT (id) DO UPDATE SET at = "
      "excluded.at",
      Params().add(at));
  if (!r) {
    return r.error();
  }
  return {};
}

Result<InputMarks> PgStore::input_marks() const {
  InputMarks marks;
  // One snapshot; the observation mark is the log's watermark (ObservationLog), not its
  // highest seq, which another writer may not have committed below.
  auto r = read([&]() -> Result<void> {
    auto rows = impl_->exec(
        "SELECT (SELECT coalesce(max(version), 0) FROM inventory_version), "
        "(SELECT coalesce(max(id), 0) FROM record), "
        "(SELECT coalesce(max(id), 0) FROM mapping_change)");
    if (!rows) {
      return rows.error();
    }
    marks.inventory = rows->integer(0, 0);
    marks.record = rows->integer(0, 1);
    marks.mapping = rows->integer(0, 2);
    auto seq = last_observation_seq();
    if (!seq) {
      return seq.error();
    }
    marks.observation = *seq;
    return {};
  });
  if (!r) {
    return r.error();
  }
  return marks;
}

}  // namespace colosla::core::pg
