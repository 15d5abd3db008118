// Pieces of colosla nagios-config: Article 4's arithmetic, service templates, the NOC's contact.
#include "nagios_parts.hpp"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "cli.hpp"
#include "colosla/sinks/sink_options.hpp"

namespace colosla::cli {

namespace {

std::string trim(std::string_view s) {
  const auto b = s.find_first_not_of(" \t\r");
  if (b == std::string_view::npos) {
    return {};
  }
  return std::string(s.substr(b, s.find_last_not_of(" \t\r") - b + 1));
}

// A line without its comment: Nagios ends a value at the first ';' not escaped as "\;".
std::string uncommented(const std::string& line) {
  std::string out;
  for (std::size_t i = 0; i < line.size(); ++i) {
    if (line[i] == '\\' && i + 1 < line.size() && line[i + 1] == ';') {
      out += ';';
      ++i;
    } else if (line[i] == ';') {
      break;
    } else {
      out += line[i];
    }
  }
  return trim(out);
}

std::string seconds_text(double s) {
  std::ostringstream o;
  o << s;
  return o.str() + " s";
}

// The NOC contact's notifications (Debian's notify-*-by-email, shortened).
constexpr const char* kNocHostEmail =
    R"(/usr/bin/printf "%b" "***** colosla *****\n\nNotification Type: $NOTIFICATIONTYPE$\n)"
    R"(Host: $HOSTNAME$\nState: $HOSTSTATE$\nDate/Time: $LONGDATETIME$\n\n$HOSTOUTPUT$\n" | )"
    R"(/usr/bin/mail -s "** $NOTIFICATIONTYPE$ Host Alert: $HOSTNAME$ is $HOSTSTATE$ **" )"
    R"($CONTACTEMAIL$)";
constexpr const char* kNocServiceEmail =
    R"(/usr/bin/printf "%b" "***** colosla *****\n\nNotification Type: $NOTIFICATIONTYPE$\n)"
    R"(Service: $SERVICEDISPLAYNAME$\nState: $SERVICESTATE$\nDate/Time: $LONGDATETIME$\n\n)"
    R"($SERVICEOUTPUT$\n" | /usr/bin/mail -s "** $NOTIFICATIONTYPE$ )"
    R"(Service Alert: $SERVICEDISPLAYNAME$ is $SERVICESTATE$ **" $CONTACTEMAIL$)";

}  // namespace

void ServiceTemplates::read(std::istream& in, const std::string& file) {
  std::string line;
  int n = 0;
  bool in_service = false;
  bool in_other = false;
  std::string name;
  Template t;
  while (std::getline(in, line)) {
    ++n;
    const std::string l = uncommented(line);
    if (l.empty() || l.front() == '#') {
      continue;
    }
    if (!in_service && !in_other) {
      if (l.rfind("define", 0) == 0) {
        std::string kind = trim(l.substr(6));
        if (!kind.empty() && kind.back() == '{') {
          kind = trim(kind.substr(0, kind.size() - 1));
        }
        in_service = kind == "service";
        in_other = !in_service;
        name.clear();
        t = Template{};
      }
      continue;
    }
    if (l.front() == '}') {
      if (in_service && !name.empty()) {
        templates_[name] = t;
      }
      in_service = in_other = false;
      continue;
    }
    if (in_other) {
      continue;
    }
    const auto space = l.find_first_of(" \t");
    const std::string key = l.substr(0, space);
    const std::string value = space == std::string::npos ? "" : trim(l.substr(space));
    std::optional<double>* figure = nullptr;
    if (key == "check_interval" || key == "normal_check_interval") {
      figure = &t.own.check_interval;
    } else if (key == "retry_interval" || key == "retry_check_interval") {
      figure = &t.own.retry_interval;
    } else if (key == "max_check_attempts") {
      figure = &t.own.max_check_attempts;
    } else if (key == "first_notification_delay") {
      figure = &t.own.first_notification_delay;
    } else if (key == "name") {
      name = value;
    } else if (key == "use") {
      std::istringstream parents(value);
      for (std::string p; std::getline(parents, p, ',');) {
        if (const auto q = trim(p); !q.empty()) {
          t.use.push_back(q);
        }
      }
    }
    if (figure != nullptr) {
      double v = 0;
      const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
      if (ec != std::errc() || end != value.data() + value.size() || !std::isfinite(v) || v < 0) {
        throw UsageError(file + ":" + std::to_string(n) + ": " + key + ": not a number: \"" +
                         value + "\"");
      }
      *figure = v;
    }
  }
}

ServiceTiming ServiceTemplates::resolve(const std::string& name) const { return resolve(name, 0); }

ServiceTiming ServiceTemplates::resolve(const std::string& name, int depth) const {
  if (depth > 32) {
    throw UsageError("the service template " + name + " uses templates in a loop");
  }
  const auto it = templates_.find(name);
  if (it == templates_.end()) {
    throw UsageError("no service template named " + name + " in the --template-file files");
  }
  ServiceTiming t = it->second.own;
  for (const auto& parent : it->second.use) {
    const ServiceTiming p = resolve(parent, depth + 1);
    for (auto [mine, theirs] : {std::pair{&t.check_interval, &p.check_interval},
                                {&t.retry_interval, &p.retry_interval},
                                {&t.max_check_attempts, &p.max_check_attempts},
                                {&t.first_notification_delay, &p.first_notification_delay}}) {
      if (!*mine) {
        *mine = *theirs;
      }
    }
  }
  return t;
}

NotificationDelay notification_delay(const ServiceTiming& t, int unit, int evaluate_interval,
                                     int timeout) {
  const double u = unit;
  const double check = t.check_interval.value_or(5) * u;
  const double retry = t.retry_interval.value_or(1) * u;
  const double attempts = t.max_check_attempts.value_or(1);
  const double delay = t.first_notification_delay.value_or(0) * u;
  NotificationDelay d;
  d.seconds = evaluate_interval + check + std::max(0.0, attempts - 1) * retry + delay + timeout;
  std::ostringstream attempts_text;
  attempts_text << "(max_check_attempts " << attempts << " - 1) x retry_interval "
                << seconds_text(retry);
  d.terms = {"colosla-trapd's evaluate-interval " + std::to_string(evaluate_interval) + " s",
             "check_interval " + seconds_text(check), attempts_text.str(),
             "first_notification_delay " + seconds_text(delay),
             "check_colosla's timeout " + std::to_string(timeout) + " s"};
  return d;
}

// The NOC's contact group (colosla-noc) and its one contact, told of every colosla problem.
std::string noc_objects(const std::string& name, const std::string& email, bool stock) {
  std::ostringstream o;
  o << "# The NOC, told of every problem of these services (--contacts or --contact-groups name\n"
    << "# yours instead). Its address is " << email
    << (email == "root@localhost" ? ", a placeholder: set --noc-email" : "") << ".\n"
    << "define contactgroup {\n  contactgroup_name  colosla-noc\n  alias              colosla NOC\n"
    << "  members            " << name << "\n}\n\n"
    << "define contact {\n  contact_name                   " << name << "\n";
  if (stock) {
    // Debian's /etc/nagios4/objects/templates.cfg: 24x7, notify-service-by-email, ...
    o << "  use                            generic-contact\n";
  }
  o << "  alias                          colosla NOC\n  email                          " << email
    << "\n";
  if (!stock) {
    o << "  host_notifications_enabled     1\n  service_notifications_enabled  1\n"
      << "  host_notification_period       colosla-24x7\n"
      << "  service_notification_period    colosla-24x7\n"
      << "  host_notification_options      d,u,r\n  service_notification_options   w,u,c,r\n"
      << "  host_notification_commands     notify-host-colosla-by-email\n"
      << "  service_notification_commands  notify-service-colosla-by-email\n";
  }
  o << "}\n\n";
  if (!stock) {
    o << "define command {\n  command_name  notify-host-colosla-by-email\n  command_line  "
      << kNocHostEmail << "\n}\n\n"
      << "define command {\n  command_name  notify-service-colosla-by-email\n  command_line  "
      << kNocServiceEmail << "\n}\n\n";
  }
  return o.str();
}

// Article 4: the time Nagios may take to notify an emergency against each contract's window
// (notify-within-minutes), the same for all since every service has the same timing. Warnings
// go to stderr and, as comments, into the output.
std::string article4(const core::Inventory& inv, const std::optional<ServiceTiming>& timing,
                     int unit, int evaluate_interval, int timeout) {
  std::ostringstream o;
  if (!timing) {
    const std::string note =
        "the template's check_interval, retry_interval, max_check_attempts and "
        "first_notification_delay are unknown, so whether Nagios notifies an emergency within "
        "Article 4's window is not checked (give --template-file FILE)";
    std::cerr << "colosla nagios-config: note: " << note << "\n";
    o << "# Article 4: " << note << ".\n\n";
    return o.str();
  }
  const NotificationDelay d = notification_delay(*timing, unit, evaluate_interval, timeout);
  std::map<std::uint32_t, std::vector<std::string>> late;  // window (minutes) -> contracts
  for (const auto& c : inv.contracts) {
    if (d.seconds > c.sla.notify_within_minutes * 60.0) {
      late[c.sla.notify_within_minutes].push_back(c.id);
    }
  }
  std::ostringstream minutes;
  minutes.precision(1);
  minutes << std::fixed << d.seconds / 60;
  std::string sum;
  o << "# Article 4: from an emergency to Nagios' first notification of the emergency service\n"
    << "# (its HARD state) takes at most " << minutes.str() << " min, with interval_length " << unit
    << " s:\n";
  for (std::size_t i = 0; i < d.terms.size(); ++i) {
    o << "#   " << (i == 0 ? "  " : "+ ") << d.terms[i] << "\n";
    sum += (i == 0 ? "" : " + ") + d.terms[i];
  }
  for (const auto& [window, ids] : late) {
    std::string list;
    for (std::size_t i = 0; i < ids.size() && i < 5; ++i) {
      list += (i == 0 ? "" : ", ") + ids[i];
    }
    if (ids.size() > 5) {
      list += " and " + std::to_string(ids.size() - 5) + " more";
    }
    const std::string text =
        "Article 4: the customer of " + list + " must be told within " + std::to_string(window) +
        " min of an emergency, but Nagios may notify only after " + minutes.str() + " min (" + sum +
        ", with interval_length " + std::to_string(unit) +
        " s): lower check_interval, retry_interval, max_check_attempts or "
        "first_notification_delay";
    std::cerr << "colosla nagios-config: warning: " << text << "\n";
    o << "# WARNING: the customer of " << list << " must be told within " << window
      << " min of an emergency:\n# lower check_interval, retry_interval, max_check_attempts or "
      << "first_notification_delay.\n";
  }
  o << "\n";
  return o.str();
}

std::string icinga_string(const std::string& what, const std::string& text) {
  if (text.empty() || std::any_of(text.begin(), text.end(), [](char c) {
        return c == '"' || c == '\\' || c == '$' || static_cast<unsigned char>(c) < 0x20;
      })) {
    throw UsageError(what + ": not a value Icinga can take as it is: \"" + text + "\"");
  }
  return "\"" + text + "\"";
}

std::string icinga_host(const core::Inventory& inv, const std::string& host,
                        const std::map<std::string, std::string>& vars) {
  std::ostringstream o;
  o << "// colosla: " << inv.contracts.size()
    << (inv.contracts.size() == 1 ? " contract" : " contracts")
    << " (colosla nagios-config --icinga), for the CheckCommand \"colosla\" and the services\n"
    << "// of /usr/share/colosla/icinga2/command-colosla.conf and services-colosla.conf.\n"
    << "object Host " << icinga_string("--host", host) << " {\n"
    << "  display_name = \"colosla SLA store\"\n  address = \"127.0.0.1\"\n"
    << "  check_command = \"dummy\"\n";
  for (const auto& [name, value] : vars) {
    o << "  vars.colosla_" << name << " = " << value << "\n";
  }
  o << "  vars.colosla_contracts = [";
  for (std::size_t i = 0; i < inv.contracts.size(); ++i) {
    o << (i == 0 ? "" : ",") << (i % 8 == 0 ? "\n    " : " ")
      << icinga_string("contract", inv.contracts[i].id);
  }
  o << (inv.contracts.empty() ? "]\n" : "\n  ]\n") << "}\n";
  return o.str();
}

// nagios-config --icinga: the host of services-colosla.conf's services, its vars the contracts
// and the CheckCommand's variables of the options given.
int icinga_config(Context& ctx, const po::variables_map& vm) {
  for (const char* nagios_only :
       {"use", "template-file", "contacts", "contact-groups", "noc-contact", "noc-email",
        "use-stock-templates", "customer-contacts", "pager-command", "retry-interval",
        "max-check-attempts", "first-notification-delay", "check-colosla"}) {
    if (vm.count(nagios_only) != 0 && !vm[nagios_only].defaulted()) {
      throw UsageError(std::string("--") + nagios_only + " is for Nagios, not with --icinga");
    }
  }
  std::map<std::string, std::string> vars;
  std::error_code ec;
  vars["db"] = icinga_string("--db", std::filesystem::absolute(ctx.db, ec).string());
  if (!vm["timeout"].defaulted()) {
    vars["timeout"] = std::to_string(vm["timeout"].as<int>());
  }
  if (vm.count("status-dir") != 0) {
    vars["status_dir"] = icinga_string("--status-dir", vm["status-dir"].as<std::string>());
  }
  if (vm.count("unmonitored-warning") != 0) {
    vars["unmonitored_warning"] = std::to_string(vm["unmonitored-warning"].as<int>());
  }
  if (vm.count("no-now-warning") != 0) {
    vars["no_now_warning"] = "true";
  }
  auto opened = open_with_inventory(ctx, core::Store::Mode::read_only);
  if (!opened) {
    return kFailed;
  }
  std::string host = vm["host"].as<std::string>();
  if (vm.count("config") != 0 && vm["host"].defaulted()) {
    const std::string file = vm["config"].as<std::string>();
    std::ifstream in(file);
    if (!in) {
      return report(
          make_error(Errc::io, std::string("cannot read: ") + std::strerror(errno), file));
    }
    host = core::sink_options_from_config(in, file).nagios_host;
  }
  std::cout << icinga_host(opened->inventory, host, vars);
  return kOk;
}

}  // namespace colosla::cli
