#pragma once
// Pieces of colosla nagios-config: its Article 4 arithmetic (how long Nagios may take from an
// emergency to its first notification), the reader of the service templates of an existing Nagios
// configuration it takes the figures from, and the NOC's contact.
#include <istream>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <boost/program_options.hpp>

#include "colosla/model/inventory.hpp"
#include "commands.hpp"

namespace colosla::cli {

/// What delays a service's first notification, in Nagios' units (interval_length), as a
/// service definition or template sets it. Unset: not said (Nagios' default, or a parent's).
struct ServiceTiming {
  std::optional<double> check_interval;
  std::optional<double> retry_interval;
  std::optional<double> max_check_attempts;
  std::optional<double> first_notification_delay;
};

/// The service templates (`define service` with a `name`) of Nagios object files: for each
/// name, its own timing directives and the templates it uses, in order.
class ServiceTemplates {
 public:
  /// Reads the definitions of one object file. Throws UsageError for a value that is not a
  /// number (naming FILE:LINE).
  void read(std::istream& in, const std::string& file);
  /// The timing of template NAME with what it inherits (Nagios: its own directive, else the
  /// first of its `use` templates that has one). Throws UsageError when NAME, or a template it
  /// uses, is not among those read, or when they use each other in a loop.
  ServiceTiming resolve(const std::string& name) const;

 private:
  struct Template {
    ServiceTiming own;
    std::vector<std::string> use;
  };
  ServiceTiming resolve(const std::string& name, int depth) const;
  std::map<std::string, Template> templates_;
};

/// The longest time, in seconds, from an emergency's declaration to Nagios' first notification
/// of the emergency service, and how it adds up (for the warning and the comment).
struct NotificationDelay {
  double seconds = 0;
  std::vector<std::string> terms;  // "colosla-trapd's evaluate-interval 60 s", "check_interval ..."
};

/// check_interval + (max_check_attempts - 1) x retry_interval + first_notification_delay, in
/// Nagios' units of `unit` seconds (the active check that finds the state just after it changed,
/// the retries to a HARD state, the delay), plus what comes before and after Nagios: colosla-trapd
/// evaluates every `evaluate_interval` seconds (check_colosla reads those figures) and the last
/// check may run up to `timeout` seconds. Unset figures take Nagios' defaults (check_interval 5,
/// retry_interval 1, first_notification_delay 0; max_check_attempts, which Nagios requires, 1).
NotificationDelay notification_delay(const ServiceTiming& t, int unit, int evaluate_interval,
                                     int timeout);

/// The colosla-noc contact group and its one contact NAME (e-mail EMAIL), with the notification
/// commands and the colosla-24x7 timeperiod of its own, or (STOCK) Debian's generic-contact.
std::string noc_objects(const std::string& name, const std::string& email, bool stock);

/// Nagios' longest time to notify an emergency against every contract's notify-within-minutes:
/// a comment for the output (and a warning on stderr) for the contracts it can exceed; without
/// TIMING (a template not read), a note that it is not checked.
std::string article4(const core::Inventory& inv, const std::optional<ServiceTiming>& timing,
                     int unit, int evaluate_interval, int timeout);

/// What `nagios-config --icinga` prints: an Icinga 2 Host HOST whose vars list the inventory's
/// contracts (colosla_contracts, for examples/icinga2/services-colosla.conf) and set the
/// CheckCommand's variables VARS (name without "colosla_" -> its value, an Icinga literal).
/// Throws UsageError for a host name or value Icinga cannot take as it is.
std::string icinga_host(const core::Inventory& inv, const std::string& host,
                        const std::map<std::string, std::string>& vars);

/// nagios-config --icinga (VM, its options): prints icinga_host's host of the store's
/// inventory. Throws UsageError for an option that is for Nagios only.
int icinga_config(Context& ctx, const boost::program_options::variables_map& vm);

/// An Icinga 2 string literal of TEXT. Throws UsageError (naming WHAT) when TEXT holds '"', '\',
/// '$' (a macro) or a control character.
std::string icinga_string(const std::string& what, const std::string& text);

}  // namespace colosla::cli
