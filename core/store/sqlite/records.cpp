// The SQLite backend: records and port mapping changes (RecordStore).
#include <algorithm>
#include <limits>
#include <map>
#include <optional>
#include <unordered_map>

#include "colosla/base/calendar.hpp"
#include "colosla/base/log.hpp"
#include "sqlite/sql.hpp"
#include "sqlite/sqlite_store.hpp"

namespace colosla::core::sqlite {

// -- records ---------------------------------------------------------------------------------

Result<std::vector<Record>> SqliteStore::records() const { return records_where(nullptr); }

Result<std::vector<Record>> SqliteStore::records_of(const std::string& contract) const {
  return records_where(&contract);
}

Result<std::vector<Record>> SqliteStore::records_where(const std::string* contract) const {
  // One contract's: its own and those for every contract (a correction or a withdrawal carries
  // its target's contract), through the index on contract.
  Stmt s(impl_->db,
         contract == nullptr
             ? "SELECT id, kind, retraction, supersedes, contract, at, until, guarantee, reason, "
               "channel, "
               "contact, approved_by, entered_by, entered_at, note, refers_to, method, mrtg_user, "
               "accepted, about, purpose, activity, needs, escort, badge FROM record ORDER BY id"
             : "SELECT id, kind, retraction, supersedes, contract, at, until, guarantee, reason, "
               "channel, "
               "contact, approved_by, entered_by, entered_at, note, refers_to, method, mrtg_user, "
               "accepted, about, purpose, activity, needs, escort, badge FROM record "
               "WHERE contract IN (?1, '') ORDER BY id");
  if (!s.ok()) {
    return s.error();
  }
  if (contract != nullptr) {
    s.bind(1, *contract);
  }
  std::vector<Record> out;
  int rc = 0;
  while ((rc = s.step()) == SQLITE_ROW) {
    Record r;
    r.id = s.i64(0);
    auto kind = parse_record_kind(s.str(1));
    if (!kind) {
      return make_error(Errc::store, "the store holds a record of unknown kind", record_name(r.id));
    }
    r.kind = *kind;
    r.retraction = s.boolean(2);
    r.supersedes = s.is_null(3) ? 0 : s.i64(3);
    r.contract = s.str(4);
    r.at = s.time(5);
    if (!s.is_null(6)) {
      r.until = s.time(6);
    }
    if (!s.is_null(7)) {
      r.guarantee = parse_guarantee(s.str(7)).value();
    }
    if (!s.is_null(8)) {
      auto reason = parse_exclusion_reason(s.str(8));
      if (!reason) {
        return make_error(Errc::store, reason.error().msg, record_name(r.id));
      }
      r.reason = *reason;
    }
    if (!s.is_null(9)) {
      auto channel = parse_channel(s.str(9));
      if (!channel) {
        return make_error(Errc::store, channel.error().msg, record_name(r.id));
      }
      r.channel = *channel;
    }
    r.contact = s.str(10);
    r.approved_by = s.str(11);
    r.entered_by = s.str(12);
    r.entered_at = s.time(13);
    r.note = s.str(14);
    r.refers_to = s.is_null(15) ? 0 : s.i64(15);
    if (!s.is_null(16)) {
      auto method = parse_authorization_method(s.str(16));
      if (!method) {
        return make_error(Errc::store, method.error().msg, record_name(r.id));
      }
      r.method = *method;
    }
    r.mrtg_user = s.str(17);
    if (!s.is_null(18)) {
      r.accepted = s.boolean(18);
    }
    if (!s.is_null(19)) {
      auto about = parse_complaint_about(s.str(19));
      if (!about) {
        return make_error(Errc::store, about.error().msg, record_name(r.id));
      }
      r.about = *about;
    }
    r.purpose = s.str(20);
    r.activity = s.str(21);
    r.needs = s.str(22);
    r.escort = s.str(23);
    r.badge = s.str(24);
    out.push_back(std::move(r));
  }
  if (rc != SQLITE_DONE) {
    return s.step_error();
  }
  return out;
}

Result<std::int64_t> SqliteStore::add_record(const Record& r) {
  Stmt s(impl_->db,
         "INSERT INTO record(kind, retraction, supersedes, contract, at, until, guarantee, reason, "
         "channel, contact, approved_by, entered_by, entered_at, note, refers_to, method, "
         "mrtg_user, accepted, about, purpose, activity, needs, escort, badge) "
         "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  if (!s.ok()) {
    return s.error();
  }
  s.bind(1, to_string(r.kind)).bind(2, r.retraction);
  r.supersedes != 0 ? s.bind(3, r.supersedes) : s.bind_null(3);
  s.bind(4, r.contract).bind(5, r.at);
  r.until ? s.bind(6, *r.until) : s.bind_null(6);
  r.guarantee ? s.bind(7, to_string(*r.guarantee)) : s.bind_null(7);
  r.reason ? s.bind(8, to_string(*r.reason)) : s.bind_null(8);
  r.channel ? s.bind(9, to_string(*r.channel)) : s.bind_null(9);
  s.bind(10, r.contact).bind(11, r.approved_by).bind(12, r.entered_by).bind(13, r.entered_at);
  s.bind(14, r.note);
  r.refers_to != 0 ? s.bind(15, r.refers_to) : s.bind_null(15);
  r.method ? s.bind(16, to_string(*r.method)) : s.bind_null(16);
  s.bind(17, r.mrtg_user);
  r.accepted ? s.bind(18, *r.accepted) : s.bind_null(18);
  r.about ? s.bind(19, to_string(*r.about)) : s.bind_null(19);
  s.bind(20, r.purpose).bind(21, r.activity).bind(22, r.needs).bind(23, r.escort);
  s.bind(24, r.badge);
  if (auto e = s.exec(); !e) {
    return e.error();
  }
  return sqlite3_last_insert_rowid(impl_->db);
}

// -- port mapping ----------------------------------------------------------------------------

Result<std::vector<MappingChange>> SqliteStore::mapping_changes() const {
  Stmt s(impl_->db,
         "SELECT id, contract, device, interface, action, at, entered_by, entered_at, note "
         "FROM mapping_change ORDER BY id");
  if (!s.ok()) {
    return s.error();
  }
  std::vector<MappingChange> out;
  int rc = 0;
  while ((rc = s.step()) == SQLITE_ROW) {
    MappingChange c;
    c.id = s.i64(0);
    c.contract = s.str(1);
    c.port = PortRef{s.str(2), s.str(3)};
    c.action = s.str(4) == "add" ? MappingAction::add : MappingAction::remove;
    c.at = s.time(5);
    c.entered_by = s.str(6);
    c.entered_at = s.time(7);
    c.note = s.str(8);
    out.push_back(std::move(c));
  }
  if (rc != SQLITE_DONE) {
    return s.step_error();
  }
  return out;
}

Result<std::int64_t> SqliteStore::add_mapping_change(const MappingChange& c) {
  Stmt s(impl_->db,
         "INSERT INTO mapping_change(contract, device, interface, action, at, entered_by, "
         "entered_at, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
  if (!s.ok()) {
    return s.error();
  }
  s.bind(1, c.contract).bind(2, c.port.device).bind(3, c.port.interface);
  s.bind(4, to_string(c.action)).bind(5, c.at).bind(6, c.entered_by).bind(7, c.entered_at);
  s.bind(8, c.note);
  if (auto e = s.exec(); !e) {
    return e.error();
  }
  return sqlite3_last_insert_rowid(impl_->db);
}

}  // namespace colosla::core::sqlite
