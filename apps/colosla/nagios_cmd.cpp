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

namespace colosla::cli {

namespace {

constexpr const char* kGuarantees[] = {"network", "power", "emergency"};

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

}  // namespace

// Host and service definitions for every contract: one host for the colosla store, one
// service a contract and guarantee, checked actively by check_colosla and fed passively by
// colosla evaluate --nagios-command-file as events happen.
int nagios_config(Context& ctx) {
  po::options_description d("nagios-config");
  d.add_options()("host", po::value<std::string>()->default_value(core::SinkOptions{}.nagios_host),
                  "the Nagios host the services belong to (colosla evaluate's nagios-host)")(
      "config", po::value<std::string>(),
      "colosla-trapd's configuration file: its nagios-host is the host, unless --host is given")(
      "check-colosla", po::value<std::string>(),
      "check_colosla's path (default: found beside colosla)")(
      "check-interval", po::value<int>()->default_value(300), "seconds between active checks")(
      "interval-length", po::value<int>()->default_value(60),
      "Nagios' interval_length, seconds (its time unit)")(
      "use", po::value<std::string>(),
      "a service template of yours instead of the full definitions (and your own host)")(
      "contacts", po::value<std::string>(),
      "the contacts (comma-separated) of the host and services")(
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
  auto opened = open_with_inventory(ctx, core::Store::Mode::read_only);
  if (!opened) {
    return kFailed;
  }
  const core::Inventory* inv = &opened->inventory;
  std::string host = (*vm)["host"].as<std::string>();
  if (vm->count("config") != 0 && (*vm)["host"].defaulted()) {
    // The host of the passive results colosla-trapd's evaluations write (core/sinks).
    const std::string file = (*vm)["config"].as<std::string>();
    std::ifstream in(file);
    if (!in) {
      return report(
          make_error(Errc::io, std::string("cannot read: ") + std::strerror(errno), file));
    }
    host = core::sink_options_from_config(in, file).nagios_host;
  }
  const std::string check = vm->count("check-colosla") != 0
                                ? (*vm)["check-colosla"].as<std::string>()
                                : program_path("check_colosla", COLOSLA_INSTALLED_CHECK);
  const int seconds = (*vm)["check-interval"].as<int>();
  const int unit = (*vm)["interval-length"].as<int>();
  if (seconds <= 0 || unit <= 0) {
    throw UsageError("--check-interval and --interval-length must be positive");
  }
  const int interval = std::max(1, (seconds + unit - 1) / unit);  // in Nagios' units
  std::error_code ec;
  const std::string db = std::filesystem::absolute(ctx.db, ec).string();
  const bool customers = vm->count("customer-contacts") != 0;
  if (!customers && (vm->count("pager-command") != 0 || !(*vm)["email-command"].defaulted())) {
    throw UsageError("--email-command and --pager-command go with --customer-contacts");
  }
  CustomerContacts customer;
  if (customers) {
    customer = customer_contacts(*inv, program_path("colosla", COLOSLA_INSTALLED_CLI), db,
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
            << "# Checks every " << interval << " x interval_length (" << unit << " s).\n\n"
            << "define command {\n  command_name  check_colosla\n  command_line  " << check
            << " --db " << db << " --contract $ARG1$ --guarantee $ARG2$\n}\n\n";
  if (vm->count("use") == 0 || customers) {  // the customers' contacts use it too
    std::cout
        << "define timeperiod {\n  timeperiod_name  colosla-24x7\n  alias            always\n";
    for (const char* day :
         {"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"}) {
      std::cout << "  " << day << std::string(16 - std::strlen(day), ' ') << " 00:00-24:00\n";
    }
    std::cout << "}\n\n";
  }
  if (vm->count("use") == 0) {
    std::cout
        << "define host {\n  host_name              " << host
        << "\n  alias                  colosla SLA store\n  address                127.0.0.1\n"
        << "  max_check_attempts     1\n  check_period           colosla-24x7\n"
        << "  notification_interval  0\n  notification_period    colosla-24x7\n"
        << (vm->count("contacts") != 0
                ? "  contacts               " + (*vm)["contacts"].as<std::string>() + "\n"
                : "")
        << "}\n\n";
  }
  for (const auto& c : inv->contracts) {
    for (const char* g : kGuarantees) {
      std::cout << "define service {\n";
      if (vm->count("use") != 0) {
        std::cout << "  use                     " << (*vm)["use"].as<std::string>() << "\n";
      }
      std::cout << "  host_name               " << host << "\n  service_description     " << c.id
                << " " << g << "\n  display_name            " << nagios_text(c.customer) << " ("
                << c.id << ") " << g << "\n  check_command           check_colosla!" << c.id << "!"
                << g << "\n";
      if (vm->count("use") == 0) {
        std::cout << "  max_check_attempts      1\n  check_interval          " << interval
                  << "\n  retry_interval          " << interval
                  << "\n  check_period            colosla-24x7\n  notification_interval   0\n"
                  << "  notification_period     colosla-24x7\n"
                  << "  active_checks_enabled   1\n  passive_checks_enabled  1\n";
      }
      std::string contacts =
          vm->count("contacts") != 0 ? (*vm)["contacts"].as<std::string>() : std::string();
      if (const auto it = customer.names.find(c.id);
          it != customer.names.end() && std::string_view(g) == "emergency") {
        // In addition to --contacts, or to the template's (+: Nagios' additive inheritance).
        contacts += contacts.empty() ? (vm->count("use") != 0 ? "+" : "") : ",";
        for (std::size_t i = 0; i < it->second.size(); ++i) {
          contacts += (i == 0 ? "" : ",") + it->second[i];
        }
      }
      if (!contacts.empty()) {
        std::cout << "  contacts                " << contacts << "\n";
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
