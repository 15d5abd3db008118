// What every backend does alike with the inventory's rows (inventory_rows.hpp).
#include "inventory_rows.hpp"

#include <nlohmann/json.hpp>

#include <map>
#include <sstream>

#include "sealing.hpp"

namespace colosla::core {

std::string join_lines(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) {
    s += (s.empty() ? "" : "\n") + x;
  }
  return s;
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string cur;
  std::istringstream in(s);
  while (std::getline(in, cur, sep)) {
    if (!cur.empty()) {
      out.push_back(cur);
    }
  }
  return out;
}

std::string outlet_phases_text(const Device& d) {
  if (d.outlet_phases.empty()) {
    return {};
  }
  nlohmann::json phases = nlohmann::json::object();
  for (const auto& [outlet, phase] : d.outlet_phases) {
    phases[outlet] = phase;
  }
  return phases.dump();
}

Result<void> read_outlet_phases(Device& d, const std::string& text) {
  if (text.empty()) {
    return {};
  }
  try {
    const auto parsed = nlohmann::json::parse(text).get<std::map<std::string, int>>();
    for (const auto& [outlet, phase] : parsed) {
      d.outlet_phases[outlet] = static_cast<std::uint8_t>(phase);
    }
  } catch (const nlohmann::json::exception&) {
    return make_error(Errc::store, "the store holds unreadable outlet phases of a device");
  }
  return {};
}

std::string probe_services_text(const ProbeTarget& t) {
  std::string services;
  for (auto s : t.services) {
    services += (services.empty() ? "" : " ") + std::string(to_string(s));
  }
  return services;
}

Result<std::vector<ProbeService>> read_probe_services(const std::string& text) {
  std::vector<ProbeService> out;
  for (const auto& w : split(text, ' ')) {
    auto svc = parse_probe_service(w);
    if (!svc) {
      return svc.error();
    }
    out.push_back(*svc);
  }
  return out;
}

std::string process_text(const Contract& c) {
  nlohmann::ordered_json j;
  j["mrtg-user"] = c.mrtg_user;
  j["mrtg-password-hash"] = c.mrtg_password_hash;
  j["language"] = c.language;
  j["customer-service"] = c.staff.customer_service;
  j["technical-support"] = c.staff.technical_support;
  j["feedback-minutes"] = c.sla.feedback_minutes;
  j["operation-report-hours"] = c.sla.operation_report_hours;
  j["written-confirmation-hours"] = c.sla.written_confirmation_hours;
  j["complaint-report-hours"] = c.sla.complaint_report_hours;
  return j.dump();
}

Result<void> read_process(Contract& c, const std::string& text) {
  if (text.empty()) {
    return {};
  }
  try {
    const auto j = nlohmann::json::parse(text);
    c.mrtg_user = j.value("mrtg-user", std::string());
    c.mrtg_password_hash = j.value("mrtg-password-hash", std::string());
    c.language = j.value("language", std::string("both"));
    c.staff.customer_service = j.value("customer-service", std::vector<std::string>{});
    c.staff.technical_support = j.value("technical-support", std::vector<std::string>{});
    c.sla.feedback_minutes = j.value("feedback-minutes", 30U);
    c.sla.operation_report_hours = j.value("operation-report-hours", 24U);
    c.sla.written_confirmation_hours = j.value("written-confirmation-hours", 24U);
    c.sla.complaint_report_hours = j.value("complaint-report-hours", 24U);
  } catch (const nlohmann::json::exception&) {
    return make_error(Errc::store, "the store holds unreadable process leaves of contract " + c.id);
  }
  return {};
}

Result<void> open_device_secrets(Device& d, const KeyReader& key) {
  for (auto& [value, context] : secrets_of(d)) {
    if (!key) {
      value->clear();
      continue;
    }
    if (!is_sealed(*value)) {
      continue;  // empty, or a store that was never upgraded by a writer
    }
    auto k = key();
    if (!k) {
      return k.error();
    }
    auto clear = (*k)->open(*value, context);
    if (!clear) {
      return clear.error();
    }
    *value = std::move(*clear);
  }
  return {};
}

Result<std::string> reveal_document(const std::string& document, const SecretKey* key) {
  nlohmann::ordered_json doc;
  try {
    doc = nlohmann::ordered_json::parse(document);
  } catch (const nlohmann::json::exception& e) {
    return make_error(
        Errc::store,
        std::string("the store holds an inventory document that is not JSON: ") + e.what());
  }
  auto opened =
      each_secret_leaf(doc, [&](std::string& v, const std::string& context) -> Result<void> {
        if (key == nullptr) {
          v = "(secret)";
          return {};
        }
        auto clear = key->open(v, context);
        if (!clear) {
          return clear.error();
        }
        v = std::move(*clear);
        return {};
      });
  if (!opened) {
    return opened.error();
  }
  return doc.dump();
}

}  // namespace colosla::core
