// Closed statements: the documents, the digests and the chain (docs/statements.md). The month's
// figures are the report's own: `colosla report --format json` computes and writes them
// (month_report, make_report_writer), and a statement freezes the contract's object of that JSON
// as it is, whatever keys it has. SHA-256 is OpenSSL's libcrypto.
#include "colosla/services/statements.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "colosla/base/calendar.hpp"
#include "colosla/base/money.hpp"
#include "colosla/services/operations.hpp"
#include "colosla/sla/report_format.hpp"

namespace colosla::core {

namespace {

using json = nlohmann::json;

// The lease a closer holds while it closes (one closer at a time across a cluster), and for how
// long: a close takes seconds; a closer that died leaves it to the next after this.
constexpr const char* kCloseLease = "month-close";
constexpr std::chrono::seconds kCloseLeaseTtl{300};

std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::strict); }

Result<json> parse_json(std::string_view text, const std::string& what) {
  try {
    return json::parse(text);
  } catch (const json::exception& e) {
    return make_error(Errc::invalid_input, std::string("not JSON: ") + e.what(), what);
  }
}

// A decimal amount with an optional sign ("-33.33"), in minor units.
Result<std::int64_t> signed_money(const json& v, const std::string& currency) {
  if (!v.is_string()) {
    return make_error(Errc::invalid_input, "an amount is not a decimal string");
  }
  std::string_view text = v.get_ref<const std::string&>();
  const bool negative = !text.empty() && text.front() == '-';
  auto m = parse_money(negative ? text.substr(1) : text, currency);
  if (!m) {
    return m.error();
  }
  return negative ? -*m : *m;
}

// The month's contract objects as `colosla report --format json` writes them.
Result<std::vector<json>> contract_reports(const Store& store, std::chrono::year_month month,
                                           Timestamp as_of,
                                           const std::optional<std::string>& contract) {
  std::ostringstream text;
  auto writer = make_report_writer("json", text);
  writer->begin(month, as_of);
  auto r = month_report(store, month, as_of, contract,
                        [&](const ContractReport& c) { writer->contract(c); });
  if (!r) {
    return r.error();
  }
  writer->end();
  auto all = parse_json(text.str(), "the month's report");
  if (!all) {
    return all.error();
  }
  std::vector<json> out;
  for (auto& c : (*all)["contracts"]) {
    out.push_back(std::move(c));
  }
  return out;
}

json record_json(const Record& r) {
  json j;
  j["id"] = r.id;
  j["kind"] = std::string(to_string(r.kind));
  j["retraction"] = r.retraction;
  j["supersedes"] = r.supersedes;
  j["contract"] = r.contract;
  j["at"] = format_time_utc(r.at);
  j["until"] = r.until ? json(format_time_utc(*r.until)) : json(nullptr);
  j["guarantee"] = r.guarantee ? json(std::string(to_string(*r.guarantee))) : json(nullptr);
  j["reason"] = r.reason ? json(std::string(to_string(*r.reason))) : json(nullptr);
  j["channel"] = r.channel ? json(std::string(to_string(*r.channel))) : json(nullptr);
  j["contact"] = r.contact;
  j["approved-by"] = r.approved_by;
  j["entered-by"] = r.entered_by;
  j["entered-at"] = format_time_utc(r.entered_at);
  j["note"] = r.note;
  return j;
}

// "record #17: customer report for network at 2026-10-20T10:00:00+08:00 entered
// 2026-12-02T09:00:00+08:00 by ops".
std::string record_words(const Record& r, const Zone& z) {
  std::string kind(to_string(r.kind));
  std::replace(kind.begin(), kind.end(), '-', ' ');
  std::string out = record_name(r.id) + ": ";
  if (r.retraction) {
    out += "withdrawal of " + record_name(r.supersedes) + " (" + kind + ")";
  } else {
    out += kind;
    if (r.supersedes != 0) {
      out += " correcting " + record_name(r.supersedes);
    }
    if (r.guarantee) {
      out += " for " + std::string(to_string(*r.guarantee));
    }
    out += (r.until ? " from " : " at ") + format_time(r.at, z);
    if (r.until) {
      out += " to " + format_time(*r.until, z);
    }
  }
  return out + " entered " + format_time(r.entered_at, z) + " by " + r.entered_by;
}

// What the store holds when a month is frozen: the marks and the inventory's digest, read once
// in the snapshot the reports are computed from.
struct Snapshot {
  InputMarks marks;
  std::string inventory_sha256;
  std::vector<Record> records;  // every record (in force or not)
  const Inventory* inventory = nullptr;
};

// The inputs of one contract's statement (docs/statements.md, "Inputs").
json inputs_json(const Snapshot& snap, const std::string& contract) {
  json in_force = json::array();
  json ids = json::array();
  for (const Record& r : effective_records(snap.records)) {
    if (r.contract == contract || r.contract.empty()) {
      in_force.push_back(record_json(r));
      ids.push_back(r.id);
    }
  }
  json j;
  j["inventory-version"] = snap.marks.inventory;
  j["inventory-sha256"] = snap.inventory_sha256;
  j["observation-seq"] = snap.marks.observation;
  j["record-id"] = snap.marks.record;
  j["mapping-id"] = snap.marks.mapping;
  j["records-in-force"] = ids;
  j["records-sha256"] = sha256_hex(dump(in_force));
  return j;
}

std::int64_t record_mark(const std::string& inputs) {
  auto j = parse_json(inputs, "inputs");
  return j && j->contains("record-id") ? (*j)["record-id"].get<std::int64_t>() : 0;
}

// The figures of a month's report that an adjustment follows beside the credit (SPEC §7b: a
// record that changes a closed month's figures is carried, even when the money stays).
json figures_of(const json& report) {
  const auto seconds = [&](const char* guarantee) {
    const json& g = report.value(guarantee, json::object());
    return g.value("counted-seconds", std::int64_t{0});
  };
  return json{
      {"network-counted-seconds", seconds("network")},
      {"power-counted-seconds", seconds("power")},
      {"notification-deduction-days", report.value("notification-deduction-days", std::int64_t{0})},
      {"installation-late", report.value("installation", json::object()).value("late", false)}};
}

// "network counted 0 min -> 30 min; ..." for the figures that differ.
std::string figure_changes(const json& before, const json& after) {
  std::string out;
  const auto add = [&](const std::string& what, const std::string& from, const std::string& to) {
    out += (out.empty() ? "" : "; ") + what + " " + from + " -> " + to;
  };
  const auto minutes = [](const json& v) {
    return std::to_string(v.get<std::int64_t>() / 60) + " min";
  };
  for (const auto& [key, words] :
       {std::pair<const char*, const char*>{"network-counted-seconds", "network counted"},
        {"power-counted-seconds", "power counted"}}) {
    if (before.value(key, json()) != after.value(key, json())) {
      add(words, minutes(before.value(key, json(0))), minutes(after.value(key, json(0))));
    }
  }
  if (before.value("notification-deduction-days", json()) !=
      after.value("notification-deduction-days", json())) {
    add("deduction days", before.value("notification-deduction-days", json(0)).dump(),
        after.value("notification-deduction-days", json(0)).dump());
  }
  if (before.value("installation-late", json()) != after.value("installation-late", json())) {
    const auto late = [](const json& v) {
      return v.is_boolean() && v.get<bool>() ? "late" : "on time";
    };
    add("installation", late(before.value("installation-late", json())),
        late(after.value("installation-late", json())));
  }
  return out;
}

// The adjustments a statement of `month` carries for the contract's earlier closed months: each
// month whose credit or figures (figures_of) now (as of `as_of`) differ from what was frozen
// plus what later statements carried already.
Result<json> adjustments_for(const Store& store, const Snapshot& snap, const std::string& contract,
                             std::chrono::year_month month, Timestamp as_of, const Zone& z) {
  auto mine = store.statements(contract);
  if (!mine) {
    return mine.error();
  }
  std::vector<std::pair<Statement, json>> docs;
  for (const Statement& s : *mine) {
    auto d = parse_json(s.document, s.number);
    if (!d) {
      return d.error();
    }
    docs.emplace_back(s, std::move(*d));
  }
  const std::string this_month = format_month(month);
  json out = json::array();
  for (const auto& [s, doc] : docs) {
    if (s.month >= this_month) {
      continue;
    }
    const std::string currency = doc.value("currency", "CNY");
    auto frozen = signed_money(doc["report"]["credit"]["total"], currency);
    if (!frozen) {
      return make_error(Errc::invalid_input, frozen.error().msg, s.number);
    }
    std::int64_t carried = 0;
    std::int64_t cause_after = record_mark(s.inputs);
    json base_figures = figures_of(doc["report"]);
    for (const auto& [t, tdoc] : docs) {
      for (const auto& a : tdoc.value("adjustments", json::array())) {
        if (a.value("month", "") == s.month) {
          auto amount = signed_money(a["amount"], currency);
          if (!amount) {
            return make_error(Errc::invalid_input, amount.error().msg, t.number);
          }
          carried += *amount;
          cause_after = std::max(cause_after, record_mark(t.inputs));
          if (a.contains("figures-after")) {
            base_figures = a["figures-after"];  // statements are in chain order: the latest wins
          }
        }
      }
    }
    auto ym = parse_month(s.month);
    if (!ym) {
      return make_error(Errc::invalid_input, ym.error().msg, s.number);
    }
    auto now = contract_reports(store, *ym, as_of, contract);
    if (!now) {
      return now.error();
    }
    if (now->empty()) {
      continue;  // the contract is gone from the inventory: nothing to compare with
    }
    auto current = signed_money(now->front()["credit"]["total"], currency);
    if (!current) {
      return current.error();
    }
    const std::int64_t before = *frozen + carried;
    const json figures = figures_of(now->front());
    if (*current == before && figures == base_figures) {
      continue;
    }
    // The records entered since that can bear on that month: dated in it or within the report
    // window after its end (a customer report comes after its outage), and every correction or
    // withdrawal. When none is, every record entered since.
    const Window w = month_window(*ym, z);
    const Contract* c = snap.inventory->find_contract(contract);
    const std::chrono::days after{c != nullptr ? c->sla.report_window_days + 1 : 6};
    std::string cause;
    std::string any;
    for (const Record& r : snap.records) {
      if (r.id <= cause_after || (r.contract != contract && !r.contract.empty())) {
        continue;
      }
      const bool bears = r.retraction || r.supersedes != 0 ||
                         (r.at < w.end + after && r.until.value_or(r.at) >= w.begin);
      std::string& into = bears ? cause : any;
      into += (into.empty() ? "" : "; ") + record_words(r, z);
    }
    if (cause.empty()) {
      cause = any;
    }
    if (cause.empty()) {
      cause = "no record entered since " + s.number +
              "; the observations, the port mapping or the inventory changed after it was closed";
    }
    out.push_back(json{{"month", s.month},
                       {"statement", s.number},
                       {"cause", cause},
                       {"before", format_money(before, currency)},
                       {"after", format_money(*current, currency)},
                       {"amount", format_money(*current - before, currency)},
                       {"changes", figure_changes(base_figures, figures)},
                       {"figures-before", base_figures},
                       {"figures-after", figures}});
  }
  return out;
}

// A contract's month as a close would freeze it now: the document kept in the row, and the
// inputs.
struct Draft {
  std::string contract;
  json document;
  json inputs;
};

Result<Snapshot> snapshot_of(const Store& store, const Inventory& inventory) {
  Snapshot snap;
  snap.inventory = &inventory;
  auto marks = store.input_marks();
  if (!marks) {
    return marks.error();
  }
  snap.marks = *marks;
  auto rec = store.inventory_record(Secrets::withhold);
  if (!rec) {
    return rec.error();
  }
  snap.inventory_sha256 = *rec ? sha256_hex((*rec)->document) : std::string();
  auto records = store.records();
  if (!records) {
    return records.error();
  }
  snap.records = std::move(*records);
  return snap;
}

Result<Draft> draft_of(const Store& store, const Snapshot& snap, json report,
                       std::chrono::year_month month, Timestamp as_of) {
  Draft d;
  d.contract = report.value("id", "");
  const Contract* c = snap.inventory->find_contract(d.contract);
  if (c == nullptr) {
    return make_error(Errc::not_found, "no such contract in the inventory", d.contract);
  }
  auto zone = Zone::locate(report.value("time-zone", "UTC"));
  if (!zone) {
    return zone.error();
  }
  const std::string currency = report["credit"].value("currency", c->currency);
  auto credit = signed_money(report["credit"]["total"], currency);
  if (!credit) {
    return make_error(Errc::invalid_input, credit.error().msg, d.contract);
  }
  auto adjustments = adjustments_for(store, snap, d.contract, month, as_of, *zone);
  if (!adjustments) {
    return adjustments.error();
  }
  std::int64_t total = *credit;
  for (const auto& a : *adjustments) {
    auto amount = signed_money(a["amount"], currency);
    if (!amount) {
      return amount.error();
    }
    total += *amount;
  }
  d.document = json{{"report", std::move(report)},
                    {"adjustments", std::move(*adjustments)},
                    {"currency", currency},
                    {"monthly-fee", format_money(c->monthly_fee, currency)},
                    {"total", format_money(total, currency)}};
  d.inputs = inputs_json(snap, d.contract);
  return d;
}

// The drafts of the listed contracts, from one snapshot of the store.
Result<std::vector<Draft>> drafts(const Store& store, std::chrono::year_month month,
                                  Timestamp as_of, const std::optional<std::string>& contract,
                                  const std::function<Result<void>(const json&)>& check) {
  std::vector<Draft> out;
  auto r = store.read([&]() -> Result<void> {
    auto inventory = store.load_inventory(Secrets::withhold);
    if (!inventory) {
      return inventory.error();
    }
    if (!*inventory) {
      return make_error(Errc::not_found, "no inventory is loaded");
    }
    auto snap = snapshot_of(store, **inventory);
    if (!snap) {
      return snap.error();
    }
    auto reports = contract_reports(store, month, as_of, contract);
    if (!reports) {
      return reports.error();
    }
    for (auto& report : *reports) {
      if (report["period"].is_null()) {
        if (contract) {
          return make_error(Errc::invalid_input,
                            "the contract has no day in force in " + format_month(month),
                            *contract);
        }
        continue;  // not in force that month: nothing to close
      }
      if (auto ok = check(report); !ok) {
        return ok.error();
      }
      auto d = draft_of(store, *snap, std::move(report), month, as_of);
      if (!d) {
        return d.error();
      }
      out.push_back(std::move(*d));
    }
    return {};
  });
  if (!r) {
    return r.error();
  }
  return out;
}

json statement_head(const Statement& s, const json& doc) {
  return json{{"number", s.number},
              {"contract", s.contract},
              {"month", s.month},
              {"closed-at", format_time_utc(s.closed_at)},
              {"closed-by", s.closed_by},
              {"as-of", format_time_utc(s.as_of)},
              {"digest", s.digest},
              {"previous-digest", s.previous_digest},
              {"currency", doc.value("currency", "")},
              {"monthly-fee", doc.value("monthly-fee", "")},
              {"total", doc.value("total", "")}};
}

json shown(json statement, json doc, std::string_view language) {
  return json{{"statement", std::move(statement)},
              {"report", std::move(doc["report"])},
              {"adjustments", std::move(doc["adjustments"])},
              {"language", std::string(language)}};
}

}  // namespace

Result<std::string> canonical_json(std::string_view text) {
  auto j = parse_json(text, "canonical JSON");
  if (!j) {
    return j.error();
  }
  try {
    return dump(*j);
  } catch (const json::exception& e) {
    return make_error(Errc::invalid_input, std::string("not UTF-8: ") + e.what());
  }
}

std::string sha256_hex(std::string_view bytes) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
  unsigned int size = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), md.data(), &size, EVP_sha256(), nullptr) != 1) {
    throw std::runtime_error("OpenSSL's SHA-256 failed");  // never seen: no input can cause it
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < size; ++i) {
    out += kHex[md[i] >> 4];
    out += kHex[md[i] & 0xf];
  }
  return out;
}

Result<std::string> statement_digest(const Statement& s) {
  auto document = parse_json(s.document, s.number + " document");
  if (!document) {
    return document.error();
  }
  auto inputs = parse_json(s.inputs, s.number + " inputs");
  if (!inputs) {
    return inputs.error();
  }
  json j{{"seq", s.seq},
         {"number", s.number},
         {"contract", s.contract},
         {"month", s.month},
         {"document", std::move(*document)},
         {"closed-by", s.closed_by},
         {"closed-at", format_time_utc(s.closed_at)},
         {"as-of", format_time_utc(s.as_of)},
         {"inputs", std::move(*inputs)},
         {"previous-digest", s.previous_digest}};
  try {
    return sha256_hex(dump(j));
  } catch (const json::exception& e) {
    return make_error(Errc::invalid_input, std::string("not UTF-8: ") + e.what(), s.number);
  }
}

std::string statement_number(std::string_view month, std::int64_t seq) {
  std::string n = std::to_string(seq);
  if (n.size() < 6) {
    n.insert(0, 6 - n.size(), '0');
  }
  return "ST-" + std::string(month) + "-" + n;
}

Result<std::vector<Statement>> close_month(Store& store, const CloseRequest& request,
                                           const Clock& clock) {
  const Timestamp now = clock.now();
  const std::string month = format_month(request.month);
  if (request.as_of > now) {
    // What is frozen must have happened: an outage still open would be counted up to a time
    // that has not come, and records yet to be entered would be missing without a trace.
    return make_error(Errc::invalid_input, "--as-of " + format_time_utc(request.as_of) +
                                               " is after the time of closing (" +
                                               format_time_utc(now) +
                                               "): a statement holds only what has happened");
  }
  // One closer at a time across the cluster (a singleton, as evaluate's leader is); the unique
  // index on (contract, month) and the chain's checks hold without it too.
  const std::string holder = lease_holder_name();
  auto lease = store.acquire_lease(kCloseLease, holder, kCloseLeaseTtl, now);
  if (!lease) {
    return lease.error();
  }
  if (lease->holder != holder) {
    return make_error(Errc::conflict, "another colosla is closing months: the lease " +
                                          std::string(kCloseLease) + " is held by " +
                                          lease->holder + " until " +
                                          format_time_utc(lease->expires));
  }
  struct Release {
    Store& store;
    const std::string& holder;
    std::int64_t epoch;
    Timestamp now;
    ~Release() {
      (void)store.fence_writes(std::nullopt);
      (void)store.release_lease(kCloseLease, holder, epoch, now);
    }
  } release{store, holder, lease->epoch, now};
  if (auto f =
          store.fence_writes(LeaseFence{kCloseLease, holder, lease->epoch, kCloseLeaseTtl, &clock});
      !f) {
    return f.error();
  }

  auto made = drafts(
      store, request.month, request.as_of, request.contract,
      [&](const json& report) -> Result<void> {
        const std::string id = report.value("id", "");
        auto closed = store.statement(id, month);
        if (!closed) {
          return closed.error();
        }
        if (*closed) {
          return make_error(Errc::conflict,
                            month + " is closed already: statement " + (*closed)->number, id);
        }
        auto zone = Zone::locate(report.value("time-zone", "UTC"));
        if (!zone) {
          return zone.error();
        }
        const Timestamp end = month_window(request.month, *zone).end;
        if (request.as_of < end) {
          return make_error(Errc::invalid_input,
                            "--as-of " + format_time(request.as_of, *zone) + " is before " + month +
                                " ends (" + format_time(end, *zone) +
                                "): a month is closed once it has ended",
                            id);
        }
        return {};
      });
  if (!made) {
    return made.error();
  }
  std::vector<Statement> out;
  auto w = store.write([&]() -> Result<void> {
    auto last = store.last_statement();
    if (!last) {
      return last.error();
    }
    std::int64_t seq = *last ? (*last)->seq : 0;
    std::string previous = *last ? (*last)->digest : std::string();
    for (const Draft& d : *made) {
      Statement s;
      s.seq = ++seq;
      s.number = statement_number(month, s.seq);
      s.contract = d.contract;
      s.month = month;
      s.document = dump(d.document);
      s.closed_by = request.by;
      s.closed_at = now;
      s.as_of = request.as_of;
      s.inputs = dump(d.inputs);
      s.previous_digest = previous;
      auto digest = statement_digest(s);
      if (!digest) {
        return digest.error();
      }
      s.digest = *digest;
      if (auto a = store.append_statement(s); !a) {
        return a;
      }
      previous = s.digest;
      out.push_back(std::move(s));
    }
    return {};
  });
  if (!w) {
    return w.error();
  }
  return out;
}

Result<std::string> statement_document(const Statement& s, std::string_view language) {
  auto doc = parse_json(s.document, s.number);
  if (!doc) {
    return doc.error();
  }
  json head = statement_head(s, *doc);
  return dump(shown(std::move(head), std::move(*doc), language));
}

Result<std::string> statement_document(const Store& store, const std::string& contract,
                                       std::chrono::year_month month, std::string_view language,
                                       const Clock& clock) {
  auto closed = store.statement(contract, format_month(month));
  if (!closed) {
    return closed.error();
  }
  if (*closed) {
    return statement_document(**closed, language);
  }
  auto made =
      drafts(store, month, clock.now(), contract, [](const json&) -> Result<void> { return {}; });
  if (!made) {
    return made.error();
  }
  if (made->empty()) {
    return make_error(Errc::not_found, "no such contract", contract);
  }
  return dump(shown(nullptr, std::move(made->front().document), language));
}

Result<ChainCheck> verify_statements(const Store& store) {
  auto all = store.statements(std::nullopt);
  if (!all) {
    return all.error();
  }
  ChainCheck out;
  std::string previous;
  std::int64_t seq = 0;
  for (const Statement& s : *all) {
    ++seq;
    std::string why;
    if (s.seq != seq) {
      why = "its place in the chain is " + std::to_string(s.seq) + " where " + std::to_string(seq) +
            " was expected: a statement before it is missing";
    } else if (s.previous_digest != previous) {
      why = "its previous digest " + s.previous_digest + " is not the digest of the statement " +
            "before it (" + (previous.empty() ? std::string("none") : previous) + ")";
    } else {
      auto digest = statement_digest(s);
      if (!digest) {
        why = "its content cannot be read: " + digest.error().msg;
      } else if (*digest != s.digest) {
        why = "its digest " + s.digest + " does not match its content (" + *digest + ")";
      }
    }
    if (!why.empty()) {
      out.broken = s;
      out.why = why;
      return out;
    }
    ++out.count;
    previous = s.digest;
  }
  out.last_digest = previous;
  return out;
}

}  // namespace colosla::core
