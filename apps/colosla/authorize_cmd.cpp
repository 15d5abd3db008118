// colosla authorize add|feedback|done|report|confirm: authorizations and their follow-ups
// (Articles 6.4-6.6, 7.2; SPEC §7, §8). A phone authorization is accepted only with the
// contract's MRTG user name and a password that crypt(3) verifies against the inventory's hash;
// the password is read from standard input, compared, wiped, and never stored, logged or printed.
#include <termios.h>
#include <unistd.h>

#include <cstring>
#include <iostream>

#include "cli.hpp"
#include "colosla/model/crypt_hash.hpp"
#include "colosla/services/operations.hpp"
#include "commands.hpp"

namespace colosla::cli {

namespace {

using core::Record;
using core::RecordKind;

// One line from standard input, without its line end. At a terminal, the prompt goes to stderr
// and the echo is off while the line is typed.
std::string read_password(const std::string& prompt) {
  const bool tty = isatty(STDIN_FILENO) != 0;
  termios saved{};
  if (tty && tcgetattr(STDIN_FILENO, &saved) == 0) {
    std::cerr << prompt << std::flush;
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
  }
  std::string line;
  std::getline(std::cin, line);
  if (tty) {
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
    std::cerr << "\n";
  }
  while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) {
    line.pop_back();
  }
  return line;
}

// enter_record takes who enters it from --by, which here says how the authorization was given:
// the person entering it is --entered-by.
po::variables_map with_entered_by(const po::variables_map& vm) {
  po::variables_map v = vm;
  v.erase("by");
  if (vm.count("entered-by") != 0) {
    v.insert({"by", vm["entered-by"]});
  }
  return v;
}

}  // namespace

int authorize_add(Context& ctx) {
  po::options_description d(ctx.command);
  d.add_options()("contract", po::value<std::string>(), "contract id")(
      "contact", po::value<std::string>(), "who authorizes (an authorized contact)")(
      "by", po::value<std::string>(), "written or phone")(
      "at", po::value<std::string>()->default_value("now"), "when (RFC 3339 or now)")(
      "mrtg-user", po::value<std::string>(),
      "by phone: the MRTG user name the caller gave (the password is read from stdin)")(
      "entered-by", po::value<std::string>(), "who enters it (default: your login name)")(
      "note", po::value<std::string>()->default_value(""), "the operation authorized")(
      "supersedes", po::value<std::int64_t>(), "the record this one corrects (by its number)");
  auto vm = parse(ctx, d);
  if (!vm) {
    return kOk;
  }
  Record r;
  r.kind = RecordKind::authorization;
  r.contract = required(*vm, "contract");
  r.contact = required(*vm, "contact");
  auto method = core::parse_authorization_method(required(*vm, "by"));
  if (!method) {
    throw UsageError("--by: " + method.error().msg);
  }
  r.method = *method;
  r.at = parse_time_option("at", (*vm)["at"].as<std::string>(), *ctx.clock);
  const bool phone = r.method == core::AuthorizationMethod::phone;
  if (phone) {
    r.mrtg_user = required(*vm, "mrtg-user");
  }

  auto store = open_store(ctx, core::Store::Mode::existing);
  if (!store) {
    return kFailed;
  }
  auto inv = store->load_contract(r.contract);
  if (!inv) {
    return refused(inv.error());
  }
  if (!inv->has_value()) {
    return refused(make_error(Errc::not_found, "no contract " + r.contract + " in the inventory"));
  }
  const core::Contract& c = (*inv)->contracts.front();
  const auto contact = std::find_if(c.contacts.begin(), c.contacts.end(),
                                    [&](const core::Contact& k) { return k.name == r.contact; });
  std::string why;
  if (contact != c.contacts.end() && !contact->authorized) {
    why = r.contact + " is not an authorized contact of " + c.id + " (Article 6.5)";
  }
  if (phone) {
    std::string password = read_password("MRTG password of " + r.mrtg_user + ": ");
    // Both checked whatever the first says, so that the time taken tells nothing.
    const bool user_ok = !c.mrtg_user.empty() && r.mrtg_user == c.mrtg_user;
    const bool password_ok = core::verify_crypt(password, c.mrtg_password_hash);
    explicit_bzero(password.data(), password.size());
    if (c.mrtg_password_hash.empty()) {
      why = c.id +
            " has no mrtg-password-hash in the inventory: a phone authorization cannot be "
            "verified";
    } else if (!user_ok || !password_ok) {
      why = "wrong MRTG user name or password";
    }
  }
  r.accepted = why.empty();
  auto added = enter_record(ctx, *store, r, with_entered_by(*vm));
  if (!added) {
    return refused(added.error());
  }
  if (!why.empty()) {
    std::cerr << "colosla: authorization refused: " << why << " (recorded as refused, "
              << core::record_name(added->id) << ")\n";
    return kRejected;
  }
  if (phone) {
    std::cout << "the written confirmation is due within " << c.sla.written_confirmation_hours
              << " h (colosla authorize confirm " << added->id << " --at T)\n";
  }
  return kOk;
}

// feedback, done, report, confirm: a record that refers to authorization N.
int authorize_follow_up(Context& ctx) {
  RecordKind kind = RecordKind::authorization_feedback;
  const std::string_view name = ctx.entry != nullptr ? ctx.entry->name : "";
  if (name == "done") {
    kind = RecordKind::authorization_done;
  } else if (name == "report") {
    kind = RecordKind::authorization_report;
  } else if (name == "confirm") {
    kind = RecordKind::authorization_confirm;
  }
  po::options_description d(ctx.command);
  d.add_options()("id", po::value<std::int64_t>(), "the authorization record")(
      "at", po::value<std::string>()->default_value("now"), "when (RFC 3339 or now)");
  add_record_options(d, true);
  po::positional_options_description pos;
  pos.add("id", 1);
  auto vm = parse(ctx, d, pos);
  if (!vm) {
    return kOk;
  }
  if (vm->count("id") == 0) {
    throw UsageError("give the number of the authorization record");
  }
  auto store = open_store(ctx, core::Store::Mode::existing);
  if (!store) {
    return kFailed;
  }
  Record r;
  r.kind = kind;
  r.refers_to = (*vm)["id"].as<std::int64_t>();
  r.at = parse_time_option("at", (*vm)["at"].as<std::string>(), *ctx.clock);
  auto target = record_of(*store, r.refers_to);
  if (!target) {
    return refused(target.error());
  }
  r.contract = target->contract;
  auto added = enter_record(ctx, *store, r, *vm);
  return added ? kOk : refused(added.error());
}

}  // namespace colosla::cli
