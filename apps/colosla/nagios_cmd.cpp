// colosla nagios-config: the Nagios objects of every contract (the passive results colosla
// evaluate writes are core/sinks' NagiosSink).
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "cli.hpp"
#include "colosla/judge/programs.hpp"
#include "colosla/sinks/sink_options.hpp"
#include "commands.hpp"
#include "nagios_parts.hpp"

namespace colosla::cli {

namespace {

constexpr const char* kGuarantees[] = {"network", "power", "emergency", "process"};

// Where the package installs check_colosla (the build may say: COLOSLA_INSTALLED_CHECK).
#ifdef COLOSLA_INSTALLED_CHECK
constexpr const char* kCheckColosla = COLOSLA_INSTALLED_CHECK;
#else
constexpr const char* kCheckColosla = "/usr/lib/nagios/plugins/check_colosla";
#endif

constexpr const char* kEmailCommand =
    R"(/usr/bin/mail -s "colosla: $SERVICEDISPLAYNAME$ is $SERVICESTATE$" $CONTACTEMAIL$)";

// What a Nagios object value cannot hold (";" starts a comment there), or acts inside a
// double-quoted word of the shell that runs a notification command. Contact names, addresses and
// customers come from the inventory, which allows them.
bool unsafe(char c) {
  return c == ';' || c == '"' || c == '$' || c == '`' || c == '\\' ||
         static_cast<unsigned char>(c) < 0x20;
}

bool nagios_safe(std::string_view text) {
  return !text.empty() && text.front() != ' ' && text.back() != ' ' &&
         std::none_of(text.begin(), text.end(), unsafe);
}

// The text with what is unsafe replaced (a display name, which the customer's message quotes).
std::string nagios_text(std::string text) {
  for (char& c : text) {
    if (unsafe(c)) {
      c = c == '"' ? '\'' : '_';
    }
  }
  return text;
}

// Article 4: a Nagios contact for every authorized contact of every contract, notified of that
// contract's emergency service. Its notification command pipes the message into `colosla notify
// send`, which runs the mail or pager command and records the notification when it succeeded.
struct CustomerContacts {
  std::string objects;                                    // commands, comments, contacts
  std::map<std::string, std::vector<std::string>> names;  // contract -> its contacts' contact_name
};

CustomerContacts customer_contacts(const core::Inventory& inv, const std::string& colosla,
                                   const std::string& db, const std::string& email_command,
                                   const std::optional<std::string>& pager_command) {
  CustomerContacts out;
  std::ostringstream o;
  const std::string message =
      R"(/usr/bin/printf "%b" "***** colosla *****\n\nNotification Type: $NOTIFICATIONTYPE$\n\n)"
      R"(Service: $SERVICEDISPLAYNAME$\nState: $SERVICESTATE$\n\nDate/Time: $LONGDATETIME$\n\n)"
      R"(Info:\n\n$SERVICEOUTPUT$\n" | )";
  const std::string send =
      colosla + " --db " + db +
      R"( notify send --contract "$_CONTACTCOLOSLA_CONTRACT$" --contact "$_CONTACTCOLOSLA_CONTACT$")"
      R"( --channel "$_CONTACTCOLOSLA_CHANNEL$" --type "$NOTIFICATIONTYPE$" -- )";
  o << "# Telling the customer (Article 4): a contact for each authorized contact of a\n"
    << "# contract, on its emergency service only. Its notification pipes the message into\n"
    << "# colosla notify send, which runs the mail or pager command and, when that succeeded,\n"
    << "# records the notification of a PROBLEM.\n"
    << "define command {\n  command_name  notify-customer-colosla-by-email\n  command_line  "
    << message << send << email_command << "\n}\n\n";
  if (pager_command) {
    o << "define command {\n  command_name  notify-customer-colosla-by-pager\n  command_line  "
      << message << send << *pager_command << "\n}\n\n";
  }
  bool by_hand = false;
  for (const auto& c : inv.contracts) {
    int n = 0;
    for (const auto& k : c.contacts) {
      ++n;
      if (!k.authorized) {
        continue;
      }
      const std::string channel(to_string(k.channel));
      const bool email = k.channel == core::Channel::email;
      // Told by hand: no command for the channel, or a name or address Nagios cannot hand over.
      std::string why;
      if (!nagios_safe(k.name) || !nagios_safe(k.address) ||
          (email && k.address.find(' ') != std::string::npos)) {
        why = "its name or address holds characters a Nagios notification cannot pass on";
      } else if (!email && !pager_command) {
        why = "no --pager-command was given";
      }
      const std::string name = "colosla-" + c.id + "-" + std::to_string(n);
      out.names[c.id].push_back(name);
      if (!why.empty()) {
        by_hand = true;
        o << "# " << c.id << ": " << nagios_text(k.name) << " (" << channel
          << ") must be told by hand (" << why << "),\n# within " << c.sla.notify_within_minutes
          << " minutes of an emergency, and that recorded:\n"
          << "#   colosla notify record --contract " << c.id << " --at T --channel " << channel
          << " --contact \"" << nagios_text(k.name) << "\"\n";
      }
      const char* command = !why.empty() ? "notify-customer-colosla-by-hand"
                            : email      ? "notify-customer-colosla-by-email"
                                         : "notify-customer-colosla-by-pager";
      const bool on = why.empty();
      const auto line = [&o](std::string_view directive, std::string_view value) {
        o << "  " << directive << std::string(31 - directive.size(), ' ') << value << "\n";
      };
      o << "define contact {\n";
      line("contact_name", name);
      line("alias", nagios_text(k.name) + " (" + c.id + ", " + channel + ")");
      if (nagios_safe(k.address)) {
        line(email ? "email" : "pager", k.address);
      }
      line("host_notifications_enabled", "0");
      line("service_notifications_enabled", on ? "1" : "0");
      line("host_notification_period", "colosla-24x7");
      line("service_notification_period", "colosla-24x7");
      line("host_notification_options", "n");
      line("service_notification_options", on ? "c,w,u,r" : "n");
      line("host_notification_commands", command);
      line("service_notification_commands", command);
      line("_COLOSLA_CONTRACT", c.id);
      if (nagios_safe(k.name)) {
        line("_COLOSLA_CONTACT", k.name);
      }
      line("_COLOSLA_CHANNEL", channel);
      o << "}\n";
    }
    if (out.names.count(c.id) == 0) {
      o << "# " << c.id
        << ": no authorized contact in the inventory, nobody to tell of an emergency\n";
    }
    o << "\n";
  }
  if (by_hand) {
    o << "# Contacts told by hand have notifications off; Nagios wants a command all the same.\n"
      << "define command {\n  command_name  notify-customer-colosla-by-hand\n"
      << "  command_line  /bin/true\n}\n\n";
  }
  out.objects = o.str();
  return out;
}

std::string word_list(const std::string& option, const std::string& value) {
  if (value.empty() || std::any_of(value.begin(), value.end(), [](char c) {
        return unsafe(c) || c == ' ' || c == '!' || c == '\'';
      })) {
    throw UsageError("--" + option + ": not a Nagios object name: \"" + value + "\"");
  }
  return value;
}

}  // namespace

// Host and service definitions for every contract: one host for the colosla store, one
// service a contract and guarantee, checked actively by check_colosla and fed passively by
// colosla evaluate --nagios-command-file as events happen; and what they refer to, so that the
// output alone passes nagios4 -v.
int nagios_config(Context& ctx) {
  po::options_description d("nagios-config");
  d.add_options()("host", po::value<std::string>()->default_value(core::SinkOptions{}.nagios_host),
                  "the Nagios host the services belong to (colosla evaluate's nagios-host)")(
      "icinga",
      "an Icinga 2 host listing the contracts instead, for the CheckCommand and services of "
      "/usr/share/colosla/icinga2 (with --host, --timeout and check_colosla's options)")(
      "config", po::value<std::string>(),
      "colosla-trapd's configuration file: its nagios-host is the host, unless --host is given")(
      "check-colosla", po::value<std::string>(),
      "check_colosla's path (default: beside colosla, else "
      "/usr/lib/nagios/plugins/check_colosla)")(
      "timeout", po::value<int>()->default_value(10),
      "check_colosla's -t, seconds (each service's _COLOSLA_TIMEOUT)")(
      "status-dir", po::value<std::string>(), "check_colosla's --status-dir")(
      "unmonitored-warning", po::value<int>(), "check_colosla's --unmonitored-warning MINUTES")(
      "no-now-warning", "check_colosla's --no-now-warning")(
      "check-interval", po::value<int>()->default_value(300), "seconds between active checks")(
      "retry-interval", po::value<int>(),
      "seconds between the checks that confirm a problem (default: --check-interval)")(
      "max-check-attempts", po::value<int>(),
      "checks until a problem is HARD and notified (default 1)")(
      "first-notification-delay", po::value<int>(),
      "seconds Nagios waits before a problem's first notification (default 0)")(
      "interval-length", po::value<int>()->default_value(60),
      "Nagios' interval_length, seconds (its time unit)")(
      "evaluate-interval", po::value<int>()->default_value(60),
      "colosla-trapd's evaluate-interval, seconds, for Article 4's arithmetic (default: "
      "--config's, "
      "else 60)")(
      "use", po::value<std::string>(),
      "a service template of yours instead of the full definitions (and your own host); "
      "timing options given are written beside it")(
      "template-file", po::value<std::vector<std::string>>(),
      "with --use: a Nagios object file defining the template (repeatable), whose timing is "
      "checked against Article 4's window")(
      "contacts", po::value<std::string>(),
      "existing contacts (comma-separated) of the host and services")(
      "contact-groups", po::value<std::string>(),
      "existing contact groups (comma-separated) of the host and services")(
      "noc-contact", po::value<std::string>()->default_value("colosla-noc"),
      "without --contacts, --contact-groups or --use: the contact of the colosla-noc group")(
      "noc-email", po::value<std::string>()->default_value("root@localhost"),
      "that contact's e-mail address")(
      "use-stock-templates",
      "that contact uses Debian's generic-contact (its 24x7 and notify-*-by-email) instead of "
      "definitions of its own")(
      "customer-contacts",
      "also a contact for each authorized contact of a contract, told of its emergencies "
      "(Article 4) through colosla notify send, which records it")(
      "email-command", po::value<std::string>()->default_value(kEmailCommand),
      "with --customer-contacts: the Nagios command line that sends the message on its stdin "
      "by e-mail")(
      "pager-command", po::value<std::string>(),
      "with --customer-contacts: the same for the other channels (mobile, pager, office-phone, "
      "fax); without it those contacts are told by hand");
  auto vm = parse(ctx, d);
  if (!vm) {
    return kOk;
  }
  const auto given = [&vm](const char* option) {
    return vm->count(option) != 0 && !(*vm)[option].defaulted();
  };
  const auto number = [&vm](const char* option) { return (*vm)[option].as<int>(); };
  if (vm->count("icinga") != 0) {
    return icinga_config(ctx, *vm);
  }
  const bool use = given("use");
  const bool noc = !use && !given("contacts") && !given("contact-groups");
  if (!noc && (given("noc-contact") || given("noc-email") || given("use-stock-templates"))) {
    throw UsageError(
        "--noc-contact, --noc-email and --use-stock-templates make nagios-config's own contact: "
        "not with --contacts, --contact-groups or --use");
  }
  if (given("template-file") && !use) {
    throw UsageError("--template-file goes with --use");
  }
  const std::string noc_name = word_list("noc-contact", (*vm)["noc-contact"].as<std::string>());
  const std::string noc_email = (*vm)["noc-email"].as<std::string>();
  if (!nagios_safe(noc_email) || noc_email.find(' ') != std::string::npos) {
    throw UsageError("--noc-email: not an e-mail address Nagios can pass on: \"" + noc_email +
                     "\"");
  }
  const int unit = number("interval-length");
  const int timeout = number("timeout");
  int evaluate_interval = number("evaluate-interval");
  if (unit <= 0 || number("check-interval") <= 0) {
    throw UsageError("--check-interval and --interval-length must be positive");
  }
  if (timeout <= 0 || timeout > 3600) {
    throw UsageError("--timeout must be 1 to 3600 seconds");
  }
  // Seconds to Nagios' units, rounded up (a check never more often than asked).
  const auto units = [unit](int seconds) { return (seconds + unit - 1) / unit; };
  ServiceTiming written;  // what the services say, in Nagios' units
  if (!use || given("check-interval")) {
    written.check_interval = std::max(1, units(number("check-interval")));
  }
  if (given("retry-interval")) {
    if (number("retry-interval") <= 0) {
      throw UsageError("--retry-interval must be positive");
    }
    written.retry_interval = std::max(1, units(number("retry-interval")));
  } else if (!use) {
    written.retry_interval = written.check_interval;
  }
  if (given("max-check-attempts")) {
    if (number("max-check-attempts") <= 0) {
      throw UsageError("--max-check-attempts must be positive");
    }
    written.max_check_attempts = number("max-check-attempts");
  } else if (!use) {
    written.max_check_attempts = 1;
  }
  if (given("first-notification-delay")) {
    if (number("first-notification-delay") < 0) {
      throw UsageError("--first-notification-delay must not be negative");
    }
    written.first_notification_delay = units(number("first-notification-delay"));
  }
  // The timing Nagios applies: the services' own, else their template's (--template-file).
  std::optional<ServiceTiming> timing = written;
  if (use) {
    if (given("template-file")) {
      ServiceTemplates templates;
      for (const auto& file : (*vm)["template-file"].as<std::vector<std::string>>()) {
        std::ifstream in(file);
        if (!in) {
          return report(
              make_error(Errc::io, std::string("cannot read: ") + std::strerror(errno), file));
        }
        templates.read(in, file);
      }
      const ServiceTiming inherited = templates.resolve((*vm)["use"].as<std::string>());
      for (auto [mine, theirs] :
           {std::pair{&timing->check_interval, &inherited.check_interval},
            {&timing->retry_interval, &inherited.retry_interval},
            {&timing->max_check_attempts, &inherited.max_check_attempts},
            {&timing->first_notification_delay, &inherited.first_notification_delay}}) {
        if (!*mine) {
          *mine = *theirs;
        }
      }
    } else if (!written.check_interval || !written.retry_interval || !written.max_check_attempts ||
               !written.first_notification_delay) {
      timing.reset();
    }
  }
  auto opened = open_with_inventory(ctx, core::Store::Mode::read_only);
  if (!opened) {
    return kFailed;
  }
  const core::Inventory* inv = &opened->inventory;
  std::string host = (*vm)["host"].as<std::string>();
  if (vm->count("config") != 0) {
    const std::string file = (*vm)["config"].as<std::string>();
    std::ifstream in(file);
    if (!in) {
      return report(
          make_error(Errc::io, std::string("cannot read: ") + std::strerror(errno), file));
    }
    if ((*vm)["host"].defaulted()) {
      // The host of the passive results colosla-trapd's evaluations write (core/sinks).
      host = core::sink_options_from_config(in, file).nagios_host;
    }
    if (!given("evaluate-interval")) {  // and how often colosla-trapd evaluates
      in.clear();
      in.seekg(0);
      po::options_description keys;
      keys.add_options()("evaluate-interval", po::value<int>());
      po::variables_map found;
      po::store(po::parse_config_file(in, keys, true), found);
      if (found.count("evaluate-interval") != 0) {
        evaluate_interval = found["evaluate-interval"].as<int>();
      }
    }
  }
  if (evaluate_interval < 0) {
    throw UsageError("--evaluate-interval must not be negative");
  }
  std::string check = vm->count("check-colosla") != 0
                          ? (*vm)["check-colosla"].as<std::string>()
                          : program_path("check_colosla", kCheckColosla);
  check += " --db ";
  std::error_code ec;
  const std::string db = std::filesystem::absolute(ctx.db, ec).string();
  check += db + " --contract $ARG1$ --guarantee $ARG2$ -t $_SERVICECOLOSLA_TIMEOUT$";
  if (vm->count("status-dir") != 0) {
    check += " --status-dir " + (*vm)["status-dir"].as<std::string>();
  }
  if (vm->count("unmonitored-warning") != 0) {
    check += " --unmonitored-warning " + std::to_string(number("unmonitored-warning"));
  }
  if (vm->count("no-now-warning") != 0) {
    check += " --no-now-warning";
  }
  const bool customers = vm->count("customer-contacts") != 0;
  if (!customers && (vm->count("pager-command") != 0 || !(*vm)["email-command"].defaulted())) {
    throw UsageError("--email-command and --pager-command go with --customer-contacts");
  }
  CustomerContacts customer;
  if (customers) {
    customer = customer_contacts(*inv, program_path("colosla", "/usr/bin/colosla"), db,
                                 (*vm)["email-command"].as<std::string>(),
                                 vm->count("pager-command") != 0
                                     ? std::optional((*vm)["pager-command"].as<std::string>())
                                     : std::nullopt);
  }
  std::cout << "# colosla: " << inv->contracts.size()
            << (inv->contracts.size() == 1 ? " contract" : " contracts") << " of " << db
            << " (colosla nagios-config)\n"
            << "# Active checks by check_colosla; passive results from colosla-trapd "
               "(nagios-command-file).\n"
            << "# Times in units of interval_length (" << unit
            << " s assumed: --interval-length otherwise).\n\n"
            << article4(*inv, timing, unit, evaluate_interval, timeout)
            << "# $ARG3$: more options of check_colosla for one service (-v, -w RANGE, ...).\n"
            << "define command {\n  command_name  check_colosla\n  command_line  " << check
            << " $ARG3$\n}\n\n";
  if (!use || customers) {  // the customers' contacts use it too
    std::cout
        << "define timeperiod {\n  timeperiod_name  colosla-24x7\n  alias            always\n";
    for (const char* day :
         {"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"}) {
      std::cout << "  " << day << std::string(16 - std::strlen(day), ' ') << " 00:00-24:00\n";
    }
    std::cout << "}\n\n";
  }
  std::string groups = noc ? std::string("colosla-noc") : std::string();
  if (given("contact-groups")) {
    groups = (*vm)["contact-groups"].as<std::string>();
  }
  if (noc) {
    std::cout << noc_objects(noc_name, noc_email, given("use-stock-templates"));
  }
  if (!use) {
    std::cout
        << "define host {\n  host_name              " << host
        << "\n  alias                  colosla SLA store\n  address                127.0.0.1\n"
        << "  max_check_attempts     1\n  check_period           colosla-24x7\n"
        << "  notification_interval  0\n  notification_period    colosla-24x7\n";
    if (given("contacts")) {
      std::cout << "  contacts               " << (*vm)["contacts"].as<std::string>() << "\n";
    }
    if (!groups.empty()) {
      std::cout << "  contact_groups         " << groups << "\n";
    }
    std::cout << "}\n\n";
  }
  const auto value = [](std::string_view directive, const auto& v) {
    std::cout << "  " << directive
              << std::string(std::max<std::size_t>(1, 24 - directive.size()), ' ') << v << "\n";
  };
  for (const auto& c : inv->contracts) {
    for (const char* g : kGuarantees) {
      std::cout << "define service {\n";
      if (use) {
        value("use", (*vm)["use"].as<std::string>());
      }
      value("host_name", host);
      value("service_description", c.id + " " + g);
      value("display_name", nagios_text(c.customer) + " (" + c.id + ") " + g);
      value("check_command", "check_colosla!" + c.id + "!" + g);
      value("_COLOSLA_TIMEOUT", timeout);
      for (const auto& [directive, figure] :
           {std::pair{"max_check_attempts", written.max_check_attempts},
            {"check_interval", written.check_interval},
            {"retry_interval", written.retry_interval},
            {"first_notification_delay", written.first_notification_delay}}) {
        if (figure) {
          value(directive, static_cast<int>(*figure));
        }
      }
      if (!use) {
        std::cout << "  check_period            colosla-24x7\n  notification_interval   0\n"
                  << "  notification_period     colosla-24x7\n"
                  << "  active_checks_enabled   1\n  passive_checks_enabled  1\n";
      }
      std::string contacts = given("contacts") ? (*vm)["contacts"].as<std::string>() : "";
      if (const auto it = customer.names.find(c.id);
          it != customer.names.end() && std::string_view(g) == "emergency") {
        // In addition to --contacts, or to the template's (+: Nagios' additive inheritance).
        contacts += contacts.empty() ? (use ? "+" : "") : ",";
        for (std::size_t i = 0; i < it->second.size(); ++i) {
          contacts += (i == 0 ? "" : ",") + it->second[i];
        }
      }
      if (!contacts.empty()) {
        value("contacts", contacts);
      }
      if (!groups.empty()) {
        value("contact_groups", groups);
      }
      std::cout << "}\n";
    }
  }
  if (customers) {
    std::cout << "\n" << customer.objects;
  }
  return kOk;
}

}  // namespace colosla::cli
