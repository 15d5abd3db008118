// The PostgreSQL backend: records and port mapping changes (RecordStore).
#include "postgresql/pg_store.hpp"

namespace colosla::core::pg {

// -- records ---------------------------------------------------------------------------------

Result<std::vector<Record>> PgStore::records() const { return records_where(nullptr); }

Result<std::vector<Record>> PgStore::records_of(const std::string& contract) const {
  return records_where(&contract);
}

Result<std::vector<Record>> PgStore::records_where(const std::string* contract) const {
  // One contract's: its own and those for every contract (a correction or a withdrawal carries
  // its target's contract), through the index on contract.
  static constexpr const char* kColumns =
      "SELECT id, kind, retraction, supersedes, contract, at, until, guarantee, reason, channel, "
      "contact, approved_by, entered_by, entered_at, note, refers_to, method, mrtg_user, "
      "accepted, about, purpose, activity, needs, escort, badge FROM record ";
  auto rows = contract == nullptr
                  ? impl_->exec(std::string(kColumns) + "ORDER BY id")
                  : impl_->exec(std::string(kColumns) + "WHERE contract IN ($1, '') ORDER BY id",
                                Params().add(*contract));
  if (!rows) {
    return rows.error();
  }
  const Rows& s = *rows;
  std::vector<Record> out;
  out.reserve(static_cast<std::size_t>(s.size()));
  for (int i = 0; i < s.size(); ++i) {
    Record r;
    r.id = s.integer(i, 0);
    auto kind = parse_record_kind(s.str(i, 1));
    if (!kind) {
      return make_error(Errc::store, "the store holds a record of unknown kind", record_name(r.id));
    }
    r.kind = *kind;
    r.retraction = s.boolean(i, 2);
    r.supersedes = s.integer(i, 3);  // 0 when NULL
    r.contract = s.str(i, 4);
    r.at = s.time(i, 5);
    if (!s.null(i, 6)) {
      r.until = s.time(i, 6);
    }
    if (!s.null(i, 7)) {
      auto guarantee = parse_guarantee(s.str(i, 7));
      if (!guarantee) {
        return make_error(Errc::store, guarantee.error().msg, record_name(r.id));
      }
      r.guarantee = *guarantee;
    }
    if (!s.null(i, 8)) {
      auto reason = parse_exclusion_reason(s.str(i, 8));
      if (!reason) {
        return make_error(Errc::store, reason.error().msg, record_name(r.id));
      }
      r.reason = *reason;
    }
    if (!s.null(i, 9)) {
      auto channel = parse_channel(s.str(i, 9));
      if (!channel) {
        return make_error(Errc::store, channel.error().msg, record_name(r.id));
      }
      r.channel = *channel;
    }
    r.contact = s.str(i, 10);
    r.approved_by = s.str(i, 11);
    r.entered_by = s.str(i, 12);
    r.entered_at = s.time(i, 13);
    r.note = s.str(i, 14);
    r.refers_to = s.integer(i, 15);  // 0 when NULL
    if (!s.null(i, 16)) {
      auto method = parse_authorization_method(s.str(i, 16));
      if (!method) {
        return make_error(Errc::store, method.error().msg, record_name(r.id));
      }
      r.method = *method;
    }
    r.mrtg_user = s.str(i, 17);
    if (!s.null(i, 18)) {
      r.accepted = s.boolean(i, 18);
    }
    if (!s.null(i, 19)) {
      auto about = parse_complaint_about(s.str(i, 19));
      if (!about) {
        return make_error(Errc::store, about.error().msg, record_name(r.id));
      }
      r.about = *about;
    }
    r.purpose = s.str(i, 20);
    r.activity = s.str(i, 21);
    r.needs = s.str(i, 22);
    r.escort = s.str(i, 23);
    r.badge = s.str(i, 24);
    out.push_back(std::move(r));
  }
  return out;
}

Result<std::int64_t> PgStore::add_record(const Record& r) {
  Params p;
  p.add(to_string(r.kind)).add(r.retraction);
  r.supersedes != 0 ? p.add(r.supersedes) : p.null();
  p.add(r.contract).add(r.at);
  r.until ? p.add(*r.until) : p.null();
  r.guarantee ? p.add(to_string(*r.guarantee)) : p.null();
  r.reason ? p.add(to_string(*r.reason)) : p.null();
  r.channel ? p.add(to_string(*r.channel)) : p.null();
  p.add(r.contact).add(r.approved_by).add(r.entered_by).add(r.entered_at).add(r.note);
  r.refers_to != 0 ? p.add(r.refers_to) : p.null();
  r.method ? p.add(to_string(*r.method)) : p.null();
  p.add(r.mrtg_user);
  r.accepted ? p.add(*r.accepted) : p.null();
  r.about ? p.add(to_string(*r.about)) : p.null();
  p.add(r.purpose).add(r.activity).add(r.needs).add(r.escort).add(r.badge);
  // With its wake-up (docs/scale-out.md): sent if the insert commits.
  auto row = impl_->exec(
      "WITH r AS (INSERT INTO record(kind, retraction, supersedes, contract, at, until, "
      "guarantee, reason, channel, contact, approved_by, entered_by, entered_at, note, "
      "refers_to, method, mrtg_user, accepted, about, purpose, activity, needs, escort, badge) "
      "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, "
      "$19, $20, $21, $22, $23, $24) RETURNING id) "
      "SELECT id, pg_notify('colosla_records', 'record:' || id) FROM r",
      p);
  if (!row) {
    return row.error();
  }
  return row->integer(0, 0);
}

// -- port mapping ----------------------------------------------------------------------------

Result<std::vector<MappingChange>> PgStore::mapping_changes() const {
  auto rows = impl_->exec(
      "SELECT id, contract, device, interface, action, at, entered_by, entered_at, note "
      "FROM mapping_change ORDER BY id");
  if (!rows) {
    return rows.error();
  }
  const Rows& s = *rows;
  std::vector<MappingChange> out;
  out.reserve(static_cast<std::size_t>(s.size()));
  for (int i = 0; i < s.size(); ++i) {
    MappingChange c;
    c.id = s.integer(i, 0);
    c.contract = s.str(i, 1);
    c.port = PortRef{s.str(i, 2), s.str(i, 3)};
    c.action = s.text(i, 4) == "add" ? MappingAction::add : MappingAction::remove;
    c.at = s.time(i, 5);
    c.entered_by = s.str(i, 6);
    c.entered_at = s.time(i, 7);
    c.note = s.str(i, 8);
    out.push_back(std::move(c));
  }
  return out;
}

Result<std::int64_t> PgStore::add_mapping_change(const MappingChange& c) {
  auto row = impl_->exec(
      "WITH m AS (INSERT INTO mapping_change(contract, device, interface, action, at, "
      "entered_by, entered_at, note) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id) "
      "SELECT id, pg_notify('colosla_records', 'mapping:' || id) FROM m",
      Params()
          .add(c.contract)
          .add(c.port.device)
          .add(c.port.interface)
          .add(to_string(c.action))
          .add(c.at)
          .add(c.entered_by)
          .add(c.entered_at)
          .add(c.note));
  if (!row) {
    return row.error();
  }
  return row->integer(0, 0);
}

}  // namespace colosla::core::pg
